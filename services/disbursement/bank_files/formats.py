"""The files exchanged with finance and the bank (R-DI-6, R-DI-7), written and read streaming.

Every file is a table of text cells, the same in CSV (UTF-8) and in XLSX (one sheet):

- line 1, the title: what the file is and what it belongs to
  (``payment_file, <file id>, <county>, <month>, <kind>, <made at>``; ``bank_result, <file id>``;
  ``finance_allocation, <county>, <month>``; ``bank_statement, <county>, <month>``);
- line 2, the column names;
- one line per payment;
- the last line, the count/total line: ``total, <lines>, <sum in yuan>``.

Amounts are yuan with two places, exact to the fen. The payment's id is the reference that
comes back in the bank's and finance's files. A file read is checked whole: every fault is
listed with its line number (``FileFault``), and the reader gives nothing unless none is found.
"""

from __future__ import annotations

import csv
import io
import re
import tempfile
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import IO, Literal, NamedTuple

from shared.money import fen_to_yuan

FileFormat = Literal["csv", "xlsx"]

CSV_MEDIA = "text/csv"
XLSX_MEDIA = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MEDIA_OF: dict[str, str] = {"csv": CSV_MEDIA, "xlsx": XLSX_MEDIA}

PAYMENT_COLUMNS = ("line", "reference", "account", "amount_yuan", "program", "name", "division")
RESULT_COLUMNS = ("reference", "account", "amount_yuan", "result", "reason")
ALLOCATION_COLUMNS = ("reference", "account", "amount_yuan")
STATEMENT_COLUMNS = ("reference", "account", "amount_yuan", "date")
TOTAL = "total"

MAX_FAULTS = 100
"""Faults listed in one refusal at most (the count says how many more)."""

_AMOUNT = re.compile(r"^[0-9]{1,11}(\.[0-9]{1,2})?$")
_ACCOUNT = re.compile(r"^[0-9]{8,30}$")
_REFERENCE = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
_REASON_MAX = 200

_HEAD = r"^([A-Za-z0-9_-]{1,32}),([0-9]{8,30}),([0-9]{1,11})(?:\.([0-9]{1,2}))?"
_FAST = {
    "finance_allocation": re.compile(_HEAD + r"\r?\n?$"),
    "bank_statement": re.compile(_HEAD + r",([0-9]{4}-[0-9]{2}-[0-9]{2})\r?\n?$"),
    "bank_result": re.compile(_HEAD + r",(paid|failed),([^\",\r\n]{0,200})\r?\n?$"),
}
"""A plain CSV line of each kind, checked whole by one match (the million-line files): a line
that does not match is read cell by cell, which names its fault."""


def yuan_text(fen: int) -> str:
    """An amount as the files write it: 123456 → ``1234.56``."""
    return f"{fen_to_yuan(fen):.2f}"


def normalise_account(text: str) -> str:
    """An account number as matched: the digits, spaces between groups dropped."""
    return "".join(text.split()) if " " in text else text


# --- writing -------------------------------------------------------------------------------


@dataclass(frozen=True)
class PaymentFileHead:
    """What line 1 of a payment file names."""

    file_id: str
    county: str
    month: str
    kind: str
    made_at: datetime


@dataclass(frozen=True)
class PaymentLine:
    line: int
    reference: str
    account: str
    amount_fen: int
    program: str
    name: str
    division: str


def payment_title(head: PaymentFileHead) -> list[str]:
    return ["payment_file", head.file_id, head.county, head.month, head.kind,
            head.made_at.isoformat()]


def payment_cells(p: PaymentLine) -> list[str]:
    return [str(p.line), p.reference, p.account, yuan_text(p.amount_fen), p.program, p.name,
            p.division]


def total_cells(count: int, total_fen: int) -> list[str]:
    """The count/total line."""
    return [TOTAL, str(count), yuan_text(total_fen)]


