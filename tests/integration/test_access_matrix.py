"""Access proven route by route (R-SE-1, R-SE-2, R-SE-3): every operation of every service, read
from its OpenAPI document, is called by every role and by callers of other divisions.

For each operation of a service running in-process (real NATS, its database):

(a) every role not in ``x-roles`` gets 403 ``forbidden`` (problem+json) and nothing changes;
(b) a caller of a role in ``x-roles`` but of another township of the county, or of another
    county, sees none of the township's records in a list and changes nothing;
(c) an id of the township's record in the path is answered 404 to them, as an id that does not
    exist, never with its data;
(d) no answer of a GET (lists, public pages, exports, refusals) holds a full 18-digit ID number,
    a full phone number or a full bank account, but on the record endpoints meant for it.

Records come from the factories of the other tests (one per kind, in 朝阳镇); path parameters
other than ids take the examples of the OpenAPI document. Where no record is made, the id is
one that does not exist, listed in ``NO_RECORD`` with the reason.
"""

from __future__ import annotations

import importlib
import json
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import func, not_, select

from shared.auth import Role
from shared.context import new_id
from shared.operations import OPERATION_RECORDED
from shared.settings import SERVICE_NAMES, Settings
from tests import notices, roll_cases
from tests.events import accepted, envelope_of
from tests.intake_cases import application
from tests.investigations import png
from tests.support import bearer, eventually, load_division_register, ready, running

COUNTY = "230722"  # 嘉荫县
CITY = "230700"  # 伊春市
TOWNSHIP = "230722100"  # 朝阳镇: every record of the matrix is here
VILLAGE = "230722100201"  # 东风村
OTHER_TOWNSHIP = "230722101"  # 乌云镇, same county
OTHER_COUNTY = "230781"  # 铁力市, same city
OTHER_CITY = "230100"  # 哈尔滨市
TOWNSHIP_ROLES = {Role.caseworker, Role.township_leader, Role.village_assistant}
FORBIDDEN = "urn:assist:problem:forbidden"
NOT_FOUND = "urn:assist:problem:not-found"
PROBLEM = "application/problem+json"

FULL_ID = re.compile(r"(?<![0-9A-Za-z])[1-9]\d{16}[\dX](?![0-9A-Za-z])")
FULL_PHONE = re.compile(r"(?<![0-9A-Za-z])1[3-9]\d{9}(?![0-9A-Za-z])")
FULL_ACCOUNT = re.compile(r"(?<![0-9A-Za-z])\d{16,19}(?![0-9A-Za-z])")

NO_RECORD: dict[tuple[str, str], str] = {
    ("approval", "meeting_id"): "a meeting needs cases a leader referred to it, each through "
    "its investigation: tests/integration/test_decisions.py builds one; here a stranger's id",
    ("verification", "letter_id"): "a dead letter (a consumer's refused event, "
    "test_dead_letters.py); the letters of enquiry are the township's records",
    ("verification", "run_id"): "a check run needs the investigation's form (the household to "
    "check) and configured sources: tests/integration/test_verification_work.py",
    ("verification", "delegation_id"): "a delegation needs the form's address outside the "
    "county: tests/integration/test_verification_work.py",
    ("intake", "letter_id"): "a dead letter (a consumer's refused event): test_dead_letters.py",
    ("approval", "letter_id"): "a dead letter",
    ("disbursement", "letter_id"): "a dead letter", ("complaints", "letter_id"): "a dead letter",
    ("audit", "letter_id"): "a dead letter",
    ("audit", "seq"): "entries of the log are the county's, read county-wide (R-AU-3)",
}
"""Path ids for which the matrix makes no record: each is called with an id that does not
exist (so (a) and (b) still hold; (c) is proven by the records that exist)."""

PATH_VALUES = {"village_code": VILLAGE, "source": "civil_affairs"}
"""Path parameters with neither an example in the OpenAPI document nor a record."""

