"""Check sources (R-VE-4): one interface, whatever department answers behind it.

A source has a ``name``, the ``items`` it can check (tax, social insurance, housing fund, real
estate, vehicles, business registration, deposits, …) and ``check(query)``, which answers every
item asked of it for the household's people. Two kinds are built in: a department's data file
(CSV) loaded by a county officer (``DataFileSource``), and another government system asked over
HTTP (``HttpSource``). An answer that could not be had is ``unavailable`` with the reason, never
``nothing_found``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal, Protocol

import httpx
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from shared.digests import id_digest
from shared.inputs import MAX_FEN

ITEMS: dict[str, str] = {
    "tax": "个人所得税 income tax",
    "social_insurance": "社会保险 social insurance (pensions, unemployment benefit)",
    "housing_fund": "住房公积金 housing fund",
    "real_estate": "不动产登记 real estate",
    "vehicles": "机动车登记 vehicles",
    "business_registration": "市场主体登记 business registration",
    "deposits": "存款 bank deposits",
}
"""The items of the rule book's list, and what each is; a configured source may add others."""

MANUAL = "manual"
"""The source name of a caseworker's own checks (no configured source may take it)."""

Status = Literal["found", "nothing_found", "unavailable"]


@dataclass(frozen=True)
class Person:
    """One person to check: the full ID number is needed here, and only here."""

    member_id: str
    name: str
    id_number: str

    def __repr__(self) -> str:  # never the ID number in a log line or a traceback
        return f"Person(member_id={self.member_id!r})"


@dataclass(frozen=True)
class CheckQuery:
    """What a source is asked: these people, these items."""

    reference: str
    """The run's id: a source may quote it in its own logs."""
    people: tuple[Person, ...]
    items: tuple[str, ...]


@dataclass(frozen=True)
class Finding:
    """One record a source holds about a person for an item."""

    member_id: str | None
    amount_fen: int | None = None
    quantity: int | None = None
    detail: str | None = None


@dataclass(frozen=True)
class ItemResult:
    """A source's answer for one item of the household."""

    item: str
    status: Status
    findings: tuple[Finding, ...] = ()
    reason: str | None = None
    """``unavailable``: why."""
    basis: str | None = None
    """What answered: the data file's version, the system's address."""


class CheckSource(Protocol):
    """A department's data, as the cross-checks see it."""

    name: str
    items: tuple[str, ...]

    async def check(self, query: CheckQuery) -> list[ItemResult]:
        """An answer for every item of ``query.items`` (all of them this source's items)."""
        ...


def unavailable(items: Sequence[str], reason: str, basis: str | None = None
                ) -> list[ItemResult]:
    return [ItemResult(item=i, status="unavailable", reason=reason[:2000], basis=basis)
            for i in items]


def answer_per_item(items: Sequence[str], people: Sequence[Person],
                    found: dict[str, list[Finding]], basis: str | None) -> list[ItemResult]:
    """``found`` by item, turned into one answer per item: found, or nothing found."""
    return [ItemResult(item=i, status="found", findings=tuple(found[i]), basis=basis)
            if found.get(i) else ItemResult(item=i, status="nothing_found", basis=basis)
            for i in items]


async def ask(source: CheckSource, query: CheckQuery) -> list[ItemResult]:
    """Ask a source, and make sure every item asked has an answer: a source that fails, or
    leaves an item out, gives ``unavailable`` for it, never ``nothing_found``."""
    try:
        results = await source.check(query)
    except Exception as exc:  # noqa: BLE001 - whatever breaks, the items stay unanswered
        return unavailable(query.items, f"the source failed: {type(exc).__name__}: {exc}")
    by_item = {r.item: r for r in results if r.item in query.items}
    return [by_item.get(i) or ItemResult(item=i, status="unavailable",
                                         reason="the source gave no answer for this item")
            for i in query.items]


# --- a department's data file ------------------------------------------------------------------


@dataclass(frozen=True)
class DatasetRecord:
    """A record of the current data file that matched a person."""

    id_digest: str
    item: str
    amount_fen: int | None
    quantity: int | None
    detail: str | None


@dataclass(frozen=True)
class CurrentDataset:
    """The version of a source's data file the checks use, with its digest key."""

    dataset_id: str
    version: int
    data_date: date
    sha256: str
    key: bytes

    @property
    def basis(self) -> str:
        return f"data file v{self.version} of {self.data_date} (sha256 {self.sha256[:12]}…)"


class DatasetStore(Protocol):
    """Where a data-file source finds its current version and its records."""

    async def current(self, source: str) -> CurrentDataset | None: ...

    async def records(self, dataset_id: str, digests: Sequence[str]) -> list[DatasetRecord]: ...


@dataclass
class DataFileSource:
    """A department's data file (CSV), loaded by a county officer; people matched by ID number.

    No file loaded yet: every item is ``unavailable`` (nobody has answered), not nothing found.
    """

    name: str
    items: tuple[str, ...]
    store: DatasetStore
    kind: str = "csv"

    async def check(self, query: CheckQuery) -> list[ItemResult]:
        dataset = await self.store.current(self.name)
        if dataset is None:
            return unavailable(query.items, "no data file has been loaded for this source")
        by_digest = {id_digest(dataset.key, p.id_number): p for p in query.people}
        found: dict[str, list[Finding]] = {}
        for record in await self.store.records(dataset.dataset_id, list(by_digest)):
            person = by_digest.get(record.id_digest)
            if person is not None and record.item in query.items:
                found.setdefault(record.item, []).append(Finding(
                    person.member_id, record.amount_fen, record.quantity, record.detail))
        return answer_per_item(query.items, query.people, found, dataset.basis)


