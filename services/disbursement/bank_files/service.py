"""Rules of payment files and bank results (R-DI-6): set-based, streaming, whole or nothing.

A payment file takes the ready payments of a county's month (or its temporary aid ready now),
moves them to sent in one statement (``attempts`` + 1, ``file_id``) and lists them with the
account numbers in full, a count/total line and a SHA-256. The bank's result file is checked
whole against what was sent, then applied in a few statements: paid, or failed with the reason;
a payment that fails a second time is held for manual handling (status ``held``, the bank's
reason in ``hold_reason``, one ``payments_held`` event per result): no account correction makes
it ready again (``payments.service.reassess`` leaves a payment sent ``MAX_ATTEMPTS`` times
alone) and no payment file takes it a third time."""

from __future__ import annotations

import hashlib
import itertools
import tempfile
from collections.abc import Callable
from typing import IO, Any

from sqlalchemy import and_, case, exists, func, insert, literal, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.disbursement.accounts.models import AccountStatus, BankAccount
from services.disbursement.bank_files import formats
from services.disbursement.bank_files.formats import FileFault, FileFormat, PaymentFileHead
from services.disbursement.bank_files.models import (
    BankResult,
    BankResultLine,
    PaymentFile,
    PaymentFileKind,
    PaymentFileLine,
)
from services.disbursement.payments.models import MAX_ATTEMPTS, Payment, PaymentKind, PaymentStatus
from shared.auth import User
from shared.clock import now_of
from shared.context import new_id
from shared.contracts.disbursement import (
    BankResultApplied,
    FailedPayment,
    HeldPayment,
    PaymentFileMade,
    PaymentsHeld,
)
from shared.inputs import Keyset, Window
from shared.outbox import emit
from shared.problems import Conflict, NotFound, Problem

PAYMENT_FILES = Keyset("payment_files", PaymentFile.made_at.desc(), PaymentFile.id.desc())
BANK_RESULTS = Keyset("bank_results", BankResult.received_at.desc(), BankResult.id.desc())

BATCH = 5000
"""Rows read, written or inserted per round trip."""

OpenNumber = Callable[[str, str], str]
"""(account id, sealed number) → the account number in full (the register's seal opened)."""

Digest = Callable[[str], str]
"""An account number → its keyed digest (as ``bank_account.account_digest``)."""


class NothingToPay(Conflict):
    slug = "nothing-to-pay"
    title = "No ready payment to put in a payment file"


class FileRefused(Problem):
    """A file refused whole: ``faults`` lists each line and its reason; nothing changed."""

    status, slug, title = 422, "file-refused", "The file is refused whole: nothing changed"

    def __init__(self, detail: str, fault: FileFault, **extensions: Any) -> None:
        super().__init__(detail, faults=[{"line": f.line, "reason": f.reason}
                                         for f in fault.faults], more_faults=fault.more,
                         **extensions)


class FileDamaged(Problem):
    status, slug, title = 500, "payment-file-damaged", "A payment file no longer gives its bytes"


# --- the payment file out ------------------------------------------------------------------


def _payable(*, county: str, kind: PaymentFileKind, month: str) -> list[Any]:
    """Ready payments of a county that may go to the bank now: paid from the treasury (not the
    township's reserve, R-DI-9), to an active account, sent fewer than ``MAX_ATTEMPTS`` times."""
    active = exists().where(BankAccount.id == Payment.account_id,
                            BankAccount.status == AccountStatus.active)
    when = (and_(Payment.kind == PaymentKind.monthly, Payment.month == month)
            if kind == PaymentFileKind.monthly
            else and_(Payment.kind == PaymentKind.once, Payment.month <= month))
    return [Payment.status == PaymentStatus.ready, Payment.division.startswith(county),
            Payment.source == "treasury", Payment.attempts < MAX_ATTEMPTS,
            Payment.account_id.is_not(None), active, when]


