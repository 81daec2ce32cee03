"""The public's complaints, without an account (R-CO-1): file one (rate-limited) and follow it
by its tracking number and check code; never an answer with personal data in it."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from services.complaints.complaints import public, rules, service
from services.complaints.complaints.models import Channel, Complaint
from services.complaints.complaints.routes import terms_of
from services.complaints.complaints.schemas import (
    PublicComplaintIn,
    PublicFollowIn,
    PublicReceipt,
    PublicStatus,
)
from shared import context
from shared.digests import digest_keys
from shared.divisions import DEMO_DIVISIONS, name_of
from shared.inputs import DivisionCode
from shared.pages import templates
from shared.problems import PROBLEM_JSON, InvalidField, NotFound, Problem
from shared.ratelimit import TOO_MANY_REQUESTS, PublicRateLimit
from shared.service import DbSession

router = APIRouter(prefix="/public/complaints", tags=["public complaints"])

PROBLEM: dict[str, Any] = {"content": {PROBLEM_JSON: {
    "schema": {"$ref": "#/components/schemas/ProblemDetails"}}}}
FILE_RESPONSES: dict[int | str, dict[str, Any]] = {
    422: {"description": "the form is incomplete, or the division is not of this county",
          **PROBLEM},
    429: {"description": "too many complaints from here this hour "
          "(`ASSIST_COMPLAINT_PUBLIC_PER_HOUR`), or too many requests this minute "
          "(`ASSIST_PUBLIC_RATE_PER_MINUTE`)", **PROBLEM},
}
FOLLOW_RESPONSES: dict[int | str, dict[str, Any]] = {
    404: {"description": "no complaint with this tracking number and check code", **PROBLEM},
    422: {"description": "not a tracking number or a check code", **PROBLEM},
    **TOO_MANY_REQUESTS,
}


@router.post("", status_code=201, response_model=PublicReceipt, responses=FILE_RESPONSES,
             dependencies=[PublicRateLimit], summary="File a complaint (public, no token)",
             description="Anyone files a complaint, report or petition about a household, a "
             "staff member or a township's fairness, naming the village or township; a "
             "contact is optional (the phone kept sealed). Answered with a tracking number "
             "and a check code, shown once: with both, `POST /public/complaints/status` "
             "follows it. Routed as staff's registrations are (R-CO-2). A few complaints an "
             "hour per address (429). Emits `complaint_registered`.")
async def file_complaint(request: Request, session: DbSession, body: PublicComplaintIn
                         ) -> PublicReceipt:
    complaint, code = await _file(request, session, body)
    return _receipt(complaint, code)


async def _file(request: Request, session: AsyncSession, body: PublicComplaintIn
                ) -> tuple[Complaint, str]:
    """Register the public's complaint within the per-address limit; its check code."""
    kit = request.app.state.kit
    address = context.source_address.get()
    await public.check_public_limit(session, source_address=address,
                                     per_hour=kit.settings.complaint_public_per_hour)
    code = rules.new_check_code()
    keyring = kit.sealer.keyring
    key = digest_keys(keyring, rules.CHECK_CODE_PURPOSE)[keyring.current]
    complaint = await service.register(
        session, filing=service.Filing(channel=Channel.online.value,
                                       **body.model_dump(mode="json")),
        terms=terms_of(request), user=None, source_address=address,
        check_code_digest=lambda number: rules.check_code_digest(key, number, code))
    return complaint, code


def _receipt(complaint: Complaint, code: str | None) -> PublicReceipt:
    return PublicReceipt(
        tracking_number=complaint.tracking_number, check_code=code,
        registered_at=complaint.registered_at, handled_by_level=complaint.level,
        handling_due_on=complaint.handling_due_on, answer_due_on=complaint.answer_due_on)


