"""API shapes of payments: masked, never the full account number."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class PaymentOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    month: str
    kind: str = Field(description="monthly (the roster) | once (temporary aid)")
    payee_id: str
    beneficiary_id: str
    program: str
    division: str
    unit: str
    name_masked: str
    amount_fen: int = Field(description="what is paid: the month's amount and any arrears")
    arrears_fen: int
    account_masked: str | None
    status: str
    hold_reason: str | None
    failure_reason: str | None
    attempts: int
    source: str
    paid_at: datetime | None
    created_at: datetime
    updated_at: datetime
