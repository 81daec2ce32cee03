"""Inspection endpoints (R-AU-3, R-SE-2): thin, the rules are in service.py and report.py."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import HTMLResponse

from services.audit.inspection import report as reports
from services.audit.inspection import service
from services.audit.inspection.personal import Shown
from services.audit.inspection.schemas import (
    FullEntryOut,
    FullReadRequest,
    InspectionReport,
    PersonSearch,
)
from services.audit.log.models import AuditEntry
from services.audit.log.routes import Inspector, LogPaging
from services.audit.log.schemas import AuditEntryOut
from services.audit.log.service import ENTRIES
from shared import context
from shared.auth import Role, User, allow
from shared.inputs import PAGED
from shared.operations import route_template
from shared.service import DbSession, Kit, Now

router = APIRouter(prefix="/audit", tags=["audit"])

Auditor = Annotated[User, Depends(allow(Role.auditor))]
Seq = Annotated[int, Path(ge=1, le=2**62, description="the entry's place in the chain")]


@router.post("/people/entries", response_model=list[AuditEntryOut], responses=PAGED,
             summary="Search the log by person: the ID number in the body (R-AU-3)",
             description="Every entry of the records (cases) in which the person's ID number is "
             "sealed, inside your divisions, in chain order; narrowed by case, user, type and "
             "time. The number is matched by a keyed digest kept beside the log, never stored "
             "in clear, and travels in the body so no URL or access record holds it. Personal "
             "data masked (R-SE-2).")
async def search_by_person(session: DbSession, kit: Kit, user: Inspector, page: LogPaging,
                           body: PersonSearch) -> list[AuditEntryOut]:
    entries = await service.person_entries(session, kit.sealer, user=user, search=body,
                                           window=page.window(ENTRIES))
    return [AuditEntryOut.of(e, kit.sealer) for e in page.finish(entries, ENTRIES)]


@router.get("/entries/{seq}", response_model=AuditEntryOut,
            summary="One entry of the log, personal data masked (R-SE-2)",
            description="An entry inside your divisions (404 otherwise). ID numbers, phones and "
            "bank accounts masked; an auditor reads them in full with "
            "`POST /api/v1/audit/entries/{seq}/full`.")
async def get_entry(session: DbSession, kit: Kit, user: Inspector, seq: Seq) -> AuditEntryOut:
    return AuditEntryOut.of(await service.entry_of(session, user=user, seq=seq), kit.sealer)


@router.post("/entries/{seq}/full", response_model=FullEntryOut,
             summary="One entry with its personal data in full, for an auditor (R-SE-2)",
             description="The sealed ID numbers, phones and bank accounts of one entry opened, "
             "for an auditor who states the purpose. The read is kept in the log's access "
             "record in the same transaction — the fields unmasked (never their values) and "
             "the purpose, in its `query` — so the values never leave unrecorded.")
async def read_entry_in_full(request: Request, session: DbSession, kit: Kit, user: Auditor,
                             now: Now, seq: Seq, body: FullReadRequest) -> FullEntryOut:
    entry, shown = await service.read_in_full(
        session, kit.sealer, user=user, seq=seq, purpose=body.purpose,
        method=request.method, path=request.url.path, route=route_template(request.scope),
        at=now, request_id=context.request_id.get(),
        source_address=context.source_address.get(),
        correlation_id=context.correlation_id.get())
    return _full(entry, shown)


def _full(entry: AuditEntry, shown: Shown) -> FullEntryOut:
    masked = AuditEntryOut.of(entry, None)
    return FullEntryOut(**{**masked.model_dump(), "data": shown.data, "unmasked": shown.opened})


@router.get("/report", response_model=InspectionReport,
            responses={200: {"content": {"text/html": {}}}},
            summary="The verification report of the log (R-AU-3)",
            description="Entries, the hash chain, the signed checkpoints (how many, the latest, "
            "whether the log still gives them), completeness against the stream, and the first "
            "failure if any. `format=html` gives a plain printable page with no outside "
            "resources.")
async def report(kit: Kit, user: Auditor, now: Now,
                 format: Annotated[str, Query(pattern="^(json|html)$")] = "json",
                 ) -> InspectionReport | HTMLResponse:
    result = await reports.build_report(kit, now=now)
    if format == "html":
        return HTMLResponse(reports.as_html(result, county=kit.county))
    return result

