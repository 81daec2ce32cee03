"""A payment and its holder's card account decided side by side (R-DI-4, R-DI-3): whichever
transaction commits first, the payment ends ready to the card, never held for want of an
account that exists (PostgreSQL runs them at once; SQLite one after the other)."""

from __future__ import annotations

import asyncio

from services.disbursement.app import create_app as create_disbursement
from services.disbursement.beneficiaries.models import Payee
from services.disbursement.payments.service import pay_once, refresh_holds
from tests import payments as pay
from tests.support import eventually, ready, running

MADE_AT = pay.MADE_AT


def once_payee(payee_id: str, holder: str) -> Payee:
    return Payee(id=payee_id, beneficiary_id=payee_id, application_id=payee_id,
                 program="temp_expenditure", unit="household", name_masked="郑**",
                 division=pay.VILLAGE, holder_member_id="m1", holder_digest=holder,
                 payment="once", amount_fen=200000, amount_from="2026-12",
                 start_month="2026-12", stopped_from=None, status="active",
                 last_event_id=payee_id, last_event_type="x", created_at=MADE_AT,
                 updated_at=MADE_AT)


async def test_temporary_aid_paid_while_the_card_is_registered_is_ready_R_DI_4_R_DI_3(
        make_settings):
    """R-DI-4, R-DI-3: the grant's payment is made while finance registers the holder's card
    (the register's refresh of the holder's payments done, not committed), or the card is
    registered while the payment is made (held for want of it, not committed): either way it
    ends ready to that card."""
    settings = make_settings("disbursement")
    app = create_disbursement(settings)
    async with running(app) as client:
        await eventually(lambda: ready(client))
        kit = app.state.kit
        for n, payee_first in enumerate((False, True), start=1):
            holder, payee_id = f"holder-{n}", f"{n:032x}"
            async with kit.unit_of_work() as session:
                session.add(once_payee(payee_id, holder))
            refreshed, paying = asyncio.Event(), asyncio.Event()

            async def register(holder=holder, refreshed=refreshed, paying=paying,
                               payee_first=payee_first, n=n) -> None:
                if payee_first:
                    await paying.wait()
                async with kit.unit_of_work() as session:
                    session.add(pay.account_row(kit, holder=holder,
                                                number=pay.account_number(n)))
                    await session.flush()
                    await refresh_holds(session, holder_digest=holder)
                    refreshed.set()
                    if not payee_first:
                        await asyncio.sleep(0.3)  # the payment is being made meanwhile

            async def make_payment(payee_id=payee_id, refreshed=refreshed, paying=paying,
                                   payee_first=payee_first) -> None:
                if not payee_first:
                    await refreshed.wait()
                async with kit.unit_of_work() as session:
                    payee = await session.get(Payee, payee_id)
                    assert payee is not None
                    await pay_once(session, payee)
                    paying.set()
                    if payee_first:
                        await asyncio.sleep(0.3)  # the card is being registered meanwhile

            await asyncio.wait_for(asyncio.gather(register(), make_payment()), 30)
            payment = await pay.payment(kit, payee_id)
            assert (payment.status, payment.hold_reason) == ("ready", None), payee_first
            assert payment.account_id is not None
