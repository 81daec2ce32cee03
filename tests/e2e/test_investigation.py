"""The investigation's work end to end through the REST APIs of intake and verification, with
the audit log: a team in pairs, the form confirmed by each investigator and the household,
neighbour visits, letters, doubts, evidence, completion and closing (R-VE-1, R-VE-2, R-VE-5)."""

from __future__ import annotations

import hashlib
import json
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select

from tests.investigations import (
    ALICE,
    BOB,
    CAROL,
    application,
    form,
    investigation_of,
    now,
    png,
    staff,
    team,
    upload,
)
from tests.support import eventually


async def accepted_investigation(county: Any, serial: int = 1) -> dict[str, Any]:
    r = await county.intake.post("/api/v1/applications", json=application(serial),
                                 headers=county.caseworker())
    assert r.status_code == 201 and r.json()["status"] == "accepted", r.text
    return await investigation_of(county.verification, r.json()["id"], county.caseworker())


async def outbox_events(kit: Any, event: str) -> list[dict[str, Any]]:
    """The data of this service's events of a type, in commit order."""
    async with kit.sessions() as session:
        rows = (await session.execute(select(kit.outbox.c.event_type, kit.outbox.c.payload)
                                      .order_by(kit.outbox.c.id))).all()
    return [json.loads(p)["data"] for t, p in rows if t.endswith("." + event)]


