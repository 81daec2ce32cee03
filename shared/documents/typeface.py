"""The bundled CJK font (a subset of Noto Serif CJK SC, SIL OFL 1.1): its files and what it covers.

Shipped in the package (shared/documents/fonts, rebuilt by tools/fontsubset.py) and embedded in
every document, so a document prints Chinese on a machine with no fonts installed.
"""

from functools import cache
from pathlib import Path

from fontTools.ttLib import TTFont

FONTS = Path(__file__).resolve().parent / "fonts"
FAMILY = "assist-serif"
FILES = {
    "": FONTS / "AssistSerifSC-Regular.otf",  # 正文, in place of 仿宋
    "B": FONTS / "AssistSerifSC-Bold.otf",  # 发文机关标志 and title, in place of 小标宋
}
LICENSE = FONTS / "OFL.txt"
_LAYOUT_ONLY = frozenset("\n\r\t")


@cache
def coverage() -> frozenset[int]:
    """The code points every weight of the bundled font can draw."""
    covered: frozenset[int] | None = None
    for path in FILES.values():
        font = TTFont(str(path), lazy=True)
        points = frozenset(font.getBestCmap())
        font.close()
        covered = points if covered is None else covered & points
    return covered or frozenset()


def missing_characters(text: str) -> list[str]:
    """The distinct characters of `text` the font cannot draw (they would print as blank boxes)."""
    covered = coverage()
    missing: dict[str, None] = {}
    for character in text:
        if character not in _LAYOUT_ONLY and ord(character) not in covered:
            missing[character] = None
    return list(missing)
