"""Receiving applications through the REST API: what each channel implies (R-IN-1), paper
applications entered after the day they were received, where an emergency happened (R-IN-6),
and who counts in the household, with the reason (R-IN-7)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from shared.auth import Role
from shared.programs import Program, review_deadline
from shared.workdays import today_in_shanghai
from tests.bus import stream_events
from tests.intake_cases import (
    OTHER_VILLAGE,
    TEMP_CHECKLIST,
    TOWNSHIP,
    VILLAGE,
    County,
    application,
    days_ago,
    id_number,
    member,
    running_county,
)
from tests.support import eventually


@pytest.fixture
async def county(make_settings) -> AsyncIterator[County]:
    async for c in running_county(make_settings, temp_aid_working_days=1):
        yield c


def household(county: County, *extra: dict) -> list[dict]:
    return [member(county.person("19600101"), "head"),
            member(county.person("19620202"), "spouse", "李四"), *extra]


async def test_r_in_1_each_channel_records_what_it_implies(county):
    """R-IN-1: a window application is a caseworker's; a village proxy records the committee of
    the household's village and who of it acted; online and the window name no committee."""
    assistant = county.assistant
    r = await county.submit(application(*household(county), channel="window"), assistant)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "channel"

    by_assistant = await county.submitted(
        application(*household(county), channel="village_proxy"), assistant)
    assert by_assistant["proxy"] == {"committee": VILLAGE, "agent": "va-dongfeng",
                                     "agent_title": "village_assistant"}
    assert by_assistant["submitted_by"] == "va-dongfeng"

    paper = await county.submitted(application(
        *household(county), channel="village_proxy", division=OTHER_VILLAGE,
        proxy={"agent": "刘长河", "agent_title": "永胜村村委会主任"}))
    assert paper["proxy"] == {"committee": OTHER_VILLAGE, "agent": "刘长河",
                              "agent_title": "永胜村村委会主任"}
    assert paper["submitted_by"] == "cw-wang"

    for body, field in [
        (application(*household(county), channel="village_proxy"), "proxy"),
        (application(*household(county), channel="village_proxy", division=TOWNSHIP,
                     proxy={"agent": "刘长河"}), "division"),
        (application(*household(county), channel="online", proxy={"agent": "刘长河"}), "proxy"),
        (application(*household(county), channel="window", proxy={"agent": "刘长河"}), "proxy"),
    ]:
        r = await county.submit(body)
        assert r.status_code == 422, r.text
        assert [e["field"] for e in r.json()["errors"]] == [field]
    online = await county.submitted(application(*household(county), channel="online"))
    assert online["proxy"] is None and online["channel"] == "online"
    # a village assistant applies only in their own village (R-SE-1)
    r = await county.submit(application(*household(county), channel="village_proxy",
                                        division=OTHER_VILLAGE), assistant)
    assert r.status_code == 403


async def test_paper_application_counts_from_the_day_it_was_received(county, nats_server):
    """A paper application received 5 working days ago (ASSIST_PAPER_BACKDATE_WORKING_DAYS)
    is accepted on that day and every deadline counts from it (R-AP-7); the event names the
    receipt day and who entered it. Six working days back, or tomorrow, is refused."""
    kit = county.apps["intake"].state.kit
    today = today_in_shanghai()
    earliest = days_ago(kit.calendar, today, 5)
    app = await county.submitted(application(*household(county), received_on=str(earliest)))
    assert app["received_on"] == str(earliest) and app["accepted_on"] == str(earliest)
    due = review_deadline(Program.DIBAO, earliest, kit.calendar)
    assert app["review_due_on"] == str(due.last_day)
    case = await county.case_of(app["id"])
    assert case["accepted_on"] == str(earliest) and case["review_due_on"] == str(due.last_day)

    for received_on, why in [(earliest - timedelta(days=1), "more than 5 working days ago"),
                             (today + timedelta(days=1), "in the future")]:
        r = await county.submit(application(*household(county), received_on=str(received_on)))
        assert r.status_code == 422, received_on
        [error] = r.json()["errors"]
        assert error["field"] == "received_on" and why in error["message"]
    online = await county.submit(application(*household(county), channel="online",
                                             received_on=str(earliest)))
    assert online.status_code == 422 and online.json()["errors"][0]["field"] == "received_on"

    async def submitted():
        events = await stream_events(nats_server.url,
                                     "assist.230722.intake.application_submitted")
        return [e for e in events if e.subject == app["id"]]

    [event] = await eventually(submitted)
    assert event.data["received_on"] == str(earliest)
    assert event.data["entered_by"] == "cw-wang" and event.actor.user_id == "cw-wang"


