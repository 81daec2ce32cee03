"""Delegation messages from other counties on the shared NATS cluster (R-VE-3).

A delegation event reaches this county's consumer in two ways: this county's own record of a
change (no ``destination``: nothing to do, it is for the operation log), or a message another
county addressed here (``destination`` is this county: it takes effect).
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.verification.delegations import service
from shared.contracts import EventContract
from shared.contracts.verification import (
    DelegationAccepted,
    DelegationRefused,
    DelegationRequested,
    DelegationReturned,
)
from shared.events import Envelope
from shared.inbox import Handler, Rejected
from shared.problems import Problem


def _addressed_here(session: AsyncSession, event: Envelope) -> bool:
    if event.destination is None:
        return False  # this county's own record
    if event.destination != service.own_county(session):
        raise Rejected(f"addressed to county {event.destination}, not to this one")
    return True


async def on_delegation_requested(
    session: AsyncSession, request: DelegationRequested, event: Envelope
) -> None:
    """Another county's delegation enters the residence township's work list (R-VE-3)."""
    if not _addressed_here(session, event):
        return
    try:
        await service.receive_request(session, request, transport="nats")
    except Problem as exc:
        raise Rejected(exc.detail) from exc


async def on_delegation_answer(
    session: AsyncSession, answer: DelegationAccepted | DelegationReturned | DelegationRefused,
    event: Envelope,
) -> None:
    """The county of residence accepted, returned or refused this county's delegation."""
    if not _addressed_here(session, event):
        return
    try:
        await service.take_answer(session, answer, transport="nats")
    except Problem as exc:
        raise Rejected(exc.detail) from exc


HANDLERS: dict[type[EventContract], Handler] = {
    DelegationRequested: on_delegation_requested,
    DelegationAccepted: on_delegation_answer,
    DelegationReturned: on_delegation_answer,
    DelegationRefused: on_delegation_answer,
}
