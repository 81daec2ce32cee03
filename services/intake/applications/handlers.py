"""Events the applications listen to; none yet (decisions will close applications)."""

from __future__ import annotations

from shared.inbox import Handler

HANDLERS: dict[str, Handler] = {}
