"""Rules of the three-way reconciliation (三方对账, R-DI-7).

For a township's payment month P: the system's payments (what was approved to be paid), the
finance allocation details (财政拨付明细) and the bank's payment details (银行发放明细) are staged
side by side — the files' accounts as keyed digests, never in clear — and compared person by
person in SQL, by the payment id every file carries as its reference. Every difference is kept
by kind, for each file against the system: missing, extra, amount differs, account differs,
paid twice. The result is signed off by the handler, then the township leader, then the county
officer, each a different person, each an event."""

from __future__ import annotations

from collections.abc import Iterable
from typing import IO, Any

from sqlalchemy import and_, case, func, insert, literal, null, or_, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from services.disbursement.accounts.models import BankAccount
from services.disbursement.bank_files import formats
from services.disbursement.bank_files.formats import FileFault, LineReader
from services.disbursement.bank_files.service import BATCH, Digest, FileRefused, sha256_of
from services.disbursement.payments.models import MAX_ATTEMPTS, Payment, PaymentStatus
from services.disbursement.reconciliation.models import (
    DifferenceKind,
    Reconciliation,
    ReconciliationDifference,
    ReconciliationEntry,
    ReconciliationSignoff,
    ReconciliationStatus,
    Side,
    SignoffStep,
)
from shared.auth import Role, User
from shared.bulk import analyze, insert_rows
from shared.clock import now_of
from shared.context import new_id
from shared.contracts.disbursement import ReconciliationCompared, ReconciliationSigned
from shared.inputs import Keyset, Window
from shared.outbox import emit
from shared.problems import Conflict, Forbidden, FourEyes, InvalidField
from shared.records import get_in_jurisdiction

RECONCILIATIONS = Keyset("reconciliations", Reconciliation.created_at.desc(),
                         Reconciliation.id.desc())
DIFFERENCES = Keyset("reconciliation-differences", ReconciliationDifference.id.asc())

SYSTEM = "system"
"""The side of the staged entries that are the system's own payments."""

COMPARED = (PaymentStatus.ready, PaymentStatus.sent, PaymentStatus.paid, PaymentStatus.failed)
"""The payments the system approved to be paid in P (a held one is not payable yet; one held
after the bank failed it twice was sent, and is compared as a failed one)."""

STEPS: tuple[tuple[SignoffStep, frozenset[Role], ReconciliationStatus, ReconciliationStatus],
             ...] = (
    (SignoffStep.handler, frozenset({Role.finance_officer, Role.caseworker}),
     ReconciliationStatus.compared, ReconciliationStatus.handler_signed),
    (SignoffStep.township, frozenset({Role.township_leader}),
     ReconciliationStatus.handler_signed, ReconciliationStatus.township_signed),
    (SignoffStep.county, frozenset({Role.county_officer}),
     ReconciliationStatus.township_signed, ReconciliationStatus.county_signed),
)
"""R-DI-7: who signs at each step, and in which state the reconciliation must be."""

ENTRY_COLUMNS = ("reconciliation_id", "side", "line", "reference", "account_digest",
                 "amount_fen", "paid_on")


class SignoffOutOfOrder(Conflict):
    slug = "signoff-out-of-order"
    title = "The reconciliation is signed off in order: handler, township leader, county"


# --- comparing ---------------------------------------------------------------------------


async def _stage(session: AsyncSession, reader: LineReader, *, reconciliation_id: str,
                 side: Side, digest: Digest) -> None:
    """The file's lines into the staging table in batches, accounts as keyed digests."""
    batch: list[tuple[Any, ...]] = []
    table = ReconciliationEntry.__table__
    for line in reader:
        batch.append((reconciliation_id, side.value, line.line, line.reference,
                      digest(line.account), line.amount_fen, line.day))
        if len(batch) >= BATCH * 4:
            await insert_rows(session, table, ENTRY_COLUMNS, batch)  # type: ignore[arg-type]
            batch = []
    await insert_rows(session, table, ENTRY_COLUMNS, batch)  # type: ignore[arg-type]


