"""The SQL statements of one submission and of each consumer's batch, counted on the engine.

    .venv/bin/python -m bench.statements [--applications 20]

Runs intake (and the consumers) in this process through their real lifespan on SQLite in a
temporary folder, submits applications one at a time through intake's API, and counts what
each unit of work sends to the database (SQLAlchemy's ``before_cursor_execute``): statements per
submission by kind and table, and per event applied by each consumer. What it prints is what a
submission costs in round trips, beside the CPU figures of ``bench.pipeline``.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import re
import tempfile
from pathlib import Path
from typing import Any

from sqlalchemy import event

from bench.support import SECRET, TOWNSHIP, application, count, reader
from shared.auth import issue_token
from shared.logging import configure_logging
from shared.natsd import NatsServer
from shared.settings import Settings
from tests.support import running

KINDS = re.compile(r"^\s*(SELECT|INSERT INTO|UPDATE|DELETE FROM|BEGIN|SAVEPOINT|RELEASE|"
                   r"ROLLBACK|PRAGMA)\s*(?:.*?\bFROM\s+)?\"?(\w+)?", re.IGNORECASE | re.DOTALL)


def kind(statement: str) -> str:
    match = KINDS.match(statement)
    if not match:
        return statement.split(None, 1)[0].upper()
    verb, table = match.group(1).upper(), match.group(2) or ""
    return f"{verb.split()[0]} {table}".strip()


class Counter:
    """Statements sent on an engine, by kind and table."""

    def __init__(self, engine: Any) -> None:
        self.seen: collections.Counter[str] = collections.Counter()
        event.listen(engine.sync_engine, "before_cursor_execute", self._on_statement)

    def _on_statement(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        self.seen[kind(statement)] += 1

    def take(self) -> collections.Counter[str]:
        taken, self.seen = self.seen, collections.Counter()
        return taken


async def main(n: int) -> None:
    configure_logging("console", "WARNING")
    from services.audit.app import create_app as create_audit
    from services.complaints.app import create_app as create_complaints
    from services.intake.app import create_app as create_intake
    from services.verification.app import create_app as create_verification

    with tempfile.TemporaryDirectory(prefix="assist-statements-") as tmp, \
            NatsServer(Path(tmp) / "nats") as server:
        def settings(service: str) -> Settings:
            return Settings(service=service, data_dir=Path(tmp), nats_url=server.url,
                            jwt_secret=SECRET, log_level="WARNING")

        intake_app = create_intake(settings("intake"))
        async with running(intake_app) as intake:
            kit = intake_app.state.kit
            await kit.bus.wait_ready(15)
            try:
                from tools.demo import load_register_into
                await load_register_into(intake, settings("intake"))
            except ImportError:
                pass
            await asyncio.sleep(1.0)  # let the relay send what the load wrote
            headers = {"Authorization": "Bearer " + issue_token(
                settings("intake"), user_id="bench", role="caseworker", divisions=[TOWNSHIP])}
            await kit.relay.stop()  # its batches would mix with the submissions' statements
            counter = Counter(kit.engine)
            for i in range(n):
                r = await intake.post("/api/v1/applications", json=application(i),
                                      headers=headers)
                assert r.status_code == 201, r.text
            per = counter.take()
            kit.relay.start()
            while await kit.relay.pending_count():
                await asyncio.sleep(0.05)
            relay = counter.take()
        say_counts(f"a submission (intake, {n} sequential)", per, n)
        say_counts(f"relaying them ({2 * n} events)", relay, 2 * n, unit="event")

        for service, create in (("verification", create_verification),
                                ("complaints", create_complaints), ("audit", create_audit)):
            app = create(settings(service))
            counting = reader(settings(service))
            async with running(app):
                kit = app.state.kit
                counter = Counter(kit.engine)
                await kit.bus.wait_ready(15)
                handled = before = 0
                for _ in range(200):  # until the inbox stops growing
                    await asyncio.sleep(0.1)
                    handled = await count(counting, kit.inbox)
                    if handled and handled == before:
                        break
                    before = handled
                await kit.relay.stop()
            await counting.dispose()
            say_counts(f"{service} applying {handled} events", counter.take(), handled,
                       unit="event")


def say_counts(what: str, seen: collections.Counter[str], n: int, unit: str = "submission"
               ) -> None:
    total = sum(seen.values())
    print(f"{what}: {total / max(n, 1):.1f} statements a {unit}")
    for name, times in seen.most_common():
        print(f"  {times / max(n, 1):6.2f}  {name}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--applications", type=int, default=20)
    asyncio.run(main(parser.parse_args().applications))
