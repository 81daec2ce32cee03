"""Verification alone, on its real database and NATS: evidence files (limits, store, download
logged), doubts and the review period, work lists with their filters and cursors, jurisdiction
(R-VE-1, R-VE-5, R-SE-1, R-AU-1)."""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections.abc import AsyncIterator
from datetime import date, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from services.verification.app import create_app
from services.verification.checks.models import CheckSubject
from services.verification.investigations import service
from services.verification.investigations.models import HouseholdMember, Investigation
from shared.contracts.intake import MemberIdentified
from tests.events import accepted
from tests.investigations import (
    ALICE,
    BOB,
    CAROL,
    OTHER_TOWNSHIP,
    VILLAGE,
    now,
    png,
    ready_to_complete,
    resident_id,
    staff,
    team,
    upload,
)
from tests.support import bearer, running

MiB = 1024 * 1024


@pytest.fixture
async def verification(make_settings) -> AsyncIterator[httpx.AsyncClient]:
    settings = make_settings("verification", max_body_bytes=4096, max_upload_bytes=64 * 1024)
    app = create_app(settings)
    async with running(app) as client:
        client.app = app  # type: ignore[attr-defined]
        yield client


def kit_of(client: httpx.AsyncClient) -> Any:
    return client.app.state.kit  # type: ignore[attr-defined]


async def open_one(client: httpx.AsyncClient, *, division: str = VILLAGE,
                   review_due_on: date | None = None, number: int = 1) -> str:
    """An investigation as an accepted application opens it (the handler's service call)."""
    members = [MemberIdentified(
        member_id=f"m{number}-{i}", name=name, id_number=resident_id(birth, f"{number:02d}{i}"),
        relationship=rel, living_status="at_home", is_student=False, counted=True,
        birth_date=date(int(birth[:4]), int(birth[4:6]), int(birth[6:])),
        sex="male" if i == 1 else "female")
        for i, (name, birth, rel) in enumerate([("王大山", "19580312", "head"),
                                                ("李秀英", "19600102", "spouse")], start=1)]
    async with kit_of(client).unit_of_work() as session:
        investigation = await service.open_investigation(
            session, application_id=f"app{number}", application_number=f"SQ-{number}",
            program="dibao", division=division, household_size=2,
            accepted_on=date.today() - timedelta(days=30),
            review_due_on=review_due_on or date.today() + timedelta(days=10),
            review_due_provisional=False, members=members)
    return investigation.id


async def outbox(client: httpx.AsyncClient) -> list[tuple[str, dict[str, Any]]]:
    kit = kit_of(client)
    async with kit.sessions() as session:
        rows = (await session.execute(select(kit.outbox.c.event_type, kit.outbox.c.payload)
                                      .order_by(kit.outbox.c.id))).all()
    return [(t.rsplit(".", 1)[1], json.loads(p)) for t, p in rows]


# --- evidence files ----------------------------------------------------------------------------


