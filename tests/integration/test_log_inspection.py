"""Inspection of the operation log (R-AU-3) and personal data in it (R-SE-2): search by case,
person, user, action and time; every read and the export masked; the full value only to an
auditor, with that read logged; the verification report."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from sqlalchemy import select, text

from services.audit.inspection.models import PersonIndex
from services.audit.inspection.offline import ExportError, verify_export
from shared.auth import Role
from shared.masking import mask_id_number
from shared.migrations import alembic_config
from tests.intake_cases import (
    COUNTY,
    OTHER_TOWNSHIP,
    County,
    application,
    member,
    running_county,
)
from tests.support import eventually

API = "/api/v1/audit"


@pytest.fixture
async def c(make_settings: Any) -> AsyncIterator[County]:
    """Intake, approval and audit of one county (tests/intake_cases.py)."""
    async for county in running_county(make_settings):
        yield county
ACCEPTED = "assist.intake.application_accepted"


async def logged(c: County, application_id: str, event_type: str = ACCEPTED
                 ) -> list[dict[str, Any]]:
    """The application's entries once ``event_type`` is among them."""

    async def found() -> list[dict[str, Any]]:
        r = await c.audit.get(f"{API}/records/{application_id}", headers=c.officer)
        entries: list[dict[str, Any]] = r.json() if r.status_code == 200 else []
        return entries if any(e["type"] == event_type for e in entries) else []

    entries: list[dict[str, Any]] = await eventually(found, timeout=15)
    return entries


async def submitted_household(c: County) -> tuple[dict[str, Any], str, str]:
    """An application of a two-person household, accepted at once: its members' full ID numbers
    travel sealed in application_accepted."""
    head, spouse = c.person("19600101"), c.person("19620202")
    app = await c.submitted(application(member(head, "head"), member(spouse, "spouse", "李四")))
    return app, head, spouse


async def the_stored_log(c: County) -> str:
    """Everything the audit database holds: the SQLite file (and its WAL), or every row of the
    log's tables on PostgreSQL."""
    kit = c.apps["audit"].state.kit
    if not kit.settings.is_postgres:
        database = Path(str(kit.engine.url.database))
        return "".join(p.read_bytes().decode("latin-1") for p in
                       (database, Path(f"{database}-wal")) if p.exists())
    rows = []
    async with kit.engine.connect() as conn:
        for table in ("audit_entry", "audit_person_index", "log_access", "inbox"):
            rows += [repr(tuple(r)) for r in await conn.execute(text(f"SELECT * FROM {table}"))]
    return "\n".join(rows)


async def test_search_by_person_matches_a_keyed_digest_never_the_number_R_AU_3_R_SE_2(
        c: County) -> None:
    """R-AU-3: an ID number given in full (in a POST body) finds the entries of its cases; the
    index beside the log holds keyed digests, and no ID number is in the database in clear."""
    app, head, spouse = await submitted_household(c)
    other, other_head, _ = await submitted_household(c)
    await logged(c, app["id"])
    await logged(c, other["id"])

    async def by_person(id_number: str, headers: dict[str, str] | None = None,
                        **filters: Any) -> list[dict[str, Any]]:
        r = await c.audit.post(f"{API}/people/entries", json={"id_number": id_number,
                                                              **filters},
                               headers=headers or c.officer)
        assert r.status_code == 200, r.text
        return list(r.json())

    found = await by_person(head)
    assert {e["record_id"] for e in found} == {app["id"]}
    assert {"assist.intake.application_submitted", ACCEPTED} <= {e["type"] for e in found}
    assert [e["seq"] for e in found] == sorted(e["seq"] for e in found)
    assert {e["record_id"] for e in await by_person(spouse)} == {app["id"]}
    assert {e["record_id"] for e in await by_person(other_head)} == {other["id"]}
    assert await by_person(c.person("19700101")) == []  # a stranger to the log
    page = await c.audit.post(f"{API}/people/entries", params={"limit": 1},
                              json={"id_number": head}, headers=c.officer)
    assert len(page.json()) == 1 and page.headers.get("X-Next-Cursor")
    rest = await c.audit.post(f"{API}/people/entries", json={"id_number": head},
                              params={"cursor": page.headers["X-Next-Cursor"]},
                              headers=c.officer)
    assert [e["seq"] for e in page.json() + rest.json()] == [e["seq"] for e in found]
    # outside the caller's divisions: nothing
    assert await by_person(head, c.as_(Role.county_officer, "230723")) == []
    bad = await c.audit.post(f"{API}/people/entries", json={"id_number": head[:-1] + "0"
                             if head[-1] != "0" else head[:-1] + "1"}, headers=c.officer)
    assert bad.status_code == 422  # not a valid ID number: refused, not searched

    async with c.apps["audit"].state.kit.sessions() as session:
        rows = (await session.scalars(select(PersonIndex))).all()
    assert len(rows) == 4  # two members sealed in each application_accepted
    assert {r.path for r in rows} == {"members.0.id_number", "members.1.id_number"}
    assert all(len(r.digest) == 64 and r.key_id == "k1" for r in rows)
    stored = await the_stored_log(c)
    for number in (head, spouse, other_head):
        assert number not in stored, "an ID number in clear in the audit database"
    access = await c.audit.get(f"{API}/access", headers=c.as_(Role.auditor, COUNTY))
    assert access.status_code == 200 and head not in access.text
    assert any(a["route"] == f"{API}/people/entries" for a in access.json())


