"""R-AU-2 (R-AU-3): the log's Merkle tree and signed checkpoints, checked the way a third party
would, with ``python -m tools.logproof`` (which imports nothing of the service) on the proofs
the API gives; checkpoints on a schedule and on demand, written to the operator's file and
taken by a witness, which is tried again while it is down."""

from __future__ import annotations

import asyncio
import base64
import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import PlainTextResponse
from sqlalchemy import select

from services.audit.app import create_app as create_audit
from services.audit.checkpoints.models import CheckpointDelivery
from services.audit.checkpoints.service import tree_root
from services.audit.log.models import AuditEntry
from shared.auth import Role
from shared.events import Envelope, EventActor
from shared.natsd import free_port
from shared.transparency import leaf_hash, root_of, verify_checkpoint, verify_consistency
from tests.httpserver import serving
from tests.support import bearer, eventually, running

API = "/api/v1/audit"
ROOT = Path(__file__).resolve().parents[2]
T0 = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)


def event(n: int) -> Envelope:
    return Envelope(
        id=f"{n:032x}", type="assist.intake.something_happened",
        source="/assist/230722/intake", subject=f"rec-{n % 3}", time=T0 + timedelta(minutes=n),
        correlationid=f"corr-{n}", requestid=f"req-{n}", sourceaddress="10.1.2.3",
        division="230722100001", actor=EventActor(user_id="cw-1", role="caseworker"),
        data={"n": n},
    )


async def log_events(app: FastAPI, numbers: range) -> None:
    """Publish events to the stream and wait until the audit consumer has logged them."""
    kit = app.state.kit
    await kit.bus.wait_ready(10)
    for n in numbers:
        e = event(n)
        await kit.bus.publish(f"assist.{kit.settings.county}.intake.something_happened",
                              e.to_json(), e.id)
    wanted = {event(n).id for n in numbers}

    async def logged() -> bool:
        async with kit.sessions() as session:
            return wanted <= set(await session.scalars(select(AuditEntry.event_id)))

    await eventually(logged, timeout=20)


def logproof(*args: str | Path) -> subprocess.CompletedProcess[str]:
    """The standalone verifier, as a third party runs it."""
    return subprocess.run([sys.executable, "-m", "tools.logproof", *map(str, args)],
                          capture_output=True, text=True, cwd=ROOT, timeout=60)


async def entry_hashes(app: FastAPI) -> list[str]:
    async with app.state.kit.sessions() as session:
        return list(await session.scalars(select(AuditEntry.hash).order_by(AuditEntry.seq)))


async def deliveries(app: FastAPI, target: str) -> list[CheckpointDelivery]:
    async with app.state.kit.sessions() as session:
        return list(await session.scalars(select(CheckpointDelivery).where(
            CheckpointDelivery.target == target).order_by(CheckpointDelivery.id)))


def courier(app: FastAPI) -> Any:
    [worker] = [w for w in app.state.kit.workers if type(w).__name__ == "CheckpointCourier"]
    return worker


