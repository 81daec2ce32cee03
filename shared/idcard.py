"""Resident ID numbers (居民身份证号码, GB 11643) validated as R-IN-4 requires.

The first six digits (the division where the number was issued) are deliberately not checked
against any division list: codes retired in 2019 and earlier stay valid in ID numbers.
"""

from dataclasses import dataclass
from datetime import date
from typing import Annotated, Literal

from pydantic import AfterValidator

from shared.workdays import today_in_shanghai

Sex = Literal["male", "female"]

_LENGTH = 18
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARACTERS = "10X98765432"
_EARLIEST_BIRTH = date(1850, 1, 1)


class InvalidResidentId(ValueError):
    """A resident ID number that fails R-IN-4; the message says why."""


@dataclass(frozen=True)
class ResidentId:
    """A valid, normalised resident ID number with what it encodes."""

    number: str
    birth_date: date
    sex: Sex


def check_character(first17: str) -> str:
    """The ISO 7064 MOD 11-2 check character for the first 17 digits."""
    if len(first17) != len(_WEIGHTS) or not (first17.isascii() and first17.isdigit()):
        raise InvalidResidentId("the first 17 characters must be digits")
    total = sum(int(digit) * weight for digit, weight in zip(first17, _WEIGHTS, strict=True))
    return _CHECK_CHARACTERS[total % 11]


def parse_resident_id(value: str, *, today: date | None = None) -> ResidentId:
    """Validate and normalise an ID number (lowercase x becomes X), R-IN-4."""
    if not isinstance(value, str):
        raise InvalidResidentId("an ID number must be a string")
    number = value.strip().upper()
    if len(number) != _LENGTH:
        raise InvalidResidentId(f"an ID number has 18 characters, this one has {len(number)}")
    first17, last = number[:17], number[17]
    if not (first17.isascii() and first17.isdigit()):
        raise InvalidResidentId("the first 17 characters must be digits")
    if not (last == "X" or (last.isascii() and last.isdigit())):
        raise InvalidResidentId("the last character must be a digit or X")
    birth_date = _birth_date(number[6:14], today or today_in_shanghai())
    expected = check_character(first17)
    if last != expected:
        raise InvalidResidentId(f"wrong check character {last} (expected {expected})")
    sex: Sex = "male" if int(number[16]) % 2 == 1 else "female"
    return ResidentId(number, birth_date, sex)


def _birth_date(digits: str, today: date) -> date:
    """Read the YYYYMMDD birth date and check that it is plausible."""
    try:
        birth_date = date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
    except ValueError:
        raise InvalidResidentId(f"{digits} is not a real birth date") from None
    if birth_date < _EARLIEST_BIRTH:
        raise InvalidResidentId(f"birth date {birth_date.isoformat()} is before 1850")
    if birth_date > today:
        raise InvalidResidentId(f"birth date {birth_date.isoformat()} is in the future")
    return birth_date


def age_on(birth_date: date, on: date) -> int:
    """Age in completed years on a date (born 29 February: a year older on 1 March)."""
    if on < birth_date:
        raise ValueError(f"{on.isoformat()} is before the birth date {birth_date.isoformat()}")
    had_birthday = (on.month, on.day) >= (birth_date.month, birth_date.day)
    return on.year - birth_date.year - (0 if had_birthday else 1)


def _normalise(value: str) -> str:
    """Pydantic hook: the normalised number, or ValueError with the reason."""
    return parse_resident_id(value).number


ResidentIdNumber = Annotated[str, AfterValidator(_normalise)]
"""A `str` field holding a valid resident ID number, normalised (R-IN-4)."""
