"""Bearer JWT auth: user id, role and division codes; roles per endpoint; jurisdiction checks."""

from __future__ import annotations

import os
import secrets
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any

import jwt
import structlog
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import ColumnElement, false, or_
from sqlalchemy.orm import InstrumentedAttribute

from shared import context
from shared.divisions import is_within, significant_prefix, validate_division_code
from shared.problems import Forbidden, NotFound, OutOfJurisdiction, Unauthorized
from shared.settings import Settings


class Role(StrEnum):
    """Roles of DOMAIN.md 'Who uses it', plus other government systems."""

    village_assistant = "village_assistant"  # 村(居)协理员
    caseworker = "caseworker"  # 经办人
    township_leader = "township_leader"  # 主管领导
    county_officer = "county_officer"  # 县(市)区民政
    finance_officer = "finance_officer"  # 财政
    city_officer = "city_officer"  # 市民政
    auditor = "auditor"
    system = "system"  # another government system calling the REST API


STAFF = frozenset(Role) - {Role.system}

DEFAULT_TTL_S = 12 * 3600
"""Validity of the tokens ``issue_token`` makes, unless the maximum lifetime is shorter."""
MAX_SUBJECT_LENGTH = 255
MAX_NAME_LENGTH = 50


@dataclass(frozen=True)
class User(context.Actor):
    """The authenticated caller. Its divisions are valid codes (6, 9 or 12 digits): a User
    with anything else cannot be made, so jurisdiction checks never meet one (R-SE-1)."""

    name: str | None = None
    """The person's name, from the token's optional ``name`` claim (recorded where a rule
    needs a name: the investigators who confirm a form, R-VE-1)."""

    def __post_init__(self) -> None:
        for code in self.divisions:
            validate_division_code(code)

    def can_access(self, division: str) -> bool:
        """R-SE-1: a user reaches only records inside the divisions assigned to them."""
        return any(is_within(division, own) for own in self.divisions)

    def jurisdiction(
        self, column: ColumnElement[Any] | InstrumentedAttribute[Any]
    ) -> ColumnElement[bool]:
        """SQL filter: the record's division lies inside one of the user's divisions (R-SE-1)."""
        if not self.divisions:
            return false()
        return or_(*(column.startswith(significant_prefix(d)) for d in self.divisions))

    def require_access(self, division: str) -> None:
        """R-SE-1: a division the caller names (a list filter, a create, a county-wide act)
        must be theirs: 403 ``out-of-jurisdiction`` otherwise."""
        if not self.can_access(division):
            raise OutOfJurisdiction(
                f"division {division} is outside your jurisdiction ({', '.join(self.divisions)})"
            )

    def require_record(self, division: str | None, missing: str) -> None:
        """R-SE-1: a record the caller reaches by its id, outside their divisions, is answered
        exactly as a record that does not exist (404 with ``missing``, the same text): never
        confirm that it exists, nor show any of it. The one place this is decided."""
        if division is None or not self.can_access(division):
            context.hidden_record.set(True)  # logged as an attempt (shared.operations)
            raise NotFound(missing)


def load_or_create_secret(settings: Settings) -> str:
    """The HS256 secret: from settings, else the data folder's file, created on first use."""
    if settings.jwt_secret:
        return settings.jwt_secret
    path: Path = settings.jwt_secret_file
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as f:
                f.write(secrets.token_urlsafe(48))
    for _ in range(50):  # another process may be writing it right now
        value = _secret_in(path)
        if value:
            return value
        time.sleep(0.02)
    raise RuntimeError(f"empty JWT secret file {path}")


_secrets_read: dict[Path, tuple[tuple[int, int], str]] = {}
"""The secret files read, with the (mtime, size) they had: a request costs a stat, not a read,
and a replaced file is read again."""


def _secret_in(path: Path) -> str:
    stat = path.stat()
    stamp = (stat.st_mtime_ns, stat.st_size)
    known = _secrets_read.get(path)
    if known is not None and known[0] == stamp:
        return known[1]
    value = path.read_text().strip()
    if value:
        _secrets_read[path] = (stamp, value)
    return value


def existing_secret(settings: Settings) -> str | None:
    """The HS256 secret if the installation has one (settings or file); never creates it."""
    if settings.jwt_secret:
        return settings.jwt_secret
    try:
        return settings.jwt_secret_file.read_text().strip() or None
    except FileNotFoundError:
        return None


