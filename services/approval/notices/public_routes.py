"""The village's public page (村务公开栏), without a token: the open notices (R-AP-3) and the
standing notice board of the roll (R-DY-1), masked (R-SE-3), printable on A4, readable on a
phone, with nothing fetched from outside; its JSON twin; and its objection form (R-AP-4)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse
from pydantic_core import PydanticCustomError

from services.approval.notices import public, service
from services.approval.notices.models import Objection
from services.approval.notices.schemas import BoardEntry, PublicNotice, PublicVillagePage
from shared import context
from shared.divisions import name_of
from shared.inputs import clean_text
from shared.money import format_yuan
from shared.pages import templates
from shared.problems import PROBLEM_JSON, InvalidField, NotFound, Problem
from shared.programs import PROGRAMS, Program
from shared.ratelimit import TOO_MANY_REQUESTS, PublicRateLimit
from shared.service import DbSession, Now
from shared.workdays import SHANGHAI

router = APIRouter(prefix="/public", tags=["public pages"])

TEMPLATES = templates(Path(__file__).parent / "templates")
HTML = "text/html"
PROBLEM: dict[str, Any] = {"content": {PROBLEM_JSON: {}}}
HTML_OR_PROBLEM: dict[str, Any] = {"content": {HTML: {}, PROBLEM_JSON: {}}}
PAGE_RESPONSES: dict[int | str, dict[str, Any]] = {
    404: {"description": "not a village of this county", **PROBLEM},
    422: {"description": "the code is not a village code", **PROBLEM},
    **TOO_MANY_REQUESTS,
}
FORM_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"description": "the receipt, as a page", "content": {HTML: {}}},
    404: {"description": "not a village of this county", **HTML_OR_PROBLEM},
    409: {"description": "the notice has ended or already took an objection",
          **HTML_OR_PROBLEM},
    422: {"description": "the form is incomplete or its token expired", **HTML_OR_PROBLEM},
    429: {"description": "too many objections from here this hour, or too many requests this "
          "minute (`ASSIST_PUBLIC_RATE_PER_MINUTE`)", **HTML_OR_PROBLEM},
}


def program_name(program: str) -> str:
    try:
        return PROGRAMS[Program(program)].name_zh
    except ValueError:
        return program


def shanghai(moment: datetime) -> str:
    return moment.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")


async def village_page(request: Request, session: Any, code: str, now: datetime
                       ) -> tuple[public.Village, PublicVillagePage]:
    """The page's data: the same for the HTML and its JSON twin, masked (R-SE-3)."""
    county = request.app.state.kit.settings.county
    village = public.public_village(code, county=county, name=name_of(code) or code)
    notices = [PublicNotice(
        id=n.id, name=n.head_name_masked, village=n.village_name, program=n.program,
        program_name=program_name(n.program), household_size=n.household_size,
        monthly_fen=n.monthly_fen, monthly_yuan=format_yuan(n.monthly_fen),
        posted_on=n.posted_on, closes_on=n.closes_on)
        for n in await public.open_notices(session, village=code, now=now)]
    board = [BoardEntry(
        name=b.head_name_masked, village=village.name, program=b.program,
        program_name=program_name(b.program), household_size=b.household_size,
        monthly_fen=b.monthly_fen, monthly_yuan=format_yuan(b.monthly_fen),
        since=b.effective_month)
        for b in await public.standing_board(session, village=code)]
    return village, PublicVillagePage(
        village_code=code, village=village.name,
        complaint_phone=request.app.state.kit.settings.complaint_phone, generated_at=now,
        notices=notices, board=board)


SAID = {
    public.BadFormToken.slug: "表单已过期或无效, 请重新打开公示栏页面后再提交。",
    public.TooManyObjections.slug: "提交次数过多, 请稍后再试, 或拨打监督举报电话反映。",
    service.NoticeNotOpen.slug: "该公示已结束或正在处理异议, 网上不再受理; "
    "如有情况请拨打监督举报电话。",
    NotFound.slug: "没有找到该公示, 请返回公示栏重新选择。",
    InvalidField.slug: "请填写异议内容(不超过 2000 字), 联系方式不超过 100 字。",
}
"""What the page says, in Chinese, for each problem of the form."""


