"""The API shape of public notices, objections and their review (R-AP-3, R-AP-4), and of the
village's public page's JSON twin (R-DY-1, R-SE-3: masked notice data only)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from shared.inputs import CivilDate, Label, Reason
from shared.inputs.text import TextRule

ObjectionText = Annotated[str, TextRule(max_length=2000, multiline=True)]
Contact = Annotated[str, TextRule(max_length=100)]


class NoticeOut(BaseModel):
    """A public notice as staff see it (R-AP-3)."""

    model_config = ConfigDict(from_attributes=True)

    id: str
    case_id: str
    round: int = Field(description="the case's notices: 2 after an objection")
    application_id: str
    application_number: str
    confirmation_id: str
    program: str
    division: str = Field(description="the village where it is posted")
    village_name: str
    head_name_masked: str
    household_size: int
    monthly_fen: int = Field(description="the confirmed monthly amount, integer fen")
    confirmed_at: datetime
    posted_on: date = Field(description="day D")
    closes_on: date = Field(description="D+7: objections until 24:00 of it")
    closes_at: datetime = Field(description="24:00 Asia/Shanghai of D+7")
    status: str = Field(description="open, objected, passed (the case approved) or withdrawn")
    ended_at: datetime | None
    certificate_number: str | None = Field(description="救助保障证号, when passed (R-AP-4)")
    effective_month: str | None = Field(description="the first month paid (次月发放), when passed")


class ObjectionIn(BaseModel):
    """An objection staff record (异议): what was said, and a contact if one was left."""

    model_config = ConfigDict(json_schema_extra={"examples": [
        {"text": "该户家中有一辆小轿车, 公示中未见说明。",
         "contact": "村民李某, 电话13945671234"}]})

    text: ObjectionText
    contact: Contact | None = None


class ObjectionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    receipt_number: str
    notice_id: str
    case_id: str
    channel: str = Field(description="staff or public")
    text: str
    contact_masked: str | None = Field(None, description="the contact left, masked (R-SE-2)")
    filed_by: str | None
    filed_at: datetime


class ObjectionReceipt(BaseModel):
    """The public form's answer: the receipt number to quote."""

    receipt_number: str
    notice_id: str
    filed_at: datetime


class ObjectionReviewIn(BaseModel):
    """R-AP-4: how the objection is reviewed. ``appraisal`` (民主评议) gives its day, who took
    part, the result and the record; ``reinvestigation`` (重新调查) gives the reason."""

    model_config = ConfigDict(json_schema_extra={"examples": [
        {"kind": "appraisal", "held_on": "2026-12-14",
         "participants": ["村党支部书记 王建", "村委会主任 刘强", "村民代表 张丽", "村民代表 赵军"],
         "result": "经民主评议, 该车辆为亲属借用, 不影响家庭经济状况认定, 异议不成立。",
         "record": "2026年12月14日在村委会召开民主评议会, 到会9人, 8人认为异议不成立。"},
        {"kind": "reinvestigation", "reason": "异议人反映该户有经营收入, 需重新入户调查核实。"},
    ]})

    kind: Literal["appraisal", "reinvestigation"]
    held_on: CivilDate | None = Field(None, description="the appraisal's day")
    participants: list[Label] = Field(default_factory=list, max_length=100,
                                      description="who took part in the appraisal")
    result: Reason | None = Field(None, description="the appraisal's result")
    record: Reason | None = Field(None, description="the appraisal's record (评议记录)")
    reason: Reason | None = Field(None, description="why a new investigation")

    @model_validator(mode="after")
    def _complete(self) -> Self:
        if self.kind == "appraisal":
            missing = [name for name in ("held_on", "result", "record")
                       if getattr(self, name) is None]
            if not self.participants:
                missing.append("participants")
            if missing:
                raise ValueError(f"a democratic appraisal needs {', '.join(missing)}")
        elif not self.reason:
            raise ValueError("a new investigation needs its reason")
        return self


class ObjectionReviewOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    case_id: str
    notice_id: str
    kind: str
    held_on: date | None
    participants: list[str] | None
    result: str | None
    record: str | None
    reason: str | None
    decided_by: str
    decided_at: datetime
    case_status: str = Field(description="awaiting_confirmation after an appraisal, "
                             "awaiting_investigation after a new investigation is asked")


# --- the village's public page (JSON twin) ------------------------------------------------------


class PublicNotice(BaseModel):
    """An open notice as the public sees it (R-AP-3, R-SE-3): masked, nothing else."""

    id: str
    name: str = Field(description="the head's name, masked (张**)")
    village: str
    program: str
    program_name: str = Field(description="the program in Chinese")
    household_size: int
    monthly_fen: int = Field(description="integer fen")
    monthly_yuan: str = Field(description="the same amount in yuan, for reading")
    posted_on: date
    closes_on: date = Field(description="objections until 24:00 of this day")


class BoardEntry(BaseModel):
    """A dibao household on the village's standing notice board (R-DY-1), masked."""

    name: str = Field(description="the head's name, masked")
    village: str
    program: str
    program_name: str
    household_size: int
    monthly_fen: int
    monthly_yuan: str
    since: str = Field(description="the first month paid")


class PublicVillagePage(BaseModel):
    """The JSON twin of ``/public/villages/{code}``: the same masked data (R-SE-3)."""

    village_code: str
    village: str
    complaint_phone: str
    generated_at: datetime
    notices: list[PublicNotice]
    board: list[BoardEntry]