def _title_faults(reader: LineReader, *, division: str, month: str) -> None:
    if reader.title is not None and reader.title.kind == reader.kind and \
            reader.title.fields and reader.title.fields != (division, month):
        reader.faults.add(1, f"the file is of {', '.join(reader.title.fields)}, not of "
                          f"{division}, {month}")


async def _stage_system(session: AsyncSession, *, reconciliation_id: str, division: str,
                        month: str) -> None:
    """The system's payments of the month, staged beside the files (one statement)."""
    await session.execute(insert(ReconciliationEntry).from_select(
        list(ENTRY_COLUMNS),
        select(literal(reconciliation_id), literal(SYSTEM),
               func.row_number().over(order_by=Payment.id), Payment.id,
               BankAccount.account_digest, Payment.amount_fen, null())
        .join(BankAccount, BankAccount.id == Payment.account_id)
        .where(Payment.month == month, Payment.division.startswith(division),
               or_(Payment.status.in_(COMPARED),  # or held after failing twice (R-DI-6)
                   and_(Payment.status == PaymentStatus.held,
                        Payment.attempts >= MAX_ATTEMPTS)))))


def _pivot(reconciliation_id: str) -> Any:
    """Every reference with what each side says of it, in one pass over the staged rows in the
    index's order (a full outer join of the three sides by aggregation); only the references
    on which the sides disagree are kept."""
    e = ReconciliationEntry

    def of(side: str, value: Any) -> Any:
        return case((e.side == side, value), else_=None)

    def count(side: str) -> Any:
        return func.sum(case((e.side == side, 1), else_=0))

    columns = [e.reference.label("reference"), count(SYSTEM).label("s_n"),
               func.max(of(SYSTEM, e.amount_fen)).label("s_fen"),
               func.max(of(SYSTEM, e.account_digest)).label("s_account")]
    for side in Side:
        columns += [count(side.value).label(f"{side.value}_n"),
                    func.sum(of(side.value, e.amount_fen)).label(f"{side.value}_fen"),
                    func.max(of(side.value, e.account_digest)).label(f"{side.value}_account")]
    p = {c.key: c for c in columns}
    agreed = [and_(p[f"{side.value}_n"] == 1, p[f"{side.value}_fen"] == p["s_fen"],
                   p[f"{side.value}_account"] == p["s_account"]) for side in Side]
    return (select(*columns).where(e.reconciliation_id == reconciliation_id)
            .group_by(e.reference)
            .having(~and_(p["s_n"] == 1, *agreed)).subquery("pivot"))


def _kinds() -> Any:
    """The (side, kind) pairs a reference is checked for: ten rows."""
    pairs = [select(literal(side.value).label("side"), literal(kind.value).label("kind"))
             for side in Side for kind in DifferenceKind]
    return union_all(*pairs).subquery("kinds")


async def _compare(session: AsyncSession, reconciliation_id: str) -> None:
    """R-DI-7: every difference between each file and the system, person by person, by one
    statement: the references on which the sides disagree, each with the kinds it shows."""
    p, k = _pivot(reconciliation_id), _kinds()

    def per_side(name: str) -> Any:
        return case(*((k.c.side == side.value, p.c[f"{side.value}_{name}"]) for side in Side))

    n, fen, account = per_side("n"), per_side("fen"), per_side("account")
    in_system = p.c.s_n > 0
    shows = or_(
        and_(k.c.kind == DifferenceKind.missing.value, in_system, n == 0),
        and_(k.c.kind == DifferenceKind.extra.value, ~in_system, n > 0),
        and_(k.c.kind == DifferenceKind.paid_twice.value, n > 1),
        and_(k.c.kind == DifferenceKind.amount_differs.value, in_system, n == 1,
             fen != p.c.s_fen),
        and_(k.c.kind == DifferenceKind.account_differs.value, in_system, n == 1,
             account != p.c.s_account))
    await session.execute(insert(ReconciliationDifference).from_select(
        ["reconciliation_id", "side", "kind", "reference", "payment_id", "name_masked",
         "account_masked", "system_fen", "file_fen", "lines"],
        select(literal(reconciliation_id), k.c.side, k.c.kind, p.c.reference,
               case((in_system, p.c.reference), else_=None), Payment.name_masked,
               Payment.account_masked, p.c.s_fen, fen, n)
        .select_from(p).join(k, shows)
        .outerjoin(Payment, and_(in_system, Payment.id == p.c.reference))
        .order_by(k.c.side, k.c.kind, p.c.reference)))