async def test_every_read_and_the_export_show_id_numbers_masked_R_SE_2(c: County):
    """R-SE-2: the record's log, the search, one entry, the person search, the export and the
    access record show ID numbers masked, never in clear nor as a sealed blob to read."""
    app, head, spouse = await submitted_household(c)
    entries = await logged(c, app["id"])
    accepted = next(e for e in entries if e["type"] == ACCEPTED)
    assert [m["id_number"] for m in accepted["data"]["members"]] == [
        mask_id_number(head), mask_id_number(spouse)]
    auditor = c.as_(Role.auditor, COUNTY, user_id="auditor-li")
    reads = {
        "record": await c.audit.get(f"{API}/records/{app['id']}", headers=c.officer),
        "search": await c.audit.get(f"{API}/entries", params={"record_id": app["id"]},
                                    headers=c.officer),
        "entry": await c.audit.get(f"{API}/entries/{accepted['seq']}", headers=c.officer),
        "person": await c.audit.post(f"{API}/people/entries", json={"id_number": head},
                                     headers=c.officer),
        "export": await c.audit.get(f"{API}/export", headers=c.officer),
        "access": await c.audit.get(f"{API}/access", headers=auditor),
    }
    for name, r in reads.items():
        assert r.status_code == 200, (name, r.text)
        assert head not in r.text and spouse not in r.text, f"ID number in clear: {name}"
        if name != "access":
            assert mask_id_number(head) in r.text, name
    for name in ("record", "search", "entry", "person"):
        assert "sealed:" not in reads[name].text and "(sealed)" not in reads[name].text
    lines = [json.loads(line) for line in reads["export"].text.splitlines()]
    exported = next(line for line in lines if line.get("event_id") == accepted["event_id"])
    assert exported["data"]["members"][0]["id_number"] == mask_id_number(head)
    assert "sealed:v1:" in exported["payload"]  # as stored: the hash covers ciphertext
    assert exported["hash"] == accepted["hash"]


