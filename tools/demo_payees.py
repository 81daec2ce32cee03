"""Demo cases taken on to the roll and the one-card register (演示数据), through the real APIs.

DEMO VALUES, NOT OFFICIAL ONES: the people, ID numbers and card accounts are invented (DOMAIN.md,
Demo data). Once per data folder, after the demo applications and policy parameters:

- each demo application of the demo township (朝阳镇) that is accepted, except the one whose
  investigation is shown in progress, is investigated by the township's caseworker and leader
  and completed (verification), its initial opinion written by the caseworker and confirmed by
  the leader (approval, R-AP-1, R-AP-2): temporary aid is approved at once and paid once
  (R-BE-8, R-DI-3); dibao and tekun go on public notice for 7 days (R-AP-3), and approval's
  clock enters them on the roll when day 7 has ended (R-AP-4);
- finance registers each holder's social-security card account (R-DI-4: the head's for a
  household, the person's own for a personal benefit), so their payments are ready;
- the county officer generates the draft ledger of the open payment month (R-DI-2), generated
  again from the basis until its cut-off.

A step already done (an earlier run stopped half-way) is recognised and skipped, never doubled.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from services.disbursement.months.rules import open_month
from shared.auth import Role
from shared.divisions import DEMO_DIVISIONS
from shared.settings import Settings
from tools.demo import MARKER_FILE, demo_applications, demo_token, demo_villages, find_demo_user

PAYEES_MARKER_FILE = "demo-payees-loaded.json"
BANK = "中国农业银行嘉荫县支行(演示)"
TEMPORARY = ("temp_emergency", "temp_expenditure")


class StepFailed(Exception):
    """A demo step the services refused or did not reach in time."""


def demo_account_number(id_number: str) -> str:
    """An invented 19-digit card number of a demo person (6228 48 …, from the ID number)."""
    return "622848" + id_number[-13:-1].rjust(12, "0") + "0"


def demo_township(county: str) -> str | None:
    """The township of the county's first demo village: the one the demo takes to the roll."""
    villages = demo_villages(county)
    return villages[0][:9] if villages else None


@dataclass
class PayeesLoad:
    """What taking the demo cases on did."""

    approved: list[dict[str, Any]] = field(default_factory=list)
    on_notice: list[dict[str, Any]] = field(default_factory=list)
    accounts: list[dict[str, Any]] = field(default_factory=list)
    month: dict[str, Any] | None = None
    errors: list[str] = field(default_factory=list)


class Demo:
    """The demo staff of one township and the county, and the services' addresses."""

    def __init__(self, urls: dict[str, str], settings: Settings, township: str,
                 timeout_s: float) -> None:
        self.settings, self.township, self.timeout_s = settings, township, timeout_s
        self.clients = {name: httpx.Client(base_url=url, timeout=15.0)
                        for name, url in urls.items()}
        self.caseworker = find_demo_user(Role.caseworker, township, county=settings.county)
        self.leader = find_demo_user(Role.township_leader, township, county=settings.county)

    def close(self) -> None:
        for client in self.clients.values():
            client.close()

    def headers(self, user: Any) -> dict[str, str]:
        return {"Authorization": f"Bearer {demo_token(self.settings, user, ttl_s=600)}"}

    def as_role(self, role: Role) -> dict[str, str]:
        return self.headers(find_demo_user(role, self.settings.county,
                                           county=self.settings.county))

    def call(self, service: str, method: str, path: str, headers: dict[str, str],
             body: dict[str, Any] | None = None, ok: tuple[int, ...] = (200, 201)) -> Any:
        answer = self.clients[service].request(method, f"/api/v1{path}", json=body,
                                               headers=headers)
        if answer.status_code not in ok:
            raise StepFailed(f"{service} {method} {path} answered {answer.status_code}: "
                             f"{answer.text[:300]}")
        return answer.json() if answer.content else None

    def wait(self, what: str, probe: Callable[[], Any]) -> Any:
        """``probe()`` once it returns something (the services learn of it by event)."""
        deadline = time.monotonic() + self.timeout_s
        while True:
            found = probe()
            if found:
                return found
            if time.monotonic() > deadline:
                raise StepFailed(f"{what}: not there after {self.timeout_s:.0f} s")
            time.sleep(0.3)


