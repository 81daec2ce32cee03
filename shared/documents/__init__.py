"""Official documents as printable A4 PDFs with an embedded CJK font (公文, GB/T 9704 in spirit).

Pure rendering: plain frozen inputs, PDF bytes out; no database, no web. The caller masks
personal data; an unmasked ID number anywhere in the input is refused (R-SE-2, R-SE-3).
"""

from shared.documents.errors import DocumentError, MissingGlyph, UnmaskedIdNumber
from shared.documents.models import (
    Certificate,
    NoticeEntry,
    PublicNotice,
    RefusalNotice,
)
from shared.documents.render import certificate, public_notice, refusal_notice

__all__ = [
    "Certificate",
    "DocumentError",
    "MissingGlyph",
    "NoticeEntry",
    "PublicNotice",
    "RefusalNotice",
    "UnmaskedIdNumber",
    "certificate",
    "public_notice",
    "refusal_notice",
]
