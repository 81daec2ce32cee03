"""Invariants of the benefit rules, property-based (hypothesis): R-BE-1 never negative, never
above standard × members + add-ons, monotone in income, rounding within a yuan, steps adding up;
R-BE-9 excluded items change nothing; R-BE-3 the add-on once per person."""

from __future__ import annotations

import math
from dataclasses import replace
from decimal import Decimal
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from shared.benefits import (
    NOT_COUNTED_KINDS,
    Asset,
    Expenditure,
    Household,
    IncomeItem,
    IncomeKind,
    Member,
    Parameters,
    addon_grounds,
    assess_dibao,
    assess_near_dibao,
    cap_temporary_aid,
)
from shared.benefits._figures import round_final

COUNTED: tuple[IncomeKind, ...] = ("wages", "business", "property", "transfer", "other")

members = st.builds(
    Member,
    member_id=st.just("x"),
    age=st.integers(0, 100),
    covered=st.booleans(),
    employed=st.booleans(),
    disability_grade=st.none() | st.integers(1, 4),
    seriously_ill=st.booleans(),
    military_or_martyr_family=st.booleans(),
)


@st.composite
def households(draw: st.DrawFn) -> Household:
    people = draw(st.lists(members, min_size=1, max_size=5))
    people = [replace(p, member_id=f"m{i}") for i, p in enumerate(people)]
    ids = [p.member_id for p in people]
    owner = st.none() | st.sampled_from(ids)
    income = draw(st.lists(st.builds(
        IncomeItem, kind=st.sampled_from(COUNTED + tuple(sorted(NOT_COUNTED_KINDS))),
        amount_fen=st.integers(0, 500_000), period=st.sampled_from(("monthly", "review_period")),
        member_id=owner, name=st.sampled_from(("", "零工", "高龄津贴"))), max_size=5))
    spent = draw(st.lists(st.builds(
        Expenditure, kind=st.sampled_from(("serious_illness", "schooling")),
        amount_fen=st.integers(0, 2_000_000), member_id=owner), max_size=2))
    deposits = draw(st.lists(st.builds(Asset, kind=st.just("deposit"),
                                       value_fen=st.integers(0, 5_000_000)), max_size=2))
    return Household(area=draw(st.sampled_from(("urban", "rural"))), county="230717",
                     members=tuple(people), income=tuple(income), expenditure=tuple(spent),
                     assets=tuple(deposits), review_months=draw(st.integers(1, 13)))


parameters = st.builds(
    Parameters,
    dibao_standard_fen=st.integers(1, 200_000),
    minimum_wage_fen=st.integers(0, 300_000),
    addon_rate=st.decimals(Decimal(0), Decimal("0.5"), places=3),
    benefit_rounding=st.sampled_from(("up", "half_up", "down")),
    excluded_income_items=st.sampled_from(((), ("高龄津贴",), ("property",))),
)


def ceiling_to_yuan(x: Fraction) -> int:
    return math.ceil(x / 100) * 100


def bound(h: Household, p: Parameters) -> int:
    """standard × covered members + add-ons, the bound rounded up to a whole yuan."""
    covered = h.covered
    addons = sum(1 for m in covered if addon_grounds(m, h.on, p))
    return ceiling_to_yuan(Fraction(p.dibao_standard_fen * len(covered))
                           + Fraction(p.addon_rate * p.dibao_standard_fen) * addons)


@settings(max_examples=200)
@given(households(), parameters)
def test_r_be_1_never_negative_never_above_the_standard_and_add_ons(
        h: Household, p: Parameters) -> None:
    """R-BE-1, R-BE-3: 0 ≤ benefit ≤ standard × covered + add-ons (to the next yuan)."""
    result = assess_dibao(h, p)
    assert 0 <= result.amount_fen <= bound(h, p)
    assert result.amount_fen % 100 == 0
    assert result.eligible != bool(result.reasons)
    if result.eligible and p.benefit_rounding == "up":  # half_up, down may round 0.x yuan to 0
        assert result.amount_fen > 0


