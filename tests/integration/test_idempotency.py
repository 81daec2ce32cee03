"""Idempotency-Key on the POSTs that create something: a retry gets the first answer, never a
second effect; another request under the same key is refused; two at once create once (issue 6).

On SQLite and, with ASSIST_TEST_DATABASE_URL, on PostgreSQL.
"""

from __future__ import annotations

import asyncio
import importlib
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from services.intake.app import create_app
from shared.auth import Role
from shared.idempotency import HEADER, REPLAYED_HEADER, PendingAnswer
from shared.settings import SERVICE_NAMES, Settings
from tests.integration.test_intake_api import TOWNSHIP, application, id_number, member
from tests.support import (
    REGISTER_CHANGED,
    bearer,
    eventually,
    load_division_register,
    outbox_types,
    running,
)

SUBMITTED = "assist.intake.application_submitted"


@dataclass
class Intake:
    client: httpx.AsyncClient
    settings: Settings
    app: FastAPI

    def caseworker(self, user_id: str = "cw-1") -> dict[str, str]:
        return bearer(self.settings, Role.caseworker, [TOWNSHIP], user_id=user_id)

    async def submit(self, body: dict[str, Any], key: str | None, user_id: str = "cw-1"
                     ) -> httpx.Response:
        headers = self.caseworker(user_id) | ({HEADER: key} if key is not None else {})
        return await self.client.post("/api/v1/applications", json=body, headers=headers)

    async def applications(self) -> list[dict[str, Any]]:
        r = await self.client.get("/api/v1/applications", headers=bearer(
            self.settings, Role.county_officer, ["230722"]))
        assert r.status_code == 200, r.text
        return r.json()

    async def events(self, event_type: str = SUBMITTED) -> int:
        return sum(t == event_type for t in await outbox_types(self.app.state.kit))

    async def keys(self) -> int:
        kit = self.app.state.kit
        async with kit.sessions() as session:
            return int(await session.scalar(
                select(func.count()).select_from(kit.idempotency.table)) or 0)


@pytest.fixture
async def intake(make_settings) -> AsyncIterator[Intake]:
    settings = make_settings("intake")
    app = create_app(settings)
    async with running(app) as client:
        await load_division_register(client, settings)
        yield Intake(client, settings, app)


def key() -> str:
    return str(uuid.uuid4())


async def test_a_retry_with_the_same_key_gets_the_first_answer_and_creates_nothing(intake):
    k = key()
    first = await intake.submit(application(), k)
    assert first.status_code == 201, first.text
    assert REPLAYED_HEADER.lower() not in first.headers
    again = await intake.submit(application(), k)
    assert again.status_code == 201, again.text
    assert again.json() == first.json()
    assert again.headers["location"] == first.headers["location"]
    assert again.headers["content-type"] == first.headers["content-type"]
    assert again.headers[REPLAYED_HEADER.lower()] == "true"
    assert again.headers["x-request-id"] != first.headers["x-request-id"]  # its own request
    assert [a["id"] for a in await intake.applications()] == [first.json()["id"]]
    assert await intake.events() == 1
    assert await intake.keys() == 1


async def test_the_same_key_with_another_body_is_refused_and_changes_nothing(intake):
    k = key()
    first = await intake.submit(application(), k)
    assert first.status_code == 201, first.text
    other = application(household={"members": [member(id_number("19800808", "081"), "head")]})
    refused = await intake.submit(other, k)
    assert refused.status_code == 422, refused.text
    assert refused.headers["content-type"].startswith("application/problem+json")
    problem = refused.json()
    assert problem["type"] == "urn:assist:problem:idempotency-key-reused"
    assert [e["field"] for e in problem["errors"]] == [HEADER]
    assert len(await intake.applications()) == 1 and await intake.events() == 1
    # the same body on another path is another request too
    elsewhere = await intake.client.post(f"/api/v1/applications/{first.json()['id']}/materials",
                                         json={"materials": ["id_card"]},
                                         headers=intake.caseworker() | {HEADER: k})
    assert elsewhere.status_code == 422
    assert elsewhere.json()["type"] == "urn:assist:problem:idempotency-key-reused"


async def test_two_requests_with_one_key_at_once_create_once_and_both_get_its_answer(intake):
    k = key()
    answers = await asyncio.gather(*(intake.submit(application(), k) for _ in range(5)))
    assert [a.status_code for a in answers] == [201] * 5, [a.text for a in answers]
    assert len({a.json()["id"] for a in answers}) == 1
    assert sum(a.headers.get(REPLAYED_HEADER.lower()) == "true" for a in answers) == 4
    assert len(await intake.applications()) == 1 and await intake.events() == 1


