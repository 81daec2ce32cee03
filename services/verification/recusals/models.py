"""Staff recused from an application's investigation (回避, R-AP-8), as approval flagged them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from services.verification.db import Base
from shared.db import UTCDateTime


class Recusal(Base):
    """A staff member who may take no part in the investigation of this application: a near
    relative of theirs is in its household (``case_flagged_near_relative``)."""

    __tablename__ = "recusal"

    application_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    staff_user_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    case_id: Mapped[str] = mapped_column(String(32))
    flagged_at: Mapped[datetime] = mapped_column(UTCDateTime())
    removed_from: Mapped[str | None] = mapped_column(String(32))
    """The investigation whose team they were taken off when the flag arrived, if any."""
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
