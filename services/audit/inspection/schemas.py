"""API shapes of the inspection of the log: search by person, an entry in full, the report."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from services.audit.log.schemas import (
    AuditEntryOut,
    ChainBreakOut,
    ChainHead,
    ChainReport,
    CompletenessReport,
)
from shared.inputs import EventTypeName, Identifier, Moment, Reason, ResidentIdNumber, SearchText


class PersonSearch(BaseModel):
    """Search the log by person (R-AU-3): the ID number travels in the body, never in a URL, and
    is matched by its keyed digest; the other filters narrow it."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"id_number": "230722198001011234", "since": "2026-11-01T00:00:00+08:00"}]})

    id_number: ResidentIdNumber = Field(description="the person's resident ID number, in full")
    record_id: SearchText | None = Field(None, description="the case (record id)")
    user: SearchText | None = Field(None, description="actor's user id")
    type: EventTypeName | None = Field(None, description="event type (operation)")
    service: Identifier | None = None
    since: Moment | None = Field(None, description="event time from (inclusive)")
    until: Moment | None = Field(None, description="event time until (exclusive)")


class FullReadRequest(BaseModel):
    """Why the personal data of an entry is read in full: kept with the read (R-SE-2)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"purpose": "复核信访件 XF-2026-031：核对申请人身份证号"}]})

    purpose: Reason = Field(min_length=4, description="the stated purpose of the read")


class FullEntryOut(AuditEntryOut):
    """One entry with its sealed personal fields opened (R-SE-2); ``unmasked`` says which."""

    unmasked: list[str] = Field(description="dotted paths of the fields shown in full")


class CheckpointsReport(BaseModel):
    """The signed checkpoints of the log (R-AU-2): how many, the latest, whether the log still
    gives them."""

    count: int
    latest: dict[str, Any] | None
    consistent: bool | None = Field(description="the log gives every checkpoint's root; None "
                                    "when there is none yet")
    detail: str | None = None


class FirstFailure(BaseModel):
    """The first thing found wrong: which check, and where."""

    check: str
    detail: str
    seq: int | None = None


class InspectionReport(BaseModel):
    """The verification report of the log (R-AU-3): entries, the chain, the reads' chain, the
    signed checkpoints, completeness against the stream, and the first failure if any."""

    ok: bool
    entries: int
    chain_ok: bool
    chain_breaks: int
    chain_first_bad: ChainBreakOut | None
    head: ChainHead | None
    access: ChainReport | None = Field(description="the chain of the reads of the log")
    checkpoints: CheckpointsReport
    completeness: CompletenessReport | None
    first_failure: FirstFailure | None
    reported_at: datetime
