"""API shapes of households and members; ID numbers leave only masked (R-SE-2)."""

from __future__ import annotations

from typing import cast

from pydantic import BaseModel, ConfigDict, Field, field_validator

from services.intake.households.models import Household, Member
from services.intake.households.service import (
    CountReason,
    LivingStatus,
    Relationship,
    check_composition,
)
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
    living_status: LivingStatus = Field(
        "at_home", description="R-IN-7: clergy living at a religious site apart from the family "
        "for 3 years or more, people serving a sentence or held in custody don't count")
    is_student: Flag = Field(False, description="in school, up to a bachelor's degree: an "
                             "adult child who is a student counts (R-IN-7)")
    cannot_live_independently: Flag = Field(
        False, description="an adult child who cannot live on their own (无独立生活能力) "
        "counts (R-IN-7)")
    lives_with_household: Flag | None = Field(
        None, description="a parent, grandparent, grandchild or sibling (a legal duty of "
        "support) counts when they have lived with the household long-term: required for them "
        "(R-IN-7)")


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
    cannot_live_independently: bool
    lives_with_household: bool | None
    counted: bool = Field(description="counted in the household (R-IN-7)")
    count_reason: CountReason | None = Field(
        description="why it counts or not (R-IN-7): counted `head`, `spouse`, `minor_child`, "
        "`adult_child_student`, `adult_child_dependent`, `supported_relative`; not counted "
        "`clergy_apart_3y`, `serving_sentence`, `in_custody`, `adult_child_independent`, "
        "`not_living_together`, `no_duty_of_support`; null: recorded before reasons were kept")
    sex: str
    age: int

    @classmethod
    def of(cls, member: Member) -> MemberOut:
        return cls(id=member.id, name=member.name, id_number=mask_id_number(member.id_number),
                   relationship=member.relationship, living_status=member.living_status,
                   is_student=member.is_student,
                   cannot_live_independently=member.cannot_live_independently,
                   lives_with_household=member.lives_with_household, counted=member.counted,
                   count_reason=cast(CountReason | None, member.count_reason), sex=member.sex,
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
