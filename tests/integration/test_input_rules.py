"""The input rules at the HTTP edge of every service (issue 6): text refused naming the field
and nothing written, text stored normalised, strict booleans, bounded paging, keyset cursors."""

from __future__ import annotations

import importlib
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from services.audit.access.service import append_access
from services.complaints.case_links.models import CaseReference
from services.disbursement.beneficiaries.models import Payee
from services.intake.households.models import Member
from services.verification.investigations.models import Investigation
from shared.auth import Role
from shared.inputs import NEXT_CURSOR_HEADER
from shared.problems import PROBLEM_JSON
from tests.integration.test_audit_log import event, log_events
from tests.integration.test_intake_api import HEAD, SPOUSE, application, member
from tests.support import bearer, domain_event_count, load_division_register, running

T0 = datetime(2026, 11, 1, tzinfo=UTC)
COUNTY = "230722"
VILLAGE = "230722100201"

LISTS = {  # service: (list path, a role that may read it)
    "intake": ("/api/v1/applications", Role.county_officer),
    "verification": ("/api/v1/investigations", Role.county_officer),
    "approval": ("/api/v1/cases", Role.county_officer),
    "disbursement": ("/api/v1/payees", Role.county_officer),
    "complaints": ("/api/v1/case-references", Role.county_officer),
    "audit": ("/api/v1/audit/entries", Role.auditor),
    "audit-access": ("/api/v1/audit/access", Role.auditor),
}


async def start(make_settings, service: str, stack) -> tuple[httpx.AsyncClient, Any, Any]:
    settings = make_settings(service)
    app = importlib.import_module(f"services.{service}.app").create_app(settings)
    client = await stack.enter_async_context(running(app))
    return client, settings, app


def assert_422_naming(r: httpx.Response, field: str) -> dict:
    assert r.status_code == 422, r.text
    assert r.headers["content-type"] == PROBLEM_JSON
    problem = r.json()
    assert field in {e["field"] for e in problem["errors"]}, problem
    return problem


# ---- text ---------------------------------------------------------------------------------

@pytest.fixture
async def intake(make_settings):
    from contextlib import AsyncExitStack

    async with AsyncExitStack() as stack:
        client, settings, app = await start(make_settings, "intake", stack)
        await load_division_register(client, settings)
        app.state.register_events = await domain_event_count(app.state.kit)
        yield client, settings, app


async def written(app) -> int:
    """Domain events the test's requests wrote (the fixture's register load aside)."""
    return await domain_event_count(app.state.kit) - app.state.register_events


BAD_NAMES = {
    "NUL": "张\x00三",
    "newline": "张三\n李四",
    "ANSI escape": "\x1b[2J\x1b[31m张三",
    "right-to-left override": "张三\u202egpj.exe",
    "only zero-width spaces": "\u200b\u200b\u200b",
}


@pytest.mark.parametrize("what", BAD_NAMES)
async def test_names_with_control_bidi_or_invisible_characters_are_422_and_write_nothing(
        intake, what):
    client, settings, app = intake
    headers = bearer(settings, Role.caseworker, ["230722100"])
    body = application(household={"address": "朝阳镇东风村3组", "members": [
        member(HEAD, "head"), member(SPOUSE, "spouse", BAD_NAMES[what])]})
    r = await client.post("/api/v1/applications", json=body, headers=headers)
    problem = assert_422_naming(r, "household.members.1.name")
    assert problem["errors"][0]["code"].startswith("text_")
    address = application(household={"address": BAD_NAMES[what],
                                      "members": [member(HEAD, "head")]})
    r = await client.post("/api/v1/applications", json=address, headers=headers)
    assert_422_naming(r, "household.address")
    assert await written(app) == 0
    async with app.state.kit.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Member)) == 0


@pytest.mark.parametrize("value", ["yes", 1, "true", 0, None])
async def test_is_student_is_a_strict_boolean(intake, value):
    client, settings, app = intake
    headers = bearer(settings, Role.caseworker, ["230722100"])
    body = application(household={"members": [
        member(HEAD, "head"), member(SPOUSE, "spouse", "李四", is_student=value)]})
    r = await client.post("/api/v1/applications", json=body, headers=headers)
    assert_422_naming(r, "household.members.1.is_student")
    assert await written(app) == 0


