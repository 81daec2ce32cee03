"""Bearer JWT: HS256 for the embedded default, RS256 through a JWKS; roles and jurisdiction."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from sqlalchemy import Column, MetaData, String, Table, select
from sqlalchemy.dialects import sqlite

from shared.auth import Role, User, decode_token, issue_token, load_or_create_secret
from shared.problems import NotFound, OutOfJurisdiction, Unauthorized
from shared.settings import Settings


def settings(tmp_path, **kw) -> Settings:
    return Settings(service="intake", data_dir=tmp_path, **kw)


def test_hs256_round_trip_with_a_locally_generated_secret(tmp_path):
    s = settings(tmp_path)
    token = issue_token(s, user_id="cw-1", role=Role.caseworker, divisions=["230722100"])
    assert (tmp_path / "jwt-secret").stat().st_mode & 0o777 == 0o600
    assert load_or_create_secret(s) == (tmp_path / "jwt-secret").read_text().strip()
    user = decode_token(s, token)
    assert user == User(user_id="cw-1", role="caseworker", divisions=("230722100",))


@pytest.mark.parametrize("claims, reason", [
    ({"role": "caseworker", "divisions": ["230722100"], "exp": 1}, "expired"),
    ({"role": "mayor", "divisions": ["230722100"]}, "unknown role"),
    ({"role": "caseworker", "divisions": "230722100"}, "divisions"),
    ({"role": "caseworker", "divisions": ["230722100"], "iss": "someone-else"}, "issuer"),
])
def test_bad_tokens_are_refused(tmp_path, claims, reason):
    s = settings(tmp_path)
    now = int(time.time())
    body = {"sub": "u", "iss": s.jwt_issuer, "iat": now, "exp": now + 60} | claims
    token = jwt.encode(body, load_or_create_secret(s), algorithm="HS256")
    with pytest.raises(Unauthorized) as exc:
        decode_token(s, token)
    assert exc.value.status == 401
    assert reason.split()[0] in str(exc.value).lower() or reason in str(exc.value)


def test_a_token_signed_with_another_secret_is_refused(tmp_path):
    token = issue_token(settings(tmp_path / "a"), user_id="u", role="auditor", divisions=["230700"])
    with pytest.raises(Unauthorized):
        decode_token(settings(tmp_path / "b"), token)


@pytest.fixture
def jwks_server() -> Iterator[tuple[str, rsa.RSAPrivateKey]]:
    """An identity provider's key set served over HTTP on loopback."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
    body = json.dumps({"keys": [jwk | {"kid": "idp-1", "use": "sig", "alg": "RS256"}]}).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/jwks.json", key
    finally:
        server.shutdown()


def test_rs256_tokens_of_an_external_identity_provider(tmp_path, jwks_server):
    url, key = jwks_server
    s = settings(tmp_path, jwt_jwks_url=url, jwt_issuer="https://idp.example",
                 jwt_audience="assist")
    claims = {"sub": "officer-9", "role": "county_officer", "divisions": ["230722"],
              "iss": "https://idp.example", "aud": "assist", "iat": int(time.time()),
              "exp": int(time.time()) + 60}
    token = jwt.encode(claims, key, algorithm="RS256", headers={"kid": "idp-1"})
    assert decode_token(s, token) == User("officer-9", "county_officer", ("230722",))

    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    forged = jwt.encode(claims, other, algorithm="RS256", headers={"kid": "idp-1"})
    with pytest.raises(Unauthorized):
        decode_token(s, forged)
    hs = jwt.encode(claims, "a-shared-secret-someone-guessed-0123456789", algorithm="HS256",
                    headers={"kid": "idp-1"})
    with pytest.raises(Unauthorized):  # no algorithm confusion once a JWKS is configured
        decode_token(s, hs)


def test_a_record_outside_the_divisions_is_answered_as_one_that_does_not_exist_R_SE_1():
    """R-SE-1: by its id, another township's record is a 404 with the text of a missing one
    (never a 403 that confirms it), flagged for the operation log; a record inside passes."""
    from shared import context

    township = User("cw", "caseworker", ("230722100",))
    township.require_record("230722100201", "no application a1")
    token = context.hidden_record.set(False)
    try:
        with pytest.raises(NotFound) as refused:
            township.require_record("230722101201", "no application a1")
        assert refused.value.detail == "no application a1" and context.hidden_record.get()
        with pytest.raises(NotFound):
            township.require_record(None, "no case reference r1")  # a record of no division
    finally:
        context.hidden_record.reset(token)


def test_jurisdiction_follows_division_codes_R_SE_1():
    """R-SE-1: a township sees its villages; a city sees its counties; nobody sees a sibling."""
    township = User("cw", "caseworker", ("230722100",))
    city = User("co", "city_officer", ("230700",))
    assert township.can_access("230722100201")
    assert not township.can_access("230722101201")
    assert city.can_access("230781100201") and not city.can_access("230100")
    with pytest.raises(OutOfJurisdiction):
        township.require_access("230722101")

    table = Table("t", MetaData(), Column("division", String))
    sql = str(select(table).where(city.jurisdiction(table.c.division)).compile(
        dialect=sqlite.dialect(), compile_kwargs={"literal_binds": True}))
    assert "LIKE '2307' || '%'" in sql
    nobody = User("x", "caseworker", ())
    none_sql = str(select(table).where(nobody.jurisdiction(table.c.division)).compile(
        dialect=sqlite.dialect(), compile_kwargs={"literal_binds": True}))
    assert "0 = 1" in none_sql or "false" in none_sql.lower()


def test_the_secret_file_is_read_again_only_when_it_changes(tmp_path, monkeypatch):
    """A request costs a stat of the secret file, not a read; a replaced secret is taken up."""
    s = Settings(service="intake", data_dir=tmp_path)
    first = load_or_create_secret(s)
    reads = []
    real = Path.read_text

    def counting(self, *args, **kwargs):
        reads.append(self)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Path, "read_text", counting)
    assert [load_or_create_secret(s) for _ in range(5)] == [first] * 5
    assert reads == []
    (tmp_path / "jwt-secret").write_text("a-replaced-secret-of-another-length\n")
    assert load_or_create_secret(s) == "a-replaced-secret-of-another-length"
    assert len(reads) == 1


def test_a_token_verified_once_is_still_refused_once_expired_or_under_other_terms(tmp_path):
    """R-SE-1: a repeat of a verified token skips the HMAC, never the clock or the terms."""
    s = settings(tmp_path, jwt_leeway_s=0)
    now = time.time()
    body = {"sub": "u", "role": "caseworker", "divisions": ["230722100"], "iss": s.jwt_issuer,
            "iat": int(now), "exp": int(now) + 2}
    token = jwt.encode(body, load_or_create_secret(s), algorithm="HS256")
    assert decode_token(s, token).user_id == "u"
    assert decode_token(s, token).user_id == "u"  # the repeat, from what was verified
    # the same token to a service with an audience it lacks: verified again, and refused
    with pytest.raises(Unauthorized):
        decode_token(settings(tmp_path, jwt_leeway_s=0, jwt_audience="portal"), token)
    # a replaced secret: the token no longer verifies
    with pytest.raises(Unauthorized):
        decode_token(settings(tmp_path, jwt_leeway_s=0, jwt_secret="another-" + "x" * 40), token)
    assert decode_token(s, token).user_id == "u"
    time.sleep(max(0.0, int(now) + 2 - time.time()) + 0.05)
    with pytest.raises(Unauthorized, match="expired"):  # the repeat past its exp
        decode_token(s, token)
