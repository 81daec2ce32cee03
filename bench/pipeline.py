"""Benchmark: applications through the whole event pipeline, against raw JetStream.

    make bench            (or: .venv/bin/python -m bench.pipeline --applications 200)

Runs on loopback with its own nats-server and SQLite files in a temporary folder, and stops by
itself. It measures, in the same run:

- baseline: N CloudEvents envelopes published to JetStream (with Nats-Msg-Id, awaiting each
  ack) and read back by a durable pull consumer with explicit acks — the bus alone;
- pipeline: N applications submitted to intake's REST API (validation, household, checklist,
  deadline, outbox in the same transaction) until every event they cause is in the audit
  service's hash-chained log (relay → JetStream → durable consumer → inbox → chain append).

and prints events per second of each and the ratio pipeline / baseline.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from pathlib import Path

import nats

from services.audit.app import create_app as create_audit
from services.intake.app import create_app as create_intake
from shared.auth import issue_token
from shared.events import new_envelope
from shared.idcard import check_character
from shared.natsd import NatsServer
from shared.settings import Settings
from tests.support import running

TOWNSHIP, VILLAGE = "230722100", "230722100201"
EVENTS_PER_APPLICATION = 2  # application_submitted + application_accepted


def application(i: int) -> dict:
    return {
        "program": "dibao", "channel": "window", "division": VILLAGE, "area": "rural",
        "household": {"members": [{
            "name": f"测试{i}", "id_number": unique_id(i),
            "relationship": "head", "living_status": "at_home", "is_student": False}]},
        "materials": ["application_form", "id_card", "household_register", "income_statement",
                      "property_declaration", "authorization_letter"],
    }


def unique_id(i: int) -> str:
    """A valid, distinct resident ID per application (birth date and sequence vary)."""
    day = 1 + i % 28
    month = 1 + (i // 28) % 12
    year = 1940 + (i // 336) % 60
    first17 = f"230722{year:04d}{month:02d}{day:02d}{i % 1000:03d}"
    return first17 + check_character(first17)


async def baseline(url: str, n: int) -> float:
    """Seconds to publish n envelopes with acks and consume them back with explicit acks."""
    nc = await nats.connect(url)
    js = nc.jetstream()
    await js.add_stream(name="BENCH", subjects=["bench.>"])
    envelopes = [new_envelope(service="bench", county="230722", event="x", subject=str(i),
                              data=application(i)) for i in range(n)]
    sub = await js.pull_subscribe("bench.>", durable="bench", stream="BENCH")
    started = time.perf_counter()
    for env in envelopes:
        await js.publish("bench.230722.x", env.to_json(), headers={"Nats-Msg-Id": env.id})
    seen = 0
    while seen < n:
        for msg in await sub.fetch(min(100, n - seen), timeout=5):
            await msg.ack()
            seen += 1
    took = time.perf_counter() - started
    await nc.close()
    return took


async def pipeline(folder: Path, url: str, n: int) -> float:
    """Seconds from the first POST until the audit log holds every event of n applications."""
    def settings(service: str) -> Settings:
        return Settings(service=service, data_dir=folder, nats_url=url, log_level="WARNING",
                        jwt_secret="bench-secret-bench-secret-bench-secret-0000")

    intake_app, audit_app = create_intake(settings("intake")), create_audit(settings("audit"))
    auth = {"Authorization": "Bearer " + issue_token(
        settings("intake"), user_id="bench", role="caseworker", divisions=[TOWNSHIP])}
    async with running(intake_app) as intake, running(audit_app):
        await intake_app.state.kit.bus.wait_ready(15)
        await audit_app.state.kit.bus.wait_ready(15)
        started = time.perf_counter()
        for i in range(n):
            r = await intake.post("/api/v1/applications", json=application(i), headers=auth)
            if r.status_code != 201:
                raise RuntimeError(f"application {i}: {r.status_code} {r.text}")
        audit_kit = audit_app.state.kit
        expected = n * EVENTS_PER_APPLICATION
        deadline = time.monotonic() + 300
        while await _entries(audit_kit) < expected:
            if time.monotonic() > deadline:
                raise TimeoutError("the audit log did not catch up within 300 s")
            await asyncio.sleep(0.02)
        return time.perf_counter() - started


async def _entries(kit) -> int:
    from sqlalchemy import func, select

    from services.audit.log.models import AuditEntry

    async with kit.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(AuditEntry)) or 0)


async def main(n: int) -> None:
    with tempfile.TemporaryDirectory(prefix="assist-bench-") as tmp:
        folder = Path(tmp)
        with NatsServer(folder / "nats") as server:
            base = await baseline(server.url, n * EVENTS_PER_APPLICATION)
            full = await pipeline(folder / "data", server.url, n)
    events = n * EVENTS_PER_APPLICATION
    print(f"events: {events} ({n} applications × {EVENTS_PER_APPLICATION})")
    print(f"baseline  raw JetStream publish+consume : {events / base:8.1f} events/s ({base:.2f} s)")
    print(f"pipeline  REST → outbox → audit chain   : {events / full:8.1f} events/s ({full:.2f} s)")
    print(f"ratio     pipeline / baseline throughput: {base / full:.3f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--applications", type=int, default=200)
    asyncio.run(main(parser.parse_args().applications))
