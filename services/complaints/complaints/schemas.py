"""API shapes of complaints, reports and petitions (R-CO-1 … R-CO-3)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from services.complaints.complaints.models import Category, Channel, Concerns, Kind, Level, Status
from shared.inputs import (
    CivilDate,
    DivisionCode,
    Flag,
    Label,
    PersonName,
    Phone,
    Reason,
    RecordId,
)
from shared.programs import Program

AnswerMethod = Literal["phone", "letter", "visit", "sms", "online"]


class ComplaintIn(BaseModel):
    """A complaint, report or petition as staff register it (R-CO-1)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "kind": "complaint", "channel": "visit", "subject": "低保户家庭有轿车仍领取低保",
        "content": "反映东风村某户家中有轿车, 仍在领取低保金, 请求核查。",
        "concerns": "household", "category": "eligibility", "program": "dibao",
        "division": "230722100201", "household": "东风村三组王某户",
        "contact_name": "李明", "contact_phone": "13800001234", "answer_wanted": True}]})

    kind: Kind
    channel: Channel
    subject: Label
    content: Reason
    concerns: Concerns = Field(description="case: `case_reference_id` names it; staff: "
                               "`staff_member` names them (the county handles it, R-CO-2)")
    category: Category = Category.other
    program: Program | None = None
    division: DivisionCode | None = Field(None, description="the division concerned (a "
                                          "village, township or the county); default: the "
                                          "case's")
    case_reference_id: RecordId | None = Field(None, description="the case, from "
                                               "/api/v1/case-references (422 if unknown)")
    household: Label | None = None
    staff_member: Label | None = None
    contact_name: PersonName | None = None
    contact_phone: Phone | None = None
    answer_wanted: Flag = Field(False, description="the complainant asked for the result "
                                "(R-CO-3)")
    hotline_call_id: RecordId | None = Field(None, description="the hotline call it came by "
                                             "(R-CO-5)")


class RoutingIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "level": "county", "reason": "反映内容涉及乡镇经办人员, 由县民政局办理"}]})

    level: Level
    reason: Reason
    concerns: Concerns | None = Field(None, description=(
        "what the complaint concerns as the county finds it, when the registration had it "
        "wrong; recorded and told in `complaint_rerouted`. A complaint about assistance staff "
        "or the township's own fairness stays with the county (R-CO-2)."))


class NoteIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "note": "入户核实: 该户车辆为其子所有, 其子已分户。"}]})

    note: Reason


class RectificationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    responsible: Label = Field(description="责任人 (name and post)")
    due_on: CivilDate = Field(description="整改时限")


class ConclusionIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "substantiated": False, "finding": "经入户核查, 反映情况不属实。",
        "handling": "维持原低保待遇, 向反映人说明情况。"}]})

    substantiated: Flag
    finding: Reason
    handling: Reason
    rectification: RectificationIn | None = Field(None, description="a substantiated finding "
                                                  "to rectify: a ledger item (R-OV-3)")


class AnswerIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "text": "您反映的问题经核查不属实, 该户车辆为其已分户子女所有。", "method": "phone"}]})

    text: Reason
    method: AnswerMethod
    answered_on: CivilDate | None = Field(None, description="default: today")


class RoutingOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    seq: int
    level: Level
    handled_by: str
    reason: str
    by: str
    at: datetime


class NoteOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    seq: int
    note: str
    by: str
    at: datetime


class ComplaintOut(BaseModel):
    """A complaint as staff see it: the contact masked (R-SE-2)."""

    model_config = ConfigDict(from_attributes=True)

    id: str
    tracking_number: str
    kind: Kind
    channel: Channel
    subject: str
    content: str
    concerns: Concerns
    category: Category
    program: str | None
    division: str
    household: str | None
    staff_member: str | None
    case_reference_id: str | None
    case_service: str | None
    case_record_id: str | None
    level: Level = Field(description="who handles it (R-CO-2)")
    handled_by: str
    routing_reason: str
    contact_name_masked: str | None = None
    contact_phone_masked: str | None
    answer_wanted: bool
    hotline_call_id: str | None
    filed_by_public: bool
    status: Status
    registered_by: str
    registered_at: datetime
    handling_due_on: date
    answer_due_on: date | None
    handling_overdue: bool = False
    answer_overdue: bool = False
    accepted_by: str | None
    accepted_at: datetime | None
    note_count: int
    substantiated: bool | None
    finding: str | None
    handling: str | None
    concluded_by: str | None
    concluded_on: date | None
    rectification_item_id: str | None
    result_filed_at: datetime | None = Field(description="filed with the city (R-CO-2)")
    answer_text: str | None
    answer_method: str | None
    answered_on: date | None


class ComplaintDetail(ComplaintOut):
    routings: list[RoutingOut] = Field(default_factory=list)
    notes: list[NoteOut] = Field(default_factory=list)


class OverdueCountOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    handled_by: str
    level: Level
    open: int
    handling_overdue: int
    answer_overdue: int


# --- the public -------------------------------------------------------------------------------


class PublicComplaintIn(BaseModel):
    """A complaint from the public, without an account (R-CO-1)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "kind": "report", "subject": "村干部亲属违规享受低保",
        "content": "东风村村干部的亲属家庭条件较好, 却享受低保。",
        "concerns": "household", "category": "favouritism", "division": "230722100201",
        "answer_wanted": True}]})

    kind: Kind
    subject: Label
    content: Reason
    concerns: Literal["household", "staff", "township_fairness"]
    category: Category = Category.other
    program: Program | None = None
    division: DivisionCode = Field(description="the village or township concerned")
    household: Label | None = None
    staff_member: Label | None = None
    contact_name: PersonName | None = None
    contact_phone: Phone | None = None
    answer_wanted: Flag = False


class PublicReceipt(BaseModel):
    """What the public keeps to follow the complaint: the check code is shown once."""

    tracking_number: str
    check_code: str | None = Field(description="shown once; with the tracking number it "
                                   "follows the complaint (none when a form was sent again)")
    registered_at: datetime
    handled_by_level: Level
    handling_due_on: date
    answer_due_on: date | None


class PublicFollowIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "tracking_number": "TS230722-2026-000001", "check_code": "ABCD2345"}]})

    tracking_number: str = Field(min_length=1, max_length=40, pattern=r"^[A-Z0-9-]+$")
    check_code: str = Field(min_length=4, max_length=20, pattern=r"^[A-Za-z0-9]+$")


class PublicStatus(BaseModel):
    """Where a complaint stands, for the one who filed it: never personal data."""

    tracking_number: str
    kind: Kind
    status: Status
    registered_on: date
    handling_due_on: date
    concluded_on: date | None
    answer: str | None
    answered_on: date | None


class ContactReadIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "purpose": "电话反馈办理结果"}]})

    purpose: Reason = Field(description="why the phone is read in full (kept in the log)")


class ContactOut(BaseModel):
    """A contact in full, for the one who answers or calls back; the read is logged."""

    name: str | None
    phone: str | None