OUTSIDER_MAY_ACT: dict[tuple[str, str, str], str] = {
    ("approval", "POST", "/api/v1/near-relatives"): "any staff member files their own near "
    "relatives (R-AP-8), wherever they work: the filing is theirs",
}
"""Writes a caller of another division may make: they change nothing of the township's."""

POST_READS: dict[tuple[str, str, str], str] = {
    ("audit", "POST", "/api/v1/audit/people/entries"): "a search by person: the ID number goes "
    "in the body, never in a URL (R-AU-3); it changes nothing",
    ("disbursement", "POST", "/api/v1/bank-accounts/search"): "a person's card accounts by "
    "their ID number, sent in the body (R-DI-4, R-SE-2); it changes nothing",
}
"""POSTs that read: checked as lists are (nothing of the township's shown to a stranger)."""

OPEN_FINDINGS: dict[tuple[str, str, str], str] = {}
"""Operations the matrix finds wrong, each named here until it is fixed: their failures are
expected, and once one no longer fails the test asks for its line to be removed."""

BOOKKEEPING = {
    "log_access": "a read of the log is itself recorded beside it (R-AU-1)",
    "audit_checkpoint": "an export is given with a fresh signed checkpoint (R-AU-2, R-AU-3)",
    "audit_checkpoint_delivery": "its delivery to the witness (R-AU-2)",
    "merkle_node": "the tree a checkpoint signs (R-AU-2)",
    "scheduled_job": "the scheduler's own runs",
    "inbox": "events taken in from the stream at any moment; no request writes it",
    "audit_entry": "the log takes in the county's events from the stream at any moment (its "
    "own checkpoint_signed too); no request writes it (R-AU-2)",
}
"""Tables a read may write, left out of the counts: bookkeeping, not anyone's record."""
BOOKKEEPING_EVENTS = (OPERATION_RECORDED, "checkpoint_signed")
"""Events of the outbox left out of its count: the log of reads and refusals (R-AU-1), and the
checkpoint an export is given with (R-AU-2)."""

COUNTY_WIDE = {"version_id", "payment_month_id"}
"""Records of the whole county, not of a township: the county's policy parameters, which every
caller of the county reads (R-BE), and the county's payment months (their totals; the lines
are read by division, and acting on a month needs the county, R-DI-2). Another township's
caller reaches them; another county's does not."""

FULL_VALUE: dict[tuple[str, str, str], str] = {
    ("disbursement", "GET", "/api/v1/payment-files/{file_id}/content"): "the payment file for "
    "the bank holds the account numbers in full (finance only; the download is logged)",
}
"""Record endpoints that show a full ID number, phone or account to the roles that need it."""


def home(role: Role) -> list[str]:
    """The divisions of a caller of ``role`` who reaches the township's records."""
    if role in TOWNSHIP_ROLES:
        return [TOWNSHIP]
    return [CITY] if role == Role.city_officer else [COUNTY]


def strangers(role: Role) -> list[tuple[str, list[str]]]:
    """Callers of ``role`` who reach none of the township's records."""
    if role == Role.city_officer:
        return [("another city", [OTHER_CITY])]
    if role == Role.system:
        return [("another county", [OTHER_COUNTY])]
    return [("another township", [OTHER_TOWNSHIP]), ("another county", [OTHER_COUNTY])]


@dataclass
class Seeded:
    """The township's records: path parameter → id."""

    ids: dict[str, str] = field(default_factory=dict)

    def hidden_from(self, label: str) -> dict[str, str]:
        """The records a stranger (``label``) must not reach."""
        if label != "another township":
            return self.ids
        return {k: v for k, v in self.ids.items() if k not in COUNTY_WIDE}


def _example(spec: dict[str, Any], op: dict[str, Any]) -> Any:
    content = op.get("requestBody", {}).get("content", {})
    schema = (content.get("application/json") or {}).get("schema")
    if schema is None:
        return None
    if "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    examples = schema.get("examples") or [{}]
    return examples[0]


