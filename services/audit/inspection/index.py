"""The person index: written with each entry, in the same transaction (R-AU-3, R-SE-2)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.audit.inspection.personal import index_digest, sealed_id_numbers
from shared.at_rest import session_sealer


def index_people(session: AsyncSession, stored: dict[str, Any], *, seq: int
                 ) -> list[dict[str, Any]]:
    """A digest row for every sealed ID number of the event ``stored`` (its envelope's JSON
    form, as logged): ``audit_person_index`` rows, for the caller to write with the entry, in
    the same transaction."""
    sealer = session_sealer(session)
    if sealer is None:
        return []
    rows = []
    for dotted, id_number in sealed_id_numbers(stored, sealer):
        key_id, digest = index_digest(sealer, id_number)
        rows.append({"seq": seq, "key_id": key_id, "digest": digest, "path": dotted})
    return rows
