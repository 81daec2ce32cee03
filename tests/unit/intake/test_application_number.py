"""Application numbers, with no database: R-IN-1 a unique number per application."""

from datetime import date

import pytest

from services.intake.applications.service import APPLICATION_NUMBER, format_application_number


def test_r_in_1_number_is_county_date_and_sequence():
    number = format_application_number("230722", date(2026, 11, 27), 42)
    assert number == "SQ230722-20261127-000042"
    match = APPLICATION_NUMBER.match(number)
    assert match and match["county"] == "230722" and match["sequence"] == "000042"


def test_r_in_1_numbers_of_a_day_differ_and_sort_in_order():
    day = date(2026, 1, 5)
    numbers = [format_application_number("230722", day, n) for n in (1, 2, 10, 999_999)]
    assert numbers == sorted(numbers) and len(set(numbers)) == 4


@pytest.mark.parametrize(("county", "sequence"), [
    ("230722", 0), ("230722", 1_000_000), ("2307", 1), ("23072A", 1),
])
def test_r_in_1_number_refuses_a_bad_sequence_or_county(county, sequence):
    with pytest.raises(ValueError):
        format_application_number(county, date(2026, 11, 27), sequence)
