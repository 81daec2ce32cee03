"""Inspection of the log (R-AU-3): by person without the number in clear, one entry masked or
in full for an entitled role with that read logged (R-SE-2)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from urllib.parse import urlencode

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.audit.access.service import record_log_access
from services.audit.inspection.models import PersonIndex
from services.audit.inspection.personal import Shown, in_full, search_digests
from services.audit.inspection.schemas import PersonSearch
from services.audit.log.models import AuditEntry
from services.audit.log.service import ENTRIES, visible_to
from shared.auth import Role, User
from shared.inputs import Window
from shared.operations import Operation
from shared.problems import NotFound
from shared.sealing import Sealer

ENTITLED_TO_FULL = frozenset({Role.auditor})
"""Roles that may read an entry's personal data in full, one entry at a time, with a purpose."""


async def person_entries(
    session: AsyncSession, sealer: Sealer, *, user: User, search: PersonSearch,
    window: Window | None = None,
) -> Sequence[AuditEntry]:
    """Entries of every record (case) in which the person's ID number is sealed, matched by its
    keyed digest under each key of the keyring, narrowed by the other filters (R-AU-3)."""
    matches = [and_(PersonIndex.key_id == kid, PersonIndex.digest == digest)
               for kid, digest in search_digests(sealer, search.id_number)]
    indexed = select(PersonIndex.seq).where(or_(*matches))
    records = select(AuditEntry.record_id).where(AuditEntry.seq.in_(indexed))
    query = select(AuditEntry).where(AuditEntry.record_id.in_(records), visible_to(user))
    for column, value in ((AuditEntry.record_id, search.record_id),
                          (AuditEntry.actor_user, search.user),
                          (AuditEntry.event_type, search.type),
                          (AuditEntry.service, search.service)):
        if value is not None:
            query = query.where(column == value)
    if search.since is not None:
        query = query.where(AuditEntry.occurred_at >= search.since)
    if search.until is not None:
        query = query.where(AuditEntry.occurred_at < search.until)
    query = (window or Window(ENTRIES, limit=100)).apply(query)
    return (await session.scalars(query)).all()


async def entry_of(session: AsyncSession, *, user: User, seq: int) -> AuditEntry:
    """One entry the user may read; 404 alike for one that is not there and one outside their
    divisions (R-SE-1)."""
    entry = await session.scalar(select(AuditEntry).where(AuditEntry.seq == seq,
                                                          visible_to(user)))
    if entry is None:
        raise NotFound(f"no log entry {seq} you may read")
    return entry


def disclosure_query(opened: list[str], purpose: str) -> str:
    """What a read in full showed and why, as the ``query`` of its log_access row: the dotted
    paths of the fields unmasked (never their values) and the stated purpose."""
    return urlencode({"unmasked": ",".join(opened), "purpose": purpose})[:1000]


async def read_in_full(
    session: AsyncSession, sealer: Sealer, *, user: User, seq: int, purpose: str,
    method: str, path: str, route: str, at: datetime, request_id: str | None,
    source_address: str | None, correlation_id: str | None,
) -> tuple[AuditEntry, Shown]:
    """An entry with its sealed personal fields opened, for an entitled role (R-SE-2). The read
    is kept in log_access in the same transaction — what was unmasked and why — so the values
    never leave without their record."""
    entry = await entry_of(session, user=user, seq=seq)
    shown = in_full(json.loads(entry.payload), sealer)
    await record_log_access(session, Operation(
        actor=user, method=method, path=path, route=route,
        query=disclosure_query(shown.opened, purpose), status=200, subject=str(seq),
        request_id=request_id, source_address=source_address, correlation_id=correlation_id,
        at=at))
    return entry, shown
