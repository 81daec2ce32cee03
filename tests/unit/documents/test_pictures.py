"""The documents checked as pictures: A4, a red header and rule, a title in ink that is not tofu,
a red seal, text inside the margins, the same picture as the committed one, with no fonts."""

import hashlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from PIL import Image

from shared.documents import certificate_page
from shared.documents.layout import BOTTOM, LEFT, PT, TITLE_SIZE, TOP, WIDTH
from shared.documents.typeface import FILES
from tests.unit.documents.pixels import (
    bands,
    bbox,
    count,
    crop,
    difference,
    is_dark,
    is_ink,
    is_red,
    notdef,
    pixels,
    px,
    rows_with,
    shape,
)
from tests.unit.documents.samples import (
    CERTIFICATE,
    REFUSAL,
    SAMPLES,
    Sample,
    pages,
    picture_path,
)

ROOT = Path(__file__).resolve().parents[3]
A4_POINTS = (595.28, 841.89)
SNAPSHOT_TOLERANCE = 1.5
"""Mean absolute difference (of 255) a page may drift from its reference: anti-aliasing of
another pdfium build, not a moved line (a 1 mm shift measures well above it)."""
TOFU_DISTANCE = 16.0
"""Glyph shapes closer than this (mean difference of blurred 32×32 greys) are the same glyph:
.notdef against itself at any size stays under 11, a hanzi against .notdef is over 45, two
hanzi as alike as 口 and 日 measure 23."""

LETTERS = [sample for sample in SAMPLES if sample.name != "certificate"]
BY_NAME = {sample.name: sample for sample in SAMPLES}


@pytest.fixture(scope="module")
def rendered() -> dict[str, tuple[bytes, list[Image.Image]]]:
    """Each sample's PDF and its pages at 100 dpi, rendered once for the module."""
    result = {}
    for sample in SAMPLES:
        pdf = sample.render(sample.document)
        result[sample.name] = (pdf, pages(pdf))
    return result


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda sample: sample.name)
def test_every_page_is_a4_portrait(sample: Sample, rendered: dict) -> None:
    """R-AP-3, R-AP-4, R-AP-5: the documents print on A4 (595 × 842 pt)."""
    pdf, images = rendered[sample.name]
    document = pdfium.PdfDocument(pdf)
    sizes = [tuple(round(side, 2) for side in page.get_size()) for page in document]
    assert sizes == [A4_POINTS] * len(images)
    for image in images:  # 210 × 297 mm at 100 dpi, give or take pdfium's rounding up
        assert abs(image.width - px(210)) <= 1 and abs(image.height - px(297)) <= 1


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda sample: sample.name)
def test_the_text_layer_holds_the_chinese_title(sample: Sample, rendered: dict) -> None:
    """R-AP-3, R-AP-4, R-AP-5: the title is text (searchable, copyable), not only a picture."""
    document = pdfium.PdfDocument(rendered[sample.name][0])
    assert sample.title in document[0].get_textpage().get_text_range()


def _rule_row(page: Image.Image) -> int:
    """The pixel row of the red rule under the document number: red across the type area."""
    strip = crop(page, (LEFT, TOP, LEFT + WIDTH, TOP + 100))
    width = strip.width
    data = pixels(strip)
    for y in range(strip.height):
        if sum(is_red(p) for p in data[y * width : (y + 1) * width]) > 0.9 * width:
            return px(TOP) + y
    raise AssertionError("no red rule across the type area")


@pytest.mark.parametrize("sample", LETTERS, ids=lambda sample: sample.name)
def test_the_header_is_red_and_the_red_rule_spans_the_type_area(
    sample: Sample, rendered: dict
) -> None:
    """发文机关标志 in red above a red rule as wide as the type area (GB/T 9704)."""
    page = rendered[sample.name][1][0]
    rule = _rule_row(page)
    header = page.crop((px(LEFT), px(TOP), px(LEFT + WIDTH), rule - px(15)))
    assert count(header, is_red) > 2000  # the authority's name in large red characters
    assert count(header, is_dark) == 0
    above_the_header = crop(page, (0, 0, 210, TOP))
    assert count(above_the_header, is_ink) == 0


