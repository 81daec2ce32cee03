"""R-VE-4: check sources behind one interface. The HTTP source asks a real server on loopback:
it answers, or it is slow, fails, answers garbage or is not running at all, and then the items
are ``unavailable`` with the reason, never ``nothing_found``."""

from __future__ import annotations

import time
from datetime import date

import pytest

from services.verification.checks.config import SourceConfig, SourcesConfig, configured_sources
from services.verification.checks.sources import (
    CheckQuery,
    CurrentDataset,
    DataFileSource,
    DatasetRecord,
    HttpSource,
    ItemResult,
    Person,
    ask,
    id_digest,
)
from services.verification.configfile import ConfigError
from shared.idcard import check_character
from shared.natsd import free_port
from shared.settings import Settings
from tests.checksystem import Department
from tests.httpserver import serving


def resident_id(birth: str, serial: str) -> str:
    first17 = "230722" + birth + serial
    return first17 + check_character(first17)


HEAD, SPOUSE = resident_id("19580312", "131"), resident_id("19600101", "242")
QUERY = CheckQuery(reference="run-1", people=(Person("m1", "王大山", HEAD),
                                              Person("m2", "李秀英", SPOUSE)),
                   items=("tax", "social_insurance"))


def source(url: str, **options) -> HttpSource:
    values = {"timeout_s": 0.5, "retries": 1, "backoff_s": 0.01} | options
    return HttpSource(name="tax", items=("tax", "social_insurance"), url=url, **values)


def by_item(results: list[ItemResult]) -> dict[str, ItemResult]:
    return {r.item: r for r in results}


async def test_r_ve_4_http_source_answers_found_and_nothing_found_per_item():
    department = Department(records={(HEAD, "tax"): [
        {"amount_fen": 2_400_000, "detail": "2025 年工资薪金所得"}]}, token="s3cret")
    async with serving(department.app()) as url:
        results = by_item(await ask(source(f"{url}/check", headers={
            "Authorization": "Bearer s3cret"}), QUERY))
    assert results["tax"].status == "found"
    assert [(f.member_id, f.amount_fen, f.detail) for f in results["tax"].findings] == [
        ("m1", 2_400_000, "2025 年工资薪金所得")]
    assert results["social_insurance"].status == "nothing_found"
    [call] = department.calls
    assert call["authorization"] == "Bearer s3cret"
    assert {p["id_number"] for p in call["body"]["people"]} == {HEAD, SPOUSE}
    assert call["body"]["items"] == ["tax", "social_insurance"]


async def test_r_ve_4_http_source_token_file_is_read_on_each_call(tmp_path):
    department = Department(token="first")
    token = tmp_path / "token"
    token.write_text("first\n")
    async with serving(department.app()) as url:
        check = source(f"{url}/check", token_file=str(token), retries=0)
        assert by_item(await ask(check, QUERY))["tax"].status == "nothing_found"
        department.token = "renewed"
        token.write_text("renewed")
        assert by_item(await ask(check, QUERY))["tax"].status == "nothing_found"


async def test_r_ve_4_a_passing_failure_is_retried_with_backoff():
    department = Department(failures_left=2)
    async with serving(department.app()) as url:
        results = by_item(await ask(source(f"{url}/check", retries=2), QUERY))
    assert results["tax"].status == "nothing_found"
    assert len(department.calls) == 3


@pytest.mark.parametrize(("mode", "reason", "calls"), [
    ("slow", "no answer within 0.5 s (2 tries)", 2),
    ("error", "the system answered HTTP 500 (2 tries)", 2),
    ("garbage", "the system answered garbage: not an answer", 2),
    ("missing", "the answer lacks tax of m1", 2),
    ("refuse", "the system refused the request: HTTP 400", 1),
])
async def test_r_ve_4_http_source_down_or_wrong_is_unavailable_never_nothing_found(
        mode, reason, calls):
    department = Department(mode=mode)
    async with serving(department.app()) as url:
        started = time.monotonic()
        results = await ask(source(f"{url}/check"), QUERY)
        elapsed = time.monotonic() - started
        department.mode = "ok"  # a slow answer still running ends now
    assert [r.status for r in results] == ["unavailable", "unavailable"]
    assert reason in (results[0].reason or ""), results[0].reason
    assert len(department.calls) == calls
    assert elapsed < 4  # bounded: timeouts and retries, no hanging


