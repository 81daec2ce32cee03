"""Looking at rendered pages: colours, ink, glyph shapes and the difference of two pictures."""

from collections.abc import Callable
from typing import cast

from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageFont, ImageStat

from tests.unit.documents.samples import DPI

Pixel = tuple[int, int, int]
Box = tuple[float, float, float, float]
"""left, top, right, bottom in millimetres from the page's top left corner."""


def pixels(image: Image.Image) -> list[Pixel]:
    """The picture's pixels as RGB triples, row after row."""
    return cast(list[Pixel], list(image.convert("RGB").get_flattened_data()))


def px(mm: float, dpi: int = DPI) -> int:
    """Millimetres on the page to pixels at `dpi`."""
    return round(mm / 25.4 * dpi)


def is_red(pixel: Pixel) -> bool:
    """Clearly red: the header, the rule, the seal (not black, not pink anti-aliasing)."""
    red, green, blue = pixel
    return red > 150 and green < 110 and blue < 110


def is_dark(pixel: Pixel) -> bool:
    """Black ink: text and rules."""
    return max(pixel) < 110


def is_ink(pixel: Pixel) -> bool:
    """Anything not (nearly) white paper."""
    return min(pixel) < 200


def crop(image: Image.Image, box: Box) -> Image.Image:
    """The part of the page inside `box` (mm)."""
    left, top, right, bottom = box
    return image.crop((px(left), px(top), px(right), px(bottom)))


def count(image: Image.Image, test: Callable[[Pixel], bool]) -> int:
    """How many pixels pass `test`."""
    return sum(1 for pixel in pixels(image) if test(pixel))


def bbox(image: Image.Image, test: Callable[[Pixel], bool]) -> tuple[int, int, int, int] | None:
    """The pixel box (left, top, right, bottom) holding every pixel that passes `test`."""
    mask = Image.new("1", image.size)
    mask.putdata([1 if test(pixel) else 0 for pixel in pixels(image)])
    return mask.getbbox()


def rows_with(image: Image.Image, test: Callable[[Pixel], bool]) -> list[int]:
    """The rows (pixel y) holding at least one pixel that passes `test`."""
    width, data = image.width, pixels(image)
    return [
        y for y in range(image.height) if any(test(p) for p in data[y * width : (y + 1) * width])
    ]


def bands(rows: list[int]) -> list[tuple[int, int]]:
    """Runs of consecutive rows: the lines of text on a page, as (first, last) pixel rows."""
    runs: list[tuple[int, int]] = []
    for row in rows:
        if runs and row == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], row)
        else:
            runs.append((row, row))
    return runs


def shape(glyph: Image.Image, size: int = 32) -> Image.Image:
    """A glyph's ink cropped to its box, scaled to `size`² and blurred, for comparing shapes
    whatever their size and stroke weight."""
    grey = glyph.convert("L")
    ink = ImageChops.invert(grey).point(lambda value: 255 if value > 60 else 0).getbbox()
    if ink is None:
        return Image.new("L", (size, size), 255)
    return grey.crop(ink).resize((size, size)).filter(ImageFilter.GaussianBlur(2))


def difference(a: Image.Image, b: Image.Image) -> float:
    """Mean absolute difference of two pictures of one size, 0 (same) to 255."""
    if a.size != b.size:
        raise ValueError(f"pictures of different sizes: {a.size} and {b.size}")
    return sum(ImageStat.Stat(ImageChops.difference(a.convert("RGB"), b.convert("RGB"))).mean) / 3


def notdef(font_path: str, size_px: int) -> Image.Image:
    """What the font draws for a character it lacks (.notdef, the 'tofu'), by FreeType."""
    font = ImageFont.truetype(font_path, size_px)
    image = Image.new("RGB", (size_px * 2, size_px * 2), "white")
    ImageDraw.Draw(image).text((size_px // 2, size_px // 2), "\U00020000", font=font, fill="black")
    return image