def _status(complaint: Complaint) -> PublicStatus:
    return PublicStatus(
        tracking_number=complaint.tracking_number, kind=complaint.kind,
        status=complaint.status, registered_on=complaint.registered_on,
        handling_due_on=complaint.handling_due_on, concluded_on=complaint.concluded_on,
        answer=complaint.answer_text, answered_on=complaint.answered_on)


@router.post("/status", response_model=PublicStatus, responses=FOLLOW_RESPONSES,
             dependencies=[PublicRateLimit], summary="Follow a complaint (public, no token)",
             description="Where a complaint stands and its answer, by tracking number and check "
             "code (sent in the body, so neither sits in a URL or a log); never a name, a "
             "phone or anything the complaint says. A wrong code is answered as an unknown "
             "number (404). Changes nothing.")
async def follow_complaint(request: Request, session: DbSession, body: PublicFollowIn
                           ) -> PublicStatus:
    return _status(await _followed(request, session, body))


async def _followed(request: Request, session: AsyncSession, body: PublicFollowIn
                    ) -> Complaint:
    keys = digest_keys(request.app.state.kit.sealer.keyring, rules.CHECK_CODE_PURPOSE)
    return await public.followed(session, tracking_number=body.tracking_number,
                                 code=body.check_code, keys=keys)


# --- the plain HTML pages: the form and the follow-up, no script, nothing from outside ---------

TEMPLATES = templates(Path(__file__).parent / "templates")
HTML = "text/html"
HTML_OR_PROBLEM: dict[str, Any] = {"content": {HTML: {}, PROBLEM_JSON: {}}}
PAGE_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"description": "the page", "content": {HTML: {}}},
    422: {"description": "`division` is not a division code", **PROBLEM}, **TOO_MANY_REQUESTS}
FORM_PAGE_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"description": "the receipt, or the status, as a page", "content": {HTML: {}}},
    404: {"description": "no complaint with this tracking number and check code",
          **HTML_OR_PROBLEM},
    422: {"description": "the form is incomplete", **HTML_OR_PROBLEM},
    429: {"description": "too many complaints from here this hour, or too many requests this "
          "minute", **HTML_OR_PROBLEM},
}
STATUS_NAMES = {"registered": "已登记, 待受理", "accepted": "已受理, 正在调查核实",
                "concluded": "已办结"}
SAID = {
    InvalidField.slug: "请检查填写的内容: 村(社区)或乡镇须是本县的, 标题不超过 100 字, 内容不超过 "
    "2000 字, 电话只含数字。",
    public.TooManyComplaints.slug: "提交次数过多, 请稍后再试, 或拨打监督举报电话反映。",
    NotFound.slug: "没有找到这个受理编号, 或查询码不对。请核对后再查。",
}
"""What the pages say, in Chinese, for each problem."""


def _divisions(county: str) -> list[tuple[str, str]]:
    """The county's townships and villages the form offers (names from the division data)."""
    found = []
    for code, division in sorted(DEMO_DIVISIONS.items()):
        if code.startswith(county) and division.level in ("township", "village"):
            township = DEMO_DIVISIONS[code[:9]].name
            found.append((code, township if len(code) == 9 else f"{township} {division.name}"))
    return found


def _page(request: Request, template: str, status: int = 200, **values: Any) -> HTMLResponse:
    settings = request.app.state.kit.settings
    root = f"{request.scope.get('root_path', '')}/public/complaints"
    html = TEMPLATES.get_template(template).render(
        county_name=name_of(settings.county) or settings.county,
        complaint_phone=settings.complaint_phone, form_url=f"{root}/form",
        follow_url=f"{root}/follow", **values)
    return HTMLResponse(html, status_code=status, headers={
        "Cache-Control": "no-store",
        "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; "
        "form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
        "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer"})


def _refusal(request: Request, status: int, slug: str, detail: str | None) -> HTMLResponse:
    return _page(request, "answer.html", status, heading="未能办理",
                 message=SAID.get(slug, detail or ""))


