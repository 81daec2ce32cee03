"""Demo users (one per role per level) and demo applications (演示数据) for the embedded default.

DEMO VALUES, NOT OFFICIAL ONES: the townships, villages, people and ID numbers here are invented
for demonstrations (DOMAIN.md, Demo data). The people do not exist.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import httpx

from shared.auth import Role, issue_token
from shared.divisions import DEMO_DIVISIONS, Level, is_within
from shared.idcard import check_character
from shared.programs import Program
from shared.settings import Settings

DEMO_CITY = "230700"  # 伊春市
MARKER_FILE = "demo-data-loaded.json"
REGISTER_MARKER_FILE = "demo-divisions-loaded.json"
DEMO_REGISTER_SINCE = date(2020, 1, 1)
"""The day the demo codes are in force from (a demo value)."""

ROLES_AT_LEVEL: dict[Level, tuple[Role, ...]] = {
    "village": (Role.village_assistant,),
    "township": (Role.caseworker, Role.township_leader),
    "county": (Role.county_officer, Role.finance_officer),
    "city": (Role.city_officer, Role.auditor),
}
ROLE_TITLES: dict[Role, str] = {
    Role.village_assistant: "协理员",
    Role.caseworker: "经办人",
    Role.township_leader: "主管领导",
    Role.county_officer: "民政局",
    Role.finance_officer: "财政局",
    Role.city_officer: "市民政局",
    Role.auditor: "审计",
}
DEMO_ROLES: tuple[Role, ...] = tuple(role for roles in ROLES_AT_LEVEL.values() for role in roles)


@dataclass(frozen=True)
class DemoUser:
    """A demo staff member with one assigned division."""

    user_id: str
    role: Role
    division: str
    name: str


def demo_users() -> list[DemoUser]:
    """One user per role and division of the 伊春市 demo tree (city: city officer and auditor)."""
    users = []
    for code, division in sorted(DEMO_DIVISIONS.items()):
        if division.level == "city" and code != DEMO_CITY:
            continue
        for role in ROLES_AT_LEVEL.get(division.level, ()):
            users.append(DemoUser(user_id=f"demo-{role}-{code}", role=role, division=code,
                                  name=f"{division.name}{ROLE_TITLES[role]}(演示)"))
    return users


def find_demo_user(role: Role | str, division: str | None = None, *,
                   county: str = "230722") -> DemoUser:
    """The demo user of ``role`` in ``division``; without a division, the first in ``county``."""
    if role not in DEMO_ROLES:
        raise LookupError(f"unknown role {role!r}; roles: {', '.join(DEMO_ROLES)}")
    candidates = [u for u in demo_users() if u.role == role]
    if division is not None:
        for user in candidates:
            if user.division == division:
                return user
        choices = ", ".join(u.division for u in candidates if is_within(u.division, county))
        raise LookupError(
            f"no demo {role} in division {division}; {role} divisions in county {county}: "
            f"{choices or ', '.join(u.division for u in candidates[:8])}"
        )
    for user in candidates:
        if is_within(user.division, county) or user.division == DEMO_CITY:
            return user
    return candidates[0]


def demo_token(settings: Settings, user: DemoUser, ttl_s: int | None = None) -> str:
    """A bearer token for a demo user (HS256 with the installation's secret); valid 12 h by
    default, or the maximum lifetime if that is shorter."""
    return issue_token(settings, user_id=user.user_id, role=user.role,
                       divisions=[user.division], name=user.name, ttl_s=ttl_s)


# --- the demo division register ----------------------------------------------------------------


def demo_register(county: str) -> list[dict[str, str]]:
    """The county's part of the demo tree as entries of the division register (a load's
    ``entries``): the county, its townships and villages, in force since 2020-01-01."""
    return [{"code": code, "name": division.name, "valid_from": DEMO_REGISTER_SINCE.isoformat()}
            for code, division in sorted(DEMO_DIVISIONS.items(),
                                         key=lambda item: (len(item[0]), item[0]))
            if division.level in ("county", "township", "village") and code[:6] == county]


def register_keeper(settings: Settings) -> dict[str, str]:
    """Authorization of the county's demo county officer, who keeps the register."""
    user = find_demo_user(Role.county_officer, county=settings.county)
    return {"Authorization": f"Bearer {demo_token(settings, user, ttl_s=600)}"}


