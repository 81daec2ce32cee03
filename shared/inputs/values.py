"""Values other than free text: codes, identifiers, phone numbers, money, dates and flags.

Each is a type to annotate a request field or query parameter with; a value that breaks it is
a 422 naming the field. Division codes and resident ID numbers keep their own modules
(``shared.divisions``: the *format* of a code; ``shared.idcard``: R-IN-4) and are re-exported
here so that schemas import every input type from one place.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime, Field, StrictBool, StringConstraints

from shared.divisions import DivisionCode
from shared.idcard import ResidentIdNumber

__all__ = [
    "MAX_FEN", "EARLIEST_DAY", "LATEST_DAY", "AmountFen", "CivilDate", "Code", "DivisionCode",
    "EventTypeName", "Flag", "Identifier", "Moment", "Phone", "RecordId", "ResidentIdNumber",
]

Code = Annotated[str, StringConstraints(strict=True, pattern=r"^[a-z][a-z0-9_]{0,49}$")]
"""A code of a closed list kept in data (a material, a refusal reason): lowercase ASCII
letters, digits and underscores, starting with a letter, at most 50 (``id_card``)."""

EventTypeName = Annotated[str, StringConstraints(
    strict=True, max_length=200, pattern=r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$")]
"""An event type: dotted lowercase names (``assist.approval.beneficiary_adjusted``)."""

RecordId = Annotated[str, StringConstraints(strict=True,
                                            pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")]
"""The id of a record in a path (``/applications/{application_id}``): ASCII letters, digits,
``_`` and ``-``, at most 64. A malformed id is a 422; a well-formed unknown one a 404."""

Identifier = Annotated[str, StringConstraints(
    strict=True, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,99}$")]
"""An id or number to filter a list by (``SQ230722-20261127-000001``): ASCII letters, digits
and ``_ . : -``, at most 100."""

Phone = Annotated[str, StringConstraints(strict=True, strip_whitespace=True,
                                         pattern=r"^\+?[0-9][0-9-]{4,18}$")]
"""A phone number: digits and hyphens, an optional leading ``+``, 6–20 characters."""

MAX_FEN = 10_000_000_000
"""The largest amount a request may carry: 100 million yuan, far above any assistance, far
below what a 64-bit integer (or a JavaScript number) holds."""

AmountFen = Annotated[int, Field(strict=True, ge=0, le=MAX_FEN)]
"""Money in integer fen (1 yuan = 100 fen): a JSON integer, never a string, a fraction or a
boolean; 0 to 10,000,000,000."""

EARLIEST_DAY = date(1900, 1, 1)
LATEST_DAY = date(2099, 12, 31)


def _bounded_day(value: date) -> date:
    if not EARLIEST_DAY <= value <= LATEST_DAY:
        raise ValueError(f"must be between {EARLIEST_DAY} and {LATEST_DAY}")
    return value


def _bounded_moment(value: datetime) -> datetime:
    try:
        utc = value.astimezone(UTC)
    except OverflowError:
        raise ValueError(f"must be between {EARLIEST_DAY} and {LATEST_DAY}") from None
    if not EARLIEST_DAY <= utc.date() <= LATEST_DAY:
        raise ValueError(f"must be between {EARLIEST_DAY} and {LATEST_DAY}")
    return value


CivilDate = Annotated[date, AfterValidator(_bounded_day)]
"""A calendar date ``YYYY-MM-DD`` between 1900-01-01 and 2099-12-31."""

Moment = Annotated[AwareDatetime, AfterValidator(_bounded_moment)]
"""An ISO 8601 time with its offset, between 1900 and 2099 (so that turning it into UTC can
never overflow)."""

Flag = StrictBool
"""A JSON ``true`` or ``false``: ``"yes"``, ``1`` or ``"true"`` are refused."""
