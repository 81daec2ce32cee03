"""Rules of the one-card register (一卡通, R-DI-4): one active social-security card account
per person, its number sealed at rest (``shared.sealing``), shown masked, matched by a keyed
digest (``shared.digests.account_digest``); every register or close re-evaluates the holder's
unpaid payments (``payments.service.refresh_holds``)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from services.disbursement.accounts.models import AccountStatus, BankAccount
from services.disbursement.accounts.schemas import AccountIn, ReplacementIn
from services.disbursement.payments.service import refresh_holds
from shared.at_rest import keyring_of, open_at_rest, seal_at_rest
from shared.auth import User
from shared.clock import now_of
from shared.context import new_id
from shared.contracts.disbursement import (
    BankAccountClosed,
    BankAccountReadInFull,
    BankAccountRegistered,
)
from shared.digests import account_digest, normalise_account, person_digest
from shared.divisions import is_within, significant_prefix
from shared.inputs import Keyset, Window
from shared.masking import mask_bank_account, mask_name
from shared.outbox import emit
from shared.problems import Conflict, InvalidField
from shared.records import get_in_jurisdiction

ACCOUNTS = Keyset("bank-accounts", BankAccount.created_at.desc(), BankAccount.id.desc())
"""The order of the register's list and its cursors: the latest first."""


def account_context(account_id: str) -> str:
    """What a sealed number is bound to (``shared.at_rest``): it opens only in its own row."""
    return f"bank-account:{account_id}"


def number_of(session: AsyncSession, account: BankAccount) -> str:
    """The full number of an account, for finance's files and its logged read only."""
    return open_at_rest(session, "bank_account", account_context(account.id),
                        account.account_sealed)


def holder_digest_of(session: AsyncSession, id_number: str) -> str:
    """The digest a holder is matched by (``shared.digests.person_digest``)."""
    return person_digest(keyring_of(session), id_number)


async def _active_of(session: AsyncSession, holder_digest: str) -> BankAccount | None:
    return await session.scalar(select(BankAccount).where(
        BankAccount.holder_digest == holder_digest, BankAccount.status == AccountStatus.active)
        .with_for_update())


async def _new_account(session: AsyncSession, *, user: User, holder_digest: str,
                       holder_name_masked: str, division: str, bank_name: str, number: str,
                       replaces: str | None = None, account_id: str | None = None
                       ) -> BankAccount:
    number = normalise_account(number)
    digest = account_digest(keyring_of(session), number)
    taken = await session.scalar(select(BankAccount.id).where(
        BankAccount.account_digest == digest, BankAccount.status == AccountStatus.active))
    if taken is not None:
        raise Conflict(f"account {mask_bank_account(number)} is already registered and active "
                       f"(account {taken}): one card, one person", rule="R-DI-4")
    account_id = account_id or new_id()
    account = BankAccount(
        id=account_id, holder_digest=holder_digest, holder_name_masked=holder_name_masked,
        division=division, bank_name=bank_name,
        account_sealed=seal_at_rest(session, "bank_account", account_context(account_id),
                                    number),
        account_masked=mask_bank_account(number), account_digest=digest,
        status=AccountStatus.active, registered_by=user.user_id, created_at=now_of(session))
    try:  # the partial unique index decides between two registrations at once
        async with session.begin_nested():
            session.add(account)
            await session.flush()
    except IntegrityError:
        raise Conflict("the holder was given an active account at the same moment: read the "
                       "register and replace it if needed", rule="R-DI-4") from None
    await emit(session, BankAccountRegistered(
        account_id=account.id, holder_name_masked=holder_name_masked, division=division,
        bank_name=bank_name, account_number=number, account_masked=account.account_masked,
        replaces_account_id=replaces), subject=account.id, division=division)
    return account


async def register(session: AsyncSession, *, user: User, county: str, body: AccountIn
                   ) -> BankAccount:
    """Register a person's card account (R-DI-4); 409 when they already have an active one
    (replace it) or the number is another active account's. Their held payments are released."""
    if not is_within(body.division, county):
        raise InvalidField("division", f"{body.division} is not in county {county}, which this "
                           "installation serves")
    user.require_access(body.division)
    holder = holder_digest_of(session, body.id_number)
    active = await _active_of(session, holder)
    if active is not None:
        raise Conflict(f"the holder already has an active account ({active.account_masked}, "
                       f"account {active.id}): replace it instead", rule="R-DI-4",
                       account_id=active.id)
    account = await _new_account(
        session, user=user, holder_digest=holder, holder_name_masked=mask_name(body.name),
        division=body.division, bank_name=body.bank_name, number=body.account_number)
    await refresh_holds(session, holder_digest=holder)
    return account


