"""Events verification publishes: household investigations (R-VE-1 … R-VE-5)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, ClassVar, Literal

from pydantic import AwareDatetime, Field

from shared.contracts.base import EventContract, EventData
from shared.contracts.fields import ApplicationNumber, Fen, Id
from shared.divisions import DivisionCode
from shared.programs import Program

UserId = Annotated[str, Field(min_length=1, max_length=255,
                              description="the staff member's user id (`sub`)")]
Sha256 = Annotated[str, Field(pattern=r"^[0-9a-f]{64}$",
                              description="SHA-256, 64 lowercase hex digits")]


IncomeKind = Literal["wages", "business", "property", "transfer", "other"]
"""R-BE-9: wages, net business income, net property income, net transfers, anything else."""
VerifiedBy = Literal["declaration", "site", "letter", "cross_check"]
AssetKind = Literal["deposit", "vehicle", "house", "business", "securities", "other"]
ExpenditureKind = Literal["serious_illness", "disability_rehabilitation", "schooling"]
"""R-BE-2: rigid expenditure (刚性支出)."""
Housing = Literal["owned", "rented", "borrowed", "public", "none", "other"]
ConfirmationMethod = Literal["signature", "fingerprint", "signature_and_fingerprint"]
"""How a person confirmed the form: signed (签字), fingerprinted (按手印), or both."""
PutMethod = Literal["in_person", "phone", "letter", "notice"]
EvidenceKind = Literal["form", "photo", "letter", "statement", "other"]


class VerificationEvent(EventContract):
    service: ClassVar[str] = "verification"


class InvestigationOpened(VerificationEvent):
    """An accepted application's household investigation was opened (R-VE-1)."""

    event: ClassVar[str] = "investigation_opened"
    investigation_id: Id
    application_id: Id
    application_number: ApplicationNumber
    program: Program
    follows_id: Id | None = Field(
        None, description="a new investigation after an objection (R-AP-4): the one it does "
        "again, which stays as it was")


# --- the team ----------------------------------------------------------------------------------


class StaffMember(EventData):
    """A township staff member on the investigation (R-VE-1)."""

    user_id: UserId
    name: str = Field(min_length=1, max_length=50)
    role: Literal["caseworker", "township_leader"]


class VillageHelper(EventData):
    """Who of the village committee assists the investigation (R-VE-1)."""

    name: str = Field(min_length=1, max_length=50)
    title: str = Field(min_length=1, max_length=100, description="e.g. 村委会主任")


class InvestigatorsAssigned(VerificationEvent):
    """The investigation's team was set: two township staff at least, the village committee
    assisting (R-VE-1). A new team replaces the last one (only before anyone confirmed)."""

    event: ClassVar[str] = "investigators_assigned"
    investigation_id: Id
    application_id: Id
    investigators: list[StaffMember] = Field(min_length=2)
    village_helper: VillageHelper
    assigned_at: AwareDatetime


# --- the investigation form (入户调查表) --------------------------------------------------------


class IncomeLine(EventData):
    """One income item of the household (R-BE-9), its average monthly amount in fen."""

    member_id: Id | None = Field(description="whose income; null: the household's as a whole")
    kind: IncomeKind
    description: str = Field(min_length=1, max_length=100)
    monthly_fen: Fen
    counted: bool = Field(description="counted as income (R-BE-9); false: an exempt item")
    not_counted_reason: str | None = Field(None, description="why not counted (R-BE-9)")
    verified_by: VerifiedBy = Field(
        description="how the investigators checked it: as declared, on site (at the workplace), "
        "by letter (信函索证) or against another department's data")


class AssetLine(EventData):
    """One asset of the household (R-BE-10), its value in fen."""

    kind: AssetKind
    description: str = Field(min_length=1, max_length=100)
    value_fen: Fen
    exempt: bool = Field(description="an exempt item (R-BE-10)")
    exempt_reason: str | None = None


