"""Events approval publishes: review cases, and the decisions that make the payment basis."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, ClassVar, Literal

from pydantic import AwareDatetime, Field

from shared.contracts.base import EventContract, EventData
from shared.contracts.fields import ApplicationNumber, Area, Fen, Id, MaskedName, Month
from shared.divisions import DivisionCode
from shared.programs import Program


class ApprovalEvent(EventContract):
    service: ClassVar[str] = "approval"


class ReviewCaseOpened(ApprovalEvent):
    """The township's review case of an accepted application, with its R-AP-7 deadline."""

    event: ClassVar[str] = "review_case_opened"
    case_id: Id
    application_id: Id
    application_number: ApplicationNumber
    program: Program
    division: DivisionCode
    household_size: int = Field(ge=0)
    status: str
    accepted_on: date
    review_due_on: date
    review_due_provisional: bool


class InvestigationResultRecorded(ApprovalEvent):
    """The case took the investigation's completion: it awaits the initial opinion (R-AP-1)."""

    event: ClassVar[str] = "investigation_result_recorded"
    case_id: Id
    application_id: Id
    application_number: ApplicationNumber
    investigation_id: Id
    completed_at: AwareDatetime
    status: str


class ReviewCaseClosed(ApprovalEvent):
    """The review case ended without a decision because its application ended at intake
    (refused or withdrawn): it no longer runs against the R-AP-7 deadline."""

    event: ClassVar[str] = "review_case_closed"
    case_id: Id
    application_id: Id
    application_number: ApplicationNumber
    division: DivisionCode
    reason: Literal["application_refused", "application_withdrawn"]
    detail: str | None = Field(None, description="the refusal's or the withdrawal's reason")
    previous_status: str
    closed_at: AwareDatetime = Field(description="when the application ended at intake")


class ApplicationDecided(ApprovalEvent):
    """The township decided the application (R-AP-4, R-AP-5): approved (temporary aid:
    granted) or rejected. Its application ends at intake (status `decided`); the benefit
    itself travels as `beneficiary_approved` or `temporary_aid_granted`."""

    event: ClassVar[str] = "application_decided"
    case_id: Id
    application_id: Id
    application_number: ApplicationNumber
    program: Program
    division: DivisionCode
    outcome: Literal["approved", "rejected"]
    decided_at: AwareDatetime
    decided_on: date = Field(description="the Asia/Shanghai day of the decision")
    reason_code: str | None = Field(None, description="a rejection's reason code (R-AP-5)")
    reason: str | None = Field(None, description="a rejection's reasons in words (R-AP-5)")


class BeneficiaryApproved(ApprovalEvent):
    """A confirmed benefit, paid from ``effective_month`` on (次月发放, R-AP-4; R-DI-1)."""

    event: ClassVar[str] = "beneficiary_approved"
    beneficiary_id: Id
    application_id: Id
    program: Program
    division: DivisionCode
    head_name_masked: MaskedName = Field(description="masked again on receipt")
    amount_fen: Fen = Field(description="monthly amount, integer fen")
    effective_month: Month = Field(description="first month paid (R-AP-4)")
    unit: Literal["household", "person"] | None = Field(
        None, description="who is paid; default from the program")
    member_ids: list[Id] | None = Field(
        None, description="who is covered, as intake's member ids of the application (a "
        "household of one under R-BE-4, say); default: the members the application counts. "
        "Intake keeps its register of recipients by them (R-IN-4)")


class TemporaryAidGranted(ApprovalEvent):
    """Temporary aid granted: paid once, as soon as it is granted (R-DI-3)."""

    event: ClassVar[str] = "temporary_aid_granted"
    beneficiary_id: Id = Field(description="the grant's id")
    application_id: Id
    program: Literal[Program.TEMP_EMERGENCY, Program.TEMP_EXPENDITURE]
    division: DivisionCode = Field(
        description="where the emergency happened or the household lives (R-IN-6)")
    head_name_masked: MaskedName = Field(description="masked again on receipt")
    amount_fen: Fen = Field(description="the one payment, integer fen")
    effective_month: Month = Field(description="the month granted")
    unit: Literal["household", "person"] | None = Field(
        None, description="who is paid: a person's emergency aid says `person`; "
        "default `household`")
    member_ids: list[Id] | None = Field(
        None, description="who is covered, as intake's member ids of the application; default: "
        "the members the application counts (R-IN-4)")


