"""The calculation as an endpoint: a portal's self-check without a token, or a caseworker's
trial, explained step by step with the policy version used (R-BE-1 … R-BE-12)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from services.approval.app import create_app as create_approval
from services.approval.policy.schemas import PolicyParameters
from shared.auth import Role
from shared.benefits import DEMO, Household, Member, assess_dibao
from tests.support import bearer, outbox_types, running

COUNTY = "230722"  # 嘉荫县, a border county in the demo data (R-BE-12)
INLAND = "230717"  # 伊美区, not a border county
TODAY = date(2026, 12, 10)


def version_body(county: str, area: str, effective_from: str = "2026-01-01",
                 **changes: Any) -> dict[str, Any]:
    figures = PolicyParameters.of(DEMO[area]).model_dump(mode="json")  # type: ignore[index]
    return {"county": county, "area": area, "effective_from": effective_from,
            "reason": "测试标准", "parameters": {**figures, **changes}}


@pytest.fixture
async def approval(make_settings):
    settings = make_settings("approval")
    app = create_approval(settings)
    async with running(app) as client:
        app.state.kit.clock.set(datetime(2026, 12, 10, 2, tzinfo=UTC))
        client.kit = app.state.kit  # type: ignore[attr-defined]
        client.versions = {}  # type: ignore[attr-defined]
        for county in (COUNTY, INLAND):
            officer = bearer(settings, Role.county_officer, [county])
            for area in ("urban", "rural"):
                answer = await client.post("/api/v1/policy/versions", headers=officer,
                                           json=version_body(county, area))
                assert answer.status_code == 201, answer.text
                client.versions[county, area] = answer.json()["id"]  # type: ignore[attr-defined]
        yield client


async def calculate(client, **body: Any) -> dict[str, Any]:
    answer = await client.post("/api/v1/calculations", json=body)  # no token: a self-check
    assert answer.status_code == 200, answer.text
    result: dict[str, Any] = answer.json()
    return result


def steps_of(result: dict[str, Any], rule: str) -> list[dict[str, Any]]:
    return [s for s in result["steps"] if s["rule"] == rule]


async def test_a_self_check_without_a_token_explains_each_step_and_names_the_version(approval):
    """R-BE-1, R-BE-3, R-BE-9, R-BE-2: an urban couple, one aged 67, with 600 yuan of wages a
    month: (750 × 2 − 600) + 15 % × 750 for the elderly member = 1,012.50, rounded up to 1,013
    yuan; the statutory basic pension is not counted; each step names its rule and the figure
    of the policy version used, and the answer names that version."""
    result = await calculate(
        approval, program="dibao", county=COUNTY, area="urban", month="2026-12",
        members=[{"age": 67}, {"age": 58}],
        income=[{"kind": "wages", "amount_fen": 60_000, "member": 2},
                {"kind": "resident_basic_pension", "amount_fen": 15_000, "member": 1}])
    dibao = result["result"]
    assert (dibao["eligible"], dibao["amount_fen"], dibao["amount_yuan"]) == (True, 101_300,
                                                                              "1013.00")
    assert dibao["standard_fen"] == 75_000 and dibao["area"] == "urban"
    [addon] = steps_of(dibao, "R-BE-3")
    assert (addon["member"], addon["parameter"], addon["parameter_value"]) == (1, "addon_rate",
                                                                               "0.15")
    assert any("not counted" in s["label"] for s in steps_of(dibao, "R-BE-9"))
    assert {"dibao_standard_fen", "benefit_rounding", "addon_rate"} <= {
        s["parameter"] for s in dibao["steps"]}
    assert sum(float(s["value"]) for s in dibao["steps"] if s["part"]) == 101_300
    [used] = result["policy_versions"]
    assert used["version_id"] == approval.versions[COUNTY, "urban"]
    assert (used["version"], used["used_for"], used["effective_from"]) == (1, "standard",
                                                                           "2026-01-01")
    assert result["near_dibao"] is None and result["single_person"] == []
    assert "not a decision" in result["notice"]
    # the rules of shared.benefits decide, not the endpoint: the same household, the same answer
    household = Household(area="urban", county=COUNTY, on=date(2026, 12, 1),
                          members=(Member("1", age=67), Member("2", age=58)),
                          income=result_income())
    assert assess_dibao(household, DEMO["urban"]).amount_fen == dibao["amount_fen"]
    # nothing stored, nothing logged about the household
    assert [t for t in await outbox_types(approval.kit) if "policy" not in t] == []


def result_income():
    from shared.benefits import IncomeItem

    return (IncomeItem("wages", 60_000, member_id="2"),
            IncomeItem("resident_basic_pension", 15_000, member_id="1"))


async def test_r_be_12_a_rural_household_of_a_border_county_is_on_the_urban_standard(approval):
    """R-BE-12: rural residents registered in 嘉荫县 who have long lived in a border county are
    assisted on the urban standard (750, not 560); the answer names the urban version whose
    figures it used and the rural version whose list of border counties put it there. Without
    the long residence, or in an inland county, the rural standard applies."""
    body = {"program": "dibao", "county": COUNTY, "area": "rural", "month": "2026-12",
            "members": [{"age": 40}]}
    border = await calculate(approval, **body, long_lived_in_border_county=True)
    assert border["result"]["area"] == "urban" and border["result"]["standard_fen"] == 75_000
    assert border["result"]["amount_fen"] == 75_000
    [area_step] = steps_of(border["result"], "R-BE-12")
    assert area_step["parameter"] == "border_counties" and "230722" in area_step["parameter_value"]
    assert [(u["version_id"], u["used_for"]) for u in border["policy_versions"]] == [
        (approval.versions[COUNTY, "urban"], "standard"),
        (approval.versions[COUNTY, "rural"], "border_counties")]
    settled = await calculate(approval, **body)
    assert (settled["result"]["area"], settled["result"]["amount_fen"]) == ("rural", 56_000)
    inland = await calculate(approval, **{**body, "county": INLAND},
                             long_lived_in_border_county=True)
    assert (inland["result"]["area"], inland["result"]["amount_fen"]) == ("rural", 56_000)
    assert [u["version_id"] for u in inland["policy_versions"]] == [
        approval.versions[INLAND, "rural"]]


async def test_the_version_in_force_in_the_month_is_the_one_used(approval):
    """R-BE-1: a calculation uses the standard in force in the month it is for: a raise to 780
    yuan from 2027-01-01 is used for January, not for December."""
    officer = bearer(approval.kit.settings, Role.county_officer, [COUNTY])
    raised = await approval.post("/api/v1/policy/versions", headers=officer,
                                 json=version_body(COUNTY, "urban", "2027-01-01",
                                                   dibao_standard_fen=78_000))
    assert raised.status_code == 201, raised.text
    body = {"program": "dibao", "county": COUNTY, "area": "urban", "members": [{"age": 40}]}
    december = await calculate(approval, **body)  # default: this month (2026-12)
    january = await calculate(approval, **body, month="2027-01")
    assert (december["month"], december["result"]["amount_fen"]) == ("2026-12", 75_000)
    assert december["policy_versions"][0]["version"] == 1
    assert (january["result"]["amount_fen"], january["policy_versions"][0]["version_id"]) == (
        78_000, raised.json()["id"])


async def test_r_be_5_and_r_be_4_near_dibao_and_the_single_person_household(approval):
    """R-BE-5: income above the standard (900 yuan a head) but within 1.5 × 750: no dibao, a
    near-dibao household. R-BE-4: its member with a grade-1 disability is covered alone: the
    county's average per-capita payment 620 + the add-on 15 % × 750 = 732.50, rounded up."""
    result = await calculate(
        approval, program="dibao", county=COUNTY, area="urban",
        members=[{"age": 50}, {"age": 24, "disability_grade": 1, "disability_kind": "physical"}],
        income=[{"kind": "business", "amount_fen": 180_000}])
    assert result["result"]["eligible"] is False
    assert result["result"]["reasons"][0]["code"] == "income_not_below_standard"
    assert result["near_dibao"]["eligible"] is True
    [single] = result["single_person"]
    assert (single["member"], single["eligible"], single["amount_fen"]) == (2, True, 73_300)
    assert "average_dibao_per_capita_fen" in {s["parameter"] for s in single["steps"]}


