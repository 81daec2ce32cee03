"""Refusals before drawing: an ID number in full (R-SE-2, R-SE-3), a character not in the font."""

import dataclasses
import re
import unicodedata
from collections.abc import Iterator
from datetime import date
from typing import Any

from shared.documents.errors import MissingGlyph, UnmaskedIdNumber
from shared.documents.typeface import missing_characters

_FULL_ID_NUMBER = re.compile(r"(?<![0-9])[0-9]{17}[0-9X](?![0-9])", re.IGNORECASE)
"""18 characters as an ID number has them, not inside a longer run of digits (NFKC first, so
full-width digits count)."""


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
        if _FULL_ID_NUMBER.search(unicodedata.normalize("NFKC", text)):
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
