"""Complaints service: starts, migrates, keeps a reference to every record any event names, so a
complaint can be linked to its case (R-CO-1, R-SE-1)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from services.complaints.app import create_app as create_complaints
from shared.auth import Role
from shared.context import new_id
from shared.contracts import EventContract, intake
from shared.contracts.approval import ReviewCaseOpened
from shared.contracts.verification import InvestigationOpened
from shared.events import Envelope
from tests.bus import consumer_drained, publish
from tests.events import envelope_of
from tests.support import bearer, eventually, ready, running

COUNTY = "230722"  # 嘉荫县
TOWNSHIP = "230722100"  # 朝阳镇
VILLAGE = "230722100201"  # 东风村, 朝阳镇
OTHER_VILLAGE = "230722101201"  # 乌云村, 乌云镇


def event(contract: EventContract, subject: str, *, division: str | None = VILLAGE,
          at: datetime | None = None) -> Envelope:
    """An envelope as the contract's producer would publish it; ``at`` backdates it."""
    env = envelope_of(contract, subject=subject, division=division)
    return env.model_copy(update={"time": at}) if at else env


def application_events(division: str = VILLAGE) -> dict[str, Envelope]:
    """One application's trail across intake, verification and approval."""
    application_id, investigation_id, case_id = new_id(), new_id(), new_id()
    common = {"application_id": application_id,
              "application_number": f"SQ{COUNTY}-{application_id[:8]}", "program": "dibao"}
    facts = {**common, "division": division, "area": "rural", "household_size": 2}
    return {
        "submitted": event(intake.ApplicationSubmitted(
            **facts, channel="window", submitted_at=datetime(2026, 11, 2, 1, 0, tzinfo=UTC),
            materials=[], members=[]), application_id, division=division,
            at=datetime(2026, 11, 2, 1, 0, tzinfo=UTC)),
        "accepted": event(intake.ApplicationAccepted(
            **facts, channel="window", accepted_on=date(2026, 11, 3),
            review_due_on=date(2026, 12, 1), review_due_provisional=False, members=[]),
            application_id, division=division, at=datetime(2026, 11, 3, 1, 0, tzinfo=UTC)),
        "investigation": event(InvestigationOpened(
            **common, investigation_id=investigation_id), investigation_id, division=division),
        "case": event(ReviewCaseOpened(
            **common, case_id=case_id, division=division, household_size=2,
            status="awaiting_investigation", accepted_on=date(2026, 11, 3),
            review_due_on=date(2026, 12, 1), review_due_provisional=False),
            case_id, division=division),
    }


def staff(settings, divisions=(TOWNSHIP,), role=Role.caseworker):
    return bearer(settings, role, divisions)


async def references(client, headers, **params) -> list[dict]:
    response = await client.get("/api/v1/case-references", headers=headers, params=params)
    assert response.status_code == 200, response.text
    return response.json()


async def test_complaints_starts_migrates_and_answers_health_checks(make_settings):
    """The service migrates itself on start and reports ready (tables: test_migrations)."""
    settings = make_settings("complaints")
    async with running(create_complaints(settings)) as client:
        assert (await client.get("/healthz")).json() == {"status": "ok", "service": "complaints"}
        await eventually(lambda: ready(client))
        assert (await client.get("/readyz")).json()["checks"] == {"database": "ok", "nats": "ok"}


async def test_every_event_keeps_its_record_findable(make_settings, nats_server):
    """Events of any service leave a reference by record id and application number; an older
    event arriving late does not overwrite the latest; a redelivery changes nothing."""
    settings = make_settings("complaints")
    app = create_complaints(settings)
    async with running(app) as client:
        await eventually(lambda: ready(client))
        trail = application_events()
        number = trail["accepted"].data["application_number"]
        await publish(nats_server.url, trail["accepted"], trail["investigation"], trail["case"],
                      trail["submitted"])
        headers = staff(settings)

        async def all_four():
            found = await references(client, headers, application_number=number)
            return found if sum(r["event_count"] for r in found) == 4 else None

        found = {r["service"]: r for r in await eventually(all_four)}
        assert set(found) == {"intake", "verification", "approval"}
        intake = found["intake"]
        assert intake["record_id"] == trail["accepted"].subject
        assert intake["last_event_type"] == "assist.intake.application_accepted"
        assert intake["event_count"] == 2
        assert intake["first_seen"] == "2026-11-02T01:00:00Z"
        assert intake["last_seen"] == "2026-11-03T01:00:00Z"
        assert (intake["program"], intake["division"]) == ("dibao", VILLAGE)
        assert found["verification"]["division"] == VILLAGE
        assert found["approval"]["application_id"] == trail["case"].data["application_id"]

        by_record = await references(client, headers, record_id=trail["case"].subject)
        assert [r["service"] for r in by_record] == ["approval"]
        one = await client.get(f"/api/v1/case-references/{intake['id']}", headers=headers)
        assert one.json() == intake

        # Redelivered after JetStream's duplicate window: same event id, new Nats-Msg-Id.
        await publish(nats_server.url, trail["submitted"],
                      msg_id=f"{trail['submitted'].id}-again")
        await eventually(lambda: consumer_drained(nats_server.url, "complaints"))
        assert await app.state.kit.consumer.handle(trail["accepted"]) is False
        assert await references(client, headers, record_id=intake["record_id"]) == [intake]


async def test_case_references_are_filtered_by_jurisdiction_R_SE_1(make_settings, nats_server):
    """R-SE-1: another township sees none of ours; the county and the city see both."""
    settings = make_settings("complaints")
    async with running(create_complaints(settings)) as client:
        await eventually(lambda: ready(client))
        ours, theirs = application_events(VILLAGE), application_events(OTHER_VILLAGE)
        nowhere = event(intake.ChecklistReplaced(program="dibao", items=[], previous_items=[]),
                        "dibao", division=None)  # a checklist belongs to no division
        await publish(nats_server.url, ours["accepted"], theirs["accepted"], nowhere)
        county = staff(settings, [COUNTY], Role.county_officer)

        async def both():
            found = await references(client, county)
            return found if len(found) == 2 else None

        found = {r["record_id"]: r for r in await eventually(both)}
        await eventually(lambda: consumer_drained(nats_server.url, "complaints"))
        assert set(found) == {ours["accepted"].subject, theirs["accepted"].subject}
        mine = await references(client, staff(settings))
        assert [r["record_id"] for r in mine] == [ours["accepted"].subject]
        other = staff(settings, ["230722200"], Role.township_leader)
        assert await references(client, other) == []
        number = ours["accepted"].data["application_number"]
        assert await references(client, other, application_number=number) == []
        assert len(await references(client, staff(settings, ["230700"], Role.city_officer))) == 2
        their_id = found[theirs["accepted"].subject]["id"]
        denied = await client.get(f"/api/v1/case-references/{their_id}", headers=staff(settings))
        assert denied.status_code == 404  # R-SE-1: another division's record is not confirmed
        for role in (Role.finance_officer, Role.village_assistant):
            refused = await client.get("/api/v1/case-references",
                                       headers=staff(settings, [COUNTY], role))
            assert refused.status_code == 403
