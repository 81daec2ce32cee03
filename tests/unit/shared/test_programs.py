"""The five programs and their R-AP-7 review periods."""

from datetime import date

import pytest

from shared.programs import (
    PROGRAMS,
    Program,
    ProgramInfo,
    review_deadline,
    review_period_working_days,
)
from shared.workdays import Deadline, WorkingCalendar

ACCEPTED = date(2026, 9, 18)  # a Friday before the 2026 Mid-Autumn and National Day holidays


def test_program_codes() -> None:
    assert [p.value for p in Program] == [
        "dibao",
        "tekun",
        "temp_emergency",
        "temp_expenditure",
        "near_dibao",
    ]
    assert Program("tekun") is Program.TEKUN


def test_program_table() -> None:
    assert set(PROGRAMS) == set(Program)
    assert PROGRAMS[Program.DIBAO] == ProgramInfo(
        Program.DIBAO, "最低生活保障", "household", "monthly"
    )
    assert PROGRAMS[Program.TEKUN].unit == "person"
    assert PROGRAMS[Program.TEMP_EMERGENCY].unit == "household_or_person"
    assert PROGRAMS[Program.TEMP_EXPENDITURE].paid == "once"
    assert PROGRAMS[Program.NEAR_DIBAO].paid == "none"


@pytest.mark.parametrize(
    ("program", "extended", "days"),
    [
        (Program.DIBAO, False, 20),
        (Program.DIBAO, True, 30),
        (Program.TEKUN, False, 15),
        (Program.TEKUN, True, 20),
        (Program.TEMP_EMERGENCY, False, 10),
        (Program.TEMP_EXPENDITURE, False, 10),
        (Program.NEAR_DIBAO, False, 20),
        (Program.NEAR_DIBAO, True, 30),
    ],
)
def test_r_ap_7_review_periods(program: Program, extended: bool, days: int) -> None:
    assert review_period_working_days(program, extended=extended) == days


def test_r_ap_7_temp_aid_period_is_a_parameter() -> None:
    assert review_period_working_days(Program.TEMP_EMERGENCY, temp_aid_working_days=5) == 5
    with pytest.raises(ValueError, match="at least 1"):
        review_period_working_days(Program.TEMP_EMERGENCY, temp_aid_working_days=0)


def test_r_ap_7_temp_aid_has_no_extension() -> None:
    with pytest.raises(ValueError, match="no extended review period"):
        review_period_working_days(Program.TEMP_EXPENDITURE, extended=True)


@pytest.mark.parametrize(
    ("program", "extended", "last_day"),
    [
        (Program.DIBAO, False, date(2026, 10, 22)),
        (Program.DIBAO, True, date(2026, 11, 5)),
        (Program.TEKUN, False, date(2026, 10, 15)),
        (Program.TEKUN, True, date(2026, 10, 22)),
        (Program.TEMP_EMERGENCY, False, date(2026, 10, 9)),
        (Program.NEAR_DIBAO, False, date(2026, 10, 22)),
    ],
)
def test_r_ap_7_review_deadline_across_national_day(
    program: Program, extended: bool, last_day: date
) -> None:
    deadline = review_deadline(program, ACCEPTED, WorkingCalendar(), extended=extended)
    assert deadline == Deadline(last_day, provisional=False)


def test_r_ap_7_review_deadline_with_configured_temp_aid_days() -> None:
    deadline = review_deadline(
        Program.TEMP_EXPENDITURE, ACCEPTED, WorkingCalendar(), temp_aid_working_days=5
    )
    assert deadline == Deadline(date(2026, 9, 24), provisional=False)
