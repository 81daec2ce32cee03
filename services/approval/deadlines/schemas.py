"""The deadline calculator's answer (R-AP-7, R-AP-5)."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field

from shared.programs import Program


class DeadlineOut(BaseModel):
    """One period: its last day, ending at 24:00 Asia/Shanghai."""

    working_days: int = Field(description="working days of the period")
    counted_from: date = Field(description="the day of the event, itself not counted")
    last_day: date = Field(description="the last working day of the period")
    ends_at: datetime = Field(description="24:00 Asia/Shanghai of the last day")
    provisional: bool = Field(
        description="the period touched a year with no loaded calendar: counted on weekdays, "
        "it may change when the State Council publishes that year's holidays")


class DeadlinesOut(BaseModel):
    program: Program
    start: date = Field(description="the acceptance day the review period counts from")
    decided_on: date | None
    review: DeadlineOut = Field(description="R-AP-7: the review period, acceptance to "
                                "confirmation")
    extended: DeadlineOut | None = Field(
        description="R-AP-7: the review period with a recorded extension; none for temporary "
        "aid")
    written_refusal: DeadlineOut | None = Field(
        description="R-AP-5: the written refusal with reasons, 3 working days from the "
        "decision (`decided_on`); none without a decision day")
    provisional: bool = Field(description="any of the answers is provisional")
