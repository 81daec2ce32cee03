"""The submitted ledger as a file for the provincial system (R-DI-2): CSV, streamed in batches,
names masked, no bank account.

Columns, one line per ledger line after a header line: ``month`` (YYYY-MM), ``county``,
``division`` (the payee's village or township code), ``beneficiary_id``, ``program``, ``unit``
(household | person), ``name_masked``, ``amount_fen`` (the month's amount), ``arrears_fen``
(补发, corrections of frozen months paid with it), ``recovery_fen`` (追缴, overpaid in frozen
months, to recover), ``payable_fen`` (amount plus arrears). UTF-8 with a byte-order mark, so
spreadsheet programs read the Chinese names."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.disbursement.months.models import LedgerLine, PaymentMonth

COLUMNS = ("month", "county", "division", "beneficiary_id", "program", "unit", "name_masked",
           "amount_fen", "arrears_fen", "recovery_fen", "payable_fen")
BATCH = 5000


def _csv(rows: list[tuple[object, ...]]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue().encode("utf-8")


async def ledger_csv(sessions: async_sessionmaker[AsyncSession],
                     payment_month: PaymentMonth) -> AsyncIterator[bytes]:
    """The lines of a frozen ledger as CSV, one short read per batch (it never changes)."""
    yield "\ufeff".encode() + _csv([COLUMNS])
    after = 0
    while True:
        async with sessions() as session:
            batch = (await session.scalars(
                select(LedgerLine).where(LedgerLine.payment_month_id == payment_month.id,
                                         LedgerLine.id > after)
                .order_by(LedgerLine.id).limit(BATCH))).all()
        if not batch:
            return
        yield _csv([(line.month, payment_month.county, line.division, line.beneficiary_id,
                     line.program, line.unit, line.name_masked, line.amount_fen,
                     line.arrears_fen, line.recovery_fen, line.amount_fen + line.arrears_fen)
                    for line in batch])
        after = batch[-1].id
