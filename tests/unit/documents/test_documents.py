"""What the documents say (R-AP-3, R-AP-4, R-AP-5) and what they refuse to print (R-SE-2,
R-SE-3, a character outside the font), read from the PDFs' text layer."""

import dataclasses
import re
from collections.abc import Callable
from datetime import date
from typing import Any

import pypdfium2 as pdfium
import pytest

from shared.documents import (
    MissingGlyph,
    NoticeEntry,
    UnmaskedIdNumber,
    certificate,
    public_notice,
    refusal_notice,
)
from shared.documents.chinese import arabic_month, chinese_date, upper_yuan
from shared.documents.layout import NO_LINE_START, WIDTH, OfficialDocument
from shared.idcard import check_character
from shared.masking import mask_id_number
from shared.programs import Program
from tests.unit.documents.samples import CERTIFICATE, NOTICE, REFUSAL

FULL_ID = "23072219600101001" + check_character("23072219600101001")


PAGE_NUMBER = re.compile(r"— \d+ —")


def lines_of(pdf: bytes) -> list[str]:
    """Every line of text on every page, page numbers left out."""
    document = pdfium.PdfDocument(pdf)
    return [
        line
        for page in document
        for line in page.get_textpage().get_text_range().split("\r\n")
        if not PAGE_NUMBER.fullmatch(line)
    ]


def text_of(pdf: bytes) -> list[str]:
    """Each page's text, its lines joined (a word broken across lines reads whole), without
    its page number."""
    document = pdfium.PdfDocument(pdf)
    return [
        "".join(
            line
            for line in page.get_textpage().get_text_range().split("\r\n")
            if not PAGE_NUMBER.fullmatch(line)
        )
        for page in document
    ]


def test_the_refusal_notice_gives_decision_reasons_and_the_way_to_appeal() -> None:
    """R-AP-5: the written refusal: masked name, program, application, decision date, every
    reason, reconsideration within 60 days or litigation within 6 months, complaint telephone."""
    text = "".join(text_of(refusal_notice(REFUSAL)))
    for expected in (
        "不予批准通知书",
        "嘉荫县朝阳镇民救〔2026〕12号",
        "王**：",
        "最低生活保障",
        "SQ230722-20261120-000031",
        "2026年12月3日作出决定：不予批准",
        "一、家庭月人均收入1,120.00元",
        "二、家庭成员名下有非生活必需的机动车一辆",
        "六十日内向嘉荫县人民政府依法申请行政复议",
        "六个月内向嘉荫县人民法院依法提起行政诉讼",
        "监督电话：0458-6123456",
        "二〇二六年十二月五日",
    ):
        assert expected in text, expected


def test_a_refusal_without_reasons_is_not_printed() -> None:
    """R-AP-5: a refusal states its reasons."""
    with pytest.raises(ValueError, match="reasons"):
        refusal_notice(dataclasses.replace(REFUSAL, reasons=()))


def test_the_public_notice_runs_seven_days_and_lists_masked_entries() -> None:
    """R-AP-3: posted on D, objections until 24:00 of D+7; masked name, village, program,
    household size and monthly amount per entry; where and how to object; the telephone."""
    text = "".join(text_of(public_notice(NOTICE)))
    assert "公示期：2026年12月5日至2026年12月12日24时" in text
    assert NOTICE.closes_on == date(2026, 12, 12)
    for row in ("1李**东风村最低生活保障31,860.00", "2王*东风村特困人员救助供养1980.00"):
        assert row in text.replace(" ", ""), row
    assert "书面、电话或者当面向朝阳镇人民政府社会救助服务窗口（镇政府一楼）反映" in text
    assert "嘉荫县社会救助公示网页在线提出" in text
    assert "监督电话：0458-6123456" in text


