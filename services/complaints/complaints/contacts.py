"""The complainant's and the caller's phone at rest: sealed, bound to its row, shown masked
(R-SE-2)."""

from __future__ import annotations

from typing import Literal

from sqlalchemy.ext.asyncio import AsyncSession

from services.complaints.complaints.models import Complaint
from shared.at_rest import open_at_rest
from shared.contracts.complaints import ContactReadInFull
from shared.masking import mask_name
from shared.outbox import emit

Record = Literal["complaint", "hotline_call"]
_CONTEXT: dict[str, str] = {"complaint": "complaint", "hotline_call": "hotline"}


def phone_context(record: Record, record_id: str) -> str:
    """What a sealed phone is bound to (``shared.at_rest``): it opens only in its own row."""
    return f"{_CONTEXT[record]}:{record_id}"


def contact_shown(complaint: Complaint) -> dict[str, str | None]:
    """The contact as answers show it: masked (R-SE-2)."""
    return {"contact_name_masked": mask_name(complaint.contact_name)
            if complaint.contact_name else None,
            "contact_phone_masked": complaint.contact_phone_masked}


async def read_in_full(session: AsyncSession, *, record: Record, record_id: str, division: str,
                       sealed: str | None, masked: str | None, purpose: str) -> str | None:
    """The phone in full, to answer the complainant or call the caller back (R-CO-3, R-CO-5):
    the read is an event (``contact_read_in_full``: the purpose, never the phone) in the same
    transaction as the answer, so the phone never leaves unrecorded (R-SE-2)."""
    phone = (open_at_rest(session, "phone", phone_context(record, record_id), sealed)
             if sealed else None)
    await emit(session, ContactReadInFull(record=record, record_id=record_id, division=division,
                                          phone_masked=masked, purpose=purpose),
               subject=record_id, division=division)
    return phone
