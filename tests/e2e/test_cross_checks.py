"""R-VE-4 end to end through the REST APIs: an application accepted at intake is checked by
verification against a department's data file and another government system over HTTP. A source
that is down gives ``unavailable`` (never nothing found), listed for retry, and the retry
succeeds once it is up."""

from __future__ import annotations

import hashlib
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from services.intake.app import create_app as create_intake
from services.verification.app import create_app as create_verification
from shared.idcard import check_character
from shared.natsd import free_port
from shared.settings import Settings
from tests.checksystem import Department
from tests.httpserver import serving
from tests.support import bearer, eventually, load_division_register, running_all

TOWNSHIP, VILLAGE, OTHER_TOWNSHIP = "230722100", "230722100201", "230722101"


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


@dataclass
class Checked:
    intake: httpx.AsyncClient
    verification: httpx.AsyncClient
    settings: Settings
    kit: Any
    tax_port: int

    def caseworker(self, township: str = TOWNSHIP) -> dict[str, str]:
        return bearer(self.settings, "caseworker", [township], user_id=f"cw-{township}")

    def officer(self) -> dict[str, str]:
        return bearer(self.settings, "county_officer", ["230722"], user_id="officer-1")

    async def investigation(self) -> dict[str, Any]:
        r = await self.intake.post("/api/v1/applications", json=application(),
                                   headers=self.caseworker())
        assert r.status_code == 201, r.text
        app_id = r.json()["id"]

        async def opened() -> dict[str, Any] | None:
            r = await self.verification.get("/api/v1/investigations", headers=self.caseworker(),
                                            params={"application_id": app_id})
            return r.json()[0] if r.status_code == 200 and r.json() else None

        return await eventually(opened, timeout=15)

    async def run(self, investigation_id: str, **body: Any) -> dict[str, Any]:
        r = await self.verification.post(f"/api/v1/investigations/{investigation_id}/check-runs",
                                         json=body, headers=self.caseworker())
        assert r.status_code == 202, r.text
        assert r.json()["status"] == "queued"

        async def done() -> dict[str, Any] | None:
            r = await self.verification.get(f"/api/v1/check-runs/{r_id}",
                                            headers=self.caseworker())
            return r.json() if r.json()["status"] == "done" else None

        r_id = r.json()["id"]
        return await eventually(done, timeout=15)


@pytest.fixture
async def checked(make_settings, tmp_path) -> AsyncIterator[Checked]:
    tax_port = free_port()
    sources = {
        "tax": {"kind": "http", "title": "县税务局", "items": ["tax"],
                "url": f"http://127.0.0.1:{tax_port}/check", "timeout_s": 0.5, "retries": 1,
                "backoff_s": 0.05},
        "real_estate": {"kind": "csv", "title": "不动产登记中心", "items": ["real_estate"]},
    }
    verification = make_settings("verification", check_sources=json.dumps(sources),
                                 courier_poll_interval_s=0.1,
                                 check_data_dir=tmp_path / "check-data")
    apps = [create_intake(make_settings("intake")), create_verification(verification)]
    async with running_all(apps) as (intake, verification_client):
        for app in apps:
            await app.state.kit.bus.wait_ready(15)
        await load_division_register(intake, apps[0].state.kit.settings)
        yield Checked(intake, verification_client, verification, apps[1].state.kit, tax_port)


def registry_file() -> bytes:
    return (f"id_number,item,amount_fen,quantity,detail,name\n"
            f"{HEAD},real_estate,35000000,1,朝阳镇东风村3组 住宅 86㎡,王大山\n").encode()