def _is_record(param: dict[str, Any], seeded: Seeded) -> bool:
    """The township's record: a string id (a dead letter's integer ``letter_id`` is not a
    letter of enquiry's)."""
    return param["name"] in seeded.ids and param["schema"].get("type") == "string"


def _path_value(spec: dict[str, Any], service: str, param: dict[str, Any],
                seeded: Seeded) -> str:
    name, schema = param["name"], param["schema"]
    if _is_record(param, seeded):
        return seeded.ids[name]
    if "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    for source in (param.get("examples"), schema.get("examples"), schema.get("enum")):
        if source:
            return str(source[0] if isinstance(source, list) else next(iter(source.values())))
    if name in PATH_VALUES:
        return PATH_VALUES[name]
    assert (service, name) in NO_RECORD, f"{service}: no record and no example for {name}"
    return "1" if schema.get("type") == "integer" else new_id()


def request_of(spec: dict[str, Any], service: str, path: str, op: dict[str, Any],
               seeded: Seeded) -> tuple[str, dict[str, Any], set[str]]:
    """The URL, the body and the path parameters that are records of the township's."""
    url, own = path, set()
    for param in op.get("parameters", []):
        if param["in"] == "path":
            if _is_record(param, seeded):
                own.add(param["name"])
            url = url.replace("{" + param["name"] + "}",
                              _path_value(spec, service, param, seeded))
    content = op.get("requestBody", {}).get("content", {})
    if "multipart/form-data" in content:
        return url, {"files": {"file": ("photo.png", png(), "image/png")},
                     "data": {"kind": "photo"}}, own
    body = _example(spec, op)
    return url, ({"json": body} if body is not None else {}), own


async def counts(kit: Any, metadata: Any) -> dict[str, int]:
    """Rows of every table of the service; of the outbox, the events of changes only (reads
    and refusals are logged as ``operation_recorded``, R-AU-1); ``BOOKKEEPING`` left out."""
    found = {}
    async with kit.sessions() as session:
        for table in metadata.sorted_tables:
            if table.name in BOOKKEEPING:
                continue
            query = select(func.count()).select_from(table)
            if table.name == kit.outbox.name:
                query = query.where(*(not_(table.c.event_type.endswith(event))
                                      for event in BOOKKEEPING_EVENTS))
            found[table.name] = await session.scalar(query)
    return found


def _changed(before: dict[str, int], after: dict[str, int]) -> list[str]:
    return [name for name in after if after[name] != before.get(name)]


def full_values(text: str) -> list[str]:
    return FULL_ID.findall(text) + FULL_PHONE.findall(text) + FULL_ACCOUNT.findall(text)


def _text(answer: httpx.Response) -> str | None:
    kind = answer.headers.get("content-type", "")
    if any(t in kind for t in ("json", "text", "html", "ndjson", "csv")):
        return answer.text
    return None  # a PDF is checked by the renderer itself (approval/pdf.py refuses full ids)


async def recheck_task(kit: Any) -> str:
    """Verification's re-check task, opened by approval's ``recheck_requested`` (R-DY-2)."""
    from services.verification.rechecks.models import RecheckTask
    from shared.contracts.approval import RecheckRequested
    application_id = new_id()
    env = envelope_of(RecheckRequested(
        recheck_id=new_id(), beneficiary_id=new_id(), case_id=new_id(),
        application_id=application_id, application_number=f"SQ{COUNTY}-{application_id[:8]}",
        program="dibao", division=VILLAGE, head_name_masked="王*国", household_size=2,
        monthly_fen=30_000, due_on=date(2027, 1, 15), frequency_months=12,
        requested_at=datetime(2026, 12, 1, 2, 0, tzinfo=UTC)), subject=application_id,
        division=VILLAGE)
    assert await kit.consumer.handle(env) is True
    async with kit.sessions() as session:
        task_id = await session.scalar(select(RecheckTask.id))
    assert task_id is not None
    return str(task_id)