async def make_payment_file(
    session: AsyncSession, *, user: User, county: str, kind: PaymentFileKind, month: str,
    fmt: FileFormat, open_number: OpenNumber,
) -> tuple[PaymentFile, IO[bytes]]:
    """R-DI-6: the county's ready payments of ``month`` (temporary aid: ready now, granted in
    ``month`` or before) in one payment file, each moved to sent once; 409 ``nothing-to-pay``
    when none is ready. The file's bytes come back in a temporary file (the caller closes it)."""
    user.require_access(county)
    now = now_of(session)
    file_id = new_id()
    moved = await session.execute(
        update(Payment).where(*_payable(county=county, kind=kind, month=month))
        .values(status=PaymentStatus.sent, attempts=Payment.attempts + 1, file_id=file_id,
                updated_at=now)
        .execution_options(synchronize_session=False))
    if not moved.rowcount:  # type: ignore[attr-defined]
        raise NothingToPay(f"no payment of county {county} is ready for a {kind} payment file "
                           f"of {month}")
    line = func.row_number().over(order_by=(Payment.division, Payment.id))
    await session.execute(insert(PaymentFileLine).from_select(
        ["file_id", "line", "payment_id", "account_id", "account_digest", "amount_fen",
         "program", "name_masked", "division"],
        select(literal(file_id), line, Payment.id, Payment.account_id,
               BankAccount.account_digest, Payment.amount_fen, Payment.program,
               Payment.name_masked, Payment.division)
        .join(BankAccount, BankAccount.id == Payment.account_id)
        .where(Payment.file_id == file_id, Payment.status == PaymentStatus.sent)))
    rows, total = (await session.execute(
        select(func.count(), func.coalesce(func.sum(PaymentFileLine.amount_fen), 0))
        .where(PaymentFileLine.file_id == file_id))).one()
    record = PaymentFile(id=file_id, county=county, kind=kind, month=month, format=fmt,
                         rows=rows, total_fen=total, sha256="", size=0, made_by=user.user_id,
                         made_at=now, answered=0)
    out = await write_payment_file(session, record, open_number)
    record.sha256, record.size = sha256_of(out)
    session.add(record)
    await session.flush()
    await emit(session, PaymentFileMade(
        file_id=file_id, county=county, kind=kind, month=month, format=fmt, rows=rows,
        total_fen=total, sha256=record.sha256, made_by=user.user_id, made_at=now,
    ), subject=file_id, division=county)
    return record, out


async def write_payment_file(session: AsyncSession, record: PaymentFile,
                             open_number: OpenNumber) -> IO[bytes]:
    """The payment file's bytes from its kept lines (the same bytes every time), streamed from
    the database a batch at a time into a temporary file."""
    out = tempfile.TemporaryFile()
    try:
        sink = formats.sink_for(record.format, out, made_at=record.made_at)  # type: ignore[arg-type]
        head = PaymentFileHead(record.id, record.county, record.month, record.kind,
                               record.made_at)
        sink.write([formats.payment_title(head), list(formats.PAYMENT_COLUMNS)])
        query = (select(PaymentFileLine.line, PaymentFileLine.payment_id,
                        PaymentFileLine.account_id, BankAccount.account_sealed,
                        PaymentFileLine.amount_fen, PaymentFileLine.program,
                        PaymentFileLine.name_masked, PaymentFileLine.division)
                 .join(BankAccount, BankAccount.id == PaymentFileLine.account_id)
                 .where(PaymentFileLine.file_id == record.id)
                 .order_by(PaymentFileLine.line)
                 .execution_options(yield_per=BATCH))
        count = total = 0
        stream = await session.stream(query)
        async for part in stream.partitions(BATCH):
            cells = []
            for r in part:
                count += 1
                total += r.amount_fen
                cells.append(formats.payment_cells(formats.PaymentLine(
                    r.line, r.payment_id, open_number(r.account_id, r.account_sealed),
                    r.amount_fen, r.program, r.name_masked, r.division)))
            sink.write(cells)
        sink.write([formats.total_cells(count, total)])
        sink.close()
        out.seek(0)
    except BaseException:
        out.close()
        raise
    return out


def sha256_of(out: IO[bytes]) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    out.seek(0)
    while chunk := out.read(1 << 20):
        digest.update(chunk)
        size += len(chunk)
    out.seek(0)
    return digest.hexdigest(), size


async def get_payment_file(session: AsyncSession, *, user: User, file_id: str) -> PaymentFile:
    """A payment file of the caller's divisions; 404 otherwise (R-SE-1)."""
    record = await session.get(PaymentFile, file_id)
    missing = f"no payment file {file_id}"
    if record is None:
        raise NotFound(missing)
    user.require_record(record.county, missing)
    return record


async def payment_file_again(session: AsyncSession, *, user: User, file_id: str,
                             open_number: OpenNumber) -> tuple[PaymentFile, IO[bytes]]:
    """A payment file made before, its bytes again (checked against its SHA-256)."""
    record = await get_payment_file(session, user=user, file_id=file_id)
    out = await write_payment_file(session, record, open_number)
    sha256, _ = sha256_of(out)
    if sha256 != record.sha256:
        out.close()
        raise FileDamaged(f"payment file {file_id} no longer gives the bytes of SHA-256 "
                          f"{record.sha256}: its lines or accounts were changed")
    return record, out


