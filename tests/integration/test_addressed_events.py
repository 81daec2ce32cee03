"""Events addressed to another county (R-VE-3): they travel on that county's subjects, where its
consumers take them, and carry no sealed data (the other installation has other keys)."""

from __future__ import annotations

from typing import Annotated, ClassVar

import pytest
from sqlalchemy import select

from services.verification.app import create_app as create_verification
from shared.contracts import Personal
from shared.contracts.kit import KitEvent
from shared.events import Envelope, new_envelope
from shared.outbox import emit
from shared.sealing import Keyring
from tests.bus import count_events
from tests.events import TestRecorded
from tests.support import eventually, relayed_all, running


class TestSealed(KitEvent):
    """An event with personal data, for this test only."""

    __test__ = False
    event: ClassVar[str] = "test_sealed"
    id_number: Annotated[str, Personal("id_number")]


def test_an_addressed_envelope_travels_on_the_destinations_subjects():
    env = new_envelope(service="verification", county="230722", event="delegation_requested",
                       subject="d-1", data={}, destination="230781")
    assert env.source == "/assist/230722/verification" and env.county == "230722"
    assert env.nats_subject == "assist.230781.verification.delegation_requested"
    assert Envelope.from_json(env.to_json()) == env
    local = new_envelope(service="verification", county="230722", event="x", subject="s", data={})
    assert local.destination is None and local.nats_subject == "assist.230722.verification.x"


async def test_emit_addresses_an_event_to_another_county_but_never_sealed_data(
        make_settings, nats_server):
    app = create_verification(make_settings("verification"))
    async with running(app):
        kit = app.state.kit
        await kit.bus.wait_ready(10)
        async with kit.unit_of_work() as session:
            away = await emit(session, TestRecorded(n=1), subject="r-1", to_county="230781")
            home = await emit(session, TestRecorded(n=2), subject="r-2", to_county="230722")
        assert away.destination == "230781" and home.destination is None
        async with kit.sessions() as session:
            subjects = list(await session.scalars(select(kit.outbox.c.nats_subject)
                                                  .order_by(kit.outbox.c.id)))
        assert subjects == ["assist.230781.verification.test_recorded",
                            "assist.230722.verification.test_recorded"]
        await eventually(lambda: relayed_all(kit))
        assert await count_events(nats_server.url,
                                  "assist.230781.verification.test_recorded") == 1

        with pytest.raises(TypeError, match="other keys"):
            async with kit.unit_of_work() as session:
                await emit(session, TestSealed(id_number="11010519491231002X"), subject="a-1",
                           to_county="230781")


def test_derived_keys_differ_by_purpose_and_key_and_stay_the_same():
    """A keyed digest of an ID number is computable only with the installation's keys."""
    keyring = Keyring.generate()
    kid, key = keyring.derived_key("check-id-digest")
    assert kid == "k1" and len(key) == 32
    assert keyring.derived_key("check-id-digest", "k1") == (kid, key)
    assert keyring.derived_key("other")[1] != key
    rotated = keyring.with_new_key()
    assert rotated.derived_key("check-id-digest")[1] != key
    assert rotated.derived_key("check-id-digest", "k1")[1] == key
    assert Keyring.generate().derived_key("check-id-digest")[1] != key
