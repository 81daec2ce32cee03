"""Cross-check endpoints (R-VE-4): thin, the rules are in service.py."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.verification.checks import datasets, service
from services.verification.checks.config import SourceConfig, configured_sources
from services.verification.checks.datafile import DataFileRefused, read_data_file
from services.verification.checks.models import CheckResultRow, CheckSubject
from services.verification.checks.runner import CheckRunner
from services.verification.checks.schemas import (
    DatasetOut,
    DatasetPathIn,
    FindingOut,
    ManualCheckIn,
    ResultOut,
    RunIn,
    RunOut,
    SourceOut,
)
from services.verification.checks.sources import ITEMS, MANUAL, Finding
from services.verification.investigations.service import get_investigation
from shared.auth import Role, User, allow
from shared.body_limit import UPLOAD, body_limit
from shared.inputs import PAGED, CivilDate, Code, Identifier, Label, Paging, RecordId
from shared.problems import PROBLEM_JSON, InvalidField, NotFound, Problem
from shared.service import DbSession, Idempotent, Kit
from shared.workdays import today_in_shanghai

router = APIRouter(tags=["checks"])

Reader = Annotated[User, Depends(allow(Role.caseworker, Role.township_leader, Role.county_officer,
                                       Role.city_officer, Role.auditor))]
Checker = Annotated[User, Depends(allow(Role.caseworker, Role.township_leader,
                                        Role.county_officer))]
DataKeeper = Annotated[User, Depends(allow(Role.county_officer))]
SourceName = Code
Status = Annotated[str | None, Query(pattern="^(found|nothing_found|unavailable|manual)$",
                                     description="found, nothing_found, unavailable, manual")]

MAX_DATA_FILE_BYTES = 512 * 1024 * 1024
"""The largest data file loaded by path (an upload: ``ASSIST_MAX_UPLOAD_BYTES``)."""
CSV_TYPES = ("text/csv", "text/plain", "application/octet-stream")


class UnsupportedMediaType(Problem):
    status, slug, title = 415, "unsupported-media-type", "Unsupported media type"


def _source(kit: Any, name: str) -> SourceConfig:
    config = configured_sources(kit.settings).get(name)
    if config is None:
        raise NotFound(f"no check source {name!r} (sources: "
                       f"{', '.join(configured_sources(kit.settings))})")
    return config


async def _results_out(session: AsyncSession, rows: Sequence[CheckResultRow]
                       ) -> list[ResultOut]:
    findings = await service.findings_of(session, [r.id for r in rows])
    investigations = {r.investigation_id for r in rows}
    members = {s.member_id: s for s in (await session.scalars(select(CheckSubject).where(
        CheckSubject.investigation_id.in_(investigations)))).all()} if investigations else {}
    return [ResultOut(
        id=r.id, investigation_id=r.investigation_id, source=r.source, item=r.item,
        status=r.status, reason=r.reason, basis=r.basis, run_id=r.run_id,
        checked_by=r.checked_by, checked_at=r.checked_at, asked=r.asked,
        findings=[FindingOut.of(f, members) for f in findings.get(r.id, [])]) for r in rows]


@router.get("/check-sources", response_model=list[SourceOut],
            summary="The check sources of this installation",
            description="Each source (R-VE-4) with the items it checks and, for a data-file "
            "source, the version of its file checked against. Not paged: it is the "
            "installation's configuration (`ASSIST_CHECK_SOURCES`), a few entries.")
async def list_sources(session: DbSession, user: Reader, kit: Kit) -> list[SourceOut]:
    out = []
    for name, config in configured_sources(kit.settings).items():
        current = await datasets.current_dataset(session, name) if config.kind == "csv" else None
        out.append(SourceOut(name=name, current_dataset=DatasetOut.model_validate(current)
                             if current else None, **config.public()))
    return out


@router.get("/check-sources/{source}/datasets", response_model=list[DatasetOut],
            responses=PAGED, summary="The versions of a source's data file",
            description="Newest first: each load with its date, SHA-256 and size. 404 for a "
            "source that is not configured.")
async def list_datasets(session: DbSession, user: Reader, kit: Kit, page: Paging,
                        source: SourceName) -> list[DatasetOut]:
    _source(kit, source)
    rows = await datasets.list_datasets(session, source=source,
                                       window=page.window(datasets.DATASETS))
    return [DatasetOut.model_validate(r) for r in page.finish(rows, datasets.DATASETS)]


_DATASET_BODY = {**body_limit(UPLOAD), "requestBody": {"required": True, "content": {
    "text/csv": {"schema": {"type": "string", "description": "the data file itself"}},
    # inlined: a body the route reads itself has no component of its own in the document
    "application/json": {"schema": DatasetPathIn.model_json_schema()},
}}}


@router.post("/check-sources/{source}/datasets", response_model=DatasetOut, status_code=201,
             summary="Load a department's data file for a data-file source",
             description="The file as the body (`text/csv`, up to `ASSIST_MAX_UPLOAD_BYTES`), or "
             "`application/json` naming a file in the check data folder (`{\"path\": …}`, for "
             "large files). Checked whole (columns `id_number`, `item`, `amount_fen`, "
             "`quantity`, `detail`, `name`; docs/architecture.md): a fault refuses the whole "
             "file with 422 naming the line and the reason, and nothing changes. Taken as the "
             "source's next version with its date and SHA-256; the same bytes as the current "
             "version change nothing (200). ID numbers are kept only as keyed digests. Emits "
             "`check_dataset_loaded`.",
             responses={200: {"model": DatasetOut, "description": "Same file as the current "
                              "version: nothing changed"},
                        415: {"description": "Neither text/csv nor application/json",
                              "content": {PROBLEM_JSON: {}}}},
             openapi_extra=_DATASET_BODY, dependencies=[Idempotent])
async def load_dataset(
    request: Request, response: Response, session: DbSession, user: DataKeeper, kit: Kit,
    source: SourceName,
    data_date: Annotated[CivilDate | None, Query(description="text/csv: the day the data is "
                                                 "of; default: today (Asia/Shanghai)")] = None,
    filename: Annotated[Label | None, Query(description="text/csv: the file's name")] = None,
) -> DatasetOut:
    user.require_access(kit.county)
    config = _source(kit, source)
    if config.kind != "csv":
        raise NotFound(f"{source} is an {config.kind} source: it has no data file")
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media in CSV_TYPES:
        raw = await request.body()
    elif media == "application/json":
        try:
            body = DatasetPathIn.model_validate_json(await request.body())
        except ValidationError as exc:
            first = exc.errors()[0]
            raise InvalidField(".".join(str(p) for p in first["loc"]) or "body",
                               first["msg"]) from None
        raw = await asyncio.to_thread(_read_in_folder, kit.settings.check_data_path, body.path)
        data_date, filename = body.data_date or data_date, Path(body.path).name
    else:
        raise UnsupportedMediaType(f"send the file as text/csv, or name it in "
                                   f"application/json; not {media or 'no content type'}")
    try:
        data = await asyncio.to_thread(read_data_file, raw, config.items)
    except DataFileRefused as exc:
        raise InvalidField("file", f"line {exc.line}: {exc.reason}", line=exc.line) from None
    dataset, created = await datasets.load_dataset(
        session, user=user, source=source, data=data, data_date=data_date or today_in_shanghai(),
        filename=filename, keyring=kit.sealer.keyring, county=kit.county)
    if not created:
        response.status_code = 200
    return DatasetOut.model_validate(dataset)


def _read_in_folder(folder: Path, relative: str) -> bytes:
    """A file inside ``folder`` (never outside it, links included); 404 if there is none."""
    base = folder.resolve()
    path = (base / relative).resolve()
    if not path.is_relative_to(base) or not path.is_file():
        raise NotFound(f"no file {relative} in the check data folder")
    if path.stat().st_size > MAX_DATA_FILE_BYTES:
        raise InvalidField("path", f"the file is larger than {MAX_DATA_FILE_BYTES:,} bytes")
    return path.read_bytes()


@router.post("/investigations/{investigation_id}/check-runs", response_model=RunOut,
             status_code=202, summary="Ask the check sources about the household",
             description="Queues a run (R-VE-4): the sources are asked in the background, each "
             "about every counted member, and the results stored per source and item; `GET "
             "/check-runs/{run_id}` shows when it is done. A run replaces the results of the "
             "sources it asks. `only_unavailable: true` asks again only the items whose result "
             "is `unavailable` (the retry). 409 `no-check-subjects` when no member's ID number "
             "is held. Emits `check_results_recorded` when done.",
             dependencies=[Idempotent])
async def request_run(session: DbSession, user: Checker, kit: Kit, investigation_id: RecordId,
                      body: RunIn) -> RunOut:
    await get_investigation(session, user=user, investigation_id=investigation_id)  # 404, 403
    configured = configured_sources(kit.settings)
    sources = list(dict.fromkeys(body.sources)) if body.sources else list(configured)
    for i, name in enumerate(sources):
        if name not in configured:
            raise InvalidField(f"sources.{i}", f"no check source {name!r}")
    run = await service.request_run(session, user=user, investigation_id=investigation_id,
                                    sources=sources, only_unavailable=body.only_unavailable)
    for worker in kit.workers:
        if isinstance(worker, CheckRunner):
            worker.wake()
    return RunOut.model_validate({**_run_fields(run), "results": []})


def _run_fields(run: Any) -> dict[str, Any]:
    return {k: getattr(run, k) for k in ("id", "investigation_id", "sources",
                                          "only_unavailable", "status", "requested_by",
                                          "requested_at", "started_at", "finished_at")}


@router.get("/check-runs/{run_id}", response_model=RunOut, summary="One check run",
            description="Its state, and when done the results it recorded.")
async def get_run(session: DbSession, user: Reader, run_id: RecordId) -> RunOut:
    run = await service.get_run(session, user=user, run_id=run_id)
    results = await _results_out(session, await service.results_of_run(session, run))
    return RunOut.model_validate({**_run_fields(run), "results": results})


@router.get("/investigations/{investigation_id}/checks", response_model=list[ResultOut],
            responses=PAGED, summary="The cross-check results of an investigation",
            description="Per source and item, the latest answer: `found` with the figures in "
            "fen, `nothing_found`, `unavailable` with why, or `manual`. Members are shown with "
            "their ID numbers masked (R-SE-2).")
async def list_investigation_results(
    session: DbSession, user: Reader, page: Paging, investigation_id: RecordId,
    status: Status = None, source: SourceName | None = None, item: Code | None = None,
) -> list[ResultOut]:
    await get_investigation(session, user=user, investigation_id=investigation_id)
    rows = await service.list_results(session, user=user, investigation_id=investigation_id,
                                      status=status, source=source, item=item,
                                      window=page.window(service.RESULTS_OF))
    return await _results_out(session, page.finish(rows, service.RESULTS_OF))


@router.post("/investigations/{investigation_id}/checks/manual", response_model=ResultOut,
             status_code=201, summary="Record a manual check of one item",
             description="A caseworker's own check (R-VE-4): what was checked, how, and the "
             "figures found. It replaces the result of `source` for the item (an `unavailable` "
             "one, say, while that department's system is down); `source` defaults to "
             "`manual`. Emits `check_results_recorded`.", dependencies=[Idempotent])
async def record_manual(session: DbSession, user: Checker, kit: Kit, investigation_id: RecordId,
                        body: ManualCheckIn) -> ResultOut:
    await get_investigation(session, user=user, investigation_id=investigation_id)  # 404, 403
    if body.source != MANUAL:
        config = configured_sources(kit.settings).get(body.source)
        if config is None:
            raise InvalidField("source", f"no check source {body.source!r}")
        if body.item not in config.items:
            raise InvalidField("item", f"{body.source} does not check {body.item!r} "
                               f"({', '.join(config.items)})")
    elif body.item not in ITEMS and not any(body.item in c.items for c in
                                            configured_sources(kit.settings).values()):
        raise InvalidField("item", f"{body.item!r} is not an item any source checks")
    row = await service.record_manual(
        session, user=user, investigation_id=investigation_id, source=body.source,
        item=body.item, note=body.note,
        findings=[Finding(f.member_id, f.amount_fen, f.quantity, f.detail)
                  for f in body.findings])
    [out] = await _results_out(session, [row])
    return out


@router.get("/checks", response_model=list[ResultOut], responses=PAGED,
            summary="Cross-check results in your jurisdiction",
            description="Oldest first, filtered by status, source, item or investigation: "
            "`?status=unavailable` lists what to ask again once the source is back "
            "(`POST /investigations/{id}/check-runs` with `only_unavailable`).")
async def list_results(
    session: DbSession, user: Reader, page: Paging, status: Status = None,
    source: SourceName | None = None, item: Code | None = None,
    investigation_id: Identifier | None = None,
) -> list[ResultOut]:
    rows = await service.list_results(session, user=user, investigation_id=investigation_id,
                                      status=status, source=source, item=item,
                                      window=page.window(service.RESULTS))
    return await _results_out(session, page.finish(rows, service.RESULTS))