def register_load_summary(body: dict[str, Any]) -> str:
    return f"{body.get('added', 0)} added, {body.get('changed', 0)} changed"


def load_demo_register(client: httpx.Client, settings: Settings) -> str:
    """Load the county's demo register through the intake API at ``client``, once per data
    folder and only into an empty register; what happened, in words. Raises on failure."""
    marker = Path(settings.data_dir) / REGISTER_MARKER_FILE
    if marker.exists():
        return f"already loaded ({marker})"
    entries = demo_register(settings.county)
    if not entries:
        return f"no demo divisions in county {settings.county}"
    headers = register_keeper(settings)
    present = client.get("/api/v1/divisions", params={"limit": 1}, headers=headers)
    present.raise_for_status()
    if present.json():
        return "not loaded: the register already holds codes"
    answer = client.post("/api/v1/divisions/load", json={"entries": entries},
                         headers=headers | {"Idempotency-Key": f"demo-register-{uuid.uuid4()}"})
    if answer.status_code != 200:
        raise RuntimeError(f"intake answered {answer.status_code}: {answer.text[:400]}")
    marker.write_text(json.dumps(answer.json()["entries"], ensure_ascii=False, indent=2) + "\n")
    return f"{len(entries)} demo codes of county {settings.county}: " \
        + register_load_summary(answer.json())


async def load_register_into(client: httpx.AsyncClient, settings: Settings,
                             entries: list[dict[str, str]] | None = None) -> dict[str, Any]:
    """Load ``entries`` (default: the county's demo register) through the intake API at
    ``client``, as its county officer: for tests and benchmarks that submit applications."""
    answer = await client.post("/api/v1/divisions/load", headers=register_keeper(settings),
                               json={"entries": entries or demo_register(settings.county)})
    if answer.status_code != 200:
        raise RuntimeError(f"loading the division register: intake answered "
                           f"{answer.status_code}: {answer.text[:400]}")
    body: dict[str, Any] = answer.json()
    return body


# --- demo applications ------------------------------------------------------------------------


def demo_id_number(county: str, born: date, sequence: int) -> str:
    """A valid resident ID number (R-IN-4) for a demo person; odd sequence = male."""
    first17 = f"{county}{born:%Y%m%d}{sequence:03d}"
    return first17 + check_character(first17)


def _member(county: str, name: str, born: date, sequence: int, relationship: str,
            living_status: str = "at_home", is_student: bool = False) -> dict[str, Any]:
    return {"name": name, "id_number": demo_id_number(county, born, sequence),
            "relationship": relationship, "living_status": living_status,
            "is_student": is_student}


@dataclass(frozen=True)
class DemoApplication:
    """One demo application as the intake API takes it; ``complete`` = all materials;
    ``grant_first_fen``: emergency aid granted at once by the township leader (R-IN-5);
    ``withdrawn``: the applicant withdraws it afterwards."""

    title: str
    program: Program
    channel: str
    village: str
    members: tuple[dict[str, Any], ...]
    complete: bool = True
    emergency: str | None = None
    """Temporary aid: what happened, in the village (R-IN-6)."""
    grant_first_fen: int | None = None
    withdrawn: bool = False

    @property
    def township(self) -> str:
        return self.village[:9]

    @property
    def expected_status(self) -> str:
        if self.withdrawn:
            return "withdrawn"
        return "accepted" if self.complete else "awaiting_materials"

    @property
    def area(self) -> str:
        """Communities (社区, x0xx codes here) are urban, villages (村) rural."""
        return "urban" if self.village[9] == "0" else "rural"


