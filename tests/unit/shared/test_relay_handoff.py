"""What the outbox relay is handed by commits: kept in order until published, and dropped for a
read of the outbox once more than it should hold has piled up (NATS away a while)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import MetaData

from shared.outbox import OutboxRelay, outbox_table
from shared.settings import Settings


def rows(first: int, n: int) -> list[dict[str, Any]]:
    return [{"event_id": f"e{i}", "nats_subject": "assist.230722.test.recorded",
             "payload": "{}"} for i in range(first, first + n)]


def relay() -> OutboxRelay:
    settings = Settings(service="test", relay_batch_size=5)
    return OutboxRelay(sessions=None, outbox=outbox_table(MetaData()),  # type: ignore[arg-type]
                       bus=None, settings=settings)  # type: ignore[arg-type]


def test_a_started_relay_reads_the_outbox_first():
    assert relay()._read_asked


def test_handed_rows_are_kept_in_commit_order_until_too_many_pile_up():
    r = relay()
    r._read_asked = False  # the start's read done
    r.committed(rows(0, 30))
    r.committed(rows(30, 20))
    assert [row["event_id"] for row in r._handed] == [f"e{i}" for i in range(50)]
    assert not r._read_asked
    r.committed(rows(50, 1))  # past 10 batches: the outbox is read instead
    assert not r._handed and r._read_asked


def test_a_commit_whose_rows_only_the_outbox_knows_asks_for_a_read():
    r = relay()
    r._read_asked = False
    r.committed(rows(0, 2))
    r.committed(None)
    assert not r._handed and r._read_asked