@router.get("/form", response_class=HTMLResponse, responses=PAGE_RESPONSES,
            dependencies=[PublicRateLimit], summary="The complaint form (HTML, no token)",
            description="Public, for anyone: a plain form (no script, font or file from "
            "outside, readable on a phone) to file a complaint, report or petition; "
            "`division` preselects the village or township. Posts to itself.")
async def form_page(request: Request, division: DivisionCode | None = None) -> HTMLResponse:
    return _page(request, "form.html", division=division,
                 divisions=_divisions(request.app.state.kit.settings.county))


@router.post("/form", response_class=HTMLResponse, responses=FORM_PAGE_RESPONSES,
             dependencies=[PublicRateLimit], summary="File a complaint (HTML form, no token)",
             description="The form's complaint, filed as `POST /public/complaints` files it; "
             "answered with a page showing the tracking number and the check code once. The "
             "same form sent again from the same address within 10 minutes files nothing new "
             "(its number shown again, without the code).")
async def file_from_form(
    request: Request, session: DbSession,
    kind: Annotated[str, Form(max_length=20)] = "",
    division: Annotated[str, Form(max_length=20)] = "",
    concerns: Annotated[str, Form(max_length=30)] = "",
    category: Annotated[str, Form(max_length=30)] = "other",
    subject: Annotated[str, Form(max_length=500)] = "",
    content: Annotated[str, Form(max_length=9000)] = "",
    contact_name: Annotated[str, Form(max_length=200)] = "",
    contact_phone: Annotated[str, Form(max_length=100)] = "",
    answer_wanted: Annotated[str, Form(max_length=5)] = "",
) -> HTMLResponse:
    try:
        body = PublicComplaintIn(
            kind=kind, division=division, concerns=concerns, category=category,
            subject=subject, content=content, contact_name=contact_name or None,
            contact_phone=contact_phone.strip() or None, answer_wanted=answer_wanted == "1")
    except ValidationError:
        return _refusal(request, 422, InvalidField.slug, None)
    try:
        again = await public.sent_again(session, source_address=context.source_address.get(),
                                        subject=body.subject, content=body.content)
        if again is not None:
            return _page(request, "answer.html", heading="投诉举报已收到",
                         receipt=_receipt(again, None), check_code=None)
        complaint, code = await _file(request, session, body)
    except Problem as problem:
        return _refusal(request, problem.status, problem.slug, problem.detail)
    return _page(request, "answer.html", heading="投诉举报已收到",
                 receipt=_receipt(complaint, code), check_code=code)


@router.get("/follow", response_class=HTMLResponse, responses=PAGE_RESPONSES,
            dependencies=[PublicRateLimit], summary="The follow-up form (HTML, no token)",
            description="Public, for anyone: a plain form asking the tracking number and the "
            "check code. Posts to itself.")
async def follow_page(request: Request) -> HTMLResponse:
    return _page(request, "follow.html")


@router.post("/follow", response_class=HTMLResponse, responses=FORM_PAGE_RESPONSES,
             dependencies=[PublicRateLimit], summary="Follow a complaint (HTML form, no token)",
             description="The status and the answer, as `POST /public/complaints/status` gives "
             "them, as a page; a wrong code is answered as an unknown number.")
async def follow_from_form(
    request: Request, session: DbSession,
    tracking_number: Annotated[str, Form(max_length=100)] = "",
    check_code: Annotated[str, Form(max_length=100)] = "",
) -> HTMLResponse:
    try:
        asked = PublicFollowIn(tracking_number=tracking_number.strip().upper(),
                               check_code=check_code.strip())
    except ValidationError:
        return _refusal(request, 422, InvalidField.slug, None)
    try:
        complaint = await _followed(request, session, asked)
    except Problem as problem:
        return _refusal(request, problem.status, problem.slug, problem.detail)
    return _page(request, "answer.html", heading="办理进度", followed=_status(complaint),
                 status_name=STATUS_NAMES.get(complaint.status, complaint.status))
