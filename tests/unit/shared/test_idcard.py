"""R-IN-4: resident ID numbers (GB 11643)."""

from datetime import date

import pytest
from pydantic import BaseModel, ValidationError

from shared.idcard import (
    InvalidResidentId,
    ResidentId,
    ResidentIdNumber,
    age_on,
    parse_resident_id,
)

EXAMPLE = "11010519491231002X"
TODAY = date(2026, 6, 1)


def with_check(first17: str) -> str:
    """Append the ISO 7064 MOD 11-2 check character, computed independently of the module."""
    weights = [2 ** (17 - i) % 11 for i in range(17)]
    total = sum(int(c) * w for c, w in zip(first17, weights, strict=True))
    return first17 + "10X98765432"[total % 11]


def test_r_in_4_test_helper_matches_the_published_example() -> None:
    assert with_check(EXAMPLE[:17]) == EXAMPLE


def test_r_in_4_valid_example() -> None:
    assert parse_resident_id(EXAMPLE, today=TODAY) == ResidentId(
        EXAMPLE, date(1949, 12, 31), "female"
    )


def test_r_in_4_odd_17th_digit_is_male() -> None:
    number = with_check("23072219800101001")
    assert parse_resident_id(number, today=TODAY).sex == "male"


def test_r_in_4_lowercase_x_is_normalised() -> None:
    assert parse_resident_id(" 11010519491231002x ", today=TODAY).number == EXAMPLE


def test_r_in_4_retired_division_code_is_accepted() -> None:
    # 230702 伊春区 was abolished in the 2019 reorganisation of Yichun; its numbers stay valid.
    number = with_check("23070219650315123")
    assert parse_resident_id(number, today=TODAY).birth_date == date(1965, 3, 15)


@pytest.mark.parametrize(
    ("number", "reason"),
    [
        ("110105194912310021", "wrong check character 1 \\(expected X\\)"),
        ("11010519491231A02X", "first 17 characters must be digits"),
        ("11010519491231002Y", "last character must be a digit or X"),
        ("11010519491231002", "has 17"),
        ("11010519491231002X0", "has 19"),
        ("", "has 0"),
        (with_check("11010519490230002"), "19490230 is not a real birth date"),
        (with_check("11010520260602002"), "2026-06-02 is in the future"),
        (with_check("11010518491231002"), "before 1850"),
    ],
)
def test_r_in_4_invalid_numbers_are_rejected_with_a_reason(number: str, reason: str) -> None:
    with pytest.raises(InvalidResidentId, match=reason):
        parse_resident_id(number, today=TODAY)


def test_r_in_4_born_today_is_accepted() -> None:
    number = with_check("11010520260601002")
    assert parse_resident_id(number, today=TODAY).birth_date == TODAY


def test_r_in_4_invalid_number_is_a_value_error() -> None:
    with pytest.raises(ValueError):
        parse_resident_id("not an id", today=TODAY)


class Applicant(BaseModel):
    id_number: ResidentIdNumber


def test_r_in_4_pydantic_field_normalises() -> None:
    assert Applicant(id_number="11010519491231002x").id_number == EXAMPLE


def test_r_in_4_pydantic_reports_the_field_error() -> None:
    with pytest.raises(ValidationError) as caught:
        Applicant(id_number="110105194912310021")
    [error] = caught.value.errors()
    assert error["loc"] == ("id_number",)
    assert error["type"] == "value_error"
    assert "wrong check character" in error["msg"]


@pytest.mark.parametrize(
    ("born", "on", "age"),
    [
        (date(1949, 12, 31), date(2026, 12, 30), 76),
        (date(1949, 12, 31), date(2026, 12, 31), 77),
        (date(2000, 2, 29), date(2001, 2, 28), 0),
        (date(2000, 2, 29), date(2001, 3, 1), 1),
        (date(2008, 6, 1), date(2026, 6, 1), 18),
    ],
)
def test_r_be_3_age_on(born: date, on: date, age: int) -> None:
    assert age_on(born, on) == age


def test_r_be_3_age_before_birth_is_an_error() -> None:
    with pytest.raises(ValueError):
        age_on(date(2000, 1, 2), date(2000, 1, 1))