def demo_villages(county: str) -> list[str]:
    """The demo villages and communities of a county, in code order."""
    return sorted(c for c, d in DEMO_DIVISIONS.items() if d.level == "village" and c[:6] == county)


def demo_applications(county: str) -> list[DemoApplication]:
    """A handful of realistic applications in the county's demo villages (演示数据)."""
    villages = demo_villages(county)
    if not villages:
        return []

    def village(i: int) -> str:
        return villages[i % len(villages)]

    m = _member
    return [
        DemoApplication("低保 三口之家, 孩子上大学", Program.DIBAO, "window", village(0), (
            m(county, "王建国", date(1968, 3, 12), 31, "head"),
            m(county, "李秀兰", date(1970, 7, 8), 42, "spouse"),
            m(county, "王磊", date(2004, 9, 1), 13, "child", is_student=True),
        )),
        DemoApplication("低保 村委会代办, 丈夫服刑 (不计入家庭成员)", Program.DIBAO,
                        "village_proxy", village(1), (
            m(county, "张桂芝", date(1975, 11, 20), 26, "head"),
            m(county, "刘强", date(1973, 2, 14), 57, "spouse", living_status="serving_sentence"),
            m(county, "刘欣怡", date(2012, 5, 30), 48, "child"),
        )),
        DemoApplication("特困 独居老人", Program.TEKUN, "village_proxy", village(1), (
            m(county, "赵德福", date(1946, 1, 5), 15, "head"),
        )),
        DemoApplication("急难型临时救助 房屋失火, 先行救助 后补材料", Program.TEMP_EMERGENCY,
                        "window", village(0), (
            m(county, "孙立华", date(1982, 12, 3), 71, "head"),
            m(county, "周敏", date(1984, 4, 16), 64, "spouse"),
        ), complete=False, emergency="夜间房屋失火, 一家人无处居住 (演示)",
            grant_first_fen=300000),
        DemoApplication("支出型临时救助 大病医疗支出", Program.TEMP_EXPENDITURE, "active_discovery",
                        village(2), (
            m(county, "陈玉兰", date(1959, 10, 10), 22, "head"),
        )),
        DemoApplication("低保 材料不全 (一次性告知)", Program.DIBAO, "window", village(2), (
            m(county, "马春生", date(1964, 6, 18), 39, "head"),
            m(county, "何淑芬", date(1966, 8, 25), 80, "spouse"),
        ), complete=False),
        DemoApplication("低保 申请人撤回 (外出务工, 收入已好转)", Program.DIBAO, "window",
                        village(3), (
            m(county, "高振山", date(1977, 9, 9), 53, "head"),
        ), withdrawn=True),
        DemoApplication("支出型临时救助 孩子意外烧伤住院", Program.TEMP_EXPENDITURE, "window",
                        village(0), (
            m(county, "郑海涛", date(1986, 2, 21), 35, "head"),
            m(county, "郑佳琪", date(2015, 7, 14), 28, "child"),
        )),
        DemoApplication("支出型临时救助 独居老人冬季取暖", Program.TEMP_EXPENDITURE, "window",
                        village(1), (
            m(county, "冯淑珍", date(1950, 12, 2), 46, "head"),
        )),
    ]


@dataclass(frozen=True)
class DemoReferral:
    """A person in need a village assistant reports (R-IN-2); ``contact``: contact made."""

    village: str
    name: str
    address: str
    situation: str
    reported_by: str | None = None
    contact: str | None = None


