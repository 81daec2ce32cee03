"""The payment, result, allocation and statement files, with no database (R-DI-6, R-DI-7):
written the same every time, read back whole, every fault listed by line."""

from __future__ import annotations

import io
import time
from datetime import UTC, datetime

import pytest

from services.disbursement.bank_files import formats

MADE_AT = datetime(2026, 12, 20, 8, 0, 5, tzinfo=UTC)
HEAD = formats.PaymentFileHead("f1", "230722", "2026-12", "monthly", MADE_AT)
LINES = [formats.PaymentLine(n, f"p{n}", f"62170000000000000{n:02d}", 10000 + n, "dibao", "张*",
                             "230722100") for n in range(1, 4)]


def written(fmt: formats.FileFormat, rows) -> bytes:
    out = io.BytesIO()
    formats.write_rows(rows, out, fmt, made_at=MADE_AT)
    return out.getvalue()


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_payment_file_is_the_same_bytes_every_time_and_reads_back_R_DI_6(fmt):
    """R-DI-6: the payment file has its title, columns, lines and count/total line, amounts
    exact to the fen; made again (a second later) it is byte for byte the same."""
    first = written(fmt, formats.payment_rows(HEAD, LINES))
    time.sleep(1.1)  # the zip members' times would differ if they were not fixed
    assert written(fmt, formats.payment_rows(HEAD, LINES)) == first
    assert formats.sniff_format(first[:4]) == fmt
    rows = [cells for _, cells in formats.table_rows(io.BytesIO(first), fmt)]
    assert rows[0][:5] == ["payment_file", "f1", "230722", "2026-12", "monthly"]
    assert rows[2] == ["1", "p1", "6217000000000000001", "100.01", "dibao", "张*", "230722100"]
    assert rows[-1] == ["total", "3", "300.06"]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_result_file_read_whole_R_DI_6(fmt):
    """R-DI-6: a result file's lines, paid or failed with the reason, read and totalled."""
    raw = written(fmt, formats.simple_rows("bank_result", ["f1"], formats.RESULT_COLUMNS, [
        ["p1", "6217 0000 0000 0000 001", "100.01", "paid", ""],
        ["p2", "6217000000000000002", "100.02", "FAILED", "销户"]], 2))
    reader = formats.result_reader(io.BytesIO(raw), fmt)
    lines = list(reader)
    assert not reader.faults and reader.title == formats.Title("bank_result", ("f1",))
    assert [(x.line, x.reference, x.account, x.amount_fen, x.result, x.reason) for x in lines] == [
        (3, "p1", "6217000000000000001", 10001, "paid", None),
        (4, "p2", "6217000000000000002", 10002, "failed", "销户")]
    assert "6217" not in repr(lines[0])  # never the account in a log line


def faults_of(text: str, reader=formats.result_reader) -> list[tuple[int, str]]:
    r = reader(io.BytesIO(text.encode()), "csv")
    list(r)
    return [(f.line, f.reason) for f in r.faults.kept]


def test_every_fault_listed_by_line_R_DI_6():
    """R-DI-6: malformed lines, duplicates, a wrong count/total are each named by line."""
    found = faults_of(
        "bank_result,f1\n"
        "reference,account,amount_yuan,result,reason\n"
        "p1,6217000000000000001,1.001,paid,\n"  # a tenth of a fen
        "p2,12ab,1.00,paid,\n"  # not an account
        "p3,6217000000000000003,1.00,lost,\n"  # no such result
        "p4,6217000000000000004,1.00,failed,\n"  # failed without a reason
        "p5,6217000000000000005,1.00,paid,\n"
        "p5,6217000000000000005,1.00,paid,\n"  # twice
        "total,6,9.00\n")
    assert [line for line, _ in found] == [3, 4, 5, 6, 8, 9]
    assert "two places" in found[0][1] and "twice" in found[4][1]
    assert found[5] == (9, "the total says 9.00 yuan, the lines add up to 5.00")


def test_title_columns_and_total_line_required_R_DI_6():
    """R-DI-6: another kind of file, wrong columns, lines after the total or no total line are
    refused; an empty file too."""
    assert faults_of("bank_statement,230722100,2026-12\nreference,account,amount_yuan,result,"
                     "reason\ntotal,0,0.00\n")[0][0] == 1
    assert faults_of("bank_result,f1\nref,acct\ntotal,0,0.00\n") == [
        (2, "the columns are reference, account, amount_yuan, result, reason")]
    assert faults_of("bank_result,f1\nreference,account,amount_yuan,result,reason\n"
                     "p1,6217000000000000001,1.00,paid,\n")[0][0] == 4
    assert faults_of("bank_result,f1\nreference,account,amount_yuan,result,reason\n"
                     "total,0,0.00\np1,6217000000000000001,1.00,paid,\n")[0] == (
        4, "comes after the count/total line")
    assert faults_of("")[0][0] == 1
    assert faults_of("bank_result,f1\n\xff")  # not UTF-8 after the header is still a fault


def test_statement_may_hold_a_payment_twice_R_DI_7():
    """R-DI-7: the bank's statement and finance's details may name a payment twice (paid
    twice is a difference the reconciliation lists, not a malformed file)."""
    text = ("bank_statement,230722100,2026-12\nreference,account,amount_yuan,date\n"
            "p1,6217000000000000001,1.00,2026-12-05\np1,6217000000000000001,1.00,2026-12-06\n"
            "total,2,2.00\n")
    reader = formats.statement_reader(io.BytesIO(text.encode()), "csv")
    assert [x.day.isoformat() for x in reader] == ["2026-12-05", "2026-12-06"]
    assert not reader.faults
    assert faults_of(text.replace("2026-12-06", "6.12.2026"), formats.statement_reader) == [
        (4, "the date is YYYY-MM-DD")]


def test_damaged_xlsx_refused():
    reader = formats.result_reader(io.BytesIO(b"PK\x03\x04 not really a zip"), "xlsx")
    assert list(reader) == [] and reader.faults.kept[0].line == 1
