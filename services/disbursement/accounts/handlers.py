"""Who is paid (R-DI-4): the members of accepted applications, and the holder of each payee as
soon as it is made (after beneficiaries' handler, before payments' in the chain)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.disbursement.accounts import holders
from services.disbursement.payments.service import refresh_holds
from shared.contracts import EventContract
from shared.contracts.approval import BeneficiaryApproved, TemporaryAidGranted
from shared.contracts.intake import ApplicationAccepted
from shared.events import Envelope
from shared.inbox import Handler


async def on_application_accepted(
    session: AsyncSession, accepted: ApplicationAccepted, event: Envelope
) -> None:
    """The members as digests; payees waiting for their holder get it, and their held payments
    are re-evaluated."""
    named = await holders.record_members(session, application_id=accepted.application_id,
                                         members=accepted.members)
    for holder_digest in named:
        await refresh_holds(session, holder_digest=holder_digest)


async def on_payee_decided(
    session: AsyncSession, decided: BeneficiaryApproved | TemporaryAidGranted, event: Envelope
) -> None:
    """The payee just made gets its holder: the head, or the one person of a personal
    benefit (R-DI-4)."""
    named = await holders.name_payee_holder(session, beneficiary_id=decided.beneficiary_id,
                                            member_ids=decided.member_ids)
    for holder_digest in named:
        await refresh_holds(session, holder_digest=holder_digest)


HANDLERS: dict[type[EventContract], Handler] = {
    ApplicationAccepted: on_application_accepted,
    BeneficiaryApproved: on_payee_decided,
    TemporaryAidGranted: on_payee_decided,
}
