"""R-AU-2: signed checkpoints (C2SP signed note, Ed25519): one text for one checkpoint, the
signature checked with the public key alone, any change to the text refused."""

from __future__ import annotations

import base64
from datetime import UTC, datetime

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from shared.transparency import (
    Checkpoint,
    CheckpointError,
    SignatureBroken,
    load_key_file,
    parse_checkpoint,
    root_of_data,
    sign_checkpoint,
    verifier_key,
    verify_checkpoint,
    verify_checkpoint_with,
)

KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
ROOT = root_of_data([b"a", b"b", b"c"])
AT = datetime(2026, 12, 6, 0, 15, tzinfo=UTC)
CHECKPOINT = Checkpoint("assist/230722/audit", 3, ROOT, AT)


def test_r_au_2_checkpoint_text_is_canonical() -> None:
    """R-AU-2: origin, size, base64 root and timestamp, a blank line, the signature line."""
    note = sign_checkpoint(CHECKPOINT, KEY)
    lines = note.split("\n")
    assert lines[:5] == ["assist/230722/audit", "3", base64.b64encode(ROOT).decode(),
                         "timestamp 2026-12-06T00:15:00Z", ""]
    assert lines[5].startswith("\u2014 assist/230722/audit ") and lines[6] == ""
    assert sign_checkpoint(CHECKPOINT, KEY) == note  # Ed25519 is deterministic


@pytest.mark.parametrize("form", ["object", "raw", "pem", "vkey"])
def test_r_au_2_checkpoint_verifies_with_the_public_key(form: str) -> None:
    """R-AU-2: the public key as a key, 32 raw bytes, PEM or a signed-note verifier key."""
    public = KEY.public_key()
    keys: dict[str, Ed25519PublicKey | bytes | str] = {
        "object": public,
        "raw": public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw),
        "pem": public.public_bytes(serialization.Encoding.PEM,
                                   serialization.PublicFormat.SubjectPublicKeyInfo).decode(),
        "vkey": verifier_key("assist/230722/audit", public)}
    key = keys[form]
    note = sign_checkpoint(CHECKPOINT, KEY)
    assert verify_checkpoint(note, key) == CHECKPOINT
    assert verify_checkpoint(note.encode(), key) == CHECKPOINT


def test_r_au_2_a_cosignature_line_is_kept_beside_ours() -> None:
    """R-AU-2: a witness's signature line after ours does not stop the check."""
    witness = Ed25519PrivateKey.generate()
    note = sign_checkpoint(CHECKPOINT, KEY)
    stamp = base64.b64encode(b"wxyz" + witness.sign(b"x")).decode()
    assert verify_checkpoint(note + f"\u2014 witness.example {stamp}\n",
                             KEY.public_key()) == CHECKPOINT


def test_r_au_2_a_changed_checkpoint_is_refused() -> None:
    """R-AU-2: another size, root or time, another key, a missing or bit-flipped signature:
    refused."""
    note = sign_checkpoint(CHECKPOINT, KEY)
    public = KEY.public_key()
    changed = [
        note.replace("\n3\n", "\n4\n", 1),
        note.replace("00:15:00Z", "00:15:01Z"),
        note.replace(base64.b64encode(ROOT).decode(),
                     base64.b64encode(root_of_data([b"a", b"b", b"d"])).decode()),
        note.replace("assist/230722/audit\n", "assist/230723/audit\n", 1),
        note.split("\n\n")[0] + "\n\n",
        note.split("\n\n")[0] + "\n",
        note.replace("\n\n", "\nextra line\n\n"),
    ]
    line = note.split("\n")[5]
    raw = bytearray(base64.b64decode(line.split(" ")[2]))
    raw[10] ^= 1
    changed.append(note.replace(line.split(" ")[2], base64.b64encode(bytes(raw)).decode()))
    for text in changed:
        with pytest.raises(CheckpointError):
            verify_checkpoint(text, public)
    with pytest.raises(CheckpointError):
        verify_checkpoint(note, Ed25519PrivateKey.generate().public_key())
    with pytest.raises(CheckpointError):
        verify_checkpoint(note, verifier_key("someone.else", public))


def test_r_au_2_malformed_checkpoints_are_refused() -> None:
    """R-AU-2: a non-canonical size or root, a missing timestamp, a bad origin: refused."""
    for text in ("", "assist\n03\nAAAA\ntimestamp x\n\n\u2014 a b\n",
                 "assist\n3\n!!!\ntimestamp 2026-12-06T00:15:00Z\n\n\u2014 a AAAAAAAA\n",
                 "assist\n3\n" + base64.b64encode(ROOT).decode() + "\n\n\u2014 a AAAAAAAA\n"):
        with pytest.raises(CheckpointError):
            parse_checkpoint(text)
    with pytest.raises(CheckpointError):
        Checkpoint("has space", 1, ROOT, AT)
    with pytest.raises(CheckpointError):
        Checkpoint("origin", 1, b"short", AT)


OTHER = Ed25519PrivateKey.from_private_bytes(bytes(range(1, 33)))
"""The log's key after a rotation, in the tests below (KEY being the retired one)."""


def test_r_au_2_a_rotated_log_is_checked_with_its_keys_each_for_its_time() -> None:
    """R-AU-2: a key file of the log's verifier keys, a retired one followed by the time it
    was retired: a checkpoint verifies under the key that signed it, a retired one only for
    what it signed until then; a key file of anything else is refused, naming the line."""
    name = CHECKPOINT.origin
    text = (f"# the log's keys\n{verifier_key(name, OTHER.public_key())}\n\n"
            f"{verifier_key(name, KEY.public_key())} 2026-12-06T00:15:00Z\n")
    keys = load_key_file(text)
    assert [k.retired_at for k in keys] == [None, AT]
    before = sign_checkpoint(CHECKPOINT, KEY)  # at AT: the moment it was retired
    after = sign_checkpoint(Checkpoint(name, 4, ROOT, AT.replace(minute=16)), KEY)
    current = sign_checkpoint(Checkpoint(name, 4, ROOT, AT.replace(minute=16)), OTHER)
    assert verify_checkpoint_with(before, keys).tree_size == 3
    assert verify_checkpoint_with(current, keys).tree_size == 4
    with pytest.raises(CheckpointError, match="retired at"):
        verify_checkpoint_with(after, keys)
    stranger = Ed25519PrivateKey.generate()
    with pytest.raises(CheckpointError, match="2 keys"):
        verify_checkpoint_with(sign_checkpoint(CHECKPOINT, stranger), keys)
    forged = current.replace("\n4\n", "\n5\n")
    with pytest.raises(SignatureBroken):
        verify_checkpoint_with(forged, keys)
    pem = KEY.public_key().public_bytes(serialization.Encoding.PEM,
                                        serialization.PublicFormat.SubjectPublicKeyInfo)
    [single] = load_key_file(pem.decode())
    assert verify_checkpoint_with(before, [single]).tree_size == 3
    for bad, says in ((f"{verifier_key(name, KEY.public_key())} yesterday\n", "line 1"),
                      (f"x\n{verifier_key(name, KEY.public_key())} 2026-12-06T00:15:00\n",
                       "line 1"),
                      (f"{verifier_key(name, KEY.public_key())} 2026-12-06T00:15:00\n",
                       "no zone"),
                      ("# nothing\n", "no public key")):
        with pytest.raises(CheckpointError, match=says):
            load_key_file(bad)