def demo_referrals(county: str) -> list[DemoReferral]:
    """Open referrals in the county's demo villages, one with contact made (演示数据)."""
    villages = demo_villages(county)
    if not villages:
        return []
    return [
        DemoReferral(villages[0], "钱老汉", f"{DEMO_DIVISIONS[villages[0]].name}7组(演示地址)",
                     "独居老人, 冬季取暖困难 (演示)", reported_by="网格员 陈明(演示)"),
        DemoReferral(villages[-1], "吴桂英", f"{DEMO_DIVISIONS[villages[-1]].name}2组(演示地址)",
                     "丈夫病故, 独自抚养两个孩子 (演示)",
                     contact="已上门了解情况, 本人考虑申请低保 (演示)"),
    ]


FALLBACK_MATERIALS = ("application_form", "id_card", "household_register")


def checklist_codes(body: Any) -> list[str]:
    """Material codes from a checklist answer: a list, or an object holding one."""
    items = body
    if isinstance(body, dict):
        items = next((body[k] for k in ("items", "materials", "checklist") if k in body), [])
    codes = []
    for item in items if isinstance(items, list) else []:
        code = item.get("code") if isinstance(item, dict) else item
        if isinstance(code, str):
            codes.append(code)
    return codes


def request_body(app: DemoApplication, materials: list[str]) -> dict[str, Any]:
    """The POST /api/v1/applications body of a demo application."""
    handed_in = materials if app.complete else materials[: max(1, len(materials) - 2)]
    body: dict[str, Any] = {
        "program": str(app.program), "channel": app.channel, "division": app.village,
        "area": app.area, "contact_phone": "13800000000",
        "household": {"address": f"{DEMO_DIVISIONS[app.village].name}(演示地址)",
                      "members": list(app.members)},
        "materials": handed_in,
    }
    if app.channel == "village_proxy":  # the committee's paper, entered by the caseworker
        body["proxy"] = {"agent": "刘长河", "agent_title": "村委会主任"}
    if app.emergency:  # R-IN-6: where it happened
        body["emergency"] = {"happened_in": app.village, "circumstances": app.emergency}
    return body


@dataclass
class DemoLoad:
    """What loading the demo data did."""

    created: list[dict[str, Any]]
    errors: list[str]
    skipped: str | None = None
    register: str | None = None
    """What became of the demo division register, in words."""
    referrals: list[dict[str, Any]] = field(default_factory=list)
    """The open demo referrals recorded (R-IN-2)."""


def load_demo_data(intake_url: str, settings: Settings, *,
                   say: Callable[[str], None] = print, timeout_s: float = 15.0) -> DemoLoad:
    """Load the demo division register, then submit the demo applications through the intake
    API, each once per data folder.

    Errors are reported and skipped, never raised: `make run` goes on without the demo data.
    """
    with httpx.Client(base_url=intake_url, timeout=timeout_s) as client:
        try:
            register = load_demo_register(client, settings)
        except (httpx.HTTPError, RuntimeError) as exc:
            register = f"not loaded: {exc}"
            say(f"  demo division register: {register}")
        marker = Path(settings.data_dir) / MARKER_FILE
        if marker.exists():
            return DemoLoad([], [], skipped=f"already loaded ({marker})", register=register)
        applications = demo_applications(settings.county)
        if not applications:
            return DemoLoad([], [], skipped=f"no demo villages in county {settings.county}",
                            register=register)
        load = DemoLoad([], [], register=register)
        for app, body in _bodies(client, settings, applications, load):
            user = find_demo_user(Role.caseworker, app.township, county=settings.county)
            headers = {"Authorization": f"Bearer {demo_token(settings, user, ttl_s=600)}"}
            try:
                if app.channel == "active_discovery":  # it follows a referral (R-IN-1, R-IN-2)
                    body["referral_id"] = _refer(client, settings, app)
                answer = client.post("/api/v1/applications", json=body, headers=headers)
            except httpx.HTTPError as exc:
                load.errors.append(f"{app.title}: intake: {exc!r}")
                continue
            if answer.status_code != 201:
                load.errors.append(f"{app.title}: intake answered {answer.status_code}: "
                                   f"{answer.text[:400]}")
                continue
            created = answer.json()
            try:
                created = _after_submission(client, settings, app, created)
            except httpx.HTTPError as exc:
                load.errors.append(f"{app.title}: {exc}")
            load.created.append({"title": app.title, "id": created.get("id"),
                                 "number": created.get("number"),
                                 "status": created.get("status")})
        _refer_open(client, settings, load)
    for error in load.errors:
        say(f"  demo data: {error}")
    if load.created:
        marker.write_text(json.dumps(load.created, ensure_ascii=False, indent=2) + "\n")
    return load