async def test_paper_temporary_aid_past_its_deadline_is_overdue_until_it_ends(county):
    """R-AP-7 from the receipt day: temporary aid (1 working day here) received 5 working days
    ago is overdue at approval at once; withdrawn, its case closes and is overdue no more."""
    kit = county.apps["intake"].state.kit
    received = days_ago(kit.calendar, today_in_shanghai(), 5)
    app = await county.submitted(application(*household(county), program="temp_expenditure",
                                             materials=TEMP_CHECKLIST, received_on=str(received)))
    case = await county.case_of(app["id"])
    assert case["overdue"] is True
    overdue = await county.get(county.approval, "/api/v1/cases", overdue="true")
    assert [c["application_id"] for c in overdue] == [app["id"]]
    r = await county.intake.post(f"/api/v1/applications/{app['id']}/withdrawal",
                                 json={"requested_by": "张三", "requested_on": str(received)},
                                 headers=county.caseworker)
    assert r.status_code == 200, r.text
    closed = await county.case_of(app["id"], status="closed")
    assert closed["overdue"] is False
    assert await county.get(county.approval, "/api/v1/cases", overdue="true") == []


async def test_r_in_6_temporary_aid_where_the_emergency_happened(county):
    """R-IN-6: a traveller registered in Beijing applies for emergency aid in the village where
    their car crashed: accepted there, the place recorded; the ID number's address code is never
    checked against the division (R-IN-4)."""
    traveller = id_number("19850505", "051", region="110105")
    emergency = {"happened_in": VILLAGE, "happened_on": str(today_in_shanghai()),
                 "circumstances": "途经东风村时发生车祸, 急需救治"}
    app = await county.submitted(application(
        member(traveller, "head", "赵旅"), program="temp_emergency", materials=TEMP_CHECKLIST,
        household={"address": "北京市朝阳区某街道1号", "members": [
            member(traveller, "head", "赵旅")]}, emergency=emergency))
    assert app["status"] == "accepted" and app["division"] == VILLAGE
    assert app["emergency"] == emergency
    assert app["household"]["members"][0]["id_number"].startswith("110")

    elsewhere = {**emergency, "happened_in": "230723100"}  # another county: recorded as given
    other = await county.submitted(application(
        *household(county), program="temp_emergency", materials=TEMP_CHECKLIST,
        emergency=elsewhere))
    assert other["emergency"]["happened_in"] == "230723100"
    for body, field in [
        (application(*household(county), emergency=emergency), "emergency"),
        (application(*household(county), program="temp_emergency", materials=TEMP_CHECKLIST,
                     emergency={**emergency, "happened_in": "230722100299"}),
         "emergency.happened_in"),
        (application(*household(county), program="temp_emergency", materials=TEMP_CHECKLIST,
                     emergency={**emergency, "happened_on": str(today_in_shanghai()
                                                                + timedelta(days=1))}),
         "emergency.happened_on"),
    ]:
        r = await county.submit(body)
        assert r.status_code == 422, r.text
        assert [e["field"] for e in r.json()["errors"]] == [field]


