"""Rules of the near-relative register (近亲属备案, R-AP-8): filing, flagging, recusal (回避).

Staff at every level file their near relatives; the ID number is kept only as a keyed digest
(``shared.digests``) and masked. Every review case keeps its household's digests
(``CaseMemberDigest``), made under every key of the installation, so a relative filed before or
after the case, before or after a key rotation, is found. A case whose household includes a
filed (not withdrawn) relative is flagged: its archive kept apart, the staff member refused on
every step (``require_no_conflict`` here, verification by ``case_flagged_near_relative``).
A withdrawal ends the filing for cases to come; cases flagged stay flagged.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import bindparam, insert, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from services.approval.cases.models import OPEN_STATUSES, CaseStatus, ReviewCase
from services.approval.cases.service import OpenedCase
from services.approval.relatives.models import (
    CaseMemberDigest,
    FlaggedCase,
    NearRelative,
    NearRelativeFlag,
    NearRelativeWithdrawal,
)
from services.approval.relatives.schemas import NearRelativeIn
from shared import direct, divisions
from shared.at_rest import keyring_of
from shared.auth import Role, User
from shared.clock import now_of
from shared.context import new_id
from shared.contracts.approval import (
    CaseFlaggedNearRelative,
    NearRelativeFiled,
    NearRelativeWithdrawn,
)
from shared.contracts.intake import ApplicationAccepted
from shared.db import lock_key, lock_until_commit
from shared.digests import digest_keys, id_digests
from shared.inputs import Keyset, Window
from shared.masking import mask_id_number, mask_name
from shared.outbox import emit
from shared.problems import (
    Conflict,
    Forbidden,
    InvalidField,
    NearRelativeRecusal,
    NotFound,
)

DIGEST_PURPOSE = "near-relative-id-digest"
"""What the key of the register's ID-number digests is derived for (``Keyring.derived_key``)."""
OFFICERS = frozenset({Role.county_officer, Role.city_officer, Role.auditor})
"""Who reads the register, the flagged cases and the violations of their jurisdiction."""
STAFF_LEVELS = ("city", "county", "township", "village")
FILINGS = Keyset("near-relatives", NearRelative.filed_at.desc(), NearRelative.id.desc())
FLAGGED = Keyset("near-relative-cases", FlaggedCase.flagged_at.desc(), FlaggedCase.case_id.desc())
REGISTER_LOCK = lock_key("assist-approval-near-relative-register")
"""A filing and an acceptance must each see the other (R-AP-8): the filing reads the cases'
digests, the acceptance the register, and under READ COMMITTED each could read before the other
commits and neither flag the case. An acceptance holds this lock shared from before its read of
the register to its commit, a filing holds it alone (``shared.db.lock_until_commit``)."""


# --- recusal (回避) ------------------------------------------------------------------------------


async def require_no_conflict(session: AsyncSession, *, case_id: str, user: User) -> None:
    """R-AP-8 回避: refuse (403 ``near-relative-recusal``) a staff member who filed a near
    relative in this case's household; call it on every staff step of a case."""
    flagged = await session.scalar(
        select(NearRelativeFlag.id).where(NearRelativeFlag.case_id == case_id,
                                          NearRelativeFlag.staff_user_id == user.user_id)
        .limit(1))
    if flagged is not None:
        raise NearRelativeRecusal(
            f"a near relative you filed is in the household of case {case_id}: you may take no "
            "part in it (R-AP-8)", case_id=case_id)


async def is_flagged(session: AsyncSession, case_id: str) -> bool:
    """R-AP-8: the case's household includes a filed near relative (re-checked every 6 months
    on the roll, R-DY-2)."""
    return await session.scalar(
        select(FlaggedCase.case_id).where(FlaggedCase.case_id == case_id)) is not None


# --- the register ------------------------------------------------------------------------------


def staff_level(division: str) -> str:
    """The level a staff member works at, from their division's code (R-AP-8: city, county,
    township or village)."""
    level = divisions.level(division)
    if level not in STAFF_LEVELS:
        raise InvalidField("staff_division", f"is a {level} code: staff file at city, county, "
                           "township or village level")
    return level