async def _close(session: AsyncSession, account: BankAccount, *, user: User, reason: str,
                 replaced_by: str | None = None) -> None:
    number = number_of(session, account)
    account.status = AccountStatus.closed
    account.closed_at, account.closed_by, account.closed_reason = (
        now_of(session), user.user_id, reason)
    await session.flush()
    await emit(session, BankAccountClosed(
        account_id=account.id, holder_name_masked=account.holder_name_masked,
        division=account.division, bank_name=account.bank_name,
        account_number=number,
        account_masked=account.account_masked, reason=reason,
        replaced_by_account_id=replaced_by), subject=account.id, division=account.division)


async def _open_account(session: AsyncSession, user: User, account_id: str) -> BankAccount:
    account = await get_in_jurisdiction(session, BankAccount, account_id, user=user,
                                        missing=f"no bank account {account_id}",
                                        for_update=True)
    if account.status != AccountStatus.active:
        raise Conflict(f"account {account.account_masked} was closed on "
                       f"{account.closed_at:%Y-%m-%d} ({account.closed_reason})", rule="R-DI-4")
    return account


async def close(session: AsyncSession, *, user: User, account_id: str, reason: str
                ) -> BankAccount:
    """销户: payments to it are held, with the reason, until another is registered (R-DI-4)."""
    account = await _open_account(session, user, account_id)
    await _close(session, account, user=user, reason=reason)
    await refresh_holds(session, holder_digest=account.holder_digest)
    return account


async def replace(session: AsyncSession, *, user: User, account_id: str, body: ReplacementIn
                  ) -> BankAccount:
    """换卡: the account closed and the new one registered for the same holder, at once; unpaid
    payments move onto the new one (R-DI-4, R-DI-6)."""
    old = await _open_account(session, user, account_id)
    replacement_id = new_id()
    await _close(session, old, user=user, reason=body.reason, replaced_by=replacement_id)
    account = await _new_account(
        session, user=user, holder_digest=old.holder_digest,
        holder_name_masked=old.holder_name_masked, division=old.division,
        bank_name=body.bank_name, number=body.account_number, replaces=old.id,
        account_id=replacement_id)
    await refresh_holds(session, holder_digest=old.holder_digest)
    return account


async def read_in_full(session: AsyncSession, *, user: User, account_id: str, purpose: str
                       ) -> tuple[BankAccount, str]:
    """The full number for finance's screens (R-SE-2): the read is an event
    (``bank_account_read_in_full``, the purpose, never the number) in the same transaction as
    the answer, so the number never leaves unrecorded."""
    account = await get_in_jurisdiction(session, BankAccount, account_id, user=user,
                                        missing=f"no bank account {account_id}")
    number = number_of(session, account)
    await emit(session, BankAccountReadInFull(
        account_id=account.id, division=account.division, account_masked=account.account_masked,
        purpose=purpose), subject=account.id, division=account.division)
    return account, number


async def get(session: AsyncSession, *, user: User, account_id: str) -> BankAccount:
    return await get_in_jurisdiction(session, BankAccount, account_id, user=user,
                                     missing=f"no bank account {account_id}")


async def list_accounts(
    session: AsyncSession, *, user: User, status: AccountStatus | None = None,
    division: str | None = None, holder_digest: str | None = None, window: Window | None = None,
) -> Sequence[BankAccount]:
    """Accounts inside the user's divisions, the latest first (:data:`ACCOUNTS`)."""
    query = select(BankAccount).where(user.jurisdiction(BankAccount.division))
    if status is not None:
        query = query.where(BankAccount.status == status)
    if division is not None:
        query = query.where(BankAccount.division.startswith(significant_prefix(division)))
    if holder_digest is not None:
        query = query.where(BankAccount.holder_digest == holder_digest)
    query = (window or Window(ACCOUNTS, limit=100)).apply(query)
    return (await session.scalars(query)).all()
