"""Who is acting and in which chain of work: ContextVars stamped on every event and log line."""

from __future__ import annotations

import uuid
from contextvars import ContextVar
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Actor:
    """The user (or system component) behind an operation."""

    user_id: str
    role: str
    divisions: tuple[str, ...] = field(default_factory=tuple)

    def as_dict(self) -> dict[str, object]:
        return {"user_id": self.user_id, "role": self.role, "divisions": list(self.divisions)}


ANONYMOUS = Actor(user_id="anonymous", role="public")

current_actor: ContextVar[Actor] = ContextVar("current_actor", default=ANONYMOUS)
correlation_id: ContextVar[str | None] = ContextVar("correlation_id", default=None)
request_id: ContextVar[str | None] = ContextVar("request_id", default=None)
source_address: ContextVar[str | None] = ContextVar("source_address", default=None)
events_emitted: ContextVar[bool] = ContextVar("events_emitted", default=False)
"""Set when the current request wrote a domain event (see shared.operations)."""
hidden_record: ContextVar[bool] = ContextVar("hidden_record", default=False)
"""Set when the current request is answered 404 for a record outside the caller's divisions
(``User.require_record``): an attempt beyond their jurisdiction, which the operation log records
although the caller is told only that there is no such record (R-SE-1, R-AU-1)."""


def new_id() -> str:
    """A fresh random identifier (UUID4, hex)."""
    return uuid.uuid4().hex


def system_actor(service: str) -> Actor:
    """The actor for work a service does on its own, e.g. in an event handler."""
    return Actor(user_id=f"system:{service}", role="system")
