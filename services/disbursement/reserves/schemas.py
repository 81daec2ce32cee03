"""API shapes of the temporary-aid reserve (临时救助备用金, R-DI-9); money in integer fen."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from services.disbursement.reserves.models import MovementKind
from shared.inputs import AmountFen, DivisionCode, RecordId
from shared.inputs.text import TextRule

Note = Annotated[str, TextRule(max_length=200)]
PositiveFen = Annotated[AmountFen, Field(gt=0)]


class ReserveIn(BaseModel):
    """The county sets up a township's reserve with its first amount."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"township": "230722100", "amount_fen": 5_000_000, "note": "县民政局拨付备用金"}]})

    township: DivisionCode = Field(description="the 9-digit township")
    amount_fen: PositiveFen
    note: Note | None = None


class TopUpIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"amount_fen": 2_000_000, "note": "第四季度补充"}]})

    amount_fen: PositiveFen
    note: Note | None = None


class DrawIn(BaseModel):
    """A ready temporary-aid payment of the township, paid from its reserve."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"payment_id": "0f6d2c8e9b7a4c1d8e5f3a2b1c0d9e8f", "note": "急难型临时救助，当日支付"}]})

    payment_id: RecordId
    note: Note | None = None


class ReserveOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    township: str
    county: str
    balance_fen: int = Field(description="the sum of its movements")
    set_up_by: str
    created_at: datetime
    updated_at: datetime


class MovementOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    reserve_id: str
    kind: MovementKind
    amount_fen: int = Field(description="signed: a draw is negative")
    balance_after_fen: int
    payment_id: str | None
    note: str | None
    by: str
    at: datetime
