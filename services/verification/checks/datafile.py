"""A department's data file (CSV) for a check source, read and checked whole (R-VE-4).

The file is UTF-8 (a byte-order mark is allowed), comma-separated, with a header line naming its
columns, in any order:

- ``id_number`` (required): the person's resident ID number, checked as R-IN-4 says;
- ``item``: what the record is about (``tax``, ``vehicles``, …), one of the source's items;
  it may be left out when the source has only one item;
- ``amount_fen``: the figure, in integer fen (digits only: ``123456`` is 1,234.56 yuan);
- ``quantity``: how many (vehicles, homes, …), an integer;
- ``detail``: a short description (at most 200 characters, one line);
- ``name``: the person's name as the department has it (read and checked, not kept).

One line per record; a person may have several. Empty lines are skipped. A file with only the
header says the department holds nothing about anyone. The first fault refuses the whole file,
naming the line and the reason: nothing of it is kept.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from pydantic_core import PydanticCustomError

from shared.idcard import InvalidResidentId, parse_resident_id
from shared.inputs import MAX_FEN, clean_text
from shared.masking import mask_id_number

COLUMNS = ("id_number", "name", "item", "amount_fen", "quantity", "detail")
MAX_ROWS = 2_000_000
MAX_QUANTITY = 1_000_000
MAX_FIELD = 1000
"""Characters of one field at most, before it is checked (a detail: 200)."""


class DataFileRefused(ValueError):
    """The file cannot be loaded: ``line`` (1 is the header) and ``reason`` say why."""

    def __init__(self, line: int, reason: str) -> None:
        super().__init__(f"line {line}: {reason}")
        self.line = line
        self.reason = reason


@dataclass(frozen=True)
class DataRow:
    """One record of the file, checked; the ID number normalised."""

    line: int
    id_number: str
    item: str
    amount_fen: int | None
    quantity: int | None
    detail: str | None

    @property
    def id_masked(self) -> str:
        return mask_id_number(self.id_number)

    def __repr__(self) -> str:  # never the ID number in a log line or a traceback
        return f"DataRow(line={self.line}, item={self.item!r})"


@dataclass(frozen=True)
class DataFile:
    """A whole file, checked: its rows and the SHA-256 of its bytes."""

    sha256: str
    rows: tuple[DataRow, ...]


def read_data_file(raw: bytes, items: Sequence[str]) -> DataFile:
    """Check a data file for a source with ``items``; DataFileRefused at the first fault."""
    digest = hashlib.sha256(raw).hexdigest()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        raise DataFileRefused(line, "is not UTF-8 text") from None
    if "\x00" in text:
        raise DataFileRefused(text[:text.index("\x00")].count("\n") + 1, "holds a NUL character")
    return DataFile(digest, tuple(_rows(text, items)))


def _rows(text: str, items: Sequence[str]) -> Iterator[DataRow]:
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader, None)
    except csv.Error as exc:
        raise DataFileRefused(1, f"is not CSV ({exc})") from None
    if header is None or not any(h.strip() for h in header):
        raise DataFileRefused(1, f"the header line is missing: expected columns among "
                              f"{', '.join(COLUMNS)}")
    columns = [h.strip().lower() for h in header]
    unknown = [c for c in columns if c not in COLUMNS]
    if unknown:
        raise DataFileRefused(1, f"unknown column {unknown[0]!r}: the columns are "
                              f"{', '.join(COLUMNS)}")
    doubled = next((c for c in columns if columns.count(c) > 1), None)
    if doubled:
        raise DataFileRefused(1, f"column {doubled!r} appears twice")
    if "id_number" not in columns:
        raise DataFileRefused(1, "the column id_number is required")
    if "item" not in columns and len(items) != 1:
        raise DataFileRefused(1, f"the column item is required: this source checks "
                              f"{', '.join(items)}")
    count = 0
    while True:
        line = reader.line_num + 1  # where the record starts (a quoted field may span lines)
        try:
            values = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise DataFileRefused(line, f"is not CSV ({exc})") from None
        if not any(v.strip() for v in values):
            continue
        if len(values) != len(columns):
            raise DataFileRefused(line, f"has {len(values)} fields, the header {len(columns)}")
        longest = max(range(len(values)), key=lambda i: len(values[i]))
        if len(values[longest]) > MAX_FIELD:
            raise DataFileRefused(line, f"{columns[longest]}: more than {MAX_FIELD} characters")
        count += 1
        if count > MAX_ROWS:
            raise DataFileRefused(line, f"more than {MAX_ROWS:,} records")
        yield _row(line, dict(zip(columns, values, strict=True)), items)


def _row(line: int, fields: dict[str, str], items: Sequence[str]) -> DataRow:
    try:
        id_number = parse_resident_id(fields["id_number"]).number
    except InvalidResidentId as exc:
        raise DataFileRefused(line, f"id_number: {exc} (R-IN-4)") from None
    item = fields.get("item", items[0] if len(items) == 1 else "").strip()
    if item not in items:
        raise DataFileRefused(line, f"item: {item!r} is not an item of this source "
                              f"({', '.join(items)})")
    if "name" in fields and fields["name"].strip():
        _text(line, "name", fields["name"], 50)
    detail = fields.get("detail", "").strip()
    return DataRow(line=line, id_number=id_number, item=item,
                   amount_fen=_integer(line, "amount_fen", fields.get("amount_fen", ""), MAX_FEN),
                   quantity=_integer(line, "quantity", fields.get("quantity", ""), MAX_QUANTITY),
                   detail=_text(line, "detail", detail, 200) if detail else None)


def _integer(line: int, column: str, value: str, maximum: int) -> int | None:
    value = value.strip()
    if not value:
        return None
    if not (value.isascii() and value.isdigit()):
        raise DataFileRefused(line, f"{column}: {value[:30]!r} is not a whole number"
                              + (" of fen" if column == "amount_fen" else ""))
    number = int(value)
    if number > maximum:
        raise DataFileRefused(line, f"{column}: {number} is more than {maximum:,}")
    return number


def _text(line: int, column: str, value: str, max_length: int) -> str:
    try:
        return clean_text(value, max_length=max_length)
    except PydanticCustomError as exc:
        raise DataFileRefused(line, f"{column}: {exc.message()}") from None
