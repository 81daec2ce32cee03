"""Rules of the division register: versions of codes over spans of days, never deleted.

A code (county, township or village of this installation's county) has one or more versions,
each a name in force from ``valid_from`` up to, not including, ``valid_until`` (open when null).
A code's versions never overlap; a township or village is in force only while its parent is.
Changes are applied to the register in memory (a county has hundreds of codes), the whole is
checked, and only the versions that differ are written, with one ``division_register_changed``
event. Applications name divisions that must be in force on the day they apply to.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Literal

from sqlalchemy import bindparam, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.intake.divisions.models import DivisionVersion
from shared import direct
from shared.auth import User
from shared.contracts import intake as contracts
from shared.db import lock_key, lock_until_commit, utcnow
from shared.divisions import level, parent_of
from shared.inputs import Keyset, Window
from shared.outbox import emit
from shared.problems import Conflict, InvalidField, NotFound

Change = Literal["put", "end", "load"]


class RegisterNotLoaded(Conflict):
    """The register is empty (a fresh installation): nothing can be checked against it."""

    slug, title = "division-register-empty", "The division register is not loaded"


EMPTY_REGISTER = (
    "the county's division register is empty: a county officer loads it first "
    "(python -m tools.divisions load FILE, or POST /api/v1/divisions/load); "
    "`make run` loads the demo register")


@dataclass
class Version:
    """One version of a code: ``name`` from ``valid_from`` up to, not including, ``valid_until``."""

    code: str
    name: str
    valid_from: date
    valid_until: date | None = None

    @property
    def key(self) -> tuple[str, date]:
        return self.code, self.valid_from

    def in_force_on(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_until is None or day < self.valid_until)

    def span(self) -> str:
        return f"from {self.valid_from}" + (f" until {self.valid_until}" if self.valid_until
                                             else "")

    def as_contract(self) -> contracts.DivisionVersion:
        return contracts.DivisionVersion(
            code=self.code, name=self.name, level=level(self.code),
            parent=parent_of(self.code), valid_from=self.valid_from,
            valid_until=self.valid_until)


def _covers(versions: Sequence[Version], start: date, end: date | None) -> bool:
    """Do ``versions`` (sorted, not overlapping) together cover the days [start, end)?"""
    cursor = start
    for v in versions:
        if v.valid_until is not None and v.valid_until <= cursor:
            continue  # over before the cursor
        if v.valid_from > cursor:
            return False  # a gap
        if v.valid_until is None:
            return True
        cursor = v.valid_until
        if end is not None and cursor >= end:
            return True
    return False


class Register:
    """The county's register in memory: changes are applied here, then checked as a whole."""

    def __init__(self, county: str, versions: Iterable[Version]) -> None:
        self.county = county
        self._codes: dict[str, list[Version]] = {}
        for v in versions:
            self._codes.setdefault(v.code, []).append(replace(v))
        for code_versions in self._codes.values():
            code_versions.sort(key=lambda v: v.valid_from)
        self._before = {v.key: (v.name, v.valid_until) for vs in self._codes.values() for v in vs}
        self._fields: dict[str, str] = {}
        """The request field that named a code, so that an error can name it too."""

    def versions(self, code: str) -> list[Version]:
        return list(self._codes.get(code, ()))

    def in_force(self, code: str, day: date) -> Version | None:
        return next((v for v in self._codes.get(code, ()) if v.in_force_on(day)), None)

    def _field(self, code: str, name: str) -> str:
        prefix = self._fields.get(code, "")
        return f"{prefix}.{name}" if prefix else name

    def put(self, code: str, name: str, valid_from: date, valid_until: date | None = None, *,
            field: str = "") -> None:
        """Add ``code`` or replace its name from ``valid_from``: the version in force that day
        ends there. A version starting that very day is corrected. Without ``valid_until`` the
        new version runs until the code's next version, if there is one."""
        self._fields.setdefault(code, field)
        self._check_code(code)
        versions = self._codes.setdefault(code, [])
        later = [v for v in versions if v.valid_from > valid_from]
        if valid_until is None and later:
            valid_until = later[0].valid_from
        if valid_until is not None and valid_until <= valid_from:
            raise InvalidField(self._field(code, "valid_until"),
                               f"{valid_until} is not after valid_from {valid_from}")
        if later and valid_until is not None and later[0].valid_from < valid_until:
            raise Conflict(
                f"{code} has a version {later[0].span()} ({later[0].name}): this one, "
                f"from {valid_from} until {valid_until}, would run into it; end it by "
                f"{later[0].valid_from}", field=self._field(code, "valid_until"))
        same_day = next((v for v in versions if v.valid_from == valid_from), None)
        if same_day is not None:  # a correction of that version
            same_day.name, same_day.valid_until = name, valid_until
            return
        current = self.in_force(code, valid_from)
        if current is not None:
            if current.name == name and current.valid_until == valid_until:
                return  # in force so already: nothing to split
            current.valid_until = valid_from
        versions.append(Version(code, name, valid_from, valid_until))
        versions.sort(key=lambda v: v.valid_from)

    def end(self, code: str, valid_until: date, *, field: str = "") -> None:
        """End ``code`` and every code below it from ``valid_until`` (the first day they are no
        longer in force). Versions that end earlier stay as they are."""
        if not self._codes.get(code):
            raise NotFound(f"{code} is not in the county's division register")
        first = self._codes[code][0]
        if valid_until <= first.valid_from:
            raise InvalidField(field or "valid_until", f"{code} is in force only from "
                               f"{first.valid_from}: it cannot end on {valid_until}")
        for other in sorted(c for c in self._codes if c.startswith(code)):
            for v in self._codes[other]:
                if v.valid_from >= valid_until:
                    raise Conflict(
                        f"{other} ({v.name}) has a version {v.span()}, which begins on or after "
                        f"{valid_until}; end or correct it first", code=other)
                if v.valid_until is None or v.valid_until > valid_until:
                    v.valid_until = valid_until

    def _check_code(self, code: str) -> None:
        if code[:6] != self.county or (len(code) == 6 and code != self.county):
            raise InvalidField(self._field(code, "code"),
                               f"{code} is not in county {self.county}, whose register this is")

    def check(self) -> None:
        """The register as a whole: every township and village is in force only while its
        parent is. Codes named by the request are checked first, so the error names them."""
        named = [c for c in self._fields if c in self._codes]
        for code in [*named, *sorted(c for c in self._codes if c not in self._fields)]:
            if code == self.county:
                continue
            parent = parent_of(code)
            assert parent is not None
            parent_versions = self._codes.get(parent, [])
            for v in self._codes[code]:
                if _covers(parent_versions, v.valid_from, v.valid_until):
                    continue
                span = f"{v.valid_from} until {v.valid_until}" if v.valid_until else \
                    f"{v.valid_from} on"
                if not parent_versions:
                    reason = f"its parent {parent} is not in the register"
                else:
                    reason = (f"its parent {parent} is not in force all that time ("
                              + "; ".join(f"{p.name} {p.span()}" for p in parent_versions) + ")")
                message = f"{code} ({v.name}) would be in force from {span}, but {reason}"
                if code in self._fields:
                    raise InvalidField(self._field(code, "valid_from"), message)
                raise Conflict(message + "; end or change it first", code=code)

    def changes(self) -> tuple[list[Version], list[Version], int]:
        """(versions added or changed, as now; the changed ones as they were; how many added)."""
        now: list[Version] = []
        previous: list[Version] = []
        added = 0
        for code in sorted(self._codes):
            for v in self._codes[code]:
                before = self._before.get(v.key)
                if before is None:
                    now.append(v)
                    added += 1
                elif before != (v.name, v.valid_until):
                    now.append(v)
                    previous.append(Version(v.code, before[0], v.valid_from, before[1]))
        return now, previous, added


