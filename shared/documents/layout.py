"""An official document's page in the spirit of GB/T 9704-2012 (党政机关公文格式) on A4.

Type area 158 × 225 mm (28 characters of 三号 a line, 22 lines a page), the issuing authority in
red above a red rule, the document number, a centred title, paragraphs indented by two
characters and set on a grid with Chinese line-breaking rules (避头尾), the signature with the
date and a red seal mark pressed over them, page numbers «— 1 —» outside on odd and even pages.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Literal
from zoneinfo import ZoneInfo

from fpdf import FPDF

from shared.documents.chinese import chinese_date
from shared.documents.errors import MissingGlyph
from shared.documents.seal import draw_seal
from shared.documents.typeface import FAMILY, FILES

PT = 25.4 / 72
"""One point in millimetres."""
PAGE_WIDTH, PAGE_HEIGHT = 210.0, 297.0
BODY_SIZE = 16.0  # 三号
TITLE_SIZE = 22.0  # 二号
PAGE_NUMBER_SIZE = 14.0  # 四号
LEFT = 27.0
WIDTH = 28 * BODY_SIZE * PT  # 158.04 mm: 28 characters of 三号
TOP = 37.0
BOTTOM = PAGE_HEIGHT - 35.0  # 262 mm: 225 mm of type area
PITCH = 28.95 * PT  # 22 lines in the type area
RED = (206, 17, 38)
INK = (0, 0, 0)
SHANGHAI = ZoneInfo("Asia/Shanghai")

NO_LINE_START = frozenset("，。、；：？！）》」』〕】〉”’…—·%‰℃,.;:?!)]}")
"""Characters a line never starts with (避头)."""
NO_LINE_END = frozenset("（《「『〔【〈“‘([{￥$")
"""Characters a line never ends with (避尾)."""

LONG_WORD = 12
"""An ASCII run this long (an application number) may break anywhere rather than leave a gap."""

Align = Literal["L", "C", "R"]


@dataclass(frozen=True)
class Column:
    """A column of a ruled table: its heading, width in mm and alignment."""

    heading: str
    width: float
    align: Align = "C"
    style: str = ""
    """The body cells' style: "B" bold."""


def _tokens(text: str) -> list[str]:
    """Break opportunities: a CJK character alone, a run of ASCII letters and digits whole."""
    tokens: list[str] = []
    for character in text:
        word = character.isascii() and not character.isspace()
        previous = tokens[-1][-1] if tokens else " "
        if word and previous.isascii() and not previous.isspace():
            tokens[-1] += character
        else:
            tokens.append(character)
    return tokens


