"""Household composition rules, with no database: R-IN-7 who counts, R-IN-4 one head."""

from dataclasses import dataclass
from datetime import date

import pytest
from pydantic import ValidationError

from services.intake.households.schemas import HouseholdIn
from services.intake.households.service import (
    COUNTED_REASONS,
    HouseholdError,
    check_composition,
    count_reason,
    counted_size,
    counts_in_household,
    head_of,
    undeclared_cohabitation,
)
from shared.idcard import check_character


def id_number(birth: str, serial: str) -> str:
    first17 = "230722" + birth + serial
    return first17 + check_character(first17)


@dataclass
class M:
    id_number: str
    relationship: str = "child"
    living_status: str = "at_home"
    is_student: bool = False
    cannot_live_independently: bool = False
    lives_with_household: bool | None = None


HEAD = id_number("19600101", "011")
SPOUSE = id_number("19620202", "022")
CHILD = id_number("19900303", "031")  # an adult
MINOR = id_number("20150505", "051")
PARENT = id_number("19350707", "071")
ON = date(2026, 11, 30)


@pytest.mark.parametrize(("status", "counted"), [
    ("at_home", True),
    ("clergy_apart_3y", False),
    ("serving_sentence", False),
    ("in_custody", False),
])
def test_r_in_7_who_counts_in_the_household(status, counted):
    """R-IN-7: clergy apart ≥ 3 years, people serving a sentence or in custody don't count."""
    assert counts_in_household(M(SPOUSE, "spouse", living_status=status)) is counted
    assert count_reason(M(MINOR, living_status=status), on=ON) == (
        "minor_child" if counted else status)


@pytest.mark.parametrize(("member", "reason"), [
    (M(HEAD, "head"), "head"),
    (M(SPOUSE, "spouse"), "spouse"),
    (M(MINOR), "minor_child"),
    (M(CHILD, is_student=True), "adult_child_student"),
    (M(CHILD, cannot_live_independently=True), "adult_child_dependent"),
    (M(CHILD), "adult_child_independent"),
    (M(PARENT, "parent", lives_with_household=True), "supported_relative"),
    (M(PARENT, "grandparent", lives_with_household=True), "supported_relative"),
    (M(MINOR, "grandchild", lives_with_household=True), "supported_relative"),
    (M(PARENT, "parent", lives_with_household=False), "not_living_together"),
    (M(CHILD, "sibling", lives_with_household=False), "not_living_together"),
    (M(CHILD, "other", lives_with_household=True), "no_duty_of_support"),
    (M(CHILD, is_student=True, living_status="serving_sentence"), "serving_sentence"),
    (M(PARENT, "parent", lives_with_household=True, living_status="clergy_apart_3y"),
     "clergy_apart_3y"),
], ids=lambda x: x if isinstance(x, str) else f"{x.relationship}")
def test_r_in_7_the_reason_follows_the_rule_not_only_the_living_status(member, reason):
    """R-IN-7: spouse, minor children, adult children who cannot live on their own (students up
    to a bachelor's degree included), relatives with a duty of support living with the household
    long-term count; clergy apart ≥ 3 years, a sentence, custody never do."""
    assert count_reason(member, on=ON) == reason
    assert counts_in_household(member, on=ON) is (reason in COUNTED_REASONS)


def test_r_in_7_a_child_counts_as_a_minor_until_the_day_before_turning_18():
    """R-IN-7: age on the day the application was received."""
    born = id_number("20081201", "061")
    assert count_reason(M(born), on=date(2026, 11, 30)) == "minor_child"
    assert count_reason(M(born), on=date(2026, 12, 1)) == "adult_child_independent"


def test_r_in_7_relatives_with_a_duty_of_support_must_declare_living_together():
    members = [M(HEAD, "head"), M(SPOUSE, "spouse"), M(PARENT, "parent")]
    assert undeclared_cohabitation(members) == 2
    members[2].lives_with_household = False
    assert undeclared_cohabitation(members) is None
    assert undeclared_cohabitation([M(HEAD, "head"), M(CHILD, "other")]) is None
    assert undeclared_cohabitation([M(HEAD, "head"),
                                    M(PARENT, "parent", living_status="in_custody")]) is None


def test_r_in_7_household_size_counts_only_counted_members():
    members = [M(HEAD, "head"), M(SPOUSE, "spouse", "serving_sentence"), M(MINOR), M(CHILD)]
    assert counted_size(members, on=ON) == 2


def test_r_in_7_a_household_with_nobody_counted_is_refused():
    with pytest.raises(HouseholdError, match="R-IN-7"):
        check_composition([M(HEAD, "head", "in_custody")])


def test_r_in_4_exactly_one_head():
    """R-IN-4: a household has exactly one head."""
    check_composition([M(HEAD, "head"), M(SPOUSE, "spouse")])
    with pytest.raises(HouseholdError, match="has 0"):
        check_composition([M(HEAD, "spouse"), M(SPOUSE, "child")])
    with pytest.raises(HouseholdError, match="has 2"):
        check_composition([M(HEAD, "head"), M(SPOUSE, "head")])


def test_r_in_4_nobody_twice_in_one_household():
    with pytest.raises(HouseholdError, match="twice") as caught:
        check_composition([M(HEAD, "head"), M(CHILD), M(CHILD, "sibling")])
    assert CHILD not in str(caught.value)  # the message masks the number (R-SE-2)


def test_head_of_finds_the_head():
    assert head_of([M(SPOUSE, "spouse"), M(HEAD, "head")]).id_number == HEAD


def test_r_in_4_the_declared_household_names_the_members_field():
    """R-IN-4: two heads are reported on household.members; a bad ID on its own member."""
    member = {"name": "张三", "id_number": HEAD, "relationship": "head"}
    with pytest.raises(ValidationError) as caught:
        HouseholdIn.model_validate(
            {"members": [member, {**member, "id_number": SPOUSE, "name": "李四"}]})
    assert [e["loc"] for e in caught.value.errors()] == [("members",)]
    with pytest.raises(ValidationError) as caught:
        HouseholdIn.model_validate(
            {"members": [member, {"name": "王五", "id_number": HEAD[:-1] + "0",
                                  "relationship": "child"}]})
    assert HEAD[-1] != "0"
    assert [e["loc"] for e in caught.value.errors()] == [("members", 1, "id_number")]
