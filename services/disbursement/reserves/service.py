"""Rules of the township's temporary-aid reserve (临时救助备用金, R-DI-9): the county sets it
up and tops it up; temporary aid the township pays draws on it; a draw beyond the balance is
refused with the balance named. Every change of the balance is one conditional UPDATE (never
below zero, whatever runs at once) and a movement row in the same transaction."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.disbursement.payments.models import Payment, PaymentKind, PaymentStatus
from services.disbursement.reserves.models import MovementKind, Reserve, ReserveMovement
from services.disbursement.reserves.schemas import ReserveIn
from shared import divisions
from shared.auth import User
from shared.clock import now_of
from shared.context import new_id
from shared.contracts.disbursement import ReserveDrawn, ReserveSetUp, ReserveToppedUp
from shared.db import upsert_insert
from shared.inputs import Keyset, Window
from shared.money import format_yuan
from shared.outbox import emit
from shared.problems import Conflict, InvalidField
from shared.records import get_in_jurisdiction

RESERVES = Keyset("reserves", Reserve.township.asc(), Reserve.id.asc())
MOVEMENTS = Keyset("reserve-movements", ReserveMovement.at.asc(), ReserveMovement.id.asc())
"""The ledger of a reserve: oldest first."""


async def _reserve(session: AsyncSession, user: User, reserve_id: str) -> Reserve:
    reserve = await session.get(Reserve, reserve_id)
    user.require_record(reserve.township if reserve else None, f"no reserve {reserve_id}")
    assert reserve is not None
    return reserve


async def _move(session: AsyncSession, reserve: Reserve, *, user: User, kind: MovementKind,
                amount_fen: int, payment_id: str | None = None, note: str | None = None
                ) -> ReserveMovement:
    """One movement: the balance changed by one conditional UPDATE, the row beside it."""
    now = now_of(session)
    changed = update(Reserve).where(Reserve.id == reserve.id)
    if amount_fen < 0:
        changed = changed.where(Reserve.balance_fen >= -amount_fen)
    balance = await session.scalar(
        changed.values(balance_fen=Reserve.balance_fen + amount_fen, updated_at=now)
        .returning(Reserve.balance_fen).execution_options(synchronize_session=False))
    if balance is None:
        current = await session.scalar(select(Reserve.balance_fen).where(
            Reserve.id == reserve.id))
        raise Conflict(f"the reserve of township {reserve.township} holds {current} fen "
                       f"({format_yuan(current or 0)}), less than the {-amount_fen} fen "
                       f"({format_yuan(-amount_fen)}) to pay: the county tops it up first",
                       rule="R-DI-9", balance_fen=current, amount_fen=-amount_fen)
    movement = ReserveMovement(
        id=new_id(), reserve_id=reserve.id, kind=kind, amount_fen=amount_fen,
        balance_after_fen=balance, payment_id=payment_id, note=note, by=user.user_id, at=now)
    session.add(movement)
    await session.flush()
    await session.refresh(reserve)
    return movement


async def set_up(session: AsyncSession, *, user: User, county: str, body: ReserveIn
                 ) -> tuple[Reserve, ReserveMovement]:
    """The county sets up a township's reserve with its first amount; once per township."""
    if divisions.level(body.township) != "township":
        raise InvalidField("township", f"{body.township} is not a 9-digit township code")
    if not divisions.is_within(body.township, county):
        raise InvalidField("township", f"{body.township} is not in county {county}, which "
                           "this installation serves")
    user.require_access(body.township)
    now = now_of(session)
    made = await session.scalar(  # one per township, even when two set it up at once
        upsert_insert(session, Reserve).values(
            id=new_id(), township=body.township, county=county, balance_fen=0,
            set_up_by=user.user_id, created_at=now, updated_at=now)
        .on_conflict_do_nothing(index_elements=["township"]).returning(Reserve.id))
    if made is None:
        existing = await session.scalar(select(Reserve.id).where(
            Reserve.township == body.township))
        raise Conflict(f"township {body.township} has its reserve ({existing}): top it up",
                       rule="R-DI-9", reserve_id=existing)
    reserve = await session.get(Reserve, made)
    assert reserve is not None
    movement = await _move(session, reserve, user=user, kind=MovementKind.set_up,
                           amount_fen=body.amount_fen, note=body.note)
    await emit(session, ReserveSetUp(
        reserve_id=reserve.id, township=reserve.township, movement_id=movement.id,
        amount_fen=body.amount_fen, balance_fen=movement.balance_after_fen),
        subject=reserve.id, division=reserve.township)
    return reserve, movement