async def test_r_ve_4_a_check_source_that_is_down_is_unavailable_listed_and_retried_once_up(
        checked):
    investigation = await checked.investigation()
    loaded = await checked.verification.post(
        "/api/v1/check-sources/real_estate/datasets", content=registry_file(),
        params={"data_date": "2026-11-01", "filename": "不动产登记.csv"},
        headers=checked.officer() | {"Content-Type": "text/csv"})
    assert loaded.status_code == 201, loaded.text
    assert loaded.json()["version"] == 1
    assert loaded.json()["sha256"] == hashlib.sha256(registry_file()).hexdigest()

    # the tax system is not running: its item is unavailable, never "nothing found"
    run = await checked.run(investigation["id"])
    results = {r["source"]: r for r in run["results"]}
    assert results["tax"]["status"] == "unavailable"
    assert "cannot reach the system" in results["tax"]["reason"]
    assert results["real_estate"]["status"] == "found"
    [home] = results["real_estate"]["findings"]
    assert (home["name"], home["amount_fen"], home["quantity"]) == ("王大山", 35000000, 1)
    assert home["id_number_masked"] == HEAD[:3] + "*" * 11 + HEAD[-4:]
    assert results["real_estate"]["basis"].startswith("data file v1 of 2026-11-01")

    retry = await checked.verification.get("/api/v1/checks", params={"status": "unavailable"},
                                           headers=checked.caseworker())
    assert [(r["investigation_id"], r["source"]) for r in retry.json()] == [
        (investigation["id"], "tax")]
    assert await summary(checked, investigation["id"]) == {
        "real_estate": ("match", 1), "tax": ("unavailable", 0)}
    elsewhere = await checked.verification.get(
        "/api/v1/checks", params={"status": "unavailable"},
        headers=checked.caseworker(OTHER_TOWNSHIP))
    assert elsewhere.status_code == 200 and elsewhere.json() == []  # R-SE-1

    department = Department(records={(SPOUSE, "tax"): [{"amount_fen": 1_800_000,
                                                        "detail": "2025 年劳务报酬"}]})
    async with serving(department.app(), checked.tax_port):
        again = await checked.run(investigation["id"], only_unavailable=True)
    assert [(r["source"], r["status"]) for r in again["results"]] == [("tax", "found")]
    [pay] = again["results"][0]["findings"]
    assert (pay["name"], pay["amount_fen"]) == ("李秀英", 1_800_000)
    assert [p["id_number"] for p in department.calls[0]["body"]["people"]] == [HEAD, SPOUSE]

    retry = await checked.verification.get("/api/v1/checks", params={"status": "unavailable"},
                                           headers=checked.caseworker())
    assert retry.json() == []
    assert await summary(checked, investigation["id"]) == {
        "real_estate": ("match", 1), "tax": ("match", 1)}
    listed = await checked.verification.get(
        f"/api/v1/investigations/{investigation['id']}/checks", headers=checked.caseworker())
    assert {(r["source"], r["status"], r["asked"]) for r in listed.json()} == {
        ("real_estate", "found", 1), ("tax", "found", 2)}  # the retry asked only the tax

    kit = checked.kit
    async with kit.sessions() as session:
        payloads = list(await session.scalars(select(kit.outbox.c.payload)))
        types = [json.loads(p)["type"] for p in payloads]
        tables = [str(v) for t in ("check_subject", "check_record")
                  for v in (await session.execute(select(kit_table(kit, t)))).all()]
    assert types.count("assist.verification.check_results_recorded") == 2
    assert types.count("assist.verification.check_dataset_loaded") == 1
    for text in payloads + tables:  # R-SE-2: sealed at rest, digests in the data file's records
        assert HEAD not in text and SPOUSE not in text


async def summary(checked: Checked, investigation_id: str) -> dict[str, tuple[str, int]]:
    """The cross-checks' summary the investigation carries into investigation_completed."""
    r = await checked.verification.get(f"/api/v1/investigations/{investigation_id}",
                                       headers=checked.caseworker())
    return {s["source"]: (s["outcome"], s["items"]) for s in r.json()["check_summary"]["sources"]}


async def test_r_ve_4_an_investigation_cannot_complete_while_a_source_is_to_answer(checked):
    """The run is queued while the runner is stopped: its sources are pending, and completion
    names them; once the runner has asked them, they are not."""
    investigation = await checked.investigation()
    [runner] = [w for w in checked.kit.workers if type(w).__name__ == "CheckRunner"]
    await runner.stop()
    r = await checked.verification.post(f"/api/v1/investigations/{investigation['id']}/check-runs",
                                        json={"sources": ["real_estate"]},
                                        headers=checked.caseworker())
    assert r.status_code == 202, r.text
    assert await summary(checked, investigation["id"]) == {"real_estate": ("pending", 0)}
    shown = await checked.verification.get(f"/api/v1/investigations/{investigation['id']}",
                                           headers=checked.caseworker())
    assert any(b["code"] == "checks_pending" for b in shown.json()["blockers"]), shown.json()
    runner.start()

    async def answered() -> dict[str, tuple[str, int]] | None:
        found = await summary(checked, investigation["id"])
        return found if found["real_estate"][0] != "pending" else None

    assert await eventually(answered) == {"real_estate": ("unavailable", 0)}  # no file loaded


def kit_table(kit: Any, name: str) -> Any:
    from services.verification.db import Base

    return Base.metadata.tables[name]