async def test_r_au_2_proofs_from_the_api_are_checked_by_the_standalone_verifier(
        make_settings, tmp_path: Path) -> None:
    """R-AU-2, R-AU-3: checkpoints on demand; every entry's inclusion proof and the consistency
    proof between them verify with the public key alone; the checkpoint file holds both; a
    changed proof, another key or a rewritten checkpoint fail."""
    settings = make_settings("audit")
    app = create_audit(settings)
    auditor = bearer(settings, Role.auditor, ["230722"])
    async with running(app) as client:
        await log_events(app, range(1, 12))
        r = await client.post(f"{API}/checkpoints", headers=auditor)
        assert r.status_code == 201, r.text
        first = r.json()
        assert first["tree_size"] == 11 and first["made_by"] == "auditor-1"
        assert first["origin"] == "assist/230722/audit"
        # the checkpoint is an event, so it is in the log itself
        await eventually(lambda: _has_type(app, "assist.audit.checkpoint_signed"), timeout=20)
        await log_events(app, range(12, 20))
        second = (await client.post(f"{API}/checkpoints", headers=bearer(
            settings, Role.county_officer, ["230722"]))).json()
        assert second["tree_size"] >= 20  # the 19 events and the first checkpoint's event

        hashes = await entry_hashes(app)
        for cp in (first, second):  # the stored subtrees give the tree over the entries
            leaves = [leaf_hash(bytes.fromhex(h)) for h in hashes[:cp["tree_size"]]]
            assert root_of(leaves).hex() == cp["root_hash"]
        async with app.state.kit.sessions() as session:
            assert (await tree_root(session, 7)).hex() == root_of(
                [leaf_hash(bytes.fromhex(h)) for h in hashes[:7]]).hex()

        key = (await client.get(f"{API}/checkpoints/key", headers=auditor)).json()
        assert key["origin"] == "assist/230722/audit"
        pem, vkey = tmp_path / "audit.pem", tmp_path / "audit.vkey"
        pem.write_text(key["public_key_pem"])
        vkey.write_text(key["verifier_key"])
        listed = (await client.get(f"{API}/checkpoints", headers=auditor)).json()
        assert [c["id"] for c in listed] == [second["id"], first["id"]]

        for seq in (1, 6, 11):
            for cp in (first, second):
                r = await client.get(f"{API}/entries/{seq}/proof", headers=auditor,
                                     params={"tree_size": cp["tree_size"]})
                assert r.status_code == 200, r.text
                proof = tmp_path / f"inclusion-{seq}-{cp['id']}.json"
                proof.write_text(r.text)
                out = logproof("inclusion", "--key", pem, proof, "--entry-hash", hashes[seq - 1])
                assert out.returncode == 0, out.stderr
        latest = (await client.get(f"{API}/entries/19/proof", headers=auditor)).json()
        assert latest["checkpoint"] == second["note"]  # default: the newest checkpoint
        assert (await client.get(f"{API}/entries/{second['tree_size'] + 5}/proof",
                                 headers=auditor)).status_code == 404
        r = await client.get(f"{API}/entries/19/proof", headers=auditor,
                             params={"tree_size": first["tree_size"]})
        assert r.status_code == 409  # entry 19 came after the first checkpoint
        outside_view = bearer(settings, Role.auditor, ["230722200"])
        assert (await client.get(f"{API}/entries/1/proof",
                                 headers=outside_view)).status_code == 404
        assert (await client.post(f"{API}/checkpoints", headers=bearer(
            settings, Role.caseworker, ["230722100001"]))).status_code == 403
        # checkpoints are the installation's: a token over the whole county (R-SE-1)
        for divisions in (["230722100"], ["230723"]):
            elsewhere = bearer(settings, Role.auditor, divisions)
            assert (await client.post(f"{API}/checkpoints", headers=elsewhere)).status_code == 403
            assert (await client.get(f"{API}/checkpoints", headers=elsewhere)).status_code == 403
        city = bearer(settings, Role.city_officer, ["230700"])
        assert len((await client.get(f"{API}/checkpoints", headers=city)).json()) == 2

        r = await client.get(f"{API}/checkpoints/consistency", headers=auditor,
                             params={"from": first["id"], "to": second["id"]})
        assert r.status_code == 200, r.text
        consistency = tmp_path / "consistency.json"
        consistency.write_text(r.text)
        out = logproof("consistency", "--key", vkey, consistency)
        assert out.returncode == 0, out.stderr
        assert (await client.get(f"{API}/checkpoints/consistency", headers=auditor, params={
            "from": second["id"], "to": first["id"]})).status_code == 409

        # the operator's file: both checkpoints, appended by the courier
        path = settings.audit_checkpoint_path
        await eventually(lambda: _notes_in(path, 2), timeout=10)
        out = logproof("checkpoint", "--key", pem, path)
        assert out.returncode == 0 and "2 checkpoint(s)" in out.stdout, out.stderr
        kept = tmp_path / "kept.txt"
        kept.write_text(first["note"])
        proof = tmp_path / f"inclusion-6-{first['id']}.json"
        assert logproof("inclusion", "--key", pem, proof, "--checkpoint", kept).returncode == 0

        # what fails: a changed proof, a wrong entry, another key, a rewritten checkpoint
        doc = json.loads(proof.read_text())
        doc["proof"][0] = ("0" if doc["proof"][0][0] != "0" else "1") + doc["proof"][0][1:]
        bad = tmp_path / "bad.json"
        bad.write_text(json.dumps(doc))
        assert logproof("inclusion", "--key", pem, bad).returncode == 1
        assert logproof("inclusion", "--key", pem, proof,
                        "--entry-hash", hashes[0]).returncode == 1
        other = tmp_path / "other.pem"
        other.write_text(_other_public_pem())
        assert logproof("inclusion", "--key", other, proof).returncode == 1
        doc = json.loads(consistency.read_text())
        doc["old_checkpoint"] = doc["old_checkpoint"].replace(
            f"\n{first['tree_size']}\n", f"\n{first['tree_size'] - 1}\n")
        bad.write_text(json.dumps(doc))
        out = logproof("consistency", "--key", pem, bad)
        assert out.returncode == 1 and "signature" in out.stderr
        assert logproof("checkpoint", "--key", pem, kept).returncode == 0
        assert logproof("checkpoint", "--key", other, kept).returncode == 1


