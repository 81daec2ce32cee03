"""R-SE-2: personal data is protected in events: sealed field by field with AES-GCM.

Real keys and real crypto in temporary data folders; nothing is mocked.
"""

from __future__ import annotations

import base64
import json
import multiprocessing
import os
import stat
import threading
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from shared.contracts.intake import ApplicationAccepted, ApplicationSubmitted
from shared.sealing import (
    Keyring,
    KeyringError,
    Sealer,
    SealError,
    is_sealed,
    rotate_keys,
)
from shared.settings import Settings
from tools.demo import demo_id_number

ID_1 = demo_id_number("230722", date(1968, 3, 12), 31)
ID_2 = demo_id_number("230722", date(1995, 7, 1), 42)
EVENT = "01J00000000000000000000001"


@pytest.fixture(autouse=True)
def _no_keys_in_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ASSIST_EVENT_KEYS", raising=False)


def settings_in(data_dir: Path, **values: Any) -> Settings:
    return Settings(service="intake", data_dir=data_dir, **values)


def member(member_id: str, id_number: str, **extra: Any) -> dict[str, Any]:
    return {"member_id": member_id, "name": "王大山", "id_number": id_number,
            "relationship": "self", "living_status": "at_home", "is_student": False,
            "counted": True, "birth_date": f"{id_number[6:10]}-{id_number[10:12]}-"
            f"{id_number[12:14]}", "sex": "male", **extra}


def accepted_data() -> dict[str, Any]:
    """The data of an application_accepted event, as emit dumps it."""
    event = ApplicationAccepted(
        application_id="a1", application_number="230722100-2026-0001", program="dibao",
        division="230722100201", area="rural", household_size=2, channel="window",
        accepted_on=date(2026, 3, 2), review_due_on=date(2026, 3, 30),
        review_due_provisional=False,
        members=[member("m1", ID_1), member("m2", ID_2)],
    )
    return event.model_dump(mode="json")


def keys_json(**keys: bytes) -> str:
    current = list(keys)[-1]
    encoded = {kid: base64.urlsafe_b64encode(key).decode() for kid, key in keys.items()}
    return json.dumps({"current": current, "keys": encoded})


def test_r_se_2_seal_and_open_round_trip(tmp_path: Path) -> None:
    sealer = Sealer.from_settings(settings_in(tmp_path))
    data = accepted_data()
    sealed = sealer.seal(ApplicationAccepted, data, event_id=EVENT)
    assert sealed != data
    assert all(is_sealed(m["id_number"]) for m in sealed["members"])
    assert sealed["members"][0]["id_number"].startswith("sealed:v1:k1:")
    assert {k: v for k, v in sealed.items() if k != "members"} == {
        k: v for k, v in data.items() if k != "members"}
    assert sealer.open(ApplicationAccepted, sealed, event_id=EVENT) == data


def test_r_se_2_sealed_data_holds_no_clear_id_number_and_input_is_untouched(
    tmp_path: Path,
) -> None:
    sealer = Sealer.from_settings(settings_in(tmp_path))
    data = accepted_data()
    before = json.dumps(data)
    sealed = sealer.seal(ApplicationAccepted, data, event_id=EVENT)
    text = json.dumps(sealed, ensure_ascii=False)
    assert ID_1 not in text and ID_2 not in text
    assert ID_1[-8:] not in text
    assert json.dumps(data) == before  # seal never mutates its input
    opened = sealer.open(ApplicationAccepted, sealed, event_id=EVENT)
    assert json.dumps(sealed, ensure_ascii=False) == text  # nor does open
    assert opened is not sealed


def test_r_se_2_each_seal_differs_even_for_the_same_value(tmp_path: Path) -> None:
    sealer = Sealer.from_settings(settings_in(tmp_path))
    data = accepted_data()
    one = sealer.seal(ApplicationAccepted, data, event_id=EVENT)
    two = sealer.seal(ApplicationAccepted, data, event_id=EVENT)
    assert one["members"][0]["id_number"] != two["members"][0]["id_number"]


def test_r_se_2_a_sealed_value_moved_to_another_event_does_not_open(tmp_path: Path) -> None:
    sealer = Sealer.from_settings(settings_in(tmp_path))
    sealed = sealer.seal(ApplicationAccepted, accepted_data(), event_id=EVENT)
    with pytest.raises(SealError, match="another event or field"):
        sealer.open(ApplicationAccepted, sealed, event_id="01J00000000000000000000002")