@dataclass(frozen=True)
class Applied:
    """What a change did to the register."""

    change: Change
    entries: list[Version]
    previous: list[Version]
    added: int

    @property
    def changed(self) -> int:
        return len(self.entries) - self.added


def _version(row: DivisionVersion) -> Version:
    return Version(row.code, row.name, row.valid_from, row.valid_until)


_REGISTER_LOCK = lock_key("assist-intake-division-register")


async def load_register(session: AsyncSession, county: str, *, for_update: bool = False
                        ) -> Register:
    """The whole register; ``for_update``: changes wait for each other (PostgreSQL; SQLite
    serialises every transaction anyway)."""
    if for_update:
        await lock_until_commit(session, _REGISTER_LOCK)
    rows = await session.scalars(select(DivisionVersion))
    return Register(county, (_version(r) for r in rows))


async def save(session: AsyncSession, register: Register, *, change: Change, subject: str,
               by: User, now: datetime | None = None) -> Applied:
    """Check the register, write what differs and emit it as one event (none if nothing did)."""
    register.check()
    entries, previous, added = register.changes()
    if not entries:
        return Applied(change, [], [], 0)
    now = now or utcnow()
    before = {v.key for v in previous}
    rows = [{"code": v.code, "valid_from": v.valid_from, "valid_until": v.valid_until,
             "name": v.name, "level": level(v.code), "parent": parent_of(v.code),
             "recorded_at": now, "recorded_by": by.user_id} for v in entries]
    new_rows = [r for r in rows if (r["code"], r["valid_from"]) not in before]
    changed_rows = [r for r in rows if (r["code"], r["valid_from"]) in before]
    if new_rows:
        await session.execute(insert(DivisionVersion), new_rows)
    if changed_rows:
        await session.execute(update(DivisionVersion), changed_rows)
    await emit(session, contracts.DivisionRegisterChanged(
        county=register.county, change=change, entries=[v.as_contract() for v in entries],
        previous=[v.as_contract() for v in previous],
    ), subject=subject, division=register.county)
    return Applied(change, entries, previous, added)


