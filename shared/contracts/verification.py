"""Events verification publishes: household investigations (R-VE-1 … R-VE-5)."""

from __future__ import annotations

from typing import ClassVar

from pydantic import AwareDatetime

from shared.contracts.base import EventContract
from shared.contracts.fields import ApplicationNumber, Id
from shared.programs import Program


class VerificationEvent(EventContract):
    service: ClassVar[str] = "verification"


class InvestigationOpened(VerificationEvent):
    """An accepted application's household investigation was opened (R-VE-1)."""

    event: ClassVar[str] = "investigation_opened"
    investigation_id: Id
    application_id: Id
    application_number: ApplicationNumber
    program: Program


class InvestigationCompleted(VerificationEvent):
    """The household investigation is done (R-VE-1): the case awaits the initial opinion."""

    event: ClassVar[str] = "investigation_completed"
    producer_pending: ClassVar[str | None] = "issue 7 (intake and investigation)"
    application_id: Id
    investigation_id: Id
    completed_at: AwareDatetime
