"""A household member as a re-check or a reported change finds them: the facts the benefit
rules read (R-BE-2, R-BE-3, R-BE-11), as one request shape for approval's adjustments and
verification's re-check results."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.inputs.values import WHOLE_NUMBER, Flag, RecordId

Age = Annotated[int, Field(strict=True, ge=0, le=150), WHOLE_NUMBER]
DisabilityGrade = Annotated[int, Field(strict=True, ge=1, le=4), WHOLE_NUMBER]
"""残疾等级 1 (most severe) … 4."""
ServicemanGrade = Annotated[int, Field(strict=True, ge=1, le=10), WHOLE_NUMBER]
"""伤残军人等级 1 … 10."""
SelfCare = Literal["able", "partly_unable", "unable"]
Supporter = Literal["able", "none", "tekun", "old_or_severely_disabled_dibao", "missing",
                    "in_prison"]


class MemberFactsIn(BaseModel):
    """A member as found: the facts the benefit rules read (R-BE-2, R-BE-3, R-BE-11)."""

    model_config = ConfigDict(extra="forbid")

    member_id: RecordId = Field(description="intake's member id (a new member: a new id)")
    age: Age
    covered: Flag = Field(True, description="still counted in the household")
    employed: Flag = False
    able_to_work: Flag = Field(description="has the ability to work (R-DY-2: half-yearly)")
    disability_grade: DisabilityGrade | None = None
    disabled_serviceman_grade: ServicemanGrade | None = None
    seriously_ill: Flag = False
    military_or_martyr_family: Flag = False
    in_school: Flag = False
    self_care: SelfCare = "able"
    has_income_source: Flag = Field(True, description="R-BE-11, for a tekun person")
    supporter: Supporter = Field("able", description="R-BE-11, for a tekun person")