async def test_an_investigation_from_team_to_completion(county):
    """R-VE-1, R-VE-2, R-VE-5: two investigators confirm the form for themselves, the household
    confirms it, visits and letters are recorded, a doubt is put and resolved with evidence;
    only then does it complete, and investigation_completed carries the checked income."""
    v = county.verification
    alice, bob, carol = (staff(county.settings, p) for p in (ALICE, BOB, CAROL))
    inv = await accepted_investigation(county)
    iid = inv["id"]
    assert [b["code"] for b in inv["blockers"]] == ["team", "form"]
    assert [m["relationship"] for m in inv["members"]] == ["head", "spouse"]
    assert all("*" in m["id_number_masked"] for m in inv["members"])  # R-SE-2

    # R-VE-1: two township staff at least
    r = await v.put(f"/api/v1/investigations/{iid}/investigators", json=team(ALICE), headers=alice)
    assert r.status_code == 422 and r.json()["rule"] == "R-VE-1", r.text
    r = await v.put(f"/api/v1/investigations/{iid}/investigators", json=team(ALICE, BOB),
                    headers=alice)
    assert r.status_code == 200, r.text
    assert [i["user_id"] for i in r.json()["investigators"]] == ["cw-wang", "tl-zhao"]
    assert r.json()["village_helper"] == {"name": "刘村长", "title": "村委会主任"}

    r = await v.put(f"/api/v1/investigations/{iid}/form", json=form(inv["members"]),
                    headers=alice)
    assert r.status_code == 200, r.text
    recorded = r.json()
    assert recorded["version"] == 1 and recorded["awaiting"] == ["cw-wang", "tl-zhao",
                                                                 "household"]

    r = await v.post(f"/api/v1/investigations/{iid}/complete", json={"findings": "属实"},
                     headers=alice)
    assert r.status_code == 422 and r.json()["rule"] == "R-VE-1", r.text
    assert {b["code"] for b in r.json()["blockers"]} == {"investigator_confirmations",
                                                          "household_confirmation"}

    # each investigator confirms for themselves; someone not on the team cannot
    r = await v.post(f"/api/v1/investigations/{iid}/form/confirmations", json={"version": 1},
                     headers=carol)
    assert r.status_code == 403 and r.json()["type"].endswith("not-an-investigator"), r.text
    r = await v.post(f"/api/v1/investigations/{iid}/form/confirmations", json={"version": 1},
                     headers=alice)
    assert r.status_code == 201, r.text
    assert (r.json()["name"], r.json()["role"]) == ("王芳", "caseworker")  # from the token
    r = await v.post(f"/api/v1/investigations/{iid}/form/confirmations", json={"version": 1},
                     headers=alice)
    assert r.status_code == 409  # once
    r = await v.post(f"/api/v1/investigations/{iid}/form/household-confirmation", headers=alice,
                     json={"version": 1, "name": "王大山", "relationship": "户主",
                           "member_id": inv["members"][0]["member_id"], "method": "signature"})
    assert r.status_code == 201, r.text

    # R-VE-2: a neighbour visit and a letter
    r = await v.post(f"/api/v1/investigations/{iid}/visits", headers=alice, json={
        "visited_at": now(), "visitors": ["cw-wang", "tl-zhao"], "neighbour_name": "张婶",
        "neighbour_relation": "邻居(隔壁)", "statement": "老王腿脚不好, 只能打零工"})
    assert r.status_code == 201, r.text
    assert [x["name"] for x in r.json()["visitors"]] == ["王芳", "赵刚"]
    r = await v.post(f"/api/v1/investigations/{iid}/visits", headers=alice, json={
        "visited_at": now(), "visitors": ["cw-sun"], "neighbour_name": "张婶",
        "neighbour_relation": "邻居", "statement": "…"})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "visitors"
    r = await v.post(f"/api/v1/investigations/{iid}/letters", headers=alice, json={
        "member_id": inv["members"][0]["member_id"], "addressee": "嘉荫县林业局",
        "asked": "请说明王大山2026年的务工收入", "sent_on": date.today().isoformat()})
    assert r.status_code == 201, r.text
    letter = r.json()
    r = await v.get("/api/v1/letters", params={"outstanding": "true"}, headers=bob)
    assert [x["id"] for x in r.json()] == [letter["id"]]

    # R-VE-5: a doubt, put to the applicant, cleared with evidence
    r = await v.post(f"/api/v1/investigations/{iid}/doubts", headers=alice, json={
        "item": "车辆登记", "description": "车管所登记一辆小轿车", "check_result_id": "chk-1"})
    assert r.status_code == 201 and r.json()["source"] == "check_result", r.text
    doubt = r.json()
    cleared = {"outcome": "unsubstantiated", "finding": "车辆已于2019年报废"}
    r = await v.post(f"/api/v1/doubts/{doubt['id']}/resolve", json=cleared, headers=alice)
    assert r.status_code == 422 and r.json()["rule"] == "R-VE-5"  # not put to the applicant
    r = await v.post(f"/api/v1/doubts/{doubt['id']}/put", headers=alice,
                     json={"put_at": now(), "method": "in_person", "note": "当面询问"})
    assert r.status_code == 200 and r.json()["status"] == "put", r.text
    r = await v.post(f"/api/v1/doubts/{doubt['id']}/resolve", json=cleared, headers=alice)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "evidence_ids"
    proof = png(seed=1)
    r = await upload(v, iid, alice, proof, kind="statement", name="报废证明.png")
    assert r.status_code == 201, r.text
    evidence = r.json()
    assert evidence["sha256"] == hashlib.sha256(proof).hexdigest()
    r = await v.post(f"/api/v1/doubts/{doubt['id']}/resolve", headers=alice,
                     json=cleared | {"evidence_ids": [evidence["id"]]})
    assert r.status_code == 200 and r.json()["status"] == "unsubstantiated", r.text
    r = await v.post(f"/api/v1/investigations/{iid}/doubts", headers=alice, json={
        "item": "隐性收入", "description": "邻居反映其子每月另给现金"})
    second = r.json()
    await v.post(f"/api/v1/doubts/{second['id']}/put", headers=alice,
                 json={"put_at": now(), "method": "phone"})
    r = await v.post(f"/api/v1/doubts/{second['id']}/resolve", headers=alice, json={
        "outcome": "substantiated", "finding": "其子每月另给500元", "effect": "income",
        "income_delta_fen": 50000})
    assert r.status_code == 200, r.text

    r = await v.post(f"/api/v1/investigations/{iid}/complete", json={"findings": "属实"},
                     headers=alice)
    assert r.status_code == 422
    assert [b["code"] for b in r.json()["blockers"]] == ["investigator_confirmations",
                                                          "letters_outstanding"]
    r = await v.post(f"/api/v1/letters/{letter['id']}/answer", headers=alice, json={
        "outcome": "answered", "received_on": date.today().isoformat(),
        "answer": "王大山2026年在我局临时务工, 月均800元", "stated_monthly_income_fen": 80000})
    assert r.status_code == 200 and r.json()["status"] == "answered", r.text
    r = await v.post(f"/api/v1/investigations/{iid}/form/confirmations",
                     json={"version": 1, "method": "fingerprint"}, headers=bob)
    assert r.status_code == 201, r.text

    r = await v.post(f"/api/v1/investigations/{iid}/complete", headers=alice,
                     json={"findings": "家庭收入属实, 建议纳入低保"})
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "completed" and r.json()["blockers"] == []

    [completed] = await outbox_events(county.apps["verification"].state.kit,
                                      "investigation_completed")
    assert completed["application_id"] == inv["application_id"]
    assert completed["monthly_income_fen"] == 80000 + 30000 + 50000  # counted + the doubt
    assert [i["kind"] for i in completed["form"]["income"]] == ["wages", "transfer", "transfer"]
    assert completed["form_digest"] == recorded["digest"]
    assert {c["name"] for c in completed["confirmations"]} == {"王芳", "赵刚", "王大山"}
    assert [(d["outcome"], d["effect"]) for d in completed["doubts"]] == [
        ("unsubstantiated", "none"), ("substantiated", "income")]
    assert completed["letters"][0]["outcome"] == "answered"
    assert completed["neighbour_visits"] == 1 and completed["evidence"] == [evidence["id"]]
    assert "id_number" not in json.dumps(completed)  # no ID number travels here

    # done: nothing more is recorded, and it left the work lists
    r = await v.post(f"/api/v1/investigations/{iid}/visits", headers=alice, json={
        "visited_at": now(), "neighbour_name": "张婶", "neighbour_relation": "邻居",
        "statement": "补充"})
    assert r.status_code == 409
    r = await v.get("/api/v1/investigations", params={"status": "open"}, headers=alice)
    assert iid not in [x["id"] for x in r.json()]

    async def logged():
        types = [e["type"] for e in await county.audit_log(iid)]
        return types if "assist.verification.investigation_completed" in types else None

    types = await eventually(logged, timeout=15)
    r = await v.get(f"/api/v1/evidence/{evidence['id']}/content", headers=bob)
    assert r.status_code == 200 and r.content == proof

    async def evidence_logged():  # its SHA-256 in the log, and who downloaded it (R-AU-1)
        entries = await county.audit_log(evidence["id"])
        return entries if len(entries) >= 2 else None

    uploaded, downloaded = await eventually(evidence_logged, timeout=15)
    assert uploaded["type"] == "assist.verification.evidence_uploaded"
    assert uploaded["data"]["sha256"] == hashlib.sha256(proof).hexdigest()
    assert downloaded["type"] == "assist.verification.operation_recorded"
    assert downloaded["actor"]["user_id"] == "tl-zhao"
    assert downloaded["data"]["route"] == "/api/v1/evidence/{evidence_id}/content"
    for event in ("investigators_assigned", "investigation_form_recorded",
                  "investigation_form_confirmed", "neighbour_visit_recorded", "letter_sent",
                  "letter_answered", "doubt_raised", "doubt_put_to_applicant", "doubt_resolved"):
        assert f"assist.verification.{event}" in types, event


