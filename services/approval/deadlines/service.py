"""The deadline calculator (R-AP-7, R-AP-5): plain functions over the working-day calendar."""

from __future__ import annotations

from datetime import date

from services.approval.deadlines.schemas import DeadlineOut, DeadlinesOut
from shared.problems import InvalidField
from shared.programs import (
    WRITTEN_REFUSAL_WORKING_DAYS,
    Program,
    review_deadline,
    review_period_working_days,
    written_refusal_deadline,
)
from shared.workdays import Deadline, WorkingCalendar

TEMPORARY_AID = frozenset({Program.TEMP_EMERGENCY, Program.TEMP_EXPENDITURE})


def _out(deadline: Deadline, working_days: int, counted_from: date) -> DeadlineOut:
    return DeadlineOut(working_days=working_days, counted_from=counted_from,
                       last_day=deadline.last_day, ends_at=deadline.ends_at,
                       provisional=deadline.provisional)


def deadlines(program: Program, start: date, calendar: WorkingCalendar, *,
              decided_on: date | None = None, temp_aid_working_days: int) -> DeadlinesOut:
    """R-AP-7: the review period from acceptance (``start`` not counted), extended where the
    program has an extension; R-AP-5: the written refusal 3 working days after a decision."""
    if decided_on is not None and decided_on < start:
        raise InvalidField("decided_on", f"{decided_on} is before the start {start}: a "
                           "decision comes after the acceptance")
    days = review_period_working_days(program, temp_aid_working_days=temp_aid_working_days)
    review = _out(review_deadline(program, start, calendar,
                                  temp_aid_working_days=temp_aid_working_days), days, start)
    extended = None
    if program not in TEMPORARY_AID:
        longer = review_period_working_days(program, extended=True)
        extended = _out(review_deadline(program, start, calendar, extended=True), longer, start)
    refusal = None
    if decided_on is not None:
        refusal = _out(written_refusal_deadline(decided_on, calendar),
                       WRITTEN_REFUSAL_WORKING_DAYS, decided_on)
    answers = [d for d in (review, extended, refusal) if d is not None]
    return DeadlinesOut(program=program, start=start, decided_on=decided_on, review=review,
                        extended=extended, written_refusal=refusal,
                        provisional=any(d.provisional for d in answers))
