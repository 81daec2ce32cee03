"""Text as people type it into forms, checked the same way in every service.

Every text field of a request is NFC-normalised, stripped of surrounding whitespace (including
the ideographic space U+3000 and zero-width characters) and bounded in length, counted in
characters after that. It is refused, naming the field, when it holds:

- a NUL or another C0/C1 control character, DEL, or an ANSI escape sequence (ESC, CSI): they
  corrupt terminals, logs and exports, and PostgreSQL refuses NUL in text;
- a line break (``\\n``, ``\\r``, U+2028, U+2029, …) in a single-line field (names, addresses,
  codes); long free text (a reason) keeps ``\\n`` and tab, with ``\\r\\n`` made ``\\n``;
- a bidirectional control (U+202A–U+202E, U+2066–U+2069, U+200E, U+200F, U+061C), which makes
  text display in another order than it is stored ("trojan source");
- an unpaired surrogate (JSON ``"\\ud800"``), which no database can store;
- nothing but whitespace and zero-width characters (U+200B–U+200D, U+2060, U+FEFF); a
  single-line field holds none of those zero-width characters at all, so two names that look
  the same are the same.

Chinese names keep working, the middle dot of minority names included (``阿依古丽·买买提``).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import PydanticCustomError, core_schema

BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
                          "\u200e\u200f\u061c")
"""Embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069) and the marks."""
ZERO_WIDTH = frozenset("\u200b\u200c\u200d\u2060\ufeff")
"""Zero-width space, non-joiner, joiner, word joiner and the byte-order mark."""
LINE_BREAKS = frozenset("\n\r\x0b\x0c\x85\u2028\u2029")
MULTILINE_ALLOWED = frozenset("\n\r\t")
"""Control characters long free text may hold (``\\r`` only as part of a line break)."""
ESCAPES = frozenset("\x1b\x9b")
"""ESC and the single-character CSI: the start of an ANSI escape sequence."""

_STRIPPED = "".join(ZERO_WIDTH)
_SUSPECT = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e"
                      "\u2066-\u2069\ud800-\udfff]")
"""Characters :func:`_refusal` looks at; every other one passes."""

# The same rules as regular-expression classes, for the OpenAPI document (``TextRule.pattern``).
# Unpaired surrogates are left out: no JSON text a client encodes holds them, and a range of
# them breaks the patterns of some validators.
_REFUSED_MULTILINE = (r"\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u061c\u200e"
                      r"\u200f\u2028-\u202e\u2066-\u2069")
_REFUSED_ONE_LINE = _REFUSED_MULTILINE + r"\u0009\u000a\u000d\u200b-\u200d\u2060\ufeff"
_BLANK = r"\u0009\u000a\u000d\u0020\u00a0\u1680\u2000-\u200d\u202f\u205f\u2060\u3000\ufeff"


def _is_control(char: str) -> bool:
    code = ord(char)
    return code < 0x20 or 0x7F <= code <= 0x9F


def _refuse(kind: str, message: str, **context: Any) -> PydanticCustomError:
    return PydanticCustomError(kind, message, context or None)


def _refusal(char: str, multiline: bool) -> tuple[str, str] | None:
    """Why ``char`` may not be in a text field (error type, message), or None."""
    code = ord(char)
    if char in ESCAPES:
        return "text_escape_sequence", "must not hold an ANSI escape sequence ({character})"
    if char in LINE_BREAKS and not multiline:
        return "text_line_break", "must be a single line (found {character})"
    if _is_control(char) and not (multiline and char in MULTILINE_ALLOWED):
        return "text_control_character", "must not hold control characters (found {character})"
    if char in BIDI_CONTROLS:
        return ("text_bidi_control",
                "must not hold bidirectional control characters (found {character})")
    if 0xD800 <= code <= 0xDFFF:
        return "text_surrogate", "must not hold unpaired surrogates"
    return None


def clean_text(value: str, *, max_length: int, min_length: int = 1,
               multiline: bool = False) -> str:
    """The text normalised (NFC, stripped) and checked by the rules above; else a pydantic
    error whose type names the rule (``text_control_character``, ``text_bidi_control``...)."""
    if len(value) > 4 * max_length + 100:  # long before normalising and stripping
        raise _refuse("text_too_long", "must have at most {max_length} characters",
                      max_length=max_length)
    text = unicodedata.normalize("NFC", value)
    for match in _SUSPECT.finditer(text):
        char = match.group()
        refusal = _refusal(char, multiline)
        if refusal is not None:
            kind, message = refusal
            raise _refuse(kind, message, character=f"U+{ord(char):04X}")
    if multiline:
        text = (text.replace("\r\n", "\n").replace("\r", "\n")
                .replace("\u2028", "\n").replace("\u2029", "\n"))
    text = _strip(text)
    if not text:
        if min_length > 0:
            raise _refuse("text_blank", "must not be blank (only spaces or invisible characters)")
        return text
    if not multiline:
        invisible = next((c for c in text if c in ZERO_WIDTH), None)
        if invisible is not None:
            raise _refuse("text_invisible_character",
                          "must not hold zero-width characters (found {character})",
                          character=f"U+{ord(invisible):04X}")
    if len(text) < min_length:
        raise _refuse("text_too_short", "must have at least {min_length} characters",
                      min_length=min_length)
    if len(text) > max_length:
        raise _refuse("text_too_long", "must have at most {max_length} characters",
                      max_length=max_length)
    return text


def _strip(text: str) -> str:
    """Strip whitespace and zero-width characters from both ends, until neither is left."""
    while True:
        stripped = text.strip().strip(_STRIPPED)
        if stripped == text:
            return text
        text = stripped


@dataclass(frozen=True)
class TextRule:
    """Annotated metadata of a text field: ``Annotated[str, TextRule(max_length=50)]``.

    The value must be a JSON string (numbers are not turned into text); the rules of
    :func:`clean_text` apply after that, and the OpenAPI schema states the bounds.
    """

    max_length: int
    min_length: int = 1
    multiline: bool = False

    @property
    def pattern(self) -> str:
        """What the rules admit, as a JSON Schema pattern (for clients and API fuzzers): no
        refused character, and at least one that is neither whitespace nor zero-width. It is a
        little stricter than the rules (zero-width characters at the ends of a one-line text
        are stripped, not refused), never looser."""
        refused = _REFUSED_MULTILINE if self.multiline else _REFUSED_ONE_LINE
        # (?![\s\S]): the very end (``$`` in Python's reading also matches before a last "\n")
        return f"^[^{refused}]*[^{refused}{_BLANK}][^{refused}]*(?![\\s\\S])"

    def validate(self, value: str) -> str:
        return clean_text(value, max_length=self.max_length, min_length=self.min_length,
                          multiline=self.multiline)

    def __get_pydantic_core_schema__(self, source: Any,
                                     handler: GetCoreSchemaHandler) -> core_schema.CoreSchema:
        return core_schema.no_info_after_validator_function(
            self.validate, core_schema.str_schema(strict=True))

    def __get_pydantic_json_schema__(self, schema: core_schema.CoreSchema,
                                     handler: GetJsonSchemaHandler) -> JsonSchemaValue:
        json_schema = handler(schema)
        json_schema.update(minLength=self.min_length, maxLength=self.max_length,
                           pattern=self.pattern)
        rule = ("free text, line breaks allowed" if self.multiline else "one line")
        json_schema.setdefault("description", f"Text ({rule}): NFC-normalised and trimmed; "
                               "no control characters, escape sequences or bidi controls; "
                               f"{self.min_length}–{self.max_length} characters.")
        return json_schema


PersonName = Annotated[str, TextRule(max_length=50)]
"""A person's name as on the ID card: one line, 1–50 characters (张三, 阿依古丽·买买提)."""
Address = Annotated[str, TextRule(max_length=200)]
"""A postal or household address: one line, 1–200 characters."""
Label = Annotated[str, TextRule(max_length=100)]
"""A short name of a thing (a material, a checklist item): one line, 1–100 characters."""
Reason = Annotated[str, TextRule(max_length=2000, multiline=True)]
"""Free text explaining a decision (a refusal's reason): line breaks allowed, 1–2000."""
SearchText = Annotated[str, TextRule(max_length=200)]
"""A value to look for in a list (a user id, a record id, a correlation id): one line, ≤ 200."""
