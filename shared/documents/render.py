"""The three documents: 不予批准通知书 (R-AP-5), 公示 (R-AP-3), 救助保障证 (R-AP-4)."""

from shared.documents.models import Certificate, PublicNotice, RefusalNotice


def refusal_notice(notice: RefusalNotice) -> bytes:
    """不予批准通知书 as an A4 PDF, R-AP-5."""
    raise NotImplementedError


def public_notice(notice: PublicNotice) -> bytes:
    """公示 as an A4 PDF, R-AP-3."""
    raise NotImplementedError


def certificate(cert: Certificate) -> bytes:
    """救助保障证 as an A4 PDF, R-AP-4."""
    raise NotImplementedError
