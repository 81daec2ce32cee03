"""Uploaded files kept by their SHA-256 (evidence, signed authorisations): what may be uploaded,
checked by its declared type and its first bytes, and a folder that stores each file once.

A file is written to a temporary name beside its place, flushed to disk and renamed into place,
so a file is either whole or absent; the same content uploaded twice is stored once. A file
whose upload is rolled back stays (it is only ever found through a record): harmless, and a
retry of the upload finds it in place.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import os
import tempfile
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO
from urllib.parse import quote

from fastapi.responses import StreamingResponse

from shared.problems import InvalidField, Problem

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


class FileStore:
    """A folder holding each uploaded file once under its SHA-256 (see the module)."""

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


def download(path: Path, *, media_type: str, size: int, sha256: str, filename: str
             ) -> StreamingResponse:
    """A stored file (``FileStore.verified``) streamed as an attachment: its type and length,
    its name made safe (:func:`safe_filename`, RFC 6266 ``filename*``), its SHA-256 as
    ``Repr-Digest`` (RFC 9530), never cached (personal data) nor sniffed."""
    digest = base64.b64encode(bytes.fromhex(sha256)).decode()
    return StreamingResponse(chunks(path), media_type=media_type, headers={
        "Content-Length": str(size),
        "Content-Disposition": f"attachment; filename*=UTF-8''{quote(safe_filename(filename))}",
        "Repr-Digest": f"sha-256=:{digest}:",
        "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff",
    })


# --- what may be uploaded ----------------------------------------------------------------------

SCANS: dict[str, tuple[bytes, ...]] = {
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/webp": (b"RIFF",),
    "application/pdf": (b"%PDF-",),
}
"""Photos and scans, each with how its bytes begin."""
MAX_FILENAME = 200


class UploadTooLarge(Problem):
    status, slug, title = 413, "content-too-large", "Content too large"


class UnsupportedMediaType(Problem):
    status, slug, title = 415, "unsupported-media-type", "Unsupported media type"


def check_media_type(media_type: str | None, accepted: Mapping[str, tuple[bytes, ...]] = SCANS,
                     *, what: str = "files") -> str:
    """The declared type, if it is one of ``accepted``; else 415 naming them."""
    base = (media_type or "").split(";")[0].strip().lower()
    if base not in accepted:
        raise UnsupportedMediaType(
            f"{what} are {', '.join(sorted(accepted))}; not {base or 'untyped'}",
            accepted=sorted(accepted))
    return base


def content_matches(media_type: str, head: bytes) -> bool:
    """The file's first bytes are those of its declared type (a PNG begins ``\\x89PNG``...)."""
    if media_type == "image/webp":
        return head[:4] == b"RIFF" and head[8:12] == b"WEBP"
    return any(head.startswith(magic) for magic in SCANS.get(media_type, ()))


def safe_filename(name: str | None) -> str:
    """The file's own name, without any folder, control or bidi characters, at most 200
    characters; ``file`` when nothing is left."""
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    base = unicodedata.normalize("NFC", base)
    kept = "".join(c for c in base if unicodedata.category(c)[0] != "C").strip().strip(".")
    return kept[-MAX_FILENAME:] or "file"


async def receive(store: FileStore, source: BinaryIO, *, media_type: str | None,
                  accepted: Mapping[str, tuple[bytes, ...]] = SCANS, max_bytes: int,
                  what: str = "files") -> tuple[str, Stored]:
    """Store an upload after its checks: 415 for a type not ``accepted``, 413 past
    ``max_bytes`` (``ASSIST_MAX_UPLOAD_BYTES``), 422 for an empty file or one whose bytes are not
    of its declared type. The declared type and what was stored."""
    media_type = check_media_type(media_type, accepted, what=what)
    try:
        stored = await store.save(source, max_bytes=max_bytes)
    except TooLarge as exc:
        raise UploadTooLarge(f"the file is larger than this installation accepts "
                             f"({exc.limit} bytes, ASSIST_MAX_UPLOAD_BYTES)",
                             max_bytes=exc.limit) from None
    if stored.size == 0:
        raise InvalidField("file", "is empty")
    if not content_matches(media_type, stored.head):
        raise InvalidField("file", f"is not a {media_type} file: its bytes are of another type")
    return media_type, stored