async def top_up(session: AsyncSession, *, user: User, reserve_id: str, amount_fen: int,
                 note: str | None) -> tuple[Reserve, ReserveMovement]:
    reserve = await _reserve(session, user, reserve_id)
    movement = await _move(session, reserve, user=user, kind=MovementKind.top_up,
                           amount_fen=amount_fen, note=note)
    await emit(session, ReserveToppedUp(
        reserve_id=reserve.id, township=reserve.township, movement_id=movement.id,
        amount_fen=amount_fen, balance_fen=movement.balance_after_fen),
        subject=reserve.id, division=reserve.township)
    return reserve, movement


async def draw(session: AsyncSession, *, user: User, reserve_id: str, payment_id: str,
               note: str | None) -> tuple[Reserve, ReserveMovement]:
    """Temporary aid the township pays from its reserve (R-DI-9): a ready one-time payment of
    the township becomes paid, from the reserve; refused (409) beyond the balance, naming it.
    A payment is drawn once (the movement's unique payment)."""
    reserve = await _reserve(session, user, reserve_id)
    payment = await get_in_jurisdiction(session, Payment, payment_id, user=user,
                                        missing=f"no payment {payment_id}", for_update=True)
    if not divisions.is_within(payment.division, reserve.township):
        raise InvalidField("payment_id", f"the payment is of {payment.division}, not of "
                           f"township {reserve.township}")
    if payment.kind != PaymentKind.once:
        raise InvalidField("payment_id", "is a monthly payment: the reserve pays temporary "
                           "aid only", rule="R-DI-9")
    if payment.status != PaymentStatus.ready:
        raise Conflict(f"payment {payment.id} is {payment.status}"
                       + (f" ({payment.hold_reason})" if payment.hold_reason else "")
                       + ": only a ready payment is paid from the reserve", rule="R-DI-9")
    movement = await _move(session, reserve, user=user, kind=MovementKind.draw,
                           amount_fen=-payment.amount_fen, payment_id=payment.id, note=note)
    now = now_of(session)
    payment.status, payment.source, payment.paid_at, payment.updated_at = (
        PaymentStatus.paid, "reserve", now, now)
    await session.flush()
    await emit(session, ReserveDrawn(
        reserve_id=reserve.id, township=reserve.township, movement_id=movement.id,
        amount_fen=payment.amount_fen, balance_fen=movement.balance_after_fen,
        payment_id=payment.id, beneficiary_id=payment.beneficiary_id, program=payment.program),
        subject=reserve.id, division=payment.division)
    return reserve, movement


async def get(session: AsyncSession, *, user: User, reserve_id: str) -> Reserve:
    return await _reserve(session, user, reserve_id)


async def list_reserves(session: AsyncSession, *, user: User, window: Window | None = None
                        ) -> Sequence[Reserve]:
    query = select(Reserve).where(user.jurisdiction(Reserve.township))
    query = (window or Window(RESERVES, limit=100)).apply(query)
    return (await session.scalars(query)).all()


async def movements(session: AsyncSession, *, user: User, reserve_id: str,
                    window: Window | None = None) -> Sequence[ReserveMovement]:
    reserve = await _reserve(session, user, reserve_id)
    query = select(ReserveMovement).where(ReserveMovement.reserve_id == reserve.id)
    query = (window or Window(MOVEMENTS, limit=100)).apply(query)
    return (await session.scalars(query)).all()
