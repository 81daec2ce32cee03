"""The payee API shape."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, computed_field

from shared.money import fen_to_yuan


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