def test_r_se_2_a_sealed_value_moved_to_another_field_does_not_open(tmp_path: Path) -> None:
    sealer = Sealer.from_settings(settings_in(tmp_path))
    sealed = sealer.seal(ApplicationAccepted, accepted_data(), event_id=EVENT)
    first, second = sealed["members"]
    swapped = {**sealed, "members": [{**first, "id_number": second["id_number"]},
                                     {**second, "id_number": first["id_number"]}]}
    with pytest.raises(SealError, match=r"members\.0\.id_number"):
        sealer.open(ApplicationAccepted, swapped, event_id=EVENT)


def replace_first_member_id(data: dict[str, Any], value: Any) -> dict[str, Any]:
    members = [{**data["members"][0], "id_number": value}, *data["members"][1:]]
    return {**data, "members": members}


def test_r_se_2_tampered_or_malformed_values_do_not_open(tmp_path: Path) -> None:
    sealer = Sealer.from_settings(settings_in(tmp_path))
    sealed = sealer.seal(ApplicationAccepted, accepted_data(), event_id=EVENT)
    token: str = sealed["members"][0]["id_number"]
    head, body = token.rsplit(":", 1)
    raw = bytearray(base64.urlsafe_b64decode(body))
    raw[-20] ^= 0x01
    tampered = f"{head}:{base64.urlsafe_b64encode(bytes(raw)).decode()}"
    bad = [
        tampered,
        f"{head}:{base64.urlsafe_b64encode(bytes(raw[:20])).decode()}",  # too short
        f"{head}:not base64!",
        token.replace("sealed:v1:", "sealed:v9:"),
        "sealed:v1:k1",
        "sealed:",
    ]
    for value in bad:
        with pytest.raises(SealError):
            sealer.open(ApplicationAccepted, replace_first_member_id(sealed, value),
                        event_id=EVENT)


def test_r_se_2_unsealed_values_pass_through_open_unchanged(tmp_path: Path) -> None:
    """Events stored before sealing existed still open: their values are left as they are."""
    sealer = Sealer.from_settings(settings_in(tmp_path))
    data = accepted_data()
    assert sealer.open(ApplicationAccepted, data, event_id=EVENT) == data
    partly = replace_first_member_id(
        sealer.seal(ApplicationAccepted, data, event_id=EVENT), ID_1)
    assert sealer.open(ApplicationAccepted, partly, event_id=EVENT) == data


def test_r_se_2_missing_and_none_values_are_skipped(tmp_path: Path) -> None:
    sealer = Sealer.from_settings(settings_in(tmp_path))
    data = accepted_data()
    for shaped in ({**data, "members": []}, {k: v for k, v in data.items() if k != "members"},
                   {**data, "members": None},
                   {**data, "members": [{**data["members"][0], "id_number": None}]},
                   {**data, "members": [{k: v for k, v in data["members"][0].items()
                                         if k != "id_number"}]}):
        sealed = sealer.seal(ApplicationAccepted, shaped, event_id=EVENT)
        assert sealed == shaped
        assert sealer.open(ApplicationAccepted, sealed, event_id=EVENT) == shaped


def test_r_se_2_contracts_without_personal_fields_are_copied_unchanged(tmp_path: Path) -> None:
    sealer = Sealer.from_settings(settings_in(tmp_path))
    data = {"members": [{"id_number": "230722********1234"}], "application_id": "a1"}
    sealed = sealer.seal(ApplicationSubmitted, data, event_id=EVENT)  # masked members
    assert sealed == data and sealed is not data


def test_r_se_2_a_personal_field_that_is_not_a_string_cannot_be_sealed(tmp_path: Path) -> None:
    sealer = Sealer.from_settings(settings_in(tmp_path))
    data = replace_first_member_id(accepted_data(), 230722196803120315)
    with pytest.raises(TypeError, match=r"members\.0\.id_number"):
        sealer.seal(ApplicationAccepted, data, event_id=EVENT)


def test_r_se_2_the_key_file_is_created_once_with_mode_600(tmp_path: Path) -> None:
    settings = settings_in(tmp_path / "data")
    first = Keyring.from_settings(settings)
    path = settings.event_keys_file
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    stored = json.loads(path.read_text())
    assert stored["current"] == "k1" and list(stored["keys"]) == ["k1"]
    assert len(base64.urlsafe_b64decode(stored["keys"]["k1"])) == 32
    again = Keyring.from_settings(settings)
    assert again.to_json() == first.to_json()
    assert [p.name for p in path.parent.iterdir()] == ["event-keys.json"]  # no temp file left
    assert "k1" in repr(first) and stored["keys"]["k1"] not in repr(first)


