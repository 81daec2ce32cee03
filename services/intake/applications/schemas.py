"""API shapes of applications (the intake contract); ID and phone numbers leave masked."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal, cast

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from services.intake.applications.models import Application
from services.intake.households.schemas import HouseholdIn, HouseholdOut
from services.intake.materials.schemas import MaterialCode, NoticeOut
from shared.divisions import validate_division_code
from shared.inputs import (
    CivilDate,
    Code,
    DivisionCode,
    Documented,
    Label,
    PersonName,
    Phone,
    Reason,
    RecordId,
)
from shared.masking import mask_phone
from shared.programs import Program

Channel = Literal["window", "village_proxy", "active_discovery", "online"]
Area = Literal["urban", "rural"]
Status = Literal["awaiting_materials", "accepted", "refused", "withdrawn", "decided"]


def _household_division(code: str) -> str:
    """A township (9 digits) or village/community (12 digits) code."""
    validate_division_code(code)
    if len(code) not in (9, 12):
        raise ValueError(f"{code} is not a township (9 digits) or village (12 digits) code")
    return code


HouseholdDivision = Annotated[str, AfterValidator(_household_division),
                              Documented(pattern=r"^[0-9]{9}([0-9]{3})?$")]


class ProxyIn(BaseModel):
    """Who of the village committee applied for the household (channel village_proxy)."""

    model_config = ConfigDict(extra="forbid")

    agent: PersonName = Field(description="the committee member who applied")
    agent_title: Label | None = Field(None, description="their office, e.g. 村委会主任")


class EmergencyIn(BaseModel):
    """Temporary aid: where and when the emergency happened (R-IN-6)."""

    model_config = ConfigDict(extra="forbid")

    happened_in: DivisionCode = Field(
        description="the division where it happened: a village or township of this county "
        "(in force in its register), or the code of a division elsewhere")
    happened_on: CivilDate | None = Field(None, description="the day it happened")
    circumstances: Reason = Field(description="what happened (失火, 车祸, 重病, ...)")


class ApplicationIn(BaseModel):
    """An application received at a window or through another channel (R-IN-1)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {  # 低保, received at 朝阳镇's window: a family of three, the son at university
            "program": "dibao", "channel": "window", "division": "230722100201",
            "area": "rural", "contact_phone": "13845801234",
            "household": {"address": "嘉荫县朝阳镇东风村3组", "members": [
                {"name": "王建国", "id_number": "230722196803120310", "relationship": "head"},
                {"name": "李秀兰", "id_number": "230722197007080420",
                 "relationship": "spouse"},
                {"name": "王磊", "id_number": "230722200409010139", "relationship": "child",
                 "is_student": True},
            ]},
            "materials": ["application_form", "id_card", "household_register",
                          "income_statement", "property_declaration", "authorization_letter"],
        },
        {  # 特困, the village committee of 永胜村 applied for an old man living alone
            "program": "tekun", "channel": "village_proxy", "division": "230722100202",
            "area": "rural",
            "household": {"address": "嘉荫县朝阳镇永胜村1组", "members": [
                {"name": "赵德福", "id_number": "230722194601050159", "relationship": "head"},
            ]},
            "materials": ["application_form", "id_card", "household_register"],
            "proxy": {"agent": "刘长河", "agent_title": "村委会主任"},
        },
        {  # 急难型临时救助 after a house fire (R-IN-6), materials to follow
            "program": "temp_emergency", "channel": "window", "division": "230722100201",
            "area": "rural", "contact_phone": "13945806789",
            "household": {"address": "嘉荫县朝阳镇东风村5组", "members": [
                {"name": "孙立华", "id_number": "230722198212030718", "relationship": "head"},
                {"name": "周敏", "id_number": "230722198404160648", "relationship": "spouse"},
            ]},
            "materials": ["application_form", "id_card"],
            "emergency": {"happened_in": "230722100201",
                          "circumstances": "夜间房屋失火, 一家人无处居住"},
        },
    ]})

    program: Program
    channel: Channel = Field(
        description="R-IN-1: `window` (received by a caseworker of the township), "
        "`village_proxy` (the village committee applied: `division` is its village; `proxy` "
        "names who of it acted unless a village assistant applies), `active_discovery`, "
        "`online`")
    division: HouseholdDivision = Field(
        description="the household's village or township; for temporary aid, it may be where "
        "the emergency happened, whatever the household's registration (R-IN-6)")
    area: Area
    contact_phone: Phone | None = None
    household: HouseholdIn
    materials: list[MaterialCode] = Field(default_factory=list, max_length=50,
                                          description="codes of the materials handed in")
    received_on: CivilDate | None = Field(
        None, description="a paper application received earlier at a window or by a village "
        "proxy: the day it was received (never in the future, at most "
        "ASSIST_PAPER_BACKDATE_WORKING_DAYS working days back, 5 unless configured). Every "
        "deadline counts from it. Default: today")
    proxy: ProxyIn | None = Field(None, description="channel village_proxy")
    referral_id: RecordId | None = Field(
        None, description="the referral this application follows (R-IN-2): required for "
        "active_discovery; the referral must be open, and ends, linked to the application")
    emergency: EmergencyIn | None = Field(
        None, description="temporary aid only: where and when the emergency happened (R-IN-6)")


