"""The approval service's documents as answers: a PDF rendered off the event loop (about half a
second of CPU each, shared.documents), and a document its data cannot print answered as a
problem, not a crash."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from fastapi import Response
from starlette.concurrency import run_in_threadpool

from shared.documents import DocumentError
from shared.problems import Conflict

D = TypeVar("D")

PDF: dict[int | str, dict[str, Any]] = {
    200: {"content": {"application/pdf": {}}, "description": "the document, an A4 PDF"}}
"""The OpenAPI answer of a route that serves a document."""


class NotPrintable(Conflict):
    slug, title = "document-not-printable", "The document cannot be printed from this record"


async def pdf_response(render: Callable[[D], bytes], document: D, *, filename: str) -> Response:
    """``render(document)`` in a worker thread, served inline as ``filename``; what the
    renderer refuses (an unmasked ID number, a character the font lacks) is a 409 naming it."""
    try:
        content = await run_in_threadpool(render, document)
    except DocumentError as exc:
        raise NotPrintable(str(exc)) from None
    return Response(content, media_type="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="{filename}"'})
