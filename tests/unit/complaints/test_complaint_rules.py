"""The rules of complaints, the hotline and media cases as plain functions: routing (R-CO-2),
deadlines in working days (R-CO-3, R-CO-4), tracking numbers and check codes (R-CO-1), working
hours and the answer rate (R-CO-5)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from services.complaints.complaints import rules
from services.complaints.complaints.access import NotTheHandler, can_see, require_handler
from services.complaints.complaints.models import Complaint, Level
from services.complaints.hotline.service import answer_rate, in_working_hours, parse_hours
from services.complaints.media.models import MediaCase
from services.complaints.media.service import INVESTIGATION_WORKING_DAYS, reasons_for
from shared.auth import Role, User
from shared.workdays import WorkingCalendar

VILLAGE = "230722100201"
TOWNSHIP = "230722100"
COUNTY = "230722"
CALENDAR = WorkingCalendar()
HOURS = parse_hours("08:30-12:00,13:30-17:30")


@pytest.mark.parametrize("concerns", ["household", "case"])
def test_the_township_of_the_division_handles_a_complaint_R_CO_2(concerns):
    routing = rules.route(concerns, VILLAGE)
    assert (routing.level, routing.handled_by) == (Level.township, TOWNSHIP)
    assert "R-CO-2" in routing.reason
    assert rules.route(concerns, TOWNSHIP).handled_by == TOWNSHIP


@pytest.mark.parametrize("concerns", ["staff", "township_fairness"])
def test_the_county_handles_complaints_about_staff_or_a_townships_fairness_R_CO_2(concerns):
    routing = rules.route(concerns, VILLAGE)
    assert (routing.level, routing.handled_by) == (Level.county, COUNTY)
    assert "county" in routing.reason and "city" in routing.reason


def test_a_complaint_naming_no_township_goes_to_the_county_R_CO_2():
    routing = rules.route("household", COUNTY)
    assert (routing.level, routing.handled_by) == (Level.county, COUNTY)
    with pytest.raises(ValueError):
        rules.route("gossip", VILLAGE)


def test_deadlines_count_working_days_skipping_the_national_day_R_CO_3():
    """Registered on Monday 2026-09-28: 2026-10-01…07 are holidays (10-10 a make-up
    working day, if the year's calendar has one): the periods stretch over them."""
    due = rules.deadlines(date(2026, 9, 28), calendar=CALENDAR, handling_days=5,
                          answer_days=10, answer_wanted=True)
    assert due.handling.last_day == CALENDAR.add_working_days(date(2026, 9, 28), 5).last_day
    assert due.handling.last_day > date(2026, 10, 7)  # not 5 calendar days
    assert due.answer is not None and due.answer.last_day > due.handling.last_day
    assert rules.deadlines(date(2026, 12, 7), calendar=CALENDAR, handling_days=15,
                           answer_days=20, answer_wanted=False).answer is None


def test_the_answer_is_never_due_before_the_handling_R_CO_3():
    due = rules.deadlines(date(2026, 12, 7), calendar=CALENDAR, handling_days=15,
                          answer_days=3, answer_wanted=True)
    assert due.answer is not None and due.answer.last_day == due.handling.last_day
    assert rules.on_time(due.handling.last_day, due.handling.last_day)
    assert not rules.on_time(date(2027, 1, 30), due.handling.last_day)
    assert rules.on_time(date(2030, 1, 1), None)


def test_media_investigations_are_due_in_3_working_days_R_CO_4():
    """Disclosed on Friday 2026-12-04: Monday, Tuesday, Wednesday → due 2026-12-09."""
    assert INVESTIGATION_WORKING_DAYS == 3
    assert CALENDAR.add_working_days(date(2026, 12, 4), 3).last_day == date(2026, 12, 9)


def test_tracking_numbers_R_CO_1():
    assert rules.format_tracking_number(COUNTY, 2026, 123) == "TS230722-2026-000123"
    for county, sequence in ((COUNTY, 0), (COUNTY, 1_000_000), ("2307", 1)):
        with pytest.raises(ValueError):
            rules.format_tracking_number(county, 2026, sequence)


def test_a_check_code_matches_its_own_number_only_R_CO_1():
    code = rules.new_check_code()
    assert len(code) == rules.CODE_LENGTH and set(code) <= set(rules.CODE_ALPHABET)
    keys = {"k1": b"1" * 32, "k2": b"2" * 32}
    digest = rules.check_code_digest(keys["k1"], "TS230722-2026-000001", code)
    assert rules.code_matches(keys, "TS230722-2026-000001", code.lower(), digest)
    assert not rules.code_matches(keys, "TS230722-2026-000002", code, digest)
    assert not rules.code_matches(keys, "TS230722-2026-000001", "WRONG234", digest)
    assert not rules.code_matches({"k2": keys["k2"]}, "TS230722-2026-000001", code, digest)
    assert not rules.code_matches(keys, "TS230722-2026-000001", code, None)


def shanghai(day: str, clock: str) -> datetime:
    return datetime.fromisoformat(f"{day}T{clock}:00+08:00").astimezone(UTC)


@pytest.mark.parametrize(("moment", "expected"), [
    (shanghai("2026-12-07", "08:30"), True),  # Monday, the opening minute
    (shanghai("2026-12-07", "12:00"), False),  # lunch: a range excludes its end
    (shanghai("2026-12-07", "13:30"), True),
    (shanghai("2026-12-07", "17:29"), True),
    (shanghai("2026-12-07", "17:30"), False),
    (shanghai("2026-12-07", "08:29"), False),
    (shanghai("2026-12-05", "10:00"), False),  # Saturday
    (shanghai("2026-10-01", "10:00"), False),  # National Day
])
def test_working_hours_of_the_hotline_R_CO_5(moment, expected):
    assert in_working_hours(moment, calendar=CALENDAR, hours=HOURS) is expected


def test_the_hotlines_hours_are_read_strictly_R_CO_5():
    assert len(HOURS) == 2
    with pytest.raises(ValueError):
        parse_hours("17:00-08:00")
    with pytest.raises(ValueError):
        parse_hours("8-12")


def test_the_answer_rate_is_answered_over_calls_in_working_hours_R_CO_5():
    assert answer_rate(9, 10) == 0.9
    assert answer_rate(2, 3) == 0.6667
    assert answer_rate(0, 0) is None


def test_similar_cases_say_why_they_matched_R_CO_4():
    media = MediaCase(division=VILLAGE, program="dibao", category="favouritism")
    assert reasons_for(media, division=VILLAGE, program="dibao", category="favouritism") == [
        "same village", "same program", "same kind of problem"]
    assert reasons_for(media, division="230722100202", program="tekun",
                       category="favouritism") == ["same township", "same kind of problem"]
    assert reasons_for(media, division="230722101201", program="dibao", category=None) == [
        "same program"]


def user(role: Role, *divisions: str) -> User:
    return User(user_id=f"{role}-1", role=role, divisions=divisions)


def complaint(level: Level, division: str = VILLAGE) -> Complaint:
    return Complaint(level=level.value, division=division, tracking_number="TS230722-2026-000001",
                     handled_by=division[:9] if level == Level.township else division[:6])


def test_a_township_never_sees_what_the_county_handles_R_CO_2():
    """R-CO-2, R-SE-1: a complaint about the township's own staff is out of its staff's sight;
    the county and the city see both; another township sees neither."""
    township_case, county_case = complaint(Level.township), complaint(Level.county)
    for role in (Role.caseworker, Role.township_leader, Role.village_assistant):
        assert can_see(user(role, TOWNSHIP), township_case)
        assert not can_see(user(role, TOWNSHIP), county_case)
    assert can_see(user(Role.county_officer, COUNTY), county_case)
    assert can_see(user(Role.city_officer, "230700"), county_case)
    assert not can_see(user(Role.caseworker, "230722101"), township_case)


def test_each_level_acts_on_its_own_complaints_R_CO_2():
    """R-CO-2: township caseworkers and leaders act on the township's, county officers on the
    county's; anyone else is refused with complaint-handled-elsewhere."""
    require_handler(user(Role.caseworker, TOWNSHIP), complaint(Level.township))
    require_handler(user(Role.county_officer, COUNTY), complaint(Level.county))
    for who, level in ((user(Role.county_officer, COUNTY), Level.township),
                       (user(Role.township_leader, TOWNSHIP), Level.county),
                       (user(Role.city_officer, "230700"), Level.county)):
        with pytest.raises(NotTheHandler):
            require_handler(who, complaint(level))