async def list_payment_files(session: AsyncSession, *, user: User, month: str | None,
                             window: Window) -> list[PaymentFile]:
    query = select(PaymentFile).where(user.jurisdiction(PaymentFile.county))
    if month is not None:
        query = query.where(PaymentFile.month == month)
    return list((await session.scalars(window.apply(query))).all())


# --- the bank's result file in --------------------------------------------------------------


async def apply_bank_result(
    session: AsyncSession, *, user: User, source: IO[bytes], digest: Digest,
) -> tuple[BankResult, bool]:
    """R-DI-6: the bank's result file (银行回盘) for a payment file, checked whole (422
    ``file-refused`` listing every line at fault: another file's or county's, malformed,
    unknown payment, amount or account not what was sent, duplicate, wrong count/total), then
    applied in a few statements. The same bytes again change nothing (False)."""
    sha256, _ = sha256_of(source)
    head = source.read(4)
    source.seek(0)
    fmt = formats.sniff_format(head)
    reader = formats.result_reader(source, fmt)
    result_id = new_id()
    lines = iter(reader)
    first = next(lines, None)
    title = reader.title
    file_id = title.fields[0] if title is not None and title.fields else ""
    if reader.faults and first is None:
        raise FileRefused("the bank result file cannot be read", FileFault(reader.faults.kept))
    record = await session.get(PaymentFile, file_id, with_for_update=True) if file_id else None
    if record is None or not user.can_access(record.county):
        raise FileRefused("the bank result file names no payment file of yours",
                          FileFault([formats.Fault(1, f"payment file {file_id[:32]!r} is "
                                                   "unknown here (another county's file?)")]))
    done = await session.scalar(select(BankResult).where(BankResult.file_id == file_id,
                                                         BankResult.sha256 == sha256))
    if done is not None:
        return done, False
    if first is None and not reader.faults:
        raise FileRefused("the bank result file answers no payment", FileFault(
            [formats.Fault(3, "no payment line: a result file answers at least one payment")]))
    batch: list[dict[str, Any]] = []
    for line in itertools.chain([first] if first is not None else [], lines):
        batch.append({"result_id": result_id, "line": line.line, "payment_id": line.reference,
                      "account_digest": digest(line.account), "amount_fen": line.amount_fen,
                      "result": line.result, "reason": line.reason})
        if len(batch) >= BATCH:
            await session.execute(insert(BankResultLine), batch)
            batch = []
    if batch:
        await session.execute(insert(BankResultLine), batch)
    faults = reader.faults
    for number, reason in await _mismatches(session, result_id=result_id, file_id=file_id):
        faults.add(number, reason)
    if faults:
        raise FileRefused(f"the bank result file for payment file {file_id} is refused whole",
                          FileFault(sorted(faults.kept, key=lambda f: f.line), more=faults.more))
    return await _apply(session, user=user, record=record, result_id=result_id,
                        sha256=sha256, fmt=fmt, rows=reader.count, total=reader.total_fen), True


async def _mismatches(session: AsyncSession, *, result_id: str, file_id: str
                      ) -> list[tuple[int, str]]:
    """The result's lines that do not answer a line of the payment file as sent, by SQL."""
    sent = PaymentFileLine
    query = (
        select(BankResultLine.line, BankResultLine.payment_id, sent.line.label("sent_line"),
               sent.amount_fen, sent.result.label("answered"),
               (sent.account_digest == BankResultLine.account_digest).label("same_account"),
               BankResultLine.amount_fen.label("got_fen"))
        .outerjoin(sent, and_(sent.file_id == file_id,
                              sent.payment_id == BankResultLine.payment_id))
        .where(BankResultLine.result_id == result_id)
        .where((sent.line.is_(None)) | (sent.amount_fen != BankResultLine.amount_fen)
               | (sent.account_digest != BankResultLine.account_digest)
               | (sent.result.is_not(None)))
        .order_by(BankResultLine.line).limit(formats.MAX_FAULTS))
    found = []
    for r in (await session.execute(query)).all():
        if r.sent_line is None:
            reason = f"payment {r.payment_id} is not in payment file {file_id}"
        elif r.answered is not None:
            reason = (f"payment {r.payment_id} (line {r.sent_line} of the payment file) was "
                      f"answered before: {r.answered}")
        elif r.got_fen != r.amount_fen:
            reason = (f"the amount {formats.yuan_text(r.got_fen)} is not the "
                      f"{formats.yuan_text(r.amount_fen)} sent for payment {r.payment_id}")
        else:
            reason = f"the account is not the one payment {r.payment_id} was sent to"
        found.append((r.line, reason))
    return found


