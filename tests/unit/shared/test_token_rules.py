"""Tokens refused when they are read: claim shapes, division codes, lifetimes and clocks (R-SE-1).

A correctly signed token is still only a claim: whatever in it the services cannot use is a 401
at `decode_token`, so nothing downstream (jurisdiction filters, events, logs) meets it.
"""

from __future__ import annotations

import time
from typing import Any

import jwt
import pytest
from pydantic import ValidationError

from shared.auth import DEFAULT_TTL_S, User, decode_token, issue_token, load_or_create_secret
from shared.problems import Unauthorized
from shared.settings import Settings
from tests.unit.shared.test_auth import jwks_server  # noqa: F401 - the identity provider

YEAR = 365 * 24 * 3600


def settings(tmp_path, **kw: Any) -> Settings:
    return Settings(service="intake", data_dir=tmp_path, **kw)


def signed(s: Settings, **claims: Any) -> str:
    """A correctly signed HS256 token: a valid caseworker's claims, changed by ``claims``
    (a claim given as None is left out)."""
    now = int(time.time())
    body = {"sub": "cw-1", "role": "caseworker", "divisions": ["230722100"],
            "iss": s.jwt_issuer, "iat": now, "exp": now + 3600} | claims
    body = {k: v for k, v in body.items() if v is not None}
    return jwt.encode(body, load_or_create_secret(s), algorithm="HS256")


def refused(s: Settings, token: str) -> str:
    with pytest.raises(Unauthorized) as exc:
        decode_token(s, token)
    assert exc.value.status == 401
    return str(exc.value)


@pytest.mark.parametrize("divisions", [
    [""], ["23"], ["2307"], ["23072"], ["2307221"], ["2307221000"], ["230722100201x"],
    ["２３０７２２"], [" 230722"], ["230722", "23"], ["9" * 8000],
])
def test_divisions_that_are_not_division_codes_are_refused_R_SE_1(tmp_path, divisions):
    """R-SE-1: a division that is not a 6-, 9- or 12-digit code would make every jurisdiction
    check fail (a 500 at the first list); the token is refused instead."""
    s = settings(tmp_path)
    message = refused(s, signed(s, divisions=divisions))
    assert "not a division code" in message
    assert len(message) < 200  # a long claim is not echoed back


@pytest.mark.parametrize("claims, reason", [
    ({"divisions": "230722100"}, "divisions"),
    ({"divisions": {"230722100": True}}, "divisions"),
    ({"divisions": [230722100]}, "divisions"),
    ({"divisions": [["230722100"]]}, "divisions"),
    ({"divisions": 0}, "divisions"),
    ({"role": 7}, "role"),
    ({"role": ["caseworker"]}, "role"),
    ({"role": "Caseworker"}, "role"),
    ({"sub": ""}, "sub"),
    ({"sub": "   "}, "sub"),
    ({"sub": "cw\n1"}, "sub"),
    ({"sub": "x" * 256}, "sub"),
    ({"sub": 42}, "subject"),
])
def test_other_claim_shapes_are_refused(tmp_path, claims, reason):
    s = settings(tmp_path)
    assert reason in refused(s, signed(s, **claims)).lower()


def test_division_codes_of_every_level_are_accepted_and_duplicates_kept_once_R_SE_1(tmp_path):
    """R-SE-1: province, city, county, township and village codes; a repeated code is harmless."""
    s = settings(tmp_path)
    codes = ["230000", "230700", "230722", "230722100", "230722100201", "230722"]
    user = decode_token(s, signed(s, divisions=codes))
    assert user.divisions == ("230000", "230700", "230722", "230722100", "230722100201")
    assert decode_token(s, signed(s, divisions=None)).divisions == ()  # no claim: no reach
    assert decode_token(s, signed(s, sub="x" * 255)).user_id == "x" * 255


def test_a_user_with_an_invalid_division_cannot_be_made_R_SE_1():
    """R-SE-1: whatever builds a User, the jurisdiction checks never see a bad code."""
    for bad in ("", "23", "2307"):
        with pytest.raises(ValueError):
            User("u", "caseworker", ("230722100", bad))