async def test_a_second_request_arriving_while_the_first_is_uncommitted_waits_and_replays(
        intake, monkeypatch):
    """The first holds its transaction (effect and claim written, not committed) for 0.6 s;
    the second, sent meanwhile, waits for it (PostgreSQL: on the claimed row; SQLite: for the
    write lock) and then answers with the first's answer."""
    original = PendingAnswer.commit
    holding = asyncio.Event()

    async def slow_commit(self: PendingAnswer, *args: Any) -> None:
        holding.set()
        await asyncio.sleep(0.6)
        await original(self, *args)

    monkeypatch.setattr(PendingAnswer, "commit", slow_commit)
    k = key()
    first = asyncio.create_task(intake.submit(application(), k))
    await asyncio.wait_for(holding.wait(), 10)
    started = asyncio.get_running_loop().time()
    second = await intake.submit(application(), k)
    waited = asyncio.get_running_loop().time() - started
    assert (await first).status_code == 201
    assert second.status_code == 201, second.text
    assert second.headers[REPLAYED_HEADER.lower()] == "true"
    assert second.json() == (await first).json()
    assert waited > 0.3  # it did wait for the first's commit
    assert len(await intake.applications()) == 1 and await intake.events() == 1


async def test_keys_are_the_callers_own(intake):
    k = key()
    mine = await intake.submit(application(), k, user_id="cw-1")
    other = application(household={"members": [member(id_number("19800808", "081"), "head")]})
    theirs = await intake.submit(other, k, user_id="cw-2")
    assert (mine.status_code, theirs.status_code) == (201, 201), theirs.text
    assert mine.json()["id"] != theirs.json()["id"]
    assert REPLAYED_HEADER.lower() not in theirs.headers


async def test_a_refused_request_keeps_nothing_so_its_corrected_retry_runs(intake):
    k = key()
    refused = await intake.submit(application(division="230722100999"), k)
    assert refused.status_code == 422
    assert await intake.keys() == 0
    fixed = await intake.submit(application(), k)
    assert fixed.status_code == 201, fixed.text
    assert REPLAYED_HEADER.lower() not in fixed.headers


async def test_without_a_key_every_request_is_its_own(intake):
    first = await intake.submit(application(), None)
    assert first.status_code == 201
    second = await intake.submit(application(), None)
    assert second.status_code == 409  # R-IN-4 refuses the same household twice
    assert await intake.keys() == 0


@pytest.mark.parametrize("bad", ["", " x", "x" * 256, "naïve"])
async def test_a_malformed_key_is_422_naming_the_header_and_writes_nothing(intake, bad):
    r = await intake.client.post(
        "/api/v1/applications", json=application(),
        headers=intake.caseworker() | {HEADER: bad.encode("latin-1")})  # type: ignore[dict-item]
    assert r.status_code == 422, r.text
    assert HEADER in [e["field"] for e in r.json()["errors"]]
    assert await intake.applications() == [] and await intake.events() == 0


async def test_a_refusal_retried_is_answered_again_instead_of_409(intake):
    created = (await intake.submit(application(), key())).json()
    url = f"/api/v1/applications/{created['id']}/refusal"
    headers = bearer(intake.settings, Role.township_leader, [TOWNSHIP]) | {HEADER: key()}
    body = {"reason_code": "income_above_line", "reason": "收入超过标准"}
    first = await intake.client.post(url, json=body, headers=headers)
    again = await intake.client.post(url, json=body, headers=headers)
    assert (first.status_code, again.status_code) == (200, 200), again.text
    assert again.json() == first.json() and again.json()["status"] == "refused"
    plain = await intake.client.post(url, json=body, headers=headers | {HEADER: key()})
    assert plain.status_code == 409  # a new key: a new request, and it is refused now


async def test_a_commit_that_fails_answers_500_keeps_nothing_and_the_retry_runs(intake,
                                                                               monkeypatch):
    """The crash between the effect and its answer: nothing of either is kept."""
    original = PendingAnswer.commit

    async def fail(self: PendingAnswer, *args: Any) -> None:
        assert self.session is not None
        await self.session.rollback()  # as if the database went away at COMMIT
        await self.session.close()
        self.session = None
        raise ConnectionError("database gone")

    k = key()
    monkeypatch.setattr(PendingAnswer, "commit", fail)
    failed = await intake.submit(application(), k)
    assert failed.status_code == 500
    assert failed.headers["content-type"].startswith("application/problem+json")
    assert await intake.applications() == [] and await intake.keys() == 0
    monkeypatch.setattr(PendingAnswer, "commit", original)
    retried = await intake.submit(application(), k)
    assert retried.status_code == 201 and REPLAYED_HEADER.lower() not in retried.headers


