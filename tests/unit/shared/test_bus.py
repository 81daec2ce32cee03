"""The bus's own publish: an ack that does not come in time is asked for again."""

from __future__ import annotations

from typing import Any

import pytest
from nats.errors import TimeoutError as NoAck

from shared.bus import Bus
from shared.settings import Settings


class SlowThenAcking:
    """A JetStream context whose first ``stalls`` publishes get no ack in time."""

    def __init__(self, stalls: int) -> None:
        self.stalls = stalls
        self.sent: list[tuple[str, dict[str, str]]] = []

    async def publish(self, subject: str, payload: bytes, *, headers: dict[str, str],
                      timeout: float) -> Any:
        self.sent.append((subject, headers))
        if len(self.sent) <= self.stalls:
            raise NoAck
        return "ack"


def bus_with(js: SlowThenAcking, tmp_path) -> Bus:
    bus = Bus(Settings(service="audit", data_dir=tmp_path, jwt_secret="x" * 40))
    bus._js = js  # type: ignore[assignment]
    return bus


async def test_a_publish_without_an_ack_in_time_is_sent_again_with_its_msg_id(tmp_path):
    js = SlowThenAcking(stalls=2)
    assert await bus_with(js, tmp_path).publish("assist.230722.intake.x", b"{}", "e-1") == "ack"
    assert js.sent == [("assist.230722.intake.x", {"Nats-Msg-Id": "e-1"})] * 3


async def test_a_publish_gives_up_after_its_attempts(tmp_path):
    js = SlowThenAcking(stalls=3)
    with pytest.raises(NoAck):
        await bus_with(js, tmp_path).publish("assist.230722.intake.x", b"{}", "e-1")
    assert len(js.sent) == 3
