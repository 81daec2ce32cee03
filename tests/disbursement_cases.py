"""A running disbursement service for the one-card, proxy and reserve tests: its consumer fed
the events intake and approval send, its REST API called as finance, the county or a caseworker
of 朝阳镇."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import select

from services.disbursement.app import create_app as create_disbursement
from shared.auth import Role
from shared.context import new_id
from shared.contracts.intake import StaffKind, StaffRegistered
from shared.events import Envelope, new_envelope
from shared.settings import Settings
from tests.events import accepted, envelope_of
from tests.intake_cases import id_number
from tests.support import bearer, running

COUNTY = "230722"  # 嘉荫县
TOWNSHIP = "230722100"  # 朝阳镇
VILLAGE = "230722100201"  # 东风村
OTHER_TOWNSHIP = "230722101"  # 乌云镇
MONTH = "2026-12"
HEAD_ID = id_number("19600101", "101")
SPOUSE_ID = id_number("19620202", "102")
CADRE_ID = id_number("19750505", "103")
SON_ID = id_number("19850303", "104")
ACCOUNT = "6228480000123456789"
NEW_ACCOUNT = "6228480000987654321"
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def member(member_id: str, number: str, relationship: str, name: str) -> dict[str, Any]:
    return {"member_id": member_id, "name": name, "id_number": number,
            "birth_date": f"{number[6:10]}-{number[10:12]}-{number[12:14]}", "sex": "male",
            "relationship": relationship, "living_status": "lives_with", "is_student": False,
            "counted": True}


def decision(event: str, application_id: str, **data: Any) -> Envelope:
    beneficiary_id = new_id()
    body = {"beneficiary_id": beneficiary_id, "application_id": application_id,
            "program": "dibao", "division": VILLAGE, "head_name_masked": "王*国",
            "amount_fen": 50_000, "effective_month": MONTH, **data}
    return new_envelope(service="approval", county=COUNTY, event=event, subject=beneficiary_id,
                        division=VILLAGE, data=body)


@dataclass
class Disbursement:
    client: httpx.AsyncClient
    settings: Settings
    app: FastAPI

    def as_(self, role: Role, *divisions: str) -> dict[str, str]:
        return bearer(self.settings, role, divisions or (COUNTY,), user_id=f"{role}-home")

    @property
    def finance(self) -> dict[str, str]:
        return self.as_(Role.finance_officer)

    @property
    def county(self) -> dict[str, str]:
        return self.as_(Role.county_officer)

    @property
    def caseworker(self) -> dict[str, str]:
        return self.as_(Role.caseworker, TOWNSHIP)

    async def handle(self, *envelopes: Envelope) -> None:
        for envelope in envelopes:
            assert await self.app.state.kit.consumer.handle(envelope) is True

    async def household(self, program: str = "dibao", event: str = "beneficiary_approved",
                        **data: Any) -> tuple[str, dict[str, str]]:
        """An accepted application (head and spouse), then a decision for it; the payee's id
        and the members' ids."""
        application_id = new_id()
        ids = {"head": new_id(), "spouse": new_id()}
        # the members, as intake sends them (consumed by accounts' holders)
        await self.app.state.kit.consumer.handle(accepted(application_id=application_id, members=[
            member(ids["head"], HEAD_ID, "head", "王建国"),
            member(ids["spouse"], SPOUSE_ID, "spouse", "李秀英")]))
        made = decision(event, application_id, program=program, **data)
        await self.handle(made)
        return await self.payee_of(made.data["beneficiary_id"]), ids

    async def payee_of(self, beneficiary_id: str) -> str:
        r = await self.client.get("/api/v1/payees", params={"beneficiary_id": beneficiary_id},
                                  headers=self.finance)
        assert r.status_code == 200, r.text
        [payee] = r.json()
        return str(payee["id"])

    async def payments(self, payee_id: str) -> list[dict[str, Any]]:
        r = await self.client.get("/api/v1/payments", params={"payee_id": payee_id},
                                  headers=self.finance)
        assert r.status_code == 200, r.text
        return list(r.json())

    async def register(self, number: str = HEAD_ID, account: str = ACCOUNT,
                       **extra: Any) -> httpx.Response:
        return await self.client.post("/api/v1/bank-accounts", headers=self.finance, json={
            "id_number": number, "name": "王建国", "bank_name": "中国农业银行嘉荫县支行",
            "account_number": account, "division": TOWNSHIP, **extra})

    async def outbox(self, event: str) -> list[str]:
        kit = self.app.state.kit
        async with kit.sessions() as session:
            return list((await session.scalars(
                select(kit.outbox.c.payload)
                .where(kit.outbox.c.event_type == f"assist.disbursement.{event}")
                .order_by(kit.outbox.c.id))).all())


async def running_disbursement(make_settings: Any) -> AsyncIterator[Disbursement]:
    """The service on 2026-12-06 (Asia/Shanghai), its consumer fed directly."""
    settings = make_settings("disbursement")
    app = create_disbursement(settings)
    async with running(app) as client:
        app.state.kit.clock.set(_noon(date(2026, 12, 6)))
        yield Disbursement(client, settings, app)


def _noon(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 4, 0, tzinfo=UTC)


async def payee_holder(d: Disbursement, payee_id: str) -> tuple[str | None, str | None]:
    from services.disbursement.beneficiaries.models import Payee
    async with d.app.state.kit.sessions() as session:
        payee = await session.get(Payee, payee_id)
        assert payee is not None
        return payee.holder_member_id, payee.holder_digest


def staff_event(kind: StaffKind, number: str, *, staff_id: str | None = None) -> Envelope:
    staff_id = staff_id or new_id()
    return envelope_of(StaffRegistered(
        staff_id=staff_id, name_masked="赵**", id_number=number, kind=kind,
        assistance_staff=kind != StaffKind.village_cadre, dedicated=False, division=VILLAGE,
        title="村委会主任", valid_from=date(2025, 1, 1)), subject=staff_id, division=VILLAGE)


async def authorise(d: Disbursement, payee: str, number: str, **extra: Any) -> httpx.Response:
    return await d.client.post("/api/v1/proxies", headers=d.caseworker, data={
        "payee_id": payee, "name": "王磊", "id_number": number, "relation": "caregiver",
        "reason": "户主卧床，由儿子代领", **extra},
        files={"file": ("授权书.pdf", PDF, "application/pdf")})
