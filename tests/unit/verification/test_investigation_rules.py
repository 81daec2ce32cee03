"""The investigation's rules as plain functions: no database, no bus, no HTTP."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace

import pytest

from services.verification.doubts.schemas import ResolutionIn
from services.verification.doubts.service import check_resolution, put_late
from services.verification.evidence.service import (
    UnsupportedMediaType,
    check_media_type,
    content_matches,
    safe_filename,
)
from services.verification.forms.schemas import FormIn
from services.verification.forms.service import awaiting, check_form, form_digest
from services.verification.investigations.completion import WorkDone, blockers, checked_income
from services.verification.investigations.service import check_team
from services.verification.letters.schemas import AnswerIn
from services.verification.letters.service import check_answer
from services.verification.visits.service import visitors_of
from shared.contracts.verification import FormContent, StaffMember
from shared.problems import Conflict, InvalidField, RuleViolation

TODAY = date(2026, 11, 30)


def staff(user_id: str, role: str = "caseworker") -> StaffMember:
    return StaffMember(user_id=user_id, name=user_id.upper(), role=role)


def test_a_team_is_two_different_township_staff_at_least():
    """R-VE-1: investigations in pairs."""
    check_team([staff("a"), staff("b", "township_leader")])
    with pytest.raises(RuleViolation, match="at least 2"):
        check_team([staff("a")])
    with pytest.raises(RuleViolation, match="twice"):
        check_team([staff("a"), staff("a")])


def form_in(**overrides) -> FormIn:
    body = {"visited_on": "2026-11-29", "situation": "务农",
            "income": [{"member_id": "m1", "kind": "wages", "description": "打工",
                        "monthly_fen": 80000},
                       {"kind": "transfer", "description": "低保金", "monthly_fen": 50000,
                        "counted": False, "not_counted_reason": "救助金不计入"}],
            "assets": [{"kind": "vehicle", "description": "摩托车", "value_fen": 300000,
                        "exempt": True, "exempt_reason": "生产所需"}],
            "living_conditions": {"housing": "owned", "condition": "土房"}}
    return FormIn.model_validate(body | overrides)


def test_the_form_names_members_of_the_household_and_gives_reasons():
    """R-VE-1 with R-BE-9, R-BE-10: what the form must say."""
    content = check_form(form_in(), members=["m1", "m2"], today=TODAY)
    assert content.income[1].counted is False and content.assets[0].exempt
    with pytest.raises(InvalidField) as stranger:
        check_form(form_in(), members=["m2"], today=TODAY)
    assert stranger.value.extensions["errors"][0]["field"] == "income.0.member_id"
    without_reason = form_in()
    without_reason.income[1].not_counted_reason = None
    with pytest.raises(InvalidField, match="R-BE-9"):
        check_form(without_reason, members=["m1"], today=TODAY)
    with pytest.raises(InvalidField, match="visited_on"):
        check_form(form_in(visited_on="2026-12-01"), members=["m1"], today=TODAY)


def test_the_digest_is_of_the_content_whatever_its_order_of_keys():
    content = check_form(form_in(), members=["m1"], today=TODAY)
    again = FormContent.model_validate(dict(reversed(content.model_dump().items())))
    assert form_digest(content) == form_digest(again)
    changed = content.model_copy(update={"situation": "外出务工"})
    assert form_digest(changed) != form_digest(content)


def test_who_has_yet_to_confirm():
    """R-VE-1: each investigator and the household."""
    team = [SimpleNamespace(user_id="a"), SimpleNamespace(user_id="b")]
    mine = SimpleNamespace(party="investigator", user_id="a")
    household = SimpleNamespace(party="household", user_id=None)
    assert awaiting(team, []) == ["a", "b", "household"]
    assert awaiting(team, [mine]) == ["b", "household"]
    assert awaiting(team, [mine, household]) == ["b"]


def test_blockers_name_every_missing_piece_with_its_rule():
    """R-VE-1, R-VE-2, R-VE-4, R-VE-5: what keeps an investigation from completing."""
    assert [(b.rule, b.code) for b in blockers(WorkDone())] == [("R-VE-1", "team"),
                                                                ("R-VE-1", "form")]
    waiting = WorkDone(team=["a", "b"], form_version=2, confirmed_by=frozenset({"a"}),
                       outstanding_letters=["l1"], open_doubts=["d1"], pending_checks=["tax"])
    assert [(b.rule, b.code) for b in blockers(waiting)] == [
        ("R-VE-1", "investigator_confirmations"), ("R-VE-1", "household_confirmation"),
        ("R-VE-2", "letters_outstanding"), ("R-VE-5", "doubts_open"),
        ("R-VE-4", "checks_pending")]
    assert "b have yet to confirm version 2" in blockers(waiting)[0].detail
    done = WorkDone(team=["a", "b"], form_version=1, confirmed_by=frozenset({"a", "b"}),
                    household_confirmed=True)
    assert blockers(done) == []


def test_checked_income_adds_substantiated_income_doubts_and_never_goes_below_zero():
    """R-VE-5: a substantiated doubt changes the income; R-BE-9: exempt items don't count."""
    content = check_form(form_in(), members=["m1"], today=TODAY)
    found = SimpleNamespace(status="substantiated", effect="income", income_delta_fen=20000)
    cleared = SimpleNamespace(status="unsubstantiated", effect="none", income_delta_fen=None)
    assets = SimpleNamespace(status="substantiated", effect="assets", income_delta_fen=None)
    assert checked_income(content, []) == 80000
    assert checked_income(content, [found, cleared, assets]) == 100000
    less = SimpleNamespace(status="substantiated", effect="income", income_delta_fen=-90000)
    assert checked_income(content, [less]) == 0


