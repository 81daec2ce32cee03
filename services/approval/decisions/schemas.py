"""API shapes of the decision: the initial opinion, confirmations, meetings, refusals and
deadline extensions (R-AP-1, 2, 5, 6, 7)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from shared.benefits.household import DisabilityKind, IncomeKind, Supporter
from shared.benefits.parameters import SelfCare
from shared.contracts.verification import AssetKind, ExpenditureKind
from shared.inputs import (
    WHOLE_NUMBER,
    AmountFen,
    CivilDate,
    Code,
    DivisionCode,
    Flag,
    Label,
    Moment,
    PersonName,
    Reason,
    RecordId,
)

Grade = Annotated[int, Field(strict=True, ge=1, le=4), WHOLE_NUMBER]
ServicemanGrade = Annotated[int, Field(strict=True, ge=1, le=10), WHOLE_NUMBER]
Years = Annotated[int, Field(strict=True, ge=0, le=100), WHOLE_NUMBER]
Line = Annotated[int, Field(strict=True, ge=0, le=199), WHOLE_NUMBER]
Reasons = Annotated[list[Reason], Field(min_length=1, max_length=20)]

MEMBER_ID = "6f1c2a9e4b7d4e0f8a1b2c3d4e5f6a70"
CASE_ID = "0c5a7e2f9b1d4c3e8f6a2b4d6e8f0a12"


class Circumstances(BaseModel):
    """The caseworker's assessment of one member (R-AP-1): employment (R-BE-2), the add-on
    grounds (R-BE-3), the single-person grounds (R-BE-4), the tekun facts (R-BE-11) and the
    self-care ability (R-BE-7). A member not named keeps the defaults."""

    model_config = ConfigDict(extra="forbid")

    member_id: RecordId
    employed: Flag = False
    minimum_wage_fen: AmountFen | None = Field(
        None, description="the minimum wage where they work, if not the county's")
    disability_grade: Grade | None = None
    disability_kind: DisabilityKind | None = None
    disabled_serviceman_grade: ServicemanGrade | None = None
    seriously_ill: Flag = False
    military_or_martyr_family: Flag = False
    old_demobilised_rural_soldier: Flag = False
    regularly_pensioned_entitled: Flag = False
    clergy_apart_years: Years = 0
    able_to_work: Flag = True
    has_income_source: Flag = True
    supporter: Supporter = "able"
    in_school: Flag = False
    self_care: SelfCare = "able"


class Adjustment(BaseModel):
    """A change to a figure the investigation found, never without its reason (R-AP-1): a line
    replaced or removed (``line``: its index in the case's investigation), or a line added."""

    model_config = ConfigDict(extra="forbid")

    figure: Literal["income", "asset", "expenditure"]
    line: Line | None = Field(None, description="the investigated line; absent: a new line")
    remove: Flag = False
    member_id: RecordId | None = None
    kind: str | None = Field(None, max_length=30, description="income: an R-BE-9 kind (the "
                             "statutory not-counted kinds included); asset: deposit, vehicle, "
                             "house, business, securities, other; expenditure: an R-BE-2 kind")
    description: Label | None = None
    amount_fen: AmountFen | None = Field(
        None, description="income, expenditure: monthly amount; asset: its value")
    counted: Flag | None = Field(None, description="income: counted (R-BE-9)")
    exempt: Flag | None = Field(None, description="asset: an exempt item (R-BE-10)")
    reason: Reason = Field(description="why the figure differs from the investigation")

    @model_validator(mode="after")
    def _complete(self) -> Adjustment:
        if self.remove and self.line is None:
            raise ValueError("remove names the investigated `line` it removes")
        if self.line is None and (self.kind is None or self.amount_fen is None):
            raise ValueError("a new line gives `kind` and `amount_fen`")
        kinds: dict[str, tuple[str, ...]] = {
            "income": IncomeKind.__args__,  # type: ignore[attr-defined]
            "asset": AssetKind.__args__,  # type: ignore[attr-defined]
            "expenditure": ExpenditureKind.__args__,  # type: ignore[attr-defined]
        }
        if self.kind is not None and self.kind not in kinds[self.figure]:
            raise ValueError(f"kind of {self.figure} is one of {', '.join(kinds[self.figure])}")
        return self


class CaseByCase(BaseModel):
    """Why the case is put to a collective decision (一事一议, R-AP-6)."""

    model_config = ConfigDict(extra="forbid")

    grounds: Literal["materials_incomplete", "facts_uncheckable"]
    not_applicants_fault: Reason = Field(
        description="why this is not of the applicant's making")
    hardship: Reason = Field(description="the household's extreme hardship")


class OpinionIn(BaseModel):
    """The initial opinion (初审意见, R-AP-1): the members' circumstances, adjustments of the
    investigated figures with reasons, the proposal and the opinion's text. The benefit is
    computed by the rules (R-BE) with the parameters in force in the month it is for."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"proposal": "approve", "text": "经入户调查和信息核对, 家庭月人均收入低于当地低保标准, "
         "户主腿部残疾, 符合低保条件, 拟同意纳入低保",
         "members": [{"member_id": MEMBER_ID, "employed": True, "disability_grade": 3,
                      "disability_kind": "physical"}],
         "adjustments": [{"figure": "income", "line": 0, "amount_fen": 60000,
                          "reason": "用工单位回函: 农闲打零工月均600元"}]},
        {"proposal": "refuse", "reason_code": "income_above_standard",
         "reasons": ["家庭月人均收入高于当地低保标准"],
         "text": "家庭月人均收入820元, 高于当地农村低保标准560元, 拟不予批准"},
    ]})

    proposal: Literal["approve", "refuse"]
    reason_code: Code | None = Field(None, description="refuse: the reason code (R-AP-5)")
    reasons: Reasons | None = Field(None, description="refuse: the reasons in words")
    text: Reason = Field(description="the opinion (初审意见) in words")
    members: list[Circumstances] = Field(default_factory=list, max_length=30)
    adjustments: list[Adjustment] = Field(default_factory=list, max_length=50)
    long_lived_in_border_county: Flag = Field(
        False, description="R-BE-12: has long lived in one of the province's border counties")
    single_person_member_id: RecordId | None = Field(
        None, description="dibao: the member covered alone (单人户, R-BE-4)")
    subject_member_id: RecordId | None = Field(
        None, description="tekun: the person assessed (default: the head)")
    temporary_aid_fen: AmountFen | None = Field(
        None, description="temporary aid: the amount for the case, within the R-BE-8 cap")
    case_by_case: CaseByCase | None = Field(
        None, description="put to a confirmation meeting's collective decision (R-AP-6)")

    @model_validator(mode="after")
    def _proposal(self) -> OpinionIn:
        if self.proposal == "refuse" and (self.reason_code is None or not self.reasons):
            raise ValueError("a proposed refusal gives `reason_code` and `reasons` (R-AP-5)")
        if self.proposal == "approve" and (self.reason_code or self.reasons):
            raise ValueError("`reason_code` and `reasons` belong to a proposed refusal")
        ids = [m.member_id for m in self.members]
        if len(set(ids)) != len(ids):
            raise ValueError("each member is assessed once")
        return self


class OpinionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    case_id: str
    version: int
    program: str
    proposal: str
    eligible: bool = Field(description="what the rules found (R-BE)")
    amount_fen: int = Field(description="monthly (dibao, tekun) or once (temporary aid)")
    benefit_month: str
    policy_version_id: str | None
    policy_version: int | None
    reason_code: str | None
    reasons: list[str] | None
    text: str
    circumstances: list[dict[str, Any]]
    adjustments: list[dict[str, Any]]
    figures: dict[str, Any] = Field(description="the figures the rules were given")
    assessment: dict[str, Any] = Field(description="the rules' result, step by step")
    case_by_case: dict[str, Any] | None
    investigation_id: str | None
    written_by: str
    written_by_name: str | None
    written_at: datetime
    superseded_at: datetime | None
    current: bool = Field(True, description="the version a confirmation would confirm")


class ConfirmationIn(BaseModel):
    """The leader's confirmation (审核确认, R-AP-2): ``confirm`` the opinion's proposal (an
    approval, or a refusal with the opinion's reasons), or ``refuse`` with reasons."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"decision": "confirm", "note": "同意初审意见"},
        {"decision": "refuse", "reason_code": "assets_above_limit",
         "reasons": ["家庭存款超过当地规定的财产限额"]},
    ]})

    decision: Literal["confirm", "refuse"]
    reason_code: Code | None = None
    reasons: Reasons | None = None
    note: Reason | None = None

    @model_validator(mode="after")
    def _reasons(self) -> ConfirmationIn:
        if self.decision == "refuse" and (self.reason_code is None or not self.reasons):
            raise ValueError("a refusal gives `reason_code` and `reasons` (R-AP-5)")
        return self


class ConfirmationOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    case_id: str
    opinion_id: str
    opinion_version: int
    by: str = Field(description="leader or meeting")
    meeting_id: str | None
    outcome: str = Field(description="approved or rejected")
    amount_fen: int
    reason_code: str | None
    reasons: list[str] | None
    note: str | None
    case_by_case: bool
    hardship: str | None
    confirmed_by: str
    confirmed_by_name: str | None
    recorded_by: str
    confirmed_at: datetime
    case_status: str = ""


class ReferralIn(BaseModel):
    """The leader passes the case to a confirmation meeting (R-AP-2)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"reason": "家庭情况复杂, 提交审核确认会议集体研究"}]})

    reason: Reason


class ReferralOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    case_id: str
    opinion_id: str
    reason: str
    referred_by: str
    referred_at: datetime
    meeting_id: str | None


class Attendee(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: PersonName
    user_id: Label | None = Field(None, description="a staff member's user id")
    title: Label | None = None


class MeetingDecisionIn(BaseModel):
    """The meeting's decision on one case referred to it (一事一议 where R-AP-6 applies)."""

    model_config = ConfigDict(extra="forbid")

    case_id: RecordId
    decision: Literal["confirm", "refuse"]
    reason_code: Code | None = None
    reasons: Reasons | None = None
    case_by_case: Flag = Field(False, description="a collective decision granting aid where "
                               "materials are incomplete or facts can't be checked (R-AP-6)")
    hardship: Reason | None = Field(None, description="R-AP-6: the hardship, as the meeting "
                                    "stated it")
    note: Reason | None = None

    @model_validator(mode="after")
    def _reasons(self) -> MeetingDecisionIn:
        if self.decision == "refuse" and (self.reason_code is None or not self.reasons):
            raise ValueError("a refusal gives `reason_code` and `reasons` (R-AP-5)")
        if self.case_by_case and (self.decision != "confirm" or not self.hardship):
            raise ValueError("a case-by-case decision grants aid and states the hardship "
                             "(R-AP-6)")
        return self


