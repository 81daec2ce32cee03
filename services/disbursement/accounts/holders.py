"""Who is paid (R-DI-4): a household benefit to the head's card (一户一卡), a personal one to the
person's own. Disbursement learns the members of an application from intake's
``application_accepted`` and keeps only the keyed digest of each ID number
(``shared.digests.person_digest``); a payee's holder is named when the payee is made or, if the
members arrive later, by one set-based UPDATE per application."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.disbursement.accounts.models import HolderMember
from services.disbursement.beneficiaries.models import Payee
from shared.at_rest import keyring_of
from shared.clock import now_of
from shared.contracts.intake import MemberIdentified
from shared.db import upsert_insert
from shared.digests import person_digest
from shared.masking import mask_name

HEAD = "head"
"""The relationship intake gives the head of household (户主)."""


def holder_of(unit: str, member_ids: Sequence[str] | None) -> str | None:
    """The member a personal benefit is paid to, when the decision names one person; None when
    it is the head's (a household benefit, or a personal one without a named person)."""
    if unit == "person" and member_ids is not None and len(member_ids) == 1:
        return member_ids[0]
    return None


async def record_members(session: AsyncSession, *, application_id: str,
                         members: Sequence[MemberIdentified]) -> list[str]:
    """Keep an accepted application's members as digests, once (a replay adds nothing), and name
    the holders of its payees that were waiting for them. The holders' digests newly named."""
    if members:
        keyring, now = keyring_of(session), now_of(session)
        await session.execute(upsert_insert(session, HolderMember).values([{
            "application_id": application_id, "member_id": m.member_id,
            "relationship": m.relationship[:30], "id_digest": person_digest(keyring, m.id_number),
            "name_masked": mask_name(m.name), "recorded_at": now} for m in members],
        ).on_conflict_do_nothing(index_elements=["application_id", "member_id"]))
    return await name_holders(session, application_id=application_id)


async def name_holders(session: AsyncSession, *, application_id: str) -> list[str]:
    """Set-based: every payee of the application without a holder gets the head (for a
    household benefit, or a personal one with no person named), then every payee whose holder
    member is known gets that member's digest. The digests newly set."""
    head = (select(HolderMember.member_id)
            .where(HolderMember.application_id == Payee.application_id,
                   HolderMember.relationship == HEAD)
            .order_by(HolderMember.member_id).limit(1).scalar_subquery())
    await session.execute(
        update(Payee).where(Payee.application_id == application_id,
                            Payee.holder_member_id.is_(None))
        .values(holder_member_id=head).execution_options(synchronize_session=False))
    digest = (select(HolderMember.id_digest)
              .where(HolderMember.application_id == Payee.application_id,
                     HolderMember.member_id == Payee.holder_member_id)
              .scalar_subquery())
    named = await session.execute(
        update(Payee).where(Payee.application_id == application_id,
                            Payee.holder_digest.is_(None), Payee.holder_member_id.is_not(None))
        .values(holder_digest=digest, updated_at=now_of(session))
        .returning(Payee.holder_digest).execution_options(synchronize_session=False))
    return sorted({d for (d,) in named.all() if d is not None})


async def name_payee_holder(session: AsyncSession, *, beneficiary_id: str,
                            member_ids: Sequence[str] | None) -> list[str]:
    """The payee just made from a decision: its holder named now if the members are known
    (else when ``application_accepted`` arrives). The digests newly set."""
    payee = await session.scalar(select(Payee).where(Payee.beneficiary_id == beneficiary_id))
    if payee is None:
        return []  # a program that pays nothing (near-dibao)
    if payee.holder_member_id is None:
        payee.holder_member_id = holder_of(payee.unit, member_ids)
        await session.flush()
    digests = await name_holders(session, application_id=payee.application_id)
    await session.refresh(payee, ["holder_member_id", "holder_digest", "updated_at"])
    return digests
