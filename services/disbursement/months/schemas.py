"""API shapes of payment months, their history and ledger lines."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from shared.inputs import DivisionCode

County = Annotated[DivisionCode, Field(pattern=r"^[0-9]{6}$", examples=["230722"],
                                        description="a county's six-digit division code")]


PayMonth = Annotated[str, Field(pattern=r"^20[0-9]{2}-(0[1-9]|1[0-2])$", examples=["2027-01"],
                                 description="the payment month P, YYYY-MM (2000–2099)")]


class PaymentMonthIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={
        "examples": [{"county": "230722", "month": "2027-01"}]})

    county: County
    month: PayMonth


class StepOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    step: str
    by: str
    at: datetime
    detail: str


class PaymentMonthOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    county: str
    month: str
    state: str = Field(description="draft → submitted (frozen) → rostered")
    cutoff_at: datetime = Field(description="00:00 Asia/Shanghai on the 24th of P−1 (R-DI-2)")
    lines: int
    amount_fen: int
    arrears_fen: int = Field(description="补发: corrections of frozen months paid with P")
    recovery_fen: int = Field(description="追缴: overpaid in frozen months, to recover")
    recovery_lines: int
    generated_at: datetime
    generated_by: str
    reviewed_at: datetime | None
    reviewed_by: str | None
    submitted_at: datetime | None
    submitted_by: str | None
    roster_at: datetime | None
    roster_by: str | None
    payments: int
    payments_ready: int = Field(description="payments not held (ready, sent, paid, failed)")
    payments_held: int
    payments_fen: int
    updated_at: datetime


class PaymentMonthDetail(PaymentMonthOut):
    history: list[StepOut]


class LedgerLineOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    month: str
    payee_id: str
    beneficiary_id: str
    program: str
    division: str
    unit: str
    name_masked: str
    amount_fen: int
    arrears_fen: int
    recovery_fen: int


class CorrectionOut(BaseModel):
    """A frozen month's difference carried by this month (R-DI-2)."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    payee_id: str
    beneficiary_id: str
    division: str
    name_masked: str
    for_month: str = Field(description="the frozen month corrected")
    amount_fen: int = Field(description="positive: arrears paid with this month (补发); "
                            "negative: overpaid, to recover (追缴)")
