"""R-IN-4 duplicates against who already receives what: intake's register of recipients, kept
from approval's events (their producer is issue 8; here they are published as it will), and
the refusal naming the other record, through the REST API."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest

from shared.contracts.approval import (
    ApplicationDecided,
    BeneficiaryApproved,
    BeneficiaryStopped,
    TemporaryAidGranted,
)
from shared.events import Envelope
from shared.inbox import NotYet
from shared.workdays import today_in_shanghai
from tests.bus import publish
from tests.events import envelope_of
from tests.intake_cases import (
    TEMP_CHECKLIST,
    VILLAGE,
    County,
    application,
    member,
    running_county,
)
from tests.support import eventually


@pytest.fixture
async def county(make_settings) -> AsyncIterator[County]:
    async for c in running_county(make_settings):
        yield c


def this_month() -> str:
    return f"{today_in_shanghai():%Y-%m}"


def next_month() -> str:
    today = today_in_shanghai()
    return f"{today.year + today.month // 12}-{today.month % 12 + 1:02d}"


def approved(app: dict, beneficiary_id: str, *, month: str | None = None,
             member_ids: list[str] | None = None) -> Envelope:
    return envelope_of(BeneficiaryApproved(
        beneficiary_id=beneficiary_id, application_id=app["id"], program=app["program"],
        division=app["division"], head_name_masked="张*", amount_fen=56000,
        effective_month=month or this_month(), member_ids=member_ids),
        subject=beneficiary_id, division=app["division"])


def stopped(beneficiary_id: str, month: str) -> Envelope:
    return envelope_of(BeneficiaryStopped(beneficiary_id=beneficiary_id, effective_month=month),
                       subject=beneficiary_id, division=VILLAGE)


def decided(app: dict) -> Envelope:
    return envelope_of(ApplicationDecided(
        case_id=f"case-{app['id'][:8]}", application_id=app["id"],
        application_number=app["number"], program=app["program"], division=app["division"],
        outcome="approved", decided_at=datetime.now(UTC), decided_on=today_in_shanghai()),
        subject=app["id"], division=app["division"])


async def handle(county: County, envelope: Envelope) -> bool:
    """Apply one event through intake's own consumer path (inbox, handler, one transaction)."""
    return await county.apps["intake"].state.kit.consumer.handle(envelope)


async def test_r_in_4_no_one_applies_for_a_program_they_already_receive(county, nats_server):
    """R-IN-4: once approval confirms a dibao household (beneficiary_approved) and decides its
    application, its members cannot apply for dibao again, nor be counted in another household
    receiving a benefit, the refusal naming the other record; a stop (停发) frees them from its
    month on."""
    head, spouse = county.person("19600101"), county.person("19620202")
    first = await county.submitted(application(member(head, "head"),
                                               member(spouse, "spouse", "李四")))
    await publish(nats_server.url, approved(first, "ben-1"), decided(first))

    async def ended():
        got = await county.get(county.intake, f"/api/v1/applications/{first['id']}")
        return got["status"] == "decided"

    await eventually(ended, timeout=15)
    again = application(member(spouse, "head", "李四"), member(county.person("19900101"),
                                                               "spouse", "周五"))

    async def refused():
        r = await county.submit(again)
        return r if r.status_code == 409 else None

    r = await eventually(refused, timeout=15)
    problem = r.json()
    assert (problem["rule"], problem["beneficiary_id"], problem["other_application_number"],
            problem["field"]) == ("R-IN-4", "ben-1", first["number"],
                                  "household.members.0.id_number")
    assert "already receives dibao" in problem["detail"] and spouse not in r.text
    # another program in another household: one household at a time
    tekun = application(member(county.person("19300101"), "head", "王老"),
                        member(head, "child", cannot_live_independently=True),
                        program="tekun", materials=[])
    r = await county.submit(tekun)
    assert r.status_code == 409 and "another household" in r.json()["detail"]
    # the same household applying for temporary aid is fine (R-IN-1 every program)
    temporary = await county.submitted(application(
        member(head, "head"), member(spouse, "spouse"), program="temp_expenditure",
        materials=TEMP_CHECKLIST))
    await county.intake.post(f"/api/v1/applications/{temporary['id']}/withdrawal",
                             json={"requested_by": "张三"}, headers=county.caseworker)

    await publish(nats_server.url, stopped("ben-1", next_month()))
    await eventually(lambda: _stopped_from(county, "ben-1"), timeout=15)
    assert (await county.submit(again)).status_code == 409  # still paid this month
    await publish(nats_server.url, stopped("ben-1", this_month()))

    async def accepted():
        r = await county.submit(again)
        return r if r.status_code == 201 else None

    assert (await eventually(accepted, timeout=15)).json()["status"] == "accepted"


async def test_r_in_4_register_waits_for_what_it_depends_on(county):
    """A stop before its approval, or an approval before its application, is *not yet*: it is
    retried, not lost, and takes effect once what it depends on is there."""
    app = await county.household()
    with pytest.raises(NotYet):
        await handle(county, stopped("ben-2", this_month()))
    ghost = dict(app, id="no-such-application")
    with pytest.raises(NotYet):
        await handle(county, approved(ghost, "ben-3"))
    assert await handle(county, approved(app, "ben-2", month="2026-01")) is True
    assert await handle(county, stopped("ben-2", this_month())) is True
    assert await _stopped_from(county, "ben-2") == this_month()


async def test_r_in_4_only_the_members_approval_covers_are_held(county):
    """R-BE-4 a household of one: approval names the covered member (intake's member id); the
    others are free to apply once the application has ended."""
    head, spouse = county.person("19600101"), county.person("19620202")
    app = await county.submitted(application(member(head, "head"),
                                             member(spouse, "spouse", "李四")))
    head_id = app["household"]["members"][0]["id"]
    assert await handle(county, approved(app, "ben-4", member_ids=[head_id])) is True
    assert await handle(county, decided(app)) is True
    assert (await county.submit(application(member(spouse, "head", "李四")))).status_code == 201
    r = await county.submit(application(member(head, "head")))
    assert r.status_code == 409 and r.json()["beneficiary_id"] == "ben-4"


async def test_r_in_4_temporary_aid_paid_once_holds_nobody(county):
    """Temporary aid is paid once: it is recorded, but a new emergency is a new application."""
    head = county.person("19700707")
    app = await county.submitted(application(member(head, "head"), program="temp_emergency",
                                             materials=TEMP_CHECKLIST))
    assert await handle(county, envelope_of(TemporaryAidGranted(
        beneficiary_id="grant-1", application_id=app["id"], program="temp_emergency",
        division=VILLAGE, head_name_masked="张*", amount_fen=200000,
        effective_month=this_month()), subject="grant-1", division=VILLAGE)) is True
    assert await handle(county, decided(app)) is True
    r = await county.submit(application(member(head, "head"), program="temp_emergency",
                                        materials=TEMP_CHECKLIST))
    assert r.status_code == 201, r.text


async def _stopped_from(county: County, beneficiary_id: str) -> str | None:
    from services.intake.recipients.models import Recipient

    async with county.apps["intake"].state.kit.sessions() as session:
        recipient = await session.get(Recipient, beneficiary_id)
        return recipient.stopped_from if recipient is not None else None