class ExpenditureLine(EventData):
    """Documented rigid expenditure (刚性支出, R-BE-2), its average monthly amount in fen."""

    member_id: Id | None
    kind: ExpenditureKind
    description: str = Field(min_length=1, max_length=100)
    monthly_fen: Fen


class LivingConditions(EventData):
    housing: Housing
    floor_area_m2: int | None = Field(None, ge=0, le=100_000)
    condition: str = Field(min_length=1, max_length=2000,
                           description="state of the home, furnishings, what was seen")


class FormContent(EventData):
    """The investigation form (入户调查表) as the investigators recorded it."""

    visited_on: date = Field(description="the day of the home visit")
    situation: str = Field(min_length=1, max_length=2000,
                           description="the household's situation, in the investigators' words")
    income: list[IncomeLine]
    assets: list[AssetLine]
    rigid_expenditure: list[ExpenditureLine] = Field(default_factory=list)
    living_conditions: LivingConditions


class InvestigationFormRecorded(VerificationEvent):
    """A version of the investigation form was recorded; confirmations of earlier versions no
    longer count (R-VE-1)."""

    event: ClassVar[str] = "investigation_form_recorded"
    investigation_id: Id
    application_id: Id
    form_version: int = Field(ge=1)
    digest: Sha256
    form: FormContent
    recorded_at: AwareDatetime


class InvestigationFormConfirmed(VerificationEvent):
    """A version of the form was confirmed by an assigned investigator (their own token) or by
    the household member present (recorded by an investigator) (R-VE-1)."""

    event: ClassVar[str] = "investigation_form_confirmed"
    investigation_id: Id
    application_id: Id
    form_version: int = Field(ge=1)
    digest: Sha256
    party: Literal["investigator", "household"]
    person_name: str = Field(min_length=1, max_length=50, description="who confirmed")
    user_id: str | None = Field(None, description="the investigator who confirmed")
    relationship: str | None = Field(None, description="the household member's relationship")
    method: ConfirmationMethod
    evidence_id: Id | None = None
    confirmed_at: AwareDatetime


# --- neighbours and letters (R-VE-2) ------------------------------------------------------------


class NeighbourVisitRecorded(VerificationEvent):
    """A neighbour visit (邻里访问): who visited whom, when, what was said (R-VE-2)."""

    event: ClassVar[str] = "neighbour_visit_recorded"
    investigation_id: Id
    application_id: Id
    visit_id: Id
    visited_at: AwareDatetime
    visitors: list[str] = Field(description="user ids of the investigators who went")
    neighbour_name: str
    neighbour_relation: str
    statement: str


class LetterSent(VerificationEvent):
    """A letter asking an employer to state a member's employment income (信函索证, R-VE-2)."""

    event: ClassVar[str] = "letter_sent"
    investigation_id: Id
    application_id: Id
    letter_id: Id
    member_id: Id | None
    addressee: str
    asked: str
    sent_on: date


class LetterAnswered(VerificationEvent):
    """A letter's answer was recorded, or the letter recorded as unanswered with the reason."""

    event: ClassVar[str] = "letter_answered"
    investigation_id: Id
    application_id: Id
    letter_id: Id
    outcome: Literal["answered", "unanswered"]
    received_on: date | None
    answer: str = Field(description="what the answer says; unanswered: why recorded so")
    stated_monthly_income_fen: Fen | None = None
    evidence_id: Id | None = None


# --- doubts (R-VE-5) ---------------------------------------------------------------------------


class DoubtRaised(VerificationEvent):
    """A doubtful item was raised, from a cross-check result or by hand (R-VE-5)."""

    event: ClassVar[str] = "doubt_raised"
    investigation_id: Id
    application_id: Id
    doubt_id: Id
    source: Literal["check_result", "manual"]
    check_result_id: str | None = None
    item: str
    description: str
    raised_at: AwareDatetime