def test_r_se_2_after_rotation_new_seals_use_the_new_key_and_old_ones_still_open(
    tmp_path: Path,
) -> None:
    settings = settings_in(tmp_path)
    before = Sealer.from_settings(settings)
    old = before.seal(ApplicationAccepted, accepted_data(), event_id=EVENT)
    assert rotate_keys(settings) == "k2"
    after = Sealer.from_settings(settings)
    assert after.keyring.ids() == ["k1", "k2"] and after.keyring.current == "k2"
    new = after.seal(ApplicationAccepted, accepted_data(), event_id=EVENT)
    assert new["members"][0]["id_number"].startswith("sealed:v1:k2:")
    assert after.open(ApplicationAccepted, old, event_id=EVENT) == accepted_data()
    assert rotate_keys(settings) == "k3"
    assert stat.S_IMODE(settings.event_keys_file.stat().st_mode) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["event-keys.json"]


def test_r_se_2_rotating_without_a_key_file_creates_it(tmp_path: Path) -> None:
    settings = settings_in(tmp_path / "new")
    assert rotate_keys(settings) == "k1"
    assert Keyring.from_settings(settings, create=False).ids() == ["k1"]


def test_r_se_2_a_sealer_lacking_a_key_reloads_the_file_once_and_opens(tmp_path: Path) -> None:
    settings = settings_in(tmp_path)
    running = Sealer.from_settings(settings)  # started before the rotation
    rotate_keys(settings)
    restarted = Sealer.from_settings(settings)
    sealed = restarted.seal(ApplicationAccepted, accepted_data(), event_id=EVENT)
    assert running.keyring.ids() == ["k1"]
    assert running.open(ApplicationAccepted, sealed, event_id=EVENT) == accepted_data()
    assert running.keyring.ids() == ["k1", "k2"]
    assert running.keyring.current == "k2"  # and seals with the new key from now on


def test_r_se_2_an_unknown_key_id_fails_after_exactly_one_reload(tmp_path: Path) -> None:
    settings = settings_in(tmp_path)
    sealer = Sealer.from_settings(settings)
    sealed = sealer.seal(ApplicationAccepted, accepted_data(), event_id=EVENT)
    other_dir = tmp_path / "other"
    reloads: list[int] = []

    def reload() -> Keyring:
        reloads.append(1)
        return Keyring.from_settings(settings_in(other_dir))  # a keyring without this k1

    stranger = Sealer(Keyring.from_settings(settings_in(other_dir)), reload=reload)
    with pytest.raises(SealError, match="another event or field|unknown key id"):
        stranger.open(ApplicationAccepted, sealed, event_id=EVENT)
    relabelled = replace_first_member_id(
        sealed, sealed["members"][0]["id_number"].replace(":k1:", ":k7:"))
    relabelled["members"][1]["id_number"] = relabelled["members"][0]["id_number"]
    with pytest.raises(SealError, match="unknown key id 'k7'"):
        stranger.open(ApplicationAccepted, relabelled, event_id=EVENT)
    assert len(reloads) == 1  # two values of the unknown k7: one reload


def test_r_se_2_reloading_never_creates_a_new_key_file(tmp_path: Path) -> None:
    settings = settings_in(tmp_path)
    sealer = Sealer.from_settings(settings)
    sealed = sealer.seal(ApplicationAccepted, accepted_data(), event_id=EVENT)
    relabelled = replace_first_member_id(
        sealed, sealed["members"][0]["id_number"].replace(":k1:", ":k2:"))
    settings.event_keys_file.unlink()
    with pytest.raises(KeyringError, match="no such file"):
        sealer.open(ApplicationAccepted, relabelled, event_id=EVENT)
    assert not settings.event_keys_file.exists()


