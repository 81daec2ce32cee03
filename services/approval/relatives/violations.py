"""R-AP-8 violations: a filed near relative who gets aid without the case being flagged first.

A household member of a case on the roll (a beneficiary, whatever its status now), granted
temporary aid, or approved and not yet on the roll, matches a filed (not withdrawn) near
relative, and the case was never flagged for that filing, or flagged only after the aid was
granted (the relative filed after the approval). They feed the rectification ledger.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.approval.cases.models import CaseStatus, ReviewCase
from services.approval.relatives.models import (
    CaseMemberDigest,
    NearRelative,
    NearRelativeFlag,
    NearRelativeWithdrawal,
)
from services.approval.relatives.schemas import ViolationOut
from services.approval.roll.models import Beneficiary, TemporaryAidGrant
from shared.auth import User
from shared.inputs import Keyset, Window

VIOLATIONS = Keyset("near-relative-violations", CaseMemberDigest.case_id.asc(),
                    NearRelative.id.asc())
"""The order of the list of violations: by case, then by filing."""


async def list_violations(session: AsyncSession, *, user: User, window: Window | None = None
                          ) -> list[Any]:
    """Filed near relatives who get (or got) aid without the flag (R-AP-8), in the user's
    jurisdiction (the case's division): rows for :func:`violation_out`."""
    approved_at = func.coalesce(Beneficiary.approved_at, TemporaryAidGrant.granted_at)
    query: Any = (
        select(CaseMemberDigest.case_id, NearRelative.id, ReviewCase, NearRelative,
               Beneficiary.id.label("beneficiary_id"), TemporaryAidGrant.id.label("grant_id"),
               approved_at.label("approved_at"), NearRelativeFlag.flagged_at)
        .join(NearRelative, and_(NearRelative.id_key_id == CaseMemberDigest.id_key_id,
                                 NearRelative.id_digest == CaseMemberDigest.id_digest))
        .join(ReviewCase, ReviewCase.id == CaseMemberDigest.case_id)
        .outerjoin(NearRelativeWithdrawal,
                   NearRelativeWithdrawal.near_relative_id == NearRelative.id)
        .outerjoin(Beneficiary, Beneficiary.case_id == CaseMemberDigest.case_id)
        .outerjoin(TemporaryAidGrant, TemporaryAidGrant.case_id == CaseMemberDigest.case_id)
        .outerjoin(NearRelativeFlag, and_(NearRelativeFlag.case_id == CaseMemberDigest.case_id,
                                          NearRelativeFlag.near_relative_id == NearRelative.id))
        .where(NearRelativeWithdrawal.id.is_(None), user.jurisdiction(ReviewCase.division),
               or_(Beneficiary.id.is_not(None), TemporaryAidGrant.id.is_not(None),
                   ReviewCase.status == CaseStatus.approved),
               or_(NearRelativeFlag.id.is_(None),
                   and_(approved_at.is_not(None), NearRelativeFlag.flagged_at > approved_at))))
    return list((await session.execute(
        (window or Window(VIOLATIONS, limit=100)).apply(query))).all())


def violation_out(row: Any) -> ViolationOut:
    """One row of :func:`list_violations` as the API shows it (the ID number masked)."""
    case: ReviewCase = row.ReviewCase
    filing: NearRelative = row.NearRelative
    aid = ("roll" if row.beneficiary_id else "temporary_aid" if row.grant_id
           else "approved_case")
    return ViolationOut(
        case_id=case.id, application_id=case.application_id,
        application_number=case.application_number, division=case.division,
        program=case.program, aid=aid, beneficiary_id=row.beneficiary_id or row.grant_id,
        approved_at=row.approved_at, near_relative_id=filing.id,
        staff_user_id=filing.staff_user_id, staff_name=filing.staff_name,
        relative_name=filing.relative_name, relationship=filing.relationship,
        id_number_masked=filing.id_masked, filed_at=filing.filed_at,
        flagged_at=row.flagged_at,
        why="not_flagged" if row.flagged_at is None else "flagged_after_aid")