def _staff_of(user: User, body: NearRelativeIn) -> tuple[str, str, str]:
    """Whose relative it is: the caller's own, or (county officer) staff of their county."""
    staff_id = body.staff_user_id or user.user_id
    if staff_id != user.user_id:
        if user.role != Role.county_officer:
            raise Forbidden("only a county officer files near relatives for other staff; "
                            "file your own without `staff_user_id`")
        if body.staff_division is None:
            raise InvalidField("staff_division", "is required when filing for other staff")
        if body.staff_name is None:
            raise InvalidField("staff_name", "is required when filing for other staff")
        user.require_access(body.staff_division)
        return staff_id, body.staff_name, body.staff_division
    name = body.staff_name or user.name
    if name is None:
        raise InvalidField("staff_name", "is required: your token carries no name")
    if body.staff_division is not None:
        if body.staff_division not in user.divisions:
            raise InvalidField("staff_division", "is not one of your divisions "
                               f"({', '.join(user.divisions)})")
        return staff_id, name, body.staff_division
    if len(user.divisions) != 1:
        raise InvalidField("staff_division", "is required: you hold several divisions")
    return staff_id, name, user.divisions[0]


async def file_near_relative(session: AsyncSession, *, user: User, body: NearRelativeIn
                             ) -> NearRelative:
    """File a staff member's near relative (近亲属备案, R-AP-8) and flag the open cases and the
    roll whose household includes them."""
    staff_id, staff_name, staff_division = _staff_of(user, body)
    level = staff_level(staff_division)
    await lock_until_commit(session, REGISTER_LOCK)  # the cases' digests below: all committed
    keyring = keyring_of(session)
    digests = id_digests(digest_keys(keyring, DIGEST_PURPOSE), body.id_number)
    active = await session.scalar(
        select(NearRelative.id).where(
            NearRelative.staff_user_id == staff_id,
            tuple_(NearRelative.id_key_id, NearRelative.id_digest).in_(list(digests.items())),
            NearRelative.id.not_in(select(NearRelativeWithdrawal.near_relative_id))).limit(1))
    if active is not None:
        raise Conflict(f"this relative is filed already for {staff_id} ({active})",
                       near_relative_id=active)
    now = now_of(session)
    filing = NearRelative(
        id=new_id(), staff_user_id=staff_id, staff_name=staff_name, staff_level=level,
        staff_division=staff_division, relative_name=body.relative_name,
        relationship=body.relationship, id_digest=digests[keyring.current],
        id_key_id=keyring.current, id_masked=mask_id_number(body.id_number),
        filed_by=user.user_id, filed_at=now)
    session.add(filing)
    await session.flush()
    await emit(session, NearRelativeFiled(
        near_relative_id=filing.id, staff_user_id=staff_id, staff_name=staff_name,
        staff_level=level, staff_division=staff_division,
        relative_name_masked=mask_name(body.relative_name), relationship=body.relationship,
        id_number_masked=filing.id_masked, id_digest=filing.id_digest,
        id_key_id=filing.id_key_id, filed_by=user.user_id, filed_at=now,
    ), subject=filing.id, division=staff_division)
    await _flag_later(session, filing, digests)
    return filing


async def withdraw_near_relative(session: AsyncSession, *, user: User, near_relative_id: str,
                                 reason: str) -> NearRelative:
    """Withdraw a filing (撤回备案): a new record; the filing and its flags stay."""
    filing = await session.get(NearRelative, near_relative_id)
    if filing is None:
        raise NotFound(f"no near relative {near_relative_id}")
    if filing.staff_user_id != user.user_id:
        user.require_record(filing.staff_division, f"no near relative {near_relative_id}")
        if user.role != Role.county_officer:
            raise Forbidden("only the staff member or a county officer withdraws a filing")
    if await withdrawal_of(session, filing.id) is not None:
        raise Conflict(f"near relative {filing.id} is withdrawn already")
    now = now_of(session)
    session.add(NearRelativeWithdrawal(id=new_id(), near_relative_id=filing.id, reason=reason,
                                       withdrawn_by=user.user_id, withdrawn_at=now))
    await session.flush()
    await emit(session, NearRelativeWithdrawn(
        near_relative_id=filing.id, staff_user_id=filing.staff_user_id,
        staff_division=filing.staff_division, reason=reason, withdrawn_by=user.user_id,
        withdrawn_at=now), subject=filing.id, division=filing.staff_division)
    return filing


async def withdrawal_of(session: AsyncSession, near_relative_id: str
                         ) -> NearRelativeWithdrawal | None:
    return await session.scalar(select(NearRelativeWithdrawal).where(
        NearRelativeWithdrawal.near_relative_id == near_relative_id))


