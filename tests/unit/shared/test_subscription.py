"""What a consumer subscribes to and how it hands events to handlers: keyed by contract, data
validated once, versions side by side during a transition, failures sorted into *not yet* and
permanent."""

from __future__ import annotations

from typing import ClassVar

import pytest
from pydantic import ValidationError
from sqlalchemy.exc import OperationalError

from shared.contracts.approval import BeneficiaryStopped
from shared.contracts.base import EventContract
from shared.contracts.kit import OperationRecorded
from shared.events import new_envelope
from shared.inbox import NotYet, Rejected, Subscription, failure_kind
from shared.sealing import SealError


class ParcelSent(EventContract):
    """Version 1 of a test event."""

    service: ClassVar[str] = "testsvc"
    event: ClassVar[str] = "parcel_sent"
    weight_g: int


class ParcelSentV2(EventContract):
    """Version 2: the weight became kilograms with decimals, a breaking change."""

    service: ClassVar[str] = "testsvc"
    event: ClassVar[str] = "parcel_sent"
    version: ClassVar[int] = 2
    weight_kg: float


def envelope(version: int, data: dict, *, service: str = "testsvc", event: str = "parcel_sent"):
    return new_envelope(service=service, county="230722", event=event, subject="p-1",
                        data=data, schemaversion=version)


def test_handler_keys_are_contracts_so_a_typo_fails_when_the_service_is_built():
    async def handler(session, data, event):  # pragma: no cover - never called
        pass

    with pytest.raises(TypeError, match="not an event contract"):
        Subscription({"approval.beneficiary_stoped": handler})  # type: ignore[dict-item]
    with pytest.raises(TypeError):
        Subscription({EventContract: handler})  # the base names no event


def test_subjects_are_the_countys_and_only_the_handled_ones():
    async def handler(session, data, event):  # pragma: no cover
        pass

    subscription = Subscription({BeneficiaryStopped: handler, OperationRecorded: handler,
                                 ParcelSent: handler, ParcelSentV2: handler})
    assert subscription.subjects("230722") == [
        "assist.230722.*.operation_recorded",  # the kit's events come from every service
        "assist.230722.approval.beneficiary_stopped",
        "assist.230722.testsvc.parcel_sent",  # both versions travel on one subject
    ]


async def test_both_versions_are_handled_during_a_transition_each_as_its_model():
    seen: list[EventContract] = []

    async def on_v1(session, data: ParcelSent, event):
        seen.append(data)

    async def on_v2(session, data: ParcelSentV2, event):
        seen.append(data)

    subscription = Subscription({ParcelSent: on_v1, ParcelSentV2: on_v2})
    await subscription.dispatch(None, envelope(1, {"weight_g": 1500, "later": "ignored"}), None)
    await subscription.dispatch(None, envelope(2, {"weight_kg": 1.5}), None)
    assert seen == [ParcelSent(weight_g=1500), ParcelSentV2(weight_kg=1.5)]


async def test_a_version_without_a_handler_or_data_off_contract_is_rejected():
    async def on_v1(session, data, event):  # pragma: no cover
        raise AssertionError("not for this data")

    subscription = Subscription({ParcelSent: on_v1})
    with pytest.raises(Rejected, match="schema version 2 is not handled here"):
        await subscription.dispatch(None, envelope(2, {"weight_kg": 1.5}), None)
    with pytest.raises(Rejected, match="breaks its contract testsvc.parcel_sent: weight_g"):
        await subscription.dispatch(None, envelope(1, {"weight_g": "heavy"}), None)
    with pytest.raises(Rejected, match="version 7"):
        await subscription.dispatch(None, envelope(7, {}), None)


def test_failures_are_not_yet_unless_the_event_itself_is_wrong():
    assert failure_kind(NotYet("the approval has not arrived")) == "not_yet"
    assert failure_kind(OperationalError("SELECT 1", {}, Exception("gone"))) == "not_yet"
    assert failure_kind(ConnectionError()) == "not_yet"
    assert failure_kind(KeyError("a bug: retried, then parked")) == "not_yet"
    assert failure_kind(Rejected("refused by a rule")) == "permanent"
    assert failure_kind(SealError("unknown key id")) == "permanent"
    try:
        ParcelSent.model_validate({})
    except ValidationError as exc:
        assert failure_kind(exc) == "permanent"
