"""The three documents: 不予批准通知书 (R-AP-5), 公示 (R-AP-3), 救助保障证 (R-AP-4)."""

from typing import Any

from shared.documents.certificate_page import draw_certificate
from shared.documents.chinese import arabic_date, arabic_month, upper_yuan, yuan
from shared.documents.guards import refuse_unmasked_id_numbers, require_glyphs
from shared.documents.layout import Column, OfficialDocument
from shared.documents.models import Certificate, PublicNotice, RefusalNotice
from shared.programs import PROGRAMS, Program

REFUSAL_TITLE = "不予批准通知书"
NOTICE_TITLE = "社会救助审核确认结果公示"
CERTIFICATE_TITLE = "救助保障证"


def program_name(program: Program | str) -> str:
    """The program's Chinese name (最低生活保障) from its code."""
    return PROGRAMS[Program(program)].name_zh


def _checked(document: Any) -> None:
    """Refuse an unmasked ID number (R-SE-2, R-SE-3) and a character the font lacks."""
    refuse_unmasked_id_numbers(document)
    require_glyphs(document)


def _amount_and_size(fen: int, size: int) -> None:
    """An amount is never negative, a household has at least one person."""
    if fen < 0:
        raise ValueError(f"a monthly amount is never negative, not {fen} fen")
    if size < 1:
        raise ValueError(f"a household has at least one person, not {size}")


def refusal_notice(notice: RefusalNotice) -> bytes:
    """不予批准通知书 as an A4 PDF, R-AP-5: the decision, its reasons, the way to appeal."""
    _checked(notice)
    if not notice.reasons:
        raise ValueError("a refusal states its reasons (R-AP-5)")
    pdf = OfficialDocument(title=REFUSAL_TITLE, issued_on=notice.issued_on)
    pdf.red_header(notice.authority)
    pdf.document_number(notice.document_number)
    pdf.heading(REFUSAL_TITLE)
    pdf.addressee(notice.applicant_name)
    pdf.paragraph(
        f"你（你家庭）申请{program_name(notice.program)}一案（申请编号：{notice.application_number}），"
        f"经调查核实、审核确认，本机关于{arabic_date(notice.decided_on)}作出决定：不予批准。"
        "理由如下："
    )
    numerals = "一二三四五六七八九十"
    for index, reason in enumerate(notice.reasons):
        mark = f"{numerals[index]}、" if index < len(numerals) else f"{index + 1}."
        pdf.paragraph(f"{mark}{reason.strip().rstrip('。；;.')}。")
    reconsideration = f"向{notice.reconsideration_body}" if notice.reconsideration_body else ""
    court = f"向{notice.court}" if notice.court else ""
    pdf.paragraph(
        "如对本决定不服，可以自收到本通知书之日起六十日内"
        f"{reconsideration}依法申请行政复议，或者自收到本通知书之日起六个月内"
        f"{court}依法提起行政诉讼。"
    )
    pdf.paragraph(f"如有疑问或需投诉，请拨打监督电话：{notice.complaint_phone}。")
    pdf.paragraph("特此通知。")
    pdf.signature(notice.authority, notice.issued_on)
    return pdf.finish()


def public_notice(notice: PublicNotice) -> bytes:
    """公示 as an A4 PDF, R-AP-3: masked names, village, program, size and amount; 7 days."""
    _checked(notice)
    if not notice.entries:
        raise ValueError("a public notice lists at least one household (R-AP-3)")
    for entry in notice.entries:
        _amount_and_size(entry.monthly_amount_fen, entry.household_size)
    pdf = OfficialDocument(title=NOTICE_TITLE, issued_on=notice.issued_on)
    pdf.red_header(notice.authority)
    pdf.document_number(notice.document_number)
    pdf.heading(NOTICE_TITLE)
    pdf.paragraph(
        "根据《社会救助暂行办法》和最低生活保障、特困人员救助供养有关规定，"
        "经申请、入户调查、审核，下列对象拟给予社会救助，现予以公示，接受群众监督。"
    )
    pdf.paragraph(
        f"公示期：{arabic_date(notice.posted_on)}至{arabic_date(notice.closes_on)}24时，"
        f"共7天。公示地点：{notice.village}。"
    )
    columns = (
        Column("序号", 14.0),
        Column("姓名", 22.0),
        Column("村（社区）", 34.0),
        Column("救助类别", 40.0),
        Column("家庭人口", 22.0),
        Column("月救助金额（元）", 26.04, "R"),
    )
    rows = [
        (
            str(number),
            entry.name,
            entry.village,
            program_name(entry.program),
            str(entry.household_size),
            yuan(entry.monthly_amount_fen),
        )
        for number, entry in enumerate(notice.entries, start=1)
    ]
    pdf.blank(0.3)
    pdf.ruled_table(columns, rows)
    pdf.blank(0.3)
    online = f"，也可以通过{notice.objection_online}在线提出" if notice.objection_online else ""
    pdf.paragraph(
        "公示期内，任何单位和个人对公示对象有异议的，可以书面、电话或者当面向"
        f"{notice.objection_place}反映{online}。反映情况应当实事求是，"
        "提供具体事实或者线索；对反映人的信息予以保密。"
    )
    pdf.paragraph(f"监督电话：{notice.complaint_phone}。")
    pdf.signature(notice.authority, notice.issued_on)
    return pdf.finish()


def certificate(cert: Certificate) -> bytes:
    """救助保障证 as an A4 PDF, R-AP-4: issued when the notice closes without objection."""
    _checked(cert)
    _amount_and_size(cert.monthly_amount_fen, len(cert.members) or 1)
    pdf = OfficialDocument(title=CERTIFICATE_TITLE, issued_on=cert.issued_on, page_numbers=False)
    members = "、".join(cert.members) if cert.members else cert.head_name
    fields = [
        ("证号", cert.certificate_number),
        ("救助类别", program_name(cert.program)),
        ("户主姓名", cert.head_name),
        *([("所在村（社区）", cert.village)] if cert.village else []),
        ("保障人数", f"{len(cert.members) or 1}人"),
        ("家庭成员", members),
        ("月救助金额", f"{yuan(cert.monthly_amount_fen)}元"),
        ("金额大写", upper_yuan(cert.monthly_amount_fen)),
        ("起始月份", f"{arabic_month(cert.start_month)}起按月发放"),
    ]
    draw_certificate(
        pdf,
        CERTIFICATE_TITLE,
        program_name(cert.program),
        fields,
        authority=cert.authority,
        issued_on=cert.issued_on,
    )
    return pdf.finish()