class BeneficiaryAdjusted(ApprovalEvent):
    """增发、减发 (R-DY-3): the new monthly amount holds from ``effective_month`` on."""

    event: ClassVar[str] = "beneficiary_adjusted"
    beneficiary_id: Id
    amount_fen: Fen
    effective_month: Month
    division: DivisionCode | None = Field(None, description="when it changed")
    head_name_masked: MaskedName | None = Field(None, description="when it changed")
    adjustment_id: Id | None = Field(None, description="the confirmed adjustment (R-DY-3)")
    change: Literal["increase", "decrease"] | None = None


class BeneficiaryStopped(ApprovalEvent):
    """停发 (R-DY-3): nothing is paid from ``effective_month`` on."""

    event: ClassVar[str] = "beneficiary_stopped"
    beneficiary_id: Id
    effective_month: Month
    adjustment_id: Id | None = Field(None, description="the confirmed adjustment (R-DY-3)")
    reason: str | None = Field(None, description="why it stops; a gradual exit's end (R-BE-6)")
    division: DivisionCode | None = None


# --- policy parameters and calculations (services/approval/policy, calculations) ---------------


class PolicyVersionPublished(ApprovalEvent):
    """A county officer published a version of the county's parameters for urban or rural
    residents, in force from ``effective_from`` until a later-dated version takes effect (R-BE).
    Versions are never edited in place (R-AU-2): a change is a new version."""

    event: ClassVar[str] = "policy_version_published"
    version_id: Id
    county: DivisionCode
    area: Area
    version_number: int = Field(
        ge=1, description="1, 2, … per county and area, in the order published")
    effective_from: date
    parameters: dict[str, Any] = Field(
        description="every figure of shared.benefits.Parameters, as `GET /policy/versions` "
        "shows them: amounts in integer fen, rates and factors as decimal strings")
    demo: bool = Field(description="demo values, not official ones")
    reason: str
    follows_version_id: Id | None = Field(
        None, description="the version in force the day before, which this one follows")


class PolicyVersionWithdrawn(ApprovalEvent):
    """A version withdrawn before it took effect: recorded on it, never deleted."""

    event: ClassVar[str] = "policy_version_withdrawn"
    version_id: Id
    county: DivisionCode
    area: Area
    version_number: int = Field(ge=1)
    effective_from: date
    reason: str
    withdrawn_at: AwareDatetime


# --- the decision: opinions, confirmations, meetings, refusals, extensions (approval/decisions) -

Outcome = Literal["approve", "refuse"]
"""What an initial opinion proposes (R-AP-1)."""


class InitialOpinionWritten(ApprovalEvent):
    """The caseworker wrote the initial opinion (初审意见, R-AP-1), or a new version of it before
    the confirmation (the old one kept): the proposed outcome and the benefit computed by the
    rules (R-BE) with the policy version in force in the month it is for."""

    event: ClassVar[str] = "initial_opinion_written"
    case_id: Id
    application_id: Id
    application_number: ApplicationNumber
    program: Program
    division: DivisionCode
    opinion_id: Id
    opinion_version: int = Field(ge=1)
    outcome: Outcome
    eligible: bool = Field(description="what the rules found (R-BE)")
    amount_fen: Fen = Field(description="monthly benefit (dibao, tekun), the one payment "
                            "(temporary aid); 0 for a refusal or a near-dibao recognition")
    benefit_month: Month = Field(description="the month the calculation is for")
    policy_version_id: Id | None = Field(None, description="the parameters' version used")
    reason_code: str | None = Field(None, description="a proposed refusal's reason code")
    case_by_case: bool = Field(False, description="proposed for a collective decision (R-AP-6)")
    written_by: str = Field(min_length=1, max_length=255, description="user id")
    written_at: AwareDatetime


