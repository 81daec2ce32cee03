"""Operation log endpoints: thin, the rules are in service.py."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import StreamingResponse

from services.audit.checkpoints.keys import log_keys
from services.audit.inspection.export import covering_checkpoint, export_with_checkpoint
from services.audit.log import service
from services.audit.log.completeness import completeness_of
from services.audit.log.outside import compare_with_checkpoints
from services.audit.log.schemas import AuditEntryOut, CompletenessReport, VerificationReport
from shared.auth import Role, User, allow
from shared.db import utcnow
from shared.inputs import PAGED, EventTypeName, Identifier, Moment, Page, SearchText, paging
from shared.service import DbSession, Kit

router = APIRouter(prefix="/audit", tags=["audit"])

Auditor = Annotated[User, Depends(allow(Role.auditor))]
Inspector = Annotated[User, Depends(allow(Role.auditor, Role.county_officer, Role.city_officer))]
Since = Annotated[Moment | None, Query(description="event time from (inclusive)")]
Until = Annotated[Moment | None, Query(description="event time until (exclusive)")]
LogPaging = Annotated[Page, paging(max_limit=1000)]

NDJSON = "application/x-ndjson"


@router.get("/records/{record_id}", response_model=list[AuditEntryOut],
            summary="The log of one record, in seq order",
            description="Every entry about one record (application, investigation, case, "
            "payee…) that lies inside your divisions, in chain order. ID numbers, phones and "
            "bank accounts in the event data are masked (R-SE-2). Your read is kept in the "
            "log's access record (`/api/v1/audit/access`).")
async def record_log(session: DbSession, kit: Kit, user: Inspector,
                     record_id: SearchText) -> list[AuditEntryOut]:
    entries = await service.record_log(session, user=user, record_id=record_id)
    return [AuditEntryOut.of(e, kit.sealer) for e in entries]


@router.get("/entries", response_model=list[AuditEntryOut], responses=PAGED,
            summary="Search the log by case, user, type, correlation id and time (R-AU-3)",
            description="Entries inside your divisions matching every filter given, in chain "
            "order; `since` inclusive, `until` exclusive. Personal data masked (R-SE-2); the "
            "search is kept in the log's access record.")
async def search_entries(
    session: DbSession, kit: Kit, user: Inspector, page: LogPaging,
    record_id: SearchText | None = None,
    user_id: Annotated[SearchText | None, Query(alias="user",
                                                description="actor's user id")] = None,
    event_type: Annotated[EventTypeName | None, Query(
        alias="type", description="e.g. assist.intake.application_accepted")] = None,
    service_name: Annotated[Identifier | None, Query(alias="service")] = None,
    correlation_id: SearchText | None = None, since: Since = None, until: Until = None,
) -> list[AuditEntryOut]:
    entries = await service.search_entries(
        session, user=user, record_id=record_id, actor_user=user_id, event_type=event_type,
        service=service_name, correlation_id=correlation_id, since=since, until=until,
        window=page.window(service.ENTRIES),
    )
    return [AuditEntryOut.of(e, kit.sealer) for e in page.finish(entries, service.ENTRIES)]


@router.get("/verify", response_model=VerificationReport,
            summary="Recompute the hash chain and name the first bad entry (R-AU-2)",
            description="Recomputes the SHA-256 chain over every entry up to the head at the "
            "start and reports whether it holds, how many entries were checked and, if not, "
            "the first entry that breaks it and why; the same for the chain of the reads of "
            "the log (`access`); and the log against the stream it comes from "
            "(`completeness`: gaps, strangers, rewritten entries, as in "
            "`/api/v1/audit/completeness`); and the log against the signed checkpoints of the "
            "operator's file (`checkpoints`: the first one it no longer matches, and the "
            "entries where the difference lies).")
async def verify_log(kit: Kit, user: Inspector) -> VerificationReport:
    outside = await compare_with_checkpoints(
        kit.sessions, kit.settings.audit_checkpoint_path, log_keys(kit.settings))
    return await service.verify_log(kit.sessions, completeness=await completeness_of(kit),
                                    outside=outside)


@router.get("/completeness", response_model=CompletenessReport,
            summary="The log against the stream it comes from (R-AU-2)",
            description="Reads every event of the county the `ASSIST` stream still holds and "
            "compares it with the log: an event handled but missing from the log is a gap, an "
            "entry the stream does not have is a stranger, an entry that differs from its "
            "event is rewritten; each named by event id, seq and subject (the first 100). "
            "Events before the stream's first kept message (`stream_first_seq`) cannot be "
            "proven here: the checkpoints held outside vouch for them. Auditors only.")
async def completeness(kit: Kit, user: Auditor) -> CompletenessReport:
    return await completeness_of(kit)



@router.get("/export", response_class=StreamingResponse,
            responses={200: {"content": {NDJSON: {}},
                             "description": "one entry per line, every stored column, "
                             "then the checkpoint line"}},
            summary="The log as JSON Lines with its checkpoint, for offline checks (R-AU-3)",
            description="The entries you may read, up to the head at the start, one JSON object "
            "per line with every stored column (hashes included; the payload as stored, "
            "personal fields sealed) and "
            "`data`, the event data with ID numbers, phones and bank accounts masked (R-SE-2). "
            "Each entry carries `inclusion`, its RFC 6962 audit path to the checkpoint on the "
            "last line (`checkpoint`: the signed note, its size and root; the latest, or one "
            "signed now when the latest does not cover the log), so a recipient checks the "
            "entries offline with the log's public key, a partial export too. Streamed as a "
            "file download.")
async def export_log(kit: Kit, user: Inspector, since: Since = None,
                     until: Until = None) -> StreamingResponse:
    filename = f"audit-{kit.county}-{utcnow():%Y%m%dT%H%M%SZ}.ndjson"
    checkpoint = await covering_checkpoint(kit, made_by=f"export:{user.user_id}")
    return StreamingResponse(
        export_with_checkpoint(kit, user=user, checkpoint=checkpoint, since=since, until=until),
        media_type=NDJSON, headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