def test_a_token_valid_for_100_years_is_refused(tmp_path):
    s = settings(tmp_path)
    now = int(time.time())
    assert "maximum lifetime" in refused(s, signed(s, iat=now, exp=now + 100 * YEAR))


def test_the_maximum_lifetime_is_exp_minus_iat_and_needs_iat(tmp_path):
    s = settings(tmp_path, jwt_max_lifetime_s=3600)
    now = int(time.time())
    assert decode_token(s, signed(s, iat=now, exp=now + 3600)).user_id == "cw-1"
    assert "maximum lifetime of 3600 s" in refused(s, signed(s, iat=now, exp=now + 3601))
    assert "iat" in refused(s, signed(s, iat=None, exp=now + 60))
    assert "number" in refused(s, signed(s, iat=str(now), exp=now + 60))
    unlimited = settings(tmp_path, jwt_max_lifetime_s=0)
    assert decode_token(unlimited, signed(unlimited, iat=None, exp=now + 100 * YEAR))


def test_nbf_iat_and_exp_with_a_small_clock_skew(tmp_path):
    """Clocks of an identity provider and a service differ a little: 30 s by default."""
    s = settings(tmp_path)
    assert s.jwt_leeway_s == 30
    now = int(time.time())
    assert decode_token(s, signed(s, nbf=now + 10))  # within the skew
    assert "not yet valid (nbf)" in refused(s, signed(s, nbf=now + 120))
    assert decode_token(s, signed(s, iat=now + 10, exp=now + 600))
    assert "not yet valid (iat)" in refused(s, signed(s, iat=now + 120, exp=now + 600))
    assert decode_token(s, signed(s, iat=now - 600, exp=now - 10))  # just expired: still within
    assert "expired" in refused(s, signed(s, iat=now - 600, exp=now - 60))
    strict = settings(tmp_path, jwt_leeway_s=0)
    assert "expired" in refused(strict, signed(strict, iat=now - 600, exp=now - 10))
    assert "nbf" in refused(strict, signed(strict, nbf=now + 10))


def test_issue_token_stays_within_the_maximum(tmp_path):
    s = settings(tmp_path)
    claims = jwt.decode(issue_token(s, user_id="u", role="auditor", divisions=["230700"]),
                        options={"verify_signature": False})
    assert claims["exp"] - claims["iat"] == DEFAULT_TTL_S == 12 * 3600 <= s.jwt_max_lifetime_s
    short = settings(tmp_path, jwt_max_lifetime_s=600)
    token = issue_token(short, user_id="u", role="auditor", divisions=["230700"])
    claims = jwt.decode(token, options={"verify_signature": False})
    assert claims["exp"] - claims["iat"] == 600 and decode_token(short, token)
    with pytest.raises(ValueError, match="maximum lifetime"):
        issue_token(s, user_id="u", role="auditor", divisions=["230700"], ttl_s=100 * YEAR)


def test_lifetime_settings_are_checked():
    with pytest.raises(ValidationError):
        Settings(service="intake", jwt_max_lifetime_s=-1)
    with pytest.raises(ValidationError):
        Settings(service="intake", jwt_leeway_s=-5)


def test_rs256_tokens_get_the_same_checks_R_SE_1(tmp_path, jwks_server):  # noqa: F811
    url, key = jwks_server
    s = settings(tmp_path, jwt_jwks_url=url, jwt_issuer="https://idp.example")
    now = int(time.time())

    def rs256(**claims: Any) -> str:
        body = {"sub": "officer-9", "role": "county_officer", "divisions": ["230722"],
                "iss": "https://idp.example", "iat": now, "exp": now + 600} | claims
        body = {k: v for k, v in body.items() if v is not None}
        return jwt.encode(body, key, algorithm="RS256", headers={"kid": "idp-1"})

    assert decode_token(s, rs256()).divisions == ("230722",)
    assert "not a division code" in refused(s, rs256(divisions=["2307"]))
    assert "maximum lifetime" in refused(s, rs256(exp=now + 100 * YEAR))
    assert "iat" in refused(s, rs256(iat=None))
    assert "nbf" in refused(s, rs256(nbf=now + 120))
    assert "iat" in refused(s, rs256(iat=now + 120, exp=now + 700))
    assert decode_token(s, rs256(nbf=now + 10))
