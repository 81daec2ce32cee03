"""R-SE-2: the keyed digests' keys (shared.digests.digest_keys), derived once per keyring and
purpose, and derived again for the keyring a rotation makes.

Real keys and real HKDF in temporary data folders; nothing is mocked.
"""

from __future__ import annotations

import gc
import weakref
from datetime import date
from pathlib import Path

import pytest

from shared.contracts.intake import ApplicationAccepted
from shared.digests import digest_keys, id_digests
from shared.sealing import Keyring, Sealer, rotate_keys
from shared.settings import Settings
from tests.unit.shared.test_sealing import EVENT, accepted_data
from tools.demo import demo_id_number

ID = demo_id_number("230722", date(1968, 3, 12), 31)
PURPOSE = "near-relative-id-digest"


@pytest.fixture(autouse=True)
def _no_keys_in_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ASSIST_EVENT_KEYS", raising=False)


def derived(keyring: Keyring, purpose: str) -> dict[str, bytes]:
    """The keys as derived afresh, without the cache."""
    return {kid: keyring.derived_key(purpose, kid)[1] for kid in keyring.ids()}


def test_r_se_2_digest_keys_are_derived_once_per_keyring_and_purpose() -> None:
    keyring = Keyring.generate().with_new_key()
    keys = digest_keys(keyring, PURPOSE)
    assert dict(keys) == derived(keyring, PURPOSE) and list(keys) == ["k1", "k2"]
    assert digest_keys(keyring, PURPOSE) is keys  # cached
    other = digest_keys(keyring, "complaint-check-code")
    assert dict(other) == derived(keyring, "complaint-check-code")
    assert set(other.values()).isdisjoint(keys.values())  # a purpose matches nothing of another
    same_keys = Keyring.from_json(keyring.to_json(), source="copy")
    assert dict(digest_keys(same_keys, PURPOSE)) == dict(keys)  # the same keys, the same digests
    with pytest.raises(TypeError):
        keys["k3"] = b"x" * 32  # type: ignore[index]  # shared: nobody may change it


def test_r_se_2_a_rotated_keyring_gets_the_new_key_set() -> None:
    """A rotation makes a new keyring: its digest keys include the new key, and the old
    keyring's stay as they were (an ID number filed under either is matched under both)."""
    old = Keyring.generate()
    before = digest_keys(old, PURPOSE)
    new = old.with_new_key()
    after = digest_keys(new, PURPOSE)
    assert list(before) == ["k1"] and list(after) == ["k1", "k2"]
    assert after["k1"] == before["k1"] and dict(after) == derived(new, PURPOSE)
    assert id_digests(after, ID)["k1"] == id_digests(before, ID)["k1"]
    assert list(digest_keys(old, PURPOSE)) == ["k1"]


def test_r_se_2_a_sealer_reloading_its_rotated_file_digests_with_the_new_key(
    tmp_path: Path,
) -> None:
    """A running service's sealer reloads the key file when an event names a key it lacks
    (``rotate_keys`` then a restarted service's event): the digests then use the new key too."""
    settings = Settings(service="approval", data_dir=tmp_path)
    running = Sealer.from_settings(settings)
    assert list(digest_keys(running.keyring, PURPOSE)) == ["k1"]
    rotate_keys(settings)
    restarted = Sealer.from_settings(settings)
    sealed = restarted.seal(ApplicationAccepted, accepted_data(), event_id=EVENT)
    running.open(ApplicationAccepted, sealed, event_id=EVENT)  # reloads the file
    keys = digest_keys(running.keyring, PURPOSE)
    assert list(keys) == ["k1", "k2"]
    assert dict(keys) == dict(digest_keys(restarted.keyring, PURPOSE))


def test_r_se_2_a_keyring_no_longer_used_is_not_kept_by_the_cache() -> None:
    """The cache holds its keyrings weakly: a keyring replaced by a reload goes, keys and all."""
    keyring = Keyring.generate()
    digest_keys(keyring, PURPOSE)
    gone = weakref.ref(keyring)
    del keyring
    gc.collect()
    assert gone() is None