def test_a_notice_lists_someone_and_amounts_are_never_negative() -> None:
    """R-AP-3, R-AP-4: an empty notice, a negative amount, an empty household are refused."""
    with pytest.raises(ValueError, match="at least one household"):
        public_notice(dataclasses.replace(NOTICE, entries=()))
    with pytest.raises(ValueError, match="never negative"):
        public_notice(
            dataclasses.replace(
                NOTICE, entries=(NoticeEntry("李**", "东风村", Program.DIBAO, 1, -1),)
            )
        )
    with pytest.raises(ValueError, match="at least one person"):
        public_notice(
            dataclasses.replace(
                NOTICE, entries=(NoticeEntry("李**", "东风村", Program.DIBAO, 0, 1),)
            )
        )
    with pytest.raises(ValueError, match="never negative"):
        certificate(dataclasses.replace(CERTIFICATE, monthly_amount_fen=-100))


def test_line_breaks_in_the_input_read_as_spaces() -> None:
    """A reason typed over two lines prints as one paragraph (R-AP-5)."""
    pdf = refusal_notice(dataclasses.replace(REFUSAL, reasons=("收入超过\n保障标准",)))
    assert "一、收入超过 保障标准。" in "".join(text_of(pdf))


def test_a_long_public_notice_repeats_the_table_heading_on_every_page() -> None:
    """R-AP-3: 60 entries run over pages; each page's table starts with its heading row."""
    entries = tuple(
        NoticeEntry(
            f"张{'*' * (1 + n % 2)}", "东风村", Program.DIBAO, 1 + n % 5, 69000 * (1 + n % 5)
        )
        for n in range(60)
    )
    pdf = public_notice(dataclasses.replace(NOTICE, entries=entries))
    pages = text_of(pdf)
    assert len(pages) >= 3
    assert all("序号姓名村（社区）救助类别家庭人口" in page.replace(" ", "") for page in pages[:-1])
    numbers = re.findall(r"\s(\d+) 张\*", " ".join(lines_of(pdf)))
    assert [int(number) for number in numbers] == list(range(1, 61))


def test_the_certificate_shows_number_household_amount_and_start() -> None:
    """R-AP-4: certificate number, program, masked head and members, the monthly amount (also in
    capitals), the first month paid, the issuing authority and date."""
    text = "".join(text_of(certificate(CERTIFICATE)))
    for expected in (
        "救助保障证",
        "黑嘉朝低保〔2026〕第0031号",
        "最低生活保障",
        "李**",
        "李**、陈**、李*",
        "3人",
        "1,860.00元",
        "壹仟捌佰陆拾元整",
        "2027年1月起按月发放",
        "嘉荫县朝阳镇人民政府",
        "二〇二六年十二月十三日",
    ):
        assert expected in text, expected
    assert len(text_of(certificate(CERTIFICATE))) == 1


@pytest.mark.parametrize(
    "document, render, change",
    [
        (REFUSAL, refusal_notice, {"applicant_name": f"王五（{FULL_ID}）"}),
        (REFUSAL, refusal_notice, {"reasons": ("收入超标", f"身份证号{FULL_ID.lower()}")}),
        (
            NOTICE,
            public_notice,
            {"entries": (NoticeEntry(FULL_ID, "东风村", Program.DIBAO, 1, 1),)},
        ),
        (
            NOTICE,
            public_notice,
            {
                "village": "东风村"
                + FULL_ID.translate(str.maketrans("0123456789X", "０１２３４５６７８９Ｘ"))
            },
        ),
        (CERTIFICATE, certificate, {"members": ("李**", FULL_ID)}),
        (CERTIFICATE, certificate, {"head_name": f"李**:{FULL_ID}"}),
        (
            REFUSAL,
            refusal_notice,
            {"reasons": (f"证号 {FULL_ID[:6]} {FULL_ID[6:14]} {FULL_ID[14:]}",)},
        ),
    ],
    ids=["name", "reason-lowercase-x", "entry", "full-width-digits", "member", "head", "grouped"],
)
def test_an_unmasked_id_number_is_refused_anywhere(
    document: Any, render: Callable[[Any], bytes], change: dict[str, Any]
) -> None:
    """R-SE-2, R-SE-3: a document never prints an ID number in full; it names the field."""
    with pytest.raises(UnmaskedIdNumber, match=r"ID number in full"):
        render(dataclasses.replace(document, **change))


