"""Where evidence files live: a folder (``ASSIST_EVIDENCE_DIR``, by default
``<data_dir>/evidence/<service>``) holding each file once under its SHA-256 (``shared.uploads``).
"""

from __future__ import annotations

from shared.uploads import CHUNK, HEAD, Damaged, Stored, TooLarge, chunks
from shared.uploads import FileStore as EvidenceStore

__all__ = ["CHUNK", "HEAD", "Damaged", "EvidenceStore", "Stored", "TooLarge", "chunks"]
