"""R-AP-8 near relatives (近亲属备案, 回避): the register, flagged cases, recusal in approval and in
verification's investigation (the flag travels over real NATS), and violations. R-SE-2: the
relative's ID number is kept only as a keyed digest and shown masked."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select, text

from services.approval.app import create_app as create_approval
from services.approval.cases.models import CaseStatus, ReviewCase
from services.approval.relatives import service as relatives
from services.approval.roll.models import Beneficiary
from services.verification.app import create_app as create_verification
from shared.auth import Role, User, issue_token
from shared.context import new_id
from shared.contracts.intake import MemberIdentified
from shared.idcard import check_character
from shared.problems import NearRelativeRecusal
from shared.sealing import Keyring
from tests.bus import consumer_drained, publish, stream_events
from tests.conftest import TEST_DATABASE_URL
from tests.events import accepted
from tests.investigations import (
    ALICE,
    BOB,
    CAROL,
    form,
    investigation_of,
    now,
    png,
    staff,
    team,
    upload,
)
from tests.support import (
    bearer,
    domain_event_count,
    eventually,
    ready,
    relayed_all,
    running,
    running_all,
)

COUNTY = "230722"
TOWNSHIP = "230722100"
VILLAGE = "230722100201"
OTHER_COUNTY = "230721"
RECUSAL = "urn:assist:problem:near-relative-recusal"


def resident(birth: str, serial: str) -> str:
    first17 = COUNTY + birth + serial
    return first17 + check_character(first17)


MOTHER = resident("19540312", "026")  # 王芳's mother, in the household applying
HEAD = resident("19580312", "013")


def member(number: str, name: str, relationship: str, birth: str) -> dict[str, Any]:
    return MemberIdentified(
        member_id=new_id(), name=name, id_number=number, relationship=relationship,
        living_status="at_home", is_student=False, counted=True, count_reason=relationship,
        birth_date=date.fromisoformat(birth), sex="female").model_dump(mode="json")


def application_with(*numbers: str) -> Any:
    """An ``application_accepted`` envelope whose household has these ID numbers."""
    members = [member(HEAD, "王大山", "head", "1958-03-12")] + [
        member(n, "李秀英", "parent", "1954-03-12") for n in numbers]
    return accepted(division=VILLAGE, members=members, household_size=len(members))


def filing(number: str = MOTHER, **extra: Any) -> dict[str, Any]:
    return {"relative_name": "李秀英", "relationship": "parent", "id_number": number, **extra}


def officer(settings, role: Role = Role.county_officer, division: str = COUNTY,
            user_id: str = "officer-1") -> dict[str, str]:
    return bearer(settings, role, [division], user_id=user_id)


async def register(client, headers, **params) -> list[dict[str, Any]]:
    r = await client.get("/api/v1/near-relatives", headers=headers, params=params)
    assert r.status_code == 200, r.text
    return r.json()


async def flagged_cases(client, settings) -> list[dict[str, Any]]:
    r = await client.get("/api/v1/near-relatives/flagged-cases", headers=officer(settings))
    assert r.status_code == 200, r.text
    return r.json()


async def case_of(app, application_id: str) -> ReviewCase | None:
    async with app.state.kit.sessions() as session:
        return await session.scalar(select(ReviewCase).where(
            ReviewCase.application_id == application_id))


async def stored_text(app, tables: list[str]) -> str:
    """Every value of these tables and of the outbox, as text."""
    async with app.state.kit.sessions() as session:
        rows = []
        for table in [*tables, "outbox"]:
            rows += (await session.execute(text(f"SELECT * FROM {table}"))).all()
    return repr(rows)


async def test_filing_keeps_a_keyed_digest_and_shows_the_number_masked(make_settings,
                                                                       nats_server):
    """R-AP-8 filing, R-SE-2 masking: the staff member files their own near relative; the ID
    number is stored only as a keyed digest and the masked form, in no table, event or list in
    clear; officers and auditors of the county read the register, other staff only their own;
    a county officer files for staff of their county; bad input changes nothing."""
    settings = make_settings("approval")
    app = create_approval(settings)
    async with running(app) as client:
        await eventually(lambda: ready(client))
        alice = staff(settings, ALICE)
        r = await client.post("/api/v1/near-relatives", headers=alice, json=filing())
        assert r.status_code == 201, r.text
        filed = r.json()
        assert {k: filed[k] for k in ("staff_user_id", "staff_name", "staff_level",
                                      "staff_division", "relative_name", "relationship",
                                      "id_number_masked", "filed_by", "withdrawn")} == {
            "staff_user_id": "cw-wang", "staff_name": "王芳", "staff_level": "township",
            "staff_division": TOWNSHIP, "relative_name": "李秀英", "relationship": "parent",
            "id_number_masked": MOTHER[:3] + "*" * 11 + MOTHER[-4:], "filed_by": "cw-wang",
            "withdrawn": False}
        assert MOTHER not in r.text

        # The same relative again: 409; a county officer files for a village assistant.
        again = await client.post("/api/v1/near-relatives", headers=alice, json=filing())
        assert again.status_code == 409 and again.json()["near_relative_id"] == filed["id"]
        r = await client.post("/api/v1/near-relatives", headers=officer(settings), json=filing(
            resident("19700815", "031"), relationship="sibling", staff_user_id="va-li",
            staff_name="李建国", staff_division=VILLAGE, relative_name="李建华"))
        assert r.status_code == 201, r.text
        assert r.json()["staff_level"] == "village" and r.json()["filed_by"] == "officer-1"
        city = officer(settings, Role.city_officer, "230700", "city-1")
        r = await client.post("/api/v1/near-relatives", json=filing(
            resident("19720101", "041"), staff_name="周敏", staff_division="230700"),
            headers={"Authorization": "Bearer " + issue_token(
                settings, user_id="city-1", role=Role.city_officer, divisions=["230700"],
                name="周敏")})
        assert r.status_code == 201 and r.json()["staff_level"] == "city"

        # Who reads what: officers and auditors their divisions' staff; other staff their own.
        county = {f["staff_user_id"] for f in await register(client, officer(settings))}
        assert county == {"cw-wang", "va-li"}  # the city's staff lie above the county
        auditor = officer(settings, Role.auditor, COUNTY, "auditor-1")
        assert len(await register(client, auditor)) == 2
        assert {f["staff_user_id"] for f in await register(client, city)} == {
            "cw-wang", "va-li", "city-1"}
        assert [f["id"] for f in await register(client, alice)] == [filed["id"]]
        assert await register(client, staff(settings, CAROL)) == []
        assert await register(client, officer(settings, division=OTHER_COUNTY)) == []
        assert len(await register(client, officer(settings), limit=1)) == 1

        async def count() -> tuple[int, int]:
            async with app.state.kit.sessions() as session:
                filings = (await session.execute(text(
                    "SELECT count(*) FROM near_relative"))).scalar_one()
            return filings, await domain_event_count(app.state.kit)

        before = await count()
        refused = [
            (alice, filing(MOTHER[:-1] + ("0" if MOTHER[-1] != "0" else "1")), 422),  # check
            (alice, filing(resident("19600101", "051"), relationship="cousin"), 422),
            (alice, filing(resident("19600101", "051"), staff_division="230000"), 422),
            (alice, filing(resident("19600101", "051"), staff_division="230722101"), 422),
            (alice, filing(resident("19600101", "051"), relative_name="\u202e李"), 422),
            (alice, filing(resident("19600101", "051"), secret="x"), 422),
            (alice, filing(resident("19600101", "051"), staff_user_id="cw-sun",
                           staff_name="孙丽", staff_division=TOWNSHIP), 403),
            (officer(settings), filing(resident("19600101", "051"), staff_user_id="x-1",
                                       staff_name="某人", staff_division="230721100"), 403),
            (officer(settings), filing(resident("19600101", "051"), staff_user_id="x-1"), 422),
            (bearer(settings, Role.caseworker, [TOWNSHIP]), filing(resident("19600101", "051")),
             422),  # no name in the token, none given
            (bearer(settings, Role.system, [COUNTY]), filing(resident("19600101", "051")), 403),
        ]
        for headers, body, status in refused:
            r = await client.post("/api/v1/near-relatives", headers=headers, json=body)
            assert r.status_code == status, (body, r.text)
        assert await count() == before

        # Never in clear: not in the register's tables, nor in the outbox, nor on the stream.
        await eventually(lambda: relayed_all(app.state.kit))
        assert MOTHER not in await stored_text(app, ["near_relative", "case_member_digest"])
        events = await stream_events(nats_server.url,
                                     f"assist.{COUNTY}.approval.near_relative_filed")
        assert len(events) == 3 and MOTHER not in repr([e.model_dump_json() for e in events])
        [event] = [e for e in events if e.subject == filed["id"]]
        assert event.data["id_number_masked"] == filed["id_number_masked"]
        assert event.data["relative_name_masked"] == "李**"
        assert len(event.data["id_digest"]) == 64


async def test_withdrawal_is_a_new_record_and_never_deletes(make_settings):
    """R-AP-8: a filing is withdrawn by a new record with its reason; the filing stays, shows as
    withdrawn, cannot be withdrawn twice, and only its staff member or a county officer of
    theirs withdraws it."""
    settings = make_settings("approval")
    app = create_approval(settings)
    async with running(app) as client:
        await eventually(lambda: ready(client))
        alice = staff(settings, ALICE)
        filed = (await client.post("/api/v1/near-relatives", headers=alice,
                                   json=filing())).json()
        path = f"/api/v1/near-relatives/{filed['id']}/withdrawal"
        assert (await client.post(path, headers=staff(settings, CAROL),
                                  json={"reason": "x"})).status_code == 403
        assert (await client.post(path, headers=alice, json={"reason": ""})).status_code == 422
        assert (await client.post("/api/v1/near-relatives/no-such/withdrawal", headers=alice,
                                  json={"reason": "录入错误"})).status_code == 404
        r = await client.post(path, headers=alice, json={"reason": "录入错误"})
        assert r.status_code == 200, r.text
        assert r.json()["withdrawn"] is True and r.json()["withdrawal_reason"] == "录入错误"
        assert (await client.post(path, headers=officer(settings),
                                  json={"reason": "again"})).status_code == 409
        [kept] = await register(client, alice)
        assert kept["id"] == filed["id"] and kept["withdrawn"] is True
        assert await register(client, alice, active="true") == []
        assert len(await register(client, alice, active="false")) == 1
        # A new filing of the same relative is allowed once the old one is withdrawn.
        r = await client.post("/api/v1/near-relatives", headers=alice, json=filing())
        assert r.status_code == 201


async def test_case_flagged_on_acceptance_and_staff_member_refused(make_settings, nats_server):
    """R-AP-8: an accepted application whose household includes a filed relative flags its
    case (archive apart, the staff member to recuse, `case_flagged_near_relative`); the staff
    member is refused on every step of it (require_no_conflict), others are not; a household
    without filed relatives is not flagged."""
    settings = make_settings("approval")
    app = create_approval(settings)
    async with running(app) as client:
        await eventually(lambda: ready(client))
        alice = staff(settings, ALICE)
        assert (await client.post("/api/v1/near-relatives", headers=alice,
                                  json=filing())).status_code == 201
        touched, clean = application_with(MOTHER), application_with(resident("19500101", "061"))
        await publish(nats_server.url, touched, clean)
        [flagged] = await eventually(lambda: flagged_cases(client, settings))
        await eventually(lambda: consumer_drained(nats_server.url, "approval"))
        assert len(await flagged_cases(client, settings)) == 1
        case = await case_of(app, touched.data["application_id"])
        other = await case_of(app, clean.data["application_id"])
        assert case is not None and other is not None
        assert flagged["case_id"] == case.id and flagged["archive_apart"] is True
        assert flagged["staff_user_ids"] == ["cw-wang"]
        assert flagged["status"] == "awaiting_investigation"
        [event] = await eventually(lambda: stream_events(
            nats_server.url, f"assist.{COUNTY}.approval.case_flagged_near_relative"))
        assert event.subject == case.id
        assert event.data["staff_user_ids"] == ["cw-wang"]
        assert event.data["found_when"] == "accepted"
        assert event.data["application_id"] == touched.data["application_id"]

        wang = User(user_id="cw-wang", role=Role.caseworker, divisions=(TOWNSHIP,))
        sun = User(user_id="cw-sun", role=Role.caseworker, divisions=(TOWNSHIP,))
        async with app.state.kit.sessions() as session:
            assert await relatives.is_flagged(session, case.id)
            assert not await relatives.is_flagged(session, other.id)
            with pytest.raises(NearRelativeRecusal) as refused:
                await relatives.require_no_conflict(session, case_id=case.id, user=wang)
            assert refused.value.status == 403
            await relatives.require_no_conflict(session, case_id=case.id, user=sun)
            await relatives.require_no_conflict(session, case_id=other.id, user=wang)
        # Spot-check lists are for officers: a caseworker may not read them.
        assert (await client.get("/api/v1/near-relatives/flagged-cases",
                                 headers=alice)).status_code == 403
        assert (await client.get("/api/v1/near-relatives/flagged-cases", headers=officer(
            settings, division=OTHER_COUNTY))).json() == []



async def test_recused_staff_refused_on_the_decision_steps_through_the_api(make_settings,
                                                                          nats_server):
    """R-AP-8 回避 through approval's own endpoints: the caseworker whose mother is in the
    household may not write the initial opinion (R-AP-1), the leader whose brother is in it
    may not extend the period (R-AP-7); other staff pass the recusal (and meet the case's own
    rules instead)."""
    settings = make_settings("approval")
    app = create_approval(settings)
    async with running(app) as client:
        await eventually(lambda: ready(client))
        sibling = resident("19700815", "031")
        for who, body in ((ALICE, filing()), (BOB, filing(sibling, relationship="sibling"))):
            r = await client.post("/api/v1/near-relatives", headers=staff(settings, who),
                                  json=body)
            assert r.status_code == 201, r.text
        env = application_with(MOTHER, sibling)
        await publish(nats_server.url, env)
        await eventually(lambda: flagged_cases(client, settings))
        case = await case_of(app, env.data["application_id"])
        assert case is not None
        opinion = {"proposal": "refuse", "reason_code": "income_above_standard",
                   "reasons": ["家庭月人均收入高于当地低保标准"], "text": "拟不予批准"}
        r = await client.post(f"/api/v1/cases/{case.id}/opinion", headers=staff(settings, ALICE),
                              json=opinion)
        assert r.status_code == 403 and r.json()["type"] == RECUSAL, r.text
        r = await client.post(f"/api/v1/cases/{case.id}/opinion", headers=staff(settings, CAROL),
                              json=opinion)
        assert r.status_code != 403, r.text  # not recused: the case's status decides
        extension = {"reason": "回函尚未收到"}
        r = await client.post(f"/api/v1/cases/{case.id}/extension", headers=staff(settings, BOB),
                              json=extension)
        assert r.status_code == 403 and r.json()["type"] == RECUSAL, r.text
        other_leader = ("tl-qian", "钱进", "township_leader")
        r = await client.post(f"/api/v1/cases/{case.id}/extension",
                              headers=staff(settings, other_leader), json=extension)
        assert r.status_code == 201, r.text

async def test_case_flagged_when_the_relative_is_filed_later(make_settings, nats_server):
    """R-AP-8: a relative filed after the application was accepted flags the open case at
    once (`found_when: filed_later`); a case closed at intake is not flagged; a withdrawn
    filing flags no case accepted after its withdrawal, but the cases it flagged stay."""
    settings = make_settings("approval")
    app = create_approval(settings)
    async with running(app) as client:
        await eventually(lambda: ready(client))
        first = application_with(MOTHER)
        await publish(nats_server.url, first)
        await eventually(lambda: case_of(app, first.data["application_id"]))
        await eventually(lambda: consumer_drained(nats_server.url, "approval"))
        assert await flagged_cases(client, settings) == []

        alice = staff(settings, ALICE)
        filed = (await client.post("/api/v1/near-relatives", headers=alice,
                                   json=filing())).json()
        [flagged] = await flagged_cases(client, settings)
        case = await case_of(app, first.data["application_id"])
        assert case is not None and flagged["case_id"] == case.id
        await eventually(lambda: relayed_all(app.state.kit))
        [event] = await stream_events(
            nats_server.url, f"assist.{COUNTY}.approval.case_flagged_near_relative")
        assert event.data["found_when"] == "filed_later"
        assert event.data["staff_user_ids"] == ["cw-wang"]

        # Withdrawn: the case stays flagged; a case accepted afterwards is not flagged.
        await client.post(f"/api/v1/near-relatives/{filed['id']}/withdrawal", headers=alice,
                          json={"reason": "母亲已迁出户籍"})
        later = application_with(MOTHER)
        await publish(nats_server.url, later)
        await eventually(lambda: case_of(app, later.data["application_id"]))
        await eventually(lambda: consumer_drained(nats_server.url, "approval"))
        assert [c["case_id"] for c in await flagged_cases(client, settings)] == [case.id]

        # A case already closed is not flagged by a later filing.
        async with app.state.kit.sessions() as session, session.begin():
            later_case = await session.scalar(select(ReviewCase).where(
                ReviewCase.application_id == later.data["application_id"]))
            assert later_case is not None
            later_case.status = CaseStatus.closed
        r = await client.post("/api/v1/near-relatives", headers=staff(settings, CAROL),
                              json=filing())
        assert r.status_code == 201
        [only] = await flagged_cases(client, settings)
        assert only["case_id"] == case.id and only["staff_user_ids"] == ["cw-sun", "cw-wang"]


async def test_violations_list_aid_to_a_relative_without_the_flag(make_settings, nats_server):
    """R-AP-8: a filed relative on the roll whose case was flagged only after the aid was
    granted (filed after approval), or never flagged, is a violation; a case flagged before its
    approval is not; a withdrawn filing is no longer one; officers read the list."""
    settings = make_settings("approval")
    app = create_approval(settings)
    async with running(app) as client:
        await eventually(lambda: ready(client))
        alice = staff(settings, ALICE)
        sibling = resident("19700815", "031")
        # Flagged at acceptance (filed first), then approved: no violation.
        await client.post("/api/v1/near-relatives", headers=staff(settings, BOB),
                          json=filing(sibling, relationship="sibling"))
        proper, late = application_with(sibling), application_with(MOTHER)
        await publish(nats_server.url, proper, late)
        await eventually(lambda: case_of(app, late.data["application_id"]))
        await eventually(lambda: case_of(app, proper.data["application_id"]))
        await eventually(lambda: consumer_drained(nats_server.url, "approval"))
        assert len(await flagged_cases(client, settings)) == 1
        approved_at = datetime.now(UTC)
        for env in (proper, late):
            await put_on_roll(app, env.data["application_id"], approved_at)
        path = "/api/v1/near-relatives/violations"
        assert (await client.get(path, headers=officer(settings))).json() == []

        # Filed after the approval: flagged now, after the aid, so a violation.
        filed = (await client.post("/api/v1/near-relatives", headers=alice,
                                   json=filing())).json()
        case = await case_of(app, late.data["application_id"])
        assert case is not None
        [violation] = (await client.get(path, headers=officer(settings))).json()
        assert {k: violation[k] for k in ("case_id", "aid", "near_relative_id",
                                          "staff_user_id", "why", "id_number_masked")} == {
            "case_id": case.id, "aid": "roll", "near_relative_id": filed["id"],
            "staff_user_id": "cw-wang", "why": "flagged_after_aid",
            "id_number_masked": filed["id_number_masked"]}
        assert violation["beneficiary_id"] and violation["flagged_at"] > violation["approved_at"]
        assert MOTHER not in (await client.get(path, headers=officer(settings))).text

        # A flag missing altogether (say, data from before the register) is one too.
        async with app.state.kit.sessions() as session, session.begin():
            await session.execute(text("DELETE FROM near_relative_flag"))
            await session.execute(text("DELETE FROM near_relative_case"))
        found = (await client.get(path, headers=officer(settings))).json()
        assert {(v["case_id"], v["why"]) for v in found} == {
            (case.id, "not_flagged"),
            ((await case_of(app, proper.data["application_id"])).id, "not_flagged")}
        page = await client.get(path, headers=officer(settings), params={"limit": 1})
        assert len(page.json()) == 1 and page.headers["X-Next-Cursor"]
        rest = await client.get(path, headers=officer(settings),
                                params={"limit": 1, "cursor": page.headers["X-Next-Cursor"]})
        assert len(rest.json()) == 1 and rest.json()[0]["case_id"] != page.json()[0]["case_id"]

        # Withdrawn filings are no longer filed; staff and other counties see nothing.
        await client.post(f"/api/v1/near-relatives/{filed['id']}/withdrawal", headers=alice,
                          json={"reason": "录入错误"})
        assert [v["staff_user_id"] for v in
                (await client.get(path, headers=officer(settings))).json()] == ["tl-zhao"]
        assert (await client.get(path, headers=alice)).status_code == 403
        assert (await client.get(path, headers=officer(settings, division=OTHER_COUNTY))
                ).json() == []


async def put_on_roll(app, application_id: str, approved_at: datetime) -> None:
    """The approved case on the roll, as the decision would leave it (the roll's own tests
    cover how it gets there)."""
    async with app.state.kit.sessions() as session, session.begin():
        case = await session.scalar(select(ReviewCase).where(
            ReviewCase.application_id == application_id))
        assert case is not None
        case.status = CaseStatus.approved
        session.add(Beneficiary(
            id=new_id(), case_id=case.id, application_id=application_id,
            application_number=case.application_number, program="dibao",
            division=case.division, area="rural", unit="household", head_name_masked="王**",
            household_size=2, monthly_fen=50000, amount_from="2026-12",
            effective_month="2026-12", certificate_number=f"DB{new_id()[:8]}",
            status="active", recheck_months=12, recheck_reasons=[],
            next_recheck_due=date(2027, 12, 1), approved_at=approved_at,
            updated_at=approved_at))


# --- verification: the flag travels, the staff member is refused on every step -------------------


async def test_verification_refuses_the_recused_staff_member_on_every_step(make_settings,
                                                                          nats_server):
    """R-AP-8 回避 in verification: `case_flagged_near_relative` travels over NATS; the staff
    member whose relative is in the household is refused (403 near-relative-recusal) on the
    investigation and every step of it (team, form, confirmations, visits, letters, doubts,
    evidence, checks, completion), and cannot be put on its team; the others work on."""
    approval_settings = make_settings("approval")
    verification_settings = make_settings("verification")
    apps = [create_approval(approval_settings), create_verification(verification_settings)]
    async with running_all(apps) as (approval, verification):
        await eventually(lambda: ready(approval))
        await eventually(lambda: ready(verification))
        alice, bob, carol = (staff(verification_settings, p) for p in (ALICE, BOB, CAROL))
        assert (await approval.post("/api/v1/near-relatives", headers=staff(
            approval_settings, ALICE), json=filing())).status_code == 201
        env = application_with(MOTHER)
        await publish(nats_server.url, env)
        investigation = await investigation_of(verification, env.data["application_id"], bob)
        base = f"/api/v1/investigations/{investigation['id']}"

        async def recused() -> bool:
            return (await verification.get(base, headers=alice)).status_code == 403

        await eventually(recused, timeout=15)
        r = await verification.get(base, headers=alice)
        assert r.json()["type"] == RECUSAL

        # The team may not include her, whoever assigns it.
        r = await verification.put(base + "/investigators", headers=bob, json=team(ALICE, BOB))
        assert r.status_code == 403 and r.json()["type"] == RECUSAL
        assert r.json()["recused"] == ["cw-wang"]
        r = await verification.put(base + "/investigators", headers=bob, json=team(BOB, CAROL))
        assert r.status_code == 200, r.text
        members = (await verification.get(base, headers=bob)).json()["members"]
        r = await verification.put(base + "/form", headers=bob, json=form(members))
        assert r.status_code in (200, 201), r.text

        steps = [
            ("PUT", base + "/investigators", team(ALICE, CAROL)),
            ("PUT", base + "/form", form(members)),
            ("GET", base + "/form", None),
            ("POST", base + "/form/confirmations", {"version": 1}),
            ("POST", base + "/form/household-confirmation",
             {"version": 1, "name": "王大山", "relationship": "户主", "method": "fingerprint"}),
            ("POST", base + "/visits", {
                "visited_at": now(), "visitors": ["cw-wang"], "neighbour_name": "张桂兰",
                "neighbour_relation": "邻居", "statement": "日子紧"}),
            ("POST", base + "/letters", {"addressee": "朝阳镇建筑队", "address": "建设街12号",
                                         "asked": "务工收入", "sent_on": date.today().isoformat()}),
            ("POST", base + "/doubts", {"item": "车辆", "description": "邻居反映有三轮车"}),
            ("POST", base + "/checks/manual", {"item": "vehicles", "note": "到车管所查询"}),
            ("POST", base + "/check-runs", {}),
            ("POST", base + "/complete", {"findings": "核实无误"}),
        ]
        for method, path, body in steps:
            r = await verification.request(method, path, headers=alice, json=body)
            assert r.status_code == 403, f"{method} {path}: {r.status_code} {r.text}"
            assert r.json()["type"] == RECUSAL, f"{method} {path}: {r.text}"
        r = await upload(verification, investigation["id"], alice, png())
        assert r.status_code == 403 and r.json()["type"] == RECUSAL

        # A letter and a doubt recorded by others: she may not answer or resolve them either.
        letter = await verification.post(base + "/letters", headers=bob, json={
            "addressee": "朝阳镇建筑队", "address": "建设街12号", "asked": "务工收入",
            "sent_on": date.today().isoformat()})
        assert letter.status_code == 201, letter.text
        r = await verification.post(f"/api/v1/letters/{letter.json()['id']}/answer",
                                    headers=alice,
                                    json={"outcome": "unanswered", "answer": "未回函"})
        assert r.status_code == 403 and r.json()["type"] == RECUSAL
        doubt = await verification.post(base + "/doubts", headers=carol,
                                        json={"item": "车辆", "description": "邻居反映"})
        assert doubt.status_code == 201, doubt.text
        r = await verification.post(f"/api/v1/doubts/{doubt.json()['id']}/put", headers=alice,
                                    json={"put_at": now(), "method": "in_person"})
        assert r.status_code == 403 and r.json()["type"] == RECUSAL
        # The others still work: Carol confirms the form.
        r = await verification.post(base + "/form/confirmations", headers=carol,
                                    json={"version": 1})
        assert r.status_code == 201, r.text


async def test_flag_after_the_team_was_assigned_takes_the_relative_off_it(make_settings,
                                                                         nats_server):
    """R-AP-8 decided: a flag that arrives after the team was assigned and the form confirmed
    takes the recused investigator off the team (`investigator_recused`); the investigation
    cannot complete until a new team of two without them is assigned (allowed although the
    form was confirmed) and confirms; the completion no longer carries the recused one's
    confirmation."""
    approval_settings = make_settings("approval")
    verification_settings = make_settings("verification")
    apps = [create_approval(approval_settings), create_verification(verification_settings)]
    async with running_all(apps) as (approval, verification):
        await eventually(lambda: ready(approval))
        await eventually(lambda: ready(verification))
        alice, bob, carol = (staff(verification_settings, p) for p in (ALICE, BOB, CAROL))
        env = application_with(MOTHER)
        await publish(nats_server.url, env)
        investigation = await investigation_of(verification, env.data["application_id"], bob)
        base = f"/api/v1/investigations/{investigation['id']}"
        members = investigation["members"]
        for method, path, headers, body in [
            ("PUT", "/investigators", alice, team(ALICE, BOB)),
            ("PUT", "/form", alice, form(members)),
            ("POST", "/form/confirmations", alice, {"version": 1}),
            ("POST", "/form/confirmations", bob, {"version": 1}),
            ("POST", "/form/household-confirmation", bob,
             {"version": 1, "name": "王大山", "relationship": "户主", "method": "fingerprint"}),
        ]:
            r = await verification.request(method, base + path, json=body, headers=headers)
            assert r.status_code in (200, 201), f"{method} {path}: {r.text}"

        # Now she files her mother: the flag travels and takes her off the team.
        assert (await approval.post("/api/v1/near-relatives", headers=staff(
            approval_settings, ALICE), json=filing())).status_code == 201

        async def off_team() -> bool:
            detail = (await verification.get(base, headers=bob)).json()
            return [i["user_id"] for i in detail["investigators"]] == ["tl-zhao"]

        await eventually(off_team, timeout=15)
        [event] = await eventually(lambda: stream_events(
            nats_server.url, f"assist.{COUNTY}.verification.investigator_recused"))
        assert event.data["user_id"] == "cw-wang" and event.data["team"] == ["tl-zhao"]
        assert event.data["needs_new_team"] is True
        r = await verification.post(base + "/complete", headers=bob, json={"findings": "核实"})
        assert r.status_code == 422 and "team" in {b["code"] for b in r.json()["blockers"]}

        # A new team without her, although the form was confirmed; Carol confirms; complete.
        r = await verification.put(base + "/investigators", headers=bob, json=team(BOB, CAROL))
        assert r.status_code == 200, r.text
        r = await verification.post(base + "/form/confirmations", headers=carol,
                                    json={"version": 1})
        assert r.status_code == 201, r.text
        r = await verification.post(base + "/complete", headers=bob, json={"findings": "核实"})
        assert r.status_code == 200, r.text
        [done] = await eventually(lambda: stream_events(
            nats_server.url, f"assist.{COUNTY}.verification.investigation_completed"))
        confirmed = {c["user_id"] for c in done.data["confirmations"] if c["user_id"]}
        assert confirmed == {"tl-zhao", "cw-sun"}
        assert {i["user_id"] for i in done.data["investigators"]} == {"tl-zhao", "cw-sun"}


async def test_a_redelivered_flag_changes_nothing(make_settings, nats_server):
    """R-AP-8: the flag handled twice (a redelivery) keeps one recusal per staff member."""
    approval_settings = make_settings("approval")
    verification_settings = make_settings("verification")
    apps = [create_approval(approval_settings), create_verification(verification_settings)]
    async with running_all(apps) as (approval, verification):
        await eventually(lambda: ready(verification))
        await eventually(lambda: ready(approval))
        assert (await approval.post("/api/v1/near-relatives", headers=staff(
            approval_settings, ALICE), json=filing())).status_code == 201
        env = application_with(MOTHER)
        await publish(nats_server.url, env)
        [flag] = await eventually(lambda: stream_events(
            nats_server.url, f"assist.{COUNTY}.approval.case_flagged_near_relative"))
        await eventually(lambda: consumer_drained(nats_server.url, "verification"), timeout=15)
        kit = apps[1].state.kit
        assert await kit.consumer.handle(flag) is False
        async with kit.sessions() as session:
            rows = (await session.execute(text(
                "SELECT application_id, staff_user_id FROM recusal"))).all()
        assert [tuple(r) for r in rows] == [(env.data["application_id"], "cw-wang")]
        assert timedelta(0) <= datetime.now(UTC) - flag.time < timedelta(minutes=5)


async def test_filings_and_households_match_across_a_key_rotation(make_settings, nats_server):
    """R-AP-8 with the event keys rotated (R-SE-2's keyed digests): a relative filed under the
    new key flags a case accepted under the old one, and is listed as a violation when that
    case was on the roll first; a household accepted under the new key is flagged for a
    relative filed under the old one."""
    old = Keyring.generate()
    new = old.with_new_key()
    first = create_approval(make_settings("approval", event_keys=old.to_json()))
    before, sibling = application_with(MOTHER), resident("19700815", "031")
    async with running(first) as client:
        await eventually(lambda: ready(client))
        await publish(nats_server.url, before)
        await eventually(lambda: case_of(first, before.data["application_id"]))
        assert (await client.post("/api/v1/near-relatives", headers=staff(
            first.state.kit.settings, BOB), json=filing(sibling, relationship="sibling"))
        ).status_code == 201
        await put_on_roll(first, before.data["application_id"], datetime.now(UTC))
    settings = make_settings("approval", event_keys=new.to_json())
    second = create_approval(settings)
    async with running(second) as client:
        await eventually(lambda: ready(client))
        assert second.state.kit.sealer.keyring.current != old.current
        r = await client.post("/api/v1/near-relatives", headers=staff(settings, ALICE),
                              json=filing())
        assert r.status_code == 201, r.text
        case = await case_of(second, before.data["application_id"])
        assert case is not None
        assert [c["case_id"] for c in await flagged_cases(client, settings)] == [case.id]
        [violation] = (await client.get("/api/v1/near-relatives/violations",
                                        headers=officer(settings))).json()
        assert (violation["case_id"], violation["why"]) == (case.id, "flagged_after_aid")

        after = application_with(sibling)
        await publish(nats_server.url, after)

        async def both() -> list[dict[str, Any]] | None:
            found = await flagged_cases(client, settings)
            return found if len(found) == 2 else None

        flagged = {c["application_id"]: c["staff_user_ids"] for c in await eventually(both)}
        assert flagged[after.data["application_id"]] == ["tl-zhao"]


async def test_a_batch_of_acceptances_opens_each_case_once_and_flags_it(make_settings,
                                                                       nats_server):
    """One fetched batch is one transaction, its cases looked up together before the first
    event: an application accepted twice in it (two event ids) still has one case, its
    household's digests once and one `review_case_opened`; a filed relative in it is flagged
    as alone (R-AP-8), and the case's row is as the ORM wrote it (no investigation: NULL)."""
    settings = make_settings("approval")
    app = create_approval(settings)
    async with running(app) as client:
        await eventually(lambda: ready(client))
        assert (await client.post("/api/v1/near-relatives", headers=staff(settings, ALICE),
                                  json=filing())).status_code == 201
        await eventually(lambda: relayed_all(app.state.kit))
        consumer = app.state.kit.consumer
        touched, clean = application_with(MOTHER), application_with()
        again = touched.model_copy(update={"id": new_id()})  # the same acceptance, a new id
        assert await consumer.apply([touched, clean, again]) == 3
        assert await consumer.apply([again.model_copy(update={"id": new_id()})]) == 1
        async with app.state.kit.sessions() as session:
            rows = (await session.execute(text(
                "SELECT c.application_id, COUNT(d.id), "
                "SUM(CASE WHEN c.investigation IS NULL THEN 0 ELSE 1 END) "
                "FROM review_case c JOIN case_member_digest d ON d.case_id = c.id "
                "GROUP BY c.application_id"))).all()
            types = (await session.scalars(text("SELECT event_type FROM outbox"))).all()
        assert sorted(tuple(r) for r in rows) == sorted([
            (touched.data["application_id"], 2, 0), (clean.data["application_id"], 1, 0)])
        opened = [t for t in types if t.endswith((".review_case_opened",
                                                  ".case_flagged_near_relative"))]
        assert sorted(t.rsplit(".", 1)[-1] for t in opened) == [
            "case_flagged_near_relative", "review_case_opened", "review_case_opened"]
        [flagged] = await flagged_cases(client, settings)
        case = await case_of(app, touched.data["application_id"])
        assert case is not None and flagged["case_id"] == case.id
        assert flagged["staff_user_ids"] == ["cw-wang"]


@pytest.mark.skipif(not TEST_DATABASE_URL, reason="PostgreSQL only: SQLite serialises every "
                    "writing transaction (BEGIN IMMEDIATE), so none can miss another's rows")
async def test_a_filing_during_an_acceptance_still_flags_its_case(make_settings):
    """R-AP-8 under concurrency: an acceptance whose household includes the relative and a
    filing of that relative, at the same moment, must flag the case. Under READ COMMITTED each
    could read before the other commits (the acceptance the register, the filing the cases'
    digests) and neither flag it: the filing waits for the acceptance's transaction."""
    settings = make_settings("approval")
    app = create_approval(settings)
    async with running(app) as client:
        await eventually(lambda: ready(client))
        kit = app.state.kit
        touched = application_with(MOTHER)
        async with kit.sessions() as session:
            assert await kit.consumer.apply_in(session, [touched]) == 1  # not committed yet
            filing_now = asyncio.create_task(client.post(
                "/api/v1/near-relatives", headers=staff(settings, ALICE), json=filing()))
            await asyncio.sleep(0.5)
            assert not filing_now.done()  # waits for the acceptance's commit
            await session.commit()
        assert (await asyncio.wait_for(filing_now, 10)).status_code == 201
        [flagged] = await flagged_cases(client, settings)
        case = await case_of(app, touched.data["application_id"])
        assert case is not None and flagged["case_id"] == case.id