class DoubtPutToApplicant(VerificationEvent):
    """The doubt was put to the applicant; ``late`` when after the review period, with the
    reason (R-VE-5)."""

    event: ClassVar[str] = "doubt_put_to_applicant"
    investigation_id: Id
    application_id: Id
    doubt_id: Id
    put_at: AwareDatetime
    method: PutMethod
    late: bool
    late_reason: str | None = None


DoubtEffect = Literal["income", "assets", "eligibility", "none"]


class DoubtResolved(VerificationEvent):
    """The doubt was resolved: substantiated (its effect on income or eligibility) or
    unsubstantiated (the evidence that cleared it archived) (R-VE-5)."""

    event: ClassVar[str] = "doubt_resolved"
    investigation_id: Id
    application_id: Id
    doubt_id: Id
    outcome: Literal["substantiated", "unsubstantiated"]
    effect: DoubtEffect
    income_delta_fen: int | None = Field(
        None, description="monthly income it adds (negative: removes), integer fen")
    finding: str
    evidence_ids: list[Id]
    resolved_at: AwareDatetime


# --- evidence files ----------------------------------------------------------------------------


class EvidenceUploaded(VerificationEvent):
    """An evidence file (form, photo, letter …) was archived with the case; its SHA-256 lets
    anyone check later that the stored file is the one uploaded."""

    event: ClassVar[str] = "evidence_uploaded"
    investigation_id: Id
    application_id: Id
    evidence_id: Id
    kind: EvidenceKind
    filename: str
    media_type: str
    size_bytes: int = Field(ge=1)
    sha256: Sha256
    uploaded_at: AwareDatetime


# --- the result --------------------------------------------------------------------------------


class CheckSourceOutcome(EventData):
    """What one check source (R-VE-4) said about the household."""

    source: str = Field(min_length=1, max_length=60, description="e.g. tax, real_estate")
    outcome: Literal["match", "discrepancy", "nothing_found", "unavailable", "pending"] = Field(
        description="`unavailable`: the source could not be asked (never read as nothing found)")
    items: int = Field(0, ge=0, description="records the source returned")
    note: str | None = Field(None, max_length=2000)
    result_ids: list[str] = Field(default_factory=list)


class CheckSummary(EventData):
    """The cross-checks' summary (R-VE-4), as the check sources left it."""

    checked_at: AwareDatetime | None = None
    sources: list[CheckSourceOutcome] = Field(default_factory=list)

    @property
    def pending(self) -> list[str]:
        """The sources still to answer."""
        return [s.source for s in self.sources if s.outcome == "pending"]


class FormConfirmationLine(EventData):
    party: Literal["investigator", "household"]
    name: str
    user_id: str | None = None
    relationship: str | None = None
    method: ConfirmationMethod
    confirmed_at: AwareDatetime


class LetterOutcome(EventData):
    letter_id: Id
    member_id: Id | None
    addressee: str
    outcome: Literal["answered", "unanswered"]
    stated_monthly_income_fen: Fen | None = None


class DoubtOutcome(EventData):
    doubt_id: Id
    item: str
    source: Literal["check_result", "manual"]
    check_result_id: str | None = None
    outcome: Literal["substantiated", "unsubstantiated"]
    effect: DoubtEffect
    income_delta_fen: int | None = None
    finding: str
    evidence_ids: list[Id] = Field(default_factory=list)


