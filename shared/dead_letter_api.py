"""The operators' API of a service's dead letters: list them, redrive one or all of a type."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from shared.auth import Role, User, allow
from shared.dead_letters import PARKED, DeadLetters
from shared.inputs import SearchText
from shared.problems import NotFound

Operator = Annotated[User, Depends(allow(Role.county_officer, Role.system))]
Reader = Annotated[User, Depends(allow(Role.county_officer, Role.city_officer, Role.auditor,
                                       Role.system))]


class DeadLetterOut(BaseModel):
    id: int
    event_id: str
    event_type: str
    nats_subject: str
    record_id: str | None
    failure: Literal["permanent", "not_yet"]
    error: str
    deliveries: int
    first_seen: datetime = Field(description="when the event entered the stream")
    last_seen: datetime = Field(description="its last failed delivery or redrive")
    status: Literal["parked", "redriven"]
    redrives: int
    redriven_at: datetime | None
    redriven_by: str | None
    outcome: Literal["applied", "already_handled", "failed"] | None


class DeadLetterDetail(DeadLetterOut):
    payload: str = Field(description="the envelope as it travelled (personal data sealed)")


class RedriveOut(BaseModel):
    id: int
    event_id: str
    event_type: str
    outcome: Literal["applied", "already_handled", "failed"]
    error: str | None


class RedriveTypeIn(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"event_type": "assist.approval.beneficiary_adjusted"},
    ]})

    event_type: SearchText = Field(examples=["assist.approval.beneficiary_adjusted"])


def _dead_letters(request: Request) -> DeadLetters:
    return request.app.state.kit.dead_letters


def _in_county(request: Request, user: User) -> None:
    """Dead letters are the installation's: only users over the whole county see them."""
    user.require_access(request.app.state.kit.county)


router = APIRouter(prefix="/dead-letters", tags=["dead letters"])

LetterId = Annotated[int, Path(ge=1, le=2**62)]


@router.get("", response_model=list[DeadLetterOut], summary="Parked events of this service",
            description="Events this service's consumer could not apply, oldest first. "
            "Keyset pagination: pass the last id seen as `after_id`.")
async def list_dead_letters(
    request: Request, user: Reader,
    status: Literal["parked", "redriven"] | None = "parked",
    event_type: SearchText | None = None,
    after_id: Annotated[int | None, Query(ge=0, le=2**62)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[Any]:
    _in_county(request, user)
    async with request.app.state.kit.unit_of_work() as session:
        return list(await _dead_letters(request).list(
            session, status=status, event_type=event_type, limit=limit, after_id=after_id))


@router.get("/{letter_id}", response_model=DeadLetterDetail, summary="One parked event",
            description="One dead letter with the envelope as it travelled (personal data "
            "still sealed), its failure kind, error, deliveries and redrives. Needs a token "
            "over the whole county.")
async def get_dead_letter(request: Request, user: Reader, letter_id: LetterId) -> Any:
    _in_county(request, user)
    async with request.app.state.kit.unit_of_work() as session:
        return await _dead_letters(request).get(session, letter_id)


@router.post("/{letter_id}/redrive", response_model=RedriveOut,
             summary="Run a parked event through the consumer again",
             description="Through the same inbox path as a delivery: an event already handled "
             "changes nothing (`already_handled`). A failure keeps it parked (`failed`, with the "
             "error). Every redrive is logged as `dead_letter_redriven`.")
async def redrive_one(request: Request, user: Operator, letter_id: LetterId) -> Any:
    _in_county(request, user)
    async with request.app.state.kit.unit_of_work() as session:
        return await _dead_letters(request).redrive(session, letter_id)


@router.post("/redrive", response_model=list[RedriveOut],
             summary="Redrive every parked event of a type",
             description="Each in its own transaction, oldest first; one failing does not stop "
             "the others.")
async def redrive_type(request: Request, user: Operator, body: RedriveTypeIn) -> list[Any]:
    _in_county(request, user)
    letters = _dead_letters(request)
    kit = request.app.state.kit
    async with kit.unit_of_work() as session:
        ids = [row["id"] for row in await letters.list(
            session, status=PARKED, event_type=body.event_type, limit=10_000, after_id=None)]
    if not ids:
        raise NotFound(f"no parked event of type {body.event_type}")
    results = []
    for letter_id in ids:
        async with kit.unit_of_work() as session:
            results.append(await letters.redrive(session, letter_id))
    return results