class CaseReferredToMeeting(ApprovalEvent):
    """The township leader passed the case to a confirmation meeting (审核确认会议, R-AP-2)."""

    event: ClassVar[str] = "case_referred_to_meeting"
    case_id: Id
    application_id: Id
    division: DivisionCode
    referral_id: Id
    reason: str
    referred_by: str = Field(min_length=1, max_length=255, description="user id")
    referred_at: AwareDatetime


class CaseConfirmed(ApprovalEvent):
    """The case was confirmed (审核确认, R-AP-2): by the township leader or a confirmation
    meeting, never by the initial opinion's author. ``approved``: a public notice follows
    (dibao, tekun, near-dibao; R-AP-3) or temporary aid is granted at once (R-BE-8);
    ``rejected``: the written refusal follows within 3 working days (R-AP-5)."""

    event: ClassVar[str] = "case_confirmed"
    case_id: Id
    application_id: Id
    application_number: ApplicationNumber
    program: Program
    division: DivisionCode
    confirmation_id: Id
    opinion_id: Id
    opinion_version: int = Field(ge=1)
    by: Literal["leader", "meeting"]
    meeting_id: Id | None = None
    outcome: Literal["approved", "rejected"]
    amount_fen: Fen = Field(description="approved: the amount confirmed; rejected: 0")
    case_by_case: bool = Field(False, description="a collective decision (一事一议, R-AP-6)")
    reason_code: str | None = None
    confirmed_by: str = Field(min_length=1, max_length=255,
                              description="user id of the leader, or of the meeting's chair")
    confirmed_at: AwareDatetime
    status: str = Field(description="the case's status after it")


class MeetingCase(EventData):
    """One case a confirmation meeting decided."""

    case_id: Id
    outcome: Literal["approved", "rejected"]
    case_by_case: bool = False


class ConfirmationMeetingRecorded(ApprovalEvent):
    """A confirmation meeting (审核确认会议) with its record: the chair, at least 3 attendees and
    a decision per case (一事一议 where R-AP-6 applies); the record is kept."""

    event: ClassVar[str] = "confirmation_meeting_recorded"
    meeting_id: Id
    division: DivisionCode = Field(description="the township that held it")
    held_on: date
    chair: str = Field(min_length=1, max_length=255, description="the chair's user id")
    attendees: int = Field(ge=3)
    cases: list[MeetingCase]
    recorded_by: str = Field(min_length=1, max_length=255, description="user id")
    recorded_at: AwareDatetime


class RefusalNoticeDelivered(ApprovalEvent):
    """The written refusal (不予批准通知书, R-AP-5) was delivered: how, to whom, when; ``late``
    when after its third working day."""

    event: ClassVar[str] = "refusal_notice_delivered"
    refusal_id: Id
    case_id: Id
    application_id: Id
    division: DivisionCode
    delivered_at: AwareDatetime
    method: str
    due_on: date
    late: bool


class ReviewDeadlineExtended(ApprovalEvent):
    """The township leader extended the case's review period once, with a reason (R-AP-7):
    dibao 30 working days instead of 20, tekun 20 instead of 15."""

    event: ClassVar[str] = "review_deadline_extended"
    case_id: Id
    application_id: Id
    program: Program
    division: DivisionCode
    reason: str
    previous_due_on: date
    review_due_on: date
    review_due_provisional: bool
    extended_by: str = Field(min_length=1, max_length=255, description="user id")
    extended_at: AwareDatetime


class EmergencyAidRecorded(ApprovalEvent):
    """Emergency aid granted first at intake (先行救助, R-IN-5) was recorded against its case and
    checked against the temporary-aid cap (R-BE-8); its procedure completes afterwards."""

    event: ClassVar[str] = "emergency_aid_recorded"
    grant_id: Id
    application_id: Id
    division: DivisionCode
    amount_fen: Fen
    cap_fen: Fen | None = Field(None, description="the R-BE-8 cap; null: no parameters")
    within_cap: bool | None = Field(None, description="null when no cap could be computed")
    policy_version_id: Id | None = None




# --- public notices, objections, appraisals, certificates (services/approval/notices) ----------