async def test_an_auditor_reads_an_entry_in_full_and_that_read_is_logged_R_SE_2(c: County):
    """R-SE-2: the full ID numbers only to an auditor with a stated purpose, one entry at a
    time; the read is in the access record (what was unmasked, never the values); other roles
    get 403, an auditor of another township 404."""
    app, head, spouse = await submitted_household(c)
    entries = await logged(c, app["id"])
    seq = next(e["seq"] for e in entries if e["type"] == ACCEPTED)
    auditor = c.as_(Role.auditor, COUNTY, user_id="auditor-li")
    purpose = "复核信访件 XF-2026-031：核对申请人身份"
    r = await c.audit.post(f"{API}/entries/{seq}/full", json={"purpose": purpose},
                           headers=auditor)
    assert r.status_code == 200, r.text
    full = r.json()
    assert [m["id_number"] for m in full["data"]["members"]] == [head, spouse]
    assert full["unmasked"] == ["members.0.id_number", "members.1.id_number"]
    access = (await c.audit.get(f"{API}/access", params={"user": "auditor-li"},
                                headers=auditor)).json()
    reads = [a for a in access if a["route"] == f"{API}/entries/{{seq}}/full"]
    disclosed = [a for a in reads if "unmasked=" in a["query"]]
    assert len(disclosed) == 1 and disclosed[0]["subject"] == str(seq)
    assert "members.0.id_number" in disclosed[0]["query"]
    assert "XF-2026-031" in disclosed[0]["query"].replace("%2D", "-")
    assert head not in json.dumps(access)
    for role in (Role.county_officer, Role.city_officer, Role.caseworker):
        refused = await c.audit.post(f"{API}/entries/{seq}/full", json={"purpose": purpose},
                                     headers=c.as_(role, COUNTY))
        assert refused.status_code == 403, role
        assert head not in refused.text
    elsewhere = await c.audit.post(f"{API}/entries/{seq}/full", json={"purpose": purpose},
                                   headers=c.as_(Role.auditor, OTHER_TOWNSHIP))
    assert elsewhere.status_code == 404
    no_purpose = await c.audit.post(f"{API}/entries/{seq}/full", json={}, headers=auditor)
    assert no_purpose.status_code == 422
    assert (await c.audit.get(f"{API}/entries/{seq}",
                              headers=c.caseworker)).status_code == 403


async def test_search_by_person_narrowed_by_user_action_and_time_R_AU_3(c: County):
    """R-AU-3: the person search narrows by user, event type (operation) and time range."""
    app, head, _ = await submitted_household(c)
    entries = await logged(c, app["id"])
    accepted = next(e for e in entries if e["type"] == ACCEPTED)

    async def seqs(**filters: Any) -> list[int]:
        r = await c.audit.post(f"{API}/people/entries", json={"id_number": head, **filters},
                               headers=c.officer)
        assert r.status_code == 200, r.text
        return [e["seq"] for e in r.json()]

    everything = await seqs()
    assert await seqs(type=ACCEPTED) == [accepted["seq"]]
    assert await seqs(user="cw-wang") == [e["seq"] for e in entries
                                          if e["actor"]["user_id"] == "cw-wang"]
    assert await seqs(user="nobody") == []
    moment = accepted["occurred_at"]
    assert await seqs(since=moment, type=ACCEPTED) == [accepted["seq"]]
    assert await seqs(until=moment, type=ACCEPTED) == []
    assert len(everything) >= 2
    assert await seqs(since="2099-01-01T00:00:00+00:00") == []
    assert await seqs(until="2000-01-01T00:00:00+00:00") == []
    by_user = await c.audit.get(f"{API}/entries", params={"user": "cw-wang",
                                                          "type": ACCEPTED},
                                headers=c.officer)
    assert accepted["seq"] in [e["seq"] for e in by_user.json()]


async def test_the_verification_report_R_AU_3(c: County):
    """R-AU-3: the report gives entries, the chain, checkpoints, completeness and the first
    failure; as a plain page too; for auditors only."""
    app, _, _ = await submitted_household(c)
    entries = await logged(c, app["id"])
    auditor = c.as_(Role.auditor, COUNTY)
    r = await c.audit.get(f"{API}/report", headers=auditor)
    assert r.status_code == 200, r.text
    report = r.json()
    assert report["chain_ok"] is True and report["first_failure"] is None
    assert report["entries"] >= len(entries)
    assert report["head"]["seq"] == report["entries"]
    page = await c.audit.get(f"{API}/report", params={"format": "html"}, headers=auditor)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "操作日志核验报告" in page.text
    for outside in ("src=", "href=", "http://", "https://", "@import", "url("):
        assert outside not in page.text
    assert (await c.audit.get(f"{API}/report", headers=c.officer)).status_code == 403
    made = await c.audit.post(f"{API}/checkpoints", headers={**auditor, "Idempotency-Key":
                                                              "cp-report-1"})
    assert made.status_code == 201, made.text
    signed = (await c.audit.get(f"{API}/report", headers=auditor)).json()["checkpoints"]
    assert (signed["count"], signed["consistent"]) == (1, True)
    assert signed["latest"]["tree_size"] == made.json()["tree_size"]
    kit = c.apps["audit"].state.kit
    on_table = " ON audit_entry" if kit.settings.is_postgres else ""
    async with kit.engine.begin() as conn:  # as someone with the owner's rights could
        await conn.execute(text(f"DROP TRIGGER audit_entry_no_update{on_table}"))
        await conn.execute(text("UPDATE audit_entry SET actor_user = 'forged', "
                                "hash = prev_hash WHERE seq = 2"))
    broken = (await c.audit.get(f"{API}/report", headers=auditor)).json()
    assert (broken["ok"], broken["chain_ok"]) == (False, False)
    assert broken["first_failure"]["check"] == "chain" and broken["first_failure"]["seq"] == 2
    assert broken["checkpoints"]["consistent"] is False  # its hash no longer gives the root
    page = await c.audit.get(f"{API}/report", params={"format": "html"}, headers=auditor)
    assert "未通过" in page.text and "hash_mismatch" in page.text


