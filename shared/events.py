"""The CloudEvents-shaped envelope every domain event travels in, and NATS subject naming."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic_core import to_jsonable_python

from shared import context

SUBJECT_ROOT = "assist"


class EventActor(BaseModel):
    """Who caused the event: user id, role and the division codes they act for."""

    model_config = ConfigDict(frozen=True)

    user_id: str
    role: str
    divisions: list[str] = Field(default_factory=list)


class Envelope(BaseModel):
    """CloudEvents 1.0 attributes plus actor, correlation id, request id and schema version."""

    model_config = ConfigDict(frozen=True)

    specversion: Literal["1.0"] = "1.0"
    id: str
    type: str = Field(description="assist.<service>.<event>: assist.intake.application_accepted")
    source: str = Field(description="/assist/<county>/<service>")
    subject: str = Field(description="id of the record the event is about")
    time: datetime
    datacontenttype: Literal["application/json"] = "application/json"
    schemaversion: int = 1
    correlationid: str
    requestid: str | None = None
    sourceaddress: str | None = None
    division: str | None = Field(None, description="division code of the record (jurisdiction)")
    destination: str | None = Field(
        None, description="the county an event is addressed to when it is not the producer's own "
        "(a delegation to the county of residence, R-VE-3): it travels on that county's subjects")
    actor: EventActor
    data: dict[str, Any]

    @property
    def service(self) -> str:
        return self.type.split(".")[1]

    @property
    def event(self) -> str:
        return self.type.split(".", 2)[2]

    @property
    def county(self) -> str:
        return self.source.strip("/").split("/")[1]

    @property
    def nats_subject(self) -> str:
        """assist.<county>.<service>.<event>: the destination's county if it has one, else the
        producer's."""
        return nats_subject(self.destination or self.county, self.service, self.event)

    def to_json(self) -> bytes:
        return self.model_dump_json().encode()

    @classmethod
    def from_json(cls, raw: bytes | str) -> Envelope:
        return cls.model_validate_json(raw)


def nats_subject(county: str, service: str, event: str) -> str:
    return f"{SUBJECT_ROOT}.{county}.{service}.{event}"


def new_envelope(
    *, service: str, county: str, event: str, subject: str, data: Mapping[str, Any],
    division: str | None = None, schemaversion: int = 1, event_id: str | None = None,
    destination: str | None = None,
) -> Envelope:
    """An envelope stamped with the current actor, correlation and request ids.

    ``data`` must be JSON already or plainly convertible (dates, enums): anything else is refused,
    never turned into a string behind the producer's back.
    """
    actor = context.current_actor.get()
    rid = context.request_id.get()
    return Envelope(
        id=event_id or context.new_id(),
        type=f"{SUBJECT_ROOT}.{service}.{event}",
        source=f"/{SUBJECT_ROOT}/{county}/{service}",
        subject=subject,
        time=datetime.now(UTC),
        schemaversion=schemaversion,
        correlationid=context.correlation_id.get() or rid or context.new_id(),
        requestid=rid,
        sourceaddress=context.source_address.get(),
        division=division,
        destination=destination,
        actor=EventActor(user_id=actor.user_id, role=actor.role, divisions=list(actor.divisions)),
        data=to_jsonable_python(dict(data)),
    )