class MeetingIn(BaseModel):
    """A confirmation meeting (审核确认会议) and its record: the chair (never the author of an
    opinion it decides), at least 3 attendees, a decision per case (R-AP-2, R-AP-6)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"division": "230722100", "held_on": "2026-12-04", "place": "朝阳镇政府三楼会议室",
         "chair": {"name": "赵刚", "user_id": "tl-zhao", "title": "副镇长"},
         "attendees": [{"name": "赵刚", "user_id": "tl-zhao", "title": "副镇长"},
                       {"name": "王芳", "user_id": "cw-wang", "title": "民政助理"},
                       {"name": "刘建国", "title": "东风村党支部书记"}],
         "record": "会议逐户听取初审意见, 经集体研究, 同意以下决定。",
         "decisions": [{"case_id": CASE_ID, "decision": "confirm", "case_by_case": True,
                        "hardship": "户主突发重病住院, 家中无其他劳动力, 生活极度困难"}]},
    ]})

    division: DivisionCode = Field(description="the township (9 digits) that holds it")
    held_on: CivilDate
    place: Label | None = None
    chair: Attendee
    attendees: list[Attendee] = Field(min_length=3, max_length=50,
                                      description="everyone present, the chair included")
    record: Reason = Field(description="the meeting's record (会议记录), kept")
    decisions: list[MeetingDecisionIn] = Field(min_length=1, max_length=100)

    @model_validator(mode="after")
    def _people(self) -> MeetingIn:
        if len(self.division) != 9:
            raise ValueError("division: a confirmation meeting is a township's (9 digits)")
        if self.chair.user_id is None:
            raise ValueError("chair: name the chair's user id (R-AP-2 four eyes)")
        if self.chair.user_id not in {a.user_id for a in self.attendees}:
            raise ValueError("attendees: the chair is among them")
        cases = [d.case_id for d in self.decisions]
        if len(set(cases)) != len(cases):
            raise ValueError("decisions: one per case")
        return self


class MeetingOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    division: str
    held_on: date
    place: str | None
    chair_user_id: str
    chair_name: str
    attendees: list[dict[str, Any]]
    record: str
    recorded_by: str
    recorded_at: datetime
    decisions: list[ConfirmationOut] = Field(default_factory=list)


class DeliveryIn(BaseModel):
    """How the written refusal reached the applicant (R-AP-5)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"delivered_at": "2026-12-07T10:30:00+08:00", "method": "in_person",
         "delivered_to": "王大山", "note": "户主本人签收"}]})

    delivered_at: Moment = Field(description="when (not in the future)")
    method: Literal["in_person", "post", "village_committee", "electronic"]
    delivered_to: PersonName = Field(description="who received it")
    note: Reason | None = None


class RefusalOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    case_id: str
    division: str
    document_number: str
    reason_code: str
    reasons: list[str]
    decided_at: datetime
    decided_on: date
    notice_due_on: date = Field(description="the written notice's last day (R-AP-5)")
    notice_due_provisional: bool
    delivered_at: datetime | None
    delivery_method: str | None
    delivered_to: str | None
    delivery_note: str | None
    delivery_recorded_by: str | None
    overdue: bool = Field(False, description="undelivered after its last day")
    late: bool = Field(False, description="delivered after its last day")


class ExtensionIn(BaseModel):
    """The leader extends the review period once, with a reason (R-AP-7)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"reason": "申请人在外地务工收入需信函核实, 回函尚未收到"}]})

    reason: Reason


class ExtensionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    case_id: str
    reason: str
    previous_due_on: date
    review_due_on: date
    review_due_provisional: bool
    extended_by: str
    extended_at: datetime


class OverdueCount(BaseModel):
    division: str
    name: str | None = Field(None, description="the division's name, where known")
    open: int = Field(description="cases still running against R-AP-7")
    overdue: int = Field(description="of them, past their last day")


class OverdueSummary(BaseModel):
    on: date = Field(description="the day counted (Asia/Shanghai)")
    townships: list[OverdueCount]
    counties: list[OverdueCount]