def _as(settings: Settings, role: Role, division: str) -> dict[str, str]:
    user = find_demo_user(role, division, county=settings.county)
    return {"Authorization": f"Bearer {demo_token(settings, user, ttl_s=600)}"}


def _after_submission(client: httpx.Client, settings: Settings, app: DemoApplication,
                      created: dict[str, Any]) -> dict[str, Any]:
    """The township leader grants emergency aid first (R-IN-5); the applicant withdraws."""
    url = f"/api/v1/applications/{created['id']}"
    steps: list[tuple[str, dict[str, str], dict[str, Any]]] = []
    if app.grant_first_fen is not None:
        steps.append((f"{url}/emergency-aid", _as(settings, Role.township_leader, app.township),
                      {"amount_fen": app.grant_first_fen,
                       "circumstances": app.emergency or app.title}))
    if app.withdrawn:
        steps.append((f"{url}/withdrawal", _as(settings, Role.caseworker, app.township),
                      {"requested_by": app.members[0]["name"],
                       "reason": "外出务工, 家庭收入已好转, 本人申请撤回 (演示)"}))
    for path, headers, body in steps:
        answer = client.post(path, json=body, headers=headers)
        if answer.status_code != 200:
            raise httpx.HTTPError(f"{path} answered {answer.status_code}: {answer.text[:300]}")
        created = answer.json()
    return created


def _refer_open(client: httpx.Client, settings: Settings, load: DemoLoad) -> None:
    """The open demo referrals, recorded by their villages' assistants (R-IN-2)."""
    for ref in demo_referrals(settings.county):
        headers = _as(settings, Role.village_assistant, ref.village)
        try:
            answer = client.post("/api/v1/referrals", headers=headers, json={
                "division": ref.village, "name": ref.name, "address": ref.address,
                "situation": ref.situation, "reported_by": ref.reported_by})
            if answer.status_code == 201 and ref.contact:
                answer = client.post(f"/api/v1/referrals/{answer.json()['id']}/contact",
                                     headers=headers, json={"note": ref.contact})
        except httpx.HTTPError as exc:
            load.errors.append(f"referral of {ref.name}: intake: {exc!r}")
            continue
        if answer.status_code not in (200, 201):
            load.errors.append(f"referral of {ref.name}: intake answered "
                               f"{answer.status_code}: {answer.text[:300]}")
            continue
        got = answer.json()
        load.referrals.append({"title": f"{ref.name}: {ref.situation}", "id": got["id"],
                               "status": got["status"], "due": got["followup_due_on"]})


def _refer(client: httpx.Client, settings: Settings, app: DemoApplication) -> str:
    """The village assistant's referral of the household's head (R-IN-2); its id."""
    head = app.members[0]
    assistant = find_demo_user(Role.village_assistant, app.village, county=settings.county)
    answer = client.post("/api/v1/referrals", headers={
        "Authorization": f"Bearer {demo_token(settings, assistant, ttl_s=600)}"}, json={
        "division": app.village, "name": head["name"], "id_number": head["id_number"],
        "address": f"{DEMO_DIVISIONS[app.village].name}(演示地址)",
        "situation": f"{app.title} (演示)", "reported_by": "网格员(演示)"})
    if answer.status_code != 201:
        raise httpx.HTTPError(f"the referral: intake answered {answer.status_code}: "
                              f"{answer.text[:300]}")
    referral_id: str = answer.json()["id"]
    return referral_id


