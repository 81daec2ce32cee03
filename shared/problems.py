"""RFC 9457 problem details: one exception base, one handler, a stable type per error."""

from __future__ import annotations

import json
from http import HTTPStatus
from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from shared.context import request_id

PROBLEM_JSON = "application/problem+json"
TYPE_PREFIX = "urn:assist:problem:"

log = structlog.get_logger(__name__)


class FieldError(BaseModel):
    """One invalid field of a request."""

    field: str = Field(description="dotted path, e.g. household.members.0.id_number")
    message: str
    code: str | None = None


class ProblemDetails(BaseModel):
    """RFC 9457 problem details, as every error of this API is returned."""

    model_config = ConfigDict(extra="allow")

    type: str = Field(description="stable URI of the error kind, e.g. urn:assist:problem:conflict")
    title: str
    status: int
    detail: str | None = None
    instance: str | None = None
    request_id: str | None = Field(None, description="quote it when reporting a problem")
    errors: list[FieldError] | None = Field(None, description="validation errors only")


def _documented(description: str) -> dict[str, Any]:
    return {"description": description, "content": {PROBLEM_JSON: {
        "schema": {"$ref": "#/components/schemas/ProblemDetails"}}}}


PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: _documented("No valid bearer token"),
    403: _documented("Role not allowed, or outside the caller's jurisdiction"),
    404: _documented("No such record"),
    409: _documented("Conflicts with the current state or another record"),
    422: _documented("Invalid request: `errors` names the fields; a refused rule names its id"),
    503: _documented("The database is unreachable, or the operation could not be logged "
                     "(`operation-not-logged`, R-AU-1): nothing was done; try again"),
}
"""Error responses every business endpoint documents in OpenAPI."""


class Problem(Exception):
    """Base of every error an API returns; subclasses fix the status and the problem type."""

    status: int = 400
    slug: str = "bad-request"
    title: str = "Bad request"

    def __init__(self, detail: str, **extensions: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extensions = extensions


class NotFound(Problem):
    status, slug, title = 404, "not-found", "Not found"


class Conflict(Problem):
    status, slug, title = 409, "conflict", "Conflict with the current state"


class Unauthorized(Problem):
    status, slug, title = 401, "unauthorized", "Authentication required"


class Forbidden(Problem):
    status, slug, title = 403, "forbidden", "Not allowed"


class OutOfJurisdiction(Forbidden):
    slug, title = "out-of-jurisdiction", "Outside your jurisdiction"


class FourEyes(Forbidden):
    """R-AP-2 four eyes: who proposed a decision (an initial opinion, an adjustment of the roll)
    may not confirm it."""

    slug, title = "four-eyes", "The proposer may not confirm it"


class NearRelativeRecusal(Forbidden):
    """R-AP-8 回避: the staff member filed a near relative in this case's household and may take
    no part in it (approval's steps and verification's investigation alike)."""

    slug, title = "near-relative-recusal", "Recused: a near relative of yours is in this case"


class RuleViolation(Problem):
    """A domain rule refuses the request (422 with the rule id)."""

    status, slug, title = 422, "rule-violation", "A rule of the rule book refuses this"


class InvalidField(Problem):
    """A field is invalid for a reason only the service can see; reported like validation."""

    status, slug, title = 422, "validation-error", "The request is not valid"

    def __init__(self, field: str, message: str, **extensions: Any) -> None:
        super().__init__(f"{field}: {message}", errors=[{"field": field, "message": message}],
                         **extensions)


class Unavailable(Problem):
    status, slug, title = 503, "unavailable", "A dependency is unavailable"


def problem_body(status: int, slug: str, title: str, detail: str | None, instance: str | None,
                 **extensions: Any) -> dict[str, Any]:
    """The problem+json document."""
    body: dict[str, Any] = {"type": TYPE_PREFIX + slug, "title": title, "status": status}
    if detail:
        body["detail"] = detail
    if instance:
        body["instance"] = instance
    body["request_id"] = request_id.get()
    body.update(extensions)
    return body


INTERNAL_ERROR = ("internal-error", "Internal error",
                  "The request failed; it changed nothing. Quote the request id.")


async def send_problem(send: Any, scope: Any, status: int, slug: str, title: str,
                       detail: str | None, *, close: bool = False, **extensions: Any) -> None:
    """Answer with a problem+json from ASGI middleware, where no FastAPI handler runs."""
    body = json.dumps(problem_body(status, slug, title, detail, scope.get("path"),
                                   **extensions), ensure_ascii=False).encode()
    headers = [(b"content-type", PROBLEM_JSON.encode()),
               (b"content-length", str(len(body)).encode())]
    if close:
        headers.append((b"connection", b"close"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def problem_response(status: int, slug: str, title: str, detail: str | None, request: Request,
                     **extensions: Any) -> JSONResponse:
    body = problem_body(status, slug, title, detail, request.url.path, **extensions)
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def _field_name(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    return ".".join(parts) or "body"


async def _on_problem(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, Problem)
    return problem_response(exc.status, exc.slug, exc.title, exc.detail, request, **exc.extensions)


async def _on_validation(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [
        {"field": "body" if e.get("type") == "json_invalid"  # loc ends in a character offset
         else _field_name(tuple(e.get("loc", ()))), "message": e.get("msg", ""),
         "code": e.get("type", "")}
        for e in exc.errors()
    ]
    fields = ", ".join(sorted({e["field"] for e in errors}))
    return problem_response(422, "validation-error", "The request is not valid",
                            f"Invalid fields: {fields}", request, errors=errors)


async def _on_http(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    phrase = HTTPStatus(exc.status_code).phrase
    slug = phrase.lower().replace(" ", "-")
    return problem_response(exc.status_code, slug, phrase, str(exc.detail), request)


async def _on_unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled_error", error=repr(exc))
    return problem_response(500, "internal-error", "Internal error",
                            "The request failed; it changed nothing. Quote the request id.",
                            request)


def install_problem_handlers(app: FastAPI) -> None:
    """Turn every error into application/problem+json."""
    app.add_exception_handler(Problem, _on_problem)
    app.add_exception_handler(RequestValidationError, _on_validation)
    app.add_exception_handler(StarletteHTTPException, _on_http)
    app.add_exception_handler(Exception, _on_unexpected)
