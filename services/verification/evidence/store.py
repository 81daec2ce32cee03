"""Where evidence files live: a folder (``ASSIST_EVIDENCE_DIR``, by default
``<data_dir>/evidence/<service>``) holding each file once under its SHA-256.

A file is written to a temporary name beside its place, flushed to disk and renamed into place,
so a file is either whole or absent; the same content uploaded twice is stored once. A file
whose upload is rolled back stays (it is only ever found through a record): harmless, and a
retry of the upload finds it in place.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

CHUNK = 1024 * 1024
HEAD = 64
"""Bytes kept from the start of a file to tell its type by."""


class TooLarge(Exception):
    def __init__(self, limit: int) -> None:
        super().__init__(f"larger than {limit} bytes")
        self.limit = limit


class Damaged(Exception):
    """The stored file is missing or no longer matches its SHA-256."""


@dataclass(frozen=True)
class Stored:
    sha256: str
    size: int
    head: bytes


class EvidenceStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    def path_of(self, sha256: str) -> Path:
        return self.root / sha256[:2] / sha256

    async def save(self, source: BinaryIO, *, max_bytes: int) -> Stored:
        """Copy ``source`` into the store, hashing it; ``TooLarge`` past ``max_bytes``."""
        return await asyncio.to_thread(self._save, source, max_bytes)

    def _save(self, source: BinaryIO, max_bytes: int) -> Stored:
        self.root.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        size, head = 0, b""
        fd, temporary = tempfile.mkstemp(dir=self.root, prefix=".upload-")
        try:
            with os.fdopen(fd, "wb") as out:
                while chunk := source.read(CHUNK):
                    size += len(chunk)
                    if size > max_bytes:
                        raise TooLarge(max_bytes)
                    if len(head) < HEAD:
                        head += chunk[:HEAD - len(head)]
                    digest.update(chunk)
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            sha256 = digest.hexdigest()
            final = self.path_of(sha256)
            final.parent.mkdir(parents=True, exist_ok=True)
            os.replace(temporary, final)  # the same content twice: the same bytes in place
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        return Stored(sha256=sha256, size=size, head=head)

    async def verified(self, sha256: str, size: int) -> Path:
        """The stored file, checked against its SHA-256 and size; ``Damaged`` otherwise."""
        return await asyncio.to_thread(self._verified, sha256, size)

    def _verified(self, sha256: str, size: int) -> Path:
        path = self.path_of(sha256)
        digest = hashlib.sha256()
        try:
            with path.open("rb") as f:
                while chunk := f.read(CHUNK):
                    digest.update(chunk)
            actual = path.stat().st_size
        except FileNotFoundError:
            raise Damaged(f"the stored file {sha256} is missing") from None
        if digest.hexdigest() != sha256 or actual != size:
            raise Damaged(f"the stored file {sha256} no longer matches its SHA-256")
        return path


def chunks(path: Path) -> Iterator[bytes]:
    """The file's bytes, a chunk at a time (for a streamed download)."""
    with path.open("rb") as f:
        while chunk := f.read(CHUNK):
            yield chunk
