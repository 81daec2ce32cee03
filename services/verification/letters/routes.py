"""Letter endpoints (信函索证): thin, the rules are in service.py."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated

from fastapi import APIRouter, Query, Response

from services.verification.investigations import service as investigations
from services.verification.investigations.routes import Overdue, Reader, Worker
from services.verification.letters import service
from services.verification.letters.models import Letter, LetterStatus
from services.verification.letters.schemas import AnswerIn, LetterIn, LetterOut
from shared.inputs import PAGED, CivilDate, DivisionCode, Paging, RecordId
from shared.programs import Program
from shared.service import DbSession, Idempotent
from shared.workdays import today_in_shanghai

router = APIRouter(tags=["letters"])


async def outs(session: DbSession, letters: Sequence[Letter]) -> list[LetterOut]:
    owners = await investigations.by_ids(session, {letter.investigation_id for letter in letters})
    today = today_in_shanghai()
    answer = []
    for letter in letters:
        owner = owners[letter.investigation_id]
        answer.append(LetterOut.model_validate(letter).model_copy(update={
            "application_number": owner.application_number, "division": owner.division,
            "review_due_on": owner.review_due_on,
            "overdue": letter.status == LetterStatus.sent
            and investigations.is_overdue(owner, today=today)}))
    return answer


@router.post("/investigations/{investigation_id}/letters", status_code=201,
             response_model=LetterOut, summary="Record a letter sent (信函索证, R-VE-2)",
             description="A letter asking an employer to state a member's employment income: "
             "to whom, what it asks, when it was sent. It stays outstanding (and keeps the "
             "investigation from completing) until its answer is recorded or it is recorded as "
             "unanswered. 409 when the investigation is no longer open. Send "
             "`Idempotency-Key` to retry safely.", dependencies=[Idempotent])
async def send_letter(session: DbSession, user: Worker, investigation_id: RecordId,
                      body: LetterIn, response: Response) -> LetterOut:
    letter = await service.send_letter(session, user=user, investigation_id=investigation_id,
                                       letter=body)
    response.headers["Location"] = f"/api/v1/letters/{letter.id}"
    return (await outs(session, [letter]))[0]


@router.get("/letters", response_model=list[LetterOut], responses=PAGED,
            summary="Letters in your jurisdiction",
            description="The longest waiting first, filtered by investigation, status, "
            "`outstanding` (true: awaiting an answer in an open investigation, the work list), "
            "program, division, the day sent and `overdue` (outstanding past the review "
            "period); only those inside your divisions (R-SE-1).")
async def list_letters(
    session: DbSession, user: Reader, page: Paging, investigation_id: RecordId | None = None,
    status: LetterStatus | None = None,
    outstanding: Annotated[bool | None, Query(description="true: still awaiting an answer in "
                                              "an open investigation")] = None,
    program: Program | None = None, division: DivisionCode | None = None,
    sent_from: CivilDate | None = None, sent_to: CivilDate | None = None,
    overdue: Overdue = None,
) -> list[LetterOut]:
    rows = await service.list_letters(
        session, user=user, today=today_in_shanghai(), investigation_id=investigation_id,
        status=status, outstanding_only=outstanding, program=program, division=division,
        sent_from=sent_from, sent_to=sent_to, overdue=overdue,
        window=page.window(service.LETTERS))
    return await outs(session, page.finish(rows, service.LETTERS))


@router.get("/letters/{letter_id}", response_model=LetterOut, summary="One letter",
            description="One letter and its answer. 404 if there is none; 403 if it lies "
            "outside your divisions.")
async def get_letter(session: DbSession, user: Reader, letter_id: RecordId) -> LetterOut:
    letter = await service.get_letter(session, user=user, letter_id=letter_id)
    return (await outs(session, [letter]))[0]


@router.post("/letters/{letter_id}/answer", response_model=LetterOut,
             summary="Record a letter's answer, or the letter as unanswered (R-VE-2)",
             description="`answered`: when it came and what it says (and the monthly income it "
             "states, in fen); `unanswered`: why the letter is recorded so. 422 naming the "
             "field for a day received before the letter went or after today; 409 if its "
             "answer is recorded already or the investigation is no longer open. Send "
             "`Idempotency-Key` to retry safely.", dependencies=[Idempotent])
async def record_answer(session: DbSession, user: Worker, letter_id: RecordId,
                        body: AnswerIn) -> LetterOut:
    letter = await service.record_answer(session, user=user, letter_id=letter_id, answer=body)
    return (await outs(session, [letter]))[0]
