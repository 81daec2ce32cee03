"""The public deadline calculator: R-AP-7 review periods on the official working-day calendar,
R-AP-5 the written refusal, and provisional answers for years with no loaded calendar."""

from __future__ import annotations

import json

import pytest

from services.approval.app import create_app as create_approval
from shared.auth import Role
from tests.support import bearer, domain_event_count, outbox_types, running


@pytest.fixture
async def approval(make_settings):
    settings = make_settings("approval")
    calendar = settings.calendar_path
    calendar.mkdir(parents=True, exist_ok=True)
    # an administrator loaded 2035: May Day 2035-05-01 … 05-05 off, Sunday 04-29 worked
    (calendar / "2035.json").write_text(json.dumps({
        "year": 2035, "holidays": [f"2035-05-0{d}" for d in range(1, 6)],
        "workdays": ["2035-04-29"]}), encoding="utf-8")
    app = create_approval(settings)
    async with running(app) as client:
        client.kit = app.state.kit  # type: ignore[attr-defined]
        yield client


async def ask(client, **params) -> dict:
    answer = await client.get("/api/v1/deadlines", params=params)
    assert answer.status_code == 200, answer.text
    return answer.json()


async def test_r_ap_7_dibao_across_national_day_counts_the_adjusted_working_day(approval):
    """R-AP-7: accepted Monday 2026-09-28 (not counted); 09-29 and 09-30 are days 1–2, the
    National Day holiday 10-01 … 10-07 is off, Saturday 10-10 is an adjusted working day (调休)
    and counts: day 20 is Friday 2026-10-30 (on weekdays alone it would be 10-26, without the
    adjusted day 11-02). Extended: 30 working days, 2026-11-13. No token needed."""
    body = await ask(approval, program="dibao", start="2026-09-28")
    assert body["review"] == {"working_days": 20, "counted_from": "2026-09-28",
                              "last_day": "2026-10-30", "ends_at": "2026-10-31T00:00:00+08:00",
                              "provisional": False}
    assert (body["extended"]["working_days"], body["extended"]["last_day"]) == (30, "2026-11-13")
    assert body["written_refusal"] is None and body["provisional"] is False


async def test_r_ap_7_tekun_and_temporary_aid_which_has_no_extension(approval):
    """R-AP-7: tekun 15 working days (20 extended); temporary aid the county's setting (10),
    with no extended period."""
    tekun = await ask(approval, program="tekun", start="2026-09-28")
    assert (tekun["review"]["last_day"], tekun["extended"]["last_day"]) == ("2026-10-23",
                                                                            "2026-10-30")
    for program in ("temp_emergency", "temp_expenditure"):
        temp = await ask(approval, program=program, start="2026-09-28")
        assert (temp["review"]["working_days"], temp["review"]["last_day"]) == (10, "2026-10-16")
        assert temp["extended"] is None


async def test_r_ap_5_the_written_refusal_three_working_days_from_the_decision(approval):
    """R-AP-5: decided Tuesday 2026-09-29: 09-30, then 10-08 and 10-09 after the holiday; decided
    Friday 2026-10-09: Saturday 10-10 (调休) counts, so the last day is Tuesday 10-13."""
    before = await ask(approval, program="dibao", start="2026-09-01", decided_on="2026-09-29")
    assert before["written_refusal"] == {
        "working_days": 3, "counted_from": "2026-09-29", "last_day": "2026-10-09",
        "ends_at": "2026-10-10T00:00:00+08:00", "provisional": False}
    after = await ask(approval, program="dibao", start="2026-09-01", decided_on="2026-10-09")
    assert after["written_refusal"]["last_day"] == "2026-10-13"


async def test_a_year_with_no_loaded_calendar_is_provisional_and_a_loaded_one_is_not(approval):
    """R-AP-7: 2031 has no calendar (the package knows to 2026, nothing loaded): counted on
    weekdays, marked provisional; 2035 was loaded by an administrator: its May Day holiday is
    off, its adjusted Sunday counts, and the answer is not provisional."""
    far = await ask(approval, program="dibao", start="2031-03-03", decided_on="2031-03-07")
    assert far["review"]["last_day"] == "2031-03-31"  # 20 weekdays after Monday 03-03
    assert far["review"]["provisional"] and far["extended"]["provisional"]
    assert far["written_refusal"]["provisional"] and far["provisional"]
    loaded = await ask(approval, program="temp_emergency", start="2035-04-26")
    # Thu 04-26: Fri 27, Sun 29 (调休), Mon 30, then 05-07 … 05-11, 05-14, 05-15
    assert loaded["review"]["last_day"] == "2035-05-15"
    assert loaded["provisional"] is False
    # a period that runs from 2026 into 2027 (not in the package yet) is provisional too
    assert (await ask(approval, program="dibao", start="2026-12-20"))["provisional"] is True


@pytest.mark.parametrize(("params", "field"), [
    ({"program": "pension", "start": "2026-12-01"}, "program"),
    ({"program": "dibao", "start": "2026-13-01"}, "start"),
    ({"program": "dibao"}, "start"),
    ({"program": "dibao", "start": "2026-12-01", "decided_on": "2026-11-30"}, "decided_on"),
    ({"program": "dibao", "start": "1899-12-31"}, "start"),
])
async def test_a_bad_program_or_date_is_a_422_problem_naming_it(approval, params, field):
    answer = await approval.get("/api/v1/deadlines", params=params)
    assert answer.status_code == 422
    assert answer.headers["content-type"] == "application/problem+json"
    assert field in [e["field"] for e in answer.json()["errors"]]


async def test_the_calculator_is_public_documented_so_and_records_nothing(approval):
    """No token needed (x-public in the API document); a caller with a token gets the same
    answer; nothing is written (no event, no operation record)."""
    spec = (await approval.get("/openapi.json")).json()
    operation = spec["paths"]["/api/v1/deadlines"]["get"]
    assert operation["x-roles"] == [] and operation["x-public"] is True
    assert "429" in operation["responses"]
    settings = approval.kit.settings
    anonymous = await ask(approval, program="dibao", start="2026-09-28")
    staff = await approval.get("/api/v1/deadlines", params={"program": "dibao",
                                                             "start": "2026-09-28"},
                               headers=bearer(settings, Role.caseworker, ["230722100"]))
    assert staff.json() == anonymous
    assert await domain_event_count(approval.kit) == 0
    assert await outbox_types(approval.kit) == []


async def test_public_calls_are_limited_per_address(make_settings):
    """shared.ratelimit: past ASSIST_PUBLIC_RATE_PER_MINUTE requests a minute from one address,
    429 too-many-requests with when to try again."""
    settings = make_settings("approval", public_rate_per_minute=3)
    async with running(create_approval(settings)) as client:
        params = {"program": "dibao", "start": "2026-09-28"}
        for _ in range(3):
            assert (await client.get("/api/v1/deadlines", params=params)).status_code == 200
        refused = await client.get("/api/v1/deadlines", params=params)
        assert refused.status_code == 429
        assert refused.json()["type"] == "urn:assist:problem:too-many-requests"
        assert 1 <= refused.json()["retry_after_s"] <= 20
