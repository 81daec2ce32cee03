"""Rules of evidence files (forms, photos, letters): what may be uploaded, how it is recorded,
who may read it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import BinaryIO

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.verification.evidence.models import EvidenceFile
from services.verification.evidence.store import Damaged, EvidenceStore
from services.verification.investigations import service as investigations
from services.verification.investigations.models import Investigation
from shared import uploads
from shared.auth import User
from shared.context import new_id
from shared.contracts.verification import EvidenceKind, EvidenceUploaded
from shared.db import utcnow, where_given
from shared.inputs import Keyset, Window
from shared.outbox import emit
from shared.problems import InvalidField, NotFound, Problem
from shared.uploads import (  # noqa: F401 - kept under their verification names
    SCANS,
    UnsupportedMediaType,
    UploadTooLarge,
    content_matches,
    safe_filename,
)

EVIDENCE = Keyset("evidence", EvidenceFile.uploaded_at.desc(), EvidenceFile.id.desc())
"""The order of the list of evidence files: newest first."""

MEDIA_TYPES = SCANS
"""The types of evidence accepted (photos and scans), each with how its bytes begin."""


class EvidenceDamaged(Problem):
    status, slug, title = 500, "evidence-damaged", "The stored evidence file is damaged"


# --- rules: plain functions ---------------------------------------------------------------------


def check_media_type(media_type: str | None) -> str:
    """The declared type, if it is one of :data:`MEDIA_TYPES`; else 415."""
    return uploads.check_media_type(media_type, MEDIA_TYPES, what="evidence files")


# --- records -----------------------------------------------------------------------------------


async def upload_evidence(
    session: AsyncSession, *, user: User, investigation_id: str, store: EvidenceStore,
    source: BinaryIO, filename: str | None, media_type: str | None, kind: EvidenceKind,
    description: str | None, max_bytes: int,
) -> tuple[EvidenceFile, bool]:
    """Archive a file with the case: its SHA-256, size and type recorded in
    ``evidence_uploaded``. The same content again answers the record already made (``False``).
    413 past ``max_bytes``, 415 for a type not accepted, 422 for an empty file or one whose
    bytes are not of its declared type."""
    investigation = await investigations.investigation_for_work(
        session, user=user, investigation_id=investigation_id)
    media_type, stored = await uploads.receive(store, source, media_type=media_type,
                                               accepted=MEDIA_TYPES, max_bytes=max_bytes,
                                               what="evidence files")
    existing = await session.scalar(select(EvidenceFile).where(
        EvidenceFile.investigation_id == investigation.id,
        EvidenceFile.sha256 == stored.sha256))
    if existing is not None:
        return existing, False
    evidence = EvidenceFile(
        id=new_id(), investigation_id=investigation.id, kind=kind,
        filename=safe_filename(filename), media_type=media_type, size_bytes=stored.size,
        sha256=stored.sha256, description=description, uploaded_at=utcnow(),
        uploaded_by=user.user_id)
    session.add(evidence)
    await session.flush()
    await emit(session, EvidenceUploaded(
        investigation_id=investigation.id, application_id=investigation.application_id,
        evidence_id=evidence.id, kind=kind, filename=evidence.filename, media_type=media_type,
        size_bytes=evidence.size_bytes, sha256=evidence.sha256,
        uploaded_at=evidence.uploaded_at,
    ), subject=evidence.id, division=investigation.division)
    return evidence, True


async def require_evidence(session: AsyncSession, investigation_id: str,
                           evidence_ids: str | Sequence[str], *, field: str) -> None:
    """Every id names an evidence file of this investigation; else 422 naming ``field``."""
    wanted = {evidence_ids} if isinstance(evidence_ids, str) else set(evidence_ids)
    if not wanted:
        return
    found = set((await session.scalars(select(EvidenceFile.id).where(
        EvidenceFile.investigation_id == investigation_id,
        EvidenceFile.id.in_(wanted)))).all())
    missing = sorted(wanted - found)
    if missing:
        raise InvalidField(field, f"{', '.join(missing)}: not an evidence file of this "
                           "investigation (upload it first)")


async def get_evidence(session: AsyncSession, *, user: User, evidence_id: str) -> EvidenceFile:
    """One evidence file's record, inside the user's jurisdiction (R-SE-1)."""
    evidence = await session.get(EvidenceFile, evidence_id)
    if evidence is None:
        raise NotFound(f"no evidence file {evidence_id}")
    investigation = await session.get(Investigation, evidence.investigation_id)
    user.require_record(investigation.division if investigation else None,
                        f"no evidence file {evidence_id}")
    return evidence


async def content_of(store: EvidenceStore, evidence: EvidenceFile) -> Path:
    """The stored file, checked against the SHA-256 recorded when it was uploaded."""
    try:
        return await store.verified(evidence.sha256, evidence.size_bytes)
    except Damaged as exc:
        raise EvidenceDamaged(f"{exc}: restore it from the backup", sha256=evidence.sha256) \
            from None


async def list_evidence(
    session: AsyncSession, *, user: User, today: date, investigation_id: str | None = None,
    kind: str | None = None, division: str | None = None, program: str | None = None,
    window: Window | None = None,
) -> Sequence[EvidenceFile]:
    query = (select(EvidenceFile)
             .join(Investigation, Investigation.id == EvidenceFile.investigation_id)
             .where(user.jurisdiction(Investigation.division)))
    query = where_given(query, (EvidenceFile.investigation_id, investigation_id),
                        (EvidenceFile.kind, kind), (Investigation.program, program))
    query = investigations.filter_investigations(query, today=today, division=division)
    query = (window or Window(EVIDENCE, limit=100)).apply(query)
    return (await session.scalars(query)).all()