class InvestigationCompleted(VerificationEvent):
    """The household investigation is done (R-VE-1, R-VE-2, R-VE-5): the team confirmed the
    form, the household confirmed it, every letter is answered or recorded unanswered and every
    doubt resolved. It carries the household's checked income by item, its assets, the findings,
    the doubts and their outcomes and the cross-checks' summary, for the initial opinion
    (R-AP-1). Members are named by ``member_id`` (approval has their ID numbers from
    ``intake.application_accepted``): no full ID number travels here."""

    event: ClassVar[str] = "investigation_completed"
    application_id: Id
    investigation_id: Id
    completed_at: AwareDatetime
    application_number: ApplicationNumber | None = None
    program: Program | None = None
    division: DivisionCode | None = None
    investigators: list[StaffMember] = Field(default_factory=list)
    village_helper: VillageHelper | None = None
    form_version: int | None = Field(None, ge=1)
    form_digest: Sha256 | None = None
    form: FormContent | None = Field(None, description="the confirmed investigation form")
    confirmations: list[FormConfirmationLine] = Field(default_factory=list)
    monthly_income_fen: Fen | None = Field(
        None, description="counted monthly income: the form's counted items plus the income "
        "effects of substantiated doubts, never below 0")
    neighbour_visits: int = Field(0, ge=0)
    letters: list[LetterOutcome] = Field(default_factory=list)
    doubts: list[DoubtOutcome] = Field(default_factory=list)
    findings: str | None = Field(None, description="the investigators' findings")
    checks: CheckSummary | None = Field(None, description="the cross-checks (R-VE-4), if any")
    evidence: list[Id] = Field(default_factory=list, description="evidence files archived")


class InvestigationClosed(VerificationEvent):
    """The application ended before its investigation did (refused or withdrawn at intake): the
    investigation is closed with the reason and leaves the work lists."""

    event: ClassVar[str] = "investigation_closed"
    investigation_id: Id
    application_id: Id
    application_number: ApplicationNumber
    program: Program
    reason: Literal["application_refused", "application_withdrawn"]
    note: str | None = Field(None, description="intake's reason")
    closed_at: AwareDatetime


# --- cross-checks (R-VE-4) ---------------------------------------------------------------------

CheckItem = Annotated[str, Field(
    pattern=r"^[a-z][a-z0-9_]{0,49}$",
    description="what is checked: tax, social_insurance, housing_fund, real_estate, vehicles, "
    "business_registration, deposits, …")]
CheckSourceName = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,49}$",
                                       description="a check source of the installation")]


class CheckDatasetLoaded(VerificationEvent):
    """A department's data file (CSV) was loaded for a check source (R-VE-4): a new version,
    checked and taken whole. The subject is the source. Its records stay in verification's
    database, their ID numbers only as keyed digests."""

    event: ClassVar[str] = "check_dataset_loaded"
    source: CheckSourceName
    dataset_id: Id
    dataset_version: int = Field(ge=1, description="1, 2, … per source")
    data_date: date = Field(description="the day the department's data is of")
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$", description="SHA-256 of the file as loaded")
    rows: int = Field(ge=0)
    filename: str | None = Field(None, description="the file's name, if it had one")
    loaded_at: AwareDatetime


class CheckFinding(EventData):
    """What a source holds about one member for one item: its figures in fen."""

    member_id: Id | None = Field(description="whose; null: the household's")
    amount_fen: Fen | None = Field(description="the figure the source gives, integer fen")
    quantity: int | None = Field(None, ge=0, description="how many (vehicles, homes, …)")
    detail: str | None = Field(None, max_length=200)


class CheckResult(EventData):
    """The answer of one source for one item of the household."""

    result_id: Id
    source: CheckSourceName = Field(description="`manual` for a caseworker's own check")
    item: CheckItem
    status: Literal["found", "nothing_found", "unavailable", "manual"] = Field(
        description="`unavailable`: the source could not be asked or answered garbage, never "
        "read as nothing found; `manual`: a caseworker's own check")
    reason: str | None = Field(None, max_length=2000,
                               description="unavailable: why; manual: what was checked, how")
    basis: str | None = Field(None, max_length=200,
                              description="what answered: the data file's version, the system")
    findings: list[CheckFinding]


class CheckResultsRecorded(VerificationEvent):
    """Cross-check results of an investigation were recorded, per source and item (R-VE-4):
    a run of the check sources, or a caseworker's manual check. A later run replaces the results
    of the sources it asked. Members are named by ``member_id``: no ID number travels here."""

    event: ClassVar[str] = "check_results_recorded"
    investigation_id: Id
    application_id: Id
    run_id: Id | None = Field(description="the run; null for a manual check")
    checked_by: str = Field(min_length=1, max_length=255,
                            description="user id of who asked for the run or checked by hand")
    results: list[CheckResult]
    recorded_at: AwareDatetime


