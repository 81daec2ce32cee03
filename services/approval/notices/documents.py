"""The public notice (公示) and the certificate (救助保障证) as A4 PDFs (shared.documents): their
inputs, masked here (R-SE-2, R-SE-3)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from services.approval.cases.models import ReviewCase
from services.approval.notices.models import Notice
from shared import documents
from shared.divisions import name_of
from shared.masking import mask_name
from shared.problems import Conflict
from shared.programs import Program
from shared.workdays import SHANGHAI


class NotApproved(Conflict):
    slug, title = "no-certificate", "The case has no certificate"


def committee(notice: Notice) -> str:
    """Where the notice is posted: the village's committee (村民委员会 / 社区居民委员会)."""
    name = notice.village_name
    return name + ("居民委员会" if name.endswith("社区") else "村民委员会")


def document_number(notice: Notice, township: str) -> str:
    """发文字号 of the notice: the township's, the year, the application's number; a notice
    after an objection says which it is (第2次)."""
    again = f"(第{notice.round}次)" if notice.round > 1 else ""
    return f"{township}民救公〔{notice.posted_on.year}〕{notice.application_number}号{again}"


def township_name(division: str) -> str:
    return name_of(division[:9]) or division[:9]


def notice_document(notice: Notice, *, complaint_phone: str) -> documents.PublicNotice:
    """R-AP-3: the notice as posted at the village, masked."""
    township = township_name(notice.division)
    entry = documents.NoticeEntry(
        name=notice.head_name_masked, village=notice.village_name,
        program=Program(notice.program), household_size=notice.household_size,
        monthly_amount_fen=notice.monthly_fen)
    return documents.PublicNotice(
        authority=f"{township}人民政府", document_number=document_number(notice, township),
        issued_on=notice.posted_on, village=committee(notice),
        posted_on=notice.posted_on, entries=(entry,),
        objection_place=f"{township}人民政府社会救助服务窗口",
        complaint_phone=complaint_phone)


def certificate_document(notice: Notice, case: ReviewCase, members: Sequence[str]
                         ) -> documents.Certificate:
    """R-AP-4: the certificate issued when the notice passed."""
    if notice.certificate_number is None or notice.effective_month is None:
        raise NotApproved(f"case {case.id} has no certificate: its notice has not passed")
    year, month = map(int, notice.effective_month.split("-"))
    county = case.division[:6]
    return documents.Certificate(
        certificate_number=notice.certificate_number, program=Program(notice.program),
        head_name=notice.head_name_masked, members=tuple(mask_name(m) for m in members),
        monthly_amount_fen=notice.monthly_fen, start_month=date(year, month, 1),
        authority=f"{name_of(county) or county}民政局",
        issued_on=(notice.ended_at or notice.closes_at).astimezone(SHANGHAI).date(),
        village=notice.village_name)
