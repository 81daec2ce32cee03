"""Personal values kept at rest in a row (R-SE-2): sealed as an event's personal field is
(``shared.sealing``), bound to their row, and the installation's keys reached from a session.

A value is sealed with the event keys as ``sealed:v1:<kid>:...``, its associated data
``<context>|<field>``: ``context`` names the row (``bank-account:<id>``, ``complaint:<id>``,
``check-subject:<investigation>:<member>``), so a sealed value copied to another row does not
open; ``field`` is the name the kind of value has always been sealed under (:data:`FIELDS`), so
the rows sealed before this module still open.

The keys come with the session: the unit of work's event source (``shared.outbox``) holds the
service's ``Sealer``. Without it nothing personal can be kept or matched: 503.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from shared.contracts.base import PersonalKind
from shared.problems import Unavailable
from shared.sealing import Keyring, Sealer

FIELDS: dict[PersonalKind, str] = {
    "id_number": "id_number",
    "phone": "phone",
    "bank_account": "account_number",
}
"""The field a kind of value is sealed as (the second half of its associated data)."""


def session_sealer(session: Any) -> Sealer | None:
    """The installation's sealer, kept in every session of a service (``shared.outbox``); None
    in a session made without keys."""
    sealer: Sealer | None = getattr(session.info.get("events"), "sealer", None)
    return sealer


def sealer_of(session: Any) -> Sealer:
    """The installation's sealer; 503 when the keys are not loaded, as nothing personal can
    then be kept, opened or matched."""
    sealer = session_sealer(session)
    if sealer is None:
        raise Unavailable("the installation's event keys are not loaded: personal data cannot "
                          "be sealed, opened or digested")
    return sealer


def keyring_of(session: Any) -> Keyring:
    """The installation's keyring (for keyed digests, ``shared.digests``); 503 without it."""
    return sealer_of(session).keyring


def _sealer(sealer_or_session: Sealer | AsyncSession) -> Sealer:
    if isinstance(sealer_or_session, Sealer):
        return sealer_or_session
    return sealer_of(sealer_or_session)


def seal_at_rest(sealer_or_session: Sealer | AsyncSession, kind: PersonalKind, context: str,
                 value: str) -> str:
    """``value`` (a personal value of ``kind``) sealed for the row ``context``: it opens only
    there."""
    return _sealer(sealer_or_session).seal_value(value, event_id=context, dotted=FIELDS[kind])


def open_at_rest(sealer_or_session: Sealer | AsyncSession, kind: PersonalKind, context: str,
                 sealed: str) -> str:
    """A value of :func:`seal_at_rest` opened in its row ``context``; ``SealError`` if it was
    sealed for another row or kind, or tampered with."""
    return _sealer(sealer_or_session).open_value(sealed, event_id=context, dotted=FIELDS[kind])
