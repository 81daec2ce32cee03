"""R-SE-1: every route of every service declares who may call it, in the one place that also
enforces it: an ``allow(...)`` dependency on the route. Nothing escapes: a route without one is
either a kit route (health, docs), ``GET /api/v1/me`` (any valid token), or explicitly public
(``PublicRateLimit``, marked ``x-public`` in the API document)."""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any

import pytest
from fastapi import Depends, FastAPI, routing
from fastapi.routing import APIRoute
from starlette.routing import Mount, Route

from shared.apidocs import STATIC_URL, document_operations
from shared.auth import CurrentUser, Role, User, allow, current_user
from shared.permissions import _calls
from shared.ratelimit import PublicRateLimit
from shared.settings import SERVICE_NAMES, Settings

KIT_OPEN = {
    ("GET", "/healthz"), ("GET", "/readyz"),  # probes
    ("GET", "/openapi.json"), ("GET", "/docs"), ("GET", "/docs/oauth2-redirect"),
    ("GET", "/redoc"), ("GET", "/rules"),  # the API's own documentation
}
"""Kit routes that need no token: they show no record of anyone."""
TOKEN_ONLY = {("GET", "/api/v1/me")}
"""Any valid token, whatever its role: who the caller is and what their role may do."""
Clerk = Annotated[User, Depends(allow(Role.caseworker))]
Nobody = Annotated[User, Depends(allow())]


def _routes(app: FastAPI) -> Iterator[Any]:
    contexts = getattr(routing, "iter_route_contexts", None)  # FastAPI ≥ 0.160 nests routers
    yield from contexts(app.routes) if contexts else app.routes


def undeclared(app: FastAPI) -> list[str]:
    """Every route of ``app`` that says nothing of who may call it: no ``allow(...)``, not a kit
    route, not ``/me``, not explicitly public."""
    schema = app.openapi()["paths"]
    found = []
    for route in _routes(app):
        original = getattr(route, "original_route", route)
        path = getattr(route, "path_format", None) or getattr(original, "path", "?")
        if isinstance(original, Mount):
            if original.path != STATIC_URL:
                found.append(f"mount {path}")
            continue
        methods = sorted((getattr(route, "methods", None) or set()) - {"HEAD", "OPTIONS"})
        if not isinstance(original, APIRoute):
            found += [f"{m} {path} (not an API route)" for m in methods
                      if isinstance(original, Route) and (m, path) not in KIT_OPEN]
            continue
        calls = list(_calls(route.dependant))
        allowed = [c.roles for c in calls if isinstance(getattr(c, "roles", None), frozenset)]
        for method in methods:
            where = f"{method} {path}"
            operation = schema.get(path, {}).get(method.lower(), {})
            if allowed:
                if not frozenset.intersection(*allowed):
                    found.append(f"{where}: allow() lets no role through")
            elif current_user in calls:
                if (method, path) not in TOKEN_ONLY:
                    found.append(f"{where}: a token of any role, but no allow(...)")
            elif (method, path) in KIT_OPEN:
                continue
            elif not any(c is PublicRateLimit.dependency for c in calls):
                found.append(f"{where}: needs no token and is not declared public")
            elif not operation.get("x-public"):
                found.append(f"{where}: public but not marked x-public")
    return found


@pytest.mark.parametrize("service", SERVICE_NAMES)
def test_every_route_of_every_service_declares_its_roles_or_is_explicitly_public_R_SE_1(
        service, tmp_path: Path):
    module = importlib.import_module(f"services.{service}.app")
    app: FastAPI = module.create_app(Settings(service=service, data_dir=tmp_path))
    assert undeclared(app) == []


def test_a_route_that_forgets_its_roles_is_named():
    """The check above can fail: a route with no allow(), one with only a token, one public
    without PublicRateLimit and one that lets no role through are each named."""
    app = FastAPI()

    @app.get("/api/v1/forgotten")
    async def forgotten() -> None: ...

    @app.get("/api/v1/any-token")
    async def any_token(user: CurrentUser) -> None: ...

    @app.get("/api/v1/fine", dependencies=[PublicRateLimit])
    async def fine() -> None: ...

    @app.get("/api/v1/clerks")
    async def clerks(user: Clerk) -> None: ...

    @app.post("/api/v1/nobody")
    async def nobody(user: Nobody) -> None: ...

    plain = app.openapi

    def documented() -> dict[str, Any]:  # as every service documents itself (shared.service)
        schema = plain()
        document_operations(app, schema)
        return schema

    app.openapi = documented

    assert undeclared(app) == [
        "GET /api/v1/forgotten: needs no token and is not declared public",
        "GET /api/v1/any-token: a token of any role, but no allow(...)",
        "POST /api/v1/nobody: allow() lets no role through",
    ]
