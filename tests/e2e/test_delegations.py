"""R-VE-3 end to end: a household that lives in another county (人户分离). The accepting county
(嘉荫县 230722) delegates the investigation to the county of residence (铁力市 230781); that
county's township sees it in its own work list, accepts it and returns the result, or refuses it
with a reason. The two counties are two installations (different databases and event keys),
sharing one nats-server, or sharing nothing and talking over REST."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from services.intake.app import create_app as create_intake
from services.verification.app import create_app as create_verification
from services.verification.delegations.service import returned_results
from shared.auth import issue_token
from shared.idcard import check_character
from shared.natsd import NatsServer, free_port
from shared.settings import Settings
from tests.bus import count_events, stream_messages
from tests.httpserver import serving
from tests.support import bearer, eventually, load_division_register, running

JIAYIN, TIELI = "230722", "230781"
TOWNSHIP, VILLAGE = "230722100", "230722100201"
RESIDENCE, OTHER_RESIDENCE = "230781101", "230781102"


def resident_id(birth: str, serial: str) -> str:
    first17 = "230722" + birth + serial
    return first17 + check_character(first17)


HEAD, SPOUSE = resident_id("19580312", "131"), resident_id("19600101", "242")


def application() -> dict[str, Any]:
    return {
        "program": "dibao", "channel": "window", "division": VILLAGE, "area": "rural",
        "contact_phone": "13800000000",
        "household": {"address": "朝阳镇东风村3组", "members": [
            {"name": "王大山", "id_number": HEAD, "relationship": "head",
             "living_status": "at_home", "is_student": False},
            {"name": "李秀英", "id_number": SPOUSE, "relationship": "spouse",
             "living_status": "at_home", "is_student": False}]},
        "materials": ["application_form", "id_card", "household_register", "income_statement",
                      "property_declaration", "authorization_letter"],
    }


def result(members: list[dict[str, Any]]) -> dict[str, Any]:
    return {"summary": "户主在铁力镇打零工, 配偶无业; 租住平房一间, 家中无贵重物品。",
            "investigated_on": "2026-11-20", "investigators": ["周明", "吴敏"],
            "findings": [{"kind": "income", "member_id": members[0]["member_id"],
                          "description": "建筑工地零工", "amount_fen": 150000},
                         {"kind": "asset", "description": "电动三轮车", "amount_fen": 300000}]}


@dataclass
class Counties:
    """嘉荫县 (intake and verification) and 铁力市 (verification), as two installations."""

    jiayin: Settings
    tieli: Settings
    intake: httpx.AsyncClient
    accepting: httpx.AsyncClient
    residence: httpx.AsyncClient | None = None
    start_residence: Callable[[], Any] | None = None
    kits: dict[str, Any] = field(default_factory=dict)

    def caseworker(self) -> dict[str, str]:
        return bearer(self.jiayin, "caseworker", [TOWNSHIP], user_id="cw-wang")

    def residence_caseworker(self, township: str = RESIDENCE) -> dict[str, str]:
        return bearer(self.tieli, "caseworker", [township], user_id=f"cw-{township}")

    async def investigation(self) -> dict[str, Any]:
        r = await self.intake.post("/api/v1/applications", json=application(),
                                   headers=self.caseworker())
        assert r.status_code == 201, r.text
        app_id = r.json()["id"]

        async def opened() -> dict[str, Any] | None:
            r = await self.accepting.get("/api/v1/investigations", headers=self.caseworker(),
                                         params={"application_id": app_id})
            return r.json()[0] if r.status_code == 200 and r.json() else None

        return await eventually(opened, timeout=15)

    async def delegate(self, investigation_id: str) -> dict[str, Any]:
        r = await self.accepting.post(
            f"/api/v1/investigations/{investigation_id}/delegations", headers=self.caseworker(),
            json={"residence_division": RESIDENCE, "address": "铁力市铁力镇民主街12号",
                  "tasks": "入户调查家庭收入、财产和生活状况, 走访邻居"})
        assert r.status_code == 201, r.text
        return r.json()  # type: ignore[no-any-return]

    async def at_accepting(self, delegation_id: str, status: str) -> dict[str, Any]:
        async def reached() -> dict[str, Any] | None:
            r = await self.accepting.get(f"/api/v1/delegations/{delegation_id}",
                                         headers=self.caseworker())
            return r.json() if r.json()["status"] == status else None

        return await eventually(reached, timeout=20)

    async def work_list(self, township: str = RESIDENCE) -> list[dict[str, Any]]:
        assert self.residence is not None
        r = await self.residence.get("/api/v1/delegations", params={"direction": "incoming"},
                                     headers=self.residence_caseworker(township))
        assert r.status_code == 200, r.text
        return r.json()  # type: ignore[no-any-return]


def settings_of(make_settings: Any, tmp_path: Any) -> tuple[Settings, Settings]:
    common = {"courier_poll_interval_s": 0.1, "delegation_retry_max_s": 1.0}
    jiayin = make_settings("verification", **common)
    second = {"db_schema": f"{jiayin.pg_schema}_tieli"} if jiayin.pg_schema else {}
    tieli = make_settings("verification", county=TIELI, data_dir=tmp_path / "tieli",
                          **common, **second)
    return jiayin, tieli


@asynccontextmanager
async def two_counties(make_settings: Any, tmp_path: Any, *, rest: bool
                       ) -> AsyncIterator[Counties]:
    """Both verifications served over HTTP on loopback; over REST each knows the other as a
    peer with a system token the other issued. The residence county starts when asked."""
    jiayin, tieli = settings_of(make_settings, tmp_path)
    ports = {JIAYIN: free_port(), TIELI: free_port()}
    if rest:
        def peer(county: str, issuer: Settings, caller: str) -> str:
            token = issue_token(issuer, user_id=f"verification-{caller}", role="system",
                                divisions=[caller])
            return json.dumps({county: {"url": f"http://127.0.0.1:{ports[county]}",
                                        "token": token}})

        jiayin = jiayin.model_copy(update={"delegation_peers": peer(TIELI, tieli, JIAYIN)})
        tieli = tieli.model_copy(update={"delegation_peers": peer(JIAYIN, jiayin, TIELI)})
    intake_app = create_intake(make_settings("intake"))
    accepting_app, residence_app = create_verification(jiayin), create_verification(tieli)
    async with AsyncExitStack() as stack:
        intake = await stack.enter_async_context(running(intake_app))
        accepting_url = await stack.enter_async_context(serving(accepting_app, ports[JIAYIN]))
        accepting = await stack.enter_async_context(httpx.AsyncClient(base_url=accepting_url))
        counties = Counties(jiayin, tieli, intake, accepting,
                            kits={"intake": intake_app.state.kit,
                                  JIAYIN: accepting_app.state.kit})

        async def start_residence() -> None:
            url = await stack.enter_async_context(serving(residence_app, ports[TIELI]))
            counties.residence = await stack.enter_async_context(httpx.AsyncClient(base_url=url))
            counties.kits[TIELI] = residence_app.state.kit
            await residence_app.state.kit.bus.wait_ready(15)

        counties.start_residence = start_residence
        for kit in counties.kits.values():
            await kit.bus.wait_ready(15)
        await load_division_register(intake, intake_app.state.kit.settings)
        yield counties


async def test_r_ve_3_a_delegation_over_the_shared_nats_cluster_comes_back_with_the_result(
        make_settings, tmp_path, nats_server: NatsServer):
    async with two_counties(make_settings, tmp_path, rest=False) as counties:
        await counties.start_residence()
        investigation = await counties.investigation()
        sent = await counties.delegate(investigation["id"])
        assert (sent["status"], sent["transport"], sent["direction"]) == (
            "requested", "nats", "outgoing")
        assert (sent["accepting_county"], sent["residence_county"]) == (JIAYIN, TIELI)
        assert [(m["name"], m["id_number_masked"]) for m in sent["members"]] == [
            ("王大山", HEAD[:3] + "*" * 11 + HEAD[-4:]),
            ("李秀英", SPOUSE[:3] + "*" * 11 + SPOUSE[-4:])]

        # the residence township sees it in its own work list; another township does not
        [seen] = await eventually(counties.work_list, timeout=20)
        assert (seen["id"], seen["status"], seen["direction"]) == (sent["id"], "received",
                                                                   "incoming")
        assert seen["application_number"] == investigation["application_number"]
        assert seen["members"] == sent["members"] and seen["address"] == sent["address"]
        assert await counties.work_list(OTHER_RESIDENCE) == []
        assert counties.residence is not None
        outsider = await counties.residence.get(
            f"/api/v1/delegations/{sent['id']}",
            headers=counties.residence_caseworker(OTHER_RESIDENCE))
        assert outsider.status_code == 404  # R-SE-1: another division's record is not confirmed

        early = await counties.residence.post(f"/api/v1/delegations/{sent['id']}/return",
                                              json=result(sent["members"]),
                                              headers=counties.residence_caseworker())
        assert early.status_code == 409  # accepted first
        accepted = await counties.residence.post(f"/api/v1/delegations/{sent['id']}/accept",
                                                 headers=counties.residence_caseworker())
        assert accepted.status_code == 200, accepted.text
        await counties.at_accepting(sent["id"], "accepted")

        alone = result(sent["members"]) | {"investigators": ["周明", "周明"]}
        r = await counties.residence.post(f"/api/v1/delegations/{sent['id']}/return", json=alone,
                                          headers=counties.residence_caseworker())
        assert r.status_code == 422  # R-VE-1: two investigators at least
        returned = await counties.residence.post(f"/api/v1/delegations/{sent['id']}/return",
                                                 json=result(sent["members"]),
                                                 headers=counties.residence_caseworker())
        assert returned.status_code == 200, returned.text
        assert returned.json()["status"] == "returned"

        back = await counties.at_accepting(sent["id"], "returned")
        assert back["summary"].startswith("户主在铁力镇打零工")
        assert back["investigators"] == ["周明", "吴敏"]
        assert back["investigated_on"] == "2026-11-20"
        assert [(f["kind"], f["amount_fen"]) for f in back["findings"]] == [
            ("income", 150000), ("asset", 300000)]
        assert back["answered_by"] == f"cw-{RESIDENCE}"

        # on the residence county's subjects the request; on the accepting county's, the answers
        url = nats_server.url
        assert await count_events(url, f"assist.{TIELI}.verification.delegation_requested") == 1
        assert await count_events(url, f"assist.{JIAYIN}.verification.delegation_requested") == 1
        assert await count_events(url, f"assist.{JIAYIN}.verification.delegation_returned") == 1
        assert await count_events(url, f"assist.{TIELI}.verification.delegation_returned") == 1
        assert await count_events(url, f"assist.{JIAYIN}.verification.delegation_answered") == 2
        for msg in await stream_messages(url, f"assist.{TIELI}.>"):
            assert HEAD not in msg.data.decode() and SPOUSE not in msg.data.decode()

        async with counties.kits[JIAYIN].sessions() as session:
            [plain] = await returned_results(session, investigation["id"])
        assert plain["residence_county"] == TIELI and len(plain["findings"]) == 2


async def test_r_ve_3_a_refusal_needs_its_reason_and_reaches_the_accepting_county(
        make_settings, tmp_path, nats_server: NatsServer):
    async with two_counties(make_settings, tmp_path, rest=False) as counties:
        await counties.start_residence()
        investigation = await counties.investigation()
        sent = await counties.delegate(investigation["id"])
        again = await counties.accepting.post(
            f"/api/v1/investigations/{investigation['id']}/delegations",
            headers=counties.caseworker(),
            json={"residence_division": RESIDENCE, "address": "x", "tasks": "y"})
        assert again.status_code == 409  # one open delegation at a time
        await eventually(counties.work_list, timeout=20)
        assert counties.residence is not None
        url = f"/api/v1/delegations/{sent['id']}/refuse"
        for body in ({}, {"reason": "   "}, {"reason": "\u200b"}):
            r = await counties.residence.post(url, json=body,
                                              headers=counties.residence_caseworker())
            assert r.status_code == 422, (body, r.text)  # R-VE-3: never without a reason
        assert (await counties.work_list())[0]["status"] == "received"
        refused = await counties.residence.post(
            url, json={"reason": "该户已于2026年10月迁出本镇, 现址无人居住"},
            headers=counties.residence_caseworker())
        assert refused.status_code == 200, refused.text
        back = await counties.at_accepting(sent["id"], "refused")
        assert back["refusal_reason"] == "该户已于2026年10月迁出本镇, 现址无人居住"
        late = await counties.residence.post(f"/api/v1/delegations/{sent['id']}/accept",
                                             headers=counties.residence_caseworker())
        assert late.status_code == 409
        own = await counties.accepting.post(f"/api/v1/delegations/{sent['id']}/refuse",
                                            json={"reason": "x"}, headers=counties.caseworker())
        assert own.status_code == 409  # the county of residence answers, not the sender
        anew = await counties.delegate(investigation["id"])  # refused: a new one may go
        assert anew["id"] != sent["id"]
        listed = await counties.accepting.get(
            "/api/v1/delegations", headers=counties.caseworker(),
            params={"investigation_id": investigation["id"], "status": "refused"})
        assert [d["id"] for d in listed.json()] == [sent["id"]]


async def test_r_ve_3_a_delegation_over_rest_between_installations_that_share_nothing(
        make_settings, tmp_path, nats_server: NatsServer):
    async with two_counties(make_settings, tmp_path, rest=True) as counties:
        investigation = await counties.investigation()
        sent = await counties.delegate(investigation["id"])
        assert (sent["transport"], sent["delivery"]["state"]) == ("rest", "pending")

        async def failed_once() -> dict[str, Any] | None:
            r = await counties.accepting.get(f"/api/v1/delegations/{sent['id']}",
                                             headers=counties.caseworker())
            delivery = r.json()["delivery"]
            return delivery if delivery["attempts"] >= 1 else None

        delivery = await eventually(failed_once, timeout=15)  # the residence county is down
        assert delivery["state"] == "pending" and "cannot reach" in delivery["last_error"]

        await counties.start_residence()
        [seen] = await eventually(counties.work_list, timeout=20)
        assert (seen["id"], seen["status"], seen["transport"]) == (sent["id"], "received",
                                                                   "rest")
        delivered = await counties.at_accepting(sent["id"], "requested")
        await eventually(lambda: _delivered(counties, sent["id"]), timeout=15)
        assert delivered["members"] == seen["members"]

        # the peer endpoint: only a system token naming the sending county, and idempotent
        assert counties.residence is not None
        body = {k: seen[k] for k in ("accepting_county", "residence_county", "application_id",
                                     "application_number", "program", "accepting_division",
                                     "residence_division", "address", "tasks", "members",
                                     "requested_by", "requested_at", "transport")}
        body |= {"delegation_id": sent["id"], "investigation_id": investigation["id"]}
        system = bearer(counties.tieli, "system", [JIAYIN], user_id="verification-230722")
        again = await counties.residence.post("/api/v1/delegations/incoming", json=body,
                                              headers=system | {"Idempotency-Key": "k-1"})
        assert again.status_code == 200 and again.json()["status"] == "received"
        replay = await counties.residence.post("/api/v1/delegations/incoming", json=body,
                                               headers=system | {"Idempotency-Key": "k-1"})
        assert replay.headers.get("idempotent-replayed") == "true"
        stranger = bearer(counties.tieli, "system", ["230723"], user_id="verification-230723")
        forged = await counties.residence.post("/api/v1/delegations/incoming", json=body,
                                               headers=stranger)
        assert forged.status_code == 403  # a peer speaks only for its own county
        assert len(await counties.work_list()) == 1

        accepted = await counties.residence.post(f"/api/v1/delegations/{sent['id']}/accept",
                                                 headers=counties.residence_caseworker())
        assert accepted.status_code == 200, accepted.text
        returned = await counties.residence.post(f"/api/v1/delegations/{sent['id']}/return",
                                                 json=result(sent["members"]),
                                                 headers=counties.residence_caseworker())
        assert returned.status_code == 200, returned.text
        back = await counties.at_accepting(sent["id"], "returned")
        assert back["accepted_by"] == f"cw-{RESIDENCE}"
        assert [f["amount_fen"] for f in back["findings"]] == [150000, 300000]
        # nothing travelled on NATS between them
        assert await count_events(nats_server.url,
                                  f"assist.{TIELI}.verification.delegation_requested") == 0
        assert await count_events(nats_server.url,
                                  f"assist.{JIAYIN}.verification.delegation_returned") == 0


async def _delivered(counties: Counties, delegation_id: str) -> bool:
    r = await counties.accepting.get(f"/api/v1/delegations/{delegation_id}",
                                     headers=counties.caseworker())
    return bool(r.json()["delivery"]["state"] == "delivered")


@pytest.fixture(autouse=True)
def _fast(monkeypatch: pytest.MonkeyPatch) -> None:
    """The courier's first wait after a failure, shortened for the test."""
    monkeypatch.setattr("services.verification.delegations.courier.FIRST_WAIT_S", 0.2)
