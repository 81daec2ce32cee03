"""Events the applications listen to; none yet (decisions will close applications)."""

from __future__ import annotations

from shared.contracts import EventContract
from shared.inbox import Handler

HANDLERS: dict[type[EventContract], Handler] = {}
