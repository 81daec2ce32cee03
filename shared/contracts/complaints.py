"""Events the complaints service publishes (投诉举报、信访, R-CO; and the county's oversight,
R-OV): complaints, petitions and hotline calls, media cases, spot checks, the rectification
ledger and the monthly supervision. Phone numbers are ``Personal`` and travel sealed."""

from __future__ import annotations

from datetime import date
from typing import Annotated, ClassVar, Literal

from pydantic import AwareDatetime, Field

from shared.contracts.base import EventContract, EventData, Personal
from shared.contracts.fields import Id
from shared.divisions import DivisionCode


class ComplaintsEvent(EventContract):
    service: ClassVar[str] = "complaints"


# --- complaints, petitions, hotline, media cases (services/complaints/complaints, hotline, ----
# --- media) -----------------------------------------------------------------------------------

ComplaintKind = Literal["complaint", "report", "petition"]
"""投诉, 举报 (a report of wrongdoing), 信访 (a petition)."""
ComplaintChannel = Literal["hotline", "letter", "visit", "online", "media", "inspection", "audit",
                           "discipline"]
"""How it came in (R-CO-1): 热线, 来信, 来访, 网上, 媒体, or referred by inspection (巡视巡察),
audit (审计) or discipline bodies (纪检监察)."""
Concerns = Literal["case", "household", "staff", "township_fairness"]
"""What it is about: a case, a household, an assistance staff member, the township's own
fairness (本级处理影响公平公正)."""
HandlingLevel = Literal["township", "county"]


class ComplaintRegistered(ComplaintsEvent):
    """A complaint, report or petition registered (登记, R-CO-1) by staff or filed by the public,
    with its routing (R-CO-2) and its deadlines (R-CO-3). The contact's phone travels sealed."""

    event: ClassVar[str] = "complaint_registered"
    complaint_id: Id
    tracking_number: str = Field(min_length=1, max_length=40)
    kind: ComplaintKind
    channel: ComplaintChannel
    subject: str = Field(min_length=1, max_length=200)
    content: str = Field(min_length=1, max_length=4000)
    concerns: Concerns
    category: str = Field(max_length=30, description="the kind of problem")
    program: str | None = Field(None, max_length=30)
    division: DivisionCode = Field(description="the division the complaint concerns")
    level: HandlingLevel
    handled_by: DivisionCode = Field(description="the township or county that handles it")
    routing_reason: str = Field(max_length=300)
    answer_wanted: bool
    contact_phone: Annotated[str | None, Personal("phone")] = None
    case_reference_id: Id | None = None
    case_service: str | None = Field(None, max_length=40)
    case_record_id: str | None = Field(None, max_length=100)
    hotline_call_id: Id | None = None
    filed_by_public: bool
    handling_due_on: date
    answer_due_on: date | None
    registered_at: AwareDatetime


class CaseComplaintRegistered(ComplaintsEvent):
    """The case's own history shows the complaint (R-CO-1): published with the case's record id
    as its subject, so the log's search by case finds it beside the case's other events."""

    event: ClassVar[str] = "case_complaint_registered"
    complaint_id: Id
    tracking_number: str = Field(min_length=1, max_length=40)
    kind: ComplaintKind
    case_reference_id: Id
    case_service: str = Field(max_length=40)
    case_record_id: str = Field(max_length=100)
    division: DivisionCode
    level: HandlingLevel
    registered_at: AwareDatetime


class ComplaintRerouted(ComplaintsEvent):
    """The county routed a complaint again (R-CO-2): who handles it now and why."""

    event: ClassVar[str] = "complaint_rerouted"
    complaint_id: Id
    tracking_number: str = Field(min_length=1, max_length=40)
    division: DivisionCode
    from_level: HandlingLevel
    level: HandlingLevel
    handled_by: DivisionCode
    reason: str = Field(min_length=1, max_length=2000)
    by: str = Field(min_length=1, max_length=255)
    at: AwareDatetime
    concerns: Concerns | None = Field(None, description=(
        "what the complaint concerns as the county corrected it, when it did (R-CO-2)"))


class ComplaintAccepted(ComplaintsEvent):
    """The handling township or county accepted the complaint (受理, R-CO-3)."""

    event: ClassVar[str] = "complaint_accepted"
    complaint_id: Id
    tracking_number: str = Field(min_length=1, max_length=40)
    division: DivisionCode
    level: HandlingLevel
    by: str = Field(min_length=1, max_length=255)
    at: AwareDatetime