async def test_r_be_7_tekun_and_r_be_8_temporary_aid_cap(approval):
    """R-BE-7: an old person alone, no income, no supporter, partly unable to care for
    themselves: 1.3 × 750 + 400 = 1,375 yuan. R-BE-8: emergency aid of 3,000 yuan asked by a
    rural household is capped at 3 × 560 = 1,680 yuan."""
    tekun = await calculate(approval, program="tekun", county=COUNTY, area="urban",
                            members=[{"age": 78, "able_to_work": False,
                                      "has_income_source": False, "supporter": "none",
                                      "self_care": "partly_unable"}])
    assert (tekun["result"]["eligible"], tekun["result"]["amount_fen"]) == (True, 137_500)
    assert "tekun_care_fen.partly_unable" in {s["parameter"] for s in tekun["result"]["steps"]}
    aid = await calculate(approval, program="temp_emergency", county=COUNTY, area="rural",
                          members=[{"age": 45}, {"age": 44}], requested_fen=300_000)
    assert (aid["result"]["amount_fen"], aid["result"]["payment"]) == (168_000, "once")
    assert "temp_aid_cap_multiple.temp_emergency" in {
        s["parameter"] for s in aid["result"]["steps"]}


@pytest.mark.parametrize(("changes", "field"), [
    ({"members": [{"age": 40, "name": "张三"}]}, "members.0.name"),
    ({"members": [{"age": 40, "id_number": "11010519491231002X"}]}, "members.0.id_number"),
    ({"members": [{"age": 40, "birth_date": "1986-01-01"}]}, "members.0.birth_date"),
    ({"income": [{"kind": "wages", "amount_fen": 100, "member": 3}]}, "income.0.member"),
    ({"income": [{"kind": "wages", "amount_fen": "100"}]}, "income.0.amount_fen"),
    ({"assets": [{"kind": "vehicle", "exempt": True}]}, "assets.0.exempt_reason"),
    ({"members": []}, "members"),
    ({"county": "230700"}, "county"),
    ({"month": "2026-13"}, "month"),
    ({"program": "temp_expenditure"}, "requested_fen"),
    ({"program": "tekun", "members": [{"age": 80}, {"age": 79}]}, "person"),
])
async def test_no_personal_data_goes_in_and_bad_figures_are_named(approval, changes, field):
    """R-SE-3: no name, ID number or birth day is taken (members are named by their place);
    bad figures are a 422 problem naming the field."""
    body = {"program": "dibao", "county": COUNTY, "area": "urban", "members": [{"age": 40}],
            **changes}
    answer = await approval.post("/api/v1/calculations", json=body)
    assert answer.status_code == 422, answer.text
    assert field in [e["field"] for e in answer.json()["errors"]]


async def test_no_policy_in_force_is_a_409_and_the_operation_is_public(approval):
    """A county with no version that month: 409 no-policy-in-force. The operation is public in
    the API document (no token, x-public) and a token changes nothing."""
    answer = await approval.post("/api/v1/calculations", json={
        "program": "dibao", "county": "230723", "area": "urban", "members": [{"age": 40}]})
    assert answer.status_code == 409
    assert answer.json()["type"] == "urn:assist:problem:no-policy-in-force"
    before = await approval.post("/api/v1/calculations", json={
        "program": "dibao", "county": COUNTY, "area": "urban", "month": "2025-12",
        "members": [{"age": 40}]})
    assert before.json()["type"] == "urn:assist:problem:no-policy-in-force"
    operation = (await approval.get("/openapi.json")).json()["paths"]["/api/v1/calculations"]
    assert operation["post"]["x-public"] is True and operation["post"]["x-roles"] == []
    body = {"program": "dibao", "county": COUNTY, "area": "urban", "members": [{"age": 40}]}
    caseworker = bearer(approval.kit.settings, Role.caseworker, ["230722100"])
    with_token = await approval.post("/api/v1/calculations", json=body, headers=caseworker)
    assert with_token.json() == await calculate(approval, **body)