async def test_expired_keys_are_used_afresh_and_swept(make_settings):
    settings = make_settings("intake", idempotency_ttl_h=1 / 3600)  # one second
    app = create_app(settings)
    async with running(app) as client:
        await load_division_register(client, settings)
        intake = Intake(client, settings, app)
        k = key()
        assert (await intake.submit(application(), k)).status_code == 201
        await asyncio.sleep(1.1)
        other = application(household={"members": [member(id_number("19800808", "081"),
                                                          "head")]})
        fresh = await intake.submit(other, k)
        assert fresh.status_code == 201, fresh.text
        assert REPLAYED_HEADER.lower() not in fresh.headers
        assert await intake.keys() == 1
        await asyncio.sleep(1.1)
        assert await app.state.kit.idempotency.sweep() == 1
        assert await intake.keys() == 0


async def test_the_register_load_honours_the_key(intake):
    headers = bearer(intake.settings, Role.county_officer, ["230722"]) | {HEADER: key()}
    body = {"entries": [{"code": "230722100301", "name": "新村"}]}
    first = await intake.client.post("/api/v1/divisions/load", json=body, headers=headers)
    again = await intake.client.post("/api/v1/divisions/load", json=body, headers=headers)
    assert first.status_code == again.status_code == 200, again.text
    assert again.json() == first.json() and first.json()["added"] == 1
    assert again.headers[REPLAYED_HEADER.lower()] == "true"

    async def registered() -> int:
        return await intake.events(REGISTER_CHANGED)

    assert await eventually(registered) == 2  # the fixture's load, and this one once


NOT_CREATING = {
    # Redrives create nothing, and are idempotent by themselves: an event already handled is
    # `already_handled` (docs/architecture.md, "Consumers").
    ("POST", "/api/v1/dead-letters/{letter_id}/redrive"),
    ("POST", "/api/v1/dead-letters/redrive"),
    # A scheduled job run by hand creates nothing its next scheduled run would not: a job acts
    # on what is due, so running it again finds nothing left (shared.scheduler).
    ("POST", "/api/v1/jobs/{name}/run"),
    # An upload (multipart) is archived once by its SHA-256: the same file again answers 200
    # with the record made the first time (services/verification/evidence).
    ("POST", "/api/v1/investigations/{investigation_id}/evidence"),
    # A calculation (public, no token) stores nothing: the same figures give the same answer
    # (services/approval/calculations).
    ("POST", "/api/v1/calculations"),
    # The village page's public objection form takes no token, so no caller to scope a key to:
    # its own signed one-time form token makes the same form, sent twice, one objection with
    # one receipt (services/approval/notices/public.py).
    ("POST", "/public/villages/{village_code}/objections"),
    # Reads of the log that take a POST body so that an ID number or a purpose never travels
    # in a URL (services/audit/inspection): the search by person creates nothing, and a full
    # read creates only its record in log_access, which a repeat should add again (each read
    # is a read).
    ("POST", "/api/v1/audit/people/entries"),
    ("POST", "/api/v1/audit/entries/{seq}/full"),
    # The same for disbursement's one-card register (the ID number in the body; finance's full
    # read of an account number, each read logged) and complaints' full reads of a contact.
    ("POST", "/api/v1/bank-accounts/search"),
    ("POST", "/api/v1/bank-accounts/{account_id}/full"),
    ("POST", "/api/v1/complaints/{complaint_id}/contact"),
    ("POST", "/api/v1/hotline-calls/{call_id}/caller"),
    # The public complaint takes no token, so no caller to scope a key to: the same form sent
    # again within 10 minutes files nothing new (services/complaints/complaints/public.py); the
    # follow-up is a read whose tracking number and check code travel in the body, not the URL.
    ("POST", "/public/complaints"),
    ("POST", "/public/complaints/form"),
    ("POST", "/public/complaints/status"),
    ("POST", "/public/complaints/follow"),
}


@pytest.mark.parametrize("service", SERVICE_NAMES)
def test_every_post_that_creates_documents_idempotency_key(service):
    app = importlib.import_module(f"services.{service}.app").create_app(
        Settings(service=service, jwt_secret="x" * 40))
    for path, operations in app.openapi()["paths"].items():
        for method, operation in operations.items():
            if method != "post" or ("POST", path) in NOT_CREATING:
                continue
            [header] = [p for p in operation.get("parameters", []) if p["name"] == HEADER]
            assert header["in"] == "header" and not header.get("required")
            assert "first answer" in header["description"], (path, header)
            assert header["schema"]["anyOf"][0]["maxLength"] == 255
