"""Policy parameters per county and area, versioned from a date and never edited in place
(R-BE-1 … R-BE-12 read them; R-AU-2 nothing rewritten; R-SE-1 roles and jurisdiction)."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from services.approval.app import create_app as create_approval
from services.approval.policy.models import PolicyVersion
from services.approval.policy.schemas import PolicyParameters
from services.approval.policy.service import NoPolicyInForce, parameters_in_force
from shared.auth import Role
from shared.benefits.parameters import DEMO, Parameters
from shared.contracts.approval import PolicyVersionPublished
from tests.support import bearer, domain_event_count, outbox_types, running

COUNTY = "230722"  # 嘉荫县
OTHER_COUNTY = "230717"  # 伊美区
TOWNSHIP = "230722100"  # 朝阳镇
PUBLISHED = "assist.approval.policy_version_published"
WITHDRAWN = "assist.approval.policy_version_withdrawn"
TODAY = date(2026, 12, 10)


def at(day: date) -> datetime:
    """Ten in the morning, Asia/Shanghai, on ``day``."""
    return datetime(day.year, day.month, day.day, 2, tzinfo=UTC)


def figures(**changes: Any) -> dict[str, Any]:
    return {"dibao_standard_fen": 75_000, "minimum_wage_fen": 175_000,
            "average_dibao_per_capita_fen": 62_000,
            "tekun_care_fen": {"able": 10_000, "partly_unable": 40_000, "unable": 80_000},
            **changes}


def version_body(effective_from: date, *, county: str = COUNTY, area: str = "urban",
                 **changes: Any) -> dict[str, Any]:
    return {"county": county, "area": area, "effective_from": effective_from.isoformat(),
            "reason": "县政府调整低保标准（测试）", "parameters": figures(**changes)}


def officer(settings, county: str = COUNTY) -> dict[str, str]:
    return bearer(settings, Role.county_officer, [county], user_id=f"officer-{county}")


@pytest.fixture
async def approval(make_settings):
    settings = make_settings("approval")
    app = create_approval(settings)
    async with running(app) as client:
        app.state.kit.clock.set(at(TODAY))
        client.settings = settings  # type: ignore[attr-defined]
        client.kit = app.state.kit  # type: ignore[attr-defined]
        yield client


async def publish(client, body, headers=None) -> dict[str, Any]:
    answer = await client.post("/api/v1/policy/versions", json=body,
                               headers=headers or officer(client.settings))
    assert answer.status_code == 201, answer.text
    return answer.json()


async def in_force(client, on: date, *, area: str = "urban", county: str = COUNTY,
                   headers=None):
    return await client.get("/api/v1/policy/in-force",
                            params={"county": county, "area": area, "on": on.isoformat()},
                            headers=headers or officer(client.settings))


async def test_a_change_is_a_new_version_from_a_date_and_the_version_in_force_follows_the_date(
        approval):
    """R-BE-1 (a calculation uses the standard in force on its day), R-AU-2: the first
    version records the figures already in force; a raise from 2027-01-01 is version 2 and
    leaves version 1 as it was; on 2026-12-31 version 1 is in force, from 2027-01-01 version 2."""
    first = await publish(approval, version_body(date(2026, 1, 1)))
    assert (first["version"], first["effective_from"], first["withdrawn"]) == (1, "2026-01-01",
                                                                               False)
    assert first["published_by"] == f"officer-{COUNTY}"
    # every figure is stored, the rule book's defaults written out
    assert first["parameters"]["addon_rate"] == "0.15"
    assert first["parameters"]["near_dibao_factor"] == "1.5"
    assert first["parameters"]["border_counties"] == ["230722"]

    raised = await publish(approval, version_body(date(2027, 1, 1), dibao_standard_fen=78_000))
    assert raised["version"] == 2 and raised["id"] != first["id"]

    before = await in_force(approval, date(2026, 12, 31))
    on_the_day = await in_force(approval, date(2027, 1, 1))
    later = await in_force(approval, date(2027, 6, 30))
    assert before.status_code == on_the_day.status_code == later.status_code == 200
    assert before.json()["id"] == first["id"]
    assert before.json()["parameters"]["dibao_standard_fen"] == 75_000
    assert on_the_day.json()["id"] == later.json()["id"] == raised["id"]
    assert on_the_day.json()["parameters"]["dibao_standard_fen"] == 78_000
    # version 1 is unchanged, and both stay listed, the newest first
    listed = (await approval.get("/api/v1/policy/versions", params={"county": COUNTY},
                                 headers=officer(approval.settings))).json()
    assert [v["version"] for v in listed] == [2, 1]
    assert listed[1] == first
    # nothing edits a version in place: no PUT, PATCH or DELETE
    for method in ("PUT", "PATCH", "DELETE"):
        answer = await approval.request(method, f"/api/v1/policy/versions/{first['id']}",
                                        headers=officer(approval.settings), json=first)
        assert answer.status_code == 405, method
    # before the first version: none in force (404 problem)
    none = await in_force(approval, date(2025, 12, 31))
    assert none.status_code == 404
    assert none.headers["content-type"] == "application/problem+json"


async def test_publishing_emits_policy_version_published_with_every_figure(approval):
    """The operation log and other services learn of a version from its event (R-AU-1)."""
    first = await publish(approval, version_body(date(2026, 1, 1)))
    second = await publish(approval, version_body(date(2027, 1, 1), dibao_standard_fen=78_000))
    assert (await outbox_types(approval.kit)).count(PUBLISHED) == 2
    async with approval.kit.sessions() as session:
        rows = (await session.execute(
            select(approval.kit.outbox.c.payload).where(
                approval.kit.outbox.c.event_type == PUBLISHED)
            .order_by(approval.kit.outbox.c.id))).scalars().all()
    events = [PolicyVersionPublished.model_validate(_data(r)) for r in rows]
    assert [e.version_id for e in events] == [first["id"], second["id"]]
    assert events[1].follows_version_id == first["id"] and events[0].follows_version_id is None
    assert events[1].parameters == second["parameters"]
    assert events[1].version_number == 2 and events[1].county == COUNTY


def _data(payload: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(payload)["data"]
    return data


async def test_a_change_takes_effect_today_or_later_and_one_version_per_day(approval):
    """R-AU-2: what was in force on a past day never changes. A second version dated before
    today is refused (422 naming effective_from); a second version from a day that already
    has one is refused (409 policy-version-exists); nothing is stored either way."""
    await publish(approval, version_body(date(2026, 1, 1)))
    backdated = await approval.post("/api/v1/policy/versions",
                                     json=version_body(date(2026, 12, 9)),
                                     headers=officer(approval.settings))
    assert backdated.status_code == 422, backdated.text
    assert backdated.json()["errors"][0]["field"] == "effective_from"
    twice = await approval.post("/api/v1/policy/versions", json=version_body(date(2026, 1, 1)),
                                headers=officer(approval.settings))
    assert twice.status_code == 409
    assert twice.json()["type"] == "urn:assist:problem:policy-version-exists"
    assert await domain_event_count(approval.kit) == 1
    # today itself is allowed, and the rural area has versions of its own
    assert (await publish(approval, version_body(TODAY)))["version"] == 2
    assert (await publish(approval, version_body(date(2020, 1, 1), area="rural",
                                                 dibao_standard_fen=56_000)))["version"] == 1


@pytest.mark.parametrize(("changes", "field"), [
    ({"dibao_standard_fen": 0}, "parameters.dibao_standard_fen"),
    ({"addon_rate": "1.5"}, "parameters.addon_rate"),
    ({"near_dibao_factor": "0.9"}, "parameters.near_dibao_factor"),
    ({"tekun_basic_factor": "1.2"}, "parameters.tekun_basic_factor"),
    ({"minimum_wage_fen": "175000"}, "parameters.minimum_wage_fen"),
    ({"addon_rate": "NaN"}, "parameters.addon_rate"),
    ({"benefit_rounding": "nearest"}, "parameters.benefit_rounding"),
    ({"tekun_care_fen": {"able": 0, "unable": 1}}, "parameters.tekun_care_fen.partly_unable"),
    ({"border_counties": ["230700"]}, "parameters.border_counties.0"),
    # refused by shared.benefits.Parameters itself (R-BE-7: at least 1.3 × the standard)
    ({"tekun_basic_standard_fen": 90_000}, "parameters.tekun_basic_standard_fen"),
    ({"surprise": 1}, "parameters.surprise"),
])
async def test_bad_figures_are_refused_naming_the_field_and_nothing_is_stored(
        approval, changes, field):
    """Bad input changes nothing: 422 problem naming the figure, no version, no event."""
    answer = await approval.post("/api/v1/policy/versions",
                                 json=version_body(date(2026, 1, 1), **changes),
                                 headers=officer(approval.settings))
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    assert field in [e["field"] for e in answer.json()["errors"]]
    async with approval.kit.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(PolicyVersion)) == 0
    assert await domain_event_count(approval.kit) == 0


async def test_only_the_county_officer_of_that_county_publishes(approval):
    """R-SE-1: a caseworker or a city officer may not publish (403 forbidden); a county officer
    of another county may not publish for this one (403 out-of-jurisdiction)."""
    settings = approval.settings
    body = version_body(date(2026, 1, 1))
    for headers, kind in (
        (bearer(settings, Role.caseworker, [TOWNSHIP]), "forbidden"),
        (bearer(settings, Role.city_officer, ["230700"]), "forbidden"),
        (officer(settings, OTHER_COUNTY), "out-of-jurisdiction"),
    ):
        answer = await approval.post("/api/v1/policy/versions", json=body, headers=headers)
        assert answer.status_code == 403
        assert answer.json()["type"] == f"urn:assist:problem:{kind}"
    assert (await approval.post("/api/v1/policy/versions", json=body)).status_code == 401
    assert await domain_event_count(approval.kit) == 0


async def test_staff_read_the_versions_of_their_jurisdiction_and_its_county(approval):
    """R-SE-1: a township's caseworker reads its county's versions (its standard) but not
    another county's; the city officer reads every county of the city; nobody without a token."""
    settings = approval.settings
    ours = await publish(approval, version_body(date(2026, 1, 1)))
    theirs = await publish(approval, version_body(date(2026, 1, 1), county=OTHER_COUNTY),
                           headers=officer(settings, OTHER_COUNTY))
    caseworker = bearer(settings, Role.caseworker, [TOWNSHIP])
    listed = await approval.get("/api/v1/policy/versions", headers=caseworker)
    assert [v["id"] for v in listed.json()] == [ours["id"]]
    assert (await approval.get(f"/api/v1/policy/versions/{theirs['id']}",
                               headers=caseworker)).status_code == 404
    assert (await in_force(approval, TODAY, county=OTHER_COUNTY,
                           headers=caseworker)).status_code == 403
    assert (await in_force(approval, TODAY, headers=caseworker)).json()["id"] == ours["id"]
    city = bearer(settings, Role.city_officer, ["230700"])
    every = await approval.get("/api/v1/policy/versions", headers=city)
    assert {v["id"] for v in every.json()} == {ours["id"], theirs["id"]}
    assert (await approval.get("/api/v1/policy/versions")).status_code == 401