async def test_a_new_form_version_needs_new_confirmations_and_freezes_no_team(county):
    """R-VE-1: confirmations count for the version confirmed; a changed form needs them again.
    The team that confirmed stays."""
    v = county.verification
    alice, bob = staff(county.settings, ALICE), staff(county.settings, BOB)
    inv = await accepted_investigation(county, serial=2)
    iid = inv["id"]
    await v.put(f"/api/v1/investigations/{iid}/investigators", json=team(ALICE, BOB),
                headers=alice)
    body = form(inv["members"])
    assert (await v.put(f"/api/v1/investigations/{iid}/form", json=body,
                        headers=alice)).json()["version"] == 1
    # the same form again is no new version
    assert (await v.put(f"/api/v1/investigations/{iid}/form", json=body,
                        headers=bob)).json()["version"] == 1
    r = await v.post(f"/api/v1/investigations/{iid}/form/confirmations", json={"version": 1},
                     headers=bob)
    assert r.status_code == 201
    r = await v.put(f"/api/v1/investigations/{iid}/investigators", json=team(ALICE, CAROL),
                    headers=alice)
    assert r.status_code == 409  # bob confirmed: the team stays
    changed = form(inv["members"], situation="丈夫外出务工")
    r = await v.put(f"/api/v1/investigations/{iid}/form", json=changed, headers=alice)
    assert r.json()["version"] == 2 and r.json()["confirmations"] == []
    assert r.json()["awaiting"] == ["cw-wang", "tl-zhao", "household"]
    r = await v.post(f"/api/v1/investigations/{iid}/form/confirmations", json={"version": 1},
                     headers=alice)
    assert r.status_code == 409 and r.json()["current_version"] == 2
    # a form naming someone outside the household, or an uncounted item without its reason
    bad = form(inv["members"])
    bad["income"][0]["member_id"] = "nobody"
    r = await v.put(f"/api/v1/investigations/{iid}/form", json=bad, headers=alice)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "income.0.member_id"
    bad = form(inv["members"])
    del bad["income"][2]["not_counted_reason"]
    r = await v.put(f"/api/v1/investigations/{iid}/form", json=bad, headers=alice)
    assert r.json()["errors"][0]["field"] == "income.2.not_counted_reason"
    bad = form(inv["members"], visited_on=(date.today() + timedelta(days=2)).isoformat())
    r = await v.put(f"/api/v1/investigations/{iid}/form", json=bad, headers=alice)
    assert r.json()["errors"][0]["field"] == "visited_on"
    bad = form(inv["members"])
    bad["income"][0]["monthly_fen"] = "800.00"  # money is integer fen
    r = await v.put(f"/api/v1/investigations/{iid}/form", json=bad, headers=alice)
    assert r.status_code == 422


