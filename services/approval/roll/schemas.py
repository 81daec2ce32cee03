"""The API shape of the roll: a beneficiary, its members and its history (masked, R-SE-2)."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field


class CoveredMemberOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    member_id: str
    name_masked: str | None


class RollChangeOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    kind: str = Field(description="approved, increased, decreased, gradual_exit, stopped, "
                      "recheck_requested, recheck_completed, recheck_frequency, care_agreement")
    amount_fen: int | None
    effective_month: str | None
    detail: str | None
    reference: str | None = Field(description="the adjustment's or re-check's id")
    actor: str | None
    at: datetime


class BeneficiaryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    case_id: str
    application_id: str
    application_number: str
    program: str
    division: str = Field(description="the household's village (R-DY-1)")
    area: str
    unit: str
    head_name_masked: str
    household_size: int = Field(description="members covered")
    monthly_fen: int = Field(description="the amount paid now, integer fen")
    amount_from: str = Field(description="the month the amount holds from")
    effective_month: str = Field(description="the first month paid (R-AP-4)")
    certificate_number: str
    status: str = Field(description="active, gradual_exit (R-BE-6) or stopped (R-DY-3)")
    stop_month: str | None = Field(description="the first month not paid, once decided")
    stop_reason: str | None
    exit_from_month: str | None = Field(description="the gradual exit's first month (R-BE-6)")
    recheck_months: int = Field(description="12 yearly, 6 half-yearly (R-DY-2)")
    recheck_reasons: list[str] = Field(description="why half-yearly: unsteady_income, "
                                       "able_to_work, near_relative")
    next_recheck_due: date
    recheck_overdue: bool = False
    last_recheck_on: date | None
    approved_at: datetime
    updated_at: datetime


class BeneficiaryDetail(BeneficiaryOut):
    members: list[CoveredMemberOut]
    history: list[RollChangeOut] = Field(description="every change, oldest first (R-AU-2)")