async def test_a_version_is_withdrawn_only_before_it_takes_effect_and_stays_listed(approval):
    """R-AU-2: a withdrawal is recorded on the version (who, when, why), never a deletion; the
    version before stays in force; once its day has come a version can't be withdrawn (409)."""
    settings = approval.settings
    first = await publish(approval, version_body(date(2026, 1, 1)))
    planned = await publish(approval, version_body(date(2027, 1, 1), dibao_standard_fen=78_000))
    url = f"/api/v1/policy/versions/{planned['id']}/withdraw"
    caseworker = bearer(settings, Role.caseworker, [TOWNSHIP])
    assert (await approval.post(url, json={"reason": "x"}, headers=caseworker)).status_code == 403
    withdrawn = await approval.post(url, json={"reason": "文件撤回"}, headers=officer(settings))
    assert withdrawn.status_code == 200, withdrawn.text
    body = withdrawn.json()
    assert body["withdrawn"] and body["withdrawn_by"] == f"officer-{COUNTY}"
    assert body["withdrawn_reason"] == "文件撤回"
    assert (await in_force(approval, date(2027, 3, 1))).json()["id"] == first["id"]
    again = await approval.post(url, json={"reason": "again"}, headers=officer(settings))
    assert again.json()["type"] == "urn:assist:problem:policy-version-withdrawn"
    listed = (await approval.get("/api/v1/policy/versions", headers=officer(settings))).json()
    assert [(v["version"], v["withdrawn"]) for v in listed] == [(2, True), (1, False)]
    # the same day is free again, as version 3
    assert (await publish(approval, version_body(date(2027, 1, 1))))["version"] == 3
    took_effect = await approval.post(f"/api/v1/policy/versions/{first['id']}/withdraw",
                                      json={"reason": "too late"}, headers=officer(settings))
    assert took_effect.status_code == 409
    assert took_effect.json()["type"] == "urn:assist:problem:policy-version-took-effect"
    assert (await outbox_types(approval.kit)).count(WITHDRAWN) == 1
    # once the clock reaches 2027-01-01, version 3 has taken effect too
    approval.kit.clock.advance(timedelta(days=22))
    late = await approval.post(f"/api/v1/policy/versions/{listed[0]['id']}/withdraw",
                               json={"reason": "x"}, headers=officer(settings))
    assert late.status_code == 409  # version 2: already withdrawn
    v3 = (await in_force(approval, date(2027, 1, 1))).json()
    assert (await approval.post(f"/api/v1/policy/versions/{v3['id']}/withdraw",
                                json={"reason": "x"}, headers=officer(settings))
            ).json()["type"] == "urn:assist:problem:policy-version-took-effect"


