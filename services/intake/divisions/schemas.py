"""API shapes of the division register."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from services.intake.divisions.models import DivisionVersion
from services.intake.divisions.service import Applied, Version
from shared.divisions import level, parent_of
from shared.inputs import CivilDate, DivisionCode, Label

Level = Literal["county", "township", "village"]
VALID_FROM = "first day the code is in force with this name; default: today (Asia/Shanghai)"
VALID_UNTIL = ("the day it ends: the first day it is no longer in force (exclusive); null: open, "
               "or until the code's next version")


class DivisionIn(BaseModel):
    """A code's name from a day on: added, or replacing the version in force that day."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"name": "东风村", "valid_from": "2020-01-01"},
    ]})

    name: Label = Field(examples=["东风村"])
    valid_from: CivilDate | None = Field(None, description=VALID_FROM)
    valid_until: CivilDate | None = Field(None, description=VALID_UNTIL)


class DivisionEntryIn(DivisionIn):
    """One entry of a bulk load."""

    code: DivisionCode = Field(description="6 (the county), 9 (township) or 12 (village) digits",
                               examples=["230722100201"])


class DivisionLoadIn(BaseModel):
    """Entries of the county's register, loaded together: each is added, or replaces the
    version of its code in force on its ``valid_from``; identical ones change nothing. Codes
    not listed stay as they are (ending a code is explicit: POST /divisions/{code}/end)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"entries": [
            {"code": "230722", "name": "嘉荫县", "valid_from": "2020-01-01"},
            {"code": "230722100", "name": "朝阳镇", "valid_from": "2020-01-01"},
            {"code": "230722100201", "name": "东风村", "valid_from": "2020-01-01"},
            {"code": "230722100202", "name": "永胜村", "valid_from": "2020-01-01"},
        ]},
    ]})

    entries: list[DivisionEntryIn] = Field(min_length=1, max_length=5000)

    @field_validator("entries")
    @classmethod
    def _distinct(cls, entries: list[DivisionEntryIn]) -> list[DivisionEntryIn]:
        seen: set[tuple[str, date | None]] = set()
        for entry in entries:
            key = (entry.code, entry.valid_from)
            if key in seen:
                raise ValueError(f"{entry.code} from {entry.valid_from or 'today'} is listed twice")
            seen.add(key)
        return entries


class DivisionEndIn(BaseModel):
    """End a code, and every code below it, from a day on (never deleted)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"valid_until": "2027-01-01"},
    ]})

    valid_until: CivilDate = Field(description="the first day the code is no longer in force")


class DivisionOut(BaseModel):
    code: str
    name: str
    level: Level
    parent: str | None = Field(description="the code above it; for the county, its city")
    valid_from: date = Field(description="first day in force with this name")
    valid_until: date | None = Field(description=VALID_UNTIL)

    @classmethod
    def of(cls, v: DivisionVersion | Version) -> DivisionOut:
        return cls(code=v.code, name=v.name, level=level(v.code),
                   parent=parent_of(v.code), valid_from=v.valid_from, valid_until=v.valid_until)


class DivisionCodeOut(BaseModel):
    """A code with every version it ever had."""

    code: str
    level: Level
    parent: str | None
    in_force: DivisionOut | None = Field(description="the version in force today, if any")
    versions: list[DivisionOut] = Field(description="oldest first")


class DivisionNode(BaseModel):
    """A division in force on a day, with the divisions below it."""

    code: str
    name: str
    level: Level
    valid_from: date
    valid_until: date | None
    children: list[DivisionNode] = Field(default_factory=list)


class RegisterChangeOut(BaseModel):
    """What a change did: the versions added or changed, as they are now and as they were."""

    change: Literal["put", "end", "load"]
    added: int
    changed: int
    entries: list[DivisionOut] = Field(description="versions added or changed, as now")
    previous: list[DivisionOut] = Field(description="the changed versions as they were")

    @classmethod
    def of(cls, applied: Applied) -> RegisterChangeOut:
        return cls(change=applied.change, added=applied.added, changed=applied.changed,
                   entries=[DivisionOut.of(v) for v in applied.entries],
                   previous=[DivisionOut.of(v) for v in applied.previous])
