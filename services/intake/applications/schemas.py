"""API shapes of applications (the intake contract); ID and phone numbers leave masked."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from services.intake.applications.models import Application
from services.intake.households.schemas import HouseholdIn, HouseholdOut
from services.intake.materials.schemas import MaterialCode, NoticeOut
from shared.divisions import validate_division_code
from shared.inputs import Code, Documented, Phone, Reason
from shared.masking import mask_phone
from shared.programs import Program

Channel = Literal["window", "village_proxy", "active_discovery", "online"]
Area = Literal["urban", "rural"]
Status = Literal["awaiting_materials", "accepted", "refused"]


def _household_division(code: str) -> str:
    """A township (9 digits) or village/community (12 digits) code."""
    validate_division_code(code)
    if len(code) not in (9, 12):
        raise ValueError(f"{code} is not a township (9 digits) or village (12 digits) code")
    return code


HouseholdDivision = Annotated[str, AfterValidator(_household_division),
                              Documented(pattern=r"^[0-9]{9}([0-9]{3})?$")]


class ApplicationIn(BaseModel):
    """An application received at a window or through another channel (R-IN-1)."""

    model_config = ConfigDict(extra="forbid")

    program: Program
    channel: Channel
    division: HouseholdDivision = Field(description="the household's village or township")
    area: Area
    contact_phone: Phone | None = None
    household: HouseholdIn
    materials: list[MaterialCode] = Field(default_factory=list, max_length=50,
                                          description="codes of the materials handed in")


class RefusalIn(BaseModel):
    """No refusal without a recorded reason code and text (R-IN-3)."""

    model_config = ConfigDict(extra="forbid")

    reason_code: Code = Field(description="why, as a code: lowercase letters, digits and _")
    reason: Reason = Field(description="why, in words")


class RefusalOut(BaseModel):
    reason_code: str
    reason: str
    refused_at: datetime


class ApplicationOut(BaseModel):
    id: str
    number: str
    program: str
    channel: str
    division: str
    area: str
    contact_phone: str | None = Field(description="masked (R-SE-2)")
    status: Status
    submitted_at: datetime
    accepted_on: date | None
    review_due_on: date | None
    review_due_provisional: bool | None
    notice: NoticeOut | None
    materials: list[str] = Field(description="codes of the materials handed in")
    household: HouseholdOut
    refusal: RefusalOut | None

    @classmethod
    def of(cls, a: Application) -> ApplicationOut:
        supplied = [s.code for s in a.supplied]
        refusal = None
        if a.refused_at is not None:
            refusal = RefusalOut(reason_code=a.refusal_reason_code or "",
                                 reason=a.refusal_reason or "", refused_at=a.refused_at)
        return cls(
            id=a.id, number=a.number, program=a.program, channel=a.channel,
            division=a.division, area=a.area,
            contact_phone=mask_phone(a.contact_phone) if a.contact_phone else None,
            status=a.status,
            submitted_at=a.submitted_at, accepted_on=a.accepted_on,
            review_due_on=a.review_due_on, review_due_provisional=a.review_due_provisional,
            notice=NoticeOut.of(a.notice, set(supplied)) if a.notice else None,
            materials=supplied, household=HouseholdOut.of(a.household), refusal=refusal,
        )