def test_a_doubt_is_put_within_the_review_period_or_late_with_its_reason():
    """R-VE-5: within the review period (24:00 Asia/Shanghai of its last day)."""
    due = date(2026, 11, 30)
    in_time = datetime(2026, 11, 30, 15, 59, tzinfo=UTC)  # 23:59 in Shanghai
    assert put_late(in_time, review_due_on=due, late_reason=None) is False
    after = in_time + timedelta(minutes=1)  # 00:00 of the next day in Shanghai
    with pytest.raises(RuleViolation) as refused:
        put_late(after, review_due_on=due, late_reason=None)
    assert refused.value.extensions["rule"] == "R-VE-5"
    assert put_late(after, review_due_on=due, late_reason="联系不上") is True


def test_a_doubt_is_resolved_only_once_put_and_as_the_rule_says():
    """R-VE-5: substantiated with its effect; unsubstantiated with the evidence archived."""
    raised = SimpleNamespace(id="d", status="raised")
    put = SimpleNamespace(id="d", status="put")
    clear = ResolutionIn(outcome="unsubstantiated", finding="查无此事", evidence_ids=["e1"])
    with pytest.raises(RuleViolation):
        check_resolution(raised, clear)
    check_resolution(put, clear)
    with pytest.raises(InvalidField, match="evidence_ids"):
        check_resolution(put, clear.model_copy(update={"evidence_ids": []}))
    income = ResolutionIn(outcome="substantiated", finding="属实", effect="income",
                          income_delta_fen=30000)
    check_resolution(put, income)
    with pytest.raises(InvalidField):
        check_resolution(put, income.model_copy(update={"income_delta_fen": None}))
    with pytest.raises(InvalidField):
        check_resolution(put, income.model_copy(update={"effect": "none"}))
    with pytest.raises(Conflict):
        check_resolution(SimpleNamespace(id="d", status="substantiated"), income)


def test_a_letters_answer_comes_after_it_was_sent_and_not_twice():
    """R-VE-2: the request and the answer recorded."""
    letter = SimpleNamespace(id="l", status="sent", sent_on=date(2026, 11, 20))
    answered = AnswerIn(outcome="answered", received_on=date(2026, 11, 25), answer="月薪800元",
                        stated_monthly_income_fen=80000)
    check_answer(letter, answered, today=TODAY)
    with pytest.raises(InvalidField, match="received_on"):
        check_answer(letter, answered.model_copy(update={"received_on": date(2026, 11, 19)}),
                     today=TODAY)
    with pytest.raises(InvalidField, match="received_on"):
        check_answer(letter, answered.model_copy(update={"received_on": None}), today=TODAY)
    unanswered = AnswerIn(outcome="unanswered", answer="单位已注销")
    check_answer(letter, unanswered, today=TODAY)
    with pytest.raises(InvalidField):
        check_answer(letter, unanswered.model_copy(update={"stated_monthly_income_fen": 1}),
                     today=TODAY)
    with pytest.raises(Conflict):
        check_answer(SimpleNamespace(id="l", status="answered", sent_on=TODAY), answered,
                     today=TODAY)


def test_neighbour_visitors_are_investigators_of_the_team():
    """R-VE-2: who visited; R-VE-1: the investigators."""
    team = [SimpleNamespace(user_id="a", name="甲"), SimpleNamespace(user_id="b", name="乙")]
    assert visitors_of([], caller="a", team=team) == [{"user_id": "a", "name": "甲"}]
    assert [v["user_id"] for v in visitors_of(["b", "a", "b"], caller="a", team=team)] == [
        "b", "a"]
    with pytest.raises(InvalidField, match="not an investigator"):
        visitors_of(["c"], caller="a", team=team)
    with pytest.raises(InvalidField, match="assign"):
        visitors_of([], caller="a", team=[])


def test_evidence_types_are_told_by_their_first_bytes():
    assert check_media_type("image/PNG; charset=binary") == "image/png"
    with pytest.raises(UnsupportedMediaType):
        check_media_type("text/html")
    with pytest.raises(UnsupportedMediaType):
        check_media_type(None)
    assert content_matches("image/png", b"\x89PNG\r\n\x1a\n....")
    assert content_matches("image/jpeg", b"\xff\xd8\xff\xe0")
    assert content_matches("application/pdf", b"%PDF-1.7")
    assert content_matches("image/webp", b"RIFF\x00\x00\x00\x00WEBPVP8 ")
    assert not content_matches("image/webp", b"RIFF\x00\x00\x00\x00WAVEfmt ")
    assert not content_matches("image/png", b"<html>")


def test_file_names_lose_folders_and_invisible_characters():
    assert safe_filename("../../etc/入户照片.png") == "入户照片.png"
    assert safe_filename("C:\\scans\\letter.pdf") == "letter.pdf"
    assert safe_filename("a\u202egnp.exe") == "agnp.exe"
    assert safe_filename("..") == "file" and safe_filename(None) == "file"
    assert len(safe_filename("x" * 500 + ".png")) == 200