async def reconcile(
    session: AsyncSession, *, user: User, division: str, month: str, finance: IO[bytes],
    bank: IO[bytes], digest: Digest,
) -> Reconciliation:
    """R-DI-7: stage finance's and the bank's files for a township's month beside the
    system's payments, compare them person by person and keep every difference by kind. A file
    with any fault is refused whole (422 ``file-refused``, its lines listed), nothing kept."""
    if len(division) != 9:
        raise InvalidField("division", "a reconciliation is a township's: give its 9 digits")
    user.require_access(division)
    now = now_of(session)
    reconciliation_id = new_id()
    readers: dict[Side, LineReader] = {}
    sums: dict[Side, str] = {}
    for side, source, read in ((Side.finance, finance, formats.allocation_reader),
                               (Side.bank, bank, formats.statement_reader)):
        sums[side], _ = sha256_of(source)
        fmt = formats.sniff_format(source.read(4))
        source.seek(0)
        reader = readers[side] = read(source, fmt)
        await _stage(session, reader, reconciliation_id=reconciliation_id, side=side,
                     digest=digest)
        _title_faults(reader, division=division, month=month)
    refused = [(side, r) for side, r in readers.items() if r.faults]
    if refused:
        side, reader = refused[0]
        raise FileRefused(f"the {side.value} file is refused whole: nothing was kept",
                          FileFault(sorted(reader.faults.kept, key=lambda f: f.line),
                                    more=reader.faults.more), file=side.value)
    await _stage_system(session, reconciliation_id=reconciliation_id, division=division,
                        month=month)
    await analyze(session, ReconciliationEntry.__table__)  # type: ignore[arg-type]
    await _compare(session, reconciliation_id)
    system_rows, system_fen = (await session.execute(
        select(func.count(), func.coalesce(func.sum(ReconciliationEntry.amount_fen), 0))
        .where(ReconciliationEntry.reconciliation_id == reconciliation_id,
               ReconciliationEntry.side == SYSTEM))).one()
    counted = {f"{r.side}.{r.kind}": r.n for r in (await session.execute(
        select(ReconciliationDifference.side, ReconciliationDifference.kind,
               func.count().label("n"))
        .where(ReconciliationDifference.reconciliation_id == reconciliation_id)
        .group_by(ReconciliationDifference.side, ReconciliationDifference.kind))).all()}
    record = Reconciliation(
        id=reconciliation_id, division=division, month=month,
        status=ReconciliationStatus.compared, system_rows=system_rows, system_fen=system_fen,
        finance_rows=readers[Side.finance].count, finance_fen=readers[Side.finance].total_fen,
        finance_sha256=sums[Side.finance], bank_rows=readers[Side.bank].count,
        bank_fen=readers[Side.bank].total_fen, bank_sha256=sums[Side.bank],
        differences=sum(counted.values()), created_by=user.user_id, created_at=now)
    session.add(record)
    await session.flush()
    await emit(session, ReconciliationCompared(
        reconciliation_id=reconciliation_id, division=division, month=month,
        system_rows=system_rows, system_fen=system_fen, finance_rows=record.finance_rows,
        finance_fen=record.finance_fen, finance_sha256=record.finance_sha256,
        bank_rows=record.bank_rows, bank_fen=record.bank_fen, bank_sha256=record.bank_sha256,
        differences=counted, created_by=user.user_id, created_at=now,
    ), subject=reconciliation_id, division=division)
    return record


# --- reading ------------------------------------------------------------------------------


async def get_reconciliation(session: AsyncSession, *, user: User, reconciliation_id: str,
                             for_update: bool = False) -> Reconciliation:
    return await get_in_jurisdiction(session, Reconciliation, reconciliation_id, user=user,
                                     missing=f"no reconciliation {reconciliation_id}",
                                     for_update=for_update)


