"""Rules of policy versions (救助标准): published from a date, never edited in place (R-BE, R-AU-2).

A county's parameters for urban or rural residents are a sequence of versions. The version in
force on a day is the newest-dated one not withdrawn whose ``effective_from`` is that day or
earlier. A change is a new version from a date: today or later, so what was in force on a day
already passed never changes, except for a county and area's first version, which records the
figures already in force when the county starts using the system. Two versions not withdrawn
never share a date. A version may be withdrawn only before it takes effect; the withdrawal is
recorded on it and it stays listed.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import date
from typing import cast

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.approval.policy.models import PolicyVersion
from services.approval.policy.schemas import PolicyParameters, PolicyVersionIn
from shared.auth import User
from shared.benefits.parameters import Area, Parameters
from shared.clock import now_of, today_of
from shared.context import new_id
from shared.contracts.approval import PolicyVersionPublished, PolicyVersionWithdrawn
from shared.db import lock_key, lock_until_commit
from shared.divisions import county_of, level
from shared.inputs import Keyset, Window
from shared.outbox import emit
from shared.problems import Conflict, InvalidField, NotFound, OutOfJurisdiction

VERSIONS = Keyset("policy_versions", PolicyVersion.county.asc(), PolicyVersion.area.asc(),
                  PolicyVersion.version.desc(), PolicyVersion.id.asc())
"""The order of the list of versions: by county and area, the newest version first."""


class NoPolicyInForce(Conflict):
    """No version of the county's parameters is in force on the day asked (R-BE)."""

    slug, title = "no-policy-in-force", "No policy parameters in force"


class PolicyVersionExists(Conflict):
    slug, title = "policy-version-exists", "A version from that day exists"


class PolicyVersionTookEffect(Conflict):
    slug, title = "policy-version-took-effect", "The version has taken effect"


class PolicyVersionWithdrawnAlready(Conflict):
    slug, title = "policy-version-withdrawn", "The version is withdrawn"


def to_parameters(figures: PolicyParameters) -> Parameters:
    """The figures as the rules take them; a figure they refuse is a 422 naming it."""
    try:
        return figures.to_parameters()
    except ValueError as exc:
        message = str(exc)
        named = [f.name for f in dataclasses.fields(Parameters) if f.name in message]
        first = min(named, key=message.index) if named else None
        raise InvalidField(f"parameters.{first}" if first else "parameters", message) from None


def stored(parameters: Parameters) -> dict[str, object]:
    """The JSON a version keeps: every figure, the defaults written out."""
    return PolicyParameters.of(parameters).model_dump(mode="json")


def parameters_of(version: PolicyVersion) -> Parameters:
    return PolicyParameters.model_validate(version.parameters).to_parameters()


def counties_reached(user: User) -> set[str]:
    """The counties whose parameters apply inside the user's divisions (a township's
    caseworker works to its county's standard)."""
    return {county_of(d) for d in user.divisions if level(d) not in ("province", "city")}


def readable(user: User) -> ColumnElement[bool]:
    """R-SE-1: versions of a county inside the user's divisions, or of the county the user's
    township or village lies in."""
    return or_(user.jurisdiction(PolicyVersion.county),
               PolicyVersion.county.in_(sorted(counties_reached(user))))


def require_reach(user: User, county: str) -> None:
    if county not in counties_reached(user) and not user.can_access(county):
        raise OutOfJurisdiction(f"county {county} is outside your jurisdiction "
                                f"({', '.join(user.divisions)})")


async def _lock(session: AsyncSession, county: str, area: str) -> None:
    """Publications of one county and area wait for each other (PostgreSQL; SQLite
    serialises every transaction anyway), so version numbers and dates stay unique."""
    await lock_until_commit(session, lock_key(f"assist-approval-policy:{county}:{area}"))


async def version_in_force(session: AsyncSession, *, county: str, area: str, on: date
                           ) -> PolicyVersion | None:
    """The version of the county's parameters for ``area`` in force on ``on``, if any."""
    return await session.scalar(
        select(PolicyVersion)
        .where(PolicyVersion.county == county, PolicyVersion.area == area,
               PolicyVersion.effective_from <= on, PolicyVersion.withdrawn_at.is_(None))
        .order_by(PolicyVersion.effective_from.desc(), PolicyVersion.version.desc())
        .limit(1))