async def test_r_ve_4_a_data_file_is_taken_whole_or_refused_naming_the_line(checked, tmp_path):
    url = "/api/v1/check-sources/real_estate/datasets"
    csv = {"Content-Type": "text/csv"}
    bad = registry_file() + f"{SPOUSE},real_estate,12.5,,,\n".encode()
    refused = await checked.verification.post(url, content=bad, headers=checked.officer() | csv)
    assert refused.status_code == 422, refused.text
    assert refused.json()["errors"] == [{"field": "file", "message": "line 3: amount_fen: "
                                         "'12.5' is not a whole number of fen"}]
    assert refused.json()["line"] == 3
    listed = await checked.verification.get(url, headers=checked.officer())
    assert listed.json() == []  # nothing of it was kept

    first = await checked.verification.post(url, content=registry_file(),
                                            headers=checked.officer() | csv)
    same = await checked.verification.post(url, content=registry_file(),
                                           headers=checked.officer() | csv)
    assert (first.status_code, same.status_code) == (201, 200)
    assert same.json()["id"] == first.json()["id"]  # the same bytes: no new version

    folder = tmp_path / "check-data" / "2026-12"
    folder.mkdir(parents=True)
    (folder / "registry.csv").write_bytes(registry_file() + f"{SPOUSE},real_estate,,1,车库,\n"
                                          .encode())
    by_path = await checked.verification.post(
        url, json={"path": "2026-12/registry.csv", "data_date": "2026-12-01"},
        headers=checked.officer())
    assert by_path.status_code == 201, by_path.text
    assert (by_path.json()["version"], by_path.json()["rows"], by_path.json()["filename"]) == (
        2, 2, "registry.csv")
    for path, status in (("2026-12/none.csv", 404), ("../secrets.csv", 422), ("/etc/passwd", 422),
                         ("2026-12", 404)):
        r = await checked.verification.post(url, json={"path": path}, headers=checked.officer())
        assert r.status_code == status, (path, r.text)
    wrong_type = await checked.verification.post(url, content=b"<x/>", headers=checked.officer()
                                                 | {"Content-Type": "application/xml"})
    assert wrong_type.status_code == 415
    http_source = await checked.verification.post(
        "/api/v1/check-sources/tax/datasets", content=registry_file(),
        headers=checked.officer() | csv)
    assert http_source.status_code == 404  # an http source has no data file
    caseworker = await checked.verification.post(url, content=registry_file(),
                                                 headers=checked.caseworker() | csv)
    assert caseworker.status_code == 403

    versions = await checked.verification.get(url, params={"limit": 1}, headers=checked.officer())
    assert [v["version"] for v in versions.json()] == [2] and versions.headers["x-next-cursor"]
    sources = await checked.verification.get("/api/v1/check-sources",
                                             headers=checked.caseworker())
    by_name = {s["name"]: s for s in sources.json()}
    assert by_name["real_estate"]["current_dataset"]["version"] == 2
    assert by_name["tax"]["kind"] == "http" and by_name["tax"]["current_dataset"] is None


async def test_r_ve_4_a_manual_check_stands_in_for_a_source_that_is_down(checked):
    investigation = await checked.investigation()
    run = await checked.run(investigation["id"], sources=["tax"])
    [tax] = run["results"]
    assert tax["status"] == "unavailable"
    head = (await checked.verification.get(
        f"/api/v1/investigations/{investigation['id']}/checks",
        headers=checked.caseworker())).json()[0]
    manual = await checked.verification.post(
        f"/api/v1/investigations/{investigation['id']}/checks/manual", headers=checked.caseworker(),
        json={"source": "tax", "item": "tax", "note": "税务系统停机, 到县税务局窗口查询纳税记录",
              "findings": [{"member_id": None, "amount_fen": 0, "detail": "无纳税记录"}]})
    assert manual.status_code == 201, manual.text
    assert (manual.json()["status"], manual.json()["id"]) == ("manual", head["id"])
    retry = await checked.verification.get("/api/v1/checks", params={"status": "unavailable"},
                                           headers=checked.caseworker())
    assert retry.json() == []  # the manual check answered what the source could not
    deposits = await checked.verification.post(
        f"/api/v1/investigations/{investigation['id']}/checks/manual", headers=checked.caseworker(),
        json={"item": "deposits", "note": "查看信用社存折",
              "findings": [{"member_id": "nobody", "amount_fen": 350000}]})
    assert deposits.status_code == 422  # a finding names a member of this household
    not_there = await checked.verification.post(
        f"/api/v1/investigations/{investigation['id']}/check-runs", json={"sources": ["nope"]},
        headers=checked.caseworker())
    assert not_there.status_code == 422
    outsider = await checked.verification.post(
        f"/api/v1/investigations/{investigation['id']}/check-runs", json={},
        headers=checked.caseworker(OTHER_TOWNSHIP))
    assert outsider.status_code == 404  # R-SE-1: another division's record is not confirmed