async def test_text_is_stored_nfc_normalised_and_trimmed(intake):
    client, settings, app = intake
    headers = bearer(settings, Role.caseworker, ["230722100"])
    body = application(household={"address": "\u3000朝阳镇东风村3组 ", "members": [
        member(HEAD, "head", " 阿依古丽·买买提\u3000"), member(SPOUSE, "spouse", "Jose\u0301")]})
    r = await client.post("/api/v1/applications", json=body, headers=headers)
    assert r.status_code == 201, r.text
    household = r.json()["household"]
    assert household["address"] == "朝阳镇东风村3组"
    assert [m["name"] for m in household["members"]] == ["阿依古丽·买买提", "Jos\u00e9"]
    async with app.state.kit.sessions() as session:
        names = set((await session.scalars(select(Member.name))).all())
    assert names == {"阿依古丽·买买提", "Jos\u00e9"}  # stored composed: one code point

    refusal = {"reason_code": "not_resident", "reason": "户籍不在本乡镇\r\n且未在本地居住\x00"}
    application_id = r.json()["id"]
    path = f"/api/v1/applications/{application_id}/refusal"
    assert_422_naming(await client.post(path, json=refusal, headers=headers), "reason")
    refusal |= {"reason": " 户籍不在本乡镇\r\n且未在本地居住 "}
    r = await client.post(path, json=refusal, headers=headers)
    assert r.status_code == 200, r.text
    assert r.json()["refusal"]["reason"] == "户籍不在本乡镇\n且未在本地居住"
    bad_code = {"reason_code": "Not Resident", "reason": "理由"}
    assert_422_naming(await client.post(path, json=bad_code, headers=headers), "reason_code")


async def test_a_malformed_id_in_a_path_is_422_a_well_formed_unknown_one_404(intake):
    client, settings, app = intake
    headers = bearer(settings, Role.county_officer, [COUNTY])
    r = await client.get("/api/v1/applications/%00", headers=headers)
    assert_422_naming(r, "application_id")
    r = await client.get("/api/v1/applications/" + "a" * 65, headers=headers)
    assert_422_naming(r, "application_id")
    r = await client.get("/api/v1/applications/0123abcd", headers=headers)
    assert r.status_code == 404


# ---- paging -------------------------------------------------------------------------------

@pytest.mark.parametrize("name", LISTS)
async def test_every_list_refuses_paging_out_of_bounds_with_422(make_settings, name):
    """?offset=9223372036854775808 was a 500 (OverflowError); ?limit and ?cursor too."""
    from contextlib import AsyncExitStack

    service = name.split("-")[0]
    path, role = LISTS[name]
    async with AsyncExitStack() as stack:
        client, settings, app = await start(make_settings, service, stack)
        headers = bearer(settings, role, [COUNTY])
        for params, field in [
            ({"offset": "9223372036854775808"}, "offset"), ({"offset": "10001"}, "offset"),
            ({"offset": "-1"}, "offset"), ({"limit": "0"}, "limit"),
            ({"limit": "99999999999999999999"}, "limit"), ({"cursor": "%%%"}, "cursor"),
            ({"cursor": "bm90LWEtY3Vyc29y"}, "cursor"), ({"cursor": "x" * 513}, "cursor"),
            ({"cursor": "WyJ4Il0", "offset": "5"}, "offset"),
        ]:
            r = await client.get(path, params=params, headers=headers)
            assert_422_naming(r, field)
        r = await client.get(path, params={"offset": "10000", "limit": "1"}, headers=headers)
        assert r.status_code == 200 and r.json() == [] and NEXT_CURSOR_HEADER not in r.headers


async def walk(client: httpx.AsyncClient, path: str, headers: dict, limit: int,
               **filters: str) -> list[dict]:
    """Every row of a list, page by page, following the next cursor (and its Link)."""
    rows: list[dict] = []
    params: dict[str, Any] = {"limit": limit, **filters}
    for _ in range(10_000):
        r = await client.get(path, params=params, headers=headers)
        assert r.status_code == 200, r.text
        page = r.json()
        rows += page
        cursor = r.headers.get(NEXT_CURSOR_HEADER)
        if cursor is None:
            assert "link" not in r.headers and len(page) <= limit
            return rows
        assert len(page) == limit
        link = httpx.URL(r.headers["link"].removeprefix("<").removesuffix('>; rel="next"'))
        assert link.path == path and link.params["cursor"] == cursor
        assert dict(link.params) == {k: str(v) for k, v in params.items()} | {"cursor": cursor}
        params = dict(link.params)
    raise AssertionError("the walk did not end")


