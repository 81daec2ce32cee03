"""Input rules in one place: every request schema and list endpoint of every service takes
its field types from here (docs/architecture.md, "Input rules").

- ``text``: names, addresses, labels, reasons, search values (NFC, trimmed, bounded, no
  control, escape, bidi or invisible characters);
- ``values``: codes, ids, division codes, resident ID numbers (R-IN-4), phones, money in fen,
  dates and times, strict booleans;
- ``paging``: ``limit``, keyset ``cursor`` and bounded ``offset`` of every list.

The request body limit is the kit's outermost middleware (``shared.body_limit``).
"""

from shared.inputs.paging import (
    MAX_LIMIT,
    MAX_OFFSET,
    NEXT_CURSOR_HEADER,
    PAGED,
    Keyset,
    Page,
    Paging,
    Window,
    paging,
)
from shared.inputs.text import (
    Address,
    Label,
    PersonName,
    Reason,
    SearchText,
    TextRule,
    clean_text,
)
from shared.inputs.values import (
    MAX_FEN,
    WHOLE_NUMBER,
    AmountFen,
    CivilDate,
    Code,
    DivisionCode,
    Documented,
    EventTypeName,
    Flag,
    Identifier,
    Moment,
    Phone,
    RecordId,
    ResidentIdNumber,
    YearMonth,
)

__all__ = [
    "MAX_FEN", "MAX_LIMIT", "MAX_OFFSET", "NEXT_CURSOR_HEADER", "PAGED", "WHOLE_NUMBER",
    "Address", "AmountFen",
    "CivilDate", "Code", "DivisionCode", "Documented", "EventTypeName", "Flag", "Identifier",
    "Keyset", "Label", "Moment", "Page", "Paging", "PersonName", "Phone", "Reason", "RecordId",
    "ResidentIdNumber", "SearchText", "TextRule", "Window", "YearMonth", "clean_text", "paging",
]
