"""R-SE-2: personal values kept at rest in a row, sealed for that row (``shared.at_rest``).

The rows sealed before the kit existed must still open: each service sealed its values through
a one-field contract of its own and ``Sealer.seal``, with the row as the event id. Those old
ways are written out here as they were, and what they sealed must open with ``open_at_rest``
(and the other way round). Real keys and real crypto; nothing is mocked.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Annotated, Any

import pytest

from shared.at_rest import (
    keyring_of,
    open_at_rest,
    seal_at_rest,
    sealer_of,
    session_sealer,
)
from shared.contracts.base import EventData, Personal, PersonalKind
from shared.digests import account_digest, account_digester
from shared.problems import Unavailable
from shared.sealing import Keyring, Sealer, SealError, is_sealed

# --- the services' code before the kit, literally ------------------------------------------------


class _SealedAccount(EventData):  # services/disbursement/accounts/service.py
    account_number: Annotated[str, Personal("bank_account")]


def old_seal_account_number(sealer: Sealer, account_id: str, number: str) -> str:
    sealed = sealer.seal(_SealedAccount, {"account_number": number},
                         event_id=f"bank-account:{account_id}")
    return str(sealed["account_number"])


def old_open_account_number(sealer: Sealer, account_id: str, sealed: str) -> str:
    opened = sealer.open(_SealedAccount, {"account_number": sealed},
                         event_id=f"bank-account:{account_id}")
    return str(opened["account_number"])


class _PhoneAtRest(EventData):  # services/complaints/complaints/contacts.py
    phone: Annotated[str, Personal("phone")]


def old_seal_phone(sealer: Sealer, context: str, phone: str) -> str:
    return str(sealer.seal(_PhoneAtRest, {"phone": phone}, event_id=context)["phone"])


def old_open_phone(sealer: Sealer, context: str, sealed: str) -> str:
    return str(sealer.open(_PhoneAtRest, {"phone": sealed}, event_id=context)["phone"])


class _SealedAtRest(EventData):  # services/verification/checks/service.py
    id_number: Annotated[str, Personal("id_number")]


def old_seal_id_number(sealer: Sealer, investigation_id: str, member_id: str, number: str
                       ) -> str:
    sealed = sealer.seal(_SealedAtRest, {"id_number": number},
                         event_id=f"check-subject:{investigation_id}:{member_id}")
    return str(sealed["id_number"])


def old_open_id_number(sealer: Sealer, investigation_id: str, member_id: str, sealed: str
                       ) -> str:
    opened = sealer.open(_SealedAtRest, {"id_number": sealed},
                         event_id=f"check-subject:{investigation_id}:{member_id}")
    return str(opened["id_number"])


# --- what each service keeps, with the context the service binds it to ---------------------------

ACCOUNT = "01J0000000000000000000000A"
COMPLAINT = "01J0000000000000000000000C"
CALL = "01J0000000000000000000000H"
INVESTIGATION = "01J0000000000000000000000I"

CASES: list[tuple[PersonalKind, str, str]] = [
    ("bank_account", f"bank-account:{ACCOUNT}", "6228480000123456789"),
    ("phone", f"complaint:{COMPLAINT}", "13800138000"),
    ("phone", f"hotline:{CALL}", "0452-1234567"),
    ("id_number", f"check-subject:{INVESTIGATION}:m-head", "23072219680312003X"),
]


def old_seal(sealer: Sealer, kind: PersonalKind, context: str, value: str) -> str:
    if kind == "bank_account":
        return old_seal_account_number(sealer, context.removeprefix("bank-account:"), value)
    if kind == "phone":
        return old_seal_phone(sealer, context, value)
    _, investigation_id, member_id = context.split(":")
    return old_seal_id_number(sealer, investigation_id, member_id, value)


def old_open(sealer: Sealer, kind: PersonalKind, context: str, sealed: str) -> str:
    if kind == "bank_account":
        return old_open_account_number(sealer, context.removeprefix("bank-account:"), sealed)
    if kind == "phone":
        return old_open_phone(sealer, context, sealed)
    _, investigation_id, member_id = context.split(":")
    return old_open_id_number(sealer, investigation_id, member_id, sealed)


@pytest.fixture
def sealer() -> Sealer:
    return Sealer(Keyring.generate())


def session_with(sealer: Sealer | None) -> Any:
    """What the kit reads of a unit of work: its event source (``shared.outbox``)."""
    return SimpleNamespace(info={"events": SimpleNamespace(sealer=sealer)})


@pytest.mark.parametrize(("kind", "context", "value"), CASES)
def test_r_se_2_a_value_sealed_the_old_way_opens_with_the_kit(
        sealer: Sealer, kind: PersonalKind, context: str, value: str) -> None:
    stored = old_seal(sealer, kind, context, value)
    assert is_sealed(stored) and value not in stored
    assert open_at_rest(sealer, kind, context, stored) == value
    assert open_at_rest(session_with(sealer), kind, context, stored) == value


@pytest.mark.parametrize(("kind", "context", "value"), CASES)
def test_r_se_2_a_value_sealed_by_the_kit_opens_the_old_way(
        sealer: Sealer, kind: PersonalKind, context: str, value: str) -> None:
    stored = seal_at_rest(session_with(sealer), kind, context, value)
    assert is_sealed(stored) and value not in stored
    assert old_open(sealer, kind, context, stored) == value


@pytest.mark.parametrize(("kind", "context", "value"), CASES)
def test_r_se_2_a_sealed_value_opens_only_in_its_row_and_as_its_kind(
        sealer: Sealer, kind: PersonalKind, context: str, value: str) -> None:
    stored = seal_at_rest(sealer, kind, context, value)
    with pytest.raises(SealError):
        open_at_rest(sealer, kind, context + "0", stored)
    other: PersonalKind = "id_number" if kind != "id_number" else "phone"
    with pytest.raises(SealError):
        open_at_rest(sealer, other, context, stored)
    assert stored != seal_at_rest(sealer, kind, context, value)  # a fresh nonce each time


def test_r_se_2_a_value_sealed_before_a_rotation_opens_after_it() -> None:
    keyring = Keyring.generate()
    stored = old_seal_phone(Sealer(keyring), "complaint:1", "13800138000")
    rotated = Sealer(keyring.with_new_key())
    assert open_at_rest(rotated, "phone", "complaint:1", stored) == "13800138000"
    assert seal_at_rest(rotated, "phone", "complaint:1", "1").split(":")[2] == "k2"


def test_r_se_2_without_the_keys_nothing_personal_is_kept_503() -> None:
    session = session_with(None)
    assert session_sealer(session) is None
    assert session_sealer(SimpleNamespace(info={})) is None
    for call in (lambda: sealer_of(session), lambda: keyring_of(session),
                 lambda: seal_at_rest(session, "phone", "complaint:1", "13800138000"),
                 lambda: open_at_rest(session, "phone", "complaint:1", "sealed:v1:k1:AAAA")):
        with pytest.raises(Unavailable) as raised:
            call()
        assert raised.value.status == 503


def test_r_se_2_the_keys_come_from_the_sessions_event_source(sealer: Sealer) -> None:
    session = session_with(sealer)
    assert sealer_of(session) is sealer and session_sealer(session) is sealer
    assert keyring_of(session) is sealer.keyring


@pytest.mark.parametrize("number", ["6228480000123456789", "6228 4800 0012 3456 789",
                                    "gb33-bukb-2020-1555-5555", ""])
def test_r_di_4_the_cached_account_digester_is_the_account_digest(number: str) -> None:
    keyring = Keyring.generate()
    digest = account_digester(keyring)
    assert digest(number) == account_digest(keyring, number)
    assert digest(number) == digest(number)  # the cached pads are copied, never used up
