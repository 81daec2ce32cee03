"""The roll's plain rules: re-check frequency (R-DY-2), months, what a household as found
means for a benefit (R-DY-3, R-BE-6, R-BE-7) and complete care agreements (R-BE-7)."""

from __future__ import annotations

from datetime import date

import pytest

from services.approval.adjustments.assess import assess_change, household_of
from services.approval.adjustments.schemas import HouseholdFoundIn
from services.approval.adjustments.service import AdjustmentMonthPast, check_month
from services.approval.rechecks.schedule import next_due, recheck_frequency
from services.approval.tekun.models import CareMode
from services.approval.tekun.service import AgreementFacts, agreement_faults
from shared.benefits import Parameters
from shared.months import add_months, add_months_to_day, months_between
from tests.roll_cases import HEAD, household, member

RURAL = Parameters(dibao_standard_fen=56_000, minimum_wage_fen=175_000,
                   average_dibao_per_capita_fen=41_000,
                   tekun_care_fen={"able": 8_000, "partly_unable": 30_000, "unable": 60_000})


@pytest.mark.parametrize(("facts", "months", "reasons"), [
    ({}, 12, []),
    ({"unsteady_income": True}, 6, ["unsteady_income"]),
    ({"able_to_work": True}, 6, ["able_to_work"]),
    ({"near_relative": True}, 6, ["near_relative"]),
    ({"unsteady_income": True, "near_relative": True}, 6, ["unsteady_income", "near_relative"]),
])
def test_r_dy_2_yearly_when_stable_half_yearly_otherwise(facts, months, reasons):
    given = {"unsteady_income": False, "able_to_work": False, "near_relative": False} | facts
    assert recheck_frequency(**given) == (months, reasons)


def test_r_dy_2_next_due_day_keeps_the_day_or_the_months_last():
    assert next_due(date(2027, 1, 10), 6) == date(2027, 7, 10)
    assert next_due(date(2027, 8, 31), 6) == date(2028, 2, 29)
    assert next_due(date(2027, 12, 31), 12) == date(2028, 12, 31)
    assert add_months_to_day(date(2027, 1, 31), 1) == date(2027, 2, 28)


def test_months_of_the_roll():
    assert add_months("2027-12", 1) == "2028-01"
    assert add_months("2027-01", -1) == "2026-12"
    assert add_months("2027-02", 12) == "2028-02"
    assert months_between("2027-02", "2028-02") == 12


def test_r_dy_3_a_change_is_never_backdated():
    check_month("2027-03", current="2027-03")
    check_month("2027-04", current="2027-03")
    with pytest.raises(AdjustmentMonthPast):
        check_month("2027-02", current="2027-03")


def change(head_wages_fen: int, *, program: str = "dibao", in_exit: bool = False,
           current: int = 89_600, found: dict | None = None):
    given = HouseholdFoundIn.model_validate(found or household(head_wages_fen)).found()
    return assess_change(program=program, in_gradual_exit=in_exit, current_fen=current,
                         household=household_of(given, area="rural", county="230722",
                                                on=date(2027, 2, 1)),
                         params={"rural": RURAL}, effective_month="2027-02",
                         person_id=HEAD if program == "tekun" else None)


def test_r_dy_3_the_rules_decide_increase_decrease_or_nothing():
    """R-BE-1 with R-BE-2 and R-BE-3: 2 × 560 yuan − (wages − 2 months' minimum wage a year)
    + the spouse's 15 % add-on, rounded up to the yuan."""
    assert (change(60_000).outcome, change(60_000).new_fen) == ("unchanged", 89_600)
    assert (change(90_000).outcome, change(90_000).new_fen) == ("decrease", 59_600)
    assert (change(0).outcome, change(0).new_fen) == ("increase", 120_400)


def test_r_be_6_near_dibao_income_means_a_gradual_exit_of_twelve_months():
    """Per-capita income 704.17 yuan: above the 560 standard, within 1.5 × (840): the amount
    is kept for 12 months from the effective month, then it stops."""
    exit_ = change(170_000)
    assert (exit_.outcome, exit_.new_fen, exit_.stop_month) == ("gradual_exit", 89_600, "2028-02")
    assert exit_.assessment["first_month"] == "2027-02-01"
    assert exit_.assessment["last_month"] == "2028-01-01"
    assert change(170_000, in_exit=True).outcome == "unchanged"  # the exit runs on
    above = change(250_000)  # 1,104.17 yuan per head: beyond near-dibao
    assert (above.outcome, above.new_fen) == ("stop", None)


def test_r_be_6_assets_over_the_limit_stop_instead_of_a_gradual_exit():
    found = household(170_000) | {"assets": [
        {"kind": "deposit", "description": "存款", "value_fen": 5_000_000}]}
    assert change(0, found=found).outcome == "stop"


def test_r_be_7_tekun_support_follows_self_care():
    """R-BE-7: 1.3 × the standard plus the care standard of the self-care ability; R-BE-11: a
    person found able to work with an income source is no longer tekun, so the support stops."""
    person = {"members": [member(HEAD, 72, has_income_source=False, supporter="none",
                                 self_care="unable")]}
    result = change(0, program="tekun", current=100_000, found=person)
    assert (result.outcome, result.new_fen) == ("increase", 72_800 + 60_000)  # 1.3 × 560 + care
    assert change(0, program="tekun", current=132_800, found=person).outcome == "unchanged"
    able = {"members": [member(HEAD, 72, able_to_work=True, has_income_source=True)]}
    assert change(0, program="tekun", current=132_800, found=able).outcome == "stop"


def test_r_be_7_a_care_agreement_names_its_caregiver_or_institution():
    today = date(2027, 1, 10)
    dispersed = AgreementFacts(mode=CareMode.dispersed, self_care="unable", document_ref="1",
                               signed_on=today, valid_from=today, caregiver_name="王秀英")
    assert agreement_faults(dispersed, today=today) == []
    assert [f for f, _ in agreement_faults(
        AgreementFacts(mode=CareMode.dispersed, self_care="unable", document_ref="1",
                       signed_on=date(2027, 2, 1), valid_from=today,
                       valid_until=date(2026, 1, 1)), today=today)] == [
        "caregiver_name", "signed_on", "valid_until"]
    assert [f for f, _ in agreement_faults(
        AgreementFacts(mode=CareMode.concentrated, self_care="unable", document_ref="1",
                       signed_on=today, valid_from=today), today=today)] == ["institution"]
