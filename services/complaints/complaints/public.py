"""The public's side of a complaint (R-CO-1): the per-address limit of the form, and following
a complaint by its tracking number and check code."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.complaints.complaints import rules
from services.complaints.complaints.models import Complaint
from shared.clock import now_of
from shared.problems import NotFound, Problem


class TooManyComplaints(Problem):
    status, slug, title = 429, "too-many-complaints", "Too many complaints from here this hour"


async def check_public_limit(session: AsyncSession, *, source_address: str | None,
                             per_hour: int) -> None:
    """A few complaints an hour from one address on the public form (429)."""
    if not source_address:
        return
    since = now_of(session) - timedelta(hours=1)
    mine = await session.scalar(select(func.count()).select_from(Complaint).where(
        Complaint.filed_by_public.is_(True), Complaint.source_address == source_address,
        Complaint.registered_at >= since))
    if (mine or 0) >= per_hour:
        raise TooManyComplaints(f"at most {per_hour} complaints an hour from one address; "
                                "call the complaint telephone meanwhile")


async def followed(session: AsyncSession, *, tracking_number: str, code: str,
                   keys: Mapping[str, bytes]) -> Complaint:
    """The complaint a tracking number and its check code name; a wrong code is answered as
    an unknown number (404), so numbers cannot be probed."""
    complaint = await session.scalar(select(Complaint).where(
        Complaint.tracking_number == tracking_number))
    if complaint is None or not rules.code_matches(keys, tracking_number, code,
                                                   complaint.check_code_digest):
        raise NotFound(f"no complaint {tracking_number} with this check code")
    return complaint


RESENT_WITHIN = timedelta(minutes=10)
"""A form sent again (a double click, a reload) within this time is the same complaint."""


async def sent_again(session: AsyncSession, *, source_address: str | None, subject: str,
                     content: str) -> Complaint | None:
    """The complaint this address filed with the same subject and content a moment ago, if
    any: the public form sent twice files one complaint."""
    if not source_address:
        return None
    since = now_of(session) - RESENT_WITHIN
    found: Complaint | None = await session.scalar(select(Complaint).where(
        Complaint.filed_by_public.is_(True), Complaint.source_address == source_address,
        Complaint.registered_at >= since, Complaint.subject == subject,
        Complaint.content == content).order_by(Complaint.registered_at.desc()).limit(1))
    return found
