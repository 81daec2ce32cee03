"""Refusals before drawing: an ID number in full (R-SE-2, R-SE-3), a character not in the font."""

import dataclasses
import re
import unicodedata
from collections.abc import Iterator
from datetime import date
from typing import Any

from shared.documents.errors import MissingGlyph, UnmaskedIdNumber
from shared.documents.typeface import missing_characters
from shared.idcard import check_character

_FULL_ID_NUMBER = re.compile(r"(?<![0-9])[0-9]{6}[ -]?[0-9]{8}[ -]?[0-9]{3}[0-9X](?![0-9])", re.I)
"""18 characters as an ID number has them, also written in groups (230722 19600101 0011), not
inside a longer run of digits; NFKC first, so full-width digits count."""


def _is_id_number(found: str) -> bool:
    """18 characters in a row are always taken for one; in groups, only with a valid check
    character (so most numbers like SQ230722-20261120-0032 are not)."""
    digits = found.replace(" ", "").replace("-", "").upper()
    if digits == found.upper():
        return True
    return check_character(digits[:17]) == digits[17]


def strings(value: Any, path: str = "") -> Iterator[tuple[str, str]]:
    """Every string in a document's input with where it sits (`entries[2].name`)."""
    if isinstance(value, str):
        yield path, value
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for field in dataclasses.fields(value):
            prefix = f"{path}." if path else ""
            yield from strings(getattr(value, field.name), f"{prefix}{field.name}")
    elif isinstance(value, tuple | list):
        for index, item in enumerate(value):
            yield from strings(item, f"{path}[{index}]")
    elif value is None or isinstance(value, int | date):
        return
    else:
        raise TypeError(f"{path or 'the input'}: cannot print a {type(value).__name__}")


def refuse_unmasked_id_numbers(document: Any) -> None:
    """R-SE-2, R-SE-3: a document never shows an ID number in full; masking is the caller's job."""
    for path, text in strings(document):
        found = _FULL_ID_NUMBER.finditer(unicodedata.normalize("NFKC", text))
        if any(_is_id_number(match.group()) for match in found):
            raise UnmaskedIdNumber(
                f"{path} holds an ID number in full; mask it first (shared.masking)"
            )


def require_glyphs(document: Any) -> None:
    """Every character of the input is in the bundled font: none may print as a blank box."""
    for path, text in strings(document):
        missing = missing_characters(text)
        if missing:
            shown = ", ".join(f"{character!r} U+{ord(character):04X}" for character in missing)
            raise MissingGlyph(f"{path}: the document font has no glyph for {shown}")
