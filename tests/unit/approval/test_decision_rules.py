"""The decision's plain rules: the investigated figures with the caseworker's adjustments
(R-AP-1), the month a calculation is for (R-BE, R-AP-4), four eyes (R-AP-2) and the checks of a
case-by-case decision (R-AP-6). No database, no bus."""

from __future__ import annotations

from datetime import date

import pytest

from services.approval.decisions.figures import adjusted_figures
from services.approval.decisions.meetings import check_case_by_case
from services.approval.decisions.schemas import Adjustment, MeetingDecisionIn
from services.approval.decisions.service import FourEyes, benefit_month, require_other_than_author
from shared.problems import InvalidField, RuleViolation
from shared.programs import Program

INVESTIGATION = {
    "income": [
        {"member_id": "a", "kind": "wages", "description": "打零工", "monthly_fen": 80000,
         "counted": True},
        {"member_id": "b", "kind": "transfer", "description": "赡养费", "monthly_fen": 30000,
         "counted": True}],
    "assets": [{"kind": "deposit", "description": "存款", "value_fen": 350000, "exempt": False}],
    "rigid_expenditure": [],
    "monthly_income_fen": 110000,
    "doubts": [],
}


def test_adjustments_replace_add_and_remove_lines_with_their_reasons_R_AP_1():
    """R-AP-1: a changed line keeps what the investigation found; an added line says so; a
    removed line is kept apart with its reason; the investigation's own record is untouched."""
    figures = adjusted_figures(INVESTIGATION, [
        Adjustment(figure="income", line=0, amount_fen=60000, reason="回函"),
        Adjustment(figure="income", kind="business", amount_fen=5000, member_id="b",
                   reason="小卖部"),
        Adjustment(figure="income", line=1, remove=True, reason="子女已停付"),
        Adjustment(figure="asset", line=0, exempt=True, reason="救助金存款"),
    ], {"a", "b"})
    assert [(ln["monthly_fen"], ln["source"]) for ln in figures["income"]] == [
        (60000, "adjusted"), (5000, "added")]
    assert figures["income"][0]["investigated"]["monthly_fen"] == 80000
    assert [(r["figure"], r["reason"]) for r in figures["removed"]] == [("income", "子女已停付")]
    assert figures["assets"][0]["exempt"] is True
    assert INVESTIGATION["income"][0]["monthly_fen"] == 80000  # type: ignore[index]


def test_adjustments_name_only_lines_and_members_the_case_has_R_AP_1():
    with pytest.raises(InvalidField, match="adjustments.0.line"):
        adjusted_figures(INVESTIGATION, [Adjustment(figure="income", line=2, amount_fen=1,
                                                    reason="x")], {"a", "b"})
    with pytest.raises(InvalidField, match="adjustments.0.member_id"):
        adjusted_figures(INVESTIGATION, [Adjustment(figure="income", kind="wages",
                                                    amount_fen=1, member_id="z", reason="x")],
                         {"a", "b"})
    with pytest.raises(ValueError):
        Adjustment(figure="asset", kind="wages", amount_fen=1, reason="x")  # not an asset kind


def test_substantiated_doubts_change_income_as_verification_counted_it_R_VE_5():
    """A rise is a line of its own; a fall lowers the counted lines, never below 0."""
    doubts = [{"doubt_id": "d1", "item": "运输", "outcome": "substantiated", "effect": "income",
               "income_delta_fen": 30000},
              {"doubt_id": "d2", "item": "赡养费", "outcome": "substantiated",
               "effect": "income", "income_delta_fen": -100000},
              {"doubt_id": "d3", "item": "车辆", "outcome": "unsubstantiated", "effect": "none"}]
    figures = adjusted_figures(INVESTIGATION | {"doubts": doubts}, [], {"a", "b"})
    assert [(ln["monthly_fen"], ln["source"]) for ln in figures["income"]] == [
        (0, "investigation"), (10000, "investigation"), (30000, "doubt")]


def test_the_month_a_calculation_is_for_R_AP_4():
    """A monthly benefit is paid from the month after the confirmation (次月发放); temporary
    aid in the month it is granted."""
    assert benefit_month(Program.DIBAO, date(2026, 12, 31)) == date(2027, 1, 1)
    assert benefit_month(Program.TEKUN, date(2026, 6, 1)) == date(2026, 7, 1)
    assert benefit_month(Program.TEMP_EMERGENCY, date(2026, 12, 31)) == date(2026, 12, 1)


def test_the_author_of_any_version_may_not_confirm_R_AP_2():
    require_other_than_author("tl-zhao", {"cw-wang", "cw-sun"})
    with pytest.raises(FourEyes):
        require_other_than_author("cw-sun", {"cw-wang", "cw-sun"})


def test_aid_the_rules_could_not_confirm_is_granted_only_case_by_case_R_AP_6():
    grant = MeetingDecisionIn(case_id="c1", decision="confirm")
    check_case_by_case(grant, opinion_grounds=False, eligible=True, proposal="approve")
    with pytest.raises(RuleViolation):  # the opinion states why facts can't be checked
        check_case_by_case(grant, opinion_grounds=True, eligible=True, proposal="approve")
    with pytest.raises(RuleViolation):  # the rules found it not eligible
        check_case_by_case(grant, opinion_grounds=False, eligible=False, proposal="approve")
    collective = MeetingDecisionIn(case_id="c1", decision="confirm", case_by_case=True,
                                   hardship="户主重病")
    check_case_by_case(collective, opinion_grounds=True, eligible=False, proposal="approve")
    with pytest.raises(RuleViolation):  # no grounds in the opinion
        check_case_by_case(collective, opinion_grounds=False, eligible=False, proposal="approve")
    with pytest.raises(RuleViolation):  # the opinion proposes a refusal
        check_case_by_case(collective, opinion_grounds=True, eligible=True, proposal="refuse")
    with pytest.raises(ValueError):  # the hardship is stated
        MeetingDecisionIn(case_id="c1", decision="confirm", case_by_case=True)
    check_case_by_case(MeetingDecisionIn(case_id="c1", decision="refuse", reason_code="x",
                                         reasons=["y"]),
                       opinion_grounds=True, eligible=False, proposal="approve")
