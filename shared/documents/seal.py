"""The red seal mark (印章) printed over a signature: clearly a printed mark, not a real seal.

A ring, the authority's name along its upper arc, a five-pointed star and the word 印章 under it,
in red multiplied over the page so the signature under it stays legible.
"""

import math
from typing import TYPE_CHECKING

from shared.documents.typeface import FAMILY

if TYPE_CHECKING:
    from fpdf import FPDF

SEAL_RED = (222, 30, 40)
RADIUS = 21.0
"""Millimetres: a 42 mm seal, as townships' seals are."""
PT = 25.4 / 72


def draw_seal(pdf: "FPDF", cx: float, cy: float, authority: str, radius: float = RADIUS) -> None:
    """Draw the seal mark centred at (`cx`, `cy`) mm."""
    with pdf.local_context(
        fill_opacity=0.9,
        stroke_opacity=0.9,
        blend_mode="Multiply",
        draw_color=SEAL_RED,
        fill_color=SEAL_RED,
        text_color=SEAL_RED,
    ):
        pdf.set_line_width(radius * 0.055)
        pdf.circle(x=cx, y=cy, radius=radius - radius * 0.03, style="D")
        pdf.star(
            x=cx,
            y=cy,
            r_in=radius * 0.13,
            r_out=radius * 0.33,
            corners=5,
            rotate_degrees=180,  # fpdf2 counts from straight down: one point up
            style="F",
        )
        _arc_text(pdf, cx, cy, authority, radius)
        size = radius * 0.24 / PT
        pdf.set_font(FAMILY, "B", size)
        label = "印章"
        width = pdf.get_string_width(label)
        pdf.text(cx - width / 2, cy + radius * 0.62, label)
    pdf.set_line_width(0.2)


def _arc_text(pdf: "FPDF", cx: float, cy: float, text: str, radius: float) -> None:
    """The name along the upper arc, each character upright to the ring and condensed, read
    clockwise, as seals set it."""
    if not text:
        return
    track = radius * 0.74  # where the characters' centres run
    span = min(240.0, 24.0 * len(text))  # degrees of arc the name takes
    step = span / (len(text) - 1) if len(text) > 1 else 0.0
    room = math.radians(step) * track if len(text) > 1 else radius
    size_mm = radius * 0.29
    pdf.set_font(FAMILY, "B", size_mm / PT)
    pdf.set_stretching(min(100.0, 100.0 * 0.92 * room / size_mm))  # condensed to its share
    for index, character in enumerate(text):
        angle = -span / 2 + index * step  # degrees clockwise from the top
        theta = math.radians(angle)
        x = cx + track * math.sin(theta)
        y = cy - track * math.cos(theta)
        width = pdf.get_string_width(character)
        with pdf.rotation(angle=-angle, x=x, y=y):
            pdf.text(x - width / 2, y + 0.38 * size_mm, character)
    pdf.set_stretching(100)