def _bodies(client: httpx.Client, settings: Settings, applications: list[DemoApplication],
            load: DemoLoad) -> Iterator[tuple[DemoApplication, dict[str, Any]]]:
    """Each application with its body, materials taken from the program's checklist."""
    user = find_demo_user(Role.caseworker, applications[0].township, county=settings.county)
    headers = {"Authorization": f"Bearer {demo_token(settings, user, ttl_s=600)}"}
    checklists: dict[Program, list[str]] = {}
    for app in applications:
        if app.program not in checklists:
            codes: list[str] = []
            try:
                answer = client.get(f"/api/v1/programs/{app.program}/checklist", headers=headers)
                if answer.status_code == 200:
                    codes = checklist_codes(answer.json())
                else:
                    load.errors.append(f"checklist of {app.program}: intake answered "
                                       f"{answer.status_code}: {answer.text[:200]}")
            except httpx.HTTPError as exc:
                load.errors.append(f"checklist of {app.program}: {exc!r}")
            checklists[app.program] = codes or list(FALLBACK_MATERIALS)
        yield app, request_body(app, checklists[app.program])


# --- a demo investigation in progress ---------------------------------------------------------

INVESTIGATION_MARKER_FILE = "demo-investigation-loaded.json"


def demo_form(members: list[dict[str, Any]], today: date) -> dict[str, Any]:
    """The investigation form (入户调查表) of the demo family of three (demo amounts, in fen)."""
    head = members[0]["member_id"]
    student = members[-1]["member_id"]
    return {
        "visited_on": today.isoformat(),
        "situation": "户主王建国在镇上打零工, 妻子李秀兰患慢性病在家, 儿子王磊在读大学 (演示)",
        "income": [
            {"member_id": head, "kind": "wages", "description": "镇上打零工(演示)",
             "monthly_fen": 120000, "verified_by": "letter"},
            {"kind": "business", "description": "种植玉米净收入(演示)", "monthly_fen": 25000,
             "verified_by": "site"},
            {"member_id": student, "kind": "transfer", "description": "国家助学金(演示)",
             "monthly_fen": 25000, "counted": False, "not_counted_reason": "助学金不计入收入"},
        ],
        "assets": [{"kind": "deposit", "description": "农村信用社存款(演示)",
                    "value_fen": 800000}],
        "rigid_expenditure": [{"member_id": members[1]["member_id"], "kind": "serious_illness",
                               "description": "慢性病门诊(演示)", "monthly_fen": 30000}],
        "living_conditions": {"housing": "owned", "floor_area_m2": 70,
                              "condition": "砖瓦房两间, 家电陈旧 (演示)"},
    }


