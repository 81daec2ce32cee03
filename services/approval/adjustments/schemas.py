"""API shapes of adjustments (R-DY-3) and of a household as found (the rules' input)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from services.approval.adjustments.assess import Found
from shared.contracts.fields import Month
from shared.contracts.verification import (
    AssetKind,
    AssetLine,
    ExpenditureKind,
    ExpenditureLine,
    IncomeKind,
    IncomeLine,
    RecheckMember,
)
from shared.inputs import AmountFen, Flag, Label, Reason, RecordId
from shared.inputs.household import MemberFactsIn

MAX_ITEMS = 100
MEMBER = "5f1c2a9e8b7d4c3aa1e0f9d8c7b6a501"
SPOUSE = "5f1c2a9e8b7d4c3aa1e0f9d8c7b6a502"


class IncomeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    member_id: RecordId | None = None
    kind: IncomeKind
    description: Label
    monthly_fen: AmountFen
    counted: Flag = Field(True, description="false: an exempt item (R-BE-9)")


class AssetIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: AssetKind
    description: Label
    value_fen: AmountFen
    exempt: Flag = False
    exempt_reason: Label | None = None


class ExpenditureIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    member_id: RecordId | None = None
    kind: ExpenditureKind
    description: Label
    monthly_fen: AmountFen


class HouseholdFoundIn(BaseModel):
    """The household as found now: members, income per month, assets, rigid expenditure."""

    model_config = ConfigDict(extra="forbid")

    members: list[MemberFactsIn] = Field(min_length=1, max_length=50)
    income: list[IncomeIn] = Field(default_factory=list, max_length=MAX_ITEMS)
    assets: list[AssetIn] = Field(default_factory=list, max_length=MAX_ITEMS)
    rigid_expenditure: list[ExpenditureIn] = Field(default_factory=list, max_length=MAX_ITEMS)
    long_lived_in_border_county: Flag = Field(False, description="R-BE-12")

    @model_validator(mode="after")
    def _lines_name_members(self) -> HouseholdFoundIn:
        ids = [m.member_id for m in self.members]
        if len(set(ids)) != len(ids):
            raise ValueError("a member is listed twice")
        named = [i.member_id for i in self.income] + [e.member_id for e in self.rigid_expenditure]
        for member_id in named:
            if member_id is not None and member_id not in ids:
                raise ValueError(f"{member_id} is not a member listed")
        return self

    def found(self) -> Found:
        return Found(
            members=[RecheckMember(**m.model_dump()) for m in self.members],
            income=[IncomeLine(**i.model_dump(), not_counted_reason=None,
                               verified_by="declaration") for i in self.income],
            assets=[AssetLine(**a.model_dump()) for a in self.assets],
            rigid_expenditure=[ExpenditureLine(**e.model_dump())
                               for e in self.rigid_expenditure],
            long_lived_in_border_county=self.long_lived_in_border_county)


class AdjustmentIn(BaseModel):
    """A caseworker's proposal (R-DY-3): `recompute` puts the household as found to the benefit
    rules (increase, decrease, gradual exit R-BE-6, or stop as they give); `stop` stops the
    benefit for the reason stated (death, moving away, the household's request)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"kind": "recompute", "reason": "户主王建国务工收入增加 (村委会报告)",
         "effective_month": "2027-01",
         "household": {"members": [
             {"member_id": MEMBER, "age": 52, "employed": True, "able_to_work": True},
             {"member_id": SPOUSE, "age": 50, "able_to_work": False, "seriously_ill": True}],
             "income": [{"member_id": MEMBER, "kind": "wages", "description": "镇上打零工",
                         "monthly_fen": 90000}]}},
        {"kind": "stop", "reason": "户主迁出本县, 本人申请停保", "effective_month": "2027-01"},
    ]})

    kind: Literal["recompute", "stop"]
    reason: Reason
    effective_month: Month = Field(description="YYYY-MM, the current month or later (R-DY-3)")
    household: HouseholdFoundIn | None = Field(None, description="for `recompute`")
    recheck_id: RecordId | None = Field(None, description="the re-check it follows, if any")

    @model_validator(mode="after")
    def _household_for_recompute(self) -> AdjustmentIn:
        if self.kind == "recompute" and self.household is None:
            raise ValueError("`recompute` needs the household as found")
        return self


class ConfirmIn(BaseModel):
    """The township leader confirms (R-AP-2), optionally restating the month."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"note": "经审核确认, 同意调整"}, {"effective_month": "2027-02"},
    ]})

    effective_month: Month | None = Field(None, description="restate the month (not before "
                                          "the current one); default: the proposal's")
    note: Reason | None = None


class RejectIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"reason": "收入证明不足, 请补充后重新提出"},
    ]})

    reason: Reason


class AdjustmentOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    beneficiary_id: str
    case_id: str
    division: str
    change: str = Field(description="increase, decrease, gradual_exit (R-BE-6) or stop")
    source: str = Field(description="recheck or reported_change")
    recheck_id: str | None
    reason: str
    current_fen: int
    new_fen: int | None = Field(description="the new monthly amount; kept during a gradual "
                                "exit; null for a stop")
    effective_month: str
    stop_month: str | None = Field(description="a gradual exit's first month not paid")
    policy_version_id: str | None
    assessment: dict[str, Any] | None = Field(description="the rules' result step by step")
    status: str = Field(description="proposed, confirmed or rejected")
    proposed_by: str
    proposed_at: datetime
    decided_by: str | None
    decided_at: datetime | None
    decision_note: str | None
