"""shared.ratelimit: the token buckets that limit the public endpoints per address."""

from __future__ import annotations

import pytest

from shared.ratelimit import RateLimiter


def test_a_burst_of_the_rate_passes_then_the_caller_waits_for_a_token():
    limiter = RateLimiter(60)  # one a second on average, bursts of 60
    assert all(limiter.wait("10.0.0.1", now=100.0) == 0 for _ in range(60))
    assert limiter.wait("10.0.0.1", now=100.0) == pytest.approx(1.0)
    assert limiter.wait("10.0.0.2", now=100.0) == 0  # another address has its own bucket
    assert limiter.wait("10.0.0.1", now=101.5) == 0  # a token came back after a second
    assert limiter.wait("10.0.0.1", now=101.5) > 0


def test_zero_turns_the_limit_off():
    limiter = RateLimiter(0)
    assert all(limiter.wait("10.0.0.1", now=1.0) == 0 for _ in range(10_000))


def test_the_buckets_kept_are_bounded_full_ones_forgotten_first():
    limiter = RateLimiter(2, max_addresses=3)
    limiter.wait("busy", now=0.0)
    limiter.wait("busy", now=0.0)  # empty now
    for i in range(5):
        limiter.wait(f"10.0.0.{i}", now=1000.0)  # the busy one has refilled by then
    assert len(limiter._buckets) <= 3
