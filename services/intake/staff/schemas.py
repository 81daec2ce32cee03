"""API shapes of the staff register; the ID number is taken in and shown masked (R-SE-2)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from services.intake.staff.models import StaffMember
from shared.contracts.intake import ASSISTANCE_STAFF, DEDICATED_STAFF, StaffKind
from shared.inputs import CivilDate, DivisionCode, PersonName, ResidentIdNumber
from shared.inputs.text import TextRule

ShortReason = Annotated[str, TextRule(max_length=200)]
Title = Annotated[str, TextRule(max_length=60)]


class StaffIn(BaseModel):
    """A person joins the staff register (R-DI-5, R-OV-4)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"name": "孙丽", "id_number": "230722198803120029", "kind": "township_dedicated",
         "division": "230722100", "title": "社会救助专干", "valid_from": "2026-01-01"},
    ]})

    name: PersonName
    id_number: ResidentIdNumber = Field(description="kept only as a keyed digest, shown masked")
    kind: StaffKind = Field(description="`county_dedicated` (6-digit division), "
                            "`township_dedicated` (9), `caseworker` (6 or 9), "
                            "`village_assistant` and `village_cadre` (12)")
    division: DivisionCode = Field(description="where they serve")
    title: Title | None = Field(None, description="the post, e.g. 村委会主任")
    valid_from: CivilDate | None = Field(None, description="first day in the post; default today")


class DepartureIn(BaseModel):
    """The person left the post."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"left_on": "2026-12-01", "reason": "调任县民政局"},
    ]})

    left_on: CivilDate | None = Field(
        None, description="first day no longer in the post (after `valid_from`); default today")
    reason: ShortReason | None = None


class StaffOut(BaseModel):
    id: str
    name: str
    id_number: str = Field(description="masked (R-SE-2)")
    kind: StaffKind
    assistance_staff: bool = Field(description="refused as a proxy as assistance staff (R-DI-5)")
    dedicated: bool = Field(description="counted as dedicated staff (R-OV-4)")
    division: str
    title: str | None
    valid_from: date
    valid_until: date | None = Field(description="first day no longer in the post")
    left_reason: str | None
    active: bool = Field(description="in the post today")
    registered_by: str
    registered_at: datetime
    ended_by: str | None

    @classmethod
    def of(cls, s: StaffMember, *, today: date) -> StaffOut:
        kind = StaffKind(s.kind)
        return cls(
            id=s.id, name=s.name, id_number=s.id_masked, kind=kind,
            assistance_staff=kind in ASSISTANCE_STAFF, dedicated=kind in DEDICATED_STAFF,
            division=s.division, title=s.title, valid_from=s.valid_from,
            valid_until=s.valid_until, left_reason=s.left_reason,
            active=s.valid_from <= today and (s.valid_until is None or today < s.valid_until),
            registered_by=s.registered_by, registered_at=s.registered_at, ended_by=s.ended_by)