async def seed(service: str, app: Any, client: httpx.AsyncClient, settings: Settings
               ) -> Seeded:
    """One record per kind, in 朝阳镇, made as the other tests make them."""
    kit, ids = app.state.kit, {}
    worker = bearer(settings, Role.caseworker, [TOWNSHIP], user_id="cw-home")

    async def created(method: str, url: str, **kwargs: Any) -> str:
        answer = await client.request(method, url, headers=worker, **kwargs)
        assert answer.status_code in (200, 201), f"{method} {url}: {answer.text}"
        return str(answer.json()["id"])

    spec = app.openapi()

    def example(path: str) -> Any:
        return _example(spec, spec["paths"][path]["post"])

    if service == "intake":
        await load_division_register(client, settings)
        ids["application_id"] = await created("POST", "/api/v1/applications",
                                              json=application())
        ids["referral_id"] = await created("POST", "/api/v1/referrals",
                                           json=example("/api/v1/referrals"))
        registrar = bearer(settings, Role.county_officer, [COUNTY], user_id="officer-home")
        staff = await client.post("/api/v1/staff", json=example("/api/v1/staff"),
                                  headers=registrar)
        assert staff.status_code == 201, staff.text
        ids["staff_id"] = str(staff.json()["id"])
    elif service == "verification":
        env = accepted(division=VILLAGE, members=notices.household())
        assert await kit.consumer.handle(env) is True
        from services.verification.investigations.models import Investigation
        async with kit.sessions() as session:
            ids["investigation_id"] = await session.scalar(select(Investigation.id).where(
                Investigation.application_id == env.data["application_id"]))
        ids["task_id"] = await recheck_task(kit)
        base = f"/api/v1/investigations/{ids['investigation_id']}"
        ids["doubt_id"] = await created("POST", f"{base}/doubts",
                                        json=example(base.rsplit("/", 1)[0] +
                                                     "/{investigation_id}/doubts"))
        letter = example("/api/v1/investigations/{investigation_id}/letters")
        letter.pop("member_id", None)  # the example's member is of another household
        ids["letter_id"] = await created("POST", f"{base}/letters", json=letter)
        ids["evidence_id"] = await created("POST", f"{base}/evidence", files={
            "file": ("photo.png", png(), "image/png")}, data={"kind": "photo"})
    elif service == "approval":
        ids["version_id"] = (await roll_cases.publish_policy(client, settings))["id"]
        ids["case_id"], ids["notice_id"] = await notices.posted_case(kit, division=VILLAGE)
        env = accepted(division=VILLAGE, household_size=2, members=[
            roll_cases.person(roll_cases.HEAD, "1960-01-01"),
            roll_cases.person(roll_cases.SPOUSE, "1962-02-02", "spouse")])
        assert await kit.consumer.handle(env) is True
        from services.approval.cases.models import ReviewCase
        async with kit.sessions() as session:
            case = await session.scalar(select(ReviewCase).where(
                ReviewCase.application_id == env.data["application_id"]))
        beneficiary = await roll_cases.enter(app, case, monthly_fen=30_000,
                                             effective_month="2026-12")
        ids["beneficiary_id"] = beneficiary.id
        ids["recheck_id"] = await created("POST", f"/api/v1/roll/{beneficiary.id}/rechecks",
                                          json={})
        proposal = json.loads(json.dumps(example("/api/v1/roll/{beneficiary_id}/adjustments"))
                              .replace("5f1c2a9e8b7d4c3aa1e0f9d8c7b6a501", roll_cases.HEAD)
                              .replace("5f1c2a9e8b7d4c3aa1e0f9d8c7b6a502", roll_cases.SPOUSE))
        ids["adjustment_id"] = await created(
            "POST", f"/api/v1/roll/{beneficiary.id}/adjustments", json=proposal)
        ids["person_id"] = await created("POST", "/api/v1/low-income",
                                         json=example("/api/v1/low-income"))
        ids["near_relative_id"] = await created("POST", "/api/v1/near-relatives",
                                                json={**example("/api/v1/near-relatives"),
                                                      "staff_name": "王建国"})
    elif service == "disbursement":
        from services.disbursement.beneficiaries.models import Payee
        from tests.integration.test_disbursement_service import approval_event
        assert await kit.consumer.handle(approval_event("beneficiary_approved")) is True
        async with kit.sessions() as session:
            ids["payee_id"] = await session.scalar(select(Payee.id))
        # the county's open payment month: its ledger submitted, its roster made (R-DI-2/3)
        from services.disbursement.months.rules import open_month
        from services.disbursement.payments.models import Payment
        months = bearer(settings, Role.county_officer, [COUNTY], user_id="co-months")
        made = await client.post("/api/v1/payment-months", headers=months, json={
            "county": COUNTY, "month": open_month(kit.clock.now())})
        assert made.status_code == 201, made.text
        ids["payment_month_id"] = made.json()["id"]
        for step in ("review", "submit", "roster"):
            done = await client.post(f"/api/v1/payment-months/{made.json()['id']}/{step}",
                                     headers=months)
            assert done.status_code == 200, done.text
        async with kit.sessions() as session:
            ids["payment_id"] = await session.scalar(select(Payment.id))
        # a card account, a proxy of the payee, the township's reserve (R-DI-4, R-DI-5, R-DI-9)
        officer = bearer(settings, Role.county_officer, [COUNTY], user_id="co-home")
        registered = await client.post("/api/v1/bank-accounts", headers=officer,
                                       json=example("/api/v1/bank-accounts"))
        assert registered.status_code == 201, registered.text
        ids["account_id"] = str(registered.json()["id"])
        proxy = await client.post("/api/v1/proxies", headers=worker, data={
            "payee_id": ids["payee_id"], "name": "王磊", "id_number": "230722198503031040",
            "relation": "caregiver", "reason": "户主卧床"},
            files={"file": ("authorisation.png", png(), "image/png")})
        assert proxy.status_code == 201, proxy.text
        ids["proxy_id"] = str(proxy.json()["id"])
        reserve = await client.post("/api/v1/reserves", headers=officer,
                                    json=example("/api/v1/reserves"))
        assert reserve.status_code == 201, reserve.text
        ids["reserve_id"] = reserve.headers["location"].rsplit("/", 1)[1]
        # a payment file, the bank's result for it and a reconciliation of the township
        from tests import payments as pay
        account = await pay.add_account(kit, holder="matrix", number=pay.account_number(1))
        paid = await pay.add_payment(kit, account_id=account, holder="matrix", amount_fen=100)
        cashier = bearer(settings, Role.finance_officer, [COUNTY])
        made = await client.post("/api/v1/payment-files", headers=cashier, json={
            "county": COUNTY, "kind": "monthly", "month": "2026-12"})
        assert made.status_code == 201, made.text
        ids["file_id"] = str(made.json()["id"])
        answer = await client.post("/api/v1/bank-results", headers=cashier, files={
            "file": ("result.csv", pay.result_file(ids["file_id"], [
                [paid, pay.account_number(1), "1.00", "paid", ""]]), "text/csv")})
        assert answer.status_code == 201, answer.text
        ids["result_id"] = str(answer.json()["id"])
        line = [paid, pay.account_number(1), "1.00"]
        compared = await client.post("/api/v1/reconciliations", headers=cashier, data={
            "division": TOWNSHIP, "month": "2026-12"}, files={
            "finance": ("f.csv", pay.detail_file("finance_allocation", TOWNSHIP, "2026-12",
                                                 [line]), "text/csv"),
            "bank": ("b.csv", pay.detail_file("bank_statement", TOWNSHIP, "2026-12",
                                              [[*line, "2026-12-05"]]), "text/csv")})
        assert compared.status_code == 201, compared.text
        ids["reconciliation_id"] = str(compared.json()["id"])
    elif service == "complaints":
        from services.complaints.case_links.models import CaseReference
        from tests.integration.test_complaints_service import application_events
        assert await kit.consumer.handle(application_events()["accepted"]) is True
        async with kit.sessions() as session:
            ids["reference_id"] = await session.scalar(select(CaseReference.id))
        officer = bearer(settings, Role.county_officer, [COUNTY], user_id="co-home")
        finding = {**example("/api/v1/rectification/items"), "due_on": "2099-12-31"}
        ids["item_id"] = str((await client.post("/api/v1/rectification/items", headers=officer,
                                                json=finding)).json()["id"])
        from services.complaints.spot_checks.models import SpotCheck
        from tests.integration.test_oversight import decided
        day = datetime.now(UTC).date() - timedelta(days=3)
        assert await kit.consumer.handle(decided(new_id(), VILLAGE, day)) is True
        made = await client.post("/api/v1/spot-checks/draws", headers=officer, json={
            "county": COUNTY, "period_from": day.isoformat(), "period_to": day.isoformat()})
        assert made.status_code == 201, made.text
        ids["draw_id"] = str(made.json()["id"])
        async with kit.sessions() as session:
            ids["check_id"] = await session.scalar(select(SpotCheck.id))
        loaded = await client.post(f"/api/v1/monitoring/population/{COUNTY}/2026",
                                   headers=officer, files={"file": (
                                       "population.csv", f"township,population\n{TOWNSHIP},"
                                       "1000\n".encode(), "text/csv")})
        assert loaded.status_code == 201, loaded.text
        ids["load_id"] = str(loaded.json()["id"])
        from shared.months import add_months, month_of
        from shared.workdays import today_in_shanghai
        today = today_in_shanghai()
        visit = await client.post("/api/v1/supervision/visits", headers=officer, json={
            **example("/api/v1/supervision/visits"), "month": month_of(today),
            "visited_on": today.isoformat()})
        assert visit.status_code == 201, visit.text
        ids["visit_id"] = str(visit.json()["id"])
        report = await client.post("/api/v1/supervision/reports", headers=officer, json={
            "county": COUNTY, "month": add_months(month_of(today), -1)})
        assert report.status_code == 201, report.text
        ids["report_id"] = str(report.json()["id"])
        # a complaint the township handles, a call to its line, a media case of its village
        ids["complaint_id"] = await created("POST", "/api/v1/complaints",
                                            json=example("/api/v1/complaints"))
        ids["call_id"] = await created("POST", "/api/v1/hotline-calls",
                                       json=example("/api/v1/hotline-calls"))
        ids["media_case_id"] = await created("POST", "/api/v1/media-cases",
                                             json=example("/api/v1/media-cases"))
    elif service == "audit":
        env = accepted(division=VILLAGE, members=notices.household())
        assert await kit.consumer.handle(env) is True
        ids["record_id"] = env.data["application_id"]
    assert all(ids.values()), ids
    return Seeded(ids)


