"""Approval service: starts, migrates, opens review cases from real events (R-AP-7, R-SE-1)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from services.approval.app import create_app as create_approval
from services.approval.cases.models import ReviewCase
from services.approval.cases.service import CaseNotOpened
from shared.auth import Role
from shared.context import new_id
from shared.contracts.verification import InvestigationCompleted
from shared.events import Envelope
from shared.workdays import today_in_shanghai
from tests.bus import consumer_drained, count_events, publish, stream_events
from tests.events import accepted, envelope_of
from tests.support import bearer, eventually, outbox_types, ready, relayed_all, running

COUNTY = "230722"  # 嘉荫县
TOWNSHIP = "230722100"  # 朝阳镇
VILLAGE = "230722100201"  # 东风村, 朝阳镇
OTHER_TOWNSHIP = "230722101"  # 乌云镇
OTHER_VILLAGE = "230722101201"  # 乌云村, 乌云镇


def accepted_event(*, division: str = VILLAGE, review_due_on: date | None = None,
                   program: str = "dibao") -> Envelope:
    """An ``intake.application_accepted`` envelope as the intake contract defines it."""
    return accepted(division=division, review_due_on=review_due_on, program=program)


def completed_event(application_id: str, investigation_id: str | None = None) -> Envelope:
    """A ``verification.investigation_completed`` envelope (docs/events.md)."""
    investigation_id = investigation_id or new_id()
    return envelope_of(InvestigationCompleted(
        application_id=application_id, investigation_id=investigation_id,
        completed_at=datetime(2026, 11, 30, 2, 15, tzinfo=UTC),
    ), subject=investigation_id, division=VILLAGE)


def reader(settings, divisions=(TOWNSHIP,), role=Role.caseworker):
    return bearer(settings, role, divisions)


async def cases(client, headers, **params) -> list[dict]:
    response = await client.get("/api/v1/cases", headers=headers, params=params)
    assert response.status_code == 200, response.text
    return response.json()


async def test_approval_starts_migrates_and_answers_health_checks(make_settings):
    """The service migrates itself on start and reports ready (tables: test_migrations)."""
    settings = make_settings("approval")
    async with running(create_approval(settings)) as client:
        assert (await client.get("/healthz")).json() == {"status": "ok", "service": "approval"}
        await eventually(lambda: ready(client))
        body = (await client.get("/readyz")).json()
        assert body["checks"] == {"database": "ok", "nats": "ok"}


async def test_accepted_application_opens_review_case_once(make_settings, nats_server):
    """intake.application_accepted → one review case with its R-AP-7 deadline; a redelivery of
    the same event changes nothing and emits nothing."""
    settings = make_settings("approval")
    app = create_approval(settings)
    async with running(app) as client:
        await eventually(lambda: ready(client))
        env = accepted_event()
        await publish(nats_server.url, env)
        headers = reader(settings)

        async def opened():
            return await cases(client, headers, application_id=env.data["application_id"])

        [case] = await eventually(opened)
        assert case["status"] == "awaiting_investigation"
        assert {k: case[k] for k in ("application_number", "program", "division", "area",
                                     "household_size", "review_due_on",
                                     "review_due_provisional", "overdue")} == {
            "application_number": env.data["application_number"], "program": "dibao",
            "division": VILLAGE, "area": "rural", "household_size": 3,
            "review_due_on": env.data["review_due_on"], "review_due_provisional": False,
            "overdue": False}
        assert (await client.get(f"/api/v1/cases/{case['id']}", headers=headers)).json() == case

        subject = f"assist.{COUNTY}.approval.review_case_opened"
        [event] = await eventually(lambda: stream_events(nats_server.url, subject))
        assert event.subject == case["id"] and event.division == VILLAGE
        assert event.data["application_id"] == env.data["application_id"]
        assert event.data["review_due_on"] == env.data["review_due_on"]

        # Redelivered after JetStream's duplicate window: same event id, new Nats-Msg-Id.
        await publish(nats_server.url, env, msg_id=f"{env.id}-again")
        await eventually(lambda: consumer_drained(nats_server.url, "approval"))
        assert await app.state.kit.consumer.handle(env) is False
        await eventually(lambda: relayed_all(app.state.kit))
        assert await cases(client, headers) == [case]
        assert await count_events(nats_server.url, subject) == 1


async def test_acceptances_in_one_batch_open_each_case_once(make_settings):
    """A consumer's batch reads which accepted applications have a review case in one query
    (the batch hook): an application accepted twice in one batch (two event ids), or again in
    a later batch, keeps its one case; the others are opened beside it, in the batch's one
    transaction (the case's application is unique: a second opening would fail the batch)."""
    app = create_approval(make_settings("approval"))
    async with running(app):
        kit = app.state.kit
        ids = {name: new_id() for name in ("a", "b", "c", "d")}

        def batch(*names: str) -> list[Envelope]:
            return [accepted(application_id=ids[n], division=VILLAGE) for n in names]

        assert await kit.consumer.apply(batch("a", "a", "b")) == 3  # read in the hook
        assert await kit.consumer.apply(batch("a", "c")) == 2
        assert await kit.consumer.apply(batch("d", "d")) == 2  # one application: not read
        async with kit.sessions() as session:
            opened = (await session.scalars(select(ReviewCase.application_id))).all()
        assert sorted(opened) == sorted(ids.values())
        assert [t.rsplit(".", 1)[1] for t in await outbox_types(kit)].count(
            "review_case_opened") == 4


async def test_completed_investigation_moves_case_to_initial_opinion(make_settings, nats_server):
    """verification.investigation_completed → the case awaits the initial opinion (R-AP-1)."""
    settings = make_settings("approval")
    app = create_approval(settings)
    async with running(app) as client:
        await eventually(lambda: ready(client))
        env, other = accepted_event(), accepted_event()
        application_id = env.data["application_id"]
        done = completed_event(application_id)
        await publish(nats_server.url, env, other, done)
        headers = reader(settings)

        async def moved():
            return await cases(client, headers, status="awaiting_initial_opinion")

        [case] = await eventually(moved)
        assert case["application_id"] == application_id
        assert case["investigation_id"] == done.data["investigation_id"]
        assert case["investigation_completed_at"] == "2026-11-30T02:15:00Z"
        waiting = await cases(client, headers, status="awaiting_investigation")
        assert [c["application_id"] for c in waiting] == [other.data["application_id"]]

        subject = f"assist.{COUNTY}.approval.investigation_result_recorded"
        [event] = await eventually(lambda: stream_events(nats_server.url, subject))
        assert event.subject == case["id"]
        assert event.data["status"] == "awaiting_initial_opinion"

        # A second completion of the same investigation changes nothing.
        await publish(nats_server.url, done, msg_id=f"{done.id}-again")
        await eventually(lambda: consumer_drained(nats_server.url, "approval"))
        assert await app.state.kit.consumer.handle(done) is False
        assert await cases(client, headers, application_id=application_id) == [case]
        await eventually(lambda: relayed_all(app.state.kit))
        assert await count_events(nats_server.url, subject) == 1
        assert (await client.get("/api/v1/cases", headers=headers,
                                 params={"status": "archived"})).status_code == 422


async def test_completion_before_case_is_retried_not_lost(make_settings, nats_server):
    """A completion that arrives before its case is refused unrecorded, and applies later."""
    settings = make_settings("approval")
    app = create_approval(settings)
    async with running(app) as client:
        await eventually(lambda: ready(client))
        kit = app.state.kit
        env = accepted_event()
        done = completed_event(env.data["application_id"])
        with pytest.raises(CaseNotOpened):
            await kit.consumer.handle(done)
        assert await kit.consumer.handle(env) is True
        assert await kit.consumer.handle(done) is True
        [case] = await cases(client, reader(settings))
        assert case["status"] == "awaiting_initial_opinion"


async def test_overdue_flag_follows_the_review_deadline_R_AP_7(make_settings, nats_server):
    """R-AP-7: a case is overdue once its last day has ended (24:00 Asia/Shanghai), not on it."""
    settings = make_settings("approval")
    async with running(create_approval(settings)) as client:
        await eventually(lambda: ready(client))
        today = today_in_shanghai()
        late = accepted_event(review_due_on=today - timedelta(days=1))
        last_day = accepted_event(review_due_on=today)
        early = accepted_event(review_due_on=today + timedelta(days=1))
        await publish(nats_server.url, late, last_day, early)
        headers = reader(settings)

        async def all_three():
            found = await cases(client, headers)
            return found if len(found) == 3 else None

        found = await eventually(all_three)
        overdue = {c["application_id"]: c["overdue"] for c in found}
        assert overdue == {late.data["application_id"]: True,
                           last_day.data["application_id"]: False,
                           early.data["application_id"]: False}
        assert [c["application_id"] for c in found] == [
            late.data["application_id"], last_day.data["application_id"],
            early.data["application_id"]]  # nearest deadline first
        only_late = await cases(client, headers, overdue="true")
        assert [c["application_id"] for c in only_late] == [late.data["application_id"]]
        in_time = await cases(client, headers, overdue="false")
        assert {c["application_id"] for c in in_time} == {
            last_day.data["application_id"], early.data["application_id"]}


async def test_cases_are_filtered_by_jurisdiction_and_role_R_SE_1(make_settings, nats_server):
    """R-SE-1: a township sees its own cases only, the county sees all; other roles are refused."""
    settings = make_settings("approval")
    async with running(create_approval(settings)) as client:
        await eventually(lambda: ready(client))
        ours, theirs = accepted_event(division=VILLAGE), accepted_event(division=OTHER_VILLAGE)
        await publish(nats_server.url, ours, theirs)
        county = reader(settings, [COUNTY], Role.county_officer)

        async def both():
            found = await cases(client, county)
            return found if len(found) == 2 else None

        found = {c["application_id"]: c for c in await eventually(both)}
        their_case = found[theirs.data["application_id"]]

        mine = await cases(client, reader(settings, [TOWNSHIP]))
        assert [c["application_id"] for c in mine] == [ours.data["application_id"]]
        assert await cases(client, reader(settings, ["230722200"], Role.township_leader)) == []
        assert await cases(client, reader(settings, ["230723"], Role.county_officer)) == []
        assert len(await cases(client, reader(settings, ["230700"], Role.city_officer))) == 2

        denied = await client.get(f"/api/v1/cases/{their_case['id']}",
                                  headers=reader(settings, [TOWNSHIP]))
        assert denied.status_code == 404  # R-SE-1: never confirm another township's record
        assert denied.json()["type"] == "urn:assist:problem:not-found"
        assert their_case["id"] in denied.json()["detail"]
        for role in (Role.village_assistant, Role.finance_officer):
            refused = await client.get("/api/v1/cases", headers=reader(settings, [COUNTY], role))
            assert refused.status_code == 403
        assert (await client.get("/api/v1/cases")).status_code == 401
        missing = await client.get("/api/v1/cases/nope", headers=county)
        assert missing.status_code == 404
