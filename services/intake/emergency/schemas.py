"""API shapes of emergency aid granted first (R-IN-5)."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from services.intake.emergency.models import EmergencyGrant
from services.intake.emergency.service import outstanding_materials
from services.intake.materials.schemas import MaterialOut
from shared.inputs import AmountFen, Reason


class EmergencyGrantIn(BaseModel):
    """Aid granted at once (先行救助): the amount and why it could not wait (R-IN-5)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"amount_fen": 300000,
         "circumstances": "夜间房屋失火, 一家人无处居住, 急需购置被褥和口粮, 先行救助3000元"},
    ]})

    amount_fen: AmountFen = Field(description="the aid, integer fen; its cap (R-BE-8) is "
                                  "approval's to check when it completes the case")
    circumstances: Reason = Field(description="the sudden, severe hardship that could not wait")


class EmergencyAidOut(BaseModel):
    """An application granted aid first, with the materials it still owes."""

    grant_id: str
    application_id: str
    application_number: str
    application_status: str
    division: str
    amount_fen: int
    circumstances: str
    granted_at: datetime
    granted_on: date
    granted_by: str
    outstanding: list[MaterialOut] = Field(description="items of the one-time notice not in yet")
    materials_complete_on: date | None

    @classmethod
    def of(cls, grant: EmergencyGrant) -> EmergencyAidOut:
        a = grant.application
        return cls(grant_id=grant.id, application_id=a.id, application_number=a.number,
                   application_status=a.status, division=grant.division,
                   amount_fen=grant.amount_fen, circumstances=grant.circumstances,
                   granted_at=grant.granted_at, granted_on=grant.granted_on,
                   granted_by=grant.granted_by,
                   outstanding=[MaterialOut(code=m.code, name=m.name)
                                for m in outstanding_materials(a)],
                   materials_complete_on=grant.materials_complete_on)