async def test_evidence_is_stored_under_its_sha256_and_recorded_in_the_event(verification):
    """Issue 7: the file under <data_dir>/evidence/verification, its SHA-256, size and type in
    evidence_uploaded; the same file again is the same record (a retry archives it once)."""
    iid = await open_one(verification)
    alice = staff(kit_of(verification).settings, ALICE)
    content = png(size=20_000)  # past the 4 KiB of other bodies: the upload route's own limit
    r = await upload(verification, iid, alice, content, name="../../etc/入户照片.png")
    assert r.status_code == 201, r.text
    record = r.json()
    digest = hashlib.sha256(content).hexdigest()
    assert (record["sha256"], record["size_bytes"], record["media_type"]) == (
        digest, len(content), "image/png")
    assert record["filename"] == "入户照片.png"  # no folders
    settings = kit_of(verification).settings
    stored = settings.data_dir / "evidence" / "verification" / digest[:2] / digest
    assert stored.read_bytes() == content
    [(_, event)] = [e for e in await outbox(verification) if e[0] == "evidence_uploaded"]
    assert event["data"]["sha256"] == digest and event["data"]["size_bytes"] == len(content)
    again = await upload(verification, iid, alice, content)
    assert again.status_code == 200 and again.json()["id"] == record["id"]
    assert len([e for e in await outbox(verification) if e[0] == "evidence_uploaded"]) == 1

    r = await verification.get(f"/api/v1/evidence/{record['id']}/content", headers=alice)
    assert r.status_code == 200 and r.content == content
    assert r.headers["content-type"] == "image/png"
    assert r.headers["cache-control"] == "no-store"
    assert "sha-256=:" in r.headers["repr-digest"]
    # R-AU-1, R-SE-2: the download is a logged read of personal data
    reads = [e for t, e in await outbox(verification) if t == "operation_recorded"
             and e["data"]["route"] == "/api/v1/evidence/{evidence_id}/content"]
    assert [(e["data"]["subject"], e["actor"]["user_id"]) for e in reads] == [
        (record["id"], "cw-wang")]
    auditor = bearer(settings, "auditor", ["230700"])
    r = await verification.get(f"/api/v1/evidence/{record['id']}/content", headers=auditor)
    assert r.status_code == 403  # the log's readers see the record, not the file
    r = await verification.get(f"/api/v1/evidence/{record['id']}", headers=auditor)
    assert r.status_code == 200

    stored.write_bytes(content[:-1] + b"!")  # damaged on disk
    r = await verification.get(f"/api/v1/evidence/{record['id']}/content", headers=alice)
    assert r.status_code == 500 and r.json()["type"].endswith("evidence-damaged")


async def test_evidence_limits_give_clear_problems(verification):
    """413 past ASSIST_MAX_UPLOAD_BYTES (before reading when announced), 415 for another
    type, 422 for an empty file or bytes of another type; nothing recorded."""
    iid = await open_one(verification)
    alice = staff(kit_of(verification).settings, ALICE)
    r = await upload(verification, iid, alice, png(size=70 * 1024))
    assert r.status_code == 413 and r.headers["content-type"] == "application/problem+json"
    assert r.json()["max_bytes"] == 64 * 1024
    r = await upload(verification, iid, alice, b"hello", media_type="text/plain", name="a.txt")
    assert r.status_code == 415 and "image/png" in r.json()["accepted"]
    r = await upload(verification, iid, alice, b"%PDF-1.4 not a picture")
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "file"
    r = await upload(verification, iid, alice, b"")
    assert r.status_code == 422
    r = await upload(verification, iid, alice, b"%PDF-1.7\n...", media_type="application/pdf",
                     name="letter.pdf", kind="letter")
    assert r.status_code == 201
    assert [t for t, _ in await outbox(verification) if t == "evidence_uploaded"] == [
        "evidence_uploaded"]
    # announced too large: refused before a byte is read or the token looked at
    r = await verification.post(f"/api/v1/investigations/{iid}/evidence",
                                headers={"Content-Length": str(65 * 1024),
                                         "Content-Type": "multipart/form-data; boundary=x"},
                                content=b"")
    assert r.status_code == 413
    # the upload route's limit is its own: another body past 4 KiB is still refused
    r = await verification.put(f"/api/v1/investigations/{iid}/form", headers=alice,
                               content=b"{" + b" " * 5000 + b"}",
                               )
    assert r.status_code == 413 and r.json()["max_bytes"] == 4096


