"""Rules of tekun care (特困供养, R-BE-7): dispersed tekun need a named caregiver and a signed
care agreement, concentrated ones the institution's signed agreement; those without a valid
one are listed; the concentrated-care rate of those unable to care for themselves is reported
per township and county against its 55 % target."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.approval.roll.models import Beneficiary, ChangeKind, RollStatus
from services.approval.roll.service import record_change
from services.approval.tekun.models import CareAgreement, CareMode
from shared.auth import User
from shared.benefits.tekun import CONCENTRATED_CARE_TARGET, concentrated_care_rate
from shared.clock import now_of, today_of
from shared.context import new_id
from shared.contracts.approval import CareAgreementRecorded
from shared.inputs import Keyset, Window
from shared.masking import mask_name
from shared.outbox import emit
from shared.problems import Conflict, RuleViolation

TEKUN_ROLL = Keyset("tekun_roll", Beneficiary.approved_at.asc(), Beneficiary.id.asc())


@dataclass(frozen=True)
class AgreementFacts:
    """What a signed care agreement says (R-BE-7)."""

    mode: CareMode
    self_care: str
    document_ref: str
    signed_on: date
    valid_from: date
    valid_until: date | None = None
    caregiver_name: str | None = None
    caregiver_relationship: str | None = None
    institution: str | None = None


def agreement_faults(facts: AgreementFacts, *, today: date) -> list[tuple[str, str]]:
    """R-BE-7: what a care agreement lacks, as (field, why); [] when complete."""
    faults = []
    if facts.mode == CareMode.dispersed and not facts.caregiver_name:
        faults.append(("caregiver_name", "dispersed care (分散供养) needs a named caregiver"))
    if facts.mode == CareMode.concentrated and not facts.institution:
        faults.append(("institution", "concentrated care (集中供养) names the institution"))
    if facts.signed_on > today:
        faults.append(("signed_on", "an agreement is recorded once signed, not before"))
    if facts.valid_until is not None and facts.valid_until < facts.valid_from:
        faults.append(("valid_until", "ends before it begins"))
    return faults


def is_valid(agreement: CareAgreement | None, *, today: date) -> bool:
    """A current agreement in force today (from ``valid_from`` to ``valid_until``)."""
    return (agreement is not None and agreement.valid_from <= today
            and (agreement.valid_until is None or agreement.valid_until >= today))


async def record_agreement(
    session: AsyncSession, *, user: User, beneficiary: Beneficiary, facts: AgreementFacts
) -> CareAgreement:
    """Record a tekun person's signed care agreement; it supersedes the one before (kept)."""
    user.require_access(beneficiary.division)
    if beneficiary.program != "tekun":
        raise Conflict(f"beneficiary {beneficiary.id} receives {beneficiary.program}, not tekun: "
                       "care agreements are for tekun (R-BE-7)", field="beneficiary_id")
    if beneficiary.status == RollStatus.stopped:
        raise Conflict(f"beneficiary {beneficiary.id} has stopped", field="beneficiary_id")
    faults = agreement_faults(facts, today=today_of(session))
    if faults:
        raise RuleViolation("; ".join(f"{f}: {why}" for f, why in faults), rule="R-BE-7",
                            field=faults[0][0])
    now = now_of(session)
    previous = await current_agreement(session, beneficiary.id)
    if previous is not None:
        previous.superseded_at = now
    agreement = CareAgreement(
        id=new_id(), beneficiary_id=beneficiary.id, division=beneficiary.division,
        mode=facts.mode, self_care=facts.self_care,
        caregiver_name=facts.caregiver_name if facts.mode == CareMode.dispersed else None,
        caregiver_relationship=facts.caregiver_relationship
        if facts.mode == CareMode.dispersed else None,
        institution=facts.institution if facts.mode == CareMode.concentrated else None,
        document_ref=facts.document_ref, signed_on=facts.signed_on, valid_from=facts.valid_from,
        valid_until=facts.valid_until, recorded_by=user.user_id, recorded_at=now,
        superseded_at=None)
    session.add(agreement)
    who = facts.institution if facts.mode == CareMode.concentrated else mask_name(
        facts.caregiver_name or "")
    await record_change(session, beneficiary, ChangeKind.care_agreement,
                        detail=f"{facts.mode} ({facts.self_care}): {who}, {facts.document_ref}",
                        reference=agreement.id)
    await session.flush()
    await emit(session, CareAgreementRecorded(
        agreement_id=agreement.id, beneficiary_id=beneficiary.id, division=beneficiary.division,
        mode=facts.mode.value,
        self_care=facts.self_care,
        caregiver_name_masked=mask_name(agreement.caregiver_name)
        if agreement.caregiver_name else None,
        institution=agreement.institution, document_ref=agreement.document_ref,
        signed_on=agreement.signed_on, valid_from=agreement.valid_from,
        valid_until=agreement.valid_until, recorded_by=user.user_id,
    ), subject=agreement.id, division=beneficiary.division)
    return agreement


