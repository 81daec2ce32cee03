"""API shapes of policy versions: the figures of ``shared.benefits.Parameters`` as JSON."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal, cast

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from services.approval.policy.models import PolicyVersion
from shared.benefits.parameters import Parameters
from shared.inputs import WHOLE_NUMBER, AmountFen, CivilDate, Code, Flag, Reason

Area = Literal["urban", "rural"]
CountyCode = Annotated[str, StringConstraints(
    strict=True, pattern=r"^[1-9][0-9]{3}(0[1-9]|[1-9][0-9])$")]
"""A county's 6-digit code (GB/T 2260): a city's or a province's ends in 00 and is no county."""
Rate = Annotated[Decimal, Field(ge=0, le=1, max_digits=6, decimal_places=4, allow_inf_nan=False)]
Multiple = Annotated[Decimal, Field(ge=0, le=1000, max_digits=8, decimal_places=4,
                                    allow_inf_nan=False)]
Count = Annotated[int, Field(strict=True, ge=0, le=1000), WHOLE_NUMBER]



def _defaults() -> dict[str, Any]:
    found: dict[str, Any] = {}
    for f in dataclasses.fields(Parameters):
        if f.default is not dataclasses.MISSING:
            found[f.name] = f.default
        elif f.default_factory is not dataclasses.MISSING:
            found[f.name] = f.default_factory()
    return found


_DEFAULTS = _defaults()


def default(name: str) -> Any:
    """``Parameters``' own default of a field (DOMAIN.md: where a parameter is named, its
    default is the value given there)."""
    value = _DEFAULTS[name]
    return list(value) if isinstance(value, tuple) else value


class TekunCare(BaseModel):
    """R-BE-7: the monthly care standard by self-care ability (生活自理能力)."""

    model_config = ConfigDict(extra="forbid")

    able: AmountFen = Field(description="fully able to care for themselves")
    partly_unable: AmountFen = Field(description="partly unable (半失能)")
    unable: AmountFen = Field(description="unable (全失能)")


class TempAidCaps(BaseModel):
    """R-BE-8: the cap of one temporary-aid case, as a multiple of the monthly standard."""

    model_config = ConfigDict(extra="forbid")

    temp_emergency: Multiple = Field(description="急难型临时救助")
    temp_expenditure: Multiple = Field(description="支出型临时救助")


class PolicyParameters(BaseModel):
    """The figures of one county and area (``shared.benefits.Parameters``): amounts in integer
    fen, rates and factors as decimals (a JSON number or a decimal string). A figure left out
    takes the rule book's default."""

    model_config = ConfigDict(extra="forbid")

    dibao_standard_fen: Annotated[AmountFen, Field(gt=0)] = Field(
        description="R-BE-1: the monthly dibao standard per person (低保标准)")
    minimum_wage_fen: AmountFen = Field(
        description="R-BE-2: the monthly minimum wage (two months per employed member a year "
        "are deducted as employment cost)")
    addon_rate: Rate = Field(default("addon_rate"),
                             description="R-BE-3: the add-on as a share of the standard")
    addon_elderly_age: Annotated[int, Field(strict=True, ge=40, le=100), WHOLE_NUMBER] = Field(
        default("addon_elderly_age"), description="R-BE-3: from this age a member is elderly")
    near_dibao_factor: Annotated[Multiple, Field(ge=1, le=10)] = Field(
        default("near_dibao_factor"),
        description="R-BE-5: near-dibao up to this multiple of the standard")
    benefit_rounding: Literal["up", "half_up", "down"] = Field(
        default("benefit_rounding"), description="R-BE-1: rounding of the final amount to yuan")
    gradual_exit_months: Annotated[int, Field(strict=True, ge=0, le=60), WHOLE_NUMBER] = Field(
        default("gradual_exit_months"), description="R-BE-6: months of the gradual exit (渐退期)")
    average_dibao_per_capita_fen: AmountFen = Field(
        default("average_dibao_per_capita_fen"),
        description="R-BE-4: the county's average per-capita dibao payment, as published "
        "(the benefit of a 单人户)")
    tekun_basic_factor: Annotated[Multiple, Field(ge=Decimal("1.3"), le=10)] = Field(
        default("tekun_basic_factor"),
        description="R-BE-7: the basic living standard is at least this multiple of the "
        "dibao standard (1.3 at least)")
    tekun_basic_standard_fen: AmountFen | None = Field(
        default("tekun_basic_standard_fen"),
        description="R-BE-7: the basic living standard when set above that floor; null: the "
        "floor itself")
    tekun_care_fen: TekunCare = Field(
        default_factory=lambda: TekunCare(**default("tekun_care_fen")),
        description="R-BE-7: the care standard by self-care ability")
    temp_aid_cap_multiple: TempAidCaps = Field(
        default_factory=lambda: TempAidCaps(**default("temp_aid_cap_multiple")),
        description="R-BE-8: the caps of temporary aid")
    deposit_limit_multiple: Multiple = Field(
        default("deposit_limit_multiple"),
        description="R-BE-10: deposits per person up to this multiple of the monthly standard")
    vehicle_limit: Count = Field(default("vehicle_limit"),
                                 description="R-BE-10: vehicles beyond the exempt ones")
    home_limit: Count = Field(default("home_limit"),
                              description="R-BE-10: homes beyond the exempt ones")
    excluded_income_items: list[Code] = Field(
        default_factory=lambda: default("excluded_income_items"), max_length=50,
        description="R-BE-9: income items the city government excludes, beyond the statutory "
        "ones")
    border_counties: list[CountyCode] = Field(
        default_factory=lambda: default("border_counties"), max_length=200,
        description="R-BE-12: the province's border counties (rural residents of one are "
        "assisted on the urban standard)")

    @field_validator("excluded_income_items", "border_counties")
    @classmethod
    def _distinct(cls, values: list[str]) -> list[str]:
        if len(set(values)) != len(values):
            raise ValueError("lists an item twice")
        return values

    def to_parameters(self) -> Parameters:
        """The rules' own dataclass; ValueError names the figure it refuses (R-BE-7 floor…)."""
        return Parameters(**{
            **self.model_dump(exclude={"tekun_care_fen", "temp_aid_cap_multiple",
                                       "excluded_income_items", "border_counties"}),
            "tekun_care_fen": self.tekun_care_fen.model_dump(),
            "temp_aid_cap_multiple": self.temp_aid_cap_multiple.model_dump(),
            "excluded_income_items": tuple(self.excluded_income_items),
            "border_counties": tuple(self.border_counties),
        })

    @classmethod
    def of(cls, parameters: Parameters) -> PolicyParameters:
        values = dataclasses.asdict(parameters)
        return cls.model_validate({k: list(v) if isinstance(v, tuple) else v
                                   for k, v in values.items()})


