"""The API shape of payment files and bank results."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, computed_field

from services.disbursement.bank_files.models import PaymentFileKind
from shared.inputs import DivisionCode
from shared.money import fen_to_yuan

MonthText = Field(pattern=r"^\d{4}-(0[1-9]|1[0-2])$", description="YYYY-MM",
                  examples=["2026-12"])


class PaymentFileIn(BaseModel):
    """Which payments go in the file."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"county": "230722", "kind": "monthly", "month": "2026-12", "format": "csv"}]})

    county: DivisionCode = Field(description="the county (6 digits) whose payments are paid")
    kind: PaymentFileKind = Field(description="`monthly`: the roster of `month` (R-DI-3); "
                                  "`once`: temporary aid ready now, granted in `month` or "
                                  "before")
    month: str = MonthText
    format: Literal["csv", "xlsx"] = "csv"


class PaymentFileOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    county: str
    kind: str
    month: str
    format: str
    rows: int
    total_fen: int
    sha256: str = Field(description="SHA-256 of the file's bytes, hex")
    size: int
    made_by: str
    made_at: datetime
    answered: int = Field(description="lines the bank has answered, paid or failed")

    @computed_field  # type: ignore[prop-decorator]
    @property
    def total_yuan(self) -> str:
        return str(fen_to_yuan(self.total_fen))


class BankResultOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    file_id: str
    county: str
    format: str
    sha256: str
    rows: int
    paid: int
    failed: int = Field(description="failed once: paid again once when the account is "
                        "corrected (R-DI-6)")
    held: int = Field(description="failed a second time: held for manual handling")
    total_fen: int
    received_by: str
    received_at: datetime
