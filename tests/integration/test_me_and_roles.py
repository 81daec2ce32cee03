"""GET /api/v1/me in every service; the roles the API documents are the roles it enforces."""

from __future__ import annotations

import importlib
import time
from datetime import datetime
from typing import Any

import pytest

from shared.auth import Role
from shared.settings import SERVICE_NAMES
from tests.support import bearer, running

COUNTY = "230722"
FORBIDDEN = "urn:assist:problem:forbidden"


def create(service: str, settings: Any) -> Any:
    return importlib.import_module(f"services.{service}.app").create_app(settings)


async def test_me_says_who_the_caller_is_and_what_the_role_may_do_here(make_settings):
    settings = make_settings("intake")
    async with running(create("intake", settings)) as client:
        headers = bearer(settings, Role.caseworker, ["230722100"], user_id="cw-7")
        answer = await client.get("/api/v1/me", headers=headers)
        assert answer.status_code == 200, answer.text
        me = answer.json()
        assert (me["user_id"], me["role"], me["service"]) == ("cw-7", "caseworker", "intake")
        assert me["divisions"] == [{"code": "230722100", "name": "朝阳镇"}]
        expires = datetime.fromisoformat(me["token_expires_at"]).timestamp()
        assert abs(expires - (time.time() + 12 * 3600)) < 120
        ops = {(op["method"], op["path"]) for op in me["operations"]}
        assert ("POST", "/api/v1/applications") in ops
        assert ("GET", "/api/v1/me") in ops
        assert ("PUT", "/api/v1/programs/{program}/checklist") not in ops  # county officers'
        assert all(op["summary"] for op in me["operations"])

        system = await client.get("/api/v1/me", headers=bearer(settings, Role.system, []))
        assert system.status_code == 200
        # another system reaches no application, only the consumer's dead letters (operators')
        assert {op["path"] for op in system.json()["operations"]} == {
            "/api/v1/me", "/api/v1/dead-letters", "/api/v1/dead-letters/{letter_id}",
            "/api/v1/dead-letters/{letter_id}/redrive", "/api/v1/dead-letters/redrive"}

        anonymous = await client.get("/api/v1/me")
        assert anonymous.status_code == 401
        assert anonymous.headers["content-type"] == "application/problem+json"


def _call(op: dict[str, Any], path: str) -> str:
    """The path with every parameter filled in with a value of the right type."""
    for param in op.get("parameters", []):
        if param["in"] == "path":
            value = "1" if param["schema"].get("type") == "integer" else "x"
            path = path.replace("{" + param["name"] + "}", value)
    return path


@pytest.mark.parametrize("service", SERVICE_NAMES)
async def test_every_role_outside_x_roles_is_refused_and_every_role_in_it_is_let_through(
        service, make_settings):
    """R-SE-1: the documented roles (x-roles) are exactly those allow() lets through, for every
    operation of every service; each is called by every role, over the whole county."""
    settings = make_settings(service)
    app = create(service, settings)
    async with running(app) as client:
        spec = app.openapi()
        tokens = {role: bearer(settings, role, [COUNTY]) for role in Role}
        for path, item in spec["paths"].items():
            if not path.startswith("/api/v1/"):
                continue
            for method, op in item.items():
                url = _call(op, path)
                for role in Role:
                    body = {} if "requestBody" in op else None
                    answer = await client.request(method, url, headers=tokens[role], json=body)
                    refused = answer.status_code == 403 and answer.json()["type"] == FORBIDDEN
                    where = f"{method.upper()} {path} as {role}: {answer.status_code}"
                    # a public operation (x-public: no token needed) refuses no role
                    allowed = op.get("x-public", False) or role in op["x-roles"]
                    assert refused == (not allowed), where
                    assert answer.status_code < 500, f"{where} {answer.text}"
