"""Ports chosen for servers on loopback (``shared.natsd.free_port``)."""

from __future__ import annotations

import socket

from shared.natsd import _ephemeral_ports, free_port


def test_a_port_chosen_for_a_server_lies_below_the_ephemeral_range_and_is_free():
    """Outgoing connections take their own ends from the ephemeral range: a port chosen there
    could be taken by one before the server binds it."""
    low, _ = _ephemeral_ports()
    ports = {free_port() for _ in range(20)}
    assert all(20000 <= port < low for port in ports), sorted(ports)
    assert len(ports) > 1, "chosen at random, so that two servers starting together differ"
    for port in ports:
        with socket.socket() as s:
            s.bind(("127.0.0.1", port))


def test_a_port_in_use_is_not_chosen(monkeypatch):
    low, _ = _ephemeral_ports()
    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen()
    busy = taken.getsockname()[1]
    monkeypatch.setattr("shared.natsd._LOWEST_CHOSEN", low - 1000)
    monkeypatch.setattr("shared.natsd.random.sample", lambda population, k: [busy, low - 1])
    try:
        assert free_port() == low - 1
    finally:
        taken.close()
