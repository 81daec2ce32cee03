"""The calculation's request: a household's figures, no names and no ID numbers; and its answer.

The request mirrors the inputs of ``shared.benefits`` (``Household``, ``Member``, ``IncomeItem``,
``Asset``, ``Expenditure``) and converts to them; the rules themselves stay there. Members are
named by their place in the list (1, 2, …), never by a name: nothing personal goes in or out.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from services.approval.policy.schemas import Area, CountyCode
from shared.benefits import (
    AssetKind,
    DisabilityKind,
    ExpenditureKind,
    IncomeKind,
    Period,
    SelfCare,
    Supporter,
)
from shared.inputs import WHOLE_NUMBER, AmountFen, Code, Flag

CalculatedProgram = Literal["dibao", "tekun", "temp_emergency", "temp_expenditure"]
MonthText = Annotated[str, StringConstraints(strict=True, pattern=r"^20[0-9]{2}-(0[1-9]|1[0-2])$")]
MAX_MEMBERS = 30


MemberRef = Annotated[int, Field(strict=True, ge=1, le=MAX_MEMBERS,
                                 description="the member's place in `members`, from 1"),
                      WHOLE_NUMBER]


class MemberIn(BaseModel):
    """One member of the household: facts the rules read, no name, no ID number, no birth day."""

    model_config = ConfigDict(extra="forbid")

    age: Annotated[int, Field(strict=True, ge=0, le=150), WHOLE_NUMBER] = Field(
        description="age in whole years in the month calculated")
    covered: Flag = Field(True, description="counted in the household (计入家庭成员, R-IN-7)")
    employed: Flag = Field(False, description="works: employment cost deducted (R-BE-2)")
    minimum_wage_fen: AmountFen | None = Field(
        None, description="the minimum wage where they work, if not the county's (R-BE-2)")
    disability_grade: Annotated[int, Field(strict=True, ge=1, le=4), WHOLE_NUMBER] | None = \
        Field(None, description="disability certificate grade 1–4 (R-BE-3, R-BE-4)")
    disability_kind: DisabilityKind | None = None
    disabled_serviceman_grade: Annotated[int, Field(strict=True, ge=1, le=10),
                                         WHOLE_NUMBER] | None = Field(
        None, description="disabled serviceman grade 1–10 (R-BE-3, R-BE-4)")
    seriously_ill: Flag = Field(False, description="a recognised serious illness (R-BE-3, -4)")
    military_or_martyr_family: Flag = Field(False, description="军烈属 (R-BE-3)")
    old_demobilised_rural_soldier: Flag = Field(False, description="农村老复员军人 (R-BE-3)")
    regularly_pensioned_entitled: Flag = Field(False, description="定期抚恤补助优抚对象 (R-BE-4)")
    clergy_apart_years: Annotated[int, Field(strict=True, ge=0, le=100), WHOLE_NUMBER] = Field(
        0, description="years in a religious site apart from the family (R-BE-4)")
    able_to_work: Flag = Field(True, description="has the ability to work (R-BE-11)")
    has_income_source: Flag = Field(True, description="has a source of income (R-BE-11)")
    supporter: Supporter = Field("able", description="the legal supporter (R-BE-11)")
    in_school: Flag = Field(False, description="in school (R-BE-11)")
    self_care: SelfCare = Field("able", description="self-care ability (R-BE-7)")


class IncomeIn(BaseModel):
    """An income item (R-BE-9), per month or over the review period."""

    model_config = ConfigDict(extra="forbid")

    kind: IncomeKind
    amount_fen: AmountFen = Field(description="net amount, cash or in kind")
    period: Period = "monthly"
    member: MemberRef | None = Field(None, description="whose; none: the household's")
    item: Code | None = Field(None, description="the item's code, compared with the county's "
                              "`excluded_income_items` (R-BE-9)")
    in_kind: Flag = False


class AssetIn(BaseModel):
    """An asset (R-BE-10): deposits by value, vehicles and homes by count."""

    model_config = ConfigDict(extra="forbid")

    kind: AssetKind
    value_fen: AmountFen = 0
    count: Annotated[int, Field(strict=True, ge=0, le=1000), WHOLE_NUMBER] = 1
    exempt: Flag = False
    exempt_reason: Code | None = Field(
        None, description="why exempt, e.g. disability_vehicle, assistance_deposit")


class ExpenditureIn(BaseModel):
    """Rigid expenditure (刚性支出, R-BE-2)."""

    model_config = ConfigDict(extra="forbid")

    kind: ExpenditureKind
    amount_fen: AmountFen
    period: Period = "review_period"
    member: MemberRef | None = None
    documented: Flag = True


EXAMPLE_HOUSEHOLD: dict[str, Any] = {
    "program": "dibao", "county": "230722", "area": "rural", "month": "2026-12",
    "long_lived_in_border_county": True,
    "members": [{"age": 67, "disability_grade": 2, "disability_kind": "physical"},
                {"age": 63}, {"age": 35, "employed": True}, {"age": 12, "in_school": True}],
    "income": [{"kind": "wages", "amount_fen": 180_000, "member": 3},
               {"kind": "resident_basic_pension", "amount_fen": 15_000, "member": 1}],
    "assets": [{"kind": "deposit", "value_fen": 1_200_000},
               {"kind": "vehicle", "exempt": True, "exempt_reason": "livelihood_vehicle"}],
    "expenditure": [{"kind": "serious_illness", "amount_fen": 1_800_000, "member": 1}],
}


class CalculationIn(BaseModel):
    """A household's figures for a self-check or a caseworker's trial calculation: no names,
    no ID numbers, nothing stored."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        EXAMPLE_HOUSEHOLD,
        {"program": "tekun", "county": "230722", "area": "urban", "month": "2026-12",
         "members": [{"age": 78, "able_to_work": False, "has_income_source": False,
                      "supporter": "none", "self_care": "partly_unable"}]},
        {"program": "temp_emergency", "county": "230722", "area": "rural",
         "members": [{"age": 45}, {"age": 44}], "requested_fen": 300_000},
    ]})

    program: CalculatedProgram = Field(
        description="dibao (with the near-dibao and single-person outcomes), tekun, or a "
        "temporary aid's cap")
    county: CountyCode = Field(description="the registered county", examples=["230722"])
    area: Area = Field(description="registered as urban or rural resident")
    month: MonthText | None = Field(
        None, description="YYYY-MM, the month calculated: the standard in force on its first "
        "day is used; default: this month")
    long_lived_in_border_county: Flag = Field(
        False, description="R-BE-12: has long lived in one of the province's border counties")
    review_months: Annotated[int, Field(strict=True, ge=1, le=60), WHOLE_NUMBER] = Field(
        12, description="R-BE-2: months the review-period amounts cover")
    members: list[MemberIn] = Field(min_length=1, max_length=MAX_MEMBERS)
    income: list[IncomeIn] = Field(default_factory=list, max_length=200)
    assets: list[AssetIn] = Field(default_factory=list, max_length=200)
    expenditure: list[ExpenditureIn] = Field(default_factory=list, max_length=200)
    person: MemberRef | None = Field(
        None, description="tekun: the person assessed (default: the only member)")
    covered_as_child: Flag = Field(
        False, description="tekun: already covered as a child (stays covered to 18, longer "
        "in school, R-BE-11)")
    requested_fen: AmountFen | None = Field(
        None, description="temporary aid: the amount asked for, capped by R-BE-8")