class NoticePosted(ApprovalEvent):
    """公示 (R-AP-3): a positive confirmation posted at the applicant's village from day D
    (``posted_on``) until 24:00 Asia/Shanghai of D+7 (``closes_at``), masked: never an ID
    number in full, a diagnosis or an address."""

    event: ClassVar[str] = "notice_posted"
    notice_id: Id
    case_id: Id
    application_id: Id
    application_number: ApplicationNumber
    program: Program
    division: DivisionCode = Field(description="the village where it is posted")
    round: int = Field(ge=1, description="the case's notices: 2 after an objection")
    confirmation_id: Id
    head_name_masked: MaskedName
    household_size: int = Field(ge=1)
    monthly_fen: Fen = Field(description="the confirmed monthly amount, integer fen")
    posted_on: date = Field(description="day D")
    closes_on: date = Field(description="D+7, objections until 24:00 of it")
    closes_at: AwareDatetime = Field(description="24:00 Asia/Shanghai of D+7")


class ObjectionFiled(ApprovalEvent):
    """异议 (R-AP-4): an objection to an open notice, filed by staff or by anyone from the
    village's public page; the case goes to objection review. Who objected is not carried."""

    event: ClassVar[str] = "objection_filed"
    objection_id: Id
    receipt_number: str = Field(min_length=1, max_length=40)
    notice_id: Id
    case_id: Id
    application_id: Id
    application_number: ApplicationNumber
    division: DivisionCode
    channel: Literal["staff", "public"]
    text: str = Field(min_length=1, max_length=2000)
    contact_given: bool = Field(description="the objector left a contact (kept at approval)")
    filed_at: AwareDatetime


class DemocraticAppraisalHeld(ApprovalEvent):
    """民主评议 (R-AP-4): the objection was reviewed by a democratic appraisal; the case awaits a
    new confirmation (and, if positive, a new notice)."""

    event: ClassVar[str] = "democratic_appraisal_held"
    review_id: Id
    case_id: Id
    application_id: Id
    notice_id: Id
    objection_ids: list[Id]
    held_on: date
    participants: list[str] = Field(description="who took part (names or bodies)")
    result: str = Field(min_length=1, max_length=2000)
    status: str = Field(description="the case's status now: `awaiting_confirmation`")


class ReinvestigationRequested(ApprovalEvent):
    """重新调查 (R-AP-4): an objection is reviewed by a new household investigation of the same
    application. Verification opens it (the earlier one's record stays); its completion
    (``investigation_completed``) brings the case to a new initial opinion."""

    event: ClassVar[str] = "reinvestigation_requested"
    review_id: Id
    case_id: Id
    application_id: Id
    application_number: ApplicationNumber
    program: Program
    division: DivisionCode
    household_size: int = Field(ge=0)
    previous_investigation_id: Id | None = Field(
        None, description="the investigation the case took before")
    notice_id: Id
    objection_ids: list[Id]
    reason: str = Field(max_length=2000)
    requested_at: AwareDatetime
    accepted_on: date
    review_due_on: date
    review_due_provisional: bool


class NoticeClosed(ApprovalEvent):
    """The notice ended at 24:00 of D+7 (R-AP-3): ``passed`` without objection (the case is
    approved, R-AP-4: the certificate number and the first month paid), or ``withdrawn``
    because the case ended otherwise meanwhile."""

    event: ClassVar[str] = "notice_closed"
    notice_id: Id
    case_id: Id
    application_id: Id
    division: DivisionCode
    outcome: Literal["passed", "withdrawn"]
    closed_at: AwareDatetime = Field(description="24:00 Asia/Shanghai of D+7")
    certificate_number: str | None = Field(
        None, max_length=40, description="救助保障证号 <county>-<year>-<n>, when passed")
    effective_month: Month | None = Field(
        None, description="the first month paid (次月发放), when passed")


# --- near relatives (services/approval/relatives, R-AP-8) -------------------------------------


StaffLevel = Literal["city", "county", "township", "village"]


