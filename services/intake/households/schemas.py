"""API shapes of households and members; ID numbers leave only masked (R-SE-2)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator

from services.intake.households.models import Household, Member
from services.intake.households.service import LivingStatus, Relationship, check_composition
from shared.idcard import age_on
from shared.inputs import Address, Flag, PersonName, ResidentIdNumber
from shared.masking import mask_id_number
from shared.workdays import today_in_shanghai


class MemberIn(BaseModel):
    """A member as declared by the applicant."""

    model_config = ConfigDict(extra="forbid")

    name: PersonName
    id_number: ResidentIdNumber
    relationship: Relationship = Field(description="relationship to the head of household")
    living_status: LivingStatus = Field("at_home", description="R-IN-7; the last three don't count")
    is_student: Flag = False


class HouseholdIn(BaseModel):
    """The household: exactly one head, nobody twice (R-IN-4)."""

    model_config = ConfigDict(extra="forbid")

    address: Address | None = None
    members: list[MemberIn] = Field(min_length=1, max_length=50)

    @field_validator("members")
    @classmethod
    def _composition(cls, members: list[MemberIn]) -> list[MemberIn]:
        check_composition(members)
        return members


class MemberOut(BaseModel):
    id: str
    name: str
    id_number: str = Field(description="masked (R-SE-2)")
    relationship: str
    living_status: str
    is_student: bool
    counted: bool = Field(description="counted in the household (R-IN-7)")
    sex: str
    age: int

    @classmethod
    def of(cls, member: Member) -> MemberOut:
        return cls(id=member.id, name=member.name, id_number=mask_id_number(member.id_number),
                   relationship=member.relationship, living_status=member.living_status,
                   is_student=member.is_student, counted=member.counted, sex=member.sex,
                   age=age_on(member.birth_date, max(member.birth_date, today_in_shanghai())))


class HouseholdOut(BaseModel):
    id: str
    address: str | None
    members: list[MemberOut]
    counted_size: int

    @classmethod
    def of(cls, household: Household) -> HouseholdOut:
        return cls(id=household.id, address=household.address,
                   members=[MemberOut.of(m) for m in household.members],
                   counted_size=household.counted_size)
