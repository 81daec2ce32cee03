"""R-AU-2: the log's checkpoint key — generated once into the data folder, readable by the
service's user only, or given as a PEM or a path; never anything but Ed25519."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ec import SECP256R1, generate_private_key
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from services.audit.checkpoints.keys import key_path, public_pem, signing_key
from shared.settings import Settings


def raw(key: Ed25519PrivateKey) -> bytes:
    return key.public_key().public_bytes(serialization.Encoding.Raw,
                                         serialization.PublicFormat.Raw)


def pem_of(key: object) -> str:
    return key.private_bytes(serialization.Encoding.PEM,  # type: ignore[attr-defined]
                             serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption()).decode()


def test_r_au_2_the_key_is_generated_once_into_the_data_folder(tmp_path: Path) -> None:
    """R-AU-2: first start makes <data_dir>/audit-signing-key.pem, mode 0600; later starts
    read the same key."""
    settings = Settings(service="audit", data_dir=tmp_path / "data")
    first = signing_key(settings)
    path = key_path(settings)
    assert path == tmp_path / "data" / "audit-signing-key.pem"
    assert path.stat().st_mode & 0o777 == 0o600
    assert raw(signing_key(settings)) == raw(first)
    assert public_pem(first.public_key()).startswith("-----BEGIN PUBLIC KEY-----")


def test_r_au_2_a_given_key_is_used_as_pem_or_path(tmp_path: Path) -> None:
    """R-AU-2: ASSIST_AUDIT_SIGNING_KEY as the PEM itself or the path of one; nothing is
    generated then."""
    key = Ed25519PrivateKey.generate()
    given = Settings(service="audit", data_dir=tmp_path, audit_signing_key=pem_of(key))
    assert raw(signing_key(given)) == raw(key)
    (tmp_path / "k.pem").write_text(pem_of(key))
    by_path = Settings(service="audit", data_dir=tmp_path,
                       audit_signing_key=str(tmp_path / "k.pem"))
    assert raw(signing_key(by_path)) == raw(key)
    assert not key_path(given).exists()


def test_r_au_2_a_key_of_another_kind_is_refused(tmp_path: Path) -> None:
    """R-AU-2: an ECDSA key given by mistake stops the start rather than signing otherwise."""
    settings = Settings(service="audit", data_dir=tmp_path,
                        audit_signing_key=pem_of(generate_private_key(SECP256R1())))
    with pytest.raises(ValueError, match="Ed25519"):
        signing_key(settings)


def test_r_au_2_rotate_retires_the_key_and_keeps_its_public_half(tmp_path: Path) -> None:
    """R-AU-2: a rotation writes a fresh key (0600) in place of the old, whose verifier key is
    listed with the time it was retired (the next whole second: checkpoints carry seconds);
    the log's keys, read again as their files change, verify what each signed in its time."""
    from datetime import UTC, datetime

    from services.audit.checkpoints.keys import (
        KeyFiles,
        log_keys,
        retired_path,
        rotate_signing_key,
    )
    from shared.transparency import Checkpoint, CheckpointError, sign_checkpoint

    settings = Settings(service="audit", data_dir=tmp_path)
    files = KeyFiles(settings)
    old = files.signing_key()
    assert files.retired() == ()
    at = datetime(2026, 12, 7, 6, 0, 0, 250_000, tzinfo=UTC)
    retired, fresh = rotate_signing_key(settings, now=at)
    assert retired.retired_at == datetime(2026, 12, 7, 6, 0, 1, tzinfo=UTC)
    assert key_path(settings).stat().st_mode & 0o777 == 0o600
    assert raw(files.signing_key()) == raw(fresh) != raw(old)  # read again, no restart
    assert [raw_public(k.public_key) for k in files.retired()] == [raw(old)]
    assert retired.line() in retired_path(settings).read_text()

    keys = log_keys(settings)
    origin = keys.origin

    def signed(key: Ed25519PrivateKey, second: int) -> str:
        return sign_checkpoint(Checkpoint(origin, 1, bytes(32), at.replace(
            second=second, microsecond=0)), key)

    assert keys.check(signed(old, 1)).tree_size == 1  # the second it was retired in
    assert keys.check(signed(fresh, 2)).tree_size == 1
    with pytest.raises(CheckpointError, match="retired at"):
        keys.check(signed(old, 2))

    rotate_signing_key(settings, now=at.replace(minute=5))
    assert len(log_keys(settings).retired) == 2
    assert log_keys(settings).check(signed(fresh, 2)).tree_size == 1  # retired since, later


def raw_public(key: object) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw,  # type: ignore[attr-defined]
                            serialization.PublicFormat.Raw)


def test_r_au_2_given_keys_are_rotated_where_they_are_kept(tmp_path: Path) -> None:
    """R-AU-2: with the key or the retired keys given in the settings, or no key yet, rotate
    refuses and changes nothing; retired keys given as lines or a file's path are read, and a
    line that cannot be read is named."""
    from services.audit.checkpoints.keys import retired_keys, rotate_signing_key
    from shared.transparency import verifier_key

    key = Ed25519PrivateKey.generate()
    with pytest.raises(ValueError, match="no signing key"):
        rotate_signing_key(Settings(service="audit", data_dir=tmp_path))
    given = Settings(service="audit", data_dir=tmp_path, audit_signing_key=pem_of(key))
    with pytest.raises(ValueError, match="ASSIST_AUDIT_SIGNING_KEY"):
        rotate_signing_key(given)
    assert list(tmp_path.iterdir()) == []
    line = f"{verifier_key('assist/230722/audit', key.public_key())} 2026-12-07T06:00:00Z"
    as_lines = Settings(service="audit", data_dir=tmp_path, audit_retired_keys=line + "\n")
    assert [raw_public(k.public_key) for k in retired_keys(as_lines)] == [raw(key)]
    (tmp_path / "retired.txt").write_text(f"# kept apart\n{line}\n")
    by_path = Settings(service="audit", data_dir=tmp_path,
                       audit_retired_keys=str(tmp_path / "retired.txt"))
    assert len(retired_keys(by_path)) == 1
    with pytest.raises(ValueError, match="ASSIST_AUDIT_RETIRED_KEYS"):
        rotate_signing_key(by_path)
    (tmp_path / "audit-retired-keys.txt").write_text(line.split()[0] + "\n")  # no time
    with pytest.raises(ValueError, match="time retired"):
        retired_keys(Settings(service="audit", data_dir=tmp_path))