class ComplaintNoted(ComplaintsEvent):
    """A note of the investigation (调查核实, R-CO-3), appended, never rewritten."""

    event: ClassVar[str] = "complaint_noted"
    complaint_id: Id
    division: DivisionCode
    seq: int = Field(ge=1)
    note: str = Field(min_length=1, max_length=4000)
    by: str = Field(min_length=1, max_length=255)
    at: AwareDatetime


class ComplaintConcluded(ComplaintsEvent):
    """The complaint concluded (办结, R-CO-3): the finding and its handling; ``on_time`` if by
    its handling deadline; the ledger item if the finding needs rectification (R-OV-3)."""

    event: ClassVar[str] = "complaint_concluded"
    complaint_id: Id
    tracking_number: str = Field(min_length=1, max_length=40)
    division: DivisionCode
    level: HandlingLevel
    substantiated: bool
    finding: str = Field(min_length=1, max_length=4000)
    handling: str = Field(min_length=1, max_length=4000)
    concluded_on: date
    on_time: bool
    rectification_item_id: Id | None = None
    by: str = Field(min_length=1, max_length=255)
    at: AwareDatetime


class ComplaintResultFiled(ComplaintsEvent):
    """A county-handled complaint's result filed with the city (报市民政备案, R-CO-2)."""

    event: ClassVar[str] = "complaint_result_filed"
    complaint_id: Id
    tracking_number: str = Field(min_length=1, max_length=40)
    division: DivisionCode
    county: DivisionCode
    concerns: Concerns
    substantiated: bool
    finding: str = Field(min_length=1, max_length=4000)
    handling: str = Field(min_length=1, max_length=4000)
    filed_at: AwareDatetime


class ComplaintOverdue(ComplaintsEvent):
    """A complaint passed its handling or its answer deadline undone (超期, R-CO-3): noted once
    per deadline by the daily job, so the log and the city see it."""

    event: ClassVar[str] = "complaint_overdue"
    complaint_id: Id
    tracking_number: str = Field(min_length=1, max_length=40)
    division: DivisionCode
    level: HandlingLevel
    handled_by: DivisionCode
    deadline: Literal["handling", "answer"]
    due_on: date
    noted_on: date


class ComplaintAnswered(ComplaintsEvent):
    """The result sent back to the complainant who asked for it (反馈, R-CO-3)."""

    event: ClassVar[str] = "complaint_answered"
    complaint_id: Id
    tracking_number: str = Field(min_length=1, max_length=40)
    division: DivisionCode
    method: str = Field(max_length=20)
    answered_on: date
    on_time: bool
    by: str = Field(min_length=1, max_length=255)
    at: AwareDatetime


class HotlineCallLogged(ComplaintsEvent):
    """A call to the assistance hotline logged (求助热线, R-CO-5): answered or missed, in working
    hours or not; the caller's phone travels sealed."""

    event: ClassVar[str] = "hotline_call_logged"
    call_id: Id
    division: DivisionCode = Field(description="the county or township whose line it was")
    called_at: AwareDatetime
    answered: bool
    in_working_hours: bool
    caller_phone: Annotated[str | None, Personal("phone")] = None
    complaint_id: Id | None = None
    logged_by: str = Field(min_length=1, max_length=255)


class HotlineCallLinked(ComplaintsEvent):
    """A logged call linked to the complaint registered from it (R-CO-1, R-CO-5)."""

    event: ClassVar[str] = "hotline_call_linked"
    call_id: Id
    division: DivisionCode
    complaint_id: Id
    tracking_number: str = Field(min_length=1, max_length=40)


class ContactReadInFull(ComplaintsEvent):
    """A handler read a complainant's or a caller's phone in full, to answer or call back, for
    the stated purpose (R-SE-2): the read is this event, written in the same transaction as the
    answer. The phone is not in it."""

    event: ClassVar[str] = "contact_read_in_full"
    record: Literal["complaint", "hotline_call"]
    record_id: Id
    division: DivisionCode
    phone_masked: str | None = Field(None, max_length=20)
    purpose: str = Field(min_length=1, max_length=2000)