def test_a_masked_id_number_and_other_long_numbers_print() -> None:
    """R-SE-2: masked (230***********0011) it prints; an application number is no ID number."""
    masked = mask_id_number(FULL_ID)
    reasons = (
        f"申请人身份证号{masked}的户籍不在本镇",
        "账号6222020200112233445566不是身份证号",
        "编号SQ230722-20261120-0032不是身份证号",
    )
    text = "".join(text_of(refusal_notice(dataclasses.replace(REFUSAL, reasons=reasons))))
    assert masked in text
    assert FULL_ID not in text


@pytest.mark.parametrize("character", ["𠀀", "龥", "😀"])
def test_a_character_outside_the_font_fails_clearly_not_as_a_blank(character: str) -> None:
    """A character the bundled font lacks is refused with its code point and its field, never
    printed as a blank box (GB 2312 is covered; 龥 is GBK only)."""
    with pytest.raises(MissingGlyph, match=rf"entries\[0\]\.village.*U\+{ord(character):04X}"):
        public_notice(
            dataclasses.replace(
                NOTICE, entries=(NoticeEntry("李**", f"东{character}村", Program.DIBAO, 1, 1),)
            )
        )


def test_a_missing_glyph_in_fixed_text_fails_at_the_end_too() -> None:
    """The last check: whatever reached the page without a glyph fails the document."""
    pdf = OfficialDocument(title="试", issued_on=date(2026, 12, 5))
    pdf.paragraph("一个字缺失：𠀀")
    with pytest.raises(MissingGlyph, match="U\\+20000"):
        pdf.finish()


def test_the_font_covers_all_of_gb2312_and_the_punctuation_documents_use() -> None:
    """Every GB 2312 character (levels 1 and 2: 6,763 hanzi) and 〇〔〕（）《》“”—…￥."""
    from shared.documents.typeface import missing_characters
    from tools.fontsubset import gb2312

    characters = gb2312()
    assert sum(1 for c in characters if "\u4e00" <= c <= "\u9fff") == 6763
    assert missing_characters("".join(sorted(characters))) == []
    assert missing_characters("〇〔〕（）《》“”—…￥：；，。、？！0123456789ABCxyz") == []


def test_no_line_starts_with_closing_punctuation() -> None:
    """避头尾: a line never starts with ，。）; the character before it goes down with it."""
    pdf = OfficialDocument(title="试", issued_on=date(2026, 12, 5))
    text = "一" * 28 + "，二三"
    lines = pdf.break_lines(text, WIDTH, 16.0)
    assert lines == ["一" * 27, "一，二三"]
    lines = pdf.break_lines("一" * 27 + "（二）", WIDTH, 16.0)
    assert lines == ["一" * 27, "（二）"]
    for sample in (refusal_notice(REFUSAL), public_notice(NOTICE)):
        assert not [line for line in lines_of(sample) if line and line[0] in NO_LINE_START]


def test_dates_months_and_sums_in_chinese_form() -> None:
    """成文日期 in Chinese numerals; months; amounts in capitals (大写)."""
    assert chinese_date(date(2026, 12, 5)) == "二〇二六年十二月五日"
    assert chinese_date(date(2030, 10, 20)) == "二〇三〇年十月二十日"
    assert chinese_date(date(2027, 1, 31)) == "二〇二七年一月三十一日"
    assert arabic_month(date(2027, 1, 15)) == "2027年1月"
    assert upper_yuan(186000) == "壹仟捌佰陆拾元整"
    assert upper_yuan(1000500) == "壹万零伍元整"
    assert upper_yuan(12340000) == "壹拾贰万叁仟肆佰元整"
    assert upper_yuan(123450) == "壹仟贰佰叁拾肆元伍角整"
    assert upper_yuan(105) == "壹元零伍分"
    assert upper_yuan(0) == "零元整"
    with pytest.raises(ValueError):
        upper_yuan(-1)
