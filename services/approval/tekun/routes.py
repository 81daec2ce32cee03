"""Tekun care endpoints (特困供养, R-BE-7): thin, the rules are in service.py."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends

from services.approval.roll import service as roll
from services.approval.tekun import service
from services.approval.tekun.models import CareAgreement, CareMode
from services.approval.tekun.schemas import (
    CareAgreementIn,
    CareAgreementOut,
    CareRateOut,
    TekunWithoutAgreementOut,
)
from shared.auth import Role, User, allow
from shared.benefits.tekun import CONCENTRATED_CARE_TARGET
from shared.inputs import PAGED, Paging, RecordId
from shared.service import DbSession, Idempotent, Today

router = APIRouter(prefix="/roll", tags=["roll"])

Reader = Annotated[User, Depends(allow(Role.caseworker, Role.township_leader, Role.county_officer,
                                       Role.city_officer, Role.auditor))]
Staff = Annotated[User, Depends(allow(Role.caseworker, Role.township_leader))]


def _problem(agreement: CareAgreement | None, today: date) -> str:
    if agreement is None:
        return "none"
    return "not_yet_valid" if agreement.valid_from > today else "expired"


@router.get("/tekun/without-agreement", response_model=list[TekunWithoutAgreementOut],
            responses=PAGED, summary="Tekun without a valid care agreement (R-BE-7)",
            description="Tekun beneficiaries still on the roll inside your divisions with no "
            "care agreement in force today: none recorded, not yet in force, or expired.")
async def without_agreement(session: DbSession, user: Reader, page: Paging, today: Today
                            ) -> list[TekunWithoutAgreementOut]:
    rows = page.finish(await service.without_valid_agreement(
        session, user=user, today=today, window=page.window(service.TEKUN_ROLL)),
        service.TEKUN_ROLL)
    agreements = await service.current_agreements(session, [b.id for b in rows])
    answer = []
    for b in rows:
        agreement = agreements.get(b.id)
        answer.append(TekunWithoutAgreementOut(
            beneficiary_id=b.id, division=b.division, head_name_masked=b.head_name_masked,
            status=b.status, monthly_fen=b.monthly_fen, problem=_problem(agreement, today),
            agreement=CareAgreementOut.of(agreement, valid_today=False) if agreement else None))
    return answer


@router.get("/tekun/care-rate", response_model=list[CareRateOut],
            summary="Concentrated-care rate per township and county (R-BE-7)",
            description="Of the tekun unable to care for themselves (by their current care "
            "agreement), the share in concentrated care (集中供养率), per township of your "
            "divisions and per county; `below_target` when under 55 %.")
async def care_rate(session: DbSession, user: Reader) -> list[CareRateOut]:
    townships, counties = await service.care_rates(session, user=user)

    def line(rate: service.CareRate, level: str) -> CareRateOut:
        return CareRateOut(division=rate.division, level=level, tekun=rate.tekun,
                           unable=rate.unable, unable_concentrated=rate.unable_concentrated,
                           unknown_self_care=rate.unknown_self_care,
                           rate=None if rate.rate is None else str(rate.rate),
                           target=str(CONCENTRATED_CARE_TARGET), below_target=rate.below_target)

    return [*(line(t, "township") for t in townships), *(line(c, "county") for c in counties)]


@router.get("/{beneficiary_id}/care-agreements", response_model=list[CareAgreementOut],
            summary="A tekun beneficiary's care agreements, the newest first",
            description="The care agreements of a tekun beneficiary (R-BE-7): dispersed care "
            "with the named caregiver, or concentrated care with the institution, each with "
            "its signed document and its dates, and whether it is in force today. 404 if "
            "the beneficiary is not on the roll or outside your divisions.")
async def list_agreements(session: DbSession, user: Reader, today: Today,
                          beneficiary_id: RecordId) -> list[CareAgreementOut]:
    beneficiary = await roll.get_beneficiary(session, user=user, beneficiary_id=beneficiary_id)
    return [CareAgreementOut.of(a, valid_today=a.superseded_at is None
                                and service.is_valid(a, today=today))
            for a in await service.agreements_of(session, beneficiary.id)]


@router.post("/{beneficiary_id}/care-agreements", response_model=CareAgreementOut,
             status_code=201, summary="Record a signed care agreement (R-BE-7)",
             description="Dispersed care (分散供养) names the caregiver, concentrated care "
             "(集中供养) the institution; both give the signed agreement's reference and dates "
             "and the person's self-care ability (422 `rule-violation` R-BE-7 naming what is "
             "missing). The new agreement supersedes the one before (kept). 409 for a "
             "beneficiary who is not tekun or has stopped. Emits `care_agreement_recorded`.",
             dependencies=[Idempotent])
async def record_agreement(session: DbSession, user: Staff, today: Today,
                           beneficiary_id: RecordId, body: CareAgreementIn) -> CareAgreementOut:
    beneficiary = await roll.get_beneficiary(session, user=user, beneficiary_id=beneficiary_id,
                                             for_update=True)
    agreement = await service.record_agreement(
        session, user=user, beneficiary=beneficiary, facts=service.AgreementFacts(
            mode=CareMode(body.mode), self_care=body.self_care, document_ref=body.document_ref,
            signed_on=body.signed_on, valid_from=body.valid_from, valid_until=body.valid_until,
            caregiver_name=body.caregiver_name,
            caregiver_relationship=body.caregiver_relationship, institution=body.institution))
    return CareAgreementOut.of(agreement, valid_today=service.is_valid(agreement, today=today))