async def test_body_limit_of_a_chunked_upload_is_its_route_limit(verification):
    """A body without a length is counted against its route's limit as it is read."""
    iid = await open_one(verification)
    alice = staff(kit_of(verification).settings, ALICE)
    request = verification.build_request(
        "POST", f"/api/v1/investigations/{iid}/evidence", headers=alice,
        files={"file": ("p.png", png(size=20_000), "image/png")}, data={"kind": "photo"})
    body = request.read()

    async def chunked():
        for i in range(0, len(body), 1000):
            yield body[i:i + 1000]

    headers = {k: v for k, v in request.headers.items() if k.lower() != "content-length"}
    r = await verification.post(request.url.path, headers=headers, content=chunked())
    assert r.status_code == 201, r.text
    big_request = verification.build_request(
        "POST", f"/api/v1/investigations/{iid}/evidence", headers=alice,
        files={"file": ("p.png", png(size=80_000, seed=3), "image/png")},
        data={"kind": "photo"})
    big = big_request.read()
    headers = {k: v for k, v in big_request.headers.items() if k.lower() != "content-length"}

    async def chunked_big():
        for i in range(0, len(big), 4000):
            yield big[i:i + 4000]

    r = await verification.post(request.url.path, headers=headers, content=chunked_big())
    assert r.status_code == 413


# --- doubts and the review period --------------------------------------------------------------


async def test_a_doubt_put_after_the_review_period_needs_the_reason(verification):
    """R-VE-5: a doubt is put to the applicant within the review period; later it is refused
    unless the reason is recorded, and then it is marked late."""
    iid = await open_one(verification, review_due_on=date.today() - timedelta(days=1))
    alice = staff(kit_of(verification).settings, ALICE)
    r = await verification.post(f"/api/v1/investigations/{iid}/doubts", headers=alice,
                                json={"item": "存款", "description": "银行存款与申报不符"})
    doubt = r.json()
    assert doubt["overdue"] is True and doubt["source"] == "manual"
    r = await verification.post(f"/api/v1/doubts/{doubt['id']}/put", headers=alice,
                                json={"put_at": now(), "method": "phone"})
    assert r.status_code == 422 and r.json()["rule"] == "R-VE-5", r.text
    r = await verification.post(f"/api/v1/doubts/{doubt['id']}/put", headers=alice, json={
        "put_at": now(), "method": "phone", "late_reason": "申请人外出务工, 昨日方联系上"})
    assert r.status_code == 200 and r.json()["late_reason"]
    [(_, put)] = [e for e in await outbox(verification) if e[0] == "doubt_put_to_applicant"]
    assert put["data"]["late"] is True
    r = await verification.get("/api/v1/doubts", params={"overdue": "true"}, headers=alice)
    assert [d["id"] for d in r.json()] == [doubt["id"]]
    future = {"put_at": "2099-01-01T00:00:00+08:00", "method": "phone"}
    r = await verification.post(f"/api/v1/doubts/{doubt['id']}/put", headers=alice, json=future)
    assert r.status_code == 409  # put already


async def test_a_substantiated_doubt_names_its_effect(verification):
    """R-VE-5: substantiated changes income (with the monthly change), assets or eligibility;
    unsubstantiated changes nothing."""
    iid = await open_one(verification)
    alice = staff(kit_of(verification).settings, ALICE)
    r = await verification.post(f"/api/v1/investigations/{iid}/doubts", headers=alice,
                                json={"item": "房产", "description": "县城另有住房一套"})
    did = r.json()["id"]
    await verification.post(f"/api/v1/doubts/{did}/put", headers=alice,
                            json={"put_at": now(), "method": "in_person"})
    for body, field in [({"effect": "none"}, "effect"),
                        ({"effect": "income"}, "income_delta_fen"),
                        ({"effect": "assets", "income_delta_fen": 100}, "income_delta_fen")]:
        r = await verification.post(f"/api/v1/doubts/{did}/resolve", headers=alice, json={
            "outcome": "substantiated", "finding": "属实"} | body)
        assert r.status_code == 422 and r.json()["errors"][0]["field"] == field, body
    r = await verification.post(f"/api/v1/doubts/{did}/resolve", headers=alice, json={
        "outcome": "substantiated", "finding": "县城住房属实, 超过资产限额",
        "effect": "eligibility"})
    assert r.status_code == 200 and r.json()["effect"] == "eligibility"


# --- the team, jurisdiction, work lists --------------------------------------------------------