class OfficialDocument(FPDF):
    """A4 pages of one document; `y` is where the next line's box starts, in mm."""

    def __init__(self, *, title: str, issued_on: date, page_numbers: bool = True) -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        for style, path in FILES.items():
            self.add_font(FAMILY, style, str(path))
        self.set_margins(LEFT, TOP, PAGE_WIDTH - LEFT - WIDTH)
        self.set_auto_page_break(False)
        self.set_title(title)
        self.set_lang("zh-CN")
        self.set_creator("assist shared.documents")
        self.set_creation_date(datetime.combine(issued_on, time(9), SHANGHAI))
        self.page_numbers = page_numbers
        self.bottom = BOTTOM
        """Where the type area ends on this document's pages (mm from the top)."""
        self._widths: dict[tuple[str, float, str], float] = {}
        self.add_page()
        self.y = TOP

    # --- text on a grid ---------------------------------------------------------------------

    def width_of(self, text: str, size: float, style: str = "") -> float:
        """The natural width of `text` in mm, one character's width measured once."""
        total = 0.0
        for character in text:
            key = (character, size, style)
            if key not in self._widths:
                self.set_font(FAMILY, style, size)
                self._widths[key] = self.get_string_width(character)
            total += self._widths[key]
        return total

    def break_lines(
        self, text: str, width: float, size: float, style: str = "", first: float | None = None
    ) -> list[str]:
        """Lines of `text` no wider than `width` (the first no wider than `first`), a line never
        starting with 、。） nor ending with （《 (避头尾)."""
        text = " ".join(text.split())  # a line break or tab in the input is a space
        lines: list[list[str]] = [[]]
        room = width if first is None else first
        used = 0.0
        for token in _tokens(text):
            line = lines[-1]
            if not line and token.isspace():
                continue
            token_width = self.width_of(token, size, style)
            if used + token_width <= room + 0.01 or not line:
                line.append(token)
                used += token_width
                continue
            if len(token) >= LONG_WORD and token[0] not in NO_LINE_START:
                head = self._fitting_head(token, room - used, size, style)
                if len(head) >= 2:  # a long number breaks where the line ends, not a wide gap
                    line.append(head)
                    token = token[len(head) :]
            following = [token]
            while len(line) > 1 and (
                following[0][0] in NO_LINE_START or line[-1][-1] in NO_LINE_END
            ):
                following.insert(0, line.pop())
            lines.append(following)
            room = width
            used = self.width_of("".join(following), size, style)
        return ["".join(line).strip() for line in lines if line]

    def _fitting_head(self, word: str, room: float, size: float, style: str) -> str:
        """The longest start of `word` no wider than `room` mm."""
        used = 0.0
        for index, character in enumerate(word):
            used += self.width_of(character, size, style)
            if used > room + 0.01:
                return word[:index]
        return word

    def _ensure_room(self, height: float) -> None:
        """Start a new page when `height` more millimetres do not fit on this one."""
        if self.y + height > self.bottom + 0.01:
            self.add_page()
            self.y = TOP

    def _line(
        self,
        text: str,
        *,
        x: float,
        width: float,
        size: float,
        style: str = "",
        align: Align | Literal["J"] = "L",
        pitch: float = PITCH,
        color: tuple[int, int, int] = INK,
    ) -> None:
        """One line in a box `pitch` high at `self.y`; `J` spreads it to fill `width`."""
        self.set_font(FAMILY, style, size)
        self.set_text_color(*color)
        natural = self.width_of(text, size, style)
        spacing = 0.0
        if align == "J" and len(text) > 1:
            spacing = max(0.0, (width - natural) / (len(text) - 1))
            natural += spacing * (len(text) - 1)
        if align == "C":
            x += (width - natural) / 2
        elif align == "R":
            x += width - natural
        baseline = self.y + pitch / 2 + 0.38 * size * PT  # the ideographic em box centred
        self.set_char_spacing(spacing / PT)
        self.text(x, baseline, text)
        self.set_char_spacing(0)
        self.y += pitch

    def paragraph(
        self,
        text: str,
        *,
        indent: int = 2,
        size: float = BODY_SIZE,
        style: str = "",
        hanging: int = 0,
        pitch: float | None = None,
    ) -> None:
        """A body paragraph: the first line indented by `indent` characters, full lines justified;
        `hanging` indents the lines after the first (a numbered list)."""
        em = size * PT
        pitch = pitch or (PITCH if size == BODY_SIZE else em * 1.75)
        lines = self.break_lines(text, WIDTH - hanging * em, size, style, first=WIDTH - indent * em)
        for number, line in enumerate(lines):
            self._ensure_room(pitch)
            shift = (indent if number == 0 else hanging) * em
            last = number == len(lines) - 1
            self._line(
                line,
                x=LEFT + shift,
                width=WIDTH - shift,
                size=size,
                style=style,
                align="L" if last else "J",
                pitch=pitch,
            )

    def blank(self, lines: float = 1) -> None:
        """Leave `lines` empty lines."""
        self.y += PITCH * lines

    # --- the parts of a 公文 ----------------------------------------------------------------

    def red_header(self, authority: str) -> None:
        """发文机关标志: the authority in large red bold, condensed to the type area if need be."""
        size = 36.0
        natural = self.width_of(authority, size, "B")
        stretch = min(100.0, 100.0 * WIDTH / natural) if natural else 100.0
        self.y = TOP + 20.0
        self.set_stretching(stretch)
        self._line(
            authority,
            x=LEFT,
            width=WIDTH,
            size=size,
            style="B",
            align="C",
            pitch=size * PT * 1.3,
            color=RED,
        )
        self.set_stretching(100)

    def document_number(self, number: str) -> None:
        """发文字号 two lines below the header, centred, and the red rule 4 mm under it."""
        self.blank(1)
        self._line(number, x=LEFT, width=WIDTH, size=BODY_SIZE, align="C")
        rule = self.y - PITCH / 2 + 0.38 * BODY_SIZE * PT + 4.0
        self.set_draw_color(*RED)
        self.set_line_width(0.9)
        self.line(LEFT, rule, LEFT + WIDTH, rule)
        self.set_line_width(0.2)
        self.set_draw_color(*INK)
        self.y = rule + 4.0

    def heading(self, text: str) -> None:
        """标题: 二号 bold, centred, in lines as even as the width allows."""
        self.blank(1)
        lines = self.break_lines(text, WIDTH - 2 * TITLE_SIZE * PT, TITLE_SIZE, "B")
        for line in lines:
            self._ensure_room(PITCH * 1.3)
            self._line(
                line, x=LEFT, width=WIDTH, size=TITLE_SIZE, style="B", align="C", pitch=PITCH * 1.3
            )
        self.blank(1)

    def addressee(self, text: str) -> None:
        """主送: flush left, ending with a full-width colon."""
        self.paragraph(f"{text}：", indent=0)

    def signature(self, authority: str, issued_on: date, *, gap: float = 2) -> None:
        """发文机关署名 and 成文日期 (right, four characters in), the red seal pressed over both,
        `gap` empty lines under the text above."""
        em = BODY_SIZE * PT
        self._ensure_room(PITCH * (gap + 3))
        self.blank(gap)
        when = chinese_date(issued_on)
        date_width = self.width_of(when, BODY_SIZE)
        date_x = LEFT + WIDTH - 4 * em - date_width
        centre = date_x + date_width / 2
        name_width = self.width_of(authority, BODY_SIZE)
        name_x = max(LEFT, min(centre - name_width / 2, LEFT + WIDTH - name_width))
        top = self.y
        self._line(authority, x=name_x, width=name_width, size=BODY_SIZE)
        self._line(when, x=date_x, width=date_width, size=BODY_SIZE)
        draw_seal(self, centre, top + PITCH * 0.55, authority)

    def ruled_table(
        self,
        columns: Sequence[Column],
        rows: Sequence[Sequence[str]],
        *,
        size: float = 12.0,
        headings: bool = True,
        padding: float = 1.5,
    ) -> None:
        """A ruled table; its bold heading row repeated on every page it runs onto."""
        line_height = size * PT * 1.5

        def cells(values: Sequence[str], styles: Sequence[str]) -> tuple[list[list[str]], float]:
            wrapped = [
                self.break_lines(value, column.width - 2 * padding, size, style) or [""]
                for value, column, style in zip(values, columns, styles, strict=True)
            ]
            height = max(len(lines) for lines in wrapped) * line_height + 2 * padding
            return wrapped, height

        def draw(values: Sequence[str], styles: Sequence[str], aligns: Sequence[Align]) -> None:
            wrapped, height = cells(values, styles)
            top, x = self.y, LEFT
            self.set_draw_color(*INK)
            self.set_line_width(0.3)
            for lines, column, style, align in zip(wrapped, columns, styles, aligns, strict=True):
                self.rect(x, top, column.width, height)
                self.y = top + (height - len(lines) * line_height) / 2
                for line in lines:
                    self._line(
                        line,
                        x=x + padding,
                        width=column.width - 2 * padding,
                        size=size,
                        style=style,
                        align=align,
                        pitch=line_height,
                    )
                x += column.width
            self.y = top + height

        heading_row = [column.heading for column in columns]
        bold: list[str] = ["B"] * len(columns)
        centred: list[Align] = ["C"] * len(columns)
        body_styles = [column.style for column in columns]
        body_aligns = [column.align for column in columns]
        first = cells(heading_row, bold)[1] if headings else 0.0
        self._ensure_room(first + line_height + 2 * padding)
        if headings:
            draw(heading_row, bold, centred)
        for row in rows:
            if self.y + cells(row, body_styles)[1] > self.bottom:
                self.add_page()
                self.y = TOP
                if headings:
                    draw(heading_row, bold, centred)
            draw(row, body_styles, body_aligns)

    # --- every page -------------------------------------------------------------------------

    def footer(self) -> None:
        """页码: «— n —» in 四号 7 mm under the type area, right on odd pages, left on even ones."""
        if not self.page_numbers:
            return
        text = f"— {self.page_no()} —"
        em = PAGE_NUMBER_SIZE * PT
        width = self.width_of(text, PAGE_NUMBER_SIZE)
        x = LEFT + WIDTH - em - width if self.page_no() % 2 else LEFT + em
        self.y = BOTTOM + 7.0
        self._line(text, x=x, width=width, size=PAGE_NUMBER_SIZE, pitch=em)

    def finish(self) -> bytes:
        """The PDF; a glyph the font lacks fails here rather than printing as a blank box."""
        data = bytes(self.output())
        for font in self.fonts.values():
            missing = getattr(font, "missing_glyphs", [])
            if missing:
                shown = ", ".join(f"U+{point:04X}" for point in missing)
                raise MissingGlyph(f"the document font has no glyph for {shown}")
        return data
