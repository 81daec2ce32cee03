"""Near-relative register endpoints (近亲属备案, R-AP-8): thin, the rules are in service.py."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from services.approval.relatives import service, violations
from services.approval.relatives.models import NearRelative, NearRelativeWithdrawal
from services.approval.relatives.schemas import (
    FlaggedCaseOut,
    NearRelativeIn,
    NearRelativeOut,
    ViolationOut,
    WithdrawalIn,
)
from shared.auth import STAFF, User, allow
from shared.inputs import PAGED, Paging, RecordId
from shared.service import DbSession, Idempotent

router = APIRouter(prefix="/near-relatives", tags=["near relatives"])

Staff = Annotated[User, Depends(allow(*sorted(STAFF)))]
Officer = Annotated[User, Depends(allow(*sorted(service.OFFICERS)))]


def _out(filing: NearRelative, withdrawal: NearRelativeWithdrawal | None) -> NearRelativeOut:
    return NearRelativeOut(
        id=filing.id, staff_user_id=filing.staff_user_id, staff_name=filing.staff_name,
        staff_level=filing.staff_level, staff_division=filing.staff_division,
        relative_name=filing.relative_name, relationship=filing.relationship,
        id_number_masked=filing.id_masked, filed_by=filing.filed_by, filed_at=filing.filed_at,
        withdrawn=withdrawal is not None,
        withdrawn_at=withdrawal.withdrawn_at if withdrawal else None,
        withdrawal_reason=withdrawal.reason if withdrawal else None)


@router.post("", status_code=201, response_model=NearRelativeOut, dependencies=[Idempotent],
             summary="File a near relative (近亲属备案, R-AP-8)",
             description="A staff member at any level (city, county, township, village) files "
             "a near relative of theirs; a county officer may file for staff of their county "
             "(`staff_user_id`, `staff_name`, `staff_division`). The ID number is kept only as "
             "a keyed digest and shown masked (R-SE-2). Open cases and cases on the roll whose "
             "household includes the relative are flagged at once: their archive kept apart, "
             "the staff member recused (`case_flagged_near_relative`). 409 when the same "
             "relative is filed already for that staff member. Emits `near_relative_filed`.")
async def file_near_relative(session: DbSession, user: Staff, body: NearRelativeIn,
                             response: Response) -> NearRelativeOut:
    filing = await service.file_near_relative(session, user=user, body=body)
    response.headers["Location"] = f"/api/v1/near-relatives?staff_user_id={filing.staff_user_id}"
    return _out(filing, None)


@router.post("/{near_relative_id}/withdrawal", response_model=NearRelativeOut,
             dependencies=[Idempotent], summary="Withdraw a filing (R-AP-8)",
             description="A new record with its reason beside the filing, which is never "
             "deleted; by the staff member or a county officer of their county. Cases already "
             "flagged stay flagged. 409 when withdrawn already. Emits `near_relative_withdrawn`.")
async def withdraw_near_relative(session: DbSession, user: Staff, near_relative_id: RecordId,
                                 body: WithdrawalIn) -> NearRelativeOut:
    filing = await service.withdraw_near_relative(
        session, user=user, near_relative_id=near_relative_id, reason=body.reason)
    return _out(filing, await service.withdrawal_of(session, filing.id))


@router.get("", response_model=list[NearRelativeOut], responses=PAGED,
            summary="The near-relative register",
            description="Filings, newest first, the ID numbers masked (R-SE-2): county and city "
            "officers and auditors see those of staff in their divisions, every other staff "
            "member their own. `active`: true, not withdrawn; false, withdrawn.")
async def list_near_relatives(
    session: DbSession, user: Staff, page: Paging,
    staff_user_id: Annotated[str | None, Query(min_length=1, max_length=255)] = None,
    active: bool | None = None,
) -> list[NearRelativeOut]:
    rows = await service.list_near_relatives(session, user=user, staff_user_id=staff_user_id,
                                             active=active, window=page.window(service.FILINGS))
    filings = page.finish(rows, service.FILINGS)
    withdrawals = await service.withdrawals_of(session, (f.id for f in filings))
    return [_out(f, withdrawals.get(f.id)) for f in filings]


@router.get("/flagged-cases", response_model=list[FlaggedCaseOut], responses=PAGED,
            summary="Cases flagged for near relatives (R-AP-8)",
            description="Cases whose household includes a filed near relative, newest flag "
            "first, in your divisions: their archives are kept apart, for the county's spot "
            "checks; each with the staff recused.")
async def list_flagged_cases(session: DbSession, user: Officer, page: Paging
                             ) -> list[FlaggedCaseOut]:
    rows = await service.list_flagged_cases(session, user=user,
                                            window=page.window(service.FLAGGED))
    cases = page.finish(rows, service.FLAGGED)
    details = await service.details_of(session, [c.case_id for c in cases])
    return [FlaggedCaseOut(
        case_id=c.case_id, application_id=c.application_id,
        application_number=c.application_number, division=c.division,
        archive_apart=c.archive_apart, flagged_at=c.flagged_at,
        status=details[c.case_id][0], staff_user_ids=details[c.case_id][1]) for c in cases]


@router.get("/violations", response_model=list[ViolationOut], responses=PAGED,
            summary="Filed near relatives getting aid without the flag (R-AP-8)",
            description="Beneficiaries on the roll, temporary aid grants and approved cases "
            "whose household includes a filed (not withdrawn) near relative, where the case "
            "was never flagged for that filing or only after the aid was granted (the "
            "relative filed after the approval); in your divisions, by case. For the "
            "rectification ledger.")
async def list_violations(session: DbSession, user: Officer, page: Paging
                          ) -> list[ViolationOut]:
    rows = await violations.list_violations(session, user=user,
                                            window=page.window(violations.VIOLATIONS))
    return [violations.violation_out(r) for r in page.finish(rows, violations.VIOLATIONS)]