class NearRelativeFiled(ApprovalEvent):
    """A staff member's near relative filed (近亲属备案, R-AP-8). The relative's ID number
    travels only masked and as the installation's keyed digest, never in clear."""

    event: ClassVar[str] = "near_relative_filed"
    near_relative_id: Id
    staff_user_id: str = Field(min_length=1, max_length=255)
    staff_name: str = Field(min_length=1, max_length=50)
    staff_level: StaffLevel
    staff_division: DivisionCode
    relative_name_masked: MaskedName
    relationship: str = Field(min_length=1, max_length=30)
    id_number_masked: str = Field(max_length=18, description="masked: 230***********1234")
    id_digest: str = Field(min_length=64, max_length=64, description=(
        "HMAC-SHA256 of the ID number with a key only this installation holds"))
    id_key_id: str = Field(min_length=1, max_length=32, description="the event key it is made with")
    filed_by: str = Field(min_length=1, max_length=255, description="the staff member, or the "
                          "county officer who filed for them")
    filed_at: AwareDatetime


class NearRelativeWithdrawn(ApprovalEvent):
    """A filing withdrawn (R-AP-8): a new record beside the filing, which stays. Cases already
    flagged stay flagged, their archives apart and the staff member recused."""

    event: ClassVar[str] = "near_relative_withdrawn"
    near_relative_id: Id
    staff_user_id: str = Field(min_length=1, max_length=255)
    staff_division: DivisionCode
    reason: str = Field(min_length=1)
    withdrawn_by: str = Field(min_length=1, max_length=255)
    withdrawn_at: AwareDatetime


class CaseFlaggedNearRelative(ApprovalEvent):
    """A case's household includes a filed near relative (R-AP-8): its archive is kept apart
    and every staff member in ``staff_user_ids`` (all of them so far, not only the new ones)
    takes no part in it (回避), in approval and in verification's investigation alike."""

    event: ClassVar[str] = "case_flagged_near_relative"
    case_id: Id
    application_id: Id
    application_number: ApplicationNumber
    division: DivisionCode
    staff_user_ids: list[str] = Field(min_length=1, description="the staff members to recuse")
    found_when: Literal["accepted", "filed_later"] = Field(
        description="`accepted`: found when the application was accepted; `filed_later`: the "
        "relative was filed while the case was open or on the roll")
    archive_apart: bool = True
    flagged_at: AwareDatetime


# --- the roll: adjustments, re-checks, tekun care, low-income register (services/approval/roll)

RollChange = Literal["increase", "decrease", "gradual_exit", "stop"]
"""What an adjustment does (增发、减发、渐退、停发, R-DY-3, R-BE-6)."""
RecheckOutcome = Literal["unchanged", "increase", "decrease", "gradual_exit", "stop"]
UserRef = Annotated[str, Field(min_length=1, max_length=255, description="user id")]


class RollMember(EventData):
    """A member a benefit covers, by intake's member id, the name masked."""

    member_id: Id
    name_masked: MaskedName | None = None


class RecheckRequested(ApprovalEvent):
    """复核 (R-DY-2): a beneficiary's re-check falls due (yearly, or every 6 months for unsteady
    income, members able to work or a filed near relative): verification opens its task."""

    event: ClassVar[str] = "recheck_requested"
    recheck_id: Id
    beneficiary_id: Id
    case_id: Id
    application_id: Id
    application_number: ApplicationNumber
    program: Program
    division: DivisionCode
    head_name_masked: MaskedName
    household_size: int = Field(ge=0)
    members: list[RollMember] = Field(default_factory=list)
    monthly_fen: Fen = Field(description="the amount paid now")
    due_on: date = Field(description="the day the re-check falls due (R-DY-2)")
    frequency_months: Literal[6, 12]
    reasons: list[str] = Field(default_factory=list, description="why every 6 months: "
                               "unsteady_income, able_to_work, near_relative")
    requested_at: AwareDatetime


class RecheckScheduleChanged(ApprovalEvent):
    """A caseworker says whether the household's income is unsteady (R-DY-2): its re-checks
    become half-yearly or yearly, and the next due day follows."""

    event: ClassVar[str] = "recheck_schedule_changed"
    beneficiary_id: Id
    division: DivisionCode
    unsteady_income: bool
    frequency_months: Literal[6, 12]
    reasons: list[str] = Field(default_factory=list)
    next_recheck_due: date
    reason: str
    changed_by: UserRef