def issue_token(settings: Settings, *, user_id: str, role: Role | str, divisions: Iterable[str],
                name: str | None = None, ttl_s: int | None = None) -> str:
    """An HS256 token for the embedded default (demo users, tests, `make token`), valid for
    ``ttl_s`` seconds: by default 12 h, or the maximum lifetime if that is shorter. A longer
    ``ttl_s`` than the maximum is a ValueError: the services would refuse the token."""
    maximum = settings.jwt_max_lifetime_s
    if ttl_s is None:
        ttl_s = min(DEFAULT_TTL_S, maximum) if maximum else DEFAULT_TTL_S
    if ttl_s < 1:
        raise ValueError(f"a token's validity must be at least 1 s, not {ttl_s}")
    if maximum and ttl_s > maximum:
        raise ValueError(f"a token valid for {ttl_s} s exceeds the maximum lifetime of "
                         f"{maximum} s (ASSIST_JWT_MAX_LIFETIME_S)")
    now = int(time.time())
    claims: dict[str, Any] = {
        "sub": user_id, "role": str(role), "divisions": list(divisions),
        "iss": settings.jwt_issuer, "iat": now, "exp": now + ttl_s,
    }
    if name:
        claims["name"] = name
    if settings.jwt_audience:
        claims["aud"] = settings.jwt_audience
    return jwt.encode(claims, load_or_create_secret(settings), algorithm="HS256")


@lru_cache(maxsize=4)
def _jwks_client(url: str) -> jwt.PyJWKClient:
    return jwt.PyJWKClient(url, cache_keys=True)


@dataclass(frozen=True)
class _Verified:
    """A token whose signature and claims were verified: who it names and when it holds."""

    user: User
    terms: tuple[object, ...]
    """What it was verified against (the HS256 secret, issuer, audience, maximum lifetime,
    leeway): under other terms, a replaced secret say, it is verified again."""
    not_before: float
    expires: float


_verified: dict[str, _Verified] = {}
"""HS256 tokens verified in this process, by their text (bounded by ``_VERIFIED_MAX``): a
client sends the same token with every request, and its signature and claims, once verified,
stay so; only the clock moves. A repeat costs a dict lookup and the time checks instead of
the HMAC and the claims' checks (about a tenth of a submission's framework CPU)."""
_VERIFIED_MAX = 4096


def decode_token(settings: Settings, token: str) -> User:
    """Verify the signature and claims; RS256 via JWKS when configured, else HS256.

    A correctly signed token is still refused (401) when it is not yet valid (``nbf``, or
    ``iat`` in the future), expired, valid for longer than ``jwt_max_lifetime_s`` (``exp - iat``;
    ``iat`` is then required), or when its claims have the wrong shape: ``sub`` not a non-empty
    string, ``role`` not a role, ``divisions`` not a list of valid division codes. Clocks may
    differ by ``jwt_leeway_s``. Nothing downstream sees such a token (R-SE-1).
    """
    if settings.jwt_jwks_url:
        return _decode(settings, token, None)
    secret = load_or_create_secret(settings)
    known = _verified.get(token)
    if known is not None and known.terms == _terms(settings, secret):
        now = time.time()
        if known.not_before <= now < known.expires:
            return known.user
        del _verified[token]  # expired, or not yet valid: verified again, and refused there
    return _decode(settings, token, secret)


def _decode(settings: Settings, token: str, secret: str | None) -> User:
    """:func:`decode_token` in full: RS256 by the JWKS when ``secret`` is None."""
    maximum = settings.jwt_max_lifetime_s
    options: Any = {"require": ["sub", "exp", "iat"] if maximum else ["sub", "exp"]}
    try:
        if secret is None:
            assert settings.jwt_jwks_url
            key = _jwks_client(settings.jwt_jwks_url).get_signing_key_from_jwt(token).key
            claims = jwt.decode(token, key, algorithms=["RS256"], audience=settings.jwt_audience,
                                issuer=settings.jwt_issuer, options=options,
                                leeway=settings.jwt_leeway_s)
        else:
            claims = jwt.decode(token, secret, algorithms=["HS256"],
                                audience=settings.jwt_audience, issuer=settings.jwt_issuer,
                                options=options, leeway=settings.jwt_leeway_s)
    except jwt.PyJWTError as exc:
        raise Unauthorized(f"invalid bearer token: {exc}") from exc
    if maximum:
        _check_lifetime(claims, maximum)
    user = _user_of(claims)
    if secret is not None:
        _remember(token, user, _terms(settings, secret), claims, settings.jwt_leeway_s)
    return user


