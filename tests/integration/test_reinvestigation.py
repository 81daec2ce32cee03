"""A new investigation after an objection to the public notice (重新调查, R-AP-4): verification
takes approval's ``reinvestigation_requested``, opens a second investigation of the same
application with the household the first knew, keeps the first as it was, and completes the
second like any other (its ``investigation_completed`` names it)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select, update

from services.verification.app import create_app as create_verification
from services.verification.checks import service as checks
from services.verification.investigations import service
from services.verification.investigations.models import Investigation
from shared.context import new_id
from shared.contracts.approval import ReinvestigationRequested
from shared.contracts.intake import MemberIdentified
from shared.programs import Program
from tests.events import accepted, envelope_of
from tests.investigations import ALICE, BOB, VILLAGE, ready_to_complete, resident_id, staff
from tests.support import running

HEAD_ID, SPOUSE_ID = resident_id("19580312", "011"), resident_id("19600102", "022")


def members() -> list[MemberIdentified]:
    return [MemberIdentified(
        member_id=f"m-{rel}", name=name, id_number=number, relationship=rel,
        living_status="at_home", is_student=False, counted=True, birth_date=born,
        sex=sex) for name, number, rel, born, sex in (
        ("王大山", HEAD_ID, "head", date(1958, 3, 12), "male"),
        ("李秀英", SPOUSE_ID, "spouse", date(1960, 1, 2), "female"))]


def requested(env, *, review_id: str, previous: str) -> ReinvestigationRequested:
    data = env.data
    return ReinvestigationRequested(
        review_id=review_id, case_id="case-1", application_id=data["application_id"],
        application_number=data["application_number"], program=Program.DIBAO,
        division=VILLAGE, household_size=2, previous_investigation_id=previous,
        notice_id="notice-1", objection_ids=["objection-1"], reason="核实经营收入",
        requested_at=datetime(2026, 12, 12, 2, 0, tzinfo=UTC),
        accepted_on=date.fromisoformat(data["accepted_on"]),
        review_due_on=date.fromisoformat(data["review_due_on"]), review_due_provisional=False)


async def outbox(kit) -> list[tuple[str, dict]]:
    async with kit.sessions() as session:
        rows = (await session.execute(select(kit.outbox.c.event_type, kit.outbox.c.payload)
                                      .order_by(kit.outbox.c.id))).all()
    return [(t.rsplit(".", 1)[1], json.loads(p)) for t, p in rows]


async def test_objection_opens_a_new_investigation_and_keeps_the_first_R_AP_4(make_settings):
    app = create_verification(make_settings("verification"))
    async with running(app) as client:
        kit = app.state.kit
        env = accepted(division=VILLAGE, household_size=2, members=members(),
                       accepted_on=date.today() - timedelta(days=10))
        assert await kit.consumer.handle(env) is True
        application_id = env.data["application_id"]
        async with kit.sessions() as session:
            first = await session.scalar(select(Investigation.id).where(
                Investigation.application_id == application_id))
        alice, bob = staff(kit.settings, ALICE), staff(kit.settings, BOB)
        await ready_to_complete(client, first, kit.settings)
        done = await client.post(f"/api/v1/investigations/{first}/complete", headers=bob,
                                 json={"findings": "第一次调查: 情况属实"})
        assert done.status_code == 200, done.text

        review_id = new_id()
        ask = envelope_of(requested(env, review_id=review_id, previous=first),
                          subject="case-1", division=VILLAGE)
        assert await kit.consumer.handle(ask) is True
        again = envelope_of(requested(env, review_id=review_id, previous=first),
                            subject="case-1", division=VILLAGE)  # the same review, resent
        assert await kit.consumer.handle(again) is True

        listed = await client.get("/api/v1/investigations", headers=alice,
                                  params={"application_id": application_id})
        assert listed.status_code == 200, listed.text
        by_id = {i["id"]: i for i in listed.json()}
        assert len(by_id) == 2 and by_id[first]["status"] == "completed"
        [second] = [i for i in by_id if i != first]
        assert by_id[second]["status"] == "open"
        earlier = (await client.get(f"/api/v1/investigations/{first}", headers=alice)).json()
        assert earlier["findings"] == "第一次调查: 情况属实"  # the first record stays
        detail = (await client.get(f"/api/v1/investigations/{second}", headers=alice)).json()
        assert [m["member_id"] for m in detail["members"]] == ["m-head", "m-spouse"]
        async with kit.sessions() as session:
            new = await session.get(Investigation, second)
            assert (new.follows_id, new.objection_review_id) == (first, review_id)
            carried = await checks.subjects_of(session, second)
            assert [checks.id_number_of(session, s) for s in carried] == [HEAD_ID, SPOUSE_ID]
        opened = [e for t, e in await outbox(kit) if t == "investigation_opened"]
        assert [e["data"].get("follows_id") for e in opened] == [None, first]

        await ready_to_complete(client, second, kit.settings)
        done = await client.post(f"/api/v1/investigations/{second}/complete", headers=bob,
                                 json={"findings": "重新调查: 无经营收入, 异议不成立"})
        assert done.status_code == 200, done.text
        completed = [e["data"]["investigation_id"] for t, e in await outbox(kit)
                     if t == "investigation_completed"]
        assert completed == [first, second]

        async with kit.sessions() as session:  # the second opened earlier by its clock
            await session.execute(update(Investigation).where(Investigation.id == second)
                                  .values(opened_at=datetime(2020, 1, 1, tzinfo=UTC)))
            await session.commit()
        async with kit.unit_of_work() as session:  # the acceptance handled again
            found = await service.open_investigation_once(
                session, application_id=application_id,
                application_number=env.data["application_number"], program=Program.DIBAO,
                division=VILLAGE, household_size=2,
                accepted_on=date.fromisoformat(env.data["accepted_on"]),
                review_due_on=date.fromisoformat(env.data["review_due_on"]),
                review_due_provisional=False, members=members())
        assert found == (first, False)  # the investigation the acceptance opened