async def list_near_relatives(
    session: AsyncSession, *, user: User, staff_user_id: str | None = None,
    active: bool | None = None, window: Window | None = None,
) -> Sequence[NearRelative]:
    """Filings the user may read, newest first: officers and auditors those of their
    jurisdiction, every other staff member their own."""
    query = select(NearRelative)
    if user.role in OFFICERS:
        query = query.where(user.jurisdiction(NearRelative.staff_division))
    else:
        query = query.where(NearRelative.staff_user_id == user.user_id)
    if staff_user_id is not None:
        query = query.where(NearRelative.staff_user_id == staff_user_id)
    withdrawn = NearRelative.id.in_(select(NearRelativeWithdrawal.near_relative_id))
    if active is True:
        query = query.where(~withdrawn)
    elif active is False:
        query = query.where(withdrawn)
    return (await session.scalars((window or Window(FILINGS, limit=100)).apply(query))).all()


async def withdrawals_of(session: AsyncSession, ids: Iterable[str]
                         ) -> dict[str, NearRelativeWithdrawal]:
    """The withdrawals of these filings, by filing id."""
    ids = list(ids)
    if not ids:
        return {}
    rows = await session.scalars(select(NearRelativeWithdrawal).where(
        NearRelativeWithdrawal.near_relative_id.in_(ids)))
    return {w.near_relative_id: w for w in rows}


# --- flagging ------------------------------------------------------------------------------------


_MEMBER_DIGESTS = CaseMemberDigest.metadata.tables[CaseMemberDigest.__tablename__]
_REGISTER = NearRelative.metadata.tables[NearRelative.__tablename__]
_WITHDRAWALS = NearRelative.metadata.tables[NearRelativeWithdrawal.__tablename__]
KEEP_DIGEST = direct.Statement(insert(_MEMBER_DIGESTS).inline().values(
    {name: bindparam(name) for name in ("case_id", "application_id", "id_key_id",
                                        "id_digest")}))
"""A household member's digest kept with the case (its id the database's), on the driver."""
FILINGS_AMONG = direct.Statement(
    select(_REGISTER.c.id, _REGISTER.c.id_key_id, _REGISTER.c.id_digest).where(
        _REGISTER.c.id_key_id.in_(bindparam("key_ids", expanding=True)),
        _REGISTER.c.id_digest.in_(bindparam("digests", expanding=True)),
        _REGISTER.c.id.not_in(select(_WITHDRAWALS.c.near_relative_id))))
"""The filings (not withdrawn) whose key id and digest are among these: every acceptance
asks, on the driver (``shared.direct``, which takes lists, not lists of pairs); the caller
keeps those whose (key id, digest) pair is one of its own."""

async def record_household(session: AsyncSession, accepted: ApplicationAccepted, *,
                           case: ReviewCase | OpenedCase | None = None,
                           opened: bool = False) -> None:
    """R-AP-8 on acceptance: keep the household's ID-number digests with its review case and
    flag the case if a filed near relative is among them. Call it after the case is opened
    (``case``, if the caller has it; ``opened``: by this very transaction, so nothing of it
    can be recorded yet).

    The digests are plain rows written by one executemany on the driver (no ORM object each),
    and the register is asked on the driver for the ids of matching filings only; the filings
    themselves are read when there are any (seldom)."""
    if case is None:
        case = await session.scalar(
            select(ReviewCase).where(ReviewCase.application_id == accepted.application_id))
        if case is None:
            return
    if not opened:
        known = await session.scalar(select(CaseMemberDigest.id).where(
            CaseMemberDigest.case_id == case.id).limit(1))
        if known is not None:
            return  # recorded already (a redelivery)
    keys = digest_keys(keyring_of(session), DIGEST_PURPOSE)
    pairs = list(dict.fromkeys((kid, digest) for member in accepted.members
                               for kid, digest in id_digests(keys, member.id_number).items()))
    if not pairs:
        return
    await direct.run(session, KEEP_DIGEST, [
        {"case_id": case.id, "application_id": case.application_id, "id_key_id": kid,
         "id_digest": digest} for kid, digest in pairs])
    await lock_until_commit(session, REGISTER_LOCK, shared=True)  # once a transaction
    wanted = set(pairs)
    found = [row.id for row in await direct.fetch(session, FILINGS_AMONG, {
        "key_ids": list(keys), "digests": [digest for _kid, digest in pairs]})
        if (row.id_key_id, row.id_digest) in wanted]
    if not found:
        return
    filings = (await session.scalars(select(NearRelative).where(NearRelative.id.in_(found))
                                     .order_by(NearRelative.filed_at, NearRelative.id))).all()
    await _flag(session, case, filings, found_when="accepted")