_versions = DivisionVersion.__table__.c
IN_FORCE = direct.Statement(
    select(_versions.code)
    .where(_versions.code == bindparam("code"), _versions.valid_from <= bindparam("on"),
           or_(_versions.valid_until.is_(None), _versions.valid_until > bindparam("on")))
    .limit(1))
"""Whether a code is in force on a day: built once and run on the driver, as every submission
asks it (a Core statement with parameters costs a tenth of building the select each time)."""


async def require_in_force(session: AsyncSession, code: str, *, on: date, field: str) -> None:
    """A division a request names must be in force in the register on ``on``: 422 naming the
    field otherwise, and 409 while the register is empty."""
    in_force = await direct.scalar(session, IN_FORCE, {"code": code, "on": on})
    if in_force is not None:
        return
    versions = [_version(r) for r in await session.scalars(
        select(DivisionVersion).where(DivisionVersion.code == code)
        .order_by(DivisionVersion.valid_from))]
    if not versions:
        if await is_empty(session):
            raise RegisterNotLoaded(EMPTY_REGISTER)
        raise InvalidField(field, f"{code} is not a division of the county's register")
    earlier = [v for v in versions if v.valid_from <= on]
    if earlier:
        last = earlier[-1]
        raise InvalidField(field, f"{code} ({last.name}) ended on {last.valid_until}: it is not "
                           f"in force on {on}")
    first = versions[0]
    raise InvalidField(field, f"{code} ({first.name}) is in force only from {first.valid_from}, "
                       f"not on {on}")


async def is_empty(session: AsyncSession) -> bool:
    """A fresh installation: no code was ever loaded."""
    return await session.scalar(select(DivisionVersion.code).limit(1)) is None


DIVISIONS = Keyset("divisions", DivisionVersion.code.asc())
"""The order of the list of codes in force on a day (one version per code on a day)."""


async def in_force_on(session: AsyncSession, on: date, *, level_: str | None = None,
                      parent: str | None = None, window: Window | None = None
                      ) -> list[DivisionVersion]:
    """The codes in force on ``on``, by code (all of them without a ``window``)."""
    query = select(DivisionVersion).where(
        DivisionVersion.valid_from <= on,
        or_(DivisionVersion.valid_until.is_(None), DivisionVersion.valid_until > on))
    if level_ is not None:
        query = query.where(DivisionVersion.level == level_)
    if parent is not None:
        query = query.where(DivisionVersion.parent == parent)
    query = window.apply(query) if window else query.order_by(DivisionVersion.code)
    return list(await session.scalars(query))


async def versions_of(session: AsyncSession, code: str) -> list[DivisionVersion]:
    """Every version of a code, oldest first; 404 if the register never had it."""
    rows = list(await session.scalars(
        select(DivisionVersion).where(DivisionVersion.code == code)
        .order_by(DivisionVersion.valid_from)))
    if not rows:
        raise NotFound(f"{code} is not in the county's division register")
    return rows
