"""Who sees a complaint and who acts on it (R-CO-2, R-SE-1): a township's roles never see what
the county handles; each level acts on its own."""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.complaints.complaints.models import Complaint, Level
from shared.auth import Role, User
from shared.problems import Forbidden, NotFound

TOWNSHIP_ROLES = frozenset({Role.village_assistant, Role.caseworker, Role.township_leader})
"""Roles of a township: they never see what the county handles (a complaint about their own
staff or their own fairness, R-CO-2)."""
HANDLERS = {Level.township: frozenset({Role.caseworker, Role.township_leader}),
            Level.county: frozenset({Role.county_officer})}
"""Who acts on a complaint, by the level that handles it (R-CO-2)."""


class NotTheHandler(Forbidden):
    slug = "complaint-handled-elsewhere"
    title = "Another level handles this complaint"


def visible_to(user: User) -> ColumnElement[bool]:
    """Complaints inside the user's divisions; a township's roles never see those the county
    handles (R-CO-2, R-SE-1)."""
    within = user.jurisdiction(Complaint.division)
    if user.role in TOWNSHIP_ROLES:
        return and_(within, Complaint.level == Level.township.value)
    return within


def can_see(user: User, complaint: Complaint) -> bool:
    return user.can_access(complaint.division) and not (
        user.role in TOWNSHIP_ROLES and complaint.level == Level.county)


async def get_complaint(session: AsyncSession, *, user: User, complaint_id: str,
                        for_update: bool = False) -> Complaint:
    """One complaint the user may see; 404 otherwise, exactly as one that does not exist."""
    query = select(Complaint).where(Complaint.id == complaint_id)
    complaint = await session.scalar(query.with_for_update() if for_update else query)
    missing = f"no complaint {complaint_id}"
    if complaint is None:
        raise NotFound(missing)
    user.require_record(complaint.division if can_see(user, complaint) else None, missing)
    return complaint


def require_handler(user: User, complaint: Complaint) -> None:
    """R-CO-2: the township's caseworkers and leaders act on what the township handles, the
    county's officers on what the county handles; 403 ``complaint-handled-elsewhere``."""
    if user.role not in HANDLERS[Level(complaint.level)]:
        raise NotTheHandler(f"the {complaint.level} handles complaint "
                            f"{complaint.tracking_number} ({complaint.handled_by})")
