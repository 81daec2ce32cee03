"""Rules of letters asking for proof of employment income (信函索证, R-VE-2): the request and the
answer recorded; a letter outstanding keeps the investigation from completing."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.verification.evidence.service import require_evidence
from services.verification.investigations import service as investigations
from services.verification.investigations.models import Investigation, InvestigationStatus
from services.verification.letters.models import Letter, LetterStatus
from services.verification.letters.schemas import AnswerIn, LetterIn
from shared.auth import User
from shared.context import new_id
from shared.contracts.verification import LetterAnswered, LetterSent
from shared.db import utcnow, where_given
from shared.inputs import Keyset, Window
from shared.outbox import emit
from shared.problems import Conflict, InvalidField, NotFound
from shared.workdays import today_in_shanghai

LETTERS = Keyset("letters", Letter.sent_on.asc(), Letter.id.asc())
"""The order of the list of letters: the longest waiting first."""


# --- rules: plain functions ---------------------------------------------------------------------


def check_answer(letter: Letter, answer: AnswerIn, *, today: date) -> None:
    """An answer comes between the day the letter went and today; only an answered letter has
    a day received and a stated income (R-VE-2)."""
    if letter.status != LetterStatus.sent:
        raise Conflict(f"letter {letter.id} is {letter.status} already")
    if answer.outcome == "answered":
        if answer.received_on is None:
            raise InvalidField("received_on", "is required for an answered letter")
        if not letter.sent_on <= answer.received_on <= today:
            raise InvalidField("received_on", f"must lie between the day the letter was sent "
                               f"({letter.sent_on}) and today ({today})")
    else:
        if answer.received_on is not None:
            raise InvalidField("received_on", "an unanswered letter has no day received")
        if answer.stated_monthly_income_fen is not None:
            raise InvalidField("stated_monthly_income_fen", "an unanswered letter states none")


def outstanding(letters: Sequence[Letter]) -> list[Letter]:
    return [letter for letter in letters if letter.status == LetterStatus.sent]


# --- records -----------------------------------------------------------------------------------


async def send_letter(session: AsyncSession, *, user: User, investigation_id: str,
                      letter: LetterIn) -> Letter:
    """Record a letter sent: to whom, what it asks, when (R-VE-2)."""
    investigation = await investigations.investigation_for_work(
        session, user=user, investigation_id=investigation_id)
    today = today_in_shanghai()
    if letter.sent_on > today:
        raise InvalidField("sent_on", f"is after today ({today})")
    if letter.member_id is not None and letter.member_id not in {
            m.member_id for m in await investigations.members_of(session, investigation.id)}:
        raise InvalidField("member_id", "is not a member of the household")
    recorded = Letter(
        id=new_id(), investigation_id=investigation.id, member_id=letter.member_id,
        addressee=letter.addressee, address=letter.address, asked=letter.asked,
        sent_on=letter.sent_on, status=LetterStatus.sent, recorded_at=utcnow(),
        recorded_by=user.user_id)
    session.add(recorded)
    await session.flush()
    await emit(session, LetterSent(
        investigation_id=investigation.id, application_id=investigation.application_id,
        letter_id=recorded.id, member_id=recorded.member_id, addressee=recorded.addressee,
        asked=recorded.asked, sent_on=recorded.sent_on,
    ), subject=investigation.id, division=investigation.division)
    return recorded


async def get_letter(session: AsyncSession, *, user: User, letter_id: str) -> Letter:
    letter = await session.get(Letter, letter_id)
    if letter is None:
        raise NotFound(f"no letter {letter_id}")
    investigation = await session.get(Investigation, letter.investigation_id)
    user.require_record(investigation.division if investigation else None, f"no letter {letter_id}")
    return letter


async def record_answer(session: AsyncSession, *, user: User, letter_id: str,
                        answer: AnswerIn) -> Letter:
    """Record the answer (when, what it says), or the letter as unanswered with the reason."""
    letter = await get_letter(session, user=user, letter_id=letter_id)
    investigation = await investigations.investigation_for_work(
        session, user=user, investigation_id=letter.investigation_id)
    check_answer(letter, answer, today=today_in_shanghai())
    if answer.evidence_id is not None:
        await require_evidence(session, investigation.id, answer.evidence_id,
                               field="evidence_id")
    letter.status = LetterStatus(answer.outcome)
    letter.received_on = answer.received_on
    letter.answer = answer.answer
    letter.stated_monthly_income_fen = answer.stated_monthly_income_fen
    letter.evidence_id = answer.evidence_id
    letter.answer_recorded_at = utcnow()
    letter.answer_recorded_by = user.user_id
    await session.flush()
    await emit(session, LetterAnswered(
        investigation_id=investigation.id, application_id=investigation.application_id,
        letter_id=letter.id, outcome=answer.outcome, received_on=answer.received_on,
        answer=answer.answer, stated_monthly_income_fen=answer.stated_monthly_income_fen,
        evidence_id=answer.evidence_id,
    ), subject=investigation.id, division=investigation.division)
    return letter


async def letters_of(session: AsyncSession, investigation_id: str) -> list[Letter]:
    return list((await session.scalars(select(Letter).where(
        Letter.investigation_id == investigation_id).order_by(*LETTERS.order_by()))).all())


async def list_letters(
    session: AsyncSession, *, user: User, today: date, investigation_id: str | None = None,
    status: str | None = None, outstanding_only: bool | None = None,
    division: str | None = None, program: str | None = None, sent_from: date | None = None,
    sent_to: date | None = None, overdue: bool | None = None, window: Window | None = None,
) -> Sequence[Letter]:
    """Letters inside the user's jurisdiction, the longest waiting first; ``outstanding_only``:
    those still awaiting an answer in open investigations (the work list)."""
    query = (select(Letter).join(Investigation, Investigation.id == Letter.investigation_id)
             .where(user.jurisdiction(Investigation.division)))
    query = where_given(query, (Letter.investigation_id, investigation_id),
                        (Letter.status, status), (Investigation.program, program))
    if outstanding_only is True:
        query = query.where(Letter.status == LetterStatus.sent,
                            Investigation.status == InvestigationStatus.open)
    elif outstanding_only is False:
        query = query.where(Letter.status != LetterStatus.sent)
    if overdue is not None:
        query = query.where(Letter.status == LetterStatus.sent)
    query = investigations.filter_investigations(query, today=today, division=division,
                                                 overdue=overdue)
    if sent_from is not None:
        query = query.where(Letter.sent_on >= sent_from)
    if sent_to is not None:
        query = query.where(Letter.sent_on <= sent_to)
    query = (window or Window(LETTERS, limit=100)).apply(query)
    return (await session.scalars(query)).all()
