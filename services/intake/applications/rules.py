"""Rules of receiving an application, as plain functions: what each channel implies (R-IN-1),
the receipt day of a paper application, where an emergency happened (R-IN-6)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from shared.problems import InvalidField
from shared.programs import Program
from shared.workdays import WorkingCalendar

PAPER_CHANNELS = frozenset({"window", "village_proxy"})
"""Channels by which a paper application can be received on one day and entered on another."""
TEMPORARY_AID = frozenset({Program.TEMP_EMERGENCY, Program.TEMP_EXPENDITURE})


def receipt_day(received_on: date | None, *, channel: str, today: date,
                calendar: WorkingCalendar, backdate_working_days: int) -> date:
    """The day the application was received, from which every deadline counts: today, or for a
    paper application received earlier at a window or by a village proxy, the day it was
    received: never in the future, and entered within ``backdate_working_days`` working days
    of it, counted as R-AP-7 counts (the day of receipt not counted; the period ends at 24:00
    of its last working day)."""
    if received_on is None or received_on == today:
        return today
    if channel not in PAPER_CHANNELS:
        raise InvalidField("received_on", f"only a paper application (channel window or "
                           f"village_proxy) is entered after the day it was received; "
                           f"{channel} applications are received when they are entered")
    if received_on > today:
        raise InvalidField("received_on", f"{received_on} is in the future (today is {today})")
    # The period of R-AP-7's counting: it ends at 24:00 of its last working day.
    last_day = (calendar.add_working_days(received_on, backdate_working_days).last_day
                if backdate_working_days else received_on)
    if today > last_day:
        raise InvalidField("received_on", f"{received_on} is more than "
                           f"{backdate_working_days} working days ago: a paper application is "
                           f"entered within {backdate_working_days} working days of the day it "
                           f"was received (ASSIST_PAPER_BACKDATE_WORKING_DAYS), this one by "
                           f"{last_day}")
    return received_on


@dataclass(frozen=True)
class Proxy:
    """The village committee that applied for the person (村委会代办), and who of it acted."""

    committee: str
    agent: str
    agent_title: str | None


def channel_facts(*, channel: str, role: str, user_id: str, division: str,
                  proxy_agent: str | None, proxy_title: str | None,
                  referral_id: str | None) -> Proxy | None:
    """R-IN-1: what each channel implies. ``window``: received at the township's window, by a
    caseworker. ``village_proxy``: the committee of the household's village (a 12-digit code)
    applied, and who of it acted is recorded (a village assistant acts for it by applying; a
    caseworker entering its paper names the member, ``proxy.agent``). ``active_discovery``:
    follows a referral (R-IN-2), which ``referral_id`` names. ``online``: nothing more."""
    if channel == "window" and role != "caseworker":
        raise InvalidField("channel", "a window application is received by a caseworker of the "
                           "township; a village assistant applies as village_proxy or "
                           "active_discovery")
    if channel != "village_proxy" and proxy_agent is not None:
        raise InvalidField("proxy", "only a village_proxy application names the committee's "
                           "member who acted")
    if channel == "active_discovery" and referral_id is None:
        raise InvalidField("referral_id", "an active_discovery application follows a referral "
                           "(R-IN-2): name it")
    if channel != "village_proxy":
        return None
    if len(division) != 12:
        raise InvalidField("division", "a village committee applies for a household of its "
                           "village: give the village's 12-digit code")
    if proxy_agent is None:
        if role != "village_assistant":
            raise InvalidField("proxy", "name the member of the village committee who applied "
                               "(proxy.agent)")
        return Proxy(committee=division, agent=user_id, agent_title="village_assistant")
    return Proxy(committee=division, agent=proxy_agent, agent_title=proxy_title)


def check_emergency(program: str, *, happened_on: date | None, received_on: date) -> None:
    """R-IN-6: where and when an emergency happened is recorded for temporary aid only, and
    it happened before the application was received."""
    if Program(program) not in TEMPORARY_AID:
        raise InvalidField("emergency", f"only temporary aid records where an emergency "
                           f"happened; {program} does not")
    if happened_on is not None and happened_on > received_on:
        raise InvalidField("emergency.happened_on", f"{happened_on} is after the application "
                           f"was received ({received_on})")