async def _has_type(app: FastAPI, event_type: str) -> bool:
    async with app.state.kit.sessions() as session:
        return bool(await session.scalar(select(AuditEntry.seq).where(
            AuditEntry.event_type == event_type).limit(1)))


async def _notes_in(path: Path, count: int) -> bool:
    return path.exists() and path.read_text().count("\n\n\u2014 ") >= count


def _other_public_pem() -> str:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    return Ed25519PrivateKey.generate().public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()


async def test_r_au_2_checkpoints_are_signed_on_schedule_with_the_key_kept_in_the_data_folder(
        make_settings) -> None:
    """R-AU-2: the scheduled job signs a checkpoint every interval as the clock moves; the key
    is generated once into the data folder (mode 0600) and kept across restarts."""
    settings = make_settings("audit", scheduler_poll_interval_s=300)
    app = create_audit(settings)
    async with running(app) as client:
        kit = app.state.kit
        key_file = settings.data_dir / "audit-signing-key.pem"
        assert key_file.stat().st_mode & 0o777 == 0o600
        await log_events(app, range(1, 4))
        auditor = bearer(settings, Role.auditor, ["230722"])
        public = (await client.get(f"{API}/checkpoints/key", headers=auditor)).json()
        kit.clock.advance(timedelta(hours=1, minutes=1))
        await kit.scheduler.run_due()
        kit.clock.advance(timedelta(hours=1))
        await kit.scheduler.run_due()
        made = (await client.get(f"{API}/checkpoints", headers=auditor)).json()
        assert len(made) == 2 and {c["made_by"] for c in made} == {"system:audit"}
        for cp in made:
            checked = verify_checkpoint(cp["note"], public["public_key_pem"])
            assert checked.tree_size == cp["tree_size"] >= 3
            assert abs(checked.timestamp - datetime.fromisoformat(cp["timestamp"])) < timedelta(
                seconds=1)
        assert made[0]["timestamp"] > made[1]["timestamp"]
        jobs = (await client.get("/api/v1/jobs", headers=auditor)).json()
        assert "audit_checkpoint" in {j["name"] for j in jobs}
    again = create_audit(settings)
    async with running(again) as client:
        key = (await client.get(f"{API}/checkpoints/key", headers=bearer(
            settings, Role.auditor, ["230722"]))).json()
        assert key == public  # the same key after a restart