class StepOut(BaseModel):
    """One step of the calculation: the rule, what it is, its value and the parameter used."""

    rule: str = Field(examples=["R-BE-1"])
    label: str
    value: int | str = Field(description="integer fen, or a decimal string to 0.01 fen")
    unit: str
    parameter: str | None = Field(None, description="the figure of the policy version used")
    parameter_value: int | str | None = None
    part: bool = Field(description="a part of the amount: the parts add up to it")
    member: int | None = Field(None, description="the member's place in `members`")


class ReasonOut(BaseModel):
    rule: str
    code: str
    text: str
    limit: str | None = Field(None, description="the figure of the limit exceeded (R-BE-10)")
    limit_value: int | str | None = None
    actual: int | str | None = None


class AssessmentOut(BaseModel):
    """One outcome with its explanation."""

    program: str
    eligible: bool
    amount_fen: int
    amount_yuan: str
    payment: Literal["monthly", "once", "none"]
    area: Area | None = Field(description="whose standard was used (R-BE-12)")
    standard_fen: int | None
    per_capita_income_fen: str | None = Field(
        description="counted monthly per-capita income, not rounded (0.01 fen)")
    member: int | None = Field(None, description="single-person household (R-BE-4) or tekun: "
                               "the member's place")
    reasons: list[ReasonOut]
    steps: list[StepOut]


class PolicyUsed(BaseModel):
    """A policy version the calculation used."""

    version_id: str
    county: str
    area: Area
    version: int
    effective_from: date
    demo: bool = Field(description="demo values, not official ones")
    used_for: Literal["standard", "border_counties"] = Field(
        description="`standard`: its figures were used; `border_counties`: its list of "
        "border counties put the household on the urban standard (R-BE-12)")


class CalculationOut(BaseModel):
    program: CalculatedProgram
    county: str
    area: Area
    month: str
    result: AssessmentOut = Field(description="the program's outcome")
    near_dibao: AssessmentOut | None = Field(
        None, description="dibao not granted because the income is above the standard: the "
        "near-dibao recognition (R-BE-5)")
    single_person: list[AssessmentOut] = Field(
        default_factory=list, description="in a near-dibao household, each member covered by "
        "dibao alone (单人户, R-BE-4)")
    policy_versions: list[PolicyUsed]
    notice: str = Field(description="what the answer is, and what it is not")
