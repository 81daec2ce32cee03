"""Approval's decisions as this service reads them (docs/events.md), and the payee API shape."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, computed_field

from shared.divisions import DivisionCode
from shared.money import fen_to_yuan
from shared.programs import Program

Month = Annotated[str, Field(pattern=r"^\d{4}-(0[1-9]|1[0-2])$", description="YYYY-MM")]
Fen = Annotated[int, Field(strict=True, ge=0, description="integer fen (分)")]
Id = Annotated[str, Field(min_length=1, max_length=32)]
MaskedName = Annotated[str, Field(min_length=1, max_length=60)]


class _EventData(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class BeneficiaryApproved(_EventData):
    """Data of ``approval.beneficiary_approved`` and ``approval.temporary_aid_granted``."""

    beneficiary_id: Id
    application_id: Id
    program: Program
    division: DivisionCode
    head_name_masked: MaskedName
    amount_fen: Fen
    effective_month: Month
    unit: Literal["household", "person"] | None = None


class BeneficiaryAdjusted(_EventData):
    """Data of ``approval.beneficiary_adjusted`` (增发、减发, R-DY-3)."""

    beneficiary_id: Id
    amount_fen: Fen
    effective_month: Month
    division: DivisionCode | None = None
    head_name_masked: MaskedName | None = None


class BeneficiaryStopped(_EventData):
    """Data of ``approval.beneficiary_stopped`` (停发, R-DY-3): nothing paid from the month on."""

    beneficiary_id: Id
    effective_month: Month


class PayeeChangeOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    event_id: str
    event_type: str
    kind: str
    amount_fen: int | None
    effective_month: str
    occurred_at: datetime
    recorded_at: datetime


class PayeeOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    beneficiary_id: str
    application_id: str
    program: str
    unit: str
    name_masked: str
    division: str
    payment: str
    amount_fen: int
    amount_from: str
    start_month: str
    stopped_from: str | None
    status: str
    last_event_type: str
    created_at: datetime
    updated_at: datetime

    @computed_field  # type: ignore[prop-decorator]
    @property
    def amount_yuan(self) -> str:
        """The amount in yuan with two places, for display only (money stays in fen)."""
        return str(fen_to_yuan(self.amount_fen))


class PayeeDetail(PayeeOut):
    changes: list[PayeeChangeOut]
