"""Rebuild the CJK fonts of the official documents (shared/documents/fonts) from Noto Serif CJK.

The documents embed these files, so they print Chinese on a machine with no fonts installed.
Each file is Noto Serif CJK SC (SIL OFL 1.1) cut down to the characters a document needs:
GB 2312 whole (its 6,763 hanzi of levels 1 and 2 and its symbols), 〇, ASCII, general and CJK
punctuation, full-width forms and the few characters in ``EXTRA``. Renamed "Assist Serif SC"
so it is never taken for the whole font.

Get the source fonts without installing them system-wide, then run this script::

    cd /tmp && apt-get download fonts-noto-cjk && dpkg-deb -x fonts-noto-cjk_*.deb noto
    .venv/bin/python -m tools.fontsubset /tmp/noto/usr/share/fonts/opentype/noto

Then regenerate the reference pictures (see tests/unit/documents/test_pictures.py).
"""

import argparse
import sys
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTCollection, TTFont

OUT = Path(__file__).resolve().parent.parent / "shared" / "documents" / "fonts"
SIMPLIFIED_CHINESE = 2
"""Index of Noto Serif CJK SC in the Debian collections (JP, KR, SC, TC, HK)."""
WEIGHTS = {"Regular": "NotoSerifCJK-Regular.ttc", "Bold": "NotoSerifCJK-Bold.ttc"}
FAMILY = "Assist Serif SC"

EXTRA = "〇￥№•·×÷±≤≥‰※△▲□■○●◎◇◆☆★"
"""Beyond GB 2312: characters the documents themselves print or that names and places need."""


def gb2312() -> set[str]:
    """Every character of GB 2312: rows 1–9 (symbols) and 16–87 (the hanzi of levels 1 and 2)."""
    characters = set()
    for row in range(0xA1, 0xF8):
        for cell in range(0xA1, 0xFF):
            try:
                characters.add(bytes((row, cell)).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    return characters


def wanted() -> set[str]:
    """The characters kept: GB 2312, ASCII, punctuation, full-width forms and ``EXTRA``."""
    ranges = [
        (0x20, 0x7E),  # ASCII
        (0xA0, 0xFF),  # Latin-1 (°, ±, ×, ÷, ·)
        (0x2010, 0x2027),  # general punctuation: dashes, quotes, …
        (0x2030, 0x203B),  # ‰ ′ ″ ※
        (0x3000, 0x303F),  # CJK symbols and punctuation: 、。〈〉《》「」『』【】〔〕〇
        (0xFF01, 0xFF5E),  # full-width forms
        (0xFFE0, 0xFFE6),  # full-width signs: ￠￡￢￣￤￥
    ]
    characters = {chr(code) for start, end in ranges for code in range(start, end + 1)}
    return characters | gb2312() | set(EXTRA)


def _rename(font: TTFont, weight: str) -> None:
    """Name the subset apart from the whole font (OFL: a Modified Version)."""
    full = f"{FAMILY} {weight}" if weight != "Regular" else FAMILY
    postscript = f"AssistSerifSC-{weight}"
    names = {
        1: FAMILY,
        2: weight,
        3: f"{postscript};subset of NotoSerifCJKsc",
        4: full,
        6: postscript,
        16: FAMILY,
        17: weight,
    }
    table = font["name"]
    for record in list(table.names):
        if record.nameID in (1, 2, 3, 4, 6, 16, 17):
            table.removeNames(nameID=record.nameID)
    for name_id, value in names.items():
        table.setName(value, name_id, 3, 1, 0x409)
        table.setName(value, name_id, 1, 0, 0)
    if "CFF " in font:
        cff = font["CFF "].cff
        cff.fontNames = [postscript]
        top = cff.topDictIndex[0]
        top.FullName = full
        top.FamilyName = FAMILY


def build(source: Path, out: Path = OUT) -> list[Path]:
    """Write one subset .otf per weight into `out`; returns the files written."""
    out.mkdir(parents=True, exist_ok=True)
    text = "".join(sorted(wanted()))
    written = []
    for weight, collection in WEIGHTS.items():
        font = TTCollection(str(source / collection)).fonts[SIMPLIFIED_CHINESE]
        options = subset.Options()
        options.layout_features = []  # horizontal text, unshaped: one glyph per character
        options.name_IDs = ["*"]
        options.name_languages = ["*"]
        options.notdef_outline = True  # .notdef keeps its box: the tests compare against it
        options.hinting = False
        options.desubroutinize = False
        subsetter = subset.Subsetter(options)
        subsetter.populate(text=text)
        subsetter.subset(font)
        _rename(font, weight)
        path = out / f"AssistSerifSC-{weight}.otf"
        font.save(str(path))
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    """Command line: the folder holding NotoSerifCJK-Regular.ttc and NotoSerifCJK-Bold.ttc."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path, help="folder with the Noto Serif CJK .ttc files")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    for path in build(args.source, args.out):
        print(f"{path} {path.stat().st_size:,} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
