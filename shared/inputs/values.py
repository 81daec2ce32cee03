"""Values other than free text: codes, identifiers, phone numbers, money, dates and flags.

Each is a type to annotate a request field or query parameter with; a value that breaks it is
a 422 naming the field. Division codes and resident ID numbers keep their own modules
(``shared.divisions``: the *format* of a code; ``shared.idcard``: R-IN-4) and are re-exported
here so that schemas import every input type from one place.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BeforeValidator,
    Field,
    GetJsonSchemaHandler,
    StrictBool,
    StringConstraints,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema

from shared import divisions, idcard

__all__ = [
    "MAX_FEN", "WHOLE_NUMBER", "EARLIEST_DAY", "LATEST_DAY", "AmountFen", "CivilDate", "Code",
    "DivisionCode",
    "Documented", "EventTypeName", "Flag", "Identifier", "Moment", "Phone", "RecordId",
    "ResidentIdNumber", "YearMonth",
]


@dataclass(frozen=True)
class Documented:
    """Annotated metadata adding keywords to a type's JSON schema: what its validators check
    beyond it, as far as a schema can say, so that clients and API fuzzers see it
    (``Annotated[str, AfterValidator(f), Documented(pattern="^[0-9]{9}$")]``)."""

    keywords: tuple[tuple[str, Any], ...]

    def __init__(self, **keywords: Any) -> None:
        object.__setattr__(self, "keywords", tuple(keywords.items()))

    def __get_pydantic_json_schema__(self, schema: CoreSchema,
                                     handler: GetJsonSchemaHandler) -> JsonSchemaValue:
        json_schema = handler(schema)
        json_schema.update(self.keywords)
        return json_schema


DivisionCode = Annotated[divisions.DivisionCode, Documented(pattern=r"^[0-9]{6}([0-9]{3}){0,2}$")]
"""A division code's *format*: 6, 9 or 12 ASCII digits (whether it is in force: the register)."""

ResidentIdNumber = Annotated[idcard.ResidentIdNumber, Documented(
    pattern=r"^[0-9]{17}[0-9Xx]$", minLength=18, maxLength=18)]
"""A resident ID number: 17 digits and a check character, a real birth date, the GB 11643
check (R-IN-4); kept with an upper-case X. The address code is not checked."""

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

def _whole_number(value: Any) -> Any:
    """JSON has one kind of number: ``100.0`` is the integer 100 (JSON Schema's ``integer``
    admits it too), ``100.5`` is not, and neither is ``"100"`` or ``true``."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


WHOLE_NUMBER = BeforeValidator(_whole_number)
"""Annotated metadata of a strict integer field that takes a JSON number with nothing after
the point (``100.0``) as the integer it is. Put it after the field's bounds, which then stay
in its JSON schema: ``Annotated[int, Field(strict=True, ge=1), WHOLE_NUMBER]``."""

AmountFen = Annotated[int, Field(strict=True, ge=0, le=MAX_FEN), WHOLE_NUMBER]
"""Money in integer fen (1 yuan = 100 fen): a JSON integer (``100`` or ``100.0``), never a
string, a fraction or a boolean; 0 to 10,000,000,000."""

EARLIEST_DAY = date(1900, 1, 1)
LATEST_DAY = date(2099, 12, 31)


def _bounded_day(value: date) -> date:
    if not EARLIEST_DAY <= value <= LATEST_DAY:
        raise ValueError(f"must be between {EARLIEST_DAY} and {LATEST_DAY}")
    return value


def _bounded_moment(value: datetime) -> datetime:
    _bounded_day(value.date())  # as written: a day either side of it in UTC cannot overflow
    return value


_YEARS_1900_2099 = Documented(pattern="^(19|20)[0-9]{2}-")

CivilDate = Annotated[date, AfterValidator(_bounded_day), _YEARS_1900_2099]
"""A calendar date ``YYYY-MM-DD`` between 1900-01-01 and 2099-12-31."""

Moment = Annotated[AwareDatetime, AfterValidator(_bounded_moment), _YEARS_1900_2099]
"""An ISO 8601 time with its offset, in the years 1900 to 2099 (so that turning it into UTC
can never overflow)."""

YearMonth = Annotated[str, StringConstraints(strict=True,
                                             pattern=r"^(19|20)[0-9]{2}-(0[1-9]|1[0-2])$")]
"""A month ``YYYY-MM`` of the years 1900 to 2099 (a report's month, say), as ``CivilDate``."""

Flag = StrictBool
"""A JSON ``true`` or ``false``: ``"yes"``, ``1`` or ``"true"`` are refused."""
