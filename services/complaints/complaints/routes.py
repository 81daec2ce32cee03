"""Complaint endpoints for staff (R-CO-1 … R-CO-3): thin, the rules are in service.py and
rules.py. The public's form is in public_routes.py."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from services.complaints.case_links.service import get_reference
from services.complaints.complaints import access, contacts, lists, service
from services.complaints.complaints.models import (
    Channel,
    Complaint,
    Concerns,
    Kind,
    Level,
    Status,
)
from services.complaints.complaints.schemas import (
    AnswerIn,
    ComplaintDetail,
    ComplaintIn,
    ComplaintOut,
    ConclusionIn,
    ContactOut,
    ContactReadIn,
    NoteIn,
    NoteOut,
    OverdueCountOut,
    RoutingIn,
    RoutingOut,
)
from shared.auth import Role, User, allow
from shared.clock import today_of
from shared.inputs import PAGED, DivisionCode, Paging, RecordId
from shared.service import DbSession, Idempotent

router = APIRouter(tags=["complaints"])

Reader = Annotated[User, Depends(allow(Role.caseworker, Role.township_leader, Role.county_officer,
                                       Role.city_officer, Role.auditor))]
Registrar = Annotated[User, Depends(allow(Role.caseworker, Role.township_leader,
                                          Role.county_officer))]
Handler = Annotated[User, Depends(allow(Role.caseworker, Role.township_leader,
                                        Role.county_officer))]
County = Annotated[User, Depends(allow(Role.county_officer))]
Filings = Annotated[User, Depends(allow(Role.county_officer, Role.city_officer, Role.auditor))]


def terms_of(request: Request) -> service.Terms:
    settings = request.app.state.kit.settings
    return service.Terms(calendar=request.app.state.kit.calendar,
                         handling_days=settings.complaint_handling_working_days,
                         answer_days=settings.complaint_answer_working_days,
                         county=settings.county)


def complaint_out(complaint: Complaint, session: AsyncSession) -> ComplaintOut:
    today = today_of(session)
    return ComplaintOut.model_validate(complaint).model_copy(update={
        **contacts.contact_shown(complaint),
        "handling_overdue": lists.is_handling_overdue(complaint, today),
        "answer_overdue": lists.is_answer_overdue(complaint, today)})


async def complaint_detail(session: AsyncSession, complaint: Complaint) -> ComplaintDetail:
    shown = complaint_out(complaint, session)
    return ComplaintDetail(**shown.model_dump(), routings=[
        RoutingOut.model_validate(r) for r in await service.routings(session, complaint.id)],
        notes=[NoteOut.model_validate(n) for n in await service.notes(session, complaint.id)])


@router.post("/complaints", status_code=201, response_model=ComplaintDetail,
             dependencies=[Idempotent],
             summary="Register a complaint, report or petition (R-CO-1)",
             description="登记: the kind, channel, subject, content, contact (the phone "
             "kept sealed and shown masked, R-SE-2), whether an answer is wanted and what "
             "it concerns: a case (`case_reference_id`, 422 if unknown), a household, a "
             "staff member or the township's own fairness. Given a tracking number "
             "(TS<county>-<year>-<n>, gapless per county and year) and routed (R-CO-2): the "
             "township of the division concerned handles it, unless it concerns staff or the "
             "township's fairness; then the county (and a township's staff no longer see "
             "it). Deadlines in working days (R-CO-3: "
             "`ASSIST_COMPLAINT_HANDLING_WORKING_DAYS`, `..._ANSWER_WORKING_DAYS`). Emits "
             "`complaint_registered`, and `case_complaint_registered` on the case's record.")
async def register(request: Request, session: DbSession, user: Registrar, body: ComplaintIn
                   ) -> ComplaintDetail:
    complaint = await service.register(session, filing=service.Filing(
        **body.model_dump(mode="json")), terms=terms_of(request), user=user)
    return await complaint_detail(session, complaint)


@router.get("/complaints", response_model=list[ComplaintOut], responses=PAGED,
            summary="Complaints in your jurisdiction",
            description="The newest first, by status, handling level, kind, what it concerns, "
            "channel, division or case. A township's staff see only what the township handles "
            "(R-CO-2); contacts masked (R-SE-2).")
async def list_complaints(
    session: DbSession, user: Reader, page: Paging, status: Status | None = None,
    level: Level | None = None, kind: Kind | None = None, concerns: Concerns | None = None,
    channel: Channel | None = None, division: DivisionCode | None = None,
    case_reference_id: RecordId | None = None,
) -> list[ComplaintOut]:
    rows = await lists.list_complaints(
        session, user=user, status=status, level_=level, kind=kind, concerns=concerns,
        channel=channel, division=division, case_reference_id=case_reference_id,
        window=page.window(lists.COMPLAINTS))
    return [complaint_out(c, session) for c in page.finish(rows, lists.COMPLAINTS)]


@router.get("/complaints/overdue", response_model=list[ComplaintOut], responses=PAGED,
            summary="Complaints past their handling or answer deadline (R-CO-3)",
            description="`which=handling`: not concluded after the handling period; "
            "`which=answer`: an answer asked for and not sent after the answer period; the "
            "longest overdue first, optionally of one handling township or county.")
async def list_overdue(session: DbSession, user: Reader, page: Paging,
                       which: lists.Overdue = "handling",
                       handled_by: DivisionCode | None = None) -> list[ComplaintOut]:
    keyset = lists.OVERDUE_HANDLING if which == "handling" else lists.OVERDUE_ANSWER
    rows = await lists.list_overdue(session, user=user, which=which, handled_by=handled_by,
                                      window=page.window(keyset))
    return [complaint_out(c, session) for c in page.finish(rows, keyset)]


@router.get("/complaints/overdue/summary", response_model=list[OverdueCountOut],
            summary="Open and overdue complaints per township and county (R-CO-3)",
            description="For each township or county that handles complaints in your reach: "
            "how many are open, past their handling deadline, past their answer deadline.")
async def overdue_summary(session: DbSession, user: Reader) -> list[OverdueCountOut]:
    return [OverdueCountOut.model_validate(c)
            for c in await lists.overdue_by_handler(session, user=user)]


@router.get("/complaints/city-filings", response_model=list[ComplaintOut], responses=PAGED,
            summary="Results the counties filed with the city (R-CO-2)",
            description="备案: complaints about staff or a township's fairness, handled by the "
            "county, whose result was filed with the city at their conclusion; the newest "
            "first, optionally of one county.")
async def city_filings(session: DbSession, user: Filings, page: Paging,
                       county: DivisionCode | None = None) -> list[ComplaintOut]:
    rows = await lists.city_filings(session, user=user, county=county,
                                      window=page.window(lists.CITY_FILINGS))
    return [complaint_out(c, session) for c in page.finish(rows, lists.CITY_FILINGS)]


@router.get("/complaints/{complaint_id}", response_model=ComplaintDetail,
            summary="One complaint with its routing and investigation notes",
            description="The complaint, who handles it and every routing (R-CO-2), the notes, "
            "the conclusion and the answer (R-CO-3); contact masked. 404 if there is none, or "
            "outside your reach.")
async def get_complaint(session: DbSession, user: Reader, complaint_id: RecordId
                        ) -> ComplaintDetail:
    return await complaint_detail(session, await access.get_complaint(
        session, user=user, complaint_id=complaint_id))


@router.post("/complaints/{complaint_id}/routing", response_model=ComplaintDetail,
             dependencies=[Idempotent], summary="Route a complaint again (the county, R-CO-2)",
             description="The county takes a complaint on, or hands it to the township of the "
             "division concerned, with its reason (and what it concerns, if the registration "
             "had it wrong); recorded in the routing and emits `complaint_rerouted`. 409 once "
             "concluded, if that level handles it already, or when handing the township a "
             "complaint about assistance staff or its own fairness (R-CO-2).")
async def reroute(session: DbSession, user: County, complaint_id: RecordId, body: RoutingIn
                  ) -> ComplaintDetail:
    complaint = await service.reroute(session, user=user, complaint_id=complaint_id,
                                      level_=body.level, reason=body.reason,
                                      concerns=body.concerns)
    return await complaint_detail(session, complaint)


@router.post("/complaints/{complaint_id}/acceptance", response_model=ComplaintDetail,
             dependencies=[Idempotent], summary="Accept a complaint (受理, R-CO-3)",
             description="By the level that handles it (403 `complaint-handled-elsewhere` "
             "otherwise); emits `complaint_accepted`. 409 if accepted already.")
async def accept(session: DbSession, user: Handler, complaint_id: RecordId) -> ComplaintDetail:
    complaint = await service.accept(session, user=user, complaint_id=complaint_id)
    return await complaint_detail(session, complaint)


@router.post("/complaints/{complaint_id}/notes", status_code=201, response_model=NoteOut,
             dependencies=[Idempotent], summary="Add an investigation note (R-CO-3)",
             description="调查核实: appended, never rewritten; between acceptance and conclusion "
             "(409 otherwise). Emits `complaint_noted`.")
async def add_note(session: DbSession, user: Handler, complaint_id: RecordId, body: NoteIn
                   ) -> NoteOut:
    return NoteOut.model_validate(await service.add_note(
        session, user=user, complaint_id=complaint_id, note=body.note))


@router.post("/complaints/{complaint_id}/conclusion", response_model=ComplaintDetail,
             dependencies=[Idempotent], summary="Conclude a complaint (办结, R-CO-3)",
             description="The finding and its handling; a substantiated finding to rectify "
             "opens a rectification ledger item (R-OV-3). A complaint the county handled is "
             "filed with the city at once (R-CO-2, `complaint_result_filed`). Emits "
             "`complaint_concluded` (`on_time` by the handling deadline).")
async def conclude(session: DbSession, user: Handler, complaint_id: RecordId,
                   body: ConclusionIn) -> ComplaintDetail:
    rectification = None if body.rectification is None else service.Rectification(
        responsible=body.rectification.responsible, due_on=body.rectification.due_on)
    complaint = await service.conclude(
        session, user=user, complaint_id=complaint_id, substantiated=body.substantiated,
        finding=body.finding, handling=body.handling, rectification=rectification)
    return await complaint_detail(session, complaint)


@router.post("/complaints/{complaint_id}/answer", response_model=ComplaintDetail,
             dependencies=[Idempotent], summary="Send the result back (反馈, R-CO-3)",
             description="The answer to the complainant, by phone, letter, visit, SMS or online, "
             "on a day between the conclusion and today; the public sees it with the tracking "
             "number and check code. 409 `complaint-not-concluded` before the conclusion, "
             "`complaint-answered` if answered already. Emits `complaint_answered`.")
async def answer(session: DbSession, user: Handler, complaint_id: RecordId, body: AnswerIn
                 ) -> ComplaintDetail:
    complaint = await service.answer(session, user=user, complaint_id=complaint_id,
                                     text=body.text, method=body.method,
                                     answered_on=body.answered_on)
    return await complaint_detail(session, complaint)


@router.post("/complaints/{complaint_id}/contact", response_model=ContactOut,
             summary="Read the complainant's contact in full (R-SE-2)",
             description="The name and phone in full, for the handler who answers the "
             "complainant (R-CO-3), with the purpose stated; the read is an event "
             "(`contact_read_in_full`: the purpose, never the phone) in the same transaction "
             "as the answer. Only the level that handles the complaint reads it.")
async def read_contact(session: DbSession, user: Handler, complaint_id: RecordId,
                       body: ContactReadIn) -> ContactOut:
    complaint = await access.get_complaint(session, user=user, complaint_id=complaint_id)
    access.require_handler(user, complaint)
    phone = await contacts.read_in_full(
        session, record="complaint", record_id=complaint.id, division=complaint.division,
        sealed=complaint.contact_phone_sealed, masked=complaint.contact_phone_masked,
        purpose=body.purpose)
    return ContactOut(name=complaint.contact_name, phone=phone)


@router.get("/case-references/{reference_id}/complaints", response_model=list[ComplaintOut],
            summary="The complaints about one case (R-CO-1)",
            description="Every complaint that names the case, the newest first, that you may "
            "see. 404 if there is no such case in your divisions.")
async def complaints_of_case(session: DbSession, user: Reader, page: Paging,
                             reference_id: RecordId) -> list[ComplaintOut]:
    reference = await get_reference(session, user=user, reference_id=reference_id)
    rows = await lists.list_complaints(session, user=user, case_reference_id=reference.id,
                                         window=page.window(lists.COMPLAINTS))
    return [complaint_out(c, session) for c in page.finish(rows, lists.COMPLAINTS)]
