"""API shapes of the near-relative register (近亲属备案, R-AP-8)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.inputs import DivisionCode, PersonName, Reason, ResidentIdNumber

Relationship = Literal[
    "spouse", "parent", "child", "sibling", "grandparent", "grandchild", "parent_in_law",
    "child_in_law", "sibling_in_law", "other_supported"]
"""近亲属: 配偶, 父母, 子女, 兄弟姐妹, 祖父母/外祖父母, 孙子女/外孙子女, 公婆/岳父母,
儿媳/女婿, 兄弟姐妹的配偶, 其他有扶养赡养关系的亲属."""


class NearRelativeIn(BaseModel):
    """A near relative filed by the staff member (their own: leave out ``staff_user_id``), or
    by a county officer for staff of their county."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"relative_name": "李秀英", "relationship": "parent",
         "id_number": "230722195403120026"},
        {"staff_user_id": "u-village-0412", "staff_name": "王建国",
         "staff_division": "230722100201", "relative_name": "王建华",
         "relationship": "sibling", "id_number": "23072219700815003X"},
    ]})

    staff_user_id: str | None = Field(
        None, min_length=1, max_length=255, pattern=r"^[\x21-\x7e]+$",
        description="the staff member whose relative this is; absent: the caller. Only a "
        "county officer files for someone else")
    staff_name: PersonName | None = Field(
        None, description="the staff member's name; absent: the name in the caller's token")
    staff_division: DivisionCode | None = Field(
        None, description="the division the staff member works in (city, county, township or "
        "village; the level is read from it); absent: the caller's only division")
    relative_name: PersonName
    relationship: Relationship
    id_number: ResidentIdNumber = Field(
        description="the relative's ID number: kept only as a keyed digest and masked")


class WithdrawalIn(BaseModel):
    """Withdraw a filing: a new record with its reason; the filing itself stays."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"reason": "录入错误: 该人员与本人无亲属关系, 身份证号填错"},
    ]})

    reason: Reason


class NearRelativeOut(BaseModel):
    """A filing as every list shows it: the ID number masked (R-SE-2)."""

    id: str
    staff_user_id: str
    staff_name: str
    staff_level: str
    staff_division: str
    relative_name: str
    relationship: str
    id_number_masked: str = Field(description="masked (R-SE-2); the full number is not kept")
    filed_by: str
    filed_at: datetime
    withdrawn: bool = False
    withdrawn_at: datetime | None = None
    withdrawal_reason: str | None = None


class FlaggedCaseOut(BaseModel):
    """A case whose household includes a filed near relative (R-AP-8), its archive apart."""

    case_id: str
    application_id: str
    application_number: str
    division: str
    archive_apart: bool
    flagged_at: datetime
    staff_user_ids: list[str] = Field(description="the staff members recused (回避)")
    status: str | None = Field(None, description="the review case's status")


class ViolationOut(BaseModel):
    """A filed near relative who gets (or got) aid without the case being flagged first."""

    case_id: str
    application_id: str
    application_number: str
    division: str
    program: str
    aid: Literal["roll", "temporary_aid", "approved_case"] = Field(
        description="`roll`: a beneficiary on the roll; `temporary_aid`: a grant; "
        "`approved_case`: approved, not yet on the roll")
    beneficiary_id: str | None
    approved_at: datetime | None = Field(None, description="when the aid was granted")
    near_relative_id: str
    staff_user_id: str
    staff_name: str
    relative_name: str
    relationship: str
    id_number_masked: str
    filed_at: datetime
    flagged_at: datetime | None = Field(None, description="when the case was flagged, if ever")
    why: Literal["not_flagged", "flagged_after_aid"]
