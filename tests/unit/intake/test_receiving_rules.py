"""Rules of receiving an application, with no database: the receipt day of a paper
application, what each channel implies (R-IN-1), the emergency's place (R-IN-6)."""

from datetime import date

import pytest

from services.intake.applications.rules import channel_facts, check_emergency, receipt_day
from shared.problems import InvalidField
from shared.workdays import WorkingCalendar

CALENDAR = WorkingCalendar()
FRIDAY = date(2026, 11, 20)


def received(on: date, today: date, channel: str = "window", days: int = 5) -> date:
    return receipt_day(on, channel=channel, today=today, calendar=CALENDAR,
                       backdate_working_days=days)


def test_paper_received_on_friday_is_entered_by_the_fifth_working_day_after():
    """Counted as R-AP-7 counts: Friday's paper is entered by the next Friday, not Saturday."""
    assert received(FRIDAY, date(2026, 11, 27)) == FRIDAY
    with pytest.raises(InvalidField, match="by 2026-11-27") as caught:
        received(FRIDAY, date(2026, 11, 28))
    assert caught.value.extensions["errors"][0]["field"] == "received_on"


def test_a_holiday_week_does_not_count():
    """2026's National Day week (1–7 October) holds no working day."""
    assert received(date(2026, 9, 30), date(2026, 10, 12)) == date(2026, 9, 30)


def test_receipt_day_is_never_in_the_future_and_only_on_paper():
    today = date(2026, 11, 25)
    assert received(None, today) == today and received(today, today, "online") == today
    with pytest.raises(InvalidField, match="future"):
        received(date(2026, 11, 26), today)
    with pytest.raises(InvalidField, match="paper"):
        received(date(2026, 11, 24), today, "online")
    with pytest.raises(InvalidField, match="more than 0"):
        received(date(2026, 11, 24), today, days=0)
    assert received(date(2026, 11, 24), today, "village_proxy", days=1) == date(2026, 11, 24)


def facts(channel: str, role: str = "caseworker", division: str = "230722100201",
          agent: str | None = None, referral: str | None = None):
    return channel_facts(channel=channel, role=role, user_id="u-1", division=division,
                         proxy_agent=agent, proxy_title=None, referral_id=referral)


def test_r_in_1_what_each_channel_implies():
    """R-IN-1: the window is a caseworker's; a village proxy is the village's committee; active
    discovery follows its referral."""
    assert facts("window") is None and facts("online", "village_assistant") is None
    assert facts("active_discovery", "village_assistant", referral="r-1") is None
    assert facts("village_proxy", "village_assistant").agent == "u-1"
    assert facts("village_proxy", agent="刘长河").committee == "230722100201"
    for kwargs, field in [({"channel": "window", "role": "village_assistant"}, "channel"),
                          ({"channel": "village_proxy"}, "proxy"),
                          ({"channel": "village_proxy", "agent": "刘", "division": "230722100"},
                           "division"),
                          ({"channel": "online", "agent": "刘"}, "proxy"),
                          ({"channel": "active_discovery"}, "referral_id")]:
        with pytest.raises(InvalidField) as caught:
            facts(**kwargs)
        assert caught.value.extensions["errors"][0]["field"] == field


def test_r_in_6_only_temporary_aid_records_an_emergency():
    check_emergency("temp_emergency", happened_on=FRIDAY, received_on=FRIDAY)
    check_emergency("temp_expenditure", happened_on=None, received_on=FRIDAY)
    with pytest.raises(InvalidField, match="only temporary aid"):
        check_emergency("dibao", happened_on=None, received_on=FRIDAY)
    with pytest.raises(InvalidField, match="after"):
        check_emergency("temp_emergency", happened_on=date(2026, 11, 21), received_on=FRIDAY)