async def test_r_au_2_the_witness_takes_each_checkpoint_and_is_tried_again_while_down(
        make_settings) -> None:
    """R-AU-2: with a witness set, each checkpoint is POSTed to it (tlog-witness body: old size,
    consistency proof, the signed note); while it cannot be reached the delivery waits and is
    tried again, the log going on meanwhile; the witness can check what it got."""
    port = free_port()
    settings = make_settings("audit", audit_witness_url=f"http://127.0.0.1:{port}/add-checkpoint",
                             audit_witness_timeout_s=2, courier_poll_interval_s=0.1)
    received: list[str] = []
    witness = FastAPI()

    @witness.post("/add-checkpoint")
    async def add_checkpoint(request: Request) -> PlainTextResponse:
        received.append((await request.body()).decode())
        return PlainTextResponse("\u2014 witness cosignature\n")

    app = create_audit(settings)
    auditor = bearer(settings, Role.auditor, ["230722"])
    async with running(app) as client:
        kit = app.state.kit
        await log_events(app, range(1, 6))
        first = (await client.post(f"{API}/checkpoints", headers=auditor)).json()
        courier(app).wake()

        async def tried() -> bool:
            rows = await deliveries(app, "witness")
            return bool(rows) and rows[0].attempts >= 1

        await eventually(tried, timeout=10)
        [pending] = await deliveries(app, "witness")
        assert pending.state == "pending" and "cannot reach" in (pending.last_error or "")
        await log_events(app, range(6, 9))  # the log does not wait for the witness
        public = (await client.get(f"{API}/checkpoints/key", headers=auditor)).json()
        async with serving(witness, port):
            kit.clock.advance(timedelta(seconds=5))
            courier(app).wake()

            async def delivered(count: int) -> bool:
                rows = await deliveries(app, "witness")
                return len(rows) >= count and all(r.state == "delivered" for r in rows)

            await eventually(lambda: delivered(1), timeout=10)
            second = (await client.post(f"{API}/checkpoints", headers=auditor)).json()
            kit.clock.advance(timedelta(seconds=1))
            courier(app).wake()
            await eventually(lambda: delivered(2), timeout=10)
        assert len(received) == 2
        old_part, _, note = received[0].partition("\n\n")
        assert old_part == "old 0" and note == first["note"]
        head, _, note = received[1].partition("\n\n")
        lines = head.split("\n")
        assert lines[0] == f"old {first['tree_size']}" and note == second["note"]
        old = verify_checkpoint(first["note"], public["verifier_key"])
        new = verify_checkpoint(note, public["verifier_key"])
        verify_consistency(old.tree_size, new.tree_size, old.root_hash, new.root_hash,
                           [base64.b64decode(line) for line in lines[1:]])
        rows = await deliveries(app, "witness")
        assert rows[0].attempts >= 2 and rows[0].delivered_at is not None
    await asyncio.sleep(0)