DEMO_FIGURES: dict[str, Any] = {"dibao_standard_fen": 75_000, "minimum_wage_fen": 175_000,
                "average_dibao_per_capita_fen": 62_000,
                "tekun_care_fen": {"able": 10_000, "partly_unable": 40_000, "unable": 80_000}}


class PolicyVersionIn(BaseModel):
    """A new version of a county's parameters for one area, in force from a day on. It never
    changes a version already published: it follows it (R-AU-2)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"county": "230722", "area": "urban", "effective_from": "2027-01-01",
         "reason": "县人民政府关于调整城乡最低生活保障标准的通知（演示）",
         "parameters": {**DEMO_FIGURES, "dibao_standard_fen": 78_000}},
        {"county": "230722", "area": "rural", "effective_from": "2027-01-01",
         "reason": "农村低保标准调整（演示数据）", "demo": True,
         "parameters": {"dibao_standard_fen": 58_000, "minimum_wage_fen": 175_000,
                        "average_dibao_per_capita_fen": 41_000, "addon_rate": "0.15",
                        "near_dibao_factor": "1.5", "benefit_rounding": "up",
                        "tekun_care_fen": {"able": 8_000, "partly_unable": 30_000,
                                           "unable": 60_000},
                        "temp_aid_cap_multiple": {"temp_emergency": "3",
                                                  "temp_expenditure": "6"},
                        "border_counties": ["230722"]}},
    ]})

    county: CountyCode = Field(description="the county (6 digits) the figures are set for",
                               examples=["230722"])
    area: Area = Field(description="urban (城市) or rural (农村) residents")
    effective_from: CivilDate = Field(
        description="the first day the version is in force: today or later, except for the "
        "first version of a county and area (the figures already in force when it starts "
        "using the system)")
    reason: Reason = Field(description="why: the government's document, the change")
    demo: Flag = Field(False, description="demo values, not official ones (`make run`)")
    parameters: PolicyParameters


class WithdrawalIn(BaseModel):
    """Withdraw a version before it takes effect (recorded, never deleted)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"reason": "标准文件撤回，重新发布（演示）"},
    ]})

    reason: Reason


class PolicyVersionOut(BaseModel):
    id: str
    county: str
    area: Area
    version: int = Field(description="1, 2, … per county and area, in the order published")
    effective_from: date
    parameters: PolicyParameters
    demo: bool = Field(description="demo values, not official ones")
    reason: str
    published_by: str
    published_at: datetime
    withdrawn: bool
    withdrawn_at: datetime | None
    withdrawn_by: str | None
    withdrawn_reason: str | None

    @classmethod
    def of(cls, row: PolicyVersion) -> PolicyVersionOut:
        return cls(
            id=row.id, county=row.county, area=cast(Area, row.area),
            version=row.version, effective_from=row.effective_from,
            parameters=PolicyParameters.model_validate(row.parameters), demo=row.demo,
            reason=row.reason, published_by=row.published_by, published_at=row.published_at,
            withdrawn=row.withdrawn_at is not None, withdrawn_at=row.withdrawn_at,
            withdrawn_by=row.withdrawn_by, withdrawn_reason=row.withdrawn_reason)
