"""The person index: written with each entry, in the same transaction (R-AU-3, R-SE-2)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.audit.inspection.models import PersonIndex
from services.audit.inspection.personal import index_digest, sealed_id_numbers
from shared.at_rest import session_sealer
from shared.events import Envelope


def index_people(session: AsyncSession, envelope: Envelope, *, seq: int) -> int:
    """Add a digest row for every sealed ID number of the event; returns how many. Rows are
    written at commit with the batch's entries, in one statement."""
    sealer = session_sealer(session)
    if sealer is None:
        return 0
    rows = 0
    stored = envelope.model_dump(mode="json")
    for dotted, id_number in sealed_id_numbers(stored, sealer):
        key_id, digest = index_digest(sealer, id_number)
        session.add(PersonIndex(seq=seq, key_id=key_id, digest=digest, path=dotted))
        rows += 1
    return rows
