"""R-SE-2: a stored upload (evidence, a proxy's signed authorisation) is downloaded as an
attachment under a safe name, with its SHA-256, never cached (``shared.uploads.download``)."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import io
from pathlib import Path

from fastapi.responses import StreamingResponse

from shared.uploads import CHUNK, FileStore, download

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * (CHUNK + 10)  # more than one chunk


async def _body(response: StreamingResponse) -> bytes:
    chunks = [chunk async for chunk in response.body_iterator]
    assert all(isinstance(chunk, bytes) for chunk in chunks)
    return b"".join(chunk for chunk in chunks if isinstance(chunk, bytes))


def test_r_se_2_a_stored_file_streams_whole_with_its_type_length_and_digest(tmp_path: Path
                                                                            ) -> None:
    store = FileStore(tmp_path)
    stored = asyncio.run(store.save(io.BytesIO(PNG), max_bytes=len(PNG)))
    path = asyncio.run(store.verified(stored.sha256, stored.size))
    response = download(path, media_type="image/png", size=stored.size, sha256=stored.sha256,
                        filename="户口本 第1页.png")
    assert asyncio.run(_body(response)) == PNG
    headers = response.headers
    assert headers["content-type"] == "image/png"
    assert headers["content-length"] == str(len(PNG))
    digest = base64.b64encode(hashlib.sha256(PNG).digest()).decode()
    assert headers["repr-digest"] == f"sha-256=:{digest}:"
    assert headers["cache-control"] == "no-store"
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["content-disposition"] == (
        "attachment; filename*=UTF-8''%E6%88%B7%E5%8F%A3%E6%9C%AC%20%E7%AC%AC1%E9%A1%B5.png")


def test_r_se_2_the_downloaded_name_carries_no_folder_quote_or_control_character(
        tmp_path: Path) -> None:
    path = tmp_path / "f"
    path.write_bytes(b"%PDF-1.4")
    sha256 = hashlib.sha256(b"%PDF-1.4").hexdigest()
    response = download(path, media_type="application/pdf", size=8, sha256=sha256,
                        filename='..\\..\\etc/a"b\r\nSet-Cookie: x.pdf')
    disposition = response.headers["content-disposition"]
    assert disposition == "attachment; filename*=UTF-8''a%22bSet-Cookie%3A%20x.pdf"
    assert "\r" not in disposition and "\n" not in disposition and "/" not in disposition
