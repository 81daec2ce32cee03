"""Idempotency-Key: a POST retried with the same key gets the first answer, never a second effect.

Other government systems retry when an answer does not come; they must never create twice. A
POST that creates something declares ``dependencies=[Idempotent]`` (``shared.service``); a
caller may then send ``Idempotency-Key`` (1–255 printable ASCII characters, the caller's own
choice, e.g. a UUID). Keys are the caller's (the token's ``sub``): two callers never meet in one.

How, in one transaction (nothing is ever half done):

1. ``IdempotencyMiddleware`` (the kit's innermost middleware) sees a POST with the header and
   opens a :class:`PendingAnswer` for it (a context variable).
2. The route's ``Idempotent`` dependency runs after the caller is known and before the endpoint:
   it *claims* the key in the request's own unit of work, first statement of its transaction:
   ``INSERT … ON CONFLICT DO UPDATE … WHERE expired``. A key already answered (and not
   expired) is not claimed: the same request (hash of method, path with query, and body) is
   answered from the stored answer (:class:`Replay`, with ``Idempotent-Replayed: true``) without
   running the endpoint; another request is refused, 422 ``idempotency-key-reused``.
3. When the endpoint succeeded, the unit of work does not commit at once: it hands its session
   to the middleware, which takes the response the application sends (status, headers such as
   ``Location``, body) into the claimed row and only then commits, effect, events, key and
   answer together, and only then lets the response go. A failed commit is a 500, as before.

Two requests with one key at the same moment: on PostgreSQL the second's claim waits on the
first's uncommitted row; when the first commits, the second finds it answered and replays it
(had the first rolled back, the second would run). On SQLite every transaction holds the write
lock, so the second begins only after the first committed, and replays it.

A crash (or a lost connection) at any point leaves one of two states: nothing committed (the
retry runs as if first), or everything committed with the answer (the retry gets that answer).
There is no third, "claimed but not answered", state for a retry to meet. Requests refused
(4xx) or failed (5xx) changed nothing and store nothing: their retry simply runs again.

Answers are kept ``ASSIST_IDEMPOTENCY_TTL_H`` hours (24); after that a key may be used afresh.
A sweeper deletes expired keys every so often, in small batches.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Annotated

import structlog
from fastapi import Header, Request
from fastapi.responses import Response
from sqlalchemy import (
    Column,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    delete,
    select,
    tuple_,
    update,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.db import UTCDateTime, utcnow
from shared.problems import INTERNAL_ERROR, InvalidField, send_problem
from shared.tasks import stop_task

log = structlog.get_logger(__name__)

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
KEY_PATTERN = r"^[\x21-\x7E]([\x20-\x7E]{0,253}[\x21-\x7E])?$"
"""1–255 printable ASCII characters, no space at either end."""
MAX_CALLER = 200
SWEEP_BATCH = 1000
SWEEP_INTERVAL_S = 3600.0
_NOT_STORED = frozenset({b"content-length", b"x-request-id", b"x-correlation-id"})

KEY_DESCRIPTION = (
    "Makes a retry safe: a key of your choice (1–255 printable ASCII characters, e.g. a UUID), "
    "new for each new request. Retrying the same request with the same key within "
    "`ASSIST_IDEMPOTENCY_TTL_H` hours (24) returns the first answer (status, body, `Location`) "
    f"with `{REPLAYED_HEADER}: true`, and does nothing again, even when both arrive at once. "
    "The same key with another method, path or body is refused: 422 "
    "`idempotency-key-reused`. Only answers of requests that took effect (2xx) are kept: a "
    "refused request changed nothing, and its retry runs again. Keys are per caller (`sub`).")

IdempotencyKey = Annotated[str | None, Header(
    alias=HEADER, min_length=1, max_length=255, pattern=KEY_PATTERN,
    description=KEY_DESCRIPTION, examples=["3f1c9a52-6d1e-4c0b-9d7e-2b8f0e6a4c11"])]
"""The request header, as a dependency parameter (documented in OpenAPI where declared)."""


def idempotency_table(metadata: MetaData) -> Table:
    """The keys of one service and the answers given to them, until they expire."""
    return Table(
        "idempotency_key",
        metadata,
        Column("caller", String(MAX_CALLER + 7), primary_key=True,
               comment="the token's sub (sha256: if long)"),
        Column("key", String(255), primary_key=True),
        Column("fingerprint", String(64), nullable=False,
               comment="sha256 of method, path with query, and body"),
        Column("method", String(10), nullable=False),
        Column("path", String(500), nullable=False),
        Column("status", Integer, nullable=True, comment="null only inside the transaction"),
        Column("headers", Text, nullable=True, comment="JSON [[name, value], ...]"),
        Column("body", LargeBinary, nullable=True),
        Column("created_at", UTCDateTime(), nullable=False),
        Column("expires_at", UTCDateTime(), nullable=False, index=True),
    )


class KeyReused(InvalidField):
    """The key was used before for another request: its answer is not this one's."""

    slug, title = "idempotency-key-reused", "Idempotency-Key already used for another request"