def payment_rows(head: PaymentFileHead, lines: Iterable[PaymentLine]) -> Iterator[list[str]]:
    """The payment file's rows: title, columns, one per payment, the count/total line."""
    yield payment_title(head)
    yield list(PAYMENT_COLUMNS)
    count = total = 0
    for p in lines:
        count += 1
        total += p.amount_fen
        yield payment_cells(p)
    yield total_cells(count, total)


class CsvSink:
    """Writes rows as UTF-8 CSV with CRLF line ends (RFC 4180), a batch at a time."""

    def __init__(self, out: IO[bytes]) -> None:
        self._text = io.TextIOWrapper(out, encoding="utf-8", newline="", write_through=False)
        self._writer = csv.writer(self._text, lineterminator="\r\n")

    def write(self, rows: Iterable[Sequence[str]]) -> None:
        self._writer.writerows(rows)

    def close(self) -> None:
        self._text.flush()
        self._text.detach()


class XlsxSink:
    """Writes rows as one sheet of an XLSX workbook, by openpyxl in write-only mode (rows go to
    a temporary file, never all in memory). The same rows and ``made_at`` give the same bytes
    (the members' times and the core properties are fixed), so a file made before is downloaded
    again identical."""

    def __init__(self, out: IO[bytes], *, made_at: datetime, sheet: str = "payments") -> None:
        from openpyxl import Workbook

        self._out = out
        self._stamp = made_at.astimezone(UTC).replace(tzinfo=None, microsecond=0)
        self._workbook = Workbook(write_only=True)
        self._workbook.properties.created = self._stamp
        self._workbook.properties.modified = self._stamp
        self._workbook.properties.creator = "assist"
        self._sheet = self._workbook.create_sheet(sheet)

    def write(self, rows: Iterable[Sequence[str]]) -> None:
        for row in rows:
            self._sheet.append(list(row))

    def close(self) -> None:
        with tempfile.TemporaryFile() as first:
            self._workbook.save(first)
            first.seek(0)
            _fix_zip_times(first, self._out, self._stamp)


Sink = CsvSink | XlsxSink


def sink_for(fmt: FileFormat, out: IO[bytes], *, made_at: datetime) -> Sink:
    return CsvSink(out) if fmt == "csv" else XlsxSink(out, made_at=made_at)


def write_rows(rows: Iterable[Sequence[str]], out: IO[bytes], fmt: FileFormat, *,
               made_at: datetime) -> None:
    """All of ``rows`` into a file of ``fmt`` (tests, the bench, small files)."""
    sink = sink_for(fmt, out, made_at=made_at)
    sink.write(rows)
    sink.close()


def _fix_zip_times(source: IO[bytes], out: IO[bytes], stamp: datetime) -> None:
    """Copy a zip with every member dated ``stamp`` and the core properties' time fixed."""
    when = (max(stamp.year, 1980), stamp.month, stamp.day, stamp.hour, stamp.minute,
            stamp.second)
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=when)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o600 << 16
            with old.open(info) as member:
                if info.filename == "docProps/core.xml":
                    xml = member.read().decode("utf-8")
                    xml = re.sub(r"(<dcterms:modified[^>]*>)[^<]*(<)",
                                 rf"\g<1>{stamp.isoformat()}Z\g<2>", xml)
                    new.writestr(fixed, xml.encode("utf-8"))
                    continue
                with new.open(fixed, "w") as target:
                    while chunk := member.read(1 << 20):
                        target.write(chunk)


# --- reading -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Fault:
    line: int
    reason: str


class FileFault(ValueError):
    """A file refused whole: every fault found, by line (1 is the title line)."""

    def __init__(self, faults: Sequence[Fault], *, more: int = 0) -> None:
        self.faults = list(faults)
        self.more = more
        first = self.faults[0] if self.faults else Fault(1, "empty")
        super().__init__(f"line {first.line}: {first.reason}"
                         + (f" (and {len(self.faults) - 1 + more} more)"
                            if len(self.faults) + more > 1 else ""))