class RefusalIn(BaseModel):
    """No refusal without a recorded reason code and text (R-IN-3)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"reason_code": "not_resident",
         "reason": "申请人户籍已于2025年迁出本县, 且不在本县居住, 不符合在本县申请的条件"},
    ]})

    reason_code: Code = Field(description="why, as a code: lowercase letters, digits and _")
    reason: Reason = Field(description="why, in words")


class RefusalOut(BaseModel):
    reason_code: str
    reason: str
    refused_at: datetime


class WithdrawalIn(BaseModel):
    """The applicant withdraws; a caseworker records who asked and when."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"requested_by": "高振山", "requested_on": "2026-11-27",
         "reason": "外出务工, 家庭收入已好转, 本人申请撤回"},
    ]})

    requested_by: PersonName = Field(description="who of the household asked to withdraw")
    requested_on: CivilDate | None = Field(
        None, description="the day they asked: not before the application, not in the future; "
        "default today")
    reason: Reason | None = Field(None, description="why, if they said")


class WithdrawalOut(BaseModel):
    requested_by: str
    requested_on: date
    reason: str | None
    withdrawn_at: datetime
    recorded_by: str = Field(description="the caseworker who recorded it")


Outcome = Literal["approved", "rejected"]


class DecisionOut(BaseModel):
    """The township's decision, as approval sent it (R-AP-4, R-AP-5)."""

    outcome: Outcome
    decided_at: datetime
    case_id: str | None
    reason_code: str | None
    reason: str | None


class ProxyOut(BaseModel):
    committee: str = Field(description="the village whose committee applied")
    agent: str = Field(description="who of it acted: a name, or the village assistant's user id")
    agent_title: str | None


class EmergencyOut(BaseModel):
    happened_in: str
    happened_on: date | None
    circumstances: str


class EmergencyGrantOut(BaseModel):
    """Emergency aid granted first, materials later (先行救助, R-IN-5)."""

    id: str
    amount_fen: int
    circumstances: str
    granted_at: datetime
    granted_on: date
    granted_by: str
    materials_complete_on: date | None = Field(
        description="the day the last missing item came in; null: some are still missing")


class ApplicationOut(BaseModel):
    id: str
    number: str
    program: str
    channel: str
    division: str
    area: str
    contact_phone: str | None = Field(description="masked (R-SE-2)")
    status: Status
    submitted_at: datetime = Field(description="when it was entered")
    submitted_by: str = Field(description="who entered it (user id)")
    received_on: date = Field(description="the day it was received; deadlines count from it")
    proxy: ProxyOut | None
    emergency: EmergencyOut | None
    referral_id: str | None = Field(description="the referral it follows (R-IN-2)")
    accepted_on: date | None
    review_due_on: date | None
    review_due_provisional: bool | None
    notice: NoticeOut | None
    materials: list[str] = Field(description="codes of the materials handed in")
    household: HouseholdOut
    refusal: RefusalOut | None
    withdrawal: WithdrawalOut | None
    decision: DecisionOut | None
    emergency_grant: EmergencyGrantOut | None = Field(
        description="aid granted at once, before the materials (R-IN-5)")

    @classmethod
    def of(cls, a: Application) -> ApplicationOut:
        supplied = [s.code for s in a.supplied]
        refusal = None
        if a.refused_at is not None:
            refusal = RefusalOut(reason_code=a.refusal_reason_code or "",
                                 reason=a.refusal_reason or "", refused_at=a.refused_at)
        withdrawal = None
        if a.withdrawn_at is not None:
            withdrawal = WithdrawalOut(
                requested_by=a.withdrawal_requested_by or "",
                requested_on=a.withdrawal_requested_on or a.withdrawn_at.date(),
                reason=a.withdrawal_reason, withdrawn_at=a.withdrawn_at,
                recorded_by=a.withdrawn_by or "")
        decision = None
        if a.decided_at is not None and a.decision in ("approved", "rejected"):
            decision = DecisionOut(outcome=cast(Outcome, a.decision), decided_at=a.decided_at,
                                   case_id=a.decision_case_id,
                                   reason_code=a.decision_reason_code, reason=a.decision_reason)
        return cls(
            id=a.id, number=a.number, program=a.program, channel=a.channel,
            division=a.division, area=a.area,
            contact_phone=mask_phone(a.contact_phone) if a.contact_phone else None,
            status=a.status,
            submitted_at=a.submitted_at, submitted_by=a.submitted_by, received_on=a.received_on,
            proxy=ProxyOut(committee=a.proxy_committee, agent=a.proxy_agent or "",
                           agent_title=a.proxy_agent_title) if a.proxy_committee else None,
            emergency=EmergencyOut(happened_in=a.emergency_division,
                                   happened_on=a.emergency_on,
                                   circumstances=a.emergency_circumstances or "")
            if a.emergency_division else None,
            referral_id=a.referral_id, accepted_on=a.accepted_on,
            review_due_on=a.review_due_on, review_due_provisional=a.review_due_provisional,
            notice=NoticeOut.of(a.notice, set(supplied)) if a.notice else None,
            materials=supplied, household=HouseholdOut.of(a.household), refusal=refusal,
            withdrawal=withdrawal, decision=decision,
            emergency_grant=EmergencyGrantOut(
                id=g.id, amount_fen=g.amount_fen, circumstances=g.circumstances,
                granted_at=g.granted_at, granted_on=g.granted_on, granted_by=g.granted_by,
                materials_complete_on=g.materials_complete_on)
            if (g := a.emergency_grant) is not None else None,
        )