async def test_r_in_7_members_counted_with_the_reason_the_rule_gives(county, nats_server):
    """R-IN-7 through the API: the reasons follow relationship, age and what is declared; the
    counted size follows, and the events carry it; an undeclared parent is a 422."""
    head, spouse = county.person("19600101"), county.person("19620202")
    student, independent = county.person("20040901"), county.person("19900303")
    mother, prisoner = county.person("19380808"), county.person("19880808")
    minor = county.person("20150505")
    members = [member(head, "head"), member(spouse, "spouse", "李四"),
               member(student, "child", "王磊", is_student=True),
               member(independent, "child", "王强"),
               member(mother, "parent", "刘氏", lives_with_household=True),
               member(prisoner, "child", "王勇", living_status="serving_sentence"),
               member(minor, "grandchild", "王欣", lives_with_household=True)]
    undeclared = [*members[:4], member(mother, "parent", "刘氏")]
    r = await county.submit(application(*undeclared))
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "household.members.4.lives_with_household"

    app = await county.submitted(application(*members))
    got = app["household"]["members"]
    assert [(m["count_reason"], m["counted"]) for m in got] == [
        ("head", True), ("spouse", True), ("adult_child_student", True),
        ("adult_child_independent", False), ("supported_relative", True),
        ("serving_sentence", False), ("supported_relative", True)]
    assert app["household"]["counted_size"] == 5
    case = await county.case_of(app["id"])
    assert case["household_size"] == 5

    async def submitted():
        events = await stream_events(nats_server.url,
                                     "assist.230722.intake.application_submitted")
        return [e for e in events if e.subject == app["id"]]

    [event] = await eventually(submitted)
    assert [m["count_reason"] for m in event.data["members"]] == [m["count_reason"] for m in got]
    assert event.data["household_size"] == 5


async def test_village_assistant_reads_only_their_village(county):
    """R-SE-1: the village assistant sees the applications of their village, not the
    township's others."""
    ours = await county.submitted(application(*household(county), channel="village_proxy"),
                                  county.assistant)
    await county.submitted(application(*household(county), channel="village_proxy",
                                       division=OTHER_VILLAGE, proxy={"agent": "刘长河"}))
    listed = await county.get(county.intake, "/api/v1/applications", county.assistant)
    assert [a["id"] for a in listed] == [ours["id"]]
    assert len(await county.get(county.intake, "/api/v1/applications",
                                county.as_(Role.caseworker))) == 2


async def test_application_lists_filter_by_division_days_channel_overdue_and_page(county):
    """Every list paginates (keyset cursors) and filters: division, days received, channel,
    program, status, and overdue (accepted and past its R-AP-7 deadline)."""
    kit = county.apps["intake"].state.kit
    today = today_in_shanghai()
    received = days_ago(kit.calendar, today, 5)
    late = await county.submitted(application(*household(county), program="temp_expenditure",
                                              materials=TEMP_CHECKLIST,
                                              received_on=str(received)))
    on_time = await county.submitted(application(*household(county)))
    proxy = await county.submitted(application(*household(county), channel="village_proxy",
                                               division=OTHER_VILLAGE, proxy={"agent": "刘"}))

    async def ids(**params) -> list[str]:
        return [a["id"] for a in await county.get(county.intake, "/api/v1/applications",
                                                  **params)]

    assert await ids(overdue="true") == [late["id"]]
    assert await ids(overdue="false") == [proxy["id"], on_time["id"]]
    assert await ids(division=OTHER_VILLAGE) == [proxy["id"]]
    assert await ids(division=TOWNSHIP, channel="window") == [on_time["id"], late["id"]]
    assert await ids(received_to=str(received)) == [late["id"]]
    assert await ids(received_from=str(today)) == [proxy["id"], on_time["id"]]
    assert await ids(program="temp_expenditure", status="accepted") == [late["id"]]
    seen, cursor = [], None
    while True:
        params = {"limit": 2} | ({"cursor": cursor} if cursor else {})
        r = await county.intake.get("/api/v1/applications", params=params,
                                    headers=county.officer)
        seen += [a["id"] for a in r.json()]
        if not (cursor := r.headers.get("x-next-cursor")):
            break
    assert seen == [proxy["id"], on_time["id"], late["id"]]
    for bad in ({"division": "23072210"}, {"received_from": "yesterday"}, {"channel": "fax"}):
        assert (await county.intake.get("/api/v1/applications", params=bad,
                                        headers=county.officer)).status_code == 422, bad
