"""How the log shows the personal data of an event, with no database (R-SE-2, R-AU-3)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Annotated, ClassVar

from services.audit.inspection.personal import (
    holds_clear_personal_data,
    in_full,
    index_digest,
    masked,
    sealed_id_numbers,
    search_digests,
)
from services.audit.log import chain
from services.audit.log.models import AuditEntry
from services.audit.log.service import entry_fields, export_line
from shared.contracts.base import EventContract, EventData, Personal
from shared.events import Envelope, EventActor
from shared.masking import mask_bank_account, mask_id_number, mask_phone
from shared.sealing import Keyring, Sealer

ID_A, ID_B = "230722196001010117", "23072219620202012X"


class Holder(EventData):
    name: str
    id_number: Annotated[str, Personal("id_number")]


class PayeeNoted(EventContract):
    """A test contract: personal fields at the top, in a list, and under a name of its own."""

    service: ClassVar[str] = "inspectiontest"
    event: ClassVar[str] = "payee_noted"
    holders: list[Holder]
    phone: Annotated[str, Personal("phone")]
    payee_account: Annotated[str, Personal("bank_account")]
    note: str


EVENT_ID = "f" * 32


def logged(sealer: Sealer | None) -> dict[str, object]:
    """The envelope as the log keeps it: sealed by the producer when a sealer is given."""
    data = PayeeNoted(holders=[Holder(name="张三", id_number=ID_A),
                               Holder(name="李四", id_number=ID_B)],
                      phone="13800001234", payee_account="6222 0000 1111 2345",
                      note="入户").model_dump(mode="json")
    if sealer is not None:
        data = sealer.seal(PayeeNoted, data, event_id=EVENT_ID)
    return {"id": EVENT_ID, "type": "assist.inspectiontest.payee_noted", "schemaversion": 1,
            "data": data}


def test_sealed_fields_are_opened_then_masked_by_their_kind_R_SE_2() -> None:
    sealer = Sealer(Keyring.generate())
    shown = masked(logged(sealer), sealer)
    assert [h["id_number"] for h in shown["holders"]] == [mask_id_number(ID_A),
                                                         mask_id_number(ID_B)]
    assert shown["phone"] == mask_phone("13800001234")
    assert shown["payee_account"] == mask_bank_account("6222 0000 1111 2345")
    assert shown["note"] == "入户" and "sealed:" not in json.dumps(shown)


def test_a_value_that_cannot_be_opened_shows_sealed_never_its_ciphertext_R_SE_2() -> None:
    other = Sealer(Keyring.generate())  # another installation's keys
    shown = masked(logged(Sealer(Keyring.generate())), other)
    assert shown["phone"] == "(sealed)" and shown["holders"][0]["id_number"] == "(sealed)"
    assert masked(logged(Sealer(Keyring.generate())), None)["payee_account"] == "(sealed)"


def test_the_full_read_opens_and_names_what_it_opened_R_SE_2() -> None:
    sealer = Sealer(Keyring.generate())
    full = in_full(logged(sealer), sealer)
    assert [h["id_number"] for h in full.data["holders"]] == [ID_A, ID_B]
    assert full.opened == ["holders.0.id_number", "holders.1.id_number", "payee_account",
                           "phone"]


def test_an_event_from_before_sealing_is_masked_and_recognised_as_clear_R_SE_2() -> None:
    legacy = logged(None)
    assert holds_clear_personal_data(legacy)
    assert not holds_clear_personal_data(logged(Sealer(Keyring.generate())))
    shown = masked(legacy, None)
    assert shown["payee_account"] == mask_bank_account("6222 0000 1111 2345")
    assert in_full(legacy, None).opened == in_full(logged(sealer := Sealer(Keyring.generate())),
                                                   sealer).opened  # clear values named too
    assert ID_A not in json.dumps(shown)
    already = {"type": "assist.intake.application_submitted",
               "data": {"members": [{"id_number": mask_id_number(ID_A)}]}}
    assert not holds_clear_personal_data(already)  # masked at the source: nothing in clear


def test_id_numbers_are_indexed_by_keyed_digest_matched_after_a_rotation_R_AU_3() -> None:
    keyring = Keyring.generate()
    sealer = Sealer(keyring)
    found = sealed_id_numbers(logged(sealer), sealer)
    assert found == [("holders.0.id_number", ID_A), ("holders.1.id_number", ID_B)]
    kid, digest = index_digest(sealer, ID_A)
    assert kid == "k1" and len(digest) == 64 and ID_A not in digest
    rotated = Sealer(keyring.with_new_key())
    assert (kid, digest) in search_digests(rotated, ID_A)
    assert (kid, digest) in search_digests(rotated, ID_A.lower())
    assert (kid, digest) not in search_digests(rotated, ID_B)
    assert index_digest(Sealer(Keyring.generate()), ID_A)[1] != digest  # other keys
    assert sealed_id_numbers(logged(None), sealer) == []  # only what was sealed is indexed


def test_an_export_line_carries_no_personal_value_in_clear_R_SE_2() -> None:
    """A sealed entry keeps its payload (ciphertext, so its hash checks); one from before
    sealing has its payload masked and says so; both show ``data`` masked."""
    sealer = Sealer(Keyring.generate())
    for keys, clear in ((sealer, False), (None, True)):
        event = Envelope(
            id=EVENT_ID, type="assist.inspectiontest.payee_noted",
            source="/assist/230722/inspectiontest", subject="payee-1",
            time=datetime(2026, 12, 6, 1, 0, tzinfo=UTC), correlationid="c", requestid="r",
            sourceaddress="10.0.0.1", division="230722100001",
            actor=EventActor(user_id="cw-1", role="caseworker"), data=logged(keys)["data"])
        fields = entry_fields(event, recorded_at=datetime(2026, 12, 6, 1, 1, tzinfo=UTC))
        entry = AuditEntry(**chain.seal(fields, previous=None))
        line = json.loads(export_line(entry, sealer))
        assert ID_A not in json.dumps(line) and "13800001234" not in json.dumps(line)
        assert line["data"]["holders"][0]["id_number"] == mask_id_number(ID_A)
        assert line.get("payload_masked", False) is clear
        assert (chain.entry_hash(line) == entry.hash) is not clear
