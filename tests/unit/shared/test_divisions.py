"""Division codes (GB/T 2260): jurisdiction by code (R-SE-1) and the 伊春市 demo data."""

import pytest
from pydantic import BaseModel, ValidationError

from shared.divisions import (
    BORDER_COUNTIES_DEMO,
    DEMO_DIVISIONS,
    DivisionCode,
    county_of,
    is_within,
    level,
    name_of,
    parent_of,
    validate_division_code,
)

YICHUN_COUNTIES = {
    "230717": "伊美区",
    "230718": "乌翠区",
    "230719": "友好区",
    "230751": "金林区",
    "230722": "嘉荫县",
    "230723": "汤旺县",
    "230724": "丰林县",
    "230725": "大箐山县",
    "230726": "南岔县",
    "230781": "铁力市",
}


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("230000", "province"),
        ("230700", "city"),
        ("230722", "county"),
        ("230781", "county"),
        ("230722100", "township"),
        ("230722100201", "village"),
    ],
)
def test_level(code: str, expected: str) -> None:
    assert level(code) == expected


@pytest.mark.parametrize("code", ["23070", "2307001", "23072210020", "23O700", "", "２３０７００"])
def test_invalid_codes_are_rejected(code: str) -> None:
    with pytest.raises(ValueError):
        validate_division_code(code)


def test_division_code_field() -> None:
    class Case(BaseModel):
        division: DivisionCode

    assert Case(division="230722100").division == "230722100"
    with pytest.raises(ValidationError, match="6, 9 or 12 digits"):
        Case(division="2307")


def test_county_of() -> None:
    assert county_of("230722100201") == "230722"
    assert county_of("230722100") == "230722"
    assert county_of("230722") == "230722"
    with pytest.raises(ValueError, match="city code"):
        county_of("230700")


def test_parent_of() -> None:
    assert parent_of("230722100201") == "230722100"
    assert parent_of("230722100") == "230722"
    assert parent_of("230722") == "230700"
    assert parent_of("230700") == "230000"
    assert parent_of("230000") is None


@pytest.mark.parametrize(
    ("code", "ancestor", "inside"),
    [
        ("230722100201", "230000", True),
        ("230722100201", "230700", True),
        ("230722100201", "230722", True),
        ("230722100201", "230722100", True),
        ("230722", "230700", True),
        ("230751", "230700", True),
        ("230700", "230700", True),
        ("230722101201", "230722100", False),
        ("230722100", "230723", False),
        ("230802", "230700", False),
        ("230700", "230722", False),
        ("230000", "230700", False),
        ("110105", "230000", False),
    ],
)
def test_r_se_1_jurisdiction_by_code(code: str, ancestor: str, inside: bool) -> None:
    assert is_within(code, ancestor) is inside


def test_demo_yichun_counties_are_as_in_domain_md() -> None:
    counties = {code: d.name for code, d in DEMO_DIVISIONS.items() if d.level == "county"}
    assert counties == YICHUN_COUNTIES
    assert all(DEMO_DIVISIONS[code].parent == "230700" for code in YICHUN_COUNTIES)
    assert name_of("230700") == "伊春市"
    assert DEMO_DIVISIONS["230700"].parent == "230000"


def test_demo_townships_and_villages_hang_under_their_parents() -> None:
    for county in YICHUN_COUNTIES:
        townships = [d for d in DEMO_DIVISIONS.values() if d.parent == county]
        assert 2 <= len(townships) <= 3, county
        for township in townships:
            assert township.level == "township"
            assert township.code.startswith(county) and len(township.code) == 9
            villages = [d for d in DEMO_DIVISIONS.values() if d.parent == township.code]
            assert len(villages) == 2, township.code
            assert all(v.level == "village" and len(v.code) == 12 for v in villages)


def test_demo_names() -> None:
    assert name_of("230722100") == "朝阳镇"
    assert name_of("230722100201") == "东风村"
    assert name_of("999999") is None


def test_r_be_12_demo_border_county_is_jiayin() -> None:
    assert BORDER_COUNTIES_DEMO == frozenset({"230722"})
    assert name_of("230722") == "嘉荫县"