async def parameters_in_force(session: AsyncSession, *, county: str, area: str, on: date
                              ) -> tuple[PolicyVersion, Parameters]:
    """The version in force on ``on`` and its parameters; 409 ``no-policy-in-force`` if none.
    A calculation uses the standard in force in the month it is for (R-BE)."""
    version = await version_in_force(session, county=county, area=area, on=on)
    if version is None:
        raise NoPolicyInForce(
            f"no {area} policy parameters of county {county} are in force on {on}: its county "
            "officer publishes them first (POST /api/v1/policy/versions)",
            county=county, area=area, on=on.isoformat())
    return version, parameters_of(version)


async def publish_version(session: AsyncSession, *, user: User, body: PolicyVersionIn
                          ) -> PolicyVersion:
    """A new version of a county's parameters from a day on (R-AU-2: nothing is rewritten)."""
    user.require_access(body.county)
    parameters = to_parameters(body.parameters)
    await _lock(session, body.county, body.area)
    today = today_of(session)
    of_area = (PolicyVersion.county == body.county, PolicyVersion.area == body.area)
    last = await session.scalar(select(func.max(PolicyVersion.version)).where(*of_area))
    same_day = await session.scalar(select(PolicyVersion).where(
        *of_area, PolicyVersion.effective_from == body.effective_from,
        PolicyVersion.withdrawn_at.is_(None)))
    if same_day is not None:
        raise PolicyVersionExists(
            f"version {same_day.version} ({same_day.id}) begins on {body.effective_from}"
            ": publish from another day, or withdraw it first if it has not taken effect",
            version_id=same_day.id)
    if last is not None and body.effective_from < today:
        raise InvalidField(
            "effective_from", f"{body.effective_from} has passed: a change takes effect today "
            f"({today}) or later, so what was in force on a past day never changes; only a "
            "county and area's first version may begin earlier")
    previous = await version_in_force(session, county=body.county, area=body.area,
                                      on=body.effective_from)
    version = PolicyVersion(
        id=new_id(), county=body.county, area=body.area, version=(last or 0) + 1,
        effective_from=body.effective_from, parameters=stored(parameters), demo=body.demo,
        reason=body.reason, published_by=user.user_id, published_at=now_of(session))
    session.add(version)
    await session.flush()
    await emit(session, PolicyVersionPublished(
        version_id=version.id, county=version.county, area=body.area,
        version_number=version.version, effective_from=version.effective_from,
        parameters=version.parameters, demo=version.demo, reason=version.reason,
        follows_version_id=previous.id if previous is not None else None,
    ), subject=version.id, division=version.county)
    return version


async def withdraw_version(session: AsyncSession, *, user: User, version_id: str, reason: str
                           ) -> PolicyVersion:
    """Withdraw a version that has not taken effect: recorded on it, never deleted."""
    version = await session.get(PolicyVersion, version_id)
    if version is None:
        raise NotFound(f"no policy version {version_id}")
    user.require_record(version.county, f"no policy version {version_id}")
    await _lock(session, version.county, version.area)
    await session.refresh(version)
    if version.withdrawn_at is not None:
        raise PolicyVersionWithdrawnAlready(
            f"version {version.version} was withdrawn at {version.withdrawn_at.isoformat()}")
    today = today_of(session)
    if version.effective_from <= today:
        raise PolicyVersionTookEffect(
            f"version {version.version} took effect on {version.effective_from}: it stays "
            "what was in force; publish a new version from a later day instead")
    version.withdrawn_at = now_of(session)
    version.withdrawn_by = user.user_id
    version.withdrawn_reason = reason
    await session.flush()
    await emit(session, PolicyVersionWithdrawn(
        version_id=version.id, county=version.county, area=cast(Area, version.area),
        version_number=version.version, effective_from=version.effective_from, reason=reason,
        withdrawn_at=version.withdrawn_at,
    ), subject=version.id, division=version.county)
    return version


async def list_versions(session: AsyncSession, *, user: User, county: str | None = None,
                        area: str | None = None, window: Window | None = None
                        ) -> Sequence[PolicyVersion]:
    """Versions the user may read (:func:`readable`), by county and area, newest first."""
    query = select(PolicyVersion).where(readable(user))
    if county is not None:
        query = query.where(PolicyVersion.county == county)
    if area is not None:
        query = query.where(PolicyVersion.area == area)
    query = (window or Window(VERSIONS, limit=100)).apply(query)
    return (await session.scalars(query)).all()


async def get_version(session: AsyncSession, *, user: User, version_id: str) -> PolicyVersion:
    version = await session.get(PolicyVersion, version_id)
    if version is None:
        raise NotFound(f"no policy version {version_id}")
    if version.county not in counties_reached(user):  # another county's: as if none (R-SE-1)
        user.require_record(version.county, f"no policy version {version_id}")
    return version