async def summary_of(session: AsyncSession, record: Reconciliation
                     ) -> tuple[dict[str, dict[str, int]], list[ReconciliationSignoff]]:
    """The differences counted by side and kind, and the sign-offs so far."""
    counts: dict[str, dict[str, int]] = {s.value: {k.value: 0 for k in DifferenceKind}
                                         for s in Side}
    for r in (await session.execute(
            select(ReconciliationDifference.side, ReconciliationDifference.kind,
                   func.count().label("n"))
            .where(ReconciliationDifference.reconciliation_id == record.id)
            .group_by(ReconciliationDifference.side, ReconciliationDifference.kind))).all():
        counts[r.side][r.kind] = r.n
    signoffs = list((await session.scalars(
        select(ReconciliationSignoff)
        .where(ReconciliationSignoff.reconciliation_id == record.id)
        .order_by(ReconciliationSignoff.signed_at))).all())
    return counts, signoffs


async def list_reconciliations(session: AsyncSession, *, user: User, month: str | None,
                               window: Window) -> list[Reconciliation]:
    query = select(Reconciliation).where(user.jurisdiction(Reconciliation.division))
    if month is not None:
        query = query.where(Reconciliation.month == month)
    return list((await session.scalars(window.apply(query))).all())


async def list_differences(session: AsyncSession, *, user: User, reconciliation_id: str,
                           side: Side | None, kind: DifferenceKind | None, window: Window
                           ) -> list[ReconciliationDifference]:
    await get_reconciliation(session, user=user, reconciliation_id=reconciliation_id)
    query = select(ReconciliationDifference).where(
        ReconciliationDifference.reconciliation_id == reconciliation_id)
    if side is not None:
        query = query.where(ReconciliationDifference.side == side)
    if kind is not None:
        query = query.where(ReconciliationDifference.kind == kind)
    return list((await session.scalars(window.apply(query))).all())


# --- signing off ---------------------------------------------------------------------------


def next_step(status: str) -> tuple[SignoffStep, frozenset[Role]] | None:
    """The step a reconciliation in ``status`` waits for, and who may sign it."""
    for step, roles, before, _ in STEPS:
        if before == status:
            return step, roles
    return None


def check_signoff(*, status: str, role: str, user_id: str, signed_by: Iterable[str]
                  ) -> tuple[SignoffStep, ReconciliationStatus]:
    """R-DI-7: the step ``role`` signs now, in order (409 ``signoff-out-of-order``), by a
    person who has not signed it before (403 ``four-eyes``)."""
    waiting = next_step(status)
    if waiting is None:
        raise SignoffOutOfOrder("the reconciliation is signed off at every level already")
    step, roles = waiting
    if role not in roles:
        raise SignoffOutOfOrder(
            f"the reconciliation waits for the {step.value} sign-off "
            f"({' or '.join(sorted(roles))}), not a {role}'s")
    if user_id in set(signed_by):
        raise FourEyes("each level is signed by a different person: you signed it already "
                       "(R-DI-7)")
    after = next(a for s, _, _, a in STEPS if s == step)
    return step, after


async def sign_off(session: AsyncSession, *, user: User, reconciliation_id: str,
                   note: str | None) -> Reconciliation:
    """R-DI-7: sign the reconciliation at the next level, in order, a different person at each;
    emits ``reconciliation_signed``."""
    record = await get_reconciliation(session, user=user, reconciliation_id=reconciliation_id,
                                      for_update=True)
    signed = (await session.scalars(select(ReconciliationSignoff.signed_by).where(
        ReconciliationSignoff.reconciliation_id == record.id))).all()
    if user.role not in {r.value for _, roles, _, _ in STEPS for r in roles}:
        raise Forbidden(f"a {user.role} does not sign reconciliations")
    step, after = check_signoff(status=record.status, role=user.role, user_id=user.user_id,
                                signed_by=signed)
    now = now_of(session)
    session.add(ReconciliationSignoff(reconciliation_id=record.id, step=step,
                                      signed_by=user.user_id, role=user.role, note=note,
                                      signed_at=now))
    record.status = after
    await session.flush()
    await emit(session, ReconciliationSigned(
        reconciliation_id=record.id, division=record.division, month=record.month,
        step=step.value, status=after.value, signed_by=user.user_id, role=str(user.role),
        note=note, signed_at=now,
    ), subject=record.id, division=record.division)
    return record