async def test_parameters_in_force_gives_the_rules_their_parameters_or_409(approval):
    """The function other parts of approval call: the version and shared.benefits.Parameters
    in force on a day; 409 no-policy-in-force when there is none (R-BE-1)."""
    async with approval.kit.sessions() as session:
        with pytest.raises(NoPolicyInForce) as refused:
            await parameters_in_force(session, county=COUNTY, area="rural", on=TODAY)
        assert refused.value.status == 409 and refused.value.slug == "no-policy-in-force"
    body = version_body(date(2026, 1, 1), area="rural")
    body["parameters"] = PolicyParameters.of(DEMO["rural"]).model_dump(mode="json")
    published = await publish(approval, body)
    async with approval.kit.sessions() as session:
        version, parameters = await parameters_in_force(session, county=COUNTY, area="rural",
                                                        on=TODAY)
    assert version.id == published["id"]
    assert isinstance(parameters, Parameters) and parameters == DEMO["rural"]


def test_the_api_mirrors_every_figure_of_parameters():
    """The request schema names exactly the fields of shared.benefits.Parameters, with the
    same defaults, so no figure is lost on its way to the rules."""
    assert set(PolicyParameters.model_fields) == {f.name for f in dataclasses.fields(Parameters)}
    for area in ("urban", "rural"):
        assert PolicyParameters.of(DEMO[area]).to_parameters() == DEMO[area]
    minimal = PolicyParameters(dibao_standard_fen=1, minimum_wage_fen=0).to_parameters()
    assert minimal == Parameters(dibao_standard_fen=1, minimum_wage_fen=0)


async def test_an_idempotency_key_publishes_once(approval):
    """A retried POST with the same Idempotency-Key answers the first answer, no second version."""
    headers = officer(approval.settings) | {"Idempotency-Key": "policy-2026-urban"}
    body = version_body(date(2026, 1, 1))
    first = await approval.post("/api/v1/policy/versions", json=body, headers=headers)
    again = await approval.post("/api/v1/policy/versions", json=body, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    assert await domain_event_count(approval.kit) == 1


async def test_the_demo_parameters_make_run_loads_are_first_versions_marked_demo(approval):
    """`make run` publishes shared.benefits.DEMO, urban and rural, for its county through this
    API (tools.demo_policy), marked as demo values, not official ones."""
    from tools.demo_policy import demo_versions

    for body in demo_versions(COUNTY):
        published = await publish(approval, body)
        assert published["demo"] is True and published["version"] == 1
    async with approval.kit.sessions() as session:
        for area in ("urban", "rural"):
            _, parameters = await parameters_in_force(session, county=COUNTY, area=area, on=TODAY)
            assert parameters == DEMO[area]  # type: ignore[index]
