"""Rules of case references: every event keeps its record findable for complaints (R-CO-1)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from services.complaints.case_links.models import CaseReference
from shared.auth import User
from shared.bulk import built, insert_new
from shared.context import new_id
from shared.db import per_transaction, where_given
from shared.divisions import validate_division_code
from shared.events import Envelope
from shared.inputs import Keyset, Window
from shared.problems import NotFound

CASE_REFERENCES = Keyset("case-references", CaseReference.last_seen.desc(), CaseReference.id.asc())
"""The order of the list of references and its cursors: the most recently active first (a
reference that sees a new event during a walk moves to the front: it is not shown twice)."""


def _text(value: Any, max_length: int) -> str | None:
    """A short string field of an event's data, or None if absent or not usable."""
    if isinstance(value, str) and 0 < len(value) <= max_length:
        return value
    return None


def division_of(event: Envelope) -> str | None:
    """The record's division: the envelope's, else the data's; None if neither is a valid code."""
    for candidate in (event.division, event.data.get("division")):
        try:
            return validate_division_code(candidate)  # type: ignore[arg-type]
        except ValueError:
            continue
    return None


Key = tuple[str, str]


@dataclass
class _Kept:
    """The references one transaction has read or made, by (service, record id); the keys
    it has found no reference for; and the references it made, written after its last event
    (:func:`write_new_references`)."""

    seen: dict[Key, CaseReference] = field(default_factory=dict)
    absent: set[Key] = field(default_factory=set)
    new: list[CaseReference] = field(default_factory=list)


def _kept(session: AsyncSession) -> _Kept:
    """This transaction's references.

    A consumer applies a batch of events in one transaction: the references are written
    together (one INSERT and one UPDATE for the batch, not one per event), so an event about a
    record already seen in the batch must find it here, not in the table."""
    return per_transaction(session, "case_references", _Kept)


async def read_references(session: AsyncSession, events: Sequence[Envelope]) -> None:
    """The batch hook: the references of every record the batch's events are about, read in
    one query before the first event (instead of one query per record)."""
    kept = _kept(session)
    seen, absent = kept.seen, kept.absent
    keys = list(dict.fromkeys((e.service, e.subject) for e in events).keys()
                - seen.keys() - absent)
    if len(keys) < 2:
        return  # one record: note_event's own read is the same statement
    with session.no_autoflush:
        found = await session.scalars(select(CaseReference).where(
            tuple_(CaseReference.service, CaseReference.record_id).in_(keys)))
        for reference in found:
            seen[(reference.service, reference.record_id)] = reference
    absent.update(key for key in keys if key not in seen)


async def note_event(session: AsyncSession, event: Envelope) -> CaseReference:
    """Insert or update the reference of the record an event is about (any service, any event);
    a new one is written after the batch's last event (:func:`write_new_references`), a
    changed one at the commit, with the rest of the batch."""
    kept = _kept(session)
    seen, absent = kept.seen, kept.absent
    key = (event.service, event.subject)
    reference = seen.get(key)
    if reference is None and key not in absent:
        with session.no_autoflush:
            reference = await session.scalar(
                select(CaseReference).where(CaseReference.service == event.service,
                                            CaseReference.record_id == event.subject))
    division = division_of(event)
    application_id = _text(event.data.get("application_id"), 64)
    application_number = _text(event.data.get("application_number"), 64)
    program = _text(event.data.get("program"), 30)
    if reference is None:
        reference = built(
            CaseReference, id=new_id(), service=event.service, record_id=event.subject,
            division=division, application_id=application_id,
            application_number=application_number, program=program,
            last_event_type=event.type, last_event_id=event.id, event_count=1,
            first_seen=event.time, last_seen=event.time,
        )
        kept.new.append(reference)
        seen[key] = reference
        return reference
    seen[key] = reference
    reference.event_count += 1
    reference.first_seen = min(reference.first_seen, event.time)
    latest = event.time >= reference.last_seen
    if latest:
        reference.last_seen = event.time
        reference.last_event_type, reference.last_event_id = event.type, event.id
    for name, value in (("division", division), ("application_id", application_id),
                        ("application_number", application_number), ("program", program)):
        if value is not None and (latest or getattr(reference, name) is None):
            setattr(reference, name, value)
    return reference


async def write_new_references(session: AsyncSession, events: Sequence[Envelope]) -> None:
    """The batch hook after its last event: the references the batch made, as they ended up,
    in one insert (``shared.bulk.insert_new``), where the ORM's flush cost more than the rest
    of the consumer's work on them."""
    kept = _kept(session)
    new, kept.new = kept.new, []
    if new:
        await insert_new(session, *new, attach=False)


async def find_references(
    session: AsyncSession, *, user: User, record_id: str | None = None,
    application_id: str | None = None, application_number: str | None = None,
    service: str | None = None, window: Window | None = None,
) -> Sequence[CaseReference]:
    """References inside the user's jurisdiction, the most recently active first
    (:data:`CASE_REFERENCES`)."""
    in_reach = user.jurisdiction(CaseReference.division)  # NULL division: no one
    query = select(CaseReference).where(in_reach)
    query = where_given(query, (CaseReference.record_id, record_id),
                        (CaseReference.application_id, application_id),
                        (CaseReference.application_number, application_number),
                        (CaseReference.service, service))
    query = (window or Window(CASE_REFERENCES, limit=100)).apply(query)
    return (await session.scalars(query)).all()


async def get_reference(session: AsyncSession, *, user: User, reference_id: str) -> CaseReference:
    reference = await session.get(CaseReference, reference_id)
    if reference is None or reference.division is None:
        raise NotFound(f"no case reference {reference_id}")
    user.require_record(reference.division, f"no case reference {reference_id}")
    return reference
