"""The API shape of reconciliations, their differences and sign-offs."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from shared.inputs import Reason


class SignoffIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"note": "差异已核实 differences checked"}]})

    note: Reason | None = None


class SignoffOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    step: str
    signed_by: str
    role: str
    note: str | None
    signed_at: datetime


class ReconciliationOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    division: str
    month: str
    status: str = Field(description="compared → handler_signed → township_signed → "
                        "county_signed (R-DI-7)")
    system_rows: int
    system_fen: int
    finance_rows: int
    finance_fen: int
    finance_sha256: str
    bank_rows: int
    bank_fen: int
    bank_sha256: str
    differences: int
    created_by: str
    created_at: datetime


class ReconciliationDetail(ReconciliationOut):
    counts: dict[str, dict[str, int]] = Field(
        description="differences by file (finance, bank) and kind (missing, extra, "
        "amount_differs, account_differs, paid_twice)")
    signoffs: list[SignoffOut]
    waiting_for: str | None = Field(description="the next sign-off: handler, township, "
                                    "county; null when signed at every level")


class DifferenceOut(BaseModel):
    """One difference; the account shown masked."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    side: str = Field(description="the file compared with the system: finance or bank")
    kind: str
    reference: str = Field(description="the payment id the file names")
    payment_id: str | None
    name_masked: str | None
    account_masked: str | None = Field(description="the system's account, masked")
    system_fen: int | None
    file_fen: int | None = Field(description="the file's amount (their sum when paid twice)")
    lines: int | None = Field(description="the file's lines naming the payment")
