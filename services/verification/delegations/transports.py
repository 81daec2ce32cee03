"""How a delegation and its answers reach the other county (R-VE-3): two transports, one
interface.

- ``nats``: the two installations share a NATS cluster. The message is an event addressed to
  the other county (``emit(..., to_county=...)``): it travels on that county's subjects, where
  its verification's consumer takes it. Nothing more to configure.
- ``rest``: they share nothing. The message is queued (``delegation_delivery``) in the same
  transaction as the change, and the courier posts it to the peer's API with the peer's system
  token and an Idempotency-Key, retrying with a growing wait until the peer takes it.

A county listed in ``ASSIST_DELEGATION_PEERS`` is reached over REST; any other over NATS::

    {"230781": {"url": "https://assist.tieli.example/verification",
                "token_file": "/run/secrets/tieli-system-token", "timeout_s": 10}}

The token is one the peer installation issued (role ``system``, its divisions naming this
county); ``token_file`` is read on each call, so it can be renewed without a restart.
"""

from __future__ import annotations

from datetime import timedelta
from functools import lru_cache
from typing import Annotated, Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field, RootModel, model_validator
from sqlalchemy.ext.asyncio import AsyncSession

from services.verification.configfile import read_json_setting
from services.verification.delegations.models import DelegationDelivery, DeliveryState
from shared.context import new_id
from shared.contracts.verification import DelegationFacts
from shared.db import utcnow
from shared.outbox import emit
from shared.settings import Settings

County = Annotated[str, Field(pattern=r"^[0-9]{6}$")]
TransportName = Literal["nats", "rest"]
INCOMING_PATH = "/api/v1/delegations/incoming"


def answers_path(delegation_id: str) -> str:
    return f"/api/v1/delegations/{delegation_id}/answers"


class PeerConfig(BaseModel):
    """Another county's verification, reached over REST."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    url: str = Field(pattern=r"^https?://", description="the peer's verification base URL")
    token: str | None = None
    token_file: str | None = None
    timeout_s: float = Field(10.0, gt=0, le=120)

    @model_validator(mode="after")
    def _one_token(self) -> PeerConfig:
        if (self.token is None) == (self.token_file is None):
            raise ValueError("give the peer's system token as token or token_file (one of them)")
        return self

    def bearer(self) -> str:
        if self.token_file:
            with open(self.token_file, encoding="utf-8") as f:
                return f.read().strip()
        assert self.token is not None
        return self.token


class PeersConfig(RootModel[dict[County, PeerConfig]]):
    pass


@lru_cache(maxsize=8)
def _parsed(value: str | None) -> dict[str, PeerConfig]:
    config = read_json_setting(value, "delegation_peers", PeersConfig)
    return dict(config.root) if config is not None else {}


def peers(settings: Settings) -> dict[str, PeerConfig]:
    """The counties reached over REST, by county code (ConfigError if unusable)."""
    return _parsed(settings.delegation_peers)


class Transport(Protocol):
    """Sends a delegation message to another county, inside the caller's transaction."""

    name: TransportName

    async def send(self, session: AsyncSession, message: DelegationFacts, *, to_county: str,
                   path: str, division: str, extra: dict[str, str] | None = None) -> None:
        """``path``: where a REST peer takes it; ``division``: the record's division there."""
        ...


class NatsTransport:
    """An event addressed to the other county, on the shared cluster."""

    name: TransportName = "nats"

    async def send(self, session: AsyncSession, message: DelegationFacts, *, to_county: str,
                   path: str, division: str, extra: dict[str, str] | None = None) -> None:
        await emit(session, message, subject=message.delegation_id, division=division,
                   to_county=to_county)


class RestTransport:
    """A call queued for the courier (``DelegationCourier``)."""

    name: TransportName = "rest"

    async def send(self, session: AsyncSession, message: DelegationFacts, *, to_county: str,
                   path: str, division: str, extra: dict[str, str] | None = None) -> None:
        now = utcnow()
        session.add(DelegationDelivery(
            delegation_id=message.delegation_id, peer_county=to_county, path=path,
            body={**(extra or {}), **message.model_dump(mode="json")},
            idempotency_key=new_id(), state=DeliveryState.pending, attempts=0,
            next_attempt_at=now - timedelta(seconds=1), created_at=now))
        await session.flush()


def transport_to(settings: Settings, county: str) -> Transport:
    """REST for a configured peer, else the shared NATS cluster."""
    return RestTransport() if county in peers(settings) else NatsTransport()