# --- another government system over HTTP -------------------------------------------------------


class _Record(BaseModel):
    model_config = ConfigDict(extra="ignore")

    amount_fen: int | None = Field(None, strict=True, ge=0, le=MAX_FEN)
    quantity: int | None = Field(None, strict=True, ge=0, le=1_000_000)
    detail: str | None = Field(None, max_length=200)


class _PersonItem(BaseModel):
    model_config = ConfigDict(extra="ignore")

    ref: str
    item: str
    status: Literal["found", "nothing_found"]
    records: list[_Record] = Field(default_factory=list)


class _Answer(BaseModel):
    model_config = ConfigDict(extra="ignore")

    results: list[_PersonItem]


class Garbage(ValueError):
    """The system answered something that is not an answer to the question."""


def read_answer(raw: bytes, query: CheckQuery, items: Sequence[str]) -> dict[str, list[Finding]]:
    """The findings by item of an HTTP source's answer; Garbage if it is not a whole answer.

    Every person must be answered for every item: ``found`` with its records, or
    ``nothing_found`` with none.
    """
    try:
        answer = _Answer.model_validate_json(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "body"
        raise Garbage(f"not an answer ({where}: {first['msg']})") from None
    refs = {p.member_id for p in query.people}
    answered: set[tuple[str, str]] = set()
    found: dict[str, list[Finding]] = {}
    for line in answer.results:
        if line.ref not in refs or line.item not in items:
            raise Garbage(f"an answer for something not asked ({line.item} of {line.ref!r})")
        if (line.status == "found") != bool(line.records):
            raise Garbage(f"{line.item} of {line.ref}: `{line.status}` with "
                          f"{len(line.records)} records")
        answered.add((line.ref, line.item))
        found.setdefault(line.item, []).extend(
            Finding(line.ref, r.amount_fen, r.quantity, r.detail) for r in line.records)
    missing = [(r, i) for r in sorted(refs) for i in items if (r, i) not in answered]
    if missing:
        ref, item = missing[0]
        raise Garbage(f"the answer lacks {item} of {ref} ({len(missing)} answers missing)")
    return found


@dataclass
class HttpSource:
    """Another government system, asked with httpx: ``POST <url>`` with the people and items,
    answered ``{"results": [{"ref", "item", "status", "records": [...]}]}``.

    Each try waits ``timeout_s``; a timeout, a refused connection, a 5xx or 429 or an answer
    that is not one is tried again, up to ``retries`` more times, ``backoff_s`` doubling in
    between. Then, or at once on any other status (a 401: wrong credentials), every item asked is
    ``unavailable`` with the reason.
    """

    name: str
    items: tuple[str, ...]
    url: str
    headers: dict[str, str] = field(default_factory=dict)
    auth: tuple[str, str] | None = None
    timeout_s: float = 5.0
    retries: int = 2
    backoff_s: float = 0.5
    token_file: str | None = None
    kind: str = "http"
    client: Callable[[], httpx.AsyncClient] | None = None
    """Makes the client (tests); by default a plain ``httpx.AsyncClient``."""

    def _headers(self) -> dict[str, str]:
        headers = dict(self.headers)
        if self.token_file:  # read on each call: whoever renews the token rewrites the file
            with open(self.token_file, encoding="utf-8") as f:
                headers["Authorization"] = f"Bearer {f.read().strip()}"
        return headers

    async def check(self, query: CheckQuery) -> list[ItemResult]:
        items = [i for i in query.items if i in self.items]
        body: dict[str, Any] = {
            "reference": query.reference, "items": items,
            "people": [{"ref": p.member_id, "name": p.name, "id_number": p.id_number}
                       for p in query.people]}
        basis = f"{self.url}"
        reason = "not asked"
        tries = 0
        async with (self.client() if self.client else httpx.AsyncClient()) as client:
            for attempt in range(self.retries + 1):
                if attempt:
                    await asyncio.sleep(self.backoff_s * 2 ** (attempt - 1))
                tries += 1
                try:
                    response = await client.post(
                        self.url, json=body, headers=self._headers(),
                        auth=httpx.BasicAuth(*self.auth) if self.auth else httpx.USE_CLIENT_DEFAULT,
                        timeout=self.timeout_s)
                except httpx.TimeoutException:
                    reason = f"no answer within {self.timeout_s:g} s"
                    continue
                except httpx.TransportError as exc:
                    reason = f"cannot reach the system ({type(exc).__name__})"
                    continue
                if response.status_code >= 500 or response.status_code == 429:
                    reason = f"the system answered HTTP {response.status_code}"
                    continue
                if response.status_code != 200:
                    return unavailable(items, f"the system refused the request: HTTP "
                                       f"{response.status_code}", basis)
                try:
                    found = read_answer(response.content, query, items)
                except Garbage as exc:
                    reason = f"the system answered garbage: {exc}"
                    continue
                return answer_per_item(items, query.people, found, basis)
        return unavailable(items, f"{reason} ({tries} {'try' if tries == 1 else 'tries'})", basis)
