"""Events intake publishes: applications, the one-time notice, checklists (R-IN-1 … R-IN-7)."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated, ClassVar, Literal

from pydantic import AwareDatetime, Field

from shared.contracts.base import EventContract, EventData, Personal
from shared.contracts.fields import ApplicationNumber, Area, Fen, Id, MaskedName
from shared.divisions import DivisionCode
from shared.programs import Program


class IntakeEvent(EventContract):
    service: ClassVar[str] = "intake"


class ApplicationFacts(IntakeEvent):
    """The fields every intake event about an application carries."""

    application_id: Id
    application_number: ApplicationNumber
    program: Program
    division: DivisionCode = Field(description="12-digit village or 9-digit township")
    area: Area
    household_size: int = Field(ge=0, description="counted members (R-IN-7)")


class MemberMasked(EventData):
    """A household member as every consumer may see it: the ID number masked (R-SE-2)."""

    member_id: Id
    name: str = Field(min_length=1, max_length=60)
    id_number: str = Field(max_length=18, description="masked (shared.masking): 230***********1234")
    relationship: str
    living_status: str
    is_student: bool
    counted: bool = Field(description="counted in the household (R-IN-7)")
    count_reason: str | None = Field(
        None, description="why it counts or not (R-IN-7): `head`, `spouse`, `minor_child`, "
        "`adult_child_student`, `adult_child_dependent`, `supported_relative`; not counted: "
        "`clergy_apart_3y`, `serving_sentence`, `in_custody`, `adult_child_independent`, "
        "`not_living_together`, `no_duty_of_support`")


class MemberIdentified(MemberMasked):
    """A member with the full ID number, for the cross-checks of verification and approval."""

    id_number: Annotated[str, Personal("id_number")] = Field(
        min_length=18, max_length=18, description="full resident ID number (sealed)")
    birth_date: date
    sex: Literal["male", "female"]


class Material(EventData):
    code: str = Field(min_length=1, max_length=60)
    name: str = Field(min_length=1, max_length=200)


class Proxy(EventData):
    """The village committee that applied for the household (R-IN-1 village_proxy)."""

    committee: DivisionCode = Field(description="the village whose committee applied")
    agent: str = Field(min_length=1, max_length=255,
                       description="who of it acted: a name, or the village assistant's user id")
    agent_title: str | None = None


class Emergency(EventData):
    """Where and when the emergency happened (R-IN-6)."""

    happened_in: DivisionCode
    happened_on: date | None = None
    circumstances: str


class ApplicationSubmitted(ApplicationFacts):
    """An application was received through one of the four channels (R-IN-1). A paper
    application entered after the day it was received says so: ``received_on`` and who entered
    it (``entered_by``, also the envelope's actor)."""

    event: ClassVar[str] = "application_submitted"
    channel: str
    submitted_at: AwareDatetime = Field(description="when it was entered")
    materials: list[str] = Field(description="codes of the materials handed in")
    members: list[MemberMasked]
    received_on: date | None = Field(
        None, description="the day it was received; every deadline counts from it")
    entered_by: str | None = Field(None, max_length=255, description="who entered it (user id)")
    proxy: Proxy | None = Field(None, description="village_proxy: the committee acting")
    emergency: Emergency | None = Field(None, description="temporary aid: R-IN-6")
    referral_id: Id | None = Field(None, description="the referral it follows (R-IN-2)")


class MaterialsNoticeIssued(IntakeEvent):
    """The one-time notice (一次性告知): every missing item at once (R-IN-3)."""

    event: ClassVar[str] = "materials_notice_issued"
    application_id: Id
    application_number: ApplicationNumber
    program: Program
    division: DivisionCode
    notice_id: Id
    issued_at: AwareDatetime
    missing: list[Material]


class MaterialsSupplied(ApplicationFacts):
    """Materials handed in after the notice; ``outstanding`` is what the notice still lacks."""

    event: ClassVar[str] = "materials_supplied"
    materials: list[str] = Field(description="codes supplied now")
    outstanding: list[str] = Field(description="codes of the notice still missing")


class MaterialsDemanded(ApplicationFacts):
    """The applicant was asked again for items of the one-time notice still missing (R-IN-3);
    nothing else can be asked for."""

    event: ClassVar[str] = "materials_demanded"
    notice_id: Id
    materials: list[str] = Field(description="codes asked for, all on the notice")
    demanded_at: AwareDatetime


class ApplicationAccepted(ApplicationFacts):
    """Accepted (受理): the R-AP-7 period counts from ``accepted_on``."""

    event: ClassVar[str] = "application_accepted"
    channel: str
    accepted_on: date = Field(description="a paper application complete when received: the "
                              "day it was received")
    review_due_on: date = Field(description="last working day of the R-AP-7 period")
    review_due_provisional: bool = Field(
        description="the period touches a year the calendar does not know (R-AP-7)")
    members: list[MemberIdentified] = Field(
        description="full ID numbers: verification and approval cross-check the people")


class ApplicationRefused(ApplicationFacts):
    """Refused, never without a reason code and text (R-IN-3). Every service that keeps a part
    of it ends that part: approval closes its review case, verification its investigation."""

    event: ClassVar[str] = "application_refused"
    previous_status: str
    reason_code: str = Field(min_length=1)
    reason: str = Field(min_length=1)
    refused_at: AwareDatetime
    refused_on: date


class ApplicationWithdrawn(ApplicationFacts):
    """The applicant withdrew the application (撤回申请); a caseworker recorded it. Every
    service that keeps a part of it ends that part: approval closes its review case,
    verification its investigation."""

    event: ClassVar[str] = "application_withdrawn"
    previous_status: str
    requested_by: str = Field(min_length=1, max_length=50,
                              description="who of the household asked to withdraw")
    requested_on: date = Field(description="the day they asked")
    reason: str | None = Field(None, description="why, if they said")
    withdrawn_at: AwareDatetime = Field(description="when it was recorded")
    withdrawn_on: date = Field(description="the Asia/Shanghai day it was recorded")
    recorded_by: str = Field(min_length=1, max_length=255,
                             description="the caseworker who recorded it (user id)")


class EmergencyAidGranted(ApplicationFacts):
    """The township granted emergency temporary aid at once (急难型临时救助, 先行救助, R-IN-5),
    before the application's materials were complete; the ones still missing are
    ``outstanding_materials`` and stay tracked at intake until they are in.

    Approval records the aid on the application's case, checks its cap (R-BE-8) and completes
    the procedure afterwards; disbursement is to pay it at once, from the township's reserve
    (R-DI-3, R-DI-9; issue 10)."""

    event: ClassVar[str] = "emergency_aid_granted"
    grant_id: Id
    amount_fen: Fen = Field(description="the one payment, integer fen")
    circumstances: str
    granted_at: AwareDatetime
    granted_on: date
    head_name_masked: MaskedName = Field(description="who is paid (the head), masked")
    unit: Literal["household", "person"] = Field(
        description="`person` when one member counts, else `household`")
    outstanding_materials: list[str] = Field(description="codes of the notice still missing")


class ReferralRecorded(IntakeEvent):
    """A person in need was reported in a village (主动发现, R-IN-2); they are followed up by
    ``followup_due_on``. The ID number, if known, travels masked; the phone not at all."""

    event: ClassVar[str] = "referral_recorded"
    referral_id: Id
    division: DivisionCode
    person_name: str = Field(min_length=1, max_length=60)
    id_number: str | None = Field(None, max_length=18, description="masked, if known")
    reported_by: str | None = Field(None, description="who spotted them, if not the actor")
    referred_at: AwareDatetime
    referred_on: date
    followup_due_on: date = Field(description="last working day to follow it up (R-IN-2)")
    followup_due_provisional: bool


class ReferralContacted(IntakeEvent):
    """Contact was made with the person referred (R-IN-2)."""

    event: ClassVar[str] = "referral_contacted"
    referral_id: Id
    division: DivisionCode
    contacted_on: date
    note: str
    late: bool = Field(description="made after the follow-up deadline")


class ReferralEnded(IntakeEvent):
    """The referral ended (R-IN-2): in an application (``applied``, named), or without one for
    a recorded reason (``no_application``). ``late``: after its follow-up deadline."""

    event: ClassVar[str] = "referral_ended"
    referral_id: Id
    division: DivisionCode
    outcome: Literal["applied", "no_application"]
    application_id: Id | None = None
    application_number: ApplicationNumber | None = None
    reason_code: str | None = None
    reason: str | None = None
    ended_on: date = Field(description="an application's: the day it was received")
    ended_at: AwareDatetime
    late: bool


class ChecklistReplaced(IntakeEvent):
    """A program's material checklist in a county was set; notices already issued keep their
    items.

    The subject is the program; the event has no division."""

    event: ClassVar[str] = "checklist_replaced"
    program: Program
    county: DivisionCode | None = Field(None, description="the county whose checklist it is")
    items: list[Material]
    previous_items: list[Material]


class DivisionVersion(EventData):
    """One version of a code of the county's division register: its name over a span of days."""

    code: DivisionCode
    name: str = Field(min_length=1, max_length=100)
    level: Literal["county", "township", "village"]
    parent: DivisionCode | None = Field(description="the code above it; for the county, its city")
    valid_from: date = Field(description="first day the code is in force with this name")
    valid_until: date | None = Field(
        description="first day it is no longer in force (exclusive); null: open")


class DivisionRegisterChanged(IntakeEvent):
    """The county's division register changed: codes added, renamed or ended (never deleted).

    ``entries`` are the versions added or changed, as they are now; ``previous`` the changed ones
    as they were. A copy of the register stays current by upserting ``entries`` by code and
    ``valid_from``. The subject is the code changed (the county for a bulk load)."""

    event: ClassVar[str] = "division_register_changed"
    county: DivisionCode
    change: Literal["put", "end", "load"] = Field(
        description="put: a code added or replaced from a date; end: a code (and the codes "
        "below it) ended from a date; load: a bulk load")
    entries: list[DivisionVersion]
    previous: list[DivisionVersion] = Field(description="the changed versions before the change")


# --- the staff register (services/intake/staff) -------------------------------------------------


class StaffKind(StrEnum):
    """Who a person of the staff register is (工作人员名册)."""

    county_dedicated = "county_dedicated"  # 县级民政部门社会救助专职工作人员
    township_dedicated = "township_dedicated"  # 乡镇（街道）社会救助专职工作人员
    caseworker = "caseworker"  # 经办人员 (part-time at a township or county)
    village_assistant = "village_assistant"  # 村（社区）社会救助协理员
    village_cadre = "village_cadre"  # 村（社区）干部: not assistance staff, yet never a proxy


ASSISTANCE_STAFF: frozenset[StaffKind] = frozenset({
    StaffKind.county_dedicated, StaffKind.township_dedicated, StaffKind.caseworker,
    StaffKind.village_assistant})
"""The kinds that are assistance staff (社会救助工作人员) for R-DI-5."""

REFUSED_AS_PROXY: frozenset[StaffKind] = ASSISTANCE_STAFF | {StaffKind.village_cadre}
"""Who may never hold a recipient's card or be the proxy (R-DI-5): assistance staff and
village cadres."""

DEDICATED_STAFF: frozenset[StaffKind] = frozenset({
    StaffKind.county_dedicated, StaffKind.township_dedicated})
"""The dedicated assistance staff (专职工作人员) R-OV-4 counts: a township's are the
``township_dedicated`` registered at its 9-digit code (at least 2, 二(四)7)."""


class StaffRegistered(IntakeEvent):
    """A person joined the county's staff register (R-DI-5, R-OV-4). The ID number travels
    sealed; consumers keep only its keyed digest (``shared.digests``). ``assistance_staff`` and
    ``dedicated`` say how ``kind`` counts (``ASSISTANCE_STAFF``, ``DEDICATED_STAFF``)."""

    event: ClassVar[str] = "staff_registered"
    staff_id: Id
    name_masked: MaskedName
    id_number: Annotated[str, Personal("id_number")] = Field(
        min_length=18, max_length=18, description="full resident ID number (sealed)")
    kind: StaffKind
    assistance_staff: bool = Field(description="assistance staff for R-DI-5")
    dedicated: bool = Field(description="dedicated staff for R-OV-4")
    division: DivisionCode = Field(description="where they serve: county, township or village")
    title: str | None = Field(None, max_length=60, description="post, e.g. 村委会主任")
    valid_from: date = Field(description="first day in the post")
    valid_until: date | None = Field(None, description="first day no longer in it; null: open")


class StaffLeft(IntakeEvent):
    """A person of the staff register left the post: from ``valid_until`` (exclusive) they no
    longer count (R-DI-5, R-OV-4). Consumers find them by ``staff_id``."""

    event: ClassVar[str] = "staff_left"
    staff_id: Id
    name_masked: MaskedName
    kind: StaffKind
    assistance_staff: bool
    dedicated: bool
    division: DivisionCode
    valid_from: date
    valid_until: date = Field(description="first day no longer in the post")
    reason: str | None = Field(None, max_length=200)
