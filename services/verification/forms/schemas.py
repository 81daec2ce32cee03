"""API shapes of the investigation form (入户调查表) and its confirmations."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from shared.contracts.verification import (
    AssetKind,
    ConfirmationMethod,
    ExpenditureKind,
    FormContent,
    Housing,
    IncomeKind,
    VerifiedBy,
)
from shared.inputs import (
    WHOLE_NUMBER,
    AmountFen,
    CivilDate,
    Flag,
    Label,
    PersonName,
    Reason,
    RecordId,
)

MAX_ITEMS = 100
Version = Annotated[int, Field(strict=True, ge=1, le=1_000_000), WHOLE_NUMBER]


class IncomeItemIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    member_id: RecordId | None = Field(None, description="whose income (a member of the "
                                       "household); absent: the household's as a whole")
    kind: IncomeKind
    description: Label
    monthly_fen: AmountFen = Field(description="average monthly amount over the review period")
    counted: Flag = Field(True, description="counted as income (R-BE-9); false: an exempt item, "
                          "with `not_counted_reason`")
    not_counted_reason: Label | None = None
    verified_by: VerifiedBy = "declaration"


class AssetItemIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: AssetKind
    description: Label
    value_fen: AmountFen
    exempt: Flag = Field(False, description="an exempt item (R-BE-10), with `exempt_reason`")
    exempt_reason: Label | None = None


class ExpenditureItemIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    member_id: RecordId | None = None
    kind: ExpenditureKind
    description: Label
    monthly_fen: AmountFen


class LivingConditionsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    housing: Housing
    floor_area_m2: Annotated[int, Field(strict=True, ge=0, le=100_000), WHOLE_NUMBER] | None = None
    condition: Reason = Field(description="state of the home, furnishings, what was seen")


class FormIn(BaseModel):
    """The investigation form as the investigators filled it in at the home visit."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"visited_on": "2026-11-27",
         "situation": "户主王建国在镇上打零工, 妻子李秀兰患慢性病在家, 儿子王磊在读大学",
         "income": [
             {"member_id": "5f1c2a9e8b7d4c3aa1e0f9d8c7b6a501", "kind": "wages",
              "description": "镇上打零工", "monthly_fen": 120000, "verified_by": "letter"},
             {"kind": "business", "description": "种植玉米净收入", "monthly_fen": 25000,
              "verified_by": "site"},
             {"member_id": "5f1c2a9e8b7d4c3aa1e0f9d8c7b6a503", "kind": "transfer",
              "description": "国家助学金", "monthly_fen": 25000, "counted": False,
              "not_counted_reason": "助学金不计入收入"},
         ],
         "assets": [{"kind": "deposit", "description": "农村信用社存款", "value_fen": 800000}],
         "rigid_expenditure": [
             {"member_id": "5f1c2a9e8b7d4c3aa1e0f9d8c7b6a502", "kind": "serious_illness",
              "description": "慢性病门诊", "monthly_fen": 30000},
         ],
         "living_conditions": {"housing": "owned", "floor_area_m2": 70,
                               "condition": "砖瓦房两间, 家电陈旧"}},
    ]})

    visited_on: CivilDate = Field(description="the day of the home visit (not in the future)")
    situation: Reason = Field(description="the household's situation")
    income: list[IncomeItemIn] = Field(max_length=MAX_ITEMS)
    assets: list[AssetItemIn] = Field(max_length=MAX_ITEMS)
    rigid_expenditure: list[ExpenditureItemIn] = Field(default_factory=list,
                                                       max_length=MAX_ITEMS)
    living_conditions: LivingConditionsIn


class InvestigatorConfirmationIn(BaseModel):
    """An assigned investigator confirms the version of the form they read (R-VE-1)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"version": 1, "method": "signature"},
    ]})

    version: Version = Field(description="the version confirmed: the newest one")
    method: ConfirmationMethod = "signature"
    evidence_id: RecordId | None = Field(None, description="the signed form's scan, if any")


class HouseholdConfirmationIn(BaseModel):
    """The household member present confirms the form; an investigator records it (R-VE-1)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"version": 1, "name": "王建国", "relationship": "户主",
         "member_id": "5f1c2a9e8b7d4c3aa1e0f9d8c7b6a501", "method": "signature_and_fingerprint",
         "evidence_id": "9b2e4d6f8a0c4e1f9d3b5a7c9e1f3a05"},
    ]})

    version: Version = Field(description="the version confirmed: the newest one")
    name: PersonName
    relationship: Label = Field(description="to the applicant: head, spouse, child, …")
    member_id: RecordId | None = Field(None, description="the member, if listed in the household")
    method: ConfirmationMethod
    evidence_id: RecordId | None = Field(None, description="the signed form's scan, if any")


class ConfirmationOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    version: int
    party: str
    user_id: str | None
    name: str
    role: str | None
    relationship: str | None
    member_id: str | None
    method: str
    evidence_id: str | None
    confirmed_at: datetime
    recorded_by: str


class FormOut(BaseModel):
    version: int
    digest: str = Field(description="SHA-256 of the form's content: what is confirmed")
    form: FormContent
    visited_on: date
    recorded_at: datetime
    recorded_by: str
    confirmations: list[ConfirmationOut] = Field(
        description="confirmations of this version; earlier versions' no longer count")
    awaiting: list[str] = Field(description="who has yet to confirm this version: user ids "
                                "of investigators, and `household`")