async def test_r_ve_4_http_source_not_running_is_unavailable():
    results = await ask(source(f"http://127.0.0.1:{free_port()}/check"), QUERY)
    assert [r.status for r in results] == ["unavailable", "unavailable"]
    assert "cannot reach the system (ConnectError) (2 tries)" in (results[0].reason or "")


class Store:
    """Data files in memory, as the database keeps them: records by keyed digest."""

    key = b"k" * 32

    def __init__(self, loaded: bool = True) -> None:
        self.dataset = CurrentDataset("ds-1", 3, date(2026, 11, 1), "ab" * 32, self.key) \
            if loaded else None
        self.asked: list[list[str]] = []

    async def current(self, source: str) -> CurrentDataset | None:
        return self.dataset

    async def records(self, dataset_id: str, digests: list[str]) -> list[DatasetRecord]:
        self.asked.append(digests)
        rows = [DatasetRecord(id_digest(self.key, HEAD), "real_estate", 35_000_000, 1, "住宅")]
        return [r for r in rows if r.id_digest in digests]


async def test_r_ve_4_data_file_source_matches_by_the_id_numbers_keyed_digest():
    store = Store()
    query = CheckQuery("run-2", QUERY.people, ("real_estate", "vehicles"))
    results = by_item(await ask(DataFileSource("registry", ("real_estate", "vehicles"), store),
                                query))
    assert results["real_estate"].status == "found"
    assert results["real_estate"].findings[0].member_id == "m1"
    assert results["real_estate"].basis.startswith("data file v3 of 2026-11-01")
    assert results["vehicles"].status == "nothing_found"
    assert HEAD not in str(store.asked)  # only digests are looked up


async def test_r_ve_4_data_file_source_without_a_file_is_unavailable():
    results = await ask(DataFileSource("registry", ("real_estate",), Store(loaded=False)),
                        CheckQuery("run-3", QUERY.people, ("real_estate",)))
    assert results[0].status == "unavailable"
    assert results[0].reason == "no data file has been loaded for this source"


async def test_r_ve_4_a_source_that_breaks_or_skips_an_item_leaves_it_unavailable():
    class Broken:
        name, items = "broken", ("tax", "deposits")

        async def check(self, query):
            raise RuntimeError("bug")

    class Partial:
        name, items = "partial", ("tax", "deposits")

        async def check(self, query):
            return [ItemResult("tax", "nothing_found")]

    query = CheckQuery("run-4", QUERY.people, ("tax", "deposits"))
    assert {r.status for r in await ask(Broken(), query)} == {"unavailable"}
    partial = by_item(await ask(Partial(), query))
    assert partial["tax"].status == "nothing_found"
    assert partial["deposits"].status == "unavailable"


def test_r_ve_4_sources_are_configured_per_installation(tmp_path):
    assert set(configured_sources(Settings(service="verification"))) >= {
        "tax", "real_estate", "deposits"}  # default: a data-file source per item
    config = tmp_path / "sources.json"
    config.write_text('{"tax": {"kind": "http", "items": ["tax"], "url": "https://t.example/c",'
                      ' "token_file": "/run/secrets/tax"}}')
    sources = configured_sources(Settings(service="verification", check_sources=str(config)))
    assert list(sources) == ["tax"] and sources["tax"].public()["url"] == "https://t.example/c"
    assert "token" not in str(sources["tax"].public())
    for bad, why in [('{"tax": {"kind": "http", "items": ["tax"]}}', "needs its url"),
                     ('{"manual": {"kind": "csv", "items": ["tax"]}}', "caseworkers' own"),
                     ('{"tax": {"kind": "csv", "items": []}}', "at least 1"),
                     ("{nope", "not JSON"), (str(tmp_path / "none.json"), "cannot read")]:
        with pytest.raises(ConfigError, match=why):
            configured_sources(Settings(service="verification", check_sources=bad))
    assert SourcesConfig.model_validate({"x": SourceConfig(kind="csv", items=("x",))})
