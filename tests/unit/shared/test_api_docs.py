"""The API documents itself: summaries, descriptions, roles from the code that enforces them,
every error, the formats, the rule book; Swagger UI and ReDoc served without a CDN."""

from __future__ import annotations

import importlib
import json
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urljoin, urlsplit

import httpx
import pytest
from fastapi import Depends, FastAPI

from shared.auth import STAFF, CurrentUser, Role, User, allow
from shared.permissions import ANY_ROLE, operations_for, roles_of
from shared.settings import SERVICE_NAMES, Settings
from tools.run import ROOT

PROBLEM_STATUSES = {"401", "403", "404", "409", "422", "503"}
RULE_ID = re.compile(r"R-[A-Z]{2}-\d+")


def service_app(service: str, tmp_path: Path) -> FastAPI:
    module = importlib.import_module(f"services.{service}.app")
    app: FastAPI = module.create_app(Settings(service=service, data_dir=tmp_path))
    return app


def operations(spec: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(path, method, op) for path, item in spec["paths"].items()
            for method, op in item.items()]


@pytest.mark.parametrize("service", SERVICE_NAMES)
def test_every_operation_has_a_summary_a_description_and_its_roles(service, tmp_path):
    """Roles in the description and in x-roles, the same set the allow() dependency checks."""
    app = service_app(service, tmp_path)
    spec = app.openapi()
    for path, method, op in operations(spec):
        where = f"{service}: {method.upper()} {path}"
        assert op.get("summary", "").strip(), f"{where} has no summary"
        text = op.get("description", "")
        own = text.split("\n\nRoles:")[0] if "\n\nRoles:" in text else ""
        assert own.strip(), f"{where} has no description of its own"
        assert "x-roles" in op, where
        roles = op["x-roles"]
        if op.get("x-public"):
            assert roles == [] and "Roles: public" in text and not op.get("security"), where
        else:
            assert roles and set(roles) <= set(Role), where
            assert op.get("security"), f"{where} has roles but declares no bearer auth"
            listed = "any authenticated role" if set(roles) == set(Role) else ", ".join(roles)
            assert f"Roles: {listed}." in text, where


@pytest.mark.parametrize("service", SERVICE_NAMES)
def test_every_operation_documents_every_error_it_can_give_as_problem_json(service, tmp_path):
    """401, 403, 404, 409, 422, 503 on every business operation; 413 where a body goes."""
    spec = service_app(service, tmp_path).openapi()
    for path, method, op in operations(spec):
        if not path.startswith("/api/v1/"):
            continue
        expected = PROBLEM_STATUSES | ({"413"} if "requestBody" in op else set())
        assert expected <= set(op["responses"]), (path, method, expected - set(op["responses"]))
        for status in expected:
            content = op["responses"][status]["content"]
            assert content == {"application/problem+json": {
                "schema": {"$ref": "#/components/schemas/ProblemDetails"}}}, (path, status)


@pytest.mark.parametrize("service", SERVICE_NAMES)
def test_the_api_description_gives_the_formats_once_and_links_the_rule_book(service, tmp_path):
    spec = service_app(service, tmp_path).openapi()
    description = spec["info"]["description"]
    for part in ("## Formats", "Resident ID numbers", "GB 11643", "Division codes",
                 "6 for a province, city or county", "Money", "integers in fen", "[/rules]",
                 "docs/rules.md"):
        assert part in description, part
    assert description.count("## Formats") == 1
    assert "DOMAIN.md" not in json.dumps(spec)  # the rule book is the repository's own


Clerk = Annotated[User, Depends(allow(Role.caseworker, Role.township_leader))]
Leader = Annotated[User, Depends(allow(Role.township_leader, Role.county_officer))]
StaffMember = Annotated[User, Depends(allow(*STAFF))]


async def also_a_leader(user: Leader) -> User:
    return user


Both = Annotated[User, Depends(also_a_leader)]


