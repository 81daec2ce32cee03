"""The CloudEvents-shaped envelope: attributes, actor and correlation from context, subjects."""

import json

import pytest
from pydantic import ValidationError

from shared import context
from shared.events import Envelope, nats_subject, new_envelope


def test_envelope_carries_actor_correlation_and_request_ids_from_context():
    """R-AU-1: who (user, role, division), the request id and source address ride on the event."""
    tokens = [
        context.current_actor.set(context.Actor("u-7", "caseworker", ("230722100",))),
        context.request_id.set("req-1"),
        context.correlation_id.set("corr-1"),
        context.source_address.set("10.0.0.9"),
    ]
    try:
        env = new_envelope(service="intake", county="230722", event="application_accepted",
                           subject="app-1", data={"amount_fen": 75000}, division="230722100001")
    finally:
        context.source_address.reset(tokens[3])
        context.correlation_id.reset(tokens[2])
        context.request_id.reset(tokens[1])
        context.current_actor.reset(tokens[0])
    assert env.specversion == "1.0"
    assert env.type == "assist.intake.application_accepted"
    assert env.source == "/assist/230722/intake"
    assert env.subject == "app-1"
    assert env.datacontenttype == "application/json"
    assert env.schemaversion == 1
    assert env.actor.user_id == "u-7" and env.actor.role == "caseworker"
    assert env.actor.divisions == ["230722100"]
    assert (env.correlationid, env.requestid, env.sourceaddress) == ("corr-1", "req-1", "10.0.0.9")
    assert env.division == "230722100001"
    assert env.time.tzinfo is not None
    assert env.nats_subject == "assist.230722.intake.application_accepted"


def test_correlation_id_defaults_to_request_id_and_ids_are_unique():
    token = context.request_id.set("req-9")
    try:
        a = new_envelope(service="audit", county="230722", event="x", subject="s", data={})
        b = new_envelope(service="audit", county="230722", event="x", subject="s", data={})
    finally:
        context.request_id.reset(token)
    assert a.correlationid == "req-9"
    assert a.id != b.id


def test_envelope_round_trips_through_json_and_rejects_missing_attributes():
    env = new_envelope(service="intake", county="230722", event="application_submitted",
                       subject="app-2", data={"names": ["张三"], "nested": {"n": 1}})
    again = Envelope.from_json(env.to_json())
    assert again == env
    assert "张三" in env.to_json().decode()  # UTF-8, not escaped
    broken = json.loads(env.to_json())
    del broken["actor"]
    with pytest.raises(ValidationError):
        Envelope.model_validate(broken)


def test_subject_naming():
    assert nats_subject("230781", "approval", "beneficiary_approved") == (
        "assist.230781.approval.beneficiary_approved"
    )


@pytest.mark.filterwarnings("ignore:Field name \"version\"")
def test_a_contract_field_may_not_shadow_the_contracts_version() -> None:
    """A field named ``version`` would hide the schema version the envelope carries."""
    from pydantic import Field

    from shared.contracts.base import EventContract

    with pytest.raises(TypeError, match="shadow"):
        class Shadowing(EventContract):  # noqa: F841 - defining it is the test
            service = "tests"
            event = "shadowing_tried"
            version: int = Field(1)  # type: ignore[assignment]