def load_demo_investigation(verification_url: str, settings: Settings,
                            created: list[dict[str, Any]], *, say: Callable[[str], None] = print,
                            timeout_s: float = 30.0) -> str:
    """Show an investigation in progress (R-VE-1, R-VE-2, R-VE-5), through the verification
    API, once per data folder: the first demo application's investigation with two
    investigators (the township's caseworker and leader) and the village committee's helper,
    the form recorded and confirmed by one of them, a neighbour visit, a letter awaiting its
    answer and a doubt put to the applicant. What happened, in words; never raises."""
    marker = Path(settings.data_dir) / INVESTIGATION_MARKER_FILE
    if marker.exists():
        return f"already loaded ({marker})"
    loaded = Path(settings.data_dir) / MARKER_FILE
    if not created and loaded.exists():  # the applications of an earlier run
        created = json.loads(loaded.read_text())
    first = next((c for c in created if c.get("status") == "accepted"), None)
    if first is None:
        return "not loaded: no accepted demo application"
    village = demo_villages(settings.county)[0]
    caseworker = find_demo_user(Role.caseworker, village[:9], county=settings.county)
    leader = find_demo_user(Role.township_leader, village[:9], county=settings.county)
    cw = {"Authorization": f"Bearer {demo_token(settings, caseworker, ttl_s=600)}"}
    tl = {"Authorization": f"Bearer {demo_token(settings, leader, ttl_s=600)}"}
    now = datetime.now(UTC)
    try:
        with httpx.Client(base_url=verification_url, timeout=10.0) as client:
            investigation = _wait_for_investigation(client, first["id"], cw, timeout_s)
            if investigation is None:
                return "not loaded: verification has not opened the investigation yet"
            iid = investigation["id"]
            steps: list[tuple[str, str, dict[str, str], dict[str, Any]]] = [
                ("PUT", f"/investigations/{iid}/investigators", cw, {
                    "investigators": [
                        {"user_id": u.user_id, "name": u.name, "role": str(u.role)}
                        for u in (caseworker, leader)],
                    "village_helper": {"name": "刘长河", "title": "村委会主任(演示)"}}),
                ("PUT", f"/investigations/{iid}/form", cw,
                 demo_form(investigation["members"], today=now.date())),
                ("POST", f"/investigations/{iid}/form/confirmations", cw, {"version": 1}),
                ("POST", f"/investigations/{iid}/visits", cw, {
                    "visited_at": now.isoformat(),
                    "visitors": [caseworker.user_id, leader.user_id],
                    "neighbour_name": "张桂兰", "neighbour_relation": "邻居(同组)",
                    "statement": "王家日子紧, 李秀兰常年吃药, 王建国农闲时在镇上打零工 (演示)"}),
                ("POST", f"/investigations/{iid}/letters", cw, {
                    "member_id": investigation["members"][0]["member_id"],
                    "addressee": "朝阳镇建筑队(演示)", "asked": "请说明王建国近12个月的务工收入",
                    "sent_on": now.date().isoformat()}),
                ("POST", f"/investigations/{iid}/doubts", tl, {
                    "item": "车辆登记(演示)",
                    "description": "邻居反映其家有一辆农用三轮车, 申报中没有"}),
            ]
            for method, path, headers, body in steps:
                answer = client.request(method, f"/api/v1{path}", json=body, headers=headers)
                if answer.status_code not in (200, 201):
                    return (f"not completed: {method} {path} answered {answer.status_code}: "
                            f"{answer.text[:300]}")
                if path.endswith("/doubts"):
                    doubt = answer.json()["id"]
                    answer = client.post(f"/api/v1/doubts/{doubt}/put", headers=tl, json={
                        "put_at": now.isoformat(), "method": "in_person",
                        "note": "当面询问, 申请人称三轮车已于去年卖掉 (演示)"})
                    if answer.status_code != 200:
                        return f"not completed: the doubt answered {answer.status_code}"
    except httpx.HTTPError as exc:
        say(f"  demo investigation: {exc!r}")
        return f"not loaded: verification unreachable: {exc!r}"
    marker.write_text(json.dumps({"investigation_id": iid, "application": first},
                                 ensure_ascii=False, indent=2) + "\n")
    return (f"investigation {iid} of {first.get('number')} in progress: two investigators, "
            "a visit, a letter awaiting its answer, a doubt put to the applicant")


def _wait_for_investigation(client: httpx.Client, application_id: str, headers: dict[str, str],
                            timeout_s: float) -> dict[str, Any] | None:
    """The investigation verification opened for the application (it learns of it by event)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        listed = client.get("/api/v1/investigations", params={"application_id": application_id},
                            headers=headers)
        if listed.status_code == 200 and listed.json():
            detail = client.get(f"/api/v1/investigations/{listed.json()[0]['id']}",
                                headers=headers)
            if detail.status_code == 200:
                found: dict[str, Any] = detail.json()
                return found
        time.sleep(0.3)
    return None