def _title_cells(page: Image.Image, rule: int, title: str) -> list[Image.Image]:
    """The title's characters, each cut from its cell of the centred title line."""
    below = page.crop((px(LEFT), rule + 2, px(LEFT + WIDTH), rule + px(40)))
    first, last = bands(rows_with(below, is_dark))[0]
    em = TITLE_SIZE * PT
    start = LEFT + (WIDTH - len(title) * em) / 2
    return [
        page.crop((px(start + i * em), rule + 2 + first, px(start + (i + 1) * em), rule + 3 + last))
        for i in range(len(title))
    ]


def _assert_not_tofu(cells: list[Image.Image], text: str) -> None:
    """Every cell holds ink, none is the font's .notdef box, distinct characters differ."""
    tofu = shape(notdef(str(FILES["B"]), cells[0].height))
    shapes = [shape(cell) for cell in cells]
    for character, cell, glyph in zip(text, cells, shapes, strict=True):
        assert count(cell, is_ink) > 20, f"{character} printed nothing"
        assert difference(glyph, tofu) > TOFU_DISTANCE, f"{character} printed as a blank box"
    for i, a in enumerate(text):
        for j in range(i + 1, len(text)):
            if a != text[j]:
                assert difference(shapes[i], shapes[j]) > TOFU_DISTANCE, f"{a} looks like {text[j]}"


@pytest.mark.parametrize("sample", LETTERS, ids=lambda sample: sample.name)
def test_the_title_is_dark_ink_in_real_glyphs_not_tofu(sample: Sample, rendered: dict) -> None:
    """R-AP-3, R-AP-5: the title's glyphs are drawn, each its own, none the .notdef box."""
    page = rendered[sample.name][1][0]
    title = pdfium.PdfDocument(rendered[sample.name][0])[0].get_textpage().get_text_range()
    title_line = title.split("\r\n")[2]
    assert sample.title in title_line
    cells = _title_cells(page, _rule_row(page), title_line)
    assert sum(count(cell, is_dark) for cell in cells) > 100 * len(cells)
    _assert_not_tofu(cells, title_line)


def test_the_certificate_title_is_red_and_not_tofu(rendered: dict) -> None:
    """R-AP-4: 救助保障证 in large red characters, each a real glyph."""
    page = rendered["certificate"][1][0]
    size = certificate_page.TITLE_SIZE * PT
    step = size + certificate_page.TITLE_SPACING
    title = "救助保障证"
    start = LEFT + (WIDTH - size * len(title) - certificate_page.TITLE_SPACING * 4) / 2
    band = crop(page, (LEFT, 25, LEFT + WIDTH, 55))
    top, bottom = bands(rows_with(band, is_red))[0]
    cells = [
        page.crop(
            (px(start + i * step), px(25) + top, px(start + i * step + size), px(25) + bottom)
        )
        for i in range(len(title))
    ]
    assert all(count(cell, is_red) > 200 for cell in cells)
    _assert_not_tofu(cells, title)


def test_the_tofu_detector_knows_tofu() -> None:
    """The check above can fail: .notdef drawn at two sizes is found to be the same glyph."""
    small, large = notdef(str(FILES[""]), 31), notdef(str(FILES[""]), 80)
    assert difference(shape(small), shape(large)) < TOFU_DISTANCE


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda sample: sample.name)
def test_the_seal_is_a_red_ring_of_42_mm_over_the_signature(sample: Sample, rendered: dict) -> None:
    """The seal mark on the last page: red, about 42 mm across, pressed over the date."""
    page = rendered[sample.name][1][-1]
    top = 100 if sample.name == "certificate" else 0  # under the certificate's red title
    region = (20, top, 190, 270)  # inside the certificate's red frame
    box = bbox(crop(page, region), is_red)
    assert box is not None
    left, upper, right, lower = box
    assert abs((right - left) - px(42)) <= px(2)
    assert abs((lower - upper) - px(42)) <= px(2)
    ring = crop(page, region).crop(box)
    assert count(ring, is_red) > 3000
    assert count(ring, is_dark) > 200  # the signature and the date show through


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda sample: sample.name)
def test_text_stays_inside_the_margins(sample: Sample, rendered: dict) -> None:
    """Black ink lies in the type area (158 mm from 27 mm), page numbers 7 mm under it."""
    for page in rendered[sample.name][1]:
        box = bbox(page, is_dark)
        assert box is not None
        left, upper, right, lower = box
        assert left >= px(LEFT) - 1 and right <= px(LEFT + WIDTH) + 1
        if sample.name != "certificate":
            assert upper >= px(TOP) - 1
            body = crop(page, (0, BOTTOM + 0.5, 210, BOTTOM + 6.5))
            assert count(body, is_ink) == 0  # nothing between the type area and the page number
            assert lower <= px(BOTTOM + 7 + 14 * PT) + 1