def _form(members: list[dict[str, Any]], program: str, today: str) -> dict[str, Any]:
    """An investigation form (入户调查表) of a demo household (demo amounts, in fen)."""
    head = members[0]["member_id"]
    income = ([] if program == "tekun" else [
        {"member_id": head, "kind": "wages", "description": "农闲打零工(演示)",
         "monthly_fen": 40000, "verified_by": "letter"}])
    return {
        "visited_on": today,
        "situation": {"tekun": "老人独居, 无劳动能力, 无赡养人 (演示)",
                      "dibao": "户主独自抚养孩子, 打零工收入不稳定 (演示)"}.get(
            program, "突发大病住院, 医疗支出远超家庭承受能力 (演示)"),
        "income": income,
        "assets": [{"kind": "deposit", "description": "农村信用社存款(演示)",
                    "value_fen": 50000}],
        "living_conditions": {"housing": "owned", "floor_area_m2": 45,
                              "condition": "砖瓦房一间, 家具简陋 (演示)"},
    }


def _opinion(case: dict[str, Any], program: str) -> dict[str, Any]:
    body: dict[str, Any] = {"proposal": "approve", "text": {
        "dibao": "家庭月人均收入低于当地农村低保标准, 拟同意纳入低保 (演示)",
        "tekun": "无劳动能力、无生活来源、无法定赡养人, 拟同意纳入特困供养 (演示)"}.get(
            program, "因病支出型困难, 基本生活暂时出现严重困难, 拟给予临时救助 (演示)")}
    if program in TEMPORARY:
        body["temporary_aid_fen"] = 200000
    if program == "tekun":  # R-BE-7: the person assessed, the head (a household of one)
        head = next(m["member_id"] for m in case["members"] if m["relationship"] == "head")
        body["members"] = [{"member_id": head, "able_to_work": False,
                            "has_income_source": False, "supporter": "none",
                            "self_care": "partly_unable"}]
    return body


def take_case_on(demo: Demo, application: dict[str, Any], program: str,
                 load: PayeesLoad) -> None:
    """Investigate, write the opinion and confirm one accepted application (each step skipped
    when an earlier run did it); where it stands after, in ``load``."""
    cw, tl = demo.headers(demo.caseworker), demo.headers(demo.leader)
    app_id = application["id"]
    listed = demo.wait(f"the investigation of {application.get('number')}", lambda: demo.call(
        "verification", "GET", f"/investigations?application_id={app_id}", cw))
    inv = demo.call("verification", "GET", f"/investigations/{listed[0]['id']}", cw)
    base = f"/investigations/{inv['id']}"
    if inv["status"] not in ("completed", "closed"):
        demo.call("verification", "PUT", f"{base}/investigators", cw, {
            "investigators": [{"user_id": u.user_id, "name": u.name, "role": str(u.role)}
                              for u in (demo.caseworker, demo.leader)],
            "village_helper": {"name": "刘长河", "title": "村委会主任(演示)"}})
        form = demo.call("verification", "PUT", f"{base}/form", cw, _form(
            inv["members"], program, datetime.now(UTC).date().isoformat()))
        version = form.get("version", 1) if isinstance(form, dict) else 1
        for who in (cw, tl):
            demo.call("verification", "POST", f"{base}/form/confirmations", who,
                      {"version": version})
        head = inv["members"][0]
        demo.call("verification", "POST", f"{base}/form/household-confirmation", cw, {
            "version": version, "name": head["name"], "relationship": "户主",
            "member_id": head["member_id"], "method": "signature_and_fingerprint"})
        demo.call("verification", "POST", f"{base}/complete", cw,
                  {"findings": "经入户调查、邻里走访和信息核对, 情况属实 (演示)"})

    def the_case() -> dict[str, Any] | None:
        cases = demo.call("approval", "GET", f"/cases?application_id={app_id}", cw)
        return cases[0] if cases else None

    case = demo.wait(f"the review case of {application.get('number')} after the "
                     "investigation", lambda: (c := the_case()) and c["status"]
                     != "awaiting_investigation" and c)
    if case["status"] == "awaiting_initial_opinion":
        demo.call("approval", "POST", f"/cases/{case['id']}/opinion", cw,
                  _opinion(case, program))
        case = the_case() or case
    if case["status"] == "awaiting_confirmation":
        demo.call("approval", "POST", f"/cases/{case['id']}/confirmation", tl,
                  {"decision": "confirm", "note": "经审核, 同意初审意见 (演示)"})
        case = the_case() or case
    entry = {"number": application.get("number"), "title": application.get("title"),
             "program": program, "status": case["status"]}
    (load.approved if case["status"] == "approved" else load.on_notice).append(entry)


