"""Several modules of one service handle the same contract: ``combine_handlers`` calls each in
turn in the one transaction, where a dict merge would silently keep only the last."""

from __future__ import annotations

from typing import Any, ClassVar

import pytest

from shared.contracts.base import EventContract
from shared.events import Envelope, new_envelope
from shared.inbox import (
    Subscription,
    batch_after_hooks,
    batch_hooks,
    combine_handlers,
    completed_by,
    prepared_by,
)


class CrateSent(EventContract):
    service: ClassVar[str] = "combinesvc"
    event: ClassVar[str] = "crate_sent"
    weight_g: int


class CrateLost(EventContract):
    service: ClassVar[str] = "combinesvc"
    event: ClassVar[str] = "crate_lost"


def envelope(event: str, data: dict[str, Any]) -> Envelope:
    return new_envelope(service="combinesvc", county="230722", event=event, subject="p-1",
                        data=data, schemaversion=1)


def recorder(calls: list[str], name: str):
    async def handle(session: Any, data: EventContract, event: Envelope) -> None:
        calls.append(f"{name}:{event.event}")
    return handle


async def test_every_module_handles_a_shared_contract_in_order() -> None:
    calls: list[str] = []
    links, checks = recorder(calls, "links"), recorder(calls, "checks")
    table = combine_handlers({CrateSent: links, CrateLost: links}, {CrateSent: checks})
    subscription = Subscription(table)
    await subscription.dispatch(None, envelope("crate_sent", {"weight_g": 3}), None)  # type: ignore[arg-type]
    await subscription.dispatch(None, envelope("crate_lost", {}), None)  # type: ignore[arg-type]
    assert calls == ["links:crate_sent", "checks:crate_sent", "links:crate_lost"]
    assert {**{CrateSent: links}, **{CrateSent: checks}}[CrateSent] is checks  # the trap
    assert table[CrateLost] is links  # one handler: itself, no wrapper


async def test_the_same_handler_twice_is_called_once() -> None:
    calls: list[str] = []
    links = recorder(calls, "links")
    table = combine_handlers({CrateSent: links}, {CrateSent: links})
    await table[CrateSent](None, CrateSent(weight_g=1), envelope("crate_sent", {}))  # type: ignore[arg-type]
    assert calls == ["links:crate_sent"]


async def test_a_failing_handler_stops_the_chain_so_the_transaction_rolls_back() -> None:
    calls: list[str] = []

    async def refuses(session: Any, data: EventContract, event: Envelope) -> None:
        raise RuntimeError("refused")

    table = combine_handlers({CrateSent: refuses}, {CrateSent: recorder(calls, "after")})
    with pytest.raises(RuntimeError):
        await table[CrateSent](None, CrateSent(weight_g=1), envelope("crate_sent", {}))  # type: ignore[arg-type]
    assert calls == []


async def test_batch_hooks_survive_combining_and_are_listed_once() -> None:
    calls: list[str] = []

    async def read_ahead(session: Any, envelopes: Any) -> None:  # pragma: no cover
        calls.append("hook")

    links = prepared_by(read_ahead)(recorder(calls, "links"))
    checks = recorder(calls, "checks")
    table = combine_handlers({CrateSent: links, CrateLost: links}, {CrateSent: checks})
    assert batch_hooks(table[CrateSent]) == (read_ahead,)  # the combined wrapper carries it
    assert Subscription(table).hooks == (read_ahead,)  # one hook, however many handlers
    assert Subscription({CrateSent: checks}).hooks == ()

    async def write_behind(session: Any, envelopes: Any) -> None:  # pragma: no cover
        calls.append("after")

    async def every(session: Any, event: Envelope) -> None:  # pragma: no cover
        pass

    logged = completed_by(write_behind)(prepared_by(read_ahead)(every))
    subscription = Subscription(every_event=logged)  # the audit log's kind of handler too
    assert (subscription.hooks, subscription.after_hooks) == ((read_ahead,), (write_behind,))
    combined = combine_handlers({CrateSent: completed_by(write_behind)(checks)}, {CrateSent: links})
    assert batch_after_hooks(combined[CrateSent]) == (write_behind,)
