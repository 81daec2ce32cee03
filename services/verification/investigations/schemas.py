"""API shapes of investigations, their households and teams."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.contracts.verification import CheckSummary
from shared.inputs import Label, PersonName, Reason, TextRule

StaffId = Annotated[str, TextRule(max_length=255)]
"""A staff member's user id, as their token's ``sub`` says it."""


class StaffIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    user_id: StaffId
    name: PersonName
    role: Literal["caseworker", "township_leader"]


class VillageHelperIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: PersonName
    title: Label = Field(description="their post on the village committee, e.g. 村委会主任")


class TeamIn(BaseModel):
    """Who investigates (R-VE-1): two township staff at least, the village committee
    assisting."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"investigators": [
            {"user_id": "demo-caseworker-230722100", "name": "朝阳镇经办人(演示)",
             "role": "caseworker"},
            {"user_id": "demo-township_leader-230722100", "name": "朝阳镇主管领导(演示)",
             "role": "township_leader"},
        ], "village_helper": {"name": "刘长河", "title": "东风村村委会主任"}},
    ]})

    investigators: list[StaffIn] = Field(min_length=1, max_length=10)
    village_helper: VillageHelperIn


class StaffOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    user_id: str
    name: str


class InvestigatorOut(StaffOut):
    role: str
    assigned_at: datetime
    assigned_by: str


class MemberOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    member_id: str
    name: str
    id_number_masked: str = Field(description="masked: first 3 and last 4 kept (R-SE-2)")
    relationship: str
    counted: bool


class InvestigationOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    application_id: str
    application_number: str
    program: str
    division: str
    household_size: int
    status: str = Field(description="open, completed, or closed (the application ended)")
    accepted_on: date
    review_due_on: date
    review_due_provisional: bool
    opened_at: datetime
    overdue: bool = Field(False, description="open after its review period (R-AP-7) ended")
    completed_at: datetime | None = None
    closed_at: datetime | None = None
    closed_reason: str | None = None
    closed_note: str | None = None


class VillageHelperOut(BaseModel):
    name: str
    title: str


class Blocker(BaseModel):
    """Something that keeps the investigation from completing, with the rule behind it."""

    rule: str
    code: str
    detail: str


class InvestigationDetailOut(InvestigationOut):
    members: list[MemberOut]
    investigators: list[InvestigatorOut]
    village_helper: VillageHelperOut | None
    form_version: int | None = Field(description="the newest version of the form, if any")
    check_summary: CheckSummary | None = None
    findings: str | None = None
    blockers: list[Blocker] = Field(description="what keeps it from completing; empty when "
                                    "it can complete (or is no longer open)")


class CompletionIn(BaseModel):
    """The investigators' findings, with which the investigation completes."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"findings": "经入户调查、邻里走访和信息核对, 家庭月人均收入低于本县农村低保标准, "
                     "家庭财产符合规定, 建议纳入低保"},
    ]})

    findings: Reason = Field(description="what the investigation found, in the investigators' "
                             "words")
