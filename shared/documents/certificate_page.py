"""The page of a 救助保障证 (R-AP-4): a red frame, the title, the fields, the seal, the notes."""

from collections.abc import Sequence
from datetime import date

from shared.documents.layout import (
    LEFT,
    PAGE_HEIGHT,
    PAGE_WIDTH,
    PT,
    RED,
    WIDTH,
    Column,
    OfficialDocument,
)
from shared.documents.typeface import FAMILY

NOTES = (
    "本证是享受社会救助待遇的凭证，由救助对象妥善保管，不得转借、涂改。",
    "家庭人口、收入、财产状况发生变化的，应当及时告知乡镇人民政府（街道办事处）。",
    "救助金按月发放至救助对象的社会保障卡或者银行账户。",
    "本证遗失的，应当及时向发证机关申请补发。",
)
LABEL_WIDTH = 42.0
TITLE_SIZE = 40.0
TITLE_SPACING = 8.0
"""Millimetres between the characters of the title."""
FIELD_SIZE = 14.0  # 四号
NOTE_SIZE = 11.0


def _frame(pdf: OfficialDocument) -> None:
    """A red double frame: a heavy outer line and a fine inner one."""
    pdf.set_draw_color(*RED)
    pdf.set_line_width(1.6)
    pdf.rect(12.0, 12.0, PAGE_WIDTH - 24.0, PAGE_HEIGHT - 24.0)
    pdf.set_line_width(0.4)
    pdf.rect(15.5, 15.5, PAGE_WIDTH - 31.0, PAGE_HEIGHT - 31.0)
    pdf.set_line_width(0.2)
    pdf.set_draw_color(0, 0, 0)


def _title(pdf: OfficialDocument, title: str) -> None:
    """The title in large red bold, its characters spread apart."""
    natural = pdf.width_of(title, TITLE_SIZE, "B")
    x = LEFT + (WIDTH - natural - TITLE_SPACING * (len(title) - 1)) / 2
    pdf.set_font(FAMILY, "B", TITLE_SIZE)
    pdf.set_text_color(*RED)
    pdf.set_char_spacing(TITLE_SPACING / PT)
    pdf.text(x, pdf.y + TITLE_SIZE * PT, title)
    pdf.set_char_spacing(0)
    pdf.set_text_color(0, 0, 0)
    pdf.y += TITLE_SIZE * PT * 1.5


def draw_certificate(
    pdf: OfficialDocument,
    title: str,
    program: str,
    fields: Sequence[tuple[str, str]],
    *,
    authority: str,
    issued_on: date,
) -> None:
    """Draw the certificate on one page: frame, title, program, fields, signature, notes."""
    pdf.bottom = PAGE_HEIGHT - 20.0  # inside the frame; a certificate has no page number
    _frame(pdf)
    pdf.y = 30.0
    _title(pdf, title)
    pdf.heading(f"（{program}）")
    pdf.ruled_table(
        (Column("", LABEL_WIDTH, "C", "B"), Column("", WIDTH - LABEL_WIDTH, "L")),
        [(label, value) for label, value in fields],
        size=FIELD_SIZE,
        headings=False,
        padding=2.2,
    )
    pdf.signature(authority, issued_on, gap=1.6)
    pdf.blank(1.2)
    pdf.paragraph("注意事项：", indent=0, size=NOTE_SIZE, style="B")
    for number, note in enumerate(NOTES, start=1):
        pdf.paragraph(f"{number}. {note}", indent=0, size=NOTE_SIZE)
