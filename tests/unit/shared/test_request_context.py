"""The request context a client cannot forge: source address and ids (R-AU-1, R-SE-2)."""

from __future__ import annotations

import ipaddress

import pytest
from pydantic import ValidationError

from shared.logging import checked_id, source_address
from shared.settings import Settings

PROXIES = tuple(ipaddress.ip_network(n) for n in ("10.1.2.0/24", "192.0.2.10", "2001:db8::/64"))


@pytest.mark.parametrize("peer, forwarded, trusted, expected", [
    # nobody trusted (the default): the socket peer, whatever the header says
    ("10.1.2.3", ["10.66.66.66"], (), "10.1.2.3"),
    ("203.0.113.5", ["10.66.66.66"], PROXIES, "203.0.113.5"),  # peer not a proxy
    ("10.1.2.3", [], PROXIES, "10.1.2.3"),  # a proxy, but no header
    # a trusted proxy: the right-most address that is not itself a trusted proxy
    ("10.1.2.3", ["203.0.113.7"], PROXIES, "203.0.113.7"),
    ("10.1.2.3", ["10.66.66.66, 203.0.113.7, 192.0.2.10"], PROXIES, "203.0.113.7"),
    ("10.1.2.3", ["10.66.66.66, 203.0.113.7", "192.0.2.10"], PROXIES, "203.0.113.7"),
    ("10.1.2.3", [" 198.51.100.1 ,10.1.2.4"], PROXIES, "198.51.100.1"),
    ("10.1.2.3", ["10.1.2.8, 192.0.2.10"], PROXIES, "10.1.2.8"),  # only proxies: the farthest
    ("2001:db8::1", ["2001:db8:1::9"], PROXIES, "2001:db8:1::9"),
    ("::ffff:10.1.2.3", ["203.0.113.7"], PROXIES, "203.0.113.7"),  # v4-mapped peer
    # what is not an IP address is never taken: the walk stops at the proxy before it
    ("10.1.2.3", ["evil\n, 203.0.113.7, <script>"], PROXIES, "10.1.2.3"),
    ("10.1.2.3", ["unknown, 192.0.2.10"], PROXIES, "192.0.2.10"),
    ("10.1.2.3", ["203.0.113.7:4711"], PROXIES, "10.1.2.3"),
    ("10.1.2.3", ["x" * 8000], PROXIES, "10.1.2.3"),
    ("testclient", ["203.0.113.7"], PROXIES, None),  # a peer that is no address
    (None, ["203.0.113.7"], PROXIES, None),
])
def test_source_address_R_AU_1(peer, forwarded, trusted, expected):
    """R-AU-1: the source address in the operation log is the peer, or what a trusted proxy
    says; a client's own X-Forwarded-For is never believed."""
    assert source_address(peer, forwarded, trusted) == expected


@pytest.mark.parametrize("value, kept", [
    ("read-1", True), ("0f3c9a", True), ("portal:2026-01-01.7_a", True), ("a" * 64, True),
    ("a" * 65, False), ("", False), ("a b", False), ("a\nb", False), ("a/b", False),
    ("中文", False), ("x" * 8000, False), (None, False),
])
def test_request_and_correlation_ids_are_bounded_and_checked(value, kept):
    assert checked_id(value) == (value if kept else None)


def test_trusted_proxies_setting_is_a_list_of_addresses_and_networks():
    assert Settings(service="intake").trusted_proxy_networks == ()
    s = Settings(service="intake", trusted_proxies=" 10.0.0.1, 172.16.0.0/12 ,,2001:db8::/32")
    assert s.trusted_proxies == "10.0.0.1,172.16.0.0/12,2001:db8::/32"
    assert [str(n) for n in s.trusted_proxy_networks] == [
        "10.0.0.1/32", "172.16.0.0/12", "2001:db8::/32"]
    with pytest.raises(ValidationError, match="proxy.example"):
        Settings(service="intake", trusted_proxies="10.0.0.1,proxy.example")
