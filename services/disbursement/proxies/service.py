"""Rules of proxies (代领, R-DI-5): a payee who cannot withdraw the money may have a guardian,
a caregiver or a chosen person withdraw it under a signed authorisation (代取授权书) filed with
the county. Assistance staff and village cadres of the staff register are refused, when the
authorisation is made and again when it is filed; a proxy who joins the register later has
their authorisations revoked (:func:`revoke_for_staff`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import BinaryIO

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.disbursement.beneficiaries.models import Payee, PayeeStatus
from services.disbursement.proxies.models import ProxyAuthorisation, ProxyStatus
from services.disbursement.staff.models import RegisteredStaff
from services.disbursement.staff.service import staff_refused_as_proxy
from shared import context, uploads
from shared.at_rest import keyring_of
from shared.auth import User
from shared.clock import now_of, today_of
from shared.context import new_id
from shared.contracts.disbursement import ProxyAuthorised, ProxyFiled, ProxyRevoked
from shared.contracts.intake import StaffKind
from shared.digests import person_digest
from shared.divisions import significant_prefix
from shared.inputs import Keyset, Window
from shared.masking import mask_id_number, mask_name
from shared.outbox import emit
from shared.problems import Conflict, InvalidField, Problem
from shared.records import get_in_jurisdiction
from shared.uploads import Damaged, FileStore
from shared.workdays import today_in_shanghai

PROXIES = Keyset("proxies", ProxyAuthorisation.created_at.desc(), ProxyAuthorisation.id.desc())
"""The order of the list of proxies and its cursors: the latest first."""

DOCUMENT_TYPES = {k: v for k, v in uploads.SCANS.items()
                  if k in ("application/pdf", "image/jpeg", "image/png")}
"""The signed authorisation as a PDF, or a photo or scan of it."""
IN_FORCE = (ProxyStatus.authorised, ProxyStatus.filed)

KIND_NAMES = {
    StaffKind.county_dedicated: "县级社会救助专职工作人员",
    StaffKind.township_dedicated: "乡镇社会救助专职工作人员",
    StaffKind.caseworker: "社会救助经办人员",
    StaffKind.village_assistant: "村社会救助协理员",
    StaffKind.village_cadre: "村干部",
}


class DocumentDamaged(Problem):
    status, slug, title = 500, "document-damaged", "The stored document is damaged"


async def _refuse_staff(session: AsyncSession, digest: str, on: date) -> None:
    staff = await staff_refused_as_proxy(session, digest, on)
    if staff is not None:
        raise Conflict(f"the proxy is on the staff register as "
                       f"{KIND_NAMES.get(StaffKind(staff.kind), staff.kind)} in {staff.division}"
                       ": assistance staff and village cadres may never be a recipient's proxy",
                       rule="R-DI-5", staff_kind=staff.kind)


async def authorise(
    session: AsyncSession, *, user: User, store: FileStore, payee_id: str, name: str,
    id_number: str, relation: str, reason: str, source: BinaryIO, filename: str | None,
    media_type: str | None, max_bytes: int,
) -> ProxyAuthorisation:
    """A proxy authorised with the signed document uploaded (PDF, JPEG or PNG; its SHA-256
    kept). 409 when the proxy is assistance staff or a village cadre (R-DI-5), when the payee
    already has a proxy in force or is stopped; 422 when the proxy is the holder."""
    payee = await get_in_jurisdiction(session, Payee, payee_id, user=user,
                                      missing=f"no payee {payee_id}", for_update=True)
    if payee.status != PayeeStatus.active:
        raise Conflict(f"payee {payee.id} is {payee.status}: nothing is paid to proxy")
    keyring, today = keyring_of(session), today_of(session)
    digest = person_digest(keyring, id_number)
    if payee.holder_digest is not None and digest == payee.holder_digest:
        raise InvalidField("id_number", "is the holder's own: a proxy withdraws for someone "
                           "else", rule="R-DI-5")
    await _refuse_staff(session, digest, today)
    existing = await session.scalar(select(ProxyAuthorisation).where(
        ProxyAuthorisation.payee_id == payee.id, ProxyAuthorisation.status.in_(IN_FORCE)))
    if existing is not None:
        raise Conflict(f"payee {payee.id} has a proxy in force ({existing.id}, "
                       f"{existing.status}): revoke it first", proxy_id=existing.id)
    media, stored = await uploads.receive(store, source, media_type=media_type,
                                          accepted=DOCUMENT_TYPES, max_bytes=max_bytes,
                                          what="signed authorisations")
    proxy = ProxyAuthorisation(
        id=new_id(), payee_id=payee.id, beneficiary_id=payee.beneficiary_id,
        division=payee.division, proxy_name=name, proxy_digest=digest,
        proxy_id_masked=mask_id_number(id_number), relation=relation, reason=reason,
        document_sha256=stored.sha256, document_media_type=media,
        document_size_bytes=stored.size, document_filename=uploads.safe_filename(filename),
        status=ProxyStatus.authorised, created_by=user.user_id, created_at=now_of(session))
    session.add(proxy)
    await session.flush()
    await emit(session, ProxyAuthorised(
        proxy_id=proxy.id, payee_id=payee.id, beneficiary_id=payee.beneficiary_id,
        division=payee.division, proxy_name_masked=mask_name(name), proxy_id_number=id_number,
        relation=relation, reason=reason,
        document_sha256=stored.sha256, document_media_type=media,
        document_size_bytes=stored.size), subject=proxy.id, division=proxy.division)
    return proxy


async def _in_force(session: AsyncSession, user: User, proxy_id: str) -> ProxyAuthorisation:
    proxy = await get_in_jurisdiction(session, ProxyAuthorisation, proxy_id, user=user,
                                      missing=f"no proxy {proxy_id}", for_update=True)
    if proxy.status == ProxyStatus.revoked:
        raise Conflict(f"proxy {proxy.id} was revoked on {proxy.revoked_on}")
    return proxy


async def file(session: AsyncSession, *, user: User, proxy_id: str, filed_on: date | None
               ) -> ProxyAuthorisation:
    """备案: the county files the signed authorisation; the proxy is checked against the staff
    register again (R-DI-5). Once (409)."""
    proxy = await _in_force(session, user, proxy_id)
    if proxy.status == ProxyStatus.filed:
        raise Conflict(f"proxy {proxy.id} was filed on {proxy.filed_on}")
    today = today_of(session)
    filed_on = filed_on or today
    authorised_on = today_in_shanghai(proxy.created_at)
    if not authorised_on <= filed_on <= today:
        raise InvalidField("filed_on", f"must be between the authorisation ({authorised_on}) "
                           f"and today ({today})")
    await _refuse_staff(session, proxy.proxy_digest, today)
    proxy.status, proxy.filed_on, proxy.filed_by = ProxyStatus.filed, filed_on, user.user_id
    await session.flush()
    await emit(session, ProxyFiled(proxy_id=proxy.id, payee_id=proxy.payee_id,
                                   division=proxy.division, filed_on=filed_on),
               subject=proxy.id, division=proxy.division)
    return proxy


async def revoke(session: AsyncSession, *, user: User, proxy_id: str, reason: str
                 ) -> ProxyAuthorisation:
    proxy = await _in_force(session, user, proxy_id)
    today = today_of(session)
    proxy.status, proxy.revoked_on = ProxyStatus.revoked, today
    proxy.revoked_by, proxy.revoked_reason = user.user_id, reason
    await session.flush()
    await emit(session, ProxyRevoked(proxy_id=proxy.id, payee_id=proxy.payee_id,
                                     division=proxy.division, reason=reason, revoked_on=today),
               subject=proxy.id, division=proxy.division)
    return proxy


async def revoke_for_staff(session: AsyncSession, staff: RegisteredStaff) -> list[str]:
    """A person becomes assistance staff or a village cadre (intake's register) while proxy for
    a payee: from then on they may not be (R-DI-5), so every authorisation of theirs still in
    force is revoked, by the system, naming the post; the township arranges another proxy.
    Returns the revoked proxies' ids."""
    today = today_of(session)
    if not staff.refused_as_proxy or (staff.valid_until is not None
                                      and staff.valid_until <= today):
        return []  # a post that does not refuse, or one that has ended already
    proxies = (await session.scalars(select(ProxyAuthorisation).where(
        ProxyAuthorisation.proxy_digest == staff.id_digest,
        ProxyAuthorisation.status.in_(IN_FORCE)).with_for_update())).all()
    reason = (f"the proxy is on the staff register as "
              f"{KIND_NAMES.get(StaffKind(staff.kind), staff.kind)} in {staff.division} from "
              f"{staff.valid_from}: assistance staff and village cadres may never be a "
              "recipient's proxy (R-DI-5)")
    for proxy in proxies:
        proxy.status, proxy.revoked_on = ProxyStatus.revoked, today
        proxy.revoked_by, proxy.revoked_reason = context.current_actor.get().user_id, reason
        await emit(session, ProxyRevoked(proxy_id=proxy.id, payee_id=proxy.payee_id,
                                         division=proxy.division, reason=reason,
                                         revoked_on=today),
                   subject=proxy.id, division=proxy.division)
    await session.flush()
    return [p.id for p in proxies]


async def get(session: AsyncSession, *, user: User, proxy_id: str) -> ProxyAuthorisation:
    return await get_in_jurisdiction(session, ProxyAuthorisation, proxy_id, user=user,
                                     missing=f"no proxy {proxy_id}")


async def document_of(store: FileStore, proxy: ProxyAuthorisation) -> Path:
    """The stored document, checked against its SHA-256."""
    try:
        return await store.verified(proxy.document_sha256, proxy.document_size_bytes)
    except Damaged as exc:
        raise DocumentDamaged(f"{exc}: restore it from the backup",
                              sha256=proxy.document_sha256) from None


async def list_proxies(
    session: AsyncSession, *, user: User, status: ProxyStatus | None = None,
    payee_id: str | None = None, division: str | None = None, window: Window | None = None,
) -> Sequence[ProxyAuthorisation]:
    query = select(ProxyAuthorisation).where(user.jurisdiction(ProxyAuthorisation.division))
    if status is not None:
        query = query.where(ProxyAuthorisation.status == status)
    if payee_id is not None:
        query = query.where(ProxyAuthorisation.payee_id == payee_id)
    if division is not None:
        query = query.where(ProxyAuthorisation.division.startswith(significant_prefix(division)))
    query = (window or Window(PROXIES, limit=100)).apply(query)
    return (await session.scalars(query)).all()
