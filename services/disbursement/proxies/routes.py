"""Proxy endpoints (代领, R-DI-5): thin, the rules are in service.py."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Response, UploadFile
from fastapi.responses import StreamingResponse

from services.disbursement.proxies import service
from services.disbursement.proxies.models import ProxyStatus
from services.disbursement.proxies.schemas import FilingIn, ProxyOut, RevocationIn
from shared.auth import Role, User, allow
from shared.body_limit import UPLOAD, body_limit
from shared.contracts.disbursement import ProxyRelation
from shared.inputs import (
    PAGED,
    DivisionCode,
    Paging,
    PersonName,
    Reason,
    RecordId,
    ResidentIdNumber,
)
from shared.problems import PROBLEM_JSON
from shared.service import DbSession, Idempotent, Kit
from shared.uploads import FileStore, download

router = APIRouter(prefix="/proxies", tags=["proxies"])

Maker = Annotated[User, Depends(allow(Role.caseworker, Role.county_officer))]
County = Annotated[User, Depends(allow(Role.county_officer))]
Reader = Annotated[User, Depends(allow(Role.caseworker, Role.township_leader,
                                       Role.county_officer, Role.finance_officer,
                                       Role.city_officer, Role.auditor))]


def store_of(kit: Kit) -> FileStore:
    return FileStore(kit.settings.evidence_path)


Store = Annotated[FileStore, Depends(store_of)]


def _problem(description: str) -> dict[str, Any]:
    return {"description": description, "content": {PROBLEM_JSON: {
        "schema": {"$ref": "#/components/schemas/ProblemDetails"}}}}


@router.post("", status_code=201, response_model=ProxyOut, openapi_extra=body_limit(UPLOAD),
             summary="Authorise a proxy for a payee, with the signed authorisation (R-DI-5)",
             description="A guardian (监护人), caregiver (赡养/照料人) or chosen person withdraws "
             "the money of a payee who cannot (multipart/form-data: `payee_id`, `name`, "
             "`id_number`, `relation`, `reason`, and `file`: the signed 代取授权书 as PDF, JPEG "
             "or PNG, up to `ASSIST_MAX_UPLOAD_BYTES`; its SHA-256 kept). It is in force once "
             "the county files it. **409** when the proxy is assistance staff or a village "
             "cadre of the staff register (R-DI-5), when the payee has a proxy in force, or "
             "when the payee is stopped; 422 when the proxy is the holder, or the file is empty "
             "or not of its type; 413 too large; 415 another type. The ID number is kept as a "
             "keyed digest and shown masked.", dependencies=[Idempotent],
             responses={413: _problem("The file is larger than this installation accepts"),
                        415: _problem("The file's type is not one accepted")})
async def authorise_proxy(
    session: DbSession, user: Maker, kit: Kit, store: Store, response: Response,
    payee_id: Annotated[RecordId, Form()], name: Annotated[PersonName, Form()],
    id_number: Annotated[ResidentIdNumber, Form()], relation: Annotated[ProxyRelation, Form()],
    reason: Annotated[Reason, Form()],
    file: Annotated[UploadFile, File(description="the signed authorisation")],
) -> ProxyOut:
    proxy = await service.authorise(
        session, user=user, store=store, payee_id=payee_id, name=name, id_number=id_number,
        relation=relation, reason=reason, source=file.file, filename=file.filename,
        media_type=file.content_type, max_bytes=kit.settings.max_upload_bytes)
    response.headers["Location"] = f"/api/v1/proxies/{proxy.id}"
    return ProxyOut.model_validate(proxy)


@router.get("", response_model=list[ProxyOut], responses=PAGED,
            summary="Proxies in your jurisdiction",
            description="The latest first, filtered by status, payee and division (and "
            "below). ID numbers masked; paged by cursor.")
async def list_proxies(session: DbSession, user: Reader, page: Paging,
                       status: ProxyStatus | None = None, payee_id: RecordId | None = None,
                       division: DivisionCode | None = None) -> list[ProxyOut]:
    rows = await service.list_proxies(session, user=user, status=status, payee_id=payee_id,
                                      division=division, window=page.window(service.PROXIES))
    return [ProxyOut.model_validate(p) for p in page.finish(rows, service.PROXIES)]


@router.get("/{proxy_id}", response_model=ProxyOut, summary="One proxy",
            description="404 if there is none or if it lies outside your divisions.")
async def get_proxy(session: DbSession, user: Reader, proxy_id: RecordId) -> ProxyOut:
    return ProxyOut.model_validate(await service.get(session, user=user, proxy_id=proxy_id))


@router.get("/{proxy_id}/document", response_class=StreamingResponse,
            summary="Download the signed authorisation",
            description="The file as uploaded, after checking it against its SHA-256 (500 "
            "`document-damaged` otherwise); `Repr-Digest` carries it. The download is a read "
            "of personal data the operation log records (R-AU-1, R-SE-2).",
            responses={200: {"description": "The file", "content": {
                media: {"schema": {"type": "string", "format": "binary"}}
                for media in sorted(service.DOCUMENT_TYPES)}},
                500: _problem("The stored file no longer matches its SHA-256")})
async def download_document(session: DbSession, user: Reader, store: Store,
                            proxy_id: RecordId) -> StreamingResponse:
    proxy = await service.get(session, user=user, proxy_id=proxy_id)
    path = await service.document_of(store, proxy)
    return download(path, media_type=proxy.document_media_type,
                    size=proxy.document_size_bytes, sha256=proxy.document_sha256,
                    filename=proxy.document_filename)


@router.post("/{proxy_id}/filing", response_model=ProxyOut,
             summary="The county files the authorisation (备案, R-DI-5)",
             description="From then on the proxy may withdraw. The proxy is checked against "
             "the staff register again (409 if they joined it). 409 when filed or revoked "
             "already.", dependencies=[Idempotent])
async def file_proxy(session: DbSession, user: County, proxy_id: RecordId, body: FilingIn
                     ) -> ProxyOut:
    return ProxyOut.model_validate(await service.file(session, user=user, proxy_id=proxy_id,
                                                      filed_on=body.filed_on))


@router.post("/{proxy_id}/revocation", response_model=ProxyOut,
             summary="Revoke an authorisation (R-DI-5)",
             description="With the reason; 409 when revoked already.", dependencies=[Idempotent])
async def revoke_proxy(session: DbSession, user: Maker, proxy_id: RecordId, body: RevocationIn
                       ) -> ProxyOut:
    return ProxyOut.model_validate(await service.revoke(session, user=user, proxy_id=proxy_id,
                                                        reason=body.reason))
