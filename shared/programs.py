"""The five assistance programs (救助类别) and their R-AP-7 review periods."""

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Literal

from shared.workdays import Deadline, WorkingCalendar

Unit = Literal["household", "person", "household_or_person"]
Payment = Literal["monthly", "once", "none"]

DEFAULT_TEMP_AID_WORKING_DAYS = 10


class Program(StrEnum):
    """Program codes as used in records, events and URLs."""

    DIBAO = "dibao"
    TEKUN = "tekun"
    TEMP_EMERGENCY = "temp_emergency"
    TEMP_EXPENDITURE = "temp_expenditure"
    NEAR_DIBAO = "near_dibao"


@dataclass(frozen=True)
class ProgramInfo:
    """What a program covers and how it pays."""

    code: Program
    name_zh: str
    unit: Unit
    paid: Payment


PROGRAMS: dict[Program, ProgramInfo] = {
    info.code: info
    for info in (
        ProgramInfo(Program.DIBAO, "最低生活保障", "household", "monthly"),
        ProgramInfo(Program.TEKUN, "特困人员救助供养", "person", "monthly"),
        ProgramInfo(Program.TEMP_EMERGENCY, "急难型临时救助", "household_or_person", "once"),
        ProgramInfo(Program.TEMP_EXPENDITURE, "支出型临时救助", "household", "once"),
        ProgramInfo(Program.NEAR_DIBAO, "低保边缘家庭", "household", "none"),
    )
}

# (normal, extended) working days from acceptance to confirmation, R-AP-7.
_REVIEW_PERIODS: dict[Program, tuple[int, int]] = {
    Program.DIBAO: (20, 30),
    Program.TEKUN: (15, 20),
    # Assumption: DOMAIN.md gives no period for near-dibao recognition; it uses dibao's.
    Program.NEAR_DIBAO: (20, 30),
}
_TEMPORARY_AID = frozenset({Program.TEMP_EMERGENCY, Program.TEMP_EXPENDITURE})


def review_period_working_days(
    program: Program,
    *,
    extended: bool = False,
    temp_aid_working_days: int = DEFAULT_TEMP_AID_WORKING_DAYS,
) -> int:
    """Working days allowed from acceptance to confirmation (R-AP-7)."""
    program = Program(program)
    if program in _TEMPORARY_AID:
        if extended:
            raise ValueError(f"{program} has no extended review period")
        if temp_aid_working_days < 1:
            raise ValueError(
                f"temp_aid_working_days must be at least 1, not {temp_aid_working_days}"
            )
        return temp_aid_working_days
    normal, longer = _REVIEW_PERIODS[program]
    return longer if extended else normal


def review_deadline(
    program: Program,
    accepted_on: date,
    calendar: WorkingCalendar,
    *,
    extended: bool = False,
    temp_aid_working_days: int = DEFAULT_TEMP_AID_WORKING_DAYS,
) -> Deadline:
    """The confirmation deadline of an application accepted on `accepted_on` (R-AP-7)."""
    days = review_period_working_days(
        program, extended=extended, temp_aid_working_days=temp_aid_working_days
    )
    return calendar.add_working_days(accepted_on, days)


WRITTEN_REFUSAL_WORKING_DAYS = 3
"""R-AP-5: a refusal is notified in writing with its reasons within 3 working days."""


def written_refusal_deadline(decided_on: date, calendar: WorkingCalendar) -> Deadline:
    """The last day to notify a refusal in writing, counted from the decision (R-AP-5)."""
    return calendar.add_working_days(decided_on, WRITTEN_REFUSAL_WORKING_DAYS)
