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