async def current_agreement(session: AsyncSession, beneficiary_id: str) -> CareAgreement | None:
    return await session.scalar(select(CareAgreement).where(
        CareAgreement.beneficiary_id == beneficiary_id, CareAgreement.superseded_at.is_(None)))


async def agreements_of(session: AsyncSession, beneficiary_id: str) -> Sequence[CareAgreement]:
    """Every agreement of a beneficiary, the newest first."""
    return (await session.scalars(select(CareAgreement).where(
        CareAgreement.beneficiary_id == beneficiary_id)
        .order_by(CareAgreement.recorded_at.desc(), CareAgreement.id))).all()


def _tekun_on_roll(user: User) -> list[ColumnElement[bool]]:
    return [user.jurisdiction(Beneficiary.division), Beneficiary.program == "tekun",
            Beneficiary.status != RollStatus.stopped]


async def without_valid_agreement(
    session: AsyncSession, *, user: User, today: date, window: Window | None = None
) -> Sequence[Beneficiary]:
    """R-BE-7: tekun beneficiaries still on the roll with no agreement in force today (none
    recorded, not yet in force, or expired), oldest entry first."""
    current = and_(CareAgreement.beneficiary_id == Beneficiary.id,
                   CareAgreement.superseded_at.is_(None))
    invalid = or_(CareAgreement.id.is_(None), CareAgreement.valid_from > today,
                  and_(CareAgreement.valid_until.is_not(None), CareAgreement.valid_until < today))
    query = (select(Beneficiary).outerjoin(CareAgreement, current)
             .where(*_tekun_on_roll(user), invalid))
    query = (window or Window(TEKUN_ROLL, limit=100)).apply(query)
    return (await session.scalars(query)).all()


async def current_agreements(
    session: AsyncSession, beneficiary_ids: Sequence[str]
) -> dict[str, CareAgreement]:
    """The current agreement of each of these beneficiaries that has one."""
    rows = await session.scalars(select(CareAgreement).where(
        CareAgreement.beneficiary_id.in_(list(beneficiary_ids)),
        CareAgreement.superseded_at.is_(None)))
    return {a.beneficiary_id: a for a in rows}


@dataclass(frozen=True)
class CareRate:
    """R-BE-7 for one division: tekun unable to care for themselves, how many of them are in
    concentrated care, the rate and whether it is below the 55 % target."""

    division: str
    tekun: int
    unable: int
    unable_concentrated: int
    unknown_self_care: int

    @property
    def rate(self) -> Decimal | None:
        return concentrated_care_rate(self.unable, self.unable_concentrated)

    @property
    def below_target(self) -> bool:
        return self.rate is not None and self.rate < CONCENTRATED_CARE_TARGET


async def care_rates(session: AsyncSession, *, user: User) -> tuple[list[CareRate], list[CareRate]]:
    """R-BE-7: the concentrated-care rate per township and per county in the user's
    jurisdiction, from each tekun's current agreement (its self-care ability and mode); a tekun
    without one counts under ``unknown_self_care``."""
    current = and_(CareAgreement.beneficiary_id == Beneficiary.id,
                   CareAgreement.superseded_at.is_(None))
    township = func.substr(Beneficiary.division, 1, 9)
    unable = CareAgreement.self_care == "unable"
    rows = (await session.execute(
        select(township, func.count(Beneficiary.id),
               func.count(CareAgreement.id).filter(unable),
               func.count(CareAgreement.id).filter(
                   unable, CareAgreement.mode == CareMode.concentrated),
               func.count(Beneficiary.id).filter(CareAgreement.id.is_(None)))
        .outerjoin(CareAgreement, current)
        .where(*_tekun_on_roll(user))
        .group_by(township).order_by(township))).all()
    townships = [CareRate(code, *counts) for code, *counts in rows]
    counties: dict[str, list[int]] = {}
    for t in townships:
        total = counties.setdefault(t.division[:6], [0, 0, 0, 0])
        for i, n in enumerate((t.tekun, t.unable, t.unable_concentrated, t.unknown_self_care)):
            total[i] += n
    return townships, [CareRate(code, *n) for code, n in sorted(counties.items())]
