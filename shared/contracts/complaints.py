"""Events the complaints service publishes (投诉举报、信访, R-CO; and the county's oversight,
R-OV): complaints, petitions and hotline calls, media cases, spot checks, the rectification
ledger and the monthly supervision. Phone numbers are ``Personal`` and travel sealed."""

from __future__ import annotations

from datetime import date
from typing import ClassVar, Literal

from pydantic import AwareDatetime, Field

from shared.contracts.base import EventContract, EventData
from shared.contracts.fields import Id
from shared.divisions import DivisionCode


class ComplaintsEvent(EventContract):
    service: ClassVar[str] = "complaints"


# --- complaints, petitions, hotline, media cases (services/complaints/complaints, hotline, ----
# --- media) -----------------------------------------------------------------------------------


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
