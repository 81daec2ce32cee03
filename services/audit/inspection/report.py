"""The verification report of the log (R-AU-3): the chain, the signed checkpoints and
completeness in one answer, the first failure named; also as a plain printable page."""

from __future__ import annotations

from datetime import datetime
from html import escape
from typing import Any

from services.audit.checkpoints.service import latest_checkpoint, notary_of
from services.audit.checkpoints.verify import verify_checkpoints
from services.audit.inspection.schemas import (
    CheckpointsReport,
    FirstFailure,
    InspectionReport,
)
from services.audit.log.completeness import completeness_of
from services.audit.log.schemas import CompletenessReport
from services.audit.log.service import verify_log
from shared.service import ServiceKit


async def checkpoints_report(kit: ServiceKit) -> CheckpointsReport:
    """How many checkpoints, the latest, and whether the log still gives each one
    (services.audit.checkpoints.verify: signed by the log's key, or by a key retired since for
    what it signed before, the root recomputed from the entries' hashes)."""
    async with kit.sessions() as session:
        latest = await latest_checkpoint(session)
        keys = notary_of(session).keys
    if latest is None:
        return CheckpointsReport(count=0, latest=None, consistent=None)
    summary = {"id": latest.id, "tree_size": latest.tree_size, "root_hash": latest.root_hash,
               "timestamp": latest.timestamp.isoformat(), "note": latest.note}
    checked = await verify_checkpoints(kit.sessions, keys)
    first = checked.first_bad
    return CheckpointsReport(
        count=checked.checked, latest=summary, consistent=checked.ok,
        detail=None if first is None else f"{first.source} ({first.tree_size} entries): "
        f"{first.reason}")


async def build_report(kit: ServiceKit, *, now: datetime) -> InspectionReport:
    """Recompute both chains, check completeness and the checkpoints; name the first failure
    (in that order: an altered entry explains the rest)."""
    verified = await verify_log(kit.sessions, completeness=await completeness_of(kit))
    checkpoints = await checkpoints_report(kit)
    completeness, access = verified.completeness, verified.access
    first: FirstFailure | None = None
    if verified.first_bad is not None:
        bad = verified.first_bad
        first = FirstFailure(check="chain", seq=bad.seq, detail=f"{bad.reason}: {bad.detail}")
    elif access is not None and access.first_bad is not None:
        bad = access.first_bad
        first = FirstFailure(check="access", seq=bad.seq,
                             detail=f"log_access {bad.reason}: {bad.detail}")
    elif checkpoints.consistent is False:
        first = FirstFailure(check="checkpoints", detail=checkpoints.detail or "")
    elif completeness is not None and not completeness.ok:
        first = _completeness_failure(completeness)
    return InspectionReport(
        ok=first is None, entries=verified.entries, chain_ok=verified.first_bad is None,
        chain_breaks=verified.breaks, chain_first_bad=verified.first_bad, head=verified.head,
        access=access, checkpoints=checkpoints, completeness=completeness,
        first_failure=first, reported_at=now)


def _completeness_failure(report: CompletenessReport) -> FirstFailure:
    for kind, found in (("gap", report.first_gaps), ("stranger", report.first_strangers),
                        ("rewritten", report.first_rewritten)):
        if found:
            return FirstFailure(check="completeness", seq=found[0].seq,
                                detail=f"{kind}: event {found[0].event_id}")
    return FirstFailure(check="completeness", detail=report.error or "the stream could not "
                        "be compared with the log")


def _rows(pairs: list[tuple[str, Any]]) -> str:
    return "".join(f"<tr><th>{escape(k)}</th><td>{escape('' if v is None else str(v))}</td></tr>"
                   for k, v in pairs)


def as_html(report: InspectionReport, *, county: str) -> str:
    """The report as one self-contained HTML page: no script, style sheet, font or image from
    anywhere, printable as it is."""
    verdict = "通过 / OK" if report.ok else "未通过 / FAILED"
    first = report.first_failure
    latest = report.checkpoints.latest or {}
    rows = _rows([
        ("结论 Result", verdict),
        ("日志条目 Entries", report.entries),
        ("哈希链 Chain", "OK" if report.chain_ok else f"{report.chain_breaks} broken"),
        ("链头 Head", f"{report.head.seq} {report.head.hash}" if report.head else "—"),
        ("检查点 Checkpoints", report.checkpoints.count),
        ("最新检查点 Latest checkpoint", latest.get("tree_size", "—")),
        ("检查点一致 Log matches checkpoints", report.checkpoints.consistent),
        ("读取记录链 Access chain", None if report.access is None else report.access.ok),
        ("完整性 Completeness", None if report.completeness is None
         else report.completeness.ok),
        ("首个失败 First failure",
         f"{first.check} (seq {first.seq}): {first.detail}" if first else "—"),
        ("报告时间 Reported at", report.reported_at.isoformat()),
    ])
    return (
        "<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\">"
        f"<title>操作日志核验报告 {escape(county)}</title>"
        "<style>body{font-family:serif;margin:2em}table{border-collapse:collapse}"
        "th,td{border:1px solid #000;padding:4px 8px;text-align:left}</style></head><body>"
        f"<h1>操作日志核验报告 Audit log verification — {escape(county)}</h1>"
        f"<table>{rows}</table></body></html>"
    )