# --- delegations between counties (R-VE-3) ----------------------------------------------------
#
# The accepting county records each change of its own on its own subjects; when the other county
# shares the NATS cluster, the requests and answers are also sent on that county's subjects (the
# envelope's ``destination``), where its verification takes them. No field is sealed: the two
# installations have different keys. Over REST the same data goes to the peer's API instead.

DelegationTransport = Literal["nats", "rest"]


class DelegatedMember(EventData):
    """A household member as the visit needs them: named, the ID number masked."""

    member_id: Id = Field(description="the member's id at the accepting county")
    name: str = Field(min_length=1, max_length=50)
    id_number_masked: str = Field(max_length=18, description="masked: 230***********1234")
    relationship: str = Field(min_length=1, max_length=30)


class DelegationFacts(VerificationEvent):
    """The fields every delegation event carries."""

    delegation_id: Id = Field(description="the same at both counties")
    accepting_county: DivisionCode = Field(description="the county that took the application")
    residence_county: DivisionCode = Field(description="the county where the household lives")


class DelegationRequested(DelegationFacts):
    """The accepting county asks the county of residence to investigate a household that lives
    there (人户分离, R-VE-3): the address, what to investigate, the members named with masked ID
    numbers, the application number. The residence county's verification takes it into the work
    list of the township named."""

    event: ClassVar[str] = "delegation_requested"
    investigation_id: Id
    application_id: Id
    application_number: ApplicationNumber
    program: Program
    accepting_division: DivisionCode = Field(description="the investigation's division")
    residence_division: DivisionCode = Field(
        description="the township (9) or village (12) of residence, in the residence county")
    address: str = Field(min_length=1, max_length=200)
    tasks: str = Field(min_length=1, max_length=2000, description="what to investigate")
    members: list[DelegatedMember]
    requested_by: str = Field(min_length=1, max_length=255, description="user id")
    requested_at: AwareDatetime
    transport: DelegationTransport


class DelegationReceived(DelegationFacts):
    """The county of residence took a delegation into its township's work list (R-VE-3)."""

    event: ClassVar[str] = "delegation_received"
    residence_division: DivisionCode
    application_number: ApplicationNumber
    transport: DelegationTransport
    received_at: AwareDatetime


class DelegationAccepted(DelegationFacts):
    """The residence county's township accepted the delegation and will investigate."""

    event: ClassVar[str] = "delegation_accepted"
    accepted_by: str = Field(min_length=1, max_length=255, description="user id")
    accepted_at: AwareDatetime


class DelegatedFinding(EventData):
    """Income or an asset the residence county's investigators found."""

    kind: Literal["income", "asset"]
    member_id: Id | None = Field(None, description="whose (an id the request gave); null: the "
                                 "household's")
    description: str = Field(min_length=1, max_length=200)
    amount_fen: Fen = Field(description="income: monthly amount; asset: value; integer fen")


class DelegationReturned(DelegationFacts):
    """The residence county's township investigated and returned the result (R-VE-3): the
    household investigation's summary, the income and assets found, who investigated (two at
    least, R-VE-1)."""

    event: ClassVar[str] = "delegation_returned"
    summary: str = Field(min_length=1, max_length=2000)
    investigated_on: date
    investigators: list[str] = Field(min_length=2, description="names of the investigators")
    findings: list[DelegatedFinding]
    returned_by: str = Field(min_length=1, max_length=255, description="user id")
    returned_at: AwareDatetime


class DelegationRefused(DelegationFacts):
    """The residence county declined the delegation, never without a reason (R-VE-3)."""

    event: ClassVar[str] = "delegation_refused"
    reason: str = Field(min_length=1, max_length=2000)
    refused_by: str = Field(min_length=1, max_length=255, description="user id")
    refused_at: AwareDatetime