async def _flag_later(session: AsyncSession, filing: NearRelative,
                      digests: dict[str, str]) -> None:
    """A relative filed after the fact: flag the open cases and those approved (on the roll)
    whose household includes them."""
    rows = (await session.execute(
        select(ReviewCase, CaseMemberDigest.id_key_id)
        .join(CaseMemberDigest, CaseMemberDigest.case_id == ReviewCase.id)
        .where(tuple_(CaseMemberDigest.id_key_id, CaseMemberDigest.id_digest)
               .in_(list(digests.items())),
               ReviewCase.status.in_([*OPEN_STATUSES, CaseStatus.approved]))
        .order_by(ReviewCase.opened_at, ReviewCase.id))).all()
    cases: dict[str, tuple[ReviewCase, set[str]]] = {}
    for case, kid in rows:
        cases.setdefault(case.id, (case, set()))[1].add(kid)
    for case, kids in cases.values():
        if filing.id_key_id not in kids:  # matched under an older key: keep it under this one
            session.add(CaseMemberDigest(case_id=case.id, application_id=case.application_id,
                                         id_key_id=filing.id_key_id, id_digest=filing.id_digest))
        await _flag(session, case, [filing], found_when="filed_later")


async def _flag(session: AsyncSession, case: ReviewCase | OpenedCase,
                filings: Iterable[NearRelative], *, found_when: str) -> None:
    """Flag the case for these filings (once each): archive apart, staff recused, event."""
    now = now_of(session)
    flagged = await session.get(FlaggedCase, case.id)
    if flagged is None:
        flagged = FlaggedCase(case_id=case.id, application_id=case.application_id,
                              application_number=case.application_number,
                              division=case.division, archive_apart=True, flagged_at=now)
        session.add(flagged)
        await session.flush()
    done = set((await session.scalars(select(NearRelativeFlag.near_relative_id).where(
        NearRelativeFlag.case_id == case.id))).all())
    new = [f for f in filings if f.id not in done]
    if not new:
        return
    session.add_all(NearRelativeFlag(
        id=new_id(), case_id=case.id, near_relative_id=f.id, staff_user_id=f.staff_user_id,
        found_when=found_when, flagged_at=now) for f in new)
    await session.flush()
    await emit(session, CaseFlaggedNearRelative(
        case_id=case.id, application_id=case.application_id,
        application_number=case.application_number, division=case.division,
        staff_user_ids=await recused_staff(session, case.id),
        found_when=found_when,
        archive_apart=flagged.archive_apart, flagged_at=now,
    ), subject=case.id, division=case.division)


async def recused_staff(session: AsyncSession, case_id: str) -> list[str]:
    """The staff members recused from a case (回避), in a stable order."""
    return sorted(set((await session.scalars(select(NearRelativeFlag.staff_user_id).where(
        NearRelativeFlag.case_id == case_id))).all()))


async def list_flagged_cases(session: AsyncSession, *, user: User, window: Window | None = None
                             ) -> Sequence[FlaggedCase]:
    """Flagged cases of the user's jurisdiction, newest first, for the county's spot checks
    (R-AP-8)."""
    query = select(FlaggedCase).where(user.jurisdiction(FlaggedCase.division))
    return (await session.scalars((window or Window(FLAGGED, limit=100)).apply(query))).all()


async def details_of(session: AsyncSession, case_ids: Sequence[str]
                     ) -> dict[str, tuple[str | None, list[str]]]:
    """Each flagged case's status and the staff recused from it."""
    if not case_ids:
        return {}
    statuses = dict((await session.execute(select(ReviewCase.id, ReviewCase.status).where(
        ReviewCase.id.in_(case_ids)))).all())
    staff: dict[str, set[str]] = {}
    for case_id, staff_id in (await session.execute(
            select(NearRelativeFlag.case_id, NearRelativeFlag.staff_user_id).where(
                NearRelativeFlag.case_id.in_(case_ids)))).all():
        staff.setdefault(case_id, set()).add(staff_id)
    return {c: (statuses.get(c), sorted(staff.get(c, ()))) for c in case_ids}