@dataclass(frozen=True)
class Stored:
    """The answer a key got."""

    status: int
    headers: list[tuple[str, str]]
    body: bytes


class Replay(Exception):  # noqa: N818 - not an error: the way out of the endpoint
    """Raised by the claim when the key was answered before: the handler answers again."""

    def __init__(self, stored: Stored) -> None:
        super().__init__(f"replay of a {stored.status} answer")
        self.stored = stored


async def replay_response(request: Request, exc: Exception) -> Response:
    """The exception handler of :class:`Replay`: the stored answer, marked as replayed."""
    assert isinstance(exc, Replay)
    stored = exc.stored
    response = Response(content=stored.body, status_code=stored.status)
    response.raw_headers = [
        *((k.encode("latin-1"), v.encode("latin-1")) for k, v in stored.headers),
        (b"content-length", str(len(stored.body)).encode()),
        (REPLAYED_HEADER.lower().encode(), b"true"),
    ]
    return response


@dataclass
class PendingAnswer:
    """A keyed request between its claim and its commit."""

    claimed: tuple[str, str] | None = None
    table: Table | None = None
    session: AsyncSession | None = None
    after_commit: Callable[[AsyncSession], None] | None = None

    @asynccontextmanager
    async def unit_of_work(self, sessions: async_sessionmaker[AsyncSession],
                           after_commit: Callable[[AsyncSession], None]
                           ) -> AsyncIterator[AsyncSession]:
        """The request's unit of work (``shared.db.unit_of_work``), except that once the key
        is claimed in it, it is left open for the answer: the middleware commits it."""
        session = sessions()
        try:
            yield session
            if self.claimed is None:
                await session.commit()
        except BaseException:
            await session.rollback()
            await session.close()
            raise
        if self.claimed is None:
            await session.close()
            after_commit(session)
            return
        self.session, self.after_commit = session, after_commit

    async def commit(self, status: int, headers: list[tuple[bytes, bytes]], body: bytes) -> None:
        """Store the answer in the claimed row and commit it with the request's effect."""
        session, table, claimed = self.session, self.table, self.claimed
        assert session is not None and table is not None and claimed is not None
        self.session = None
        kept = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in headers
                if k.lower() not in _NOT_STORED]
        try:
            await session.execute(update(table).where(
                table.c.caller == claimed[0], table.c.key == claimed[1]).values(
                status=status, headers=json.dumps(kept), body=body))
            await session.commit()
        except BaseException:
            await session.rollback()
            raise
        finally:
            await session.close()
        if self.after_commit is not None:
            self.after_commit(session)

    async def abandon(self) -> None:
        """The request failed after its unit of work was handed over: roll it back."""
        session, self.session = self.session, None
        if session is not None:
            try:
                await session.rollback()
            finally:
                await session.close()


_pending: ContextVar[PendingAnswer | None] = ContextVar("idempotency_pending", default=None)


def pending() -> PendingAnswer | None:
    """The current request's pending answer, if it is a POST that carries a key."""
    return _pending.get()


def _carries_key(scope: Scope) -> bool:
    return any(name.lower() == b"idempotency-key" for name, _ in scope.get("headers", ()))