class MediaCaseRegistered(ComplaintsEvent):
    """A problem disclosed by the media (媒体披露, R-CO-4): the household investigation is due
    within 3 working days of the disclosure."""

    event: ClassVar[str] = "media_case_registered"
    media_case_id: Id
    division: DivisionCode
    outlet: str = Field(min_length=1, max_length=100)
    headline: str = Field(min_length=1, max_length=200)
    category: str = Field(max_length=30)
    program: str | None = Field(None, max_length=30)
    disclosed_on: date
    investigation_due_on: date
    registered_by: str = Field(min_length=1, max_length=255)
    registered_at: AwareDatetime


class MediaCaseOverdue(ComplaintsEvent):
    """A media case not investigated at the household within its 3 working days (R-CO-4):
    noted once by the daily job."""

    event: ClassVar[str] = "media_case_overdue"
    media_case_id: Id
    division: DivisionCode
    investigation_due_on: date
    noted_on: date


class MediaCaseInvestigated(ComplaintsEvent):
    """The household investigation of a media case recorded (入户调查, R-CO-4): cause, course,
    nature, responsible person and proposed handling; its rectification ledger item (R-OV-3)."""

    event: ClassVar[str] = "media_case_investigated"
    media_case_id: Id
    division: DivisionCode
    investigated_on: date
    on_time: bool
    cause: str = Field(min_length=1, max_length=4000)
    course: str = Field(min_length=1, max_length=4000)
    nature: str = Field(min_length=1, max_length=2000)
    responsible_person: str = Field(min_length=1, max_length=100)
    proposed_handling: str = Field(min_length=1, max_length=4000)
    similar_found: int = Field(ge=0, description="similar complaints and cases found")
    rectification_item_id: Id
    by: str = Field(min_length=1, max_length=255)
    at: AwareDatetime


# --- oversight: spot checks, monitoring, rectification ledger, monthly supervision ------------
# --- (services/complaints/spot_checks, monitoring, rectification, supervision) ----------------


class RectificationItemOpened(ComplaintsEvent):
    """A finding went on the rectification ledger (整改台账, R-OV-3): from a spot check, an
    inspection, the monitoring, a supervision visit, a complaint, a media case or the audit."""

    event: ClassVar[str] = "rectification_item_opened"
    item_id: Id
    source: str = Field(max_length=20, description="spot_check, inspection, monitoring, "
                        "supervision, complaint, media or audit")
    source_id: str = Field(min_length=1, max_length=64, description="the finding's record")
    division: DivisionCode
    finding: str = Field(min_length=1, max_length=4000)
    responsible: str = Field(min_length=1, max_length=100, description="责任人 (name and post)")
    due_on: date = Field(description="整改时限: the correction deadline")
    case_id: str | None = Field(None, max_length=64, description="the record concerned")
    opened_by: str = Field(min_length=1, max_length=255)
    opened_at: AwareDatetime


class RectificationFollowedUp(ComplaintsEvent):
    """A follow-up appended to a ledger item (整改进展): the item is being rectified."""

    event: ClassVar[str] = "rectification_followed_up"
    item_id: Id
    division: DivisionCode
    seq: int = Field(ge=1, description="the follow-up's number on the item")
    note: str = Field(min_length=1, max_length=4000)
    status: str = Field(max_length=20, description="the item's status after it")
    by: str = Field(min_length=1, max_length=255)
    at: AwareDatetime


class RectificationItemClosed(ComplaintsEvent):
    """A ledger item closed with its result (整改完成); ``on_time`` if by its deadline."""

    event: ClassVar[str] = "rectification_item_closed"
    item_id: Id
    source: str = Field(max_length=20)
    source_id: str = Field(min_length=1, max_length=64)
    division: DivisionCode
    result: str = Field(min_length=1, max_length=4000)
    due_on: date
    closed_on: date = Field(description="the Asia/Shanghai day it closed")
    on_time: bool
    closed_by: str = Field(min_length=1, max_length=255)
    closed_at: AwareDatetime


class TownshipDrawn(EventData):
    township: DivisionCode
    population: int = Field(ge=0, description="the township's decisions of the period")
    sample: int = Field(ge=0, description="how many were drawn: ceil(population × share)")