def test_roles_come_from_the_allow_dependency_however_deeply_it_is_nested():
    """R-SE-1: what the documentation says is what allow() enforces."""
    app = FastAPI()

    @app.get("/clerk", summary="clerk")
    async def clerk(user: Clerk) -> None: ...

    @app.get("/both", summary="both")
    async def both(user: Clerk, other: Both) -> None: ...

    @app.get("/anyone", summary="anyone")
    async def anyone(user: CurrentUser) -> None: ...

    @app.get("/public", summary="public")
    async def public() -> None: ...

    @app.post("/staff", summary="staff")
    async def staff(user: StaffMember) -> None: ...

    found = {route.path: roles_of(route) for route in app.routes if hasattr(route, "dependant")}
    assert found["/clerk"] == {"caseworker", "township_leader"}
    assert found["/both"] == {"township_leader"}  # every check must pass
    assert found["/anyone"] == ANY_ROLE
    assert found["/public"] is None
    assert found["/staff"] == set(Role) - {"system"}
    ops = operations_for(app, "township_leader")
    assert [(o.method, o.path) for o in ops] == [
        ("GET", "/clerk"), ("GET", "/both"), ("GET", "/anyone"), ("POST", "/staff")]
    assert [(o.method, o.path) for o in operations_for(app, "system")] == [("GET", "/anyone")]


class _Resources(HTMLParser):
    """Every URL a page makes the browser load: scripts, links (styles, icons), images."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        for name in ("src", "href", "spec-url"):
            if values.get(name):
                self.urls.append(str(values[name]))


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
async def test_swagger_ui_and_redoc_load_nothing_from_outside(page, tmp_path):
    """County networks are often offline: every script, style, icon and font the pages name is
    served by the service itself."""
    app = service_app("intake", tmp_path)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://svc") as client:
        html = (await client.get(page))
        assert html.status_code == 200 and "text/html" in html.headers["content-type"]
        parser = _Resources()
        parser.feed(html.text)
        urls = parser.urls + re.findall(r"""url:\s*'([^']+)'""", html.text)  # the spec
        assert any(u.endswith(".js") for u in urls) and any("openapi" in u for u in urls)
        seen: set[str] = set()
        while urls:
            url = urljoin(f"http://svc{page}", urls.pop())
            if url in seen:
                continue
            seen.add(url)
            assert urlsplit(url).netloc == "svc", f"{page} loads {url} from elsewhere"
            answer = await client.get(url)
            assert answer.status_code == 200, url
            if url.endswith(".css"):  # fonts and images a style sheet pulls in
                urls += [u for u in re.findall(r"url\(['\"]?([^'\")]+)", answer.text)
                         if not u.startswith("data:")]
        assert not re.search(r"https?://", html.text), f"{page} names an outside address"


async def test_the_rule_book_is_served_by_every_service(tmp_path):
    app = service_app("audit", tmp_path)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://svc") as client:
        answer = await client.get("/rules")
    assert answer.status_code == 200 and answer.headers["content-type"].startswith(
        "text/markdown")
    assert "### R-IN-3" in answer.text


def _rule_book_ids() -> set[str]:
    text = (ROOT / "docs" / "rules.md").read_text()
    return set(re.findall(r"^### (R-[A-Z]{2}-\d+) ", text, flags=re.MULTILINE))


def test_every_rule_id_cited_in_the_code_has_an_entry_in_the_rule_book():
    """The ids the API and the code cite resolve inside the repository (docs/rules.md)."""
    defined = _rule_book_ids()
    cited: dict[str, set[str]] = {}
    files = [*ROOT.glob("services/**/*.py"), *ROOT.glob("shared/**/*.py"),
             *ROOT.glob("tools/**/*.py"), *ROOT.glob("tests/**/*.py"),
             *ROOT.glob("docs/*.md"), ROOT / "README.md"]
    for path in files:
        for rule in RULE_ID.findall(path.read_text(errors="replace")):
            cited.setdefault(rule, set()).add(str(path.relative_to(ROOT)))
    missing = {rule: sorted(paths) for rule, paths in cited.items() if rule not in defined}
    assert not missing, f"rule ids without an entry in docs/rules.md: {missing}"
    assert len(defined) >= 50


def test_the_rule_book_has_each_rule_once_in_its_group():
    text = (ROOT / "docs" / "rules.md").read_text()
    headings = re.findall(r"^### (R-[A-Z]{2}-\d+) ", text, flags=re.MULTILINE)
    assert len(headings) == len(set(headings))
    groups = re.split(r"^## ", text, flags=re.MULTILINE)
    for group in groups:
        prefixes = {rule[:4] for rule in re.findall(r"^### (R-[A-Z]{2})-", group, re.MULTILINE)}
        assert len(prefixes) <= 1, prefixes
