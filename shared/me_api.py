"""``GET /api/v1/me``: who the caller is and what their role may do in this service."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

import jwt
from fastapi import APIRouter, Depends, Request
from fastapi.security import HTTPAuthorizationCredentials
from pydantic import BaseModel, Field

from shared.auth import CurrentUser, _bearer
from shared.divisions import name_of
from shared.permissions import operations_for

router = APIRouter(prefix="/me", tags=["me"])


class DivisionOut(BaseModel):
    code: str = Field(description="division code (6, 9 or 12 digits)", examples=["230722100"])
    name: str | None = Field(description="its name, where this installation knows it",
                             examples=["嘉荫县朝阳镇"])


class OperationOut(BaseModel):
    method: str = Field(examples=["GET"])
    path: str = Field(examples=["/api/v1/applications"])
    summary: str


class MeOut(BaseModel):
    """The caller as their token presents them, and what their role may do here."""

    user_id: str
    name: str | None = Field(None, description="the name the token carries, if any")
    role: str = Field(examples=["caseworker"])
    divisions: list[DivisionOut] = Field(
        description="the jurisdiction: records inside these divisions only (R-SE-1)")
    token_expires_at: datetime | None = Field(description="when the token stops being accepted")
    service: str = Field(description="the service that answers", examples=["intake"])
    operations: list[OperationOut] = Field(
        description="what this role may call in this service (from the same checks that "
        "enforce it); a record outside the divisions is answered 404, as if it did not "
        "exist (R-SE-1)")


def _claims(credentials: HTTPAuthorizationCredentials | None) -> dict[str, Any]:
    """The claims of the token ``current_user`` has just verified."""
    if credentials is None:
        return {}
    try:
        claims = jwt.decode(credentials.credentials, options={"verify_signature": False})
    except jwt.PyJWTError:
        return {}
    return claims if isinstance(claims, dict) else {}


def _expiry(claims: dict[str, Any]) -> datetime | None:
    exp = claims.get("exp")
    if isinstance(exp, int | float) and not isinstance(exp, bool):
        return datetime.fromtimestamp(exp, UTC)
    return None


@router.get(
    "", response_model=MeOut, summary="Who you are and what you may do here",
    description="Your user id, role and divisions (with their names where known), when your "
    "token expires, and every operation of this service your role may call. Any valid token "
    "may ask. Each service answers for itself: the operations are this service's.")
async def me(request: Request, user: CurrentUser,
             credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
             ) -> MeOut:
    claims = _claims(credentials)
    name = claims.get("name")
    return MeOut(
        user_id=user.user_id, name=name if isinstance(name, str) else None, role=user.role,
        divisions=[DivisionOut(code=code, name=_division_name(code)) for code in user.divisions],
        token_expires_at=_expiry(claims), service=request.app.state.kit.service,
        operations=[OperationOut(method=op.method, path=op.path, summary=op.summary)
                    for op in operations_for(request.app, user.role)],
    )


def _division_name(code: str) -> str | None:
    try:
        return name_of(code)
    except ValueError:
        return None