async def test_the_export_carries_its_checkpoint_and_checks_offline_R_AU_3(c: County) -> None:
    """R-AU-3: the JSON Lines export ends with the signed checkpoint covering its entries; with
    the public key alone each entry is proven in it (a township's partial export too), and an
    altered line is caught. Personal data stays masked in it (R-SE-2)."""
    app, head, _ = await submitted_household(c)
    await logged(c, app["id"])
    auditor = c.as_(Role.auditor, COUNTY)
    made = await c.audit.post(f"{API}/checkpoints", headers={**auditor, "Idempotency-Key":
                                                              "cp-export-1"})
    assert made.status_code == 201, made.text
    key = (await c.audit.get(f"{API}/checkpoints/key", headers=auditor)).json()
    for headers in (c.officer, c.as_(Role.county_officer, "230722100"), auditor):
        r = await c.audit.get(f"{API}/export", headers=headers)
        assert r.status_code == 200 and head not in r.text
        lines = r.text.splitlines()
        trailer = json.loads(lines[-1])
        assert trailer["checkpoint"]["tree_size"] >= made.json()["tree_size"]
        assert trailer["checkpoint"]["id"] >= made.json()["id"]
        checked = verify_export(lines, key["verifier_key"])
        assert checked.entries == len(lines) - 1 == trailer["entries"] > 0
        assert all(json.loads(line)["seq"] <= checked.tree_size for line in lines[:-1])
    first = json.loads(lines[0])
    forged = [json.dumps({**first, "actor_user": "someone-else"}), *lines[1:]]
    with pytest.raises(ExportError, match="altered"):
        verify_export(forged, key["verifier_key"])
    wrong_path = ["00" * 32, *first["inclusion"][1:]]  # a node changed, or one too many
    relinked = [json.dumps({**first, "inclusion": wrong_path}), *lines[1:]]
    with pytest.raises(ExportError, match="not in the signed checkpoint"):
        verify_export(relinked, key["verifier_key"])
    with pytest.raises(ExportError, match="cut short"):
        verify_export(lines[:-1], key["verifier_key"])
    with pytest.raises(ExportError, match="checkpoint"):
        verify_export([*lines[:-1], json.dumps({**trailer, "checkpoint": {
            **trailer["checkpoint"], "note": trailer["checkpoint"]["note"].replace(
                str(checked.tree_size), str(checked.tree_size + 1), 1)}})], key["verifier_key"])
    report = (await c.audit.get(f"{API}/report", headers=auditor)).json()
    assert report["checkpoints"]["count"] >= 1 and report["checkpoints"]["consistent"] is True
    assert report["checkpoints"]["latest"]["tree_size"] >= made.json()["tree_size"]


async def test_the_migration_indexes_the_log_kept_before_it_R_AU_3(c: County) -> None:
    """R-AU-3: entries appended before the person index existed are digested by its migration
    (with the installation's keys), so the search by person finds them too."""
    app, head, _ = await submitted_household(c)
    await logged(c, app["id"])
    kit = c.apps["audit"].state.kit
    config = alembic_config(kit.settings)
    await asyncio.to_thread(command.downgrade, config, "0006")
    await asyncio.to_thread(command.upgrade, config, "0007")
    async with kit.sessions() as session:
        rows = (await session.scalars(select(PersonIndex))).all()
    assert sorted(r.path for r in rows) == ["members.0.id_number", "members.1.id_number"]
    r = await c.audit.post(f"{API}/people/entries", json={"id_number": head}, headers=c.officer)
    assert {e["record_id"] for e in r.json()} == {app["id"]}