def register_card(demo: Demo, person: dict[str, Any], division: str, load: PayeesLoad, *,
                  application: dict[str, Any], program: str) -> None:
    """Finance registers the holder's card account (R-DI-4); one already there is kept. For
    temporary aid, once disbursement has its payment (held for want of the account)."""
    finance = demo.as_role(Role.finance_officer)
    if program in TEMPORARY:
        def the_payment() -> list[Any]:
            payees = demo.call("disbursement", "GET",
                               f"/payees?application_id={application['id']}", finance)
            return payees and demo.call("disbursement", "GET",
                                        f"/payments?payee_id={payees[0]['id']}", finance)

        demo.wait(f"the payment of {application.get('number')}", the_payment)
    found = demo.call("disbursement", "POST", "/bank-accounts/search", finance,
                      {"id_number": person["id_number"]})
    active = [a for a in found if a.get("status") == "active"]
    account = active[0] if active else demo.call(
        "disbursement", "POST", "/bank-accounts", finance | {
            "Idempotency-Key": f"demo-card-{person['id_number']}"}, {
            "id_number": person["id_number"], "name": person["name"], "bank_name": BANK,
            "account_number": demo_account_number(person["id_number"]),
            "division": division})
    load.accounts.append({"holder": account.get("holder_name_masked"),
                          "account": account.get("account_masked")})


def load_demo_payees(urls: dict[str, str], settings: Settings, *,
                     say: Callable[[str], None] = print, timeout_s: float = 30.0) -> str:
    """Take the demo township's accepted applications on (see the module), once per data
    folder; what happened, in words. Never raises: `make run` goes on without it."""
    marker = Path(settings.data_dir) / PAYEES_MARKER_FILE
    if marker.exists():
        return f"already loaded ({marker})"
    missing = [s for s in ("verification", "approval", "disbursement") if s not in urls]
    township = demo_township(settings.county)
    loaded = Path(settings.data_dir) / MARKER_FILE
    if missing or township is None or not loaded.exists():
        return ("not loaded: " + (f"{', '.join(missing)} not running" if missing else
                                  "no demo applications"))
    created = {c["title"]: c for c in json.loads(loaded.read_text())}
    shown_in_progress = next((c for c in created.values() if c.get("status") == "accepted"),
                             None)
    load = PayeesLoad()
    demo = Demo(urls, settings, township, timeout_s)
    try:
        for app in demo_applications(settings.county):
            made = created.get(app.title)
            if (app.township != township or made is None or made is shown_in_progress
                    or made.get("status") != "accepted"):
                continue
            try:
                take_case_on(demo, made, str(app.program), load)
                holder = app.members[0]  # the head's card; a one-person case: the person's
                register_card(demo, holder, app.village, load, application=made,
                              program=str(app.program))
            except (StepFailed, httpx.HTTPError) as exc:
                load.errors.append(f"{app.title}: {exc}")
        try:
            month = open_month(datetime.now(UTC))
            officer = demo.as_role(Role.county_officer)
            load.month = demo.call("disbursement", "POST", "/payment-months", officer | {
                "Idempotency-Key": f"demo-ledger-{settings.county}-{month}"},
                {"county": settings.county, "month": month}, ok=(201, 409))
            if load.month and "state" not in load.month:  # frozen or out of order already
                listed = demo.call("disbursement", "GET",
                                   f"/payment-months?county={settings.county}&month={month}",
                                   officer)
                load.month = listed[0] if listed else None
        except (StepFailed, httpx.HTTPError) as exc:
            load.errors.append(f"the payment month: {exc}")
    finally:
        demo.close()
    for error in load.errors:
        say(f"  demo payees: {error}")
    if load.errors:
        return f"not completed ({len(load.errors)} steps failed; see above): run again"
    marker.write_text(json.dumps({"approved": load.approved, "on_notice": load.on_notice,
                                  "accounts": load.accounts, "month": load.month},
                                 ensure_ascii=False, indent=2) + "\n")
    return summary(load, DEMO_DIVISIONS[township].name)


def summary(load: PayeesLoad, township_name: str) -> str:
    lines = [f"{township_name}: {len(load.approved)} approved (temporary aid, its payment "
             f"ready to the card account), {len(load.on_notice)} on public notice (on the roll "
             "when its day 7 has ended, paid from the month after)"]
    lines += [f"  {c['number']}  {c['status']:<20} {c['title']}"
              for c in load.approved + load.on_notice]
    lines += [f"  card account {a['account']}  {a['holder']}" for a in load.accounts]
    if load.month:
        lines.append(f"  payment month {load.month['month']} of county {load.month['county']}: "
                     f"ledger {load.month['state']}, {load.month['lines']} lines")
    return "\n".join(lines)
