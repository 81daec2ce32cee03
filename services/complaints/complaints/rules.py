"""The rules of complaints as plain functions (no database, no HTTP): routing (R-CO-2), the
deadlines in working days (R-CO-3), tracking numbers and the public's check codes (R-CO-1)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from services.complaints.complaints.models import Concerns, Level
from shared.workdays import Deadline, WorkingCalendar

COUNTY_HANDLES = frozenset({Concerns.staff, Concerns.township_fairness})
"""What the county handles itself (R-CO-2): complaints about assistance staff and about the
township's own fairness (涉及工作人员或本级处理影响公平、公正的, 由县级民政部门处理)."""


@dataclass(frozen=True)
class Routing:
    level: Level
    handled_by: str
    """The township's 9-digit code, or the county's 6-digit code."""
    reason: str


def route(concerns: Concerns | str, division: str) -> Routing:
    """R-CO-2 分级负责、属地管理: the township of ``division`` handles the complaint, unless it
    concerns assistance staff or the township's own fairness, or names no township: then the
    county handles it (and files the result with the city)."""
    concerns = Concerns(concerns)
    county = division[:6]
    if concerns in COUNTY_HANDLES:
        what = "assistance staff" if concerns == Concerns.staff else "the township's own fairness"
        return Routing(Level.county, county, f"R-CO-2: it concerns {what}; the county handles "
                       "it and files the result with the city")
    if len(division) == 6:
        return Routing(Level.county, county, "R-CO-2: it names no township; the county "
                       "handles it")
    return Routing(Level.township, division[:9], "R-CO-2: the township of the division "
                   "concerned handles it (属地管理)")


@dataclass(frozen=True)
class Deadlines:
    handling: Deadline
    answer: Deadline | None


def deadlines(registered_on: date, *, calendar: WorkingCalendar, handling_days: int,
              answer_days: int, answer_wanted: bool) -> Deadlines:
    """R-CO-3: handled within ``handling_days`` working days of the registration day, and the
    result sent back, when the complainant asked for it, within ``answer_days`` (never before
    the handling deadline)."""
    handling = calendar.add_working_days(registered_on, handling_days)
    answer = calendar.add_working_days(registered_on, max(answer_days, handling_days)) \
        if answer_wanted else None
    return Deadlines(handling, answer)


def on_time(day: date, due_on: date | None) -> bool:
    """Done by the deadline's last day (a period ends at 24:00 of it)."""
    return due_on is None or day <= due_on


def format_tracking_number(county: str, year: int, sequence: int) -> str:
    """R-CO-1 受理编号: TS<county>-<year>-<sequence>, e.g. TS230722-2026-000123."""
    if not 1 <= sequence <= 999_999:
        raise ValueError(f"sequence {sequence} is outside 1..999999")
    if not (len(county) == 6 and county.isdigit()):
        raise ValueError(f"county {county!r} is not a 6-digit county code")
    return f"TS{county}-{year:04d}-{sequence:06d}"


CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
"""Letters and digits a person reads back without confusing them (no I, L, O, 0, 1)."""
CODE_LENGTH = 8
CHECK_CODE_PURPOSE = "complaint-check-code"


def new_check_code() -> str:
    """A check code for the public to follow a complaint with (about 39 bits)."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def check_code_digest(key: bytes, tracking_number: str, code: str) -> str:
    """The keyed digest kept instead of the code, bound to its tracking number."""
    message = f"{tracking_number}:{code.strip().upper()}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def code_matches(keys: Mapping[str, bytes], tracking_number: str, code: str, digest: str | None
                 ) -> bool:
    """True if ``code`` is the complaint's check code, under any key of the keyring."""
    if digest is None:
        return False
    return any(hmac.compare_digest(check_code_digest(key, tracking_number, code), digest)
               for key in keys.values())