async def _file(session: Any, *, village: str, notice_id: str, text: str, contact: str,
                nonce: str, now: datetime) -> Objection:
    """The form's objection, checked as every text of the API is (shared.inputs.text)."""
    try:
        said = clean_text(text, max_length=2000, multiline=True)
        left = clean_text(contact, max_length=100, min_length=0) or None
    except PydanticCustomError as exc:
        raise InvalidField("text", exc.message()) from None
    notice = await public.open_notice_of(session, village=village, notice_id=notice_id)
    address = context.source_address.get()
    await public.check_limits(session, village=village, source_address=address, now=now)
    return await service.file_objection(
        session, notice=notice, text=said, contact=left, channel="public", form_nonce=nonce,
        source_address=address)


def render(template: str, status: int = 200, **values: Any) -> HTMLResponse:
    html = TEMPLATES.get_template(template).render(**values)
    return HTMLResponse(html, status_code=status, headers={
        "Cache-Control": "no-store",
        # nothing from outside, no script at all; forms post to this page only
        "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; "
        "img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
        "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer"})


@router.get("/villages/{village_code}", response_class=HTMLResponse, responses=PAGE_RESPONSES,
            dependencies=[PublicRateLimit],
            summary="A village's public notice board (HTML, no token)",
            description="Public, for anyone: the village's open notices (公示, R-AP-3) and the "
            "standing notice board of its dibao households (R-DY-1), masked (R-SE-3: the "
            "masked name, village, program, household size, amount and the complaint "
            "telephone; never an ID number, a diagnosis or an address), with a form to object "
            "to an open notice (R-AP-4). Printable on A4, readable on a phone; no script, font "
            "or file fetched from anywhere. JSON twin: `…/notices.json`.")
async def village_html(request: Request, session: DbSession, now: Now,
                       village_code: str) -> HTMLResponse:
    village, page = await village_page(request, session, village_code, now)
    token = public.form_token(request.app.state.kit.sealer.keyring, village=village.code,
                              issued_at=now)
    return render("village.html", village=village, township=name_of(village.code[:9]) or "",
                  notices=page.notices, board=page.board, complaint_phone=page.complaint_phone,
                  generated_at=shanghai(now), token=token,
                  form_action=f"{request.scope.get('root_path', '')}/public/villages/"
                  f"{village.code}/objections")


@router.get("/villages/{village_code}/notices.json", response_model=PublicVillagePage,
            dependencies=[PublicRateLimit],
            responses=PAGE_RESPONSES, summary="A village's public notice board (JSON, no token)",
            description="Public, for anyone: the JSON twin of the village page, the same masked "
            "data (R-AP-3, R-DY-1, R-SE-3).")
async def village_json(request: Request, session: DbSession, now: Now,
                       village_code: str) -> PublicVillagePage:
    return (await village_page(request, session, village_code, now))[1]


@router.post("/villages/{village_code}/objections", response_class=HTMLResponse,
             dependencies=[PublicRateLimit],
             responses=FORM_RESPONSES, summary="Object to an open notice (HTML form, no token)",
             description="Public, for anyone: the village page's form (a plain HTML form, no "
             "script): the notice, what is objected, an optional contact, and the page's "
             "one-time token. Answered with a receipt number; the same form sent twice gives "
             "the same receipt. A few objections an hour per address (429). The case goes to "
             "objection review (R-AP-4); emits `objection_filed`.")
async def object_from_page(
    request: Request, session: DbSession, now: Now, village_code: str,
    notice_id: Annotated[str, Form(max_length=64)] = "",
    text: Annotated[str, Form(max_length=9000)] = "",
    contact: Annotated[str, Form(max_length=500)] = "",
    token: Annotated[str, Form(max_length=400)] = "",
) -> HTMLResponse:
    county = request.app.state.kit.settings.county
    village = public.public_village(village_code, county=county,
                                    name=name_of(village_code) or village_code)
    values = {"village": village, "complaint_phone":
              request.app.state.kit.settings.complaint_phone, "generated_at": shanghai(now),
              "page_url": f"{request.scope.get('root_path', '')}/public/villages/{village.code}"}
    try:
        nonce = public.check_form_token(request.app.state.kit.sealer.keyring, token,
                                        village=village.code, now=now)
        objection = await service.objection_by_nonce(session, nonce)
        if objection is None:
            objection = await _file(session, village=village.code, notice_id=notice_id,
                                    text=text, contact=contact, nonce=nonce, now=now)
    except Problem as problem:
        return render("answer.html", problem.status, heading="未能提交异议",
                      message=SAID.get(problem.slug, problem.detail), **values)
    return render("answer.html", heading="异议已收到", receipt=objection,
                  receipt_time=shanghai(objection.filed_at), **values)
