"""What an entry keeps of an event, with no database (R-AU-1)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from services.audit.log.service import entry_fields
from shared.events import Envelope, EventActor

RECORDED = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)


def envelope(**overrides: object) -> Envelope:
    values: dict[str, object] = {
        "id": "e" * 32, "type": "assist.intake.application_accepted",
        "source": "/assist/230722/intake", "subject": "app-1",
        "time": datetime(2026, 11, 27, 1, 0, tzinfo=UTC), "correlationid": "corr-1",
        "requestid": "req-1", "sourceaddress": "10.1.2.3", "division": "230722100001",
        "actor": EventActor(user_id="cw-7", role="caseworker", divisions=["230722100"]),
        "data": {"application_number": "230722-2026-0001", "申请人": "李四"},
    }
    return Envelope(**(values | overrides))  # type: ignore[arg-type]


def test_an_entry_records_who_what_when_which_record_request_and_source_R_AU_1():
    fields = entry_fields(envelope(), recorded_at=RECORDED)
    assert fields == {
        "event_id": "e" * 32, "event_type": "assist.intake.application_accepted",
        "service": "intake", "record_id": "app-1", "division": "230722100001",
        "actor_user": "cw-7", "actor_role": "caseworker", "correlation_id": "corr-1",
        "request_id": "req-1", "source_address": "10.1.2.3",
        "occurred_at": datetime(2026, 11, 27, 1, 0, tzinfo=UTC), "recorded_at": RECORDED,
        "payload": fields["payload"],
    }


def test_the_payload_is_the_whole_envelope_as_canonical_json_R_AU_1():
    event = envelope()
    payload = entry_fields(event, recorded_at=RECORDED)["payload"]
    assert Envelope.model_validate_json(payload) == event
    assert payload == json.dumps(json.loads(payload), sort_keys=True, separators=(",", ":"),
                                 ensure_ascii=False)
    assert "李四" in payload and "230722100" in payload


def test_an_event_without_division_or_request_is_still_logged():
    fields = entry_fields(envelope(division=None, requestid=None, sourceaddress=None),
                          recorded_at=RECORDED)
    assert (fields["division"], fields["request_id"], fields["source_address"]) == (None,) * 3


def test_an_oddly_typed_event_keeps_a_service_name_from_its_source():
    fields = entry_fields(envelope(type="legacy"), recorded_at=RECORDED)
    assert fields["service"] == "intake"