async def test_only_township_staff_of_the_township_work_and_the_county_reads(verification):
    """R-VE-1, R-SE-1: caseworkers of another township neither see nor change it; a county
    officer sees the county's but records nothing; a village assistant sees none."""
    iid = await open_one(verification)
    settings = kit_of(verification).settings
    stranger = staff(settings, ("cw-other", "外乡人", "caseworker"), [OTHER_TOWNSHIP])
    r = await verification.get(f"/api/v1/investigations/{iid}", headers=stranger)
    assert r.status_code == 404  # R-SE-1: another division's record is not confirmed
    r = await verification.put(f"/api/v1/investigations/{iid}/investigators",
                               json=team(ALICE, BOB), headers=stranger)
    assert r.status_code == 404  # R-SE-1: another division's record is not confirmed
    assert (await verification.get("/api/v1/investigations", headers=stranger)).json() == []
    officer = bearer(settings, "county_officer", ["230722"])
    assert [i["id"] for i in (await verification.get("/api/v1/investigations",
                                                     headers=officer)).json()] == [iid]
    r = await verification.put(f"/api/v1/investigations/{iid}/investigators",
                               json=team(ALICE, BOB), headers=officer)
    assert r.status_code == 403
    assistant = bearer(settings, "village_assistant", [VILLAGE])
    assert (await verification.get("/api/v1/investigations", headers=assistant)).status_code \
        == 403
    # the same person twice is not a pair
    r = await verification.put(f"/api/v1/investigations/{iid}/investigators",
                               json=team(ALICE, ALICE), headers=staff(settings, ALICE))
    assert r.status_code == 422 and r.json()["rule"] == "R-VE-1"


async def test_work_lists_filter_and_walk_by_cursor(verification):
    """Lists filter by status, division, program, dates and overdue, and page by cursors."""
    alice = staff(kit_of(verification).settings, ALICE)
    late = await open_one(verification, review_due_on=date.today() - timedelta(days=1),
                          number=1)
    ids = [late] + [await open_one(verification, number=n) for n in range(2, 6)]
    r = await verification.get("/api/v1/investigations", params={"overdue": "true"},
                               headers=alice)
    assert [i["id"] for i in r.json()] == [late] and r.json()[0]["overdue"] is True
    r = await verification.get("/api/v1/investigations", params={"overdue": "false"},
                               headers=alice)
    assert len(r.json()) == 4
    seen: list[str] = []
    params: dict[str, Any] = {"limit": 2, "division": "230722100", "program": "dibao",
                              "opened_from": date.today().isoformat()}
    while True:
        r = await verification.get("/api/v1/investigations", params=params, headers=alice)
        seen += [i["id"] for i in r.json()]
        if "x-next-cursor" not in r.headers:
            break
        params["cursor"] = r.headers["x-next-cursor"]
    assert sorted(seen) == sorted(ids) and len(seen) == 5
    r = await verification.get("/api/v1/investigations",
                               params={"opened_to": (date.today() - timedelta(days=1))
                                       .isoformat()}, headers=alice)
    assert r.json() == []
    await verification.put(f"/api/v1/investigations/{ids[1]}/investigators",
                           json=team(ALICE, CAROL), headers=alice)
    r = await verification.get("/api/v1/investigations", params={"investigator": "cw-sun"},
                               headers=alice)
    assert [i["id"] for i in r.json()] == [ids[1]]
    for n, iid in enumerate(ids):
        r = await verification.post(f"/api/v1/investigations/{iid}/letters", headers=alice,
                                    json={"addressee": f"单位{n}", "asked": "收入证明",
                                          "sent_on": (date.today() - timedelta(days=n))
                                          .isoformat()})
        assert r.status_code == 201, r.text
    r = await verification.get("/api/v1/letters", params={"outstanding": "true", "limit": 3},
                               headers=alice)
    assert [x["addressee"] for x in r.json()] == ["单位4", "单位3", "单位2"]  # longest first
    r = await verification.get("/api/v1/letters", params={
        "outstanding": "true", "cursor": r.headers["x-next-cursor"], "limit": 3}, headers=alice)
    assert [x["addressee"] for x in r.json()] == ["单位1", "单位0"]
    r = await verification.get("/api/v1/letters", params={"overdue": "true"}, headers=alice)
    assert [x["investigation_id"] for x in r.json()] == [late] and r.json()[0]["overdue"]
    r = await verification.get("/api/v1/letters", params={"sent_from": date.today().isoformat()},
                               headers=alice)
    assert [x["addressee"] for x in r.json()] == ["单位0"]


