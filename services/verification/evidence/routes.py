"""Evidence file endpoints: thin, the rules are in service.py."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Response, UploadFile
from fastapi.responses import StreamingResponse

from services.verification.evidence import service
from services.verification.evidence.schemas import EvidenceOut
from services.verification.evidence.store import EvidenceStore
from services.verification.investigations.routes import Reader, Worker
from shared.auth import Role, User, allow
from shared.body_limit import UPLOAD, body_limit
from shared.contracts.verification import EvidenceKind
from shared.inputs import PAGED, DivisionCode, Label, Paging, RecordId
from shared.problems import PROBLEM_JSON
from shared.programs import Program
from shared.service import DbSession, Kit
from shared.uploads import download
from shared.workdays import today_in_shanghai

router = APIRouter(tags=["evidence"])

Downloader = Annotated[User, Depends(allow(Role.caseworker, Role.township_leader,
                                           Role.county_officer, Role.city_officer))]
"""Staff who work on or oversee cases: a file is personal data (R-SE-1, R-SE-2)."""


def store_of(kit: Kit) -> EvidenceStore:
    return EvidenceStore(kit.settings.evidence_path)


Store = Annotated[EvidenceStore, Depends(store_of)]


def _problem(description: str) -> dict[str, Any]:
    return {"description": description, "content": {PROBLEM_JSON: {
        "schema": {"$ref": "#/components/schemas/ProblemDetails"}}}}


@router.post("/investigations/{investigation_id}/evidence", status_code=201,
             response_model=EvidenceOut, openapi_extra=body_limit(UPLOAD),
             summary="Upload an evidence file",
             description="A form, photo, letter or statement archived with the case "
             f"(multipart/form-data: `file`, `kind`, `description`). Accepted types: "
             f"{', '.join(sorted(service.MEDIA_TYPES))}, up to `ASSIST_MAX_UPLOAD_BYTES` (10 "
             "MiB by default). Its SHA-256, size and type are recorded in `evidence_uploaded`, "
             "which the operation log keeps. The same file again (same SHA-256) answers 200 "
             "with the record already made, so a retry archives it once. 413 when too large "
             "(refused before it is read when the length is announced), 415 for another type, "
             "422 for an empty file or one whose bytes are not of its declared type; 409 when "
             "the investigation is no longer open.",
             responses={200: {"model": EvidenceOut, "description": "The same file, archived "
                              "before"},
                        415: _problem("The file's type is not one accepted")})
async def upload_evidence(
    session: DbSession, user: Worker, kit: Kit, store: Store, investigation_id: RecordId,
    file: Annotated[UploadFile, File(description="the file")],
    kind: Annotated[EvidenceKind, Form()], response: Response,
    description: Annotated[Label | None, Form()] = None,
) -> EvidenceOut:
    evidence, created = await service.upload_evidence(
        session, user=user, investigation_id=investigation_id, store=store, source=file.file,
        filename=file.filename, media_type=file.content_type, kind=kind,
        description=description, max_bytes=kit.settings.max_upload_bytes)
    response.status_code = 201 if created else 200
    response.headers["Location"] = f"/api/v1/evidence/{evidence.id}"
    return EvidenceOut.model_validate(evidence)


@router.get("/evidence", response_model=list[EvidenceOut], responses=PAGED,
            summary="Evidence files in your jurisdiction",
            description="The newest first, filtered by investigation, kind, program and "
            "division; only those inside your divisions (R-SE-1).")
async def list_evidence(
    session: DbSession, user: Reader, page: Paging, investigation_id: RecordId | None = None,
    kind: EvidenceKind | None = None, program: Program | None = None,
    division: DivisionCode | None = None,
) -> list[EvidenceOut]:
    rows = await service.list_evidence(
        session, user=user, today=today_in_shanghai(), investigation_id=investigation_id,
        kind=kind, program=program, division=division, window=page.window(service.EVIDENCE))
    return [EvidenceOut.model_validate(e) for e in page.finish(rows, service.EVIDENCE)]


@router.get("/evidence/{evidence_id}", response_model=EvidenceOut,
            summary="One evidence file's record",
            description="Its name, type, size and SHA-256. 404 if there is none; 403 if it "
            "lies outside your divisions.")
async def get_evidence(session: DbSession, user: Reader, evidence_id: RecordId) -> EvidenceOut:
    return EvidenceOut.model_validate(
        await service.get_evidence(session, user=user, evidence_id=evidence_id))


@router.get("/evidence/{evidence_id}/content", response_class=StreamingResponse,
            summary="Download an evidence file",
            description="The file as uploaded, after checking it against its recorded SHA-256 "
            "(500 `evidence-damaged` if it no longer matches: restore it from the backup). "
            "`Repr-Digest` carries the SHA-256. A download is a read of personal data: the "
            "operation log records it, who and which file, before the first byte leaves "
            "(R-AU-1, R-SE-2).",
            responses={200: {"description": "The file", "content": {
                media: {"schema": {"type": "string", "format": "binary"}}
                for media in sorted(service.MEDIA_TYPES)}},
                500: _problem("The stored file no longer matches its SHA-256")})
async def download_evidence(session: DbSession, user: Downloader, store: Store,
                            evidence_id: RecordId) -> StreamingResponse:
    evidence = await service.get_evidence(session, user=user, evidence_id=evidence_id)
    path = await service.content_of(store, evidence)
    return download(path, media_type=evidence.media_type, size=evidence.size_bytes,
                    sha256=evidence.sha256, filename=evidence.filename)