@pytest.mark.parametrize("sample", LETTERS, ids=lambda sample: sample.name)
def test_page_numbers_sit_outside_odd_right_even_left(sample: Sample, rendered: dict) -> None:
    """页码 «— n —»: right on odd pages, left on even ones, under the type area."""
    images = rendered[sample.name][1]
    assert len(images) >= 2
    for number, page in enumerate(images, start=1):
        box = bbox(crop(page, (0, BOTTOM + 5, 210, 297)), is_dark)
        assert box is not None
        centre = (box[0] + box[2]) / 2
        assert (centre > px(105)) == (number % 2 == 1)


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda sample: sample.name)
def test_pages_match_the_committed_pictures(sample: Sample, rendered: dict) -> None:
    """Each page looks as its reference in docs/documents (regenerate: see samples.py)."""
    images = rendered[sample.name][1]
    committed = sorted(picture_path(sample.name, 1).parent.glob(f"{sample.name}-*.png"))
    assert len(committed) == len(images), "page count changed: regenerate the pictures"
    for number, image in enumerate(images, start=1):
        reference = Image.open(picture_path(sample.name, number))
        drift = difference(image, reference)
        assert drift < SNAPSHOT_TOLERANCE, f"page {number} drifted by {drift:.2f}"


def test_the_snapshot_comparison_sees_a_moved_line(rendered: dict) -> None:
    """The comparison can fail: the page moved down by 1 mm is far from its reference."""
    page = rendered["refusal-notice"][1][0]
    moved = Image.new("RGB", page.size, "white")
    moved.paste(page, (0, px(1)))
    assert difference(moved, page) > 2 * SNAPSHOT_TOLERANCE


def test_fonts_are_embedded_and_no_standard_font_is_used(rendered: dict) -> None:
    """Every font in every document travels inside the PDF: nothing asked of the printer."""
    for pdf, _ in rendered.values():
        fonts = re.findall(rb"/Type /Font\b", pdf)
        assert fonts
        assert len(re.findall(rb"/FontFile[23]? ", pdf)) >= 2
        assert b"/Helvetica" not in pdf and b"/Times" not in pdf


RENDER_IN_A_BARE_PROCESS = """
import hashlib, json, sys
from tests.unit.documents.samples import SAMPLES, pages
out = {}
for sample in SAMPLES:
    pdf = sample.render(sample.document)
    out[sample.name] = [hashlib.sha256(pdf).hexdigest()] + [
        hashlib.sha256(image.tobytes()).hexdigest() for image in pages(pdf)
    ]
json.dump(out, sys.stdout)
"""


@pytest.mark.slow
def test_rendering_needs_no_system_font(tmp_path: Path, rendered: dict) -> None:
    """With fontconfig blind (FONTCONFIG_FILE=/dev/null) and an empty HOME, the same bytes and
    the same pictures: the documents bring their font."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "FONTCONFIG_FILE": "/dev/null",
        "FONTCONFIG_PATH": str(tmp_path),
        "XDG_DATA_HOME": str(tmp_path),
        "XDG_CONFIG_HOME": str(tmp_path),
        "PYTHONPATH": str(ROOT),
    }
    run = subprocess.run(
        [sys.executable, "-c", RENDER_IN_A_BARE_PROCESS],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    bare = json.loads(run.stdout)
    here = {
        name: [hashlib.sha256(pdf).hexdigest()]
        + [hashlib.sha256(image.tobytes()).hexdigest() for image in images]
        for name, (pdf, images) in rendered.items()
    }
    assert bare == here


def test_rendering_twice_gives_the_same_bytes() -> None:
    """A document is a function of its input: the same PDF every time (its date is the issue
    date, not the time of rendering)."""
    assert BY_NAME["refusal-notice"].render(REFUSAL) == BY_NAME["refusal-notice"].render(REFUSAL)
    assert BY_NAME["certificate"].render(CERTIFICATE) == BY_NAME["certificate"].render(CERTIFICATE)