async def test_two_completions_at_once_complete_once(verification):
    """R-VE-1: the investigation completes once, its result published once, however many ask
    at the same moment (the investigation's row is locked while work is recorded on it)."""
    iid = await open_one(verification)
    settings = kit_of(verification).settings
    await ready_to_complete(verification, iid, settings)
    alice, bob = staff(settings, ALICE), staff(settings, BOB)
    answers = await asyncio.gather(*(
        verification.post(f"/api/v1/investigations/{iid}/complete", headers=who,
                          json={"findings": f"属实 {n}"})
        for n, who in enumerate([alice, bob, alice, bob])))
    assert sorted(a.status_code for a in answers) == [200, 409, 409, 409]
    completed = [e for t, e in await outbox(verification) if t == "investigation_completed"]
    assert len(completed) == 1
    assert completed[0]["data"]["monthly_income_fen"] == 80000 + 30000
    assert [i["user_id"] for i in completed[0]["data"]["investigators"]] == ["cw-wang",
                                                                              "tl-zhao"]


async def test_a_retried_post_with_its_key_records_once(verification):
    """Idempotency-Key on the POSTs that record work: the retry gets the first answer."""
    iid = await open_one(verification)
    settings = kit_of(verification).settings
    alice = staff(settings, ALICE)
    await verification.put(f"/api/v1/investigations/{iid}/investigators",
                           json=team(ALICE, BOB), headers=alice)
    visit = {"visited_at": now(), "neighbour_name": "张婶", "neighbour_relation": "邻居",
             "statement": "常见他去镇上打工"}
    keyed = alice | {"Idempotency-Key": "visit-7f3c"}
    first = await verification.post(f"/api/v1/investigations/{iid}/visits", json=visit,
                                    headers=keyed)
    again = await verification.post(f"/api/v1/investigations/{iid}/visits", json=visit,
                                    headers=keyed)
    assert first.status_code == again.status_code == 201
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json()["id"] == first.json()["id"]
    assert len([t for t, _ in await outbox(verification) if t == "neighbour_visit_recorded"]) \
        == 1


async def test_acceptances_in_one_batch_open_each_investigation_once(verification):
    """A consumer's batch reads which accepted applications have an investigation in one query
    (the batch hook): an application accepted twice in one batch (two event ids), or again in
    a later batch, keeps its one investigation, household and cross-check subjects; the others
    are opened beside it, each with its own (R-VE-1, R-VE-4)."""
    kit = kit_of(verification)
    household = [MemberIdentified(
        member_id="m-1", name="王大山", id_number=resident_id("19580312", "011"),
        relationship="head", living_status="at_home", is_student=False, counted=True,
        birth_date=date(1958, 3, 12), sex="male")]
    assert await kit.consumer.apply([accepted(application_id=a, members=household)
                                     for a in ("app-h1", "app-h1", "app-h2")]) == 3
    assert await kit.consumer.apply([accepted(application_id=a, members=household)
                                     for a in ("app-h1", "app-h3")]) == 2
    async with kit.sessions() as session:
        opened = dict((await session.execute(
            select(Investigation.application_id, Investigation.id))).all())
        assert sorted(opened) == ["app-h1", "app-h2", "app-h3"]
        assert len((await session.scalars(select(Investigation.id))).all()) == 3
        for table in (HouseholdMember, CheckSubject):
            assert sorted((await session.scalars(select(table.investigation_id))).all()) == \
                sorted(opened.values())
    assert [name for name, _ in await outbox(verification)].count("investigation_opened") == 3