async def test_cursors_walk_1200_investigations_exactly_once_in_order(make_settings):
    from contextlib import AsyncExitStack

    async with AsyncExitStack() as stack:
        client, settings, app = await start(make_settings, "verification", stack)
        rows = [Investigation(
            id=f"{i:032x}", application_id=f"a{i:031x}", application_number=f"SQ-{i}",
            program="dibao", division=VILLAGE, household_size=1,
            status="open" if i % 2 else "completed", accepted_on=date(2026, 11, 1),
            review_due_on=date(2026, 11, 30), review_due_provisional=False,
            opened_at=T0 + timedelta(seconds=i // 4),  # four share each time: ties
        ) for i in range(1200)]
        async with app.state.kit.unit_of_work() as session:
            session.add_all(rows)
        newest_first = [r.id for r in sorted(rows, key=lambda r: (r.opened_at, r.id),
                                             reverse=True)]
        headers = bearer(settings, Role.county_officer, [COUNTY])
        seen = [r["id"] for r in await walk(client, "/api/v1/investigations", headers, 100)]
        assert seen == newest_first and len(set(seen)) == 1200
        seen = [r["id"] for r in await walk(client, "/api/v1/investigations", headers, 500,
                                            status="open")]
        assert seen == [i for i in newest_first if int(i, 16) % 2]  # filters stay in the Link

        # rows added during a walk neither repeat nor push others out
        first = await client.get("/api/v1/investigations", params={"limit": 300},
                                 headers=headers)
        async with app.state.kit.unit_of_work() as session:
            session.add(Investigation(**{c: getattr(rows[0], c) for c in (
                "program", "division", "household_size", "status", "accepted_on",
                "review_due_on", "review_due_provisional")}, id="f" * 32,
                application_id="b" * 32, application_number="SQ-new",
                opened_at=T0 + timedelta(days=1)))
        rest = await walk(client, "/api/v1/investigations", headers, 500,
                          cursor=first.headers[NEXT_CURSOR_HEADER])
        assert [r["id"] for r in first.json() + rest] == newest_first

        # a cursor of another list, or tampered with, is refused naming it
        cursor = first.headers[NEXT_CURSOR_HEADER]
        for bad in (cursor[:-3], cursor[:10] + "A" + cursor[11:], "e30"):
            if bad != cursor:
                r = await client.get("/api/v1/investigations", params={"cursor": bad},
                                     headers=headers)
                assert_422_naming(r, "cursor")


async def test_cursors_walk_every_other_list(make_settings):
    """Each list's order, ties and directions (complaints: newest activity first, then id)."""
    from contextlib import AsyncExitStack

    async with AsyncExitStack() as stack:
        officer = Role.county_officer

        client, settings, app = await start(make_settings, "complaints", stack)
        refs = [CaseReference(id=f"{i:032x}", service="intake", record_id=f"rec-{i}",
                              division=VILLAGE, application_id=None, application_number=None,
                              program="dibao", last_event_type="x", last_event_id=f"e{i}",
                              event_count=1, first_seen=T0,
                              last_seen=T0 + timedelta(minutes=i // 3)) for i in range(11)]
        async with app.state.kit.unit_of_work() as session:
            session.add_all(refs)
        expected = [r.id for r in sorted(refs, key=lambda r: r.id)]
        expected = [r.id for r in sorted(sorted(refs, key=lambda r: r.id),
                                         key=lambda r: r.last_seen, reverse=True)]
        got = await walk(client, "/api/v1/case-references", bearer(settings, officer, [COUNTY]), 2)
        assert [r["id"] for r in got] == expected

        client, settings, app = await start(make_settings, "disbursement", stack)
        payees = [Payee(id=f"{i:032x}", beneficiary_id=f"b{i:031x}", application_id=f"a{i}",
                        program="dibao", unit="household", name_masked="张*", division=VILLAGE,
                        payment="monthly", amount_fen=50000, amount_from="2026-12",
                        start_month="2026-12", stopped_from=None, status="active",
                        last_event_id=f"e{i}", last_event_type="x",
                        created_at=T0 + timedelta(minutes=i // 2),
                        updated_at=T0) for i in range(7)]
        async with app.state.kit.unit_of_work() as session:
            session.add_all(payees)
        got = await walk(client, "/api/v1/payees", bearer(settings, officer, [COUNTY]), 3)
        assert [r["id"] for r in got] == [p.id for p in payees]

        client, settings, app = await start(make_settings, "audit", stack)
        await log_events(app, *(event(n, division="230722100001", minutes=n)
                                 for n in range(1, 8)))
        auditor = bearer(settings, Role.auditor, ["230700"])
        got = await walk(client, "/api/v1/audit/entries", auditor, 3,
                         type="assist.intake.something_happened")
        seqs = [e["seq"] for e in got]
        assert len(seqs) == 7 and seqs == sorted(seqs)  # chain order
        assert [e["data"]["n"] for e in got] == list(range(1, 8))
        async with app.state.kit.unit_of_work() as session:
            for i in range(5):
                await append_access(session, at=T0, user_id=f"u{i}", role="auditor",
                                    division=None, method="GET", path="/", route="/", query="",
                                    status=200, subject="/", request_id=None,
                                    source_address=None)
        got = await walk(client, "/api/v1/audit/access", auditor, 2, user="u3")
        assert [a["user_id"] for a in got] == ["u3"]
        got = [a["id"] for a in await walk(client, "/api/v1/audit/access", auditor, 2)]
        assert got == sorted(got, reverse=True) and len(got) >= 5  # newest first

        client, settings, app = await start(make_settings, "intake", stack)
        await load_division_register(client, settings)
        caseworker = bearer(settings, Role.caseworker, ["230722100"])
        numbers = []
        for n in range(5):
            head = f"23072219600101{n:02d}1"
            from shared.idcard import check_character

            body = application(household={"members": [
                member(head + check_character(head), "head")]})
            r = await client.post("/api/v1/applications", json=body, headers=caseworker)
            assert r.status_code == 201, r.text
            numbers.append(r.json()["number"])
        got = await walk(client, "/api/v1/applications", bearer(settings, officer, [COUNTY]), 2)
        assert [a["number"] for a in got] == numbers[::-1]  # newest first


def test_every_list_documents_its_paging(tmp_path):
    from shared.settings import Settings

    for name, (path, _) in LISTS.items():
        service = name.split("-")[0]
        module = importlib.import_module(f"services.{service}.app")
        spec = module.create_app(Settings(service=service, data_dir=tmp_path)).openapi()
        operation = spec["paths"][path]["get"]
        params = {p["name"]: p for p in operation["parameters"]}
        assert {"limit", "offset", "cursor"} <= set(params), path
        assert params["offset"]["schema"]["maximum"] == 10_000
        assert NEXT_CURSOR_HEADER in operation["responses"]["200"]["headers"], path


async def test_filters_of_lists_are_checked_like_any_input(make_settings):
    """A NUL in a filter was a 500 on PostgreSQL; a time far out of range an OverflowError."""
    from contextlib import AsyncExitStack

    async with AsyncExitStack() as stack:
        client, settings, app = await start(make_settings, "audit", stack)
        auditor = bearer(settings, Role.auditor, ["230700"])
        for params, field in [({"record_id": "\x00"}, "record_id"), ({"user": "a\x00"}, "user"),
                              ({"correlation_id": "\u202e"}, "correlation_id"),
                              ({"type": "Assist Intake"}, "type"),
                              ({"since": "9999-12-31T23:00:00-05:00"}, "since"),
                              ({"until": "0001-01-01T00:00:00+01:00"}, "until"),
                              ({"since": "2026-01-01T00:00:00"}, "since")]:
            r = await client.get("/api/v1/audit/entries", params=params, headers=auditor)
            assert_422_naming(r, field)
        r = await client.get("/api/v1/audit/records/%00", headers=auditor)
        assert_422_naming(r, "record_id")
        client, settings, app = await start(make_settings, "intake", stack)
        officer = bearer(settings, Role.county_officer, [COUNTY])
        r = await client.get("/api/v1/applications", params={"number": "SQ\x00"},
                             headers=officer)
        assert_422_naming(r, "number")