async def test_refusal_closes_the_investigation_and_takes_it_off_the_work_lists(county):
    """Issue 7: an application refused after acceptance ends its investigation: closed with
    the reason, out of the work lists, nothing more recorded."""
    v = county.verification
    alice = staff(county.settings, ALICE)
    inv = await accepted_investigation(county, serial=3)
    iid = inv["id"]
    r = await v.post(f"/api/v1/investigations/{iid}/letters", headers=alice, json={
        "addressee": "某公司", "asked": "收入证明", "sent_on": date.today().isoformat()})
    assert r.status_code == 201
    r = await county.intake.post(f"/api/v1/applications/{inv['application_id']}/refusal",
                                 headers=county.caseworker(),
                                 json={"reason_code": "not_eligible", "reason": "户籍不符"})
    assert r.status_code == 200, r.text

    async def closed():
        r = await v.get(f"/api/v1/investigations/{iid}", headers=alice)
        return r.json() if r.json()["status"] == "closed" else None

    done = await eventually(closed, timeout=15)
    assert done["closed_reason"] == "application_refused"
    assert "户籍不符" in done["closed_note"] and done["blockers"] == []
    r = await v.get("/api/v1/letters", params={"outstanding": "true"}, headers=alice)
    assert r.json() == []
    r = await v.get("/api/v1/investigations", params={"status": "open"}, headers=alice)
    assert r.json() == []
    r = await v.put(f"/api/v1/investigations/{iid}/investigators", json=team(ALICE, BOB),
                    headers=alice)
    assert r.status_code == 409 and r.json()["type"].endswith("investigation-not-open")
    [closed_event] = await outbox_events(county.apps["verification"].state.kit,
                                         "investigation_closed")
    assert closed_event["reason"] == "application_refused"


async def test_withdrawal_closes_the_investigation_with_its_reason(county):
    """Issue 7: an application withdrawn by the applicant ends its investigation: closed with
    the reason, its open doubts out of the work lists."""
    v = county.verification
    alice = staff(county.settings, ALICE)
    inv = await accepted_investigation(county, serial=4)
    iid = inv["id"]
    r = await v.post(f"/api/v1/investigations/{iid}/doubts", headers=alice,
                     json={"item": "存款", "description": "与申报不符"})
    assert r.status_code == 201
    r = await county.intake.post(f"/api/v1/applications/{inv['application_id']}/withdrawal",
                                 headers=county.caseworker(),
                                 json={"requested_by": "王大山", "reason": "已外出务工"})
    assert r.status_code == 200, r.text

    async def closed():
        r = await v.get(f"/api/v1/investigations/{iid}", headers=alice)
        return r.json() if r.json()["status"] == "closed" else None

    done = await eventually(closed, timeout=15)
    assert done["closed_reason"] == "application_withdrawn"
    assert "王大山" in done["closed_note"] and "已外出务工" in done["closed_note"]
    assert (await v.get("/api/v1/doubts", params={"open": "true"}, headers=alice)).json() == []
    r = await v.post(f"/api/v1/investigations/{iid}/complete", json={"findings": "…"},
                     headers=alice)
    assert r.status_code == 409