class SpotCheckDrawn(ComplaintsEvent):
    """The county drew its spot-check sample (抽查, R-OV-1): at least half of each township's
    decisions of the period; the seed makes it reproducible (the smallest SHA-256(seed:case_id)
    per township) and the population digest names the decisions it was drawn from."""

    event: ClassVar[str] = "spot_check_drawn"
    draw_id: Id
    division: DivisionCode = Field(description="the county")
    period_from: date
    period_to: date
    seed: str = Field(min_length=1, max_length=64)
    share_percent: int = Field(ge=50, le=100)
    population_count: int = Field(ge=0)
    sample_count: int = Field(ge=0)
    population_digest: str = Field(min_length=64, max_length=64)
    townships: list[TownshipDrawn]
    sample_case_ids: list[Id] = Field(description="the decisions drawn, township by township")
    drawn_by: str = Field(min_length=1, max_length=255)
    drawn_at: AwareDatetime


class SpotCheckRecorded(ComplaintsEvent):
    """A sampled decision was checked (R-OV-1): file review or home visit and the finding; one
    that needs correcting has a deadline and a rectification item (R-OV-3)."""

    event: ClassVar[str] = "spot_check_recorded"
    check_id: Id
    draw_id: Id
    case_id: Id
    division: DivisionCode
    method: Literal["file_review", "home_visit"]
    finding: str = Field(min_length=1, max_length=4000)
    needs_correction: bool
    correction_due_on: date | None = None
    rectification_item_id: Id | None = None
    checked_by: str = Field(min_length=1, max_length=255)
    checked_at: AwareDatetime


class PopulationFiguresLoaded(ComplaintsEvent):
    """The county loaded a year's population figures per township (R-OV-2), as the year's next
    version: the monitoring's denominators from now on."""

    event: ClassVar[str] = "population_figures_loaded"
    load_id: Id
    division: DivisionCode = Field(description="the county")
    year: int = Field(ge=1900, le=2099)
    load_version: int = Field(ge=1, description="the year's loads count 1, 2, …")
    townships: int = Field(ge=1)
    total_population: int = Field(ge=0)
    sha256: str = Field(min_length=64, max_length=64, description="of the file loaded")
    figures: dict[str, int] = Field(description="township code → population")
    loaded_by: str = Field(min_length=1, max_length=255)
    loaded_at: AwareDatetime


class SupervisionRecorded(ComplaintsEvent):
    """The county's supervision of a township in a month (月度督导, R-OV-4): who, when, what was
    seen; its problems are rectification items (R-OV-3)."""

    event: ClassVar[str] = "supervision_recorded"
    visit_id: Id
    division: DivisionCode = Field(description="the township")
    month: str = Field(pattern=r"^\d{4}-(0[1-9]|1[0-2])$")
    visited_on: date
    supervisors: str = Field(min_length=1, max_length=200)
    seen: str = Field(min_length=1, max_length=4000)
    rectification_item_ids: list[Id]
    recorded_by: str = Field(min_length=1, max_length=255)
    recorded_at: AwareDatetime


class SupervisionReportSent(ComplaintsEvent):
    """The county's monthly supervision report sent to the city (R-OV-4), kept as sent: its
    SHA-256 is of the report's canonical JSON (sorted keys, no spaces, UTF-8)."""

    event: ClassVar[str] = "supervision_report_sent"
    report_id: Id
    division: DivisionCode = Field(description="the county")
    month: str = Field(pattern=r"^\d{4}-(0[1-9]|1[0-2])$")
    report_version: int = Field(ge=1, description="a month sent again counts 2, 3, …")
    sha256: str = Field(min_length=64, max_length=64)
    townships: int = Field(ge=0)
    townships_supervised: int = Field(ge=0)
    townships_short_of_staff: int = Field(ge=0, description="fewer than 2 dedicated staff")
    totals: dict[str, int]
    made_by: str = Field(min_length=1, max_length=255)
    made_at: AwareDatetime


class RectificationItemOverdue(ComplaintsEvent):
    """A ledger item passed its deadline not done (R-OV-3), noted once by the daily job, so the
    log, the monthly report and the city see every missed correction deadline."""

    event: ClassVar[str] = "rectification_item_overdue"
    item_id: Id
    source: str = Field(max_length=20)
    source_id: str = Field(min_length=1, max_length=64)
    division: DivisionCode
    responsible: str = Field(min_length=1, max_length=100)
    due_on: date
    noted_on: date = Field(description="the Asia/Shanghai day it was noted")
