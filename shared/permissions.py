"""Who may call what, read from the code that enforces it.

Every endpoint declares its roles with ``shared.auth.allow(...)``; the dependency it returns
carries them as ``roles``. This module finds that dependency in a route (however deeply it is
nested) so the API documentation (``x-roles``) and ``GET /api/v1/me`` say exactly what is
enforced, never a second copy of it.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI, routing
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from shared.auth import Role, current_user

ANY_ROLE: frozenset[str] = frozenset(Role)
"""Every role: the access of an endpoint that needs a valid token and nothing more."""


def _calls(dependant: Dependant) -> Iterator[Any]:
    """Every dependency callable of a route, depth first."""
    for sub in dependant.dependencies:
        yield sub.call
        yield from _calls(sub)


def roles_of(route: Any) -> frozenset[str] | None:
    """The roles that may call ``route``: the intersection of its ``allow`` dependencies, every
    role when it only needs a token, ``None`` when it needs no token at all (public).
    ``route`` is an ``APIRoute`` or what ``api_routes`` yields for it."""
    roles: frozenset[str] | None = None
    authenticated = False
    for call in _calls(route.dependant):
        allowed = getattr(call, "roles", None)
        if isinstance(allowed, frozenset):
            roles = frozenset(map(str, allowed)) if roles is None else roles & allowed
        elif call is current_user:
            authenticated = True
    if roles is not None:
        return roles
    return ANY_ROLE if authenticated else None


def describe_roles(roles: frozenset[str] | None) -> str:
    """The roles as the documentation states them."""
    if roles is None:
        return "Roles: public, no token needed."
    if roles == ANY_ROLE:
        return "Roles: any authenticated role."
    if not roles:
        return "Roles: none (no role passes every check of this operation)."
    return "Roles: " + ", ".join(sorted(roles)) + "."


@dataclass(frozen=True)
class Operation:
    """One thing a caller may do: an HTTP method on a path."""

    method: str
    path: str
    summary: str


def api_routes(routes: Sequence[Any]) -> Iterator[Any]:
    """The documented API routes of an app, as the app serves them (``path_format``, ``methods``,
    ``summary``, ``dependant``): routes of included routers with their prefix and dependencies."""
    contexts = getattr(routing, "iter_route_contexts", None)  # FastAPI ≥ 0.160 nests routers
    for route in contexts(routes) if contexts else routes:
        if isinstance(getattr(route, "original_route", route), APIRoute) \
                and route.include_in_schema:
            yield route


def operations_for(app: FastAPI, role: str) -> list[Operation]:
    """The operations of ``app`` that a caller of ``role`` may call with a token: what their
    role allows (public endpoints, which need no token, are left out)."""
    found = []
    for route in api_routes(app.routes):
        roles = roles_of(route)
        if roles is None or role not in roles:
            continue
        for method in sorted(route.methods - {"HEAD", "OPTIONS"}):
            found.append(Operation(method=method, path=route.path_format,
                                   summary=route.summary or route.name))
    return found