class DelegationAnswered(DelegationFacts):
    """The accepting county received the residence county's answer to its delegation:
    accepted, returned with a result, or refused with a reason (R-VE-3)."""

    event: ClassVar[str] = "delegation_answered"
    investigation_id: Id
    application_id: Id
    answer: Literal["accepted", "returned", "refused"]
    transport: DelegationTransport
    answered_at: AwareDatetime = Field(description="when the residence county answered")


# --- near relatives: staff recused from investigations (R-AP-8; services/verification/recusals)


class InvestigatorRecused(VerificationEvent):
    """A staff member recused (回避, R-AP-8) after the case was flagged for their near relative
    was taken off the investigation's team. While fewer than two remain, the investigation
    needs a new team (it cannot complete, R-VE-1); the recused member's confirmation no longer
    counts."""

    event: ClassVar[str] = "investigator_recused"
    investigation_id: Id
    application_id: Id
    user_id: UserId
    staff_name: str = Field(min_length=1, max_length=50)
    team: list[UserId] = Field(description="who is left on the team")
    needs_new_team: bool = Field(description="fewer than two township staff are left (R-VE-1)")
    recused_at: AwareDatetime


# --- re-checks of the roll (R-DY-2; services/verification/rechecks) ---------------------------


class RecheckOpened(VerificationEvent):
    """Approval's re-check (复核, R-DY-2) is a task in the township's work list."""

    event: ClassVar[str] = "recheck_opened"
    task_id: Id
    recheck_id: Id
    beneficiary_id: Id
    application_id: Id
    program: Program
    division: DivisionCode
    due_on: date


class RecheckTeamAssigned(VerificationEvent):
    """The re-check's team: two township staff at least, the village committee assisting
    (R-VE-1 as for an investigation)."""

    event: ClassVar[str] = "recheck_team_assigned"
    task_id: Id
    recheck_id: Id
    investigators: list[StaffMember] = Field(min_length=2)
    village_helper: VillageHelper | None = None
    assigned_at: AwareDatetime


class RecheckMember(EventData):
    """A member's facts as the re-check found them, for the benefit rules (R-BE)."""

    member_id: Id
    age: int = Field(ge=0, le=150)
    covered: bool = Field(True, description="still counted in the household")
    employed: bool = False
    able_to_work: bool = Field(description="has the ability to work (R-DY-2: half-yearly)")
    disability_grade: int | None = Field(None, ge=1, le=4)
    disabled_serviceman_grade: int | None = Field(None, ge=1, le=10)
    seriously_ill: bool = False
    military_or_martyr_family: bool = False
    in_school: bool = False
    self_care: Literal["able", "partly_unable", "unable"] = "able"
    has_income_source: bool = Field(True, description="R-BE-11, for a tekun person")
    supporter: Literal["able", "none", "tekun", "old_or_severely_disabled_dibao", "missing",
                       "in_prison"] = Field("able", description="R-BE-11, for a tekun person")


class RecheckCompleted(VerificationEvent):
    """The re-check is done (R-DY-2): the household's members, income, assets and rigid
    expenditure as the team found them, whether its income is unsteady, and the findings;
    approval records it on the roll and proposes an adjustment (R-DY-3)."""

    event: ClassVar[str] = "recheck_completed"
    task_id: Id
    recheck_id: Id
    beneficiary_id: Id
    application_id: Id
    program: Program
    division: DivisionCode
    visited_on: date
    investigators: list[StaffMember] = Field(min_length=2)
    members: list[RecheckMember] = Field(min_length=1)
    income: list[IncomeLine] = Field(default_factory=list)
    assets: list[AssetLine] = Field(default_factory=list)
    rigid_expenditure: list[ExpenditureLine] = Field(default_factory=list)
    unsteady_income: bool = Field(description="income that varies month to month (R-DY-2)")
    long_lived_in_border_county: bool = Field(False, description="R-BE-12")
    findings: str = Field(min_length=1, max_length=2000)
    completed_by: UserId
    completed_at: AwareDatetime