class Faults:
    """Collects the faults of a file, keeping the first ``MAX_FAULTS``."""

    def __init__(self) -> None:
        self.kept: list[Fault] = []
        self.more = 0

    def add(self, line: int, reason: str) -> None:
        if len(self.kept) < MAX_FAULTS:
            self.kept.append(Fault(line, reason))
        else:
            self.more += 1

    def __bool__(self) -> bool:
        return bool(self.kept)

    def raise_if_any(self) -> None:
        if self.kept:
            raise FileFault(sorted(self.kept, key=lambda f: f.line), more=self.more)


def sniff_format(raw_head: bytes) -> FileFormat:
    """XLSX (a zip) or CSV, by the first bytes."""
    return "xlsx" if raw_head[:4] == b"PK\x03\x04" else "csv"


def table_rows(source: IO[bytes], fmt: FileFormat) -> Iterator[tuple[int, list[str]]]:
    """The file's rows as text cells with their line numbers; FileFault if it cannot be read."""
    if fmt == "xlsx":
        yield from _xlsx_rows(source)
        return
    text = io.TextIOWrapper(source, encoding="utf-8-sig", newline="")
    reader = csv.reader(text, strict=True)
    try:
        for number, row in enumerate(reader, start=1):
            yield number, [cell.strip() for cell in row]
    except UnicodeDecodeError:
        raise FileFault([Fault(reader.line_num + 1, "is not UTF-8 text")]) from None
    except csv.Error as exc:
        raise FileFault([Fault(reader.line_num, f"is not CSV ({exc})")]) from None
    finally:
        text.detach()


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _xlsx_rows(source: IO[bytes]) -> Iterator[tuple[int, list[str]]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(source, read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - openpyxl raises many kinds for a damaged workbook
        raise FileFault([Fault(1, "is not an XLSX workbook that can be read")]) from None
    try:
        sheet = workbook.worksheets[0]
        for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
            cells = [_cell(v) for v in row]
            while cells and cells[-1] == "":
                cells.pop()
            yield number, cells
    finally:
        workbook.close()


def parse_amount(text: str) -> int:
    """Yuan with at most two places → fen, exactly (integers, never a float); ValueError
    otherwise."""
    if not _AMOUNT.fullmatch(text):
        raise ValueError(f"amount {text[:20]!r} is not yuan with at most two places")
    yuan, _, cents = text.partition(".")
    return int(yuan) * 100 + int(cents.ljust(2, "0"))


@dataclass(frozen=True)
class Title:
    kind: str
    fields: tuple[str, ...]


class FileLine(NamedTuple):
    """One payment line of a result, allocation or statement file, checked."""

    line: int
    reference: str
    account: str
    amount_fen: int
    result: str | None = None
    reason: str | None = None
    day: date | None = None

    def __repr__(self) -> str:  # never the account number in a log line or a traceback
        return f"FileLine(line={self.line}, reference={self.reference!r})"


class LineReader:
    """Reads one kind of file whole: title, columns, lines, the count/total line. Iterate it
    for the checked lines; after the iteration, ``title`` is known and ``faults`` lists what is
    wrong (nothing of a file with faults may be used)."""

    def __init__(self, source: IO[bytes], fmt: FileFormat, *, kind: str,
                 columns: Sequence[str], title_fields: int, unique: bool = True) -> None:
        self.source, self.fmt, self.kind = source, fmt, kind
        self.unique = unique
        self._reason_last = columns[-1] == "reason"
        self.columns = tuple(columns)
        self.title_fields = title_fields
        self.title: Title | None = None
        self.faults = Faults()
        self.count = 0
        self.total_fen = 0

    def __iter__(self) -> Iterator[FileLine]:
        faults = self.faults
        total_line: tuple[int, list[str]] | None = None
        seen: dict[str, int] = {}
        rows = self._csv_rows() if self.fmt == "csv" else table_rows(self.source, self.fmt)
        try:
            for number, cells in rows:
                if isinstance(cells, FileLine):  # matched whole by the plain-line pattern
                    if total_line is not None:
                        faults.add(number, "comes after the count/total line")
                        continue
                    self.count += 1
                    self.total_fen += cells.amount_fen
                    if self.unique:  # a million references kept only where they must be
                        first = seen.setdefault(cells.reference, number)
                        if first != number:
                            faults.add(number, f"reference {cells.reference} appears twice "
                                       f"(first on line {first})")
                            continue
                    yield cells
                    continue
                if number == 1:
                    self._title(cells)
                    continue
                if number == 2:
                    if [c.lower() for c in cells] != list(self.columns):
                        faults.add(2, f"the columns are {', '.join(self.columns)}")
                    continue
                if not any(cells):
                    faults.add(number, "is empty")
                    continue
                if total_line is not None:
                    faults.add(number, "comes after the count/total line")
                    continue
                if cells[0].lower() == TOTAL:
                    total_line = (number, cells)
                    continue
                self.count += 1
                line = self._line(number, cells)
                if line is None:
                    continue
                if self.unique:
                    first = seen.setdefault(line.reference, number)
                    if first != number:
                        faults.add(number, f"reference {line.reference} appears twice (first "
                                   f"on line {first})")
                        continue
                yield line
        except FileFault as fault:
            for f in fault.faults:
                faults.add(f.line, f.reason)
            return
        if self.title is None:
            faults.add(1, f"the file is empty: line 1 is the title ({self.kind}, …)")
        elif total_line is None:
            faults.add(self.count + 3, "the count/total line (total, <lines>, <yuan>) "
                       "is missing at the end")
        else:
            self._check_total(*total_line)

    def _csv_rows(self) -> Iterator[tuple[int, list[str] | FileLine]]:
        """The CSV file line by line: a plain line matched whole at once (C speed), any other
        read by the csv module; a quoted cell may not hold a line break."""
        fast = _FAST.get(self.kind)
        text = io.TextIOWrapper(self.source, encoding="utf-8-sig", newline="")
        number = 0
        try:
            for raw in text:
                number += 1
                if number > 2 and fast is not None:
                    match = fast.match(raw)
                    if match is not None:
                        line = self._plain(number, match)
                        if line is not None:
                            yield number, line
                            continue
                if raw.count('"') % 2:
                    raise FileFault([Fault(number, "a quoted cell holds a line break or is "
                                                   "not closed")])
                try:
                    cells = next(csv.reader([raw], strict=True), [])
                except csv.Error as exc:
                    raise FileFault([Fault(number, f"is not CSV ({exc})")]) from None
                yield number, [cell.strip() for cell in cells]
        except UnicodeDecodeError:
            raise FileFault([Fault(number + 1, "is not UTF-8 text")]) from None
        finally:
            text.detach()

    def _plain(self, number: int, match: re.Match[str]) -> FileLine | None:
        """The line of a whole match; None when a cell needs the slow path to name its
        fault (an impossible date, a failure without a reason, an unprintable reason)."""
        cents = match[4]
        amount = int(match[3]) * 100 + (int(cents.ljust(2, "0")) if cents else 0)
        if self.kind == "bank_statement":
            try:
                day = date.fromisoformat(match[5])
            except ValueError:
                return None
            return FileLine(number, match[1], match[2], amount, None, None, day)
        if self.kind == "bank_result":
            result, reason = match[5], match[6].strip() or None
            if result == "failed" and (reason is None or not reason.isprintable()):
                return None
            return FileLine(number, match[1], match[2], amount, result,
                            reason if result == "failed" else None)
        return FileLine(number, match[1], match[2], amount)

    def _title(self, cells: list[str]) -> None:
        if not cells or cells[0] != self.kind:
            self.faults.add(1, f"the title line must begin with {self.kind}: this is not a "
                            f"{self.kind.replace('_', ' ')} file")
            self.title = Title(cells[0] if cells else "", ())
            return
        fields = tuple(cells[1:1 + self.title_fields])
        if len(fields) < self.title_fields or not all(fields):
            self.faults.add(1, f"the title line names {self.title_fields} values after "
                            f"{self.kind}")
        self.title = Title(self.kind, fields)

    def _line(self, number: int, cells: list[str]) -> FileLine | None:
        faults = self.faults
        width = len(self.columns)
        if len(cells) != width and not (len(cells) == width - 1 and self._reason_last):
            faults.add(number, f"has {len(cells)} cells, not {width}")
            return None
        reference, account, amount_text = cells[0], cells[1], cells[2]
        try:
            amount = parse_amount(amount_text)
        except ValueError as exc:
            faults.add(number, str(exc))
            return None
        self.total_fen += amount
        if not _REFERENCE.fullmatch(reference):
            faults.add(number, "the reference is not a payment id")
            return None
        if not account.isdigit():
            account = normalise_account(account)
        if not _ACCOUNT.fullmatch(account):
            faults.add(number, "the account is not a bank account number (8–30 digits)")
            return None
        if width == 3:  # finance's allocation details: nothing more
            return FileLine(number, reference, account, amount)
        values = dict(zip(self.columns[3:], cells[3:], strict=False))
        result = reason = None
        day = None
        if "result" in values:
            result = values["result"].lower()
            reason = values.get("reason") or None
            if result not in ("paid", "failed"):
                faults.add(number, "the result is paid or failed")
                return None
            if result == "failed" and not reason:
                faults.add(number, "a failed line gives the reason")
                return None
            if result == "paid" and reason:
                reason = None
            if reason is not None and (len(reason) > _REASON_MAX or not reason.isprintable()):
                faults.add(number, f"the reason is at most {_REASON_MAX} printable characters")
                return None
        if "date" in values:
            try:
                day = date.fromisoformat(values["date"])
            except ValueError:
                faults.add(number, "the date is YYYY-MM-DD")
                return None
        return FileLine(number, reference, account, amount, result, reason, day)

    def _check_total(self, number: int, cells: list[str]) -> None:
        if len(cells) != 3:
            self.faults.add(number, "the count/total line is: total, <lines>, <yuan>")
            return
        if not cells[1].isdigit() or int(cells[1]) != self.count:
            self.faults.add(number, f"the count says {cells[1][:20]} lines, the file has "
                            f"{self.count}")
        try:
            total = parse_amount(cells[2])
        except ValueError as exc:
            self.faults.add(number, f"the total: {exc}")
            return
        if total != self.total_fen:
            self.faults.add(number, f"the total says {cells[2]} yuan, the lines add up to "
                            f"{yuan_text(self.total_fen)}")


def result_reader(source: IO[bytes], fmt: FileFormat) -> LineReader:
    """The bank's result file: ``bank_result, <payment file id>``; paid / failed per line."""
    return LineReader(source, fmt, kind="bank_result", columns=RESULT_COLUMNS, title_fields=1)


def allocation_reader(source: IO[bytes], fmt: FileFormat) -> LineReader:
    """Finance's allocation details (资金拨付明细): ``finance_allocation, <division>, <month>``."""
    return LineReader(source, fmt, kind="finance_allocation", columns=ALLOCATION_COLUMNS,
                      title_fields=2, unique=False)


def statement_reader(source: IO[bytes], fmt: FileFormat) -> LineReader:
    """The bank's payment details (银行发放明细): ``bank_statement, <division>, <month>``; a
    reference may come twice (paid twice is a difference the reconciliation lists)."""
    return LineReader(source, fmt, kind="bank_statement", columns=STATEMENT_COLUMNS,
                      title_fields=2, unique=False)


def simple_rows(kind: str, title: Sequence[str], columns: Sequence[str],
                lines: Iterable[Sequence[str]], amount_at: int) -> Iterator[list[str]]:
    """Rows of a file of ``kind`` (title, columns, lines, count/total): for tests, the bench and
    the files finance and the bank send in this layout."""
    yield [kind, *title]
    yield list(columns)
    count = total = 0
    for cells in lines:
        count += 1
        total += parse_amount(cells[amount_at])
        yield list(cells)
    yield [TOTAL, str(count), yuan_text(total)]
