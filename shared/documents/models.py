"""What each official document (公文) shows: plain frozen inputs, masked by the caller (R-SE-2)."""

from dataclasses import dataclass
from datetime import date, timedelta

from shared.programs import Program

NOTICE_DAYS = 7
"""R-AP-3: posted on day D, objections until 24:00 of D+7."""


@dataclass(frozen=True)
class RefusalNotice:
    """不予批准通知书, R-AP-5: a negative decision in writing, its reasons, the right to appeal."""

    authority: str
    """The issuing authority (发文机关), e.g. 嘉荫县朝阳镇人民政府."""
    document_number: str
    """发文字号, e.g. 嘉荫县朝阳镇民救〔2026〕12号."""
    issued_on: date
    """成文日期, printed as 二〇二六年十二月五日."""
    applicant_name: str
    """Masked by the caller (张**)."""
    program: Program
    application_number: str
    decided_on: date
    reasons: tuple[str, ...]
    complaint_phone: str
    reconsideration_body: str = ""
    """行政复议机关, e.g. 嘉荫县人民政府; empty: the text names no body."""
    court: str = ""
    """人民法院 for litigation, e.g. 嘉荫县人民法院; empty: the text names no court."""


@dataclass(frozen=True)
class NoticeEntry:
    """A row of a public notice (R-AP-3): never an ID number in full, a diagnosis, an address."""

    name: str
    """Masked by the caller (张**)."""
    village: str
    program: Program
    household_size: int
    monthly_amount_fen: int


@dataclass(frozen=True)
class PublicNotice:
    """公示, R-AP-3: the confirmed cases of a village, open for objections for 7 days."""

    authority: str
    document_number: str
    issued_on: date
    village: str
    """Where it is posted (公示地点), e.g. 朝阳镇红星村村民委员会."""
    posted_on: date
    """Day D; objections are accepted until 24:00 of D+7."""
    entries: tuple[NoticeEntry, ...]
    objection_place: str
    """Where to object in person or in writing, e.g. 朝阳镇人民政府社会救助服务窗口."""
    complaint_phone: str
    objection_online: str = ""
    """Optional: the public page where objections can also be filed."""

    @property
    def closes_on(self) -> date:
        """The last day of the notice (D+7); objections until 24:00 of it."""
        return self.posted_on + timedelta(days=NOTICE_DAYS)


@dataclass(frozen=True)
class Certificate:
    """救助保障证, R-AP-4: issued when a notice closes without objection."""

    certificate_number: str
    program: Program
    head_name: str
    """The head of the household, masked by the caller."""
    members: tuple[str, ...]
    """Masked names of the household members covered."""
    monthly_amount_fen: int
    start_month: date
    """Any day of the first month paid (次月发放); printed as 2027年1月."""
    authority: str
    issued_on: date
    village: str = ""
    """Optional: the village or community of the household."""
