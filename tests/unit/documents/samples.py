"""Sample documents as a township would issue them, and the pictures committed in docs/documents.

Regenerate the reference pictures when the layout changes on purpose, look at them, commit them::

    .venv/bin/python -m tests.unit.documents.samples
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium
from PIL import Image

from shared.documents import (
    Certificate,
    NoticeEntry,
    PublicNotice,
    RefusalNotice,
    certificate,
    public_notice,
    refusal_notice,
)
from shared.programs import Program

PICTURES = Path(__file__).resolve().parents[3] / "docs" / "documents"
DPI = 100
AUTHORITY = "嘉荫县朝阳镇人民政府"
PHONE = "0458-6123456"

REFUSAL = RefusalNotice(
    authority=AUTHORITY,
    document_number="嘉荫县朝阳镇民救〔2026〕12号",
    issued_on=date(2026, 12, 5),
    applicant_name="王**",
    program=Program.DIBAO,
    application_number="SQ230722-20261120-000031",
    decided_on=date(2026, 12, 3),
    reasons=(
        "家庭月人均收入1,120.00元，高于本县农村最低生活保障标准（每人每月690元）",
        "家庭成员名下有非生活必需的机动车一辆，不符合家庭财产状况的规定",
    ),
    complaint_phone=PHONE,
    reconsideration_body="嘉荫县人民政府",
    court="嘉荫县人民法院",
)

NOTICE = PublicNotice(
    authority=AUTHORITY,
    document_number="嘉荫县朝阳镇民救〔2026〕13号",
    issued_on=date(2026, 12, 5),
    village="朝阳镇东风村村民委员会公示栏",
    posted_on=date(2026, 12, 5),
    entries=(
        NoticeEntry("李**", "东风村", Program.DIBAO, 3, 186000),
        NoticeEntry("王*", "东风村", Program.TEKUN, 1, 98000),
        NoticeEntry("赵**", "东风村", Program.DIBAO, 2, 124000),
        NoticeEntry("刘**", "永胜村", Program.DIBAO, 4, 248000),
    ),
    objection_place="朝阳镇人民政府社会救助服务窗口（镇政府一楼）",
    complaint_phone=PHONE,
    objection_online="嘉荫县社会救助公示网页",
)

CERTIFICATE = Certificate(
    certificate_number="黑嘉朝低保〔2026〕第0031号",
    program=Program.DIBAO,
    head_name="李**",
    members=("李**", "陈**", "李*"),
    monthly_amount_fen=186000,
    start_month=date(2027, 1, 1),
    authority=AUTHORITY,
    issued_on=date(2026, 12, 13),
    village="朝阳镇东风村",
)


@dataclass(frozen=True)
class Sample:
    """A document to render, under the name its pictures carry."""

    name: str
    render: Callable[[Any], bytes]
    document: Any
    title: str


SAMPLES = (
    Sample("refusal-notice", refusal_notice, REFUSAL, "不予批准通知书"),
    Sample("public-notice", public_notice, NOTICE, "公示"),
    Sample("certificate", certificate, CERTIFICATE, "救助保障证"),
)


def pages(pdf: bytes, dpi: int = DPI) -> list[Image.Image]:
    """Each page of `pdf` as an RGB picture at `dpi`."""
    document = pdfium.PdfDocument(pdf)
    try:
        return [page.render(scale=dpi / 72).to_pil().convert("RGB") for page in document]
    finally:
        document.close()


def picture_path(name: str, page: int) -> Path:
    """Where the reference picture of a sample's page (from 1) is committed."""
    return PICTURES / f"{name}-{page}.png"


def write_pictures() -> list[Path]:
    """Render every sample and write its pages as the committed reference pictures."""
    PICTURES.mkdir(parents=True, exist_ok=True)
    for old in PICTURES.glob("*.png"):
        old.unlink()
    written = []
    for sample in SAMPLES:
        for number, image in enumerate(pages(sample.render(sample.document)), start=1):
            path = picture_path(sample.name, number)
            image.save(path, optimize=True)
            written.append(path)
    return written


if __name__ == "__main__":
    for path in write_pictures():
        print(path)
