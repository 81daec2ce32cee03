"""Events as their producers would send them, for tests that publish to a consumer directly."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any, ClassVar

from pydantic import Field

from shared.context import new_id
from shared.contracts import EventContract
from shared.contracts.intake import ApplicationAccepted
from shared.contracts.kit import KitEvent
from shared.events import Envelope, new_envelope
from shared.workdays import today_in_shanghai

COUNTY = "230722"


class TestRecorded(KitEvent):
    """An event any service may emit in tests (not part of the product's contracts)."""

    __test__ = False
    event: ClassVar[str] = "test_recorded"
    n: int = 0
    note: str | None = Field(None)


def envelope_of(contract: EventContract, *, subject: str, division: str | None = None,
                county: str = COUNTY, service: str | None = None) -> Envelope:
    """The envelope ``emit`` would write for ``contract`` (personal data left unsealed)."""
    return new_envelope(service=service or contract.service, county=county,
                        event=contract.event, subject=subject, division=division,
                        data=contract.model_dump(mode="json"), schemaversion=contract.version)


def accepted(*, division: str = "230722100201", county: str = COUNTY,
             application_id: str | None = None, review_due_on: date | None = None,
             **fields: Any) -> Envelope:
    """An ``intake.application_accepted`` envelope as intake sends it."""
    application_id = application_id or new_id()
    accepted_on = fields.pop("accepted_on", today_in_shanghai() - timedelta(days=3))
    data = ApplicationAccepted(**{
        "application_id": application_id,
        "application_number": f"SQ{county}-{application_id[:8]}", "program": "dibao",
        "division": division, "area": "rural", "household_size": 3, "channel": "window",
        "accepted_on": accepted_on,
        "review_due_on": review_due_on or accepted_on + timedelta(days=28),
        "review_due_provisional": False, "members": [], **fields})
    return envelope_of(data, subject=application_id, division=division, county=county)
