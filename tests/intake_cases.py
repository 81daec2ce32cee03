"""Factories and a running county for tests of intake's whole path: referrals, applications and
their end, with approval and the audit log in-process (real NATS, real databases)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import httpx
from fastapi import FastAPI

from services.approval.app import create_app as create_approval
from services.audit.app import create_app as create_audit
from services.intake.app import create_app as create_intake
from shared.auth import Role
from shared.idcard import check_character
from shared.settings import Settings
from tests.support import bearer, domain_event_count, eventually, load_division_register

COUNTY = "230722"  # 嘉荫县 (demo)
TOWNSHIP = "230722100"  # 朝阳镇
VILLAGE = "230722100201"  # 东风村, 朝阳镇
OTHER_VILLAGE = "230722100202"  # 朝阳镇's second village
OTHER_TOWNSHIP = "230722101"  # 乌云镇
OTHER_TOWNSHIP_VILLAGE = "230722101201"  # 乌云村
DIBAO_CHECKLIST = ["application_form", "id_card", "household_register", "income_statement",
                   "property_declaration", "authorization_letter"]
TEMP_CHECKLIST = ["application_form", "id_card", "hardship_proof"]


def id_number(birth: str, serial: str, region: str = "230722") -> str:
    """A valid resident ID number (R-IN-4): born ``birth`` (YYYYMMDD), serial 3 digits."""
    first17 = region + birth + serial
    return first17 + check_character(first17)


def member(number: str, relationship: str, name: str = "张三", **extra: Any) -> dict[str, Any]:
    return {"name": name, "id_number": number, "relationship": relationship, **extra}


def application(*members: dict[str, Any], **overrides: Any) -> dict[str, Any]:
    """A dibao application at the window of 朝阳镇 for 东风村, every material handed in."""
    body: dict[str, Any] = {
        "program": "dibao", "channel": "window", "division": VILLAGE, "area": "rural",
        "contact_phone": "13800001234",
        "household": {"address": "朝阳镇东风村3组", "members": list(members) or [
            member(id_number("19600101", "011"), "head"),
            member(id_number("19620202", "022"), "spouse", "李四")]},
        "materials": DIBAO_CHECKLIST,
    }
    return body | overrides


@dataclass
class County:
    """Intake, approval and audit of one county, talking over a real NATS."""

    intake: httpx.AsyncClient
    approval: httpx.AsyncClient
    audit: httpx.AsyncClient
    settings: Settings
    apps: dict[str, FastAPI]
    register_events: int = 0
    _counter: list[int] = field(default_factory=lambda: [0])

    def as_(self, role: Role | str, *divisions: str, user_id: str | None = None
            ) -> dict[str, str]:
        return bearer(self.settings, role, divisions or (TOWNSHIP,), user_id=user_id)

    @property
    def caseworker(self) -> dict[str, str]:
        return self.as_(Role.caseworker, user_id="cw-wang")

    @property
    def leader(self) -> dict[str, str]:
        return self.as_(Role.township_leader, user_id="leader-zhao")

    @property
    def assistant(self) -> dict[str, str]:
        """The village assistant of 东风村."""
        return self.as_(Role.village_assistant, VILLAGE, user_id="va-dongfeng")

    @property
    def officer(self) -> dict[str, str]:
        return self.as_(Role.county_officer, COUNTY, user_id="officer-sun")

    def person(self, birth: str = "19700101") -> str:
        """A new person's ID number, different every call."""
        self._counter[0] += 1
        return id_number(birth, f"{self._counter[0]:03d}")

    async def submit(self, body: dict[str, Any], headers: dict[str, str] | None = None
                     ) -> httpx.Response:
        return await self.intake.post("/api/v1/applications", json=body,
                                      headers=headers or self.caseworker)

    async def submitted(self, body: dict[str, Any], headers: dict[str, str] | None = None
                        ) -> dict[str, Any]:
        r = await self.submit(body, headers)
        assert r.status_code == 201, r.text
        answer: dict[str, Any] = r.json()
        return answer

    async def household(self, program: str = "dibao", **overrides: Any) -> dict[str, Any]:
        """An application of a new two-person household, accepted at once."""
        body = application(member(self.person("19600101"), "head"),
                           member(self.person("19620202"), "spouse", "李四"),
                           program=program, **overrides)
        if program in ("temp_emergency", "temp_expenditure") and "materials" not in overrides:
            body["materials"] = TEMP_CHECKLIST
        return await self.submitted(body)

    async def get(self, client: httpx.AsyncClient, url: str, headers: dict[str, str] | None = None,
                  **params: Any) -> Any:
        r = await client.get(url, headers=headers or self.officer, params=params)
        assert r.status_code == 200, r.text
        return r.json()

    async def case_of(self, application_id: str, *, status: str | None = None
                      ) -> dict[str, Any]:
        """The application's review case at approval, once it is there (and in ``status``)."""

        async def found() -> dict[str, Any] | None:
            cases = await self.get(self.approval, "/api/v1/cases", application_id=application_id)
            if cases and (status is None or cases[0]["status"] == status):
                return dict(cases[0])
            return None

        return await eventually(found, timeout=15)

    async def intake_events(self) -> int:
        return await domain_event_count(self.apps["intake"].state.kit) - self.register_events


async def running_county(make_settings: Callable[..., Settings], **intake_settings: Any
                         ) -> AsyncIterator[County]:
    """Intake (its division register loaded), approval and audit, running in-process."""
    from tests.support import running_all

    apps = {"intake": create_intake(make_settings("intake", **intake_settings)),
            "approval": create_approval(make_settings("approval")),
            "audit": create_audit(make_settings("audit"))}
    async with running_all(apps.values()) as (intake, approval, audit):
        settings = apps["intake"].state.kit.settings
        for app in apps.values():
            await app.state.kit.bus.wait_ready(15)
        await load_division_register(intake, settings)
        yield County(intake, approval, audit, settings, apps,
                     register_events=await domain_event_count(apps["intake"].state.kit))


def days_ago(calendar: Any, today: date, working_days: int) -> date:
    """The earliest receipt day a paper application entered ``today`` may have: the day whose
    period of ``working_days`` (R-AP-7's counting) ends on or after today."""
    from datetime import timedelta

    day = today
    while calendar.add_working_days(day - timedelta(days=1), working_days).last_day >= today:
        day -= timedelta(days=1)
    return day