async def _apply(session: AsyncSession, *, user: User, record: PaymentFile, result_id: str,
                 sha256: str, fmt: FileFormat, rows: int, total: int) -> BankResult:
    now = now_of(session)
    answered = select(BankResultLine.payment_id).where(BankResultLine.result_id == result_id)
    paid = answered.where(BankResultLine.result == "paid")
    failed = answered.where(BankResultLine.result == "failed")
    reason = (select(BankResultLine.reason)
              .where(BankResultLine.result_id == result_id,
                     BankResultLine.payment_id == Payment.id).scalar_subquery())
    mine = (Payment.file_id == record.id, Payment.status == PaymentStatus.sent)
    paid_count = (await session.execute(
        update(Payment).where(*mine, Payment.id.in_(paid))
        .values(status=PaymentStatus.paid, paid_at=now, updated_at=now)
        .execution_options(synchronize_session=False))).rowcount  # type: ignore[attr-defined]
    last = Payment.attempts >= MAX_ATTEMPTS
    held_reason = func.substr(
        literal("failed twice at the bank (") + reason
        + literal("): held for manual handling, never sent again (R-DI-6)"), 1, 200)
    await session.execute(  # the second failure is held for manual handling (R-DI-6)
        update(Payment).where(*mine, Payment.id.in_(failed))
        .values(status=case((last, literal(PaymentStatus.held)),
                            else_=literal(PaymentStatus.failed)),
                failure_reason=reason, hold_reason=case((last, held_reason), else_=None),
                updated_at=now)
        .execution_options(synchronize_session=False))
    await session.execute(
        update(PaymentFileLine)
        .where(PaymentFileLine.file_id == record.id, PaymentFileLine.payment_id.in_(answered))
        .values(result=select(BankResultLine.result).where(
            BankResultLine.result_id == result_id,
            BankResultLine.payment_id == PaymentFileLine.payment_id).scalar_subquery(),
            result_id=result_id)
        .execution_options(synchronize_session=False))
    failures = (await session.execute(
        select(Payment.id, Payment.failure_reason, Payment.attempts, Payment.status,
               Payment.hold_reason, Payment.beneficiary_id, Payment.program,
               Payment.division, Payment.month, Payment.amount_fen)
        .where(Payment.id.in_(failed), Payment.file_id == record.id)
        .order_by(Payment.id))).all()
    held_now = [f for f in failures if f.status == PaymentStatus.held]
    held = len(held_now)
    record.answered += rows
    result = BankResult(id=result_id, file_id=record.id, county=record.county, format=fmt,
                        sha256=sha256, rows=rows, paid=paid_count, failed=len(failures) - held,
                        held=held, total_fen=total, received_by=user.user_id, received_at=now)
    session.add(result)
    await session.flush()
    await emit(session, BankResultApplied(
        result_id=result_id, file_id=record.id, county=record.county, sha256=sha256, rows=rows,
        paid=paid_count, failed=result.failed, held=held, total_fen=total,
        failures=[FailedPayment(payment_id=f.id, reason=f.failure_reason or "",
                                held=f.status == PaymentStatus.held) for f in failures],
        received_by=user.user_id, received_at=now,
    ), subject=result_id, division=record.county)
    if held_now:
        await emit(session, PaymentsHeld(
            result_id=result_id, file_id=record.id, county=record.county, payments=[
                HeldPayment(payment_id=f.id, beneficiary_id=f.beneficiary_id,
                            program=f.program, division=f.division, month=f.month,
                            amount_fen=f.amount_fen, attempts=f.attempts,
                            hold_reason=f.hold_reason or "")
                for f in held_now]), subject=result_id, division=record.county)
    return result


async def list_bank_results(session: AsyncSession, *, user: User, file_id: str | None,
                            window: Window) -> list[BankResult]:
    query = select(BankResult).where(user.jurisdiction(BankResult.county))
    if file_id is not None:
        query = query.where(BankResult.file_id == file_id)
    return list((await session.scalars(window.apply(query))).all())


async def get_bank_result(session: AsyncSession, *, user: User, result_id: str) -> BankResult:
    record = await session.get(BankResult, result_id)
    missing = f"no bank result {result_id}"
    if record is None:
        raise NotFound(missing)
    user.require_record(record.county, missing)
    return record