@settings(max_examples=200)
@given(households(), parameters)
def test_r_be_1_steps_add_up_to_the_amount(h: Household, p: Parameters) -> None:
    """R-BE-1: the parts (difference, add-ons, rounding) add up exactly to the amount."""
    for result in (assess_dibao(h, p), assess_near_dibao(h, p),
                   cap_temporary_aid("temp_emergency", 123_456, p, household=h)):
        assert result.parts_total() == result.amount_fen
        assert all(s.rule.startswith("R-BE-") for s in result.steps)


@settings(max_examples=200)
@given(households(), parameters, st.integers(1, 300_000), st.data())
def test_r_be_1_monotone_in_income(h: Household, p: Parameters, more: int,
                                   data: st.DataObject) -> None:
    """R-BE-1, R-BE-2: more counted income never raises the benefit."""
    owner = data.draw(st.sampled_from([None, *(m.member_id for m in h.covered)]))
    kind = data.draw(st.sampled_from(COUNTED))
    richer = replace(h, income=(*h.income, IncomeItem(kind, more, member_id=owner)))
    assert assess_dibao(richer, p).amount_fen <= assess_dibao(h, p).amount_fen


@settings(max_examples=200)
@given(households(), parameters, st.integers(0, 10**7), st.data())
def test_r_be_9_an_excluded_item_changes_nothing(h: Household, p: Parameters, amount: int,
                                                 data: st.DataObject) -> None:
    """R-BE-9: a statutory or city-excluded item, of any size, changes neither eligibility
    nor amount."""
    p = replace(p, excluded_income_items=("高龄津贴",))
    item = data.draw(st.sampled_from([
        *(IncomeItem(k, amount) for k in sorted(NOT_COUNTED_KINDS)),  # type: ignore[arg-type]
        IncomeItem("other", amount, name="高龄津贴")]))
    before, after = assess_dibao(h, p), assess_dibao(replace(h, income=(*h.income, item)), p)
    assert (after.eligible, after.amount_fen) == (before.eligible, before.amount_fen)


@settings(max_examples=200)
@given(households(), parameters)
def test_r_be_1_rounding_moves_less_than_a_yuan(h: Household, p: Parameters) -> None:
    """R-BE-1: the rounded amount is within a yuan of the exact total, in the mode's direction
    (the exact total is shown to a hundredth of a fen)."""
    result = assess_dibao(h, p)
    if not result.eligible:
        return
    total = next(s.value for s in result.steps if s.label.startswith("合计"))
    moved = result.amount_fen - Decimal(total)
    slack = Decimal("0.01")
    low, high = {"up": (0, 100), "half_up": (-50, 50), "down": (-100, 0)}[p.benefit_rounding]
    assert low - slack <= moved <= high + slack


@given(st.fractions(min_value=0, max_value=10**8), st.sampled_from(("up", "half_up", "down")))
def test_r_be_1_round_final_on_exact_figures(x: Fraction, mode: str) -> None:
    """R-BE-1: whole yuan; up never below, down never above, half_up nearest; < 1 yuan moved."""
    rounded = round_final(x, mode)  # type: ignore[arg-type]
    assert rounded % 100 == 0 and abs(rounded - x) < 100
    if mode == "up":
        assert x <= rounded
    elif mode == "down":
        assert rounded <= x
    else:
        assert -50 < rounded - x <= 50


@settings(max_examples=200)
@given(households(), parameters, st.integers(0, 100))
def test_r_be_3_the_add_on_is_paid_once_however_many_grounds(
        h: Household, p: Parameters, age: int) -> None:
    """R-BE-3: a member with every ground gets the same add-on as with one."""
    one = replace(h.members[0], covered=True, age=age, seriously_ill=True)
    every = replace(one, disability_grade=1, military_or_martyr_family=True,
                    old_demobilised_rural_soldier=True)
    first = assess_dibao(replace(h, members=(one, *h.members[1:])), p)
    second = assess_dibao(replace(h, members=(every, *h.members[1:])), p)
    assert first.amount_fen == second.amount_fen


@settings(max_examples=200)
@given(households(), parameters)
def test_r_be_5_a_household_is_never_both_dibao_and_near_dibao(
        h: Household, p: Parameters) -> None:
    """R-BE-5, R-BE-1: near-dibao starts above the standard, where dibao ends."""
    assert not (assess_dibao(h, p).eligible and assess_near_dibao(h, p).eligible)