async def call(client: httpx.AsyncClient, method: str, url: str, request: dict[str, Any],
               headers: dict[str, str] | None) -> httpx.Response:
    return await client.request(method, url, headers=headers or {}, **request)


@pytest.mark.parametrize("service", SERVICE_NAMES)
async def test_every_route_refuses_other_roles_and_other_divisions_and_masks_R_SE_1_R_SE_2(
        service, make_settings):
    """R-SE-1 (roles and divisions, object level included), R-SE-2 and R-SE-3 (masking) over
    every operation of the service's OpenAPI document."""
    settings = make_settings(service)
    module = importlib.import_module(f"services.{service}.app")
    app = module.create_app(settings)
    found: dict[bool, list[str]] = {False: [], True: []}  # True: of OPEN_FINDINGS
    async with running(app) as client:
        await eventually(lambda: ready(client))
        seeded = await seed(service, app, client, settings)
        spec, kit, metadata = app.openapi(), app.state.kit, module.SPEC.metadata
        gets: list[tuple[str, str, httpx.Response]] = []
        for path, item in spec["paths"].items():
            if path in ("/healthz", "/readyz"):
                continue
            for method, op in item.items():
                where = f"{method.upper()} {path}"
                failures = found[(service, method.upper(), path) in OPEN_FINDINGS]
                url, request, own = request_of(spec, service, path, op, seeded)
                before = await counts(kit, metadata)
                allowed = set(op["x-roles"])
                for role in ([] if op.get("x-public") else sorted(set(Role) - allowed)):
                    answer = await call(client, method, url, request,
                                        bearer(settings, role, home(role)))
                    if not (answer.status_code == 403 and answer.json()["type"] == FORBIDDEN
                            and answer.headers["content-type"] == PROBLEM):
                        failures.append(f"(a) {where} as {role}: {answer.status_code}")
                if changed := _changed(before, await counts(kit, metadata)):
                    failures.append(f"(a) {where}: a refused role changed {changed}")
                for role in sorted(allowed):
                    for label, divisions in strangers(Role(role)):
                        answer = await call(client, method, url, request,
                                            bearer(settings, role, divisions))
                        who = f"{where} as {role} of {label}: {answer.status_code}"
                        if method == "get":
                            gets.append((where, who, answer))
                        hidden = seeded.hidden_from(label)
                        key = (service, method.upper(), path)
                        if answer.status_code >= 500:
                            failures.append(f"(5xx) {who} {answer.text[:200]}")
                        elif own & hidden.keys():
                            if answer.status_code != 404 or answer.json()["type"] != NOT_FOUND:
                                failures.append(f"(c) {who}, not 404")
                        elif method == "get" or key in POST_READS:
                            leaked = [i for i in hidden.values() if i in answer.text]
                            if answer.status_code < 300 and leaked:
                                failures.append(f"(b) {who} shows {leaked}")
                        elif answer.status_code < 300 and not own and \
                                key not in OUTSIDER_MAY_ACT:
                            failures.append(f"(b) {who}: done")
                changed = _changed(before, await counts(kit, metadata))
                if changed and (service, method.upper(), path) not in OUTSIDER_MAY_ACT:
                    failures.append(f"(b) {where}: a caller of another division changed "
                                    f"{changed}")
                if method == "get":  # (d) as every role allowed, or as anyone when public
                    for role in sorted(allowed) or ([None] if op.get("x-public") else []):
                        headers = bearer(settings, role, home(Role(role))) if role else None
                        answer = await call(client, method, url, request, headers)
                        gets.append((where, f"{where} as {role or 'anyone'}", answer))
        for where, who, answer in gets:
            text = _text(answer)
            shown = full_values(text) if text else []
            if shown and (service, *where.split(" ", 1)) not in FULL_VALUE:
                found[False].append(f"(d) {who} shows {shown[:3]} in full")
    assert found[False] == [], "\n".join(found[False])
    fixed = {key for key in OPEN_FINDINGS if key[0] == service} - {
        (service, *line.split(" ")[1:3]) for line in found[True]}
    assert not fixed, f"fixed now: remove {fixed} from OPEN_FINDINGS"


def test_the_masking_check_finds_full_values_and_passes_masked_ones_R_SE_2():
    """The regular expressions of (d) can fail: full values are found, masked ones are not, nor
    the hex ids every record has."""
    assert full_values('{"id": "23072219600101011X", "phone": "13800001234"}') == [
        "23072219600101011X", "13800001234"]
    assert full_values("account 6222021234567890123 end") == ["6222021234567890123"]
    assert full_values('{"id": "230***********011X", "phone": "138****1234", '
                       '"account": "6222***********0123", "ref": "a18940674035b1234567890123"}'
                       ) == []
