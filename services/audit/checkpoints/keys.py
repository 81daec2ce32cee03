"""The log's signing key (Ed25519): given (ASSIST_AUDIT_SIGNING_KEY, a PEM or the path of one),
else generated into the data folder on first start, readable by the service's user only."""

from __future__ import annotations

import os
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from shared.settings import Settings

KEY_FILE = "audit-signing-key.pem"


def key_path(settings: Settings) -> Path:
    """Where the generated key is kept: ``<data_dir>/audit-signing-key.pem``."""
    return settings.data_dir / KEY_FILE


def _load(pem: bytes) -> Ed25519PrivateKey:
    key = serialization.load_pem_private_key(pem, password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError("the audit signing key is not an Ed25519 private key")
    return key


def signing_key(settings: Settings) -> Ed25519PrivateKey:
    """The key checkpoints are signed with: the one given, else the data folder's, made once
    (mode 0600, created exclusively so two processes starting together keep one)."""
    given = settings.audit_signing_key
    if given:
        text = given.strip()
        return _load(text.encode() if text.startswith("-----BEGIN") else Path(text).read_bytes())
    path = key_path(settings)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        pem = Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption())
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "wb") as out:
                out.write(pem)
    return _load(path.read_bytes())


def public_pem(key: Ed25519PublicKey) -> str:
    return key.public_bytes(serialization.Encoding.PEM,
                            serialization.PublicFormat.SubjectPublicKeyInfo).decode("ascii")