def test_r_au_2_the_verifier_imports_nothing_of_the_service() -> None:
    """R-AU-2: tools.logproof needs only shared.transparency (and the standard library,
    cryptography): a third party runs it without the service's code or libraries."""
    code = ("import sys, tools.logproof; print(sorted({m.split('.')[0] for m in sys.modules} & "
            "{'sqlalchemy', 'fastapi', 'pydantic', 'httpx', 'nats', 'services', 'structlog'}), "
            "sorted(m for m in sys.modules if m.startswith('shared.')"
            " and not m.startswith('shared.transparency')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=ROOT)
    assert out.stdout.strip() == "[] []"


async def test_r_au_2_the_migration_builds_the_tree_of_a_log_already_kept(make_settings) -> None:
    """R-AU-2: entries logged before revision 0005 get their stored subtrees from the migration,
    so proofs and roots hold for them as for new ones."""
    from alembic import command
    from sqlalchemy import insert

    from services.audit.checkpoints import tree
    from services.audit.checkpoints.models import MerkleNode
    from services.audit.log import chain
    from shared import migrations
    from shared.db import create_engine, create_sessionmaker, ensure_schema
    from shared.transparency import inclusion_proof, verify_inclusion

    settings = make_settings("audit")
    engine = create_engine(settings, pooled=False)
    await ensure_schema(engine, settings.pg_schema)
    cfg = migrations.alembic_config(settings)
    await asyncio.to_thread(command.upgrade, cfg, "0004")
    rows, previous = [], None
    for n in range(1, 38):
        e = event(n)
        record = chain.seal({
            "event_id": e.id, "event_type": e.type, "service": "intake", "record_id": e.subject,
            "division": e.division, "actor_user": "cw-1", "actor_role": "caseworker",
            "correlation_id": e.correlationid, "request_id": e.requestid,
            "source_address": e.sourceaddress, "occurred_at": e.time, "recorded_at": e.time,
            "payload": chain.canonical_json(e.model_dump(mode="json")),
        }, previous=previous)
        previous = (record["seq"], record["hash"])
        rows.append(record)
    async with engine.begin() as conn:
        await conn.execute(insert(AuditEntry), rows)
    await asyncio.to_thread(command.upgrade, cfg, "0005")
    leaves = [leaf_hash(bytes.fromhex(r["hash"])) for r in rows]
    sessions = create_sessionmaker(engine, {})
    try:
        async with sessions() as session:
            stored = len((await session.scalars(select(MerkleNode))).all())
            assert stored == 37 - bin(37).count("1")  # every complete subtree of 2 or more
            for size in (1, 2, 5, 16, 37):
                assert await tree.tree_root(session, size) == root_of(leaves[:size])
            proof = await tree.inclusion_path(session, 20, 37)
            assert proof == inclusion_proof(20, leaves)
            verify_inclusion(leaves[20], 20, 37, proof, root_of(leaves))
    finally:
        await engine.dispose()


async def _disable_guards(app: FastAPI) -> None:
    """What an attacker with the owner's rights does first: the log's triggers off."""
    from sqlalchemy import text

    async with app.state.kit.engine.begin() as conn:
        if app.state.kit.settings.is_postgres:
            await conn.execute(text("ALTER TABLE audit_entry DISABLE TRIGGER USER"))
            return
        names = (await conn.execute(text("SELECT name FROM sqlite_master WHERE type = "
                                         "'trigger' AND tbl_name = 'audit_entry'"))).scalars()
        for name in list(names):
            await conn.execute(text(f"DROP TRIGGER {name}"))


async def test_r_au_2_a_rewritten_or_cut_log_no_longer_gives_the_signed_roots(
        make_settings) -> None:
    """R-AU-2, R-AU-3: the actor of an entry rewritten and every later hash recomputed (the
    chain holds again), then the tail cut off: the checkpoints held in the service and the one
    kept outside no longer match, and the first one that fails is named."""
    from sqlalchemy import text

    from services.audit.checkpoints.verify import verify_checkpoints
    from services.audit.log import chain

    settings = make_settings("audit")
    app = create_audit(settings)
    auditor = bearer(settings, Role.auditor, ["230722"])
    async with running(app) as client:
        kit = app.state.kit
        await log_events(app, range(1, 9))
        first = (await client.post(f"{API}/checkpoints", headers=auditor)).json()
        await log_events(app, range(9, 15))
        second = (await client.post(f"{API}/checkpoints", headers=auditor)).json()
        key = (await client.get(f"{API}/checkpoints/key", headers=auditor)).json()
        pem = key["public_key_pem"]
        report = await verify_checkpoints(kit.sessions, pem, outside=[first["note"]])
        assert report.ok and report.checked == 3, report.failures

        await _disable_guards(app)
        async with kit.engine.begin() as conn:
            rows = (await conn.execute(select(AuditEntry).order_by(AuditEntry.seq))).mappings()
            entries = [dict(r) for r in rows]
            previous = entries[9]["prev_hash"]
            for entry in entries[9:]:  # entry 10 rewritten, the chain recomputed after it
                if entry["seq"] == 10:
                    entry["actor_user"] = "someone-else"
                entry["prev_hash"] = previous
                entry["hash"] = previous = chain.entry_hash(entry)
                await conn.execute(text("UPDATE audit_entry SET actor_user = :a, prev_hash = :p, "
                                        "hash = :h WHERE seq = :s"), {
                    "a": entry["actor_user"], "p": entry["prev_hash"], "h": entry["hash"],
                    "s": entry["seq"]})
        assert chain.verify_chain(entries) is None  # the chain alone holds
        report = await verify_checkpoints(kit.sessions, pem, outside=[first["note"]])
        assert not report.ok and report.first_bad is not None
        assert report.first_bad.source == f"stored:{second['id']}"  # entry 10 > first's 8
        assert report.first_bad.tree_size == second["tree_size"]
        assert "another root" in report.first_bad.reason
        assert [f.source for f in report.failures] == [f"stored:{second['id']}"]

        async with kit.engine.begin() as conn:  # the tail cut off, down to 5 entries
            await conn.execute(text("DELETE FROM audit_entry WHERE seq > 5"))
        report = await verify_checkpoints(kit.sessions, pem, outside=[first["note"]])
        assert {f.source for f in report.failures} == {
            f"stored:{first['id']}", f"stored:{second['id']}", "outside:1"}
        assert "fewer than" in report.failures[0].reason and report.log_size == 5


async def test_r_au_2_a_witness_that_holds_another_size_gets_a_proof_from_it(
        make_settings) -> None:
    """R-AU-2: a witness answering 409 with the size it holds (C2SP tlog-witness) is sent the
    consistency proof from that size at once, and can check it against the root it knew."""
    port = free_port()
    settings = make_settings("audit", audit_witness_url=f"http://127.0.0.1:{port}/add-checkpoint",
                             courier_poll_interval_s=0.1)
    bodies: list[str] = []
    witness = FastAPI()

    @witness.post("/add-checkpoint")
    async def add_checkpoint(request: Request) -> PlainTextResponse:
        body = (await request.body()).decode()
        bodies.append(body)
        if not body.startswith("old 3\n"):
            return PlainTextResponse("3\n", status_code=409)
        return PlainTextResponse("\u2014 witness cosignature\n")

    app = create_audit(settings)
    auditor = bearer(settings, Role.auditor, ["230722"])
    async with running(app) as client, serving(witness, port):
        await log_events(app, range(1, 8))
        made = (await client.post(f"{API}/checkpoints", headers=auditor)).json()
        courier(app).wake()

        async def delivered() -> bool:
            rows = await deliveries(app, "witness")
            return bool(rows) and rows[0].state == "delivered"

        await eventually(delivered, timeout=10)
        hashes = await entry_hashes(app)
    assert [b.split("\n")[0] for b in bodies] == ["old 0", "old 3"]
    head, _, note = bodies[1].partition("\n\n")
    assert note == made["note"]
    leaves = [leaf_hash(bytes.fromhex(h)) for h in hashes]
    verify_consistency(3, made["tree_size"], root_of(leaves[:3]),
                       root_of(leaves[:made["tree_size"]]),
                       [base64.b64decode(line) for line in head.split("\n")[1:]])


async def test_r_au_2_entries_appended_without_the_tree_are_added_to_it(make_settings) -> None:
    """R-AU-2: entries written by a process that kept no tree (an older replica during an
    upgrade) do not stop the log: the next append completes the tree first, and proofs hold."""
    from sqlalchemy import insert

    from services.audit.log import chain, service
    from shared.transparency import inclusion_proof, verify_inclusion

    settings = make_settings("audit")
    app = create_audit(settings)
    auditor = bearer(settings, Role.auditor, ["230722"])
    async with running(app) as client:
        kit = app.state.kit
        await log_events(app, range(1, 6))
        async with kit.unit_of_work() as session:  # as an old replica would: no tree
            previous = await service.chain_head(session)
            for n in range(100, 104):
                e = event(n)
                record = chain.seal(service.entry_fields(e, recorded_at=e.time),
                                    previous=previous)
                await session.execute(insert(AuditEntry), [record])
                previous = (record["seq"], record["hash"])
        await log_events(app, range(6, 9))
        made = (await client.post(f"{API}/checkpoints", headers=auditor)).json()
        hashes = await entry_hashes(app)
        leaves = [leaf_hash(bytes.fromhex(h)) for h in hashes[:made["tree_size"]]]
        assert made["tree_size"] >= 12 and made["root_hash"] == root_of(leaves).hex()
        proof = (await client.get(f"{API}/entries/7/proof", headers=auditor)).json()
        assert proof["proof"] == [p.hex() for p in inclusion_proof(6, leaves)]
        verify_inclusion(leaves[6], 6, len(leaves), [bytes.fromhex(p) for p in proof["proof"]],
                         root_of(leaves))


async def test_r_au_2_entries_appended_outside_a_batch_store_the_same_tree(make_settings) -> None:
    """R-AU-2: the consumer's batches write their Merkle nodes as rows in one statement after
    their entries; an entry appended outside a batch adds them as objects at commit. Mixed, the
    stored subtrees are exactly those of the log, and every root is the log's."""
    from services.audit.checkpoints import tree
    from services.audit.checkpoints.models import MerkleNode
    from services.audit.log import service

    settings = make_settings("audit")
    app = create_audit(settings)
    async with running(app):
        kit = app.state.kit
        await log_events(app, range(1, 6))
        for n in range(100, 104):  # one transaction each, then two in one
            async with kit.unit_of_work() as session:
                await service.append_entry(session, event(n))
        async with kit.unit_of_work() as session:
            for n in range(104, 106):
                await service.append_entry(session, event(n))
        await log_events(app, range(6, 12))
        leaves = [leaf_hash(bytes.fromhex(h)) for h in await entry_hashes(app)]
        assert len(leaves) == 17
        async with kit.sessions() as session:
            nodes = set((await session.execute(select(MerkleNode.level, MerkleNode.position)
                                               )).all())
            expected = {(level, position) for level in range(1, 5)
                        for position in range(len(leaves) >> level)}
            assert nodes == expected  # every complete subtree of 2 or more, each once
            for size in range(1, len(leaves) + 1):
                assert await tree.tree_root(session, size) == root_of(leaves[:size])


async def test_r_au_2_a_rotated_key_keeps_what_it_signed_verifiable(
        make_settings, tmp_path: Path) -> None:
    """R-AU-2, R-AU-3: ``tools.auditkey rotate`` puts a fresh key in the data folder and lists
    the old one as retired; the running service signs its next checkpoint with the new key (no
    restart). The verification report, the operator's file and the standalone verifier accept
    both checkpoints with the log's keys; without the retired keys the first reads as forged;
    a checkpoint the old key signs after its retirement is refused everywhere."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from services.audit.checkpoints.keys import key_path, retired_path
    from shared.transparency import Checkpoint as Signed
    from shared.transparency import sign_checkpoint
    from tools import auditkey

    settings = make_settings("audit")
    app = create_audit(settings)
    auditor = bearer(settings, Role.auditor, ["230722"])
    async with running(app) as client:
        await log_events(app, range(1, 6))
        first = (await client.post(f"{API}/checkpoints", headers=auditor)).json()
        old_pem = key_path(settings).read_bytes()
        assert auditkey.main(["rotate", "--data-dir", str(settings.data_dir)]) == 0
        assert key_path(settings).read_bytes() != old_pem
        assert key_path(settings).stat().st_mode & 0o777 == 0o600
        await log_events(app, range(6, 9))
        second = (await client.post(f"{API}/checkpoints", headers=auditor)).json()
        assert second["key_id"] != first["key_id"]  # signed with the new key, no restart

        keys = (await client.get(f"{API}/checkpoints/keys", headers=auditor)).json()
        assert [(k["key_id"], k["current"]) for k in keys] == [
            (second["key_id"], True), (first["key_id"], False)]
        assert keys[0]["retired_at"] is None
        retired_at = datetime.fromisoformat(keys[1]["retired_at"])
        assert datetime.fromisoformat(first["timestamp"]) <= retired_at
        current = (await client.get(f"{API}/checkpoints/key", headers=auditor)).json()
        assert current["key_id"] == second["key_id"]

        report = (await client.get(f"{API}/report", headers=auditor)).json()
        assert report["ok"] is True, report
        assert (report["checkpoints"]["count"], report["checkpoints"]["consistent"]) == (2, True)
        path = settings.audit_checkpoint_path
        await eventually(lambda: _notes_in(path, 2), timeout=10)
        outside = (await client.get(f"{API}/verify", headers=auditor)).json()["checkpoints"]
        assert (outside["ok"], outside["checkpoints"], outside["unsigned"]) == (True, 2, 0)

        # the standalone verifier, with the key file `tools.auditkey show` prints
        key_file = tmp_path / "audit.keys"
        key_file.write_text("".join(
            f"{k['verifier_key']} {k['retired_at'] or ''}".strip() + "\n" for k in keys))
        out = logproof("checkpoint", "--key", key_file, path)
        assert out.returncode == 0 and "2 checkpoint(s)" in out.stdout, out.stderr
        new_only = tmp_path / "new.vkey"
        new_only.write_text(current["verifier_key"])
        assert logproof("checkpoint", "--key", new_only, path).returncode == 1

        # the old key, leaked, signs a checkpoint after its retirement: refused
        old_key = serialization.load_pem_private_key(old_pem, password=None)
        assert isinstance(old_key, Ed25519PrivateKey)
        late = sign_checkpoint(Signed(first["origin"], first["tree_size"],
                                      bytes.fromhex(first["root_hash"]),
                                      retired_at + timedelta(seconds=1)), old_key)
        late_file = tmp_path / "late.txt"
        late_file.write_text(late)
        out = logproof("checkpoint", "--key", key_file, late_file)
        assert out.returncode == 1 and "retired" in out.stderr, out.stderr
        with path.open("a", encoding="utf-8") as kept:
            kept.write(late + "\n")
        outside = (await client.get(f"{API}/verify", headers=auditor)).json()["checkpoints"]
        assert (outside["checkpoints"], outside["unsigned"]) == (2, 1)

        # without the retired keys, the first checkpoint no longer verifies
        retired_path(settings).unlink()
        assert [k["key_id"] for k in (await client.get(
            f"{API}/checkpoints/keys", headers=auditor)).json()] == [second["key_id"]]
        report = (await client.get(f"{API}/report", headers=auditor)).json()
        assert report["checkpoints"]["consistent"] is False
        assert f"stored:{first['id']}" in report["checkpoints"]["detail"]