@pytest.mark.parametrize("round_", range(5))
def test_r_se_2_keyrings_created_at_once_in_threads_share_one_key(
    tmp_path: Path, round_: int,
) -> None:
    settings = settings_in(tmp_path / "data")
    barrier = threading.Barrier(8)
    found: list[str] = []

    def start() -> None:
        barrier.wait()
        found.append(Keyring.from_settings(settings).to_json())

    threads = [threading.Thread(target=start) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(found) == 8 and len(set(found)) == 1
    assert found[0] == settings.event_keys_file.read_text()


def _keyring_in_process(data_dir: str, barrier: Any, results: Any) -> None:
    os.environ.pop("ASSIST_EVENT_KEYS", None)
    settings = Settings(service="intake", data_dir=Path(data_dir))
    barrier.wait()
    results.put(Keyring.from_settings(settings).to_json())


@pytest.mark.slow
def test_r_se_2_services_starting_at_once_end_up_with_the_same_key(tmp_path: Path) -> None:
    ctx = multiprocessing.get_context("spawn")
    n = 4
    barrier, results = ctx.Barrier(n), ctx.Queue()
    procs = [ctx.Process(target=_keyring_in_process, args=(str(tmp_path / "data"), barrier,
                                                           results)) for _ in range(n)]
    for p in procs:
        p.start()
    found = [results.get(timeout=60) for _ in range(n)]
    for p in procs:
        p.join(timeout=30)
        assert p.exitcode == 0
    assert len(set(found)) == 1
    assert found[0] == (tmp_path / "data" / "event-keys.json").read_text()


def test_r_se_2_event_keys_setting_wins_over_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    file_sealer = Sealer.from_settings(settings_in(tmp_path))
    assert (tmp_path / "event-keys.json").exists()
    monkeypatch.setenv("ASSIST_EVENT_KEYS", keys_json(e1=b"\x01" * 32, e2=b"\x02" * 32))
    settings = settings_in(tmp_path)
    env_sealer = Sealer.from_settings(settings)
    assert env_sealer.keyring.ids() == ["e1", "e2"] and env_sealer.keyring.current == "e2"
    assert env_sealer.keyring.source == "ASSIST_EVENT_KEYS"
    sealed = env_sealer.seal(ApplicationAccepted, accepted_data(), event_id=EVENT)
    assert sealed["members"][0]["id_number"].startswith("sealed:v1:e2:")
    with pytest.raises(SealError, match="unknown key id 'e2'"):
        file_sealer.open(ApplicationAccepted, sealed, event_id=EVENT)
    with pytest.raises(KeyringError, match="ASSIST_EVENT_KEYS"):
        rotate_keys(settings)
    given = settings_in(tmp_path / "empty", event_keys=keys_json(x=b"\x03" * 32))
    assert Keyring.from_settings(given).current == "x"
    assert not (tmp_path / "empty").exists()  # no file made when the setting gives the keys


@pytest.mark.parametrize(
    "text",
    [
        "not json",
        "[]",
        '{"current": "k1", "keys": {}}',
        '{"current": "k2", "keys": {"k1": "' + "A" * 43 + '="}}',
        '{"current": "k1", "keys": {"k1": "c2hvcnQ="}}',
        '{"current": "k1", "keys": {"k1": "not base64 at all!!"}}',
        '{"current": "k:1", "keys": {"k:1": "' + "A" * 43 + '="}}',
        '{"current": "k1", "keys": {"k1": 5}}',
    ],
)
def test_r_se_2_malformed_keys_are_refused(text: str) -> None:
    with pytest.raises(KeyringError):
        Keyring.from_json(text, source="test")


def test_r_se_2_keys_are_accepted_with_or_without_base64_padding() -> None:
    key = base64.urlsafe_b64encode(b"\x07" * 32).decode()
    for encoded in (key, key.rstrip("=")):
        ring = Keyring.from_json(json.dumps({"current": "k1", "keys": {"k1": encoded}}),
                                 source="test")
        assert ring.ids() == ["k1"]


def test_r_se_2_is_sealed() -> None:
    assert is_sealed("sealed:v1:k1:AAAA")
    assert is_sealed("sealed:v2:whatever")
    assert not is_sealed(ID_1)
    assert not is_sealed(None)
    assert not is_sealed(b"sealed:v1:k1:AAAA")


def test_r_se_2_a_keyring_asked_for_a_key_it_lacks_is_read_again(tmp_path: Path) -> None:
    """A key made by a rotation on another replica (a data file loaded under it, say) is
    found by reading the keys again; a key nobody made is a KeyError."""
    settings = settings_in(tmp_path)
    running = Sealer.from_settings(settings)  # started before the rotation
    assert running.keyring_having("k1") is running.keyring
    rotate_keys(settings)
    assert running.keyring_having("k2").ids() == ["k1", "k2"]
    assert running.keyring.ids() == ["k1", "k2"]
    with pytest.raises(KeyError, match="no key 'k9'"):
        running.keyring_having("k9")