class RecheckRecorded(ApprovalEvent):
    """The re-check's result is on the roll (R-DY-2): what the rules found, the adjustment it
    proposes (R-DY-3, R-BE-6), and when the next re-check falls due."""

    event: ClassVar[str] = "recheck_recorded"
    recheck_id: Id
    beneficiary_id: Id
    division: DivisionCode
    visited_on: date
    outcome: RecheckOutcome
    assessed_fen: Fen | None = Field(None, description="the amount the rules give now")
    adjustment_id: Id | None = Field(None, description="the adjustment proposed, if any")
    frequency_months: Literal[6, 12]
    reasons: list[str] = Field(default_factory=list)
    next_recheck_due: date
    recorded_at: AwareDatetime


class AdjustmentProposed(ApprovalEvent):
    """A caseworker proposed to change a benefit (R-DY-3): the new amount computed by the rules
    (R-BE) with the parameters in force, from a stated month; a township leader who is not the
    proposer confirms it (R-AP-2)."""

    event: ClassVar[str] = "adjustment_proposed"
    adjustment_id: Id
    beneficiary_id: Id
    case_id: Id
    division: DivisionCode
    change: RollChange
    source: Literal["recheck", "reported_change"]
    recheck_id: Id | None = None
    current_fen: Fen
    new_fen: Fen | None = Field(None, description="null for a stop")
    effective_month: Month = Field(description="the first month of the change")
    stop_month: Month | None = Field(None, description="a gradual exit's first month unpaid")
    policy_version_id: Id | None = None
    reason: str
    proposed_by: UserRef
    proposed_at: AwareDatetime


class AdjustmentRejected(ApprovalEvent):
    """The township leader did not confirm a proposed adjustment: the roll stays as it was."""

    event: ClassVar[str] = "adjustment_rejected"
    adjustment_id: Id
    beneficiary_id: Id
    division: DivisionCode
    reason: str
    rejected_by: UserRef
    rejected_at: AwareDatetime


class GradualExitStarted(ApprovalEvent):
    """渐退 (R-BE-6): the household's income rose above the standard but it is near-dibao: it
    keeps its benefit from ``first_month`` to ``last_month``, then stops from ``stop_month``
    (``beneficiary_stopped`` follows in the month before, before the ledger's cut-off)."""

    event: ClassVar[str] = "gradual_exit_started"
    beneficiary_id: Id
    adjustment_id: Id
    division: DivisionCode
    amount_fen: Fen = Field(description="the benefit kept during the exit")
    first_month: Month
    last_month: Month
    stop_month: Month


class CareAgreementRecorded(ApprovalEvent):
    """A tekun person's care (R-BE-7): dispersed (分散供养) with a named caregiver and a signed
    care agreement, or concentrated (集中供养) with the institution's signed agreement; a new
    agreement supersedes the last."""

    event: ClassVar[str] = "care_agreement_recorded"
    agreement_id: Id
    beneficiary_id: Id
    division: DivisionCode
    mode: Literal["dispersed", "concentrated"]
    self_care: Literal["able", "partly_unable", "unable"]
    caregiver_name_masked: MaskedName | None = None
    institution: str | None = None
    document_ref: str
    signed_on: date
    valid_from: date
    valid_until: date | None = None
    recorded_by: UserRef


class LowIncomePersonAdded(ApprovalEvent):
    """Staff added someone to the low-income register (R-DY-4): at-risk (易返贫致贫),
    expenditure hardship, near-dibao or other low-income; masked."""

    event: ClassVar[str] = "low_income_person_added"
    person_id: Id
    category: Literal["near_dibao", "at_risk", "expenditure_hardship", "other"]
    division: DivisionCode
    name_masked: MaskedName
    id_number_masked: str | None = Field(None, max_length=18)
    recorded_by: UserRef


class LowIncomePersonEnded(ApprovalEvent):
    """Staff ended an entry they added to the low-income register (R-DY-4)."""

    event: ClassVar[str] = "low_income_person_ended"
    person_id: Id
    category: str
    division: DivisionCode
    reason: str
    ended_on: date
