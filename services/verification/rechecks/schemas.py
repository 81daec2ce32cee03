"""API shapes of re-check tasks (复核, R-DY-2)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from services.verification.forms.schemas import (
    MAX_ITEMS,
    AssetItemIn,
    ExpenditureItemIn,
    IncomeItemIn,
)
from services.verification.investigations.schemas import StaffIn, VillageHelperIn
from shared.inputs import CivilDate, Flag, Reason
from shared.inputs.household import MemberFactsIn

HEAD = "5f1c2a9e8b7d4c3aa1e0f9d8c7b6a501"
SPOUSE = "5f1c2a9e8b7d4c3aa1e0f9d8c7b6a502"


class RecheckTeamIn(BaseModel):
    """Who re-checks: two township staff at least (R-VE-1), the village committee assisting."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"investigators": [
            {"user_id": "demo-caseworker-230722100", "name": "朝阳镇经办人(演示)",
             "role": "caseworker"},
            {"user_id": "demo-township_leader-230722100", "name": "朝阳镇主管领导(演示)",
             "role": "township_leader"},
        ], "village_helper": {"name": "刘长河", "title": "东风村村委会主任"}},
    ]})

    investigators: list[StaffIn] = Field(min_length=1, max_length=10)
    village_helper: VillageHelperIn | None = None



class RecheckResultIn(BaseModel):
    """The household as the re-check found it, recorded by one of the team (R-DY-2)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"visited_on": "2027-05-20",
         "members": [
             {"member_id": HEAD, "age": 53, "employed": True, "able_to_work": True},
             {"member_id": SPOUSE, "age": 51, "able_to_work": False, "seriously_ill": True}],
         "income": [{"member_id": HEAD, "kind": "wages", "description": "镇上打零工",
                     "monthly_fen": 95000, "verified_by": "letter"}],
         "assets": [{"kind": "deposit", "description": "农村信用社存款", "value_fen": 300000}],
         "rigid_expenditure": [{"member_id": SPOUSE, "kind": "serious_illness",
                                "description": "慢性病门诊", "monthly_fen": 20000}],
         "unsteady_income": True,
         "findings": "户主务工收入不稳定, 妻子仍患慢性病; 家庭情况与上次核查基本一致"},
    ]})

    visited_on: CivilDate = Field(description="the day of the home visit (not in the future)")
    members: list[MemberFactsIn] = Field(min_length=1, max_length=50)
    income: list[IncomeItemIn] = Field(default_factory=list, max_length=MAX_ITEMS)
    assets: list[AssetItemIn] = Field(default_factory=list, max_length=MAX_ITEMS)
    rigid_expenditure: list[ExpenditureItemIn] = Field(default_factory=list,
                                                       max_length=MAX_ITEMS)
    unsteady_income: Flag = Field(description="income that varies month to month (R-DY-2)")
    long_lived_in_border_county: Flag = Field(False, description="R-BE-12")
    findings: Reason


class RecheckTaskOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    recheck_id: str
    beneficiary_id: str
    application_id: str
    application_number: str
    program: str
    division: str
    head_name_masked: str
    household_size: int
    members: list[dict[str, Any]] = Field(description="member ids and masked names")
    monthly_fen: int
    due_on: date
    overdue: bool = False
    frequency_months: int
    reasons: list[str]
    status: str = Field(description="open or completed")
    opened_at: datetime
    investigators: list[dict[str, Any]] | None
    village_helper: dict[str, Any] | None
    team_assigned_at: datetime | None
    visited_on: date | None
    result: dict[str, Any] | None
    unsteady_income: bool | None
    findings: str | None
    completed_by: str | None
    completed_at: datetime | None