def _terms(settings: Settings, secret: str) -> tuple[object, ...]:
    return (secret, settings.jwt_issuer, settings.jwt_audience, settings.jwt_max_lifetime_s,
            settings.jwt_leeway_s)


def _remember(token: str, user: User, terms: tuple[object, ...], claims: dict[str, Any],
              leeway: float) -> None:
    """Keep a verified token until its ``exp`` (with the leeway PyJWT allowed it), from its
    ``nbf``/``iat`` (likewise): outside that window it is decoded again, and refused."""
    starts = [v for v in (claims.get("nbf"), claims.get("iat"))
              if isinstance(v, int | float) and not isinstance(v, bool)]
    if len(_verified) >= _VERIFIED_MAX:
        _verified.clear()  # simplest bound: a burst of new tokens costs a decode each again
    _verified[token] = _Verified(user=user, terms=terms,
                                 not_before=max(starts, default=0) - leeway,
                                 expires=float(claims["exp"]) + leeway)


def _shown(value: object) -> str:
    """A claim's value for an error message, cut short."""
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _check_lifetime(claims: dict[str, Any], maximum: int) -> None:
    exp, iat = claims["exp"], claims["iat"]
    if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in (exp, iat)):
        raise Unauthorized("token 'exp' and 'iat' must be numbers (seconds since 1970)")
    if exp - iat > maximum:
        raise Unauthorized(f"token is valid for {exp - iat:.0f} s, longer than the maximum "
                           f"lifetime of {maximum} s")


def _user_of(claims: dict[str, Any]) -> User:
    sub = claims["sub"]
    if (not isinstance(sub, str) or not sub.strip() or len(sub) > MAX_SUBJECT_LENGTH
            or not sub.isprintable()):
        raise Unauthorized(f"token 'sub' must be a user id of 1 to {MAX_SUBJECT_LENGTH} "
                           f"printable characters, not {_shown(sub)}")
    role = claims.get("role")
    if not isinstance(role, str) or role not in Role.__members__:
        raise Unauthorized(f"token has an unknown role {_shown(role)}")
    divisions = claims.get("divisions", [])
    if not isinstance(divisions, list) or not all(isinstance(d, str) for d in divisions):
        raise Unauthorized("token 'divisions' must be a list of division codes")
    for code in divisions:
        try:
            validate_division_code(code)
        except ValueError:
            raise Unauthorized(f"token 'divisions' holds {_shown(code)}, not a division code "
                               "(6, 9 or 12 digits)") from None
    name = claims.get("name")
    if not (isinstance(name, str) and name.strip() and len(name) <= MAX_NAME_LENGTH
            and name.isprintable()):
        name = None  # an optional claim: a name that cannot be shown is left out
    return User(user_id=sub, role=role, divisions=tuple(dict.fromkeys(divisions)),
                name=name.strip() if name else None)


_bearer = HTTPBearer(auto_error=False, description="JWT with sub, role and divisions")


async def current_user(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> User:
    """The caller, bound to the log context and to events as the actor."""
    if credentials is None:
        raise Unauthorized("a bearer token is required")
    user = decode_token(request.app.state.kit.settings, credentials.credentials)
    context.current_actor.set(user)
    structlog.contextvars.bind_contextvars(user=user.user_id, role=user.role)
    return user


CurrentUser = Annotated[User, Depends(current_user)]


def allow(*roles: Role) -> Callable[..., Any]:
    """Dependency: the caller, if their role is one of ``roles``; 403 otherwise."""
    allowed = frozenset(roles)

    async def check(user: CurrentUser) -> User:
        if user.role not in allowed:
            raise Forbidden(
                f"role {user.role} may not do this; allowed: {', '.join(sorted(allowed))}"
            )
        return user

    check.roles = allowed  # type: ignore[attr-defined]  # read by shared.permissions
    return check