class IdempotencyMiddleware:
    """Pure ASGI middleware, innermost of the kit's: a keyed POST's response is held until its
    answer is committed with its effect, then sent."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("method") != "POST" or not _carries_key(scope):
            await self.app(scope, receive, send)
            return
        answer = PendingAnswer()
        held: list[Message] = []

        async def hold(message: Message) -> None:
            if answer.session is None and not held:
                await send(message)  # nothing to commit: refused, replayed, or no claim
            else:
                held.append(message)

        token = _pending.set(answer)
        try:
            await self.app(scope, receive, hold)
        except BaseException:
            await answer.abandon()
            raise
        finally:
            _pending.reset(token)
        if answer.session is None:
            return
        start = next(m for m in held if m["type"] == "http.response.start")
        body = b"".join(m.get("body", b"") for m in held if m["type"] == "http.response.body")
        try:
            await answer.commit(start["status"], list(start.get("headers", [])), body)
        except Exception as exc:  # noqa: BLE001 - answered as a 500 problem
            log.exception("idempotent_commit_failed", error=repr(exc))
            await send_problem(send, scope, 500, *INTERNAL_ERROR)
            return
        for message in held:
            await send(message)


def fingerprint(method: str, path: str, query: str, body: bytes) -> str:
    """What makes two requests the same: method, path with query, and body, byte for byte."""
    digest = hashlib.sha256(f"{method}\n{path}?{query}\n".encode())
    digest.update(body)
    return digest.hexdigest()


async def body_of(request: Request) -> bytes:
    """The request's body as the fingerprint reads it. A multipart upload's stream is gone by
    the time a dependency runs (FastAPI parsed the form first): its parts stand in for it, each
    name with its value or its file's name, type and bytes (read and rewound)."""
    try:
        return await request.body()
    except RuntimeError:  # "Stream consumed": the form was parsed from it
        form = await request.form()
    digest = hashlib.sha256(b"form\n")
    for name, value in form.multi_items():
        digest.update(json.dumps(name).encode() + b"=")
        if isinstance(value, str):
            digest.update(json.dumps(value).encode())
        else:
            digest.update(json.dumps([value.filename, value.content_type]).encode())
            await value.seek(0)
            while chunk := await value.read(1 << 20):
                digest.update(chunk)
            await value.seek(0)
        digest.update(b"\n")
    return digest.digest()


def caller_of(user_id: str) -> str:
    if len(user_id) <= MAX_CALLER:
        return user_id
    return "sha256:" + hashlib.sha256(user_id.encode()).hexdigest()


@dataclass
class IdempotencyKeys:
    """A service's keys: claimed in the request's transaction, swept when expired."""

    table: Table
    ttl: timedelta
    sessions: async_sessionmaker[AsyncSession]
    interval_s: float = SWEEP_INTERVAL_S
    _task: asyncio.Task[None] | None = field(default=None, init=False, repr=False)

    async def claim(self, request: Request, session: AsyncSession, caller: str, key: str,
                    now: datetime | None = None) -> None:
        """Claim ``key`` for this request in its unit of work, or answer it as before."""
        answer = pending()
        if answer is None:
            raise RuntimeError("Idempotency-Key without IdempotencyMiddleware in the app")
        now = now or utcnow()
        caller = caller_of(caller)
        print_ = fingerprint(request.method, request.url.path, request.url.query,
                             await body_of(request))
        t = self.table
        insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
        values = {"caller": caller, "key": key, "fingerprint": print_,
                  "method": request.method, "path": request.url.path[:500], "status": None,
                  "headers": None, "body": None, "created_at": now,
                  "expires_at": now + self.ttl}
        statement = insert(t).values(**values)
        claimed = await session.scalar(statement.on_conflict_do_update(
            index_elements=[t.c.caller, t.c.key],
            set_={name: statement.excluded[name] for name in values if name not in ("caller",
                                                                                    "key")},
            where=t.c.expires_at <= now,  # an expired key is used afresh
        ).returning(t.c.key))
        if claimed is not None:
            answer.claimed, answer.table = (caller, key), t
            return
        row = (await session.execute(select(t.c.fingerprint, t.c.status, t.c.headers, t.c.body)
                                     .where(t.c.caller == caller, t.c.key == key))).one()
        if row.fingerprint != print_:
            raise KeyReused(HEADER, "this key was used for another request (another method, "
                            "path or body); a new request needs a new key")
        if row.status is None:  # cannot be seen committed; kept as a guard
            raise RuntimeError("an idempotency key committed without its answer")
        headers = [(str(k), str(v)) for k, v in json.loads(row.headers or "[]")]
        raise Replay(Stored(row.status, headers, row.body or b""))

    def start(self) -> None:
        self._task = asyncio.create_task(self._sweep_forever(), name="idempotency-sweeper")

    async def stop(self) -> None:
        await stop_task(self._task)
        self._task = None

    async def sweep(self, now: datetime | None = None) -> int:
        """Delete the expired keys, a batch per transaction; how many went."""
        now = now or utcnow()
        t = self.table
        total = 0
        while True:
            expired = select(t.c.caller, t.c.key).where(t.c.expires_at <= now).limit(
                SWEEP_BATCH)
            async with self.sessions() as session, session.begin():
                result = await session.execute(
                    delete(t).where(tuple_(t.c.caller, t.c.key).in_(expired)))
                gone = int(getattr(result, "rowcount", 0) or 0)
            total += gone
            if gone < SWEEP_BATCH:
                return total

    async def _sweep_forever(self) -> None:
        while True:
            try:
                swept = await self.sweep()
                if swept:
                    log.info("idempotency_keys_swept", count=swept)
            except Exception as exc:  # noqa: BLE001 - tried again next time
                log.warning("idempotency_sweep_failed", error=repr(exc))
            await asyncio.sleep(self.interval_s)
