"""A small per-address rate limit for the public endpoints (those that need no token).

Public calculators (the benefit self-check, the deadline calculator) answer anyone; a token
bucket per source address keeps one caller from taking the service for itself: up to
``ASSIST_PUBLIC_RATE_PER_MINUTE`` requests a minute on average, in bursts of as many, then
429 ``too-many-requests`` with ``retry_after_s``. The source address is the one the request
context found (``X-Forwarded-For`` only from trusted proxies, shared.logging). The buckets live
in the process: each replica counts its own callers, so a load balancer in front of several
replicas should limit too. 0 turns the limit off.
"""

from __future__ import annotations

import math
import threading
import time
from typing import Any

from fastapi import Depends, Request

from shared import context
from shared.problems import PROBLEM_JSON, Problem

MAX_ADDRESSES = 10_000
"""Buckets kept at most; full ones are dropped first when there are more."""

TOO_MANY_REQUESTS: dict[int | str, dict[str, Any]] = {429: {
    "description": "Too many requests from this address: `retry_after_s` says when to try "
    "again (`ASSIST_PUBLIC_RATE_PER_MINUTE`)",
    "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/ProblemDetails"}}}}}
"""The response a rate-limited route documents."""


class TooManyRequests(Problem):
    status, slug, title = 429, "too-many-requests", "Too many requests; try again later"


class RateLimiter:
    """Token buckets per address: ``per_minute`` requests a minute, bursts of as many."""

    def __init__(self, per_minute: int, *, max_addresses: int = MAX_ADDRESSES) -> None:
        self.per_minute = per_minute
        self.max_addresses = max_addresses
        self._buckets: dict[str, tuple[float, float]] = {}  # address → (tokens, at)
        self._lock = threading.Lock()

    def wait(self, address: str, now: float | None = None) -> float:
        """Take one request for ``address``: 0 if it may go now, else the seconds to wait."""
        if self.per_minute <= 0:
            return 0.0
        now = time.monotonic() if now is None else now
        rate = self.per_minute / 60.0
        with self._lock:
            tokens, at = self._buckets.get(address, (float(self.per_minute), now))
            tokens = min(float(self.per_minute), tokens + (now - at) * rate)
            if tokens >= 1:
                self._buckets[address] = (tokens - 1, now)
                self._prune(now)
                return 0.0
            self._buckets[address] = (tokens, now)
            return (1 - tokens) / rate

    def _prune(self, now: float) -> None:
        if len(self._buckets) <= self.max_addresses:
            return
        rate = self.per_minute / 60.0
        full = [a for a, (t, at) in self._buckets.items()
                if t + (now - at) * rate >= self.per_minute]
        for address in full:
            del self._buckets[address]
        while len(self._buckets) > self.max_addresses:  # all busy: forget the oldest
            del self._buckets[next(iter(self._buckets))]


def _limiter(request: Request) -> RateLimiter:
    state = request.app.state
    limiter = getattr(state, "public_rate_limiter", None)
    if limiter is None:
        limiter = RateLimiter(request.app.state.kit.settings.public_rate_per_minute)
        state.public_rate_limiter = limiter
    return limiter


async def _limit(request: Request) -> None:
    address = context.source_address.get() or "unknown"
    wait = _limiter(request).wait(address)
    if wait:
        raise TooManyRequests(f"more than {_limiter(request).per_minute} requests a minute from "
                              f"{address}; try again in {math.ceil(wait)} s",
                              retry_after_s=math.ceil(wait))


PublicRateLimit = Depends(_limit)
"""``dependencies=[PublicRateLimit]`` on a public route, with ``responses=TOO_MANY_REQUESTS``."""
