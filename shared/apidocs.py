"""The API documents itself: Swagger UI and ReDoc served from the installation, the roles of every
operation (from the code that enforces them), every error it can give, and the formats.

County networks are often offline: the pages load their scripts, styles and icon from the
service itself (the files of the PyPI package ``fastapi-offline``), never from a CDN.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import fastapi_offline
from fastapi import FastAPI, Request
from fastapi.openapi.docs import (
    get_redoc_html,
    get_swagger_ui_html,
    get_swagger_ui_oauth2_redirect_html,
)
from fastapi.responses import FileResponse, HTMLResponse
from fastapi.staticfiles import StaticFiles

from shared.body_limit import LIMIT_KEY, UPLOAD
from shared.permissions import api_routes, describe_roles, roles_of
from shared.problems import PROBLEM_JSON, NotFound

STATIC_DIR = Path(fastapi_offline.__file__).parent / "static"
STATIC_URL = "/static/docs"
RULE_BOOK = Path(__file__).resolve().parent.parent / "docs" / "rules.md"
RULES_URL = "/rules"

FORMATS = f"""

## Formats

- **Resident ID numbers** (居民身份证号码): 18 characters, 17 digits then a check character
  `0`–`9` or `X`; characters 7–14 are a real birth date and the last one is the GB 11643
  check (ISO 7064 MOD 11-2), e.g. `11010519491231002X`. The first six digits are *not*
  checked against today's division codes (R-IN-4). Lists, notices and events show them
  masked, first 3 and last 4 kept: `110***********002X` (R-SE-2).
- **Division codes** (行政区划代码): ASCII digits only; 6 for a province, city or county
  (GB/T 2260: `230700` 伊春市, `230722` 嘉荫县), 9 for a township or street office
  (`230722100`), 12 for a village or community (`230722100201`). A code covers every code
  that starts with its significant part (`230700` covers `2307…`): that is a user's
  jurisdiction (R-SE-1).
- **Money**: integers in fen (分, 1 yuan = 100 fen) in fields named `…_fen`, never a
  fraction or a float; amounts are rounded only at the end, to whole yuan (R-BE-1). A
  `…_yuan` field is the same amount as a decimal string with two places, for display.
- **Times** are ISO 8601 with an offset; dates `YYYY-MM-DD`; months `YYYY-MM`. Deadlines
  count working days and end at 24:00 Asia/Shanghai (R-AP-7).

## Errors

Every error is RFC 9457 problem details (`{PROBLEM_JSON}`) with a stable `type`
(`urn:assist:problem:…`), the `request_id` to quote, and for invalid input `errors` naming
each field. A refusal by a rule names the rule's id.

## Rules

Rule ids such as `R-IN-3` refer to the project's rule book, `docs/rules.md` in the
repository, also served by this service at [{RULES_URL}]({RULES_URL}).
"""
"""Appended to every service's API description."""


def _problem(description: str) -> dict[str, Any]:
    return {"description": description, "content": {PROBLEM_JSON: {
        "schema": {"$ref": "#/components/schemas/ProblemDetails"}}}}


BODY_TOO_LARGE = _problem("The request body is larger than this installation accepts "
                          "(`ASSIST_MAX_BODY_BYTES`); refused before it is read")
UPLOAD_TOO_LARGE = _problem("The upload is larger than this installation accepts "
                            "(`ASSIST_MAX_UPLOAD_BYTES`); refused before it is read")


def document_operations(app: FastAPI, schema: dict[str, Any]) -> None:
    """Give each operation of ``schema`` its roles (``x-roles`` and a line of its description,
    from the ``allow`` dependency that enforces them) and a 413 where it takes a body."""
    paths = schema.get("paths", {})
    for route in api_routes(app.routes):
        roles = roles_of(route)
        for method in route.methods:
            operation = paths.get(route.path_format, {}).get(method.lower())
            if operation is None:
                continue
            operation["x-roles"] = [] if roles is None else sorted(roles)
            if roles is None:
                operation["x-public"] = True
            text = operation.get("description", "").rstrip()
            operation["description"] = f"{text}\n\n{describe_roles(roles)}".lstrip()
            if "requestBody" in operation:
                too_large = UPLOAD_TOO_LARGE if operation.get(LIMIT_KEY) == UPLOAD \
                    else BODY_TOO_LARGE
                operation.setdefault("responses", {}).setdefault("413", too_large)


def install_docs(app: FastAPI) -> None:
    """``/docs`` (Swagger UI), ``/redoc`` (ReDoc) and ``/rules`` (the rule book), with every
    file they load served here. The app must be made with ``docs_url=None, redoc_url=None``."""
    app.mount(STATIC_URL, StaticFiles(directory=STATIC_DIR), name="docs-static")
    openapi_url = app.openapi_url or "/openapi.json"
    oauth2_redirect_url = "/docs/oauth2-redirect"

    @app.get("/docs", include_in_schema=False)
    async def swagger_ui(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "")
        return get_swagger_ui_html(
            openapi_url=root + openapi_url, title=f"{app.title} - Swagger UI",
            oauth2_redirect_url=root + oauth2_redirect_url,
            swagger_js_url=f"{root}{STATIC_URL}/swagger-ui-bundle.js",
            swagger_css_url=f"{root}{STATIC_URL}/swagger-ui.css",
            swagger_favicon_url=f"{root}{STATIC_URL}/favicon.png",
            # no online validator badge: nothing is fetched from outside
            swagger_ui_parameters={"validatorUrl": None, "persistAuthorization": True},
        )

    @app.get(oauth2_redirect_url, include_in_schema=False)
    async def swagger_ui_redirect() -> HTMLResponse:
        return get_swagger_ui_oauth2_redirect_html()

    @app.get("/redoc", include_in_schema=False)
    async def redoc(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "")
        return get_redoc_html(
            openapi_url=root + openapi_url, title=f"{app.title} - ReDoc",
            redoc_js_url=f"{root}{STATIC_URL}/redoc.standalone.js",
            redoc_favicon_url=f"{root}{STATIC_URL}/favicon.png", with_google_fonts=False,
        )

    @app.get(RULES_URL, include_in_schema=False)
    async def rule_book() -> FileResponse:
        if not RULE_BOOK.is_file():
            raise NotFound("the rule book is not installed here: see docs/rules.md in the "
                           "repository")
        return FileResponse(RULE_BOOK, media_type="text/markdown; charset=utf-8")
