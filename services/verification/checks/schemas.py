"""API shapes of the cross-checks: ID numbers only ever masked."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from services.verification.checks.models import CheckFindingRow, CheckSubject
from services.verification.checks.sources import MANUAL
from shared.inputs import AmountFen, CivilDate, Code, Flag, Reason, RecordId, TextRule

DataFilePath = Annotated[str, StringConstraints(
    strict=True, max_length=500,
    pattern=r"^[A-Za-z0-9_][A-Za-z0-9_.-]*(/[A-Za-z0-9_][A-Za-z0-9_.-]*)*$")]
"""A file in the check data folder, relative to it: no ``..``, no absolute path."""
Detail = Annotated[str, TextRule(max_length=200)]


class DatasetOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    source: str
    version: int = Field(description="1, 2, … per source; the newest is the one checked")
    data_date: date = Field(description="the day the department's data is of")
    sha256: str = Field(description="SHA-256 of the file as loaded")
    rows: int
    filename: str | None
    loaded_at: datetime
    loaded_by: str


class SourceOut(BaseModel):
    name: str
    kind: Literal["csv", "http"]
    title: str | None
    items: list[str]
    url: str | None = Field(description="http: the system asked (credentials never shown)")
    current_dataset: DatasetOut | None = Field(
        description="csv: the data file checked against; null: none loaded (its items are "
        "`unavailable`)")


class DatasetPathIn(BaseModel):
    """A data file already on the server, in the check data folder (``ASSIST_CHECK_DATA_DIR``):
    for files larger than an upload may be (``ASSIST_MAX_UPLOAD_BYTES``)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"path": "tax/2026-11/personal_income.csv", "data_date": "2026-11-25"},
    ]})

    path: DataFilePath = Field(description="relative to the check data folder")
    data_date: CivilDate | None = Field(None, description="the day the data is of; default: "
                                        "today (Asia/Shanghai)")


class RunIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"sources": ["tax", "housing_fund"]},
        {"only_unavailable": True},
    ]})

    sources: list[Code] | None = Field(
        None, max_length=50, description="the sources to ask; default: every source")
    only_unavailable: Flag = Field(
        False, description="ask again only the items whose result is `unavailable` (retry)")


class FindingIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    member_id: RecordId | None = Field(None, description="whose; null: the household's")
    amount_fen: AmountFen | None = None
    quantity: Annotated[int, Field(strict=True, ge=0, le=1_000_000)] | None = None
    detail: Detail | None = None


class ManualCheckIn(BaseModel):
    """A caseworker's own check of one item: at the bank, with the passbook, at the registry."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"item": "deposits", "note": "到农村信用社朝阳镇分社查询, 户主名下存款8000元",
         "findings": [{"member_id": "5f1c2a9e8b7d4c3aa1e0f9d8c7b6a501",
                       "amount_fen": 800000, "detail": "农村信用社活期存款"}]},
    ]})

    source: Code = Field(MANUAL, description="the source this check stands in for (its result "
                         "is replaced), or `manual`")
    item: Code = Field(description="tax, social_insurance, housing_fund, real_estate, vehicles, "
                       "business_registration, deposits, …")
    note: Reason = Field(description="what was checked, where and how")
    findings: list[FindingIn] = Field(default_factory=list, max_length=100)


class FindingOut(BaseModel):
    member_id: str | None
    name: str | None = Field(description="the member's name")
    id_number_masked: str | None = Field(description="masked (R-SE-2)")
    amount_fen: int | None
    quantity: int | None
    detail: str | None

    @classmethod
    def of(cls, row: CheckFindingRow, members: dict[str, CheckSubject]) -> FindingOut:
        member = members.get(row.member_id) if row.member_id else None
        return cls(member_id=row.member_id, name=member.name if member else None,
                   id_number_masked=member.id_number_masked if member else None,
                   amount_fen=row.amount_fen, quantity=row.quantity, detail=row.detail)


class ResultOut(BaseModel):
    id: str
    investigation_id: str
    source: str
    item: str
    status: Literal["found", "nothing_found", "unavailable", "manual"] = Field(
        description="`unavailable`: the source could not be asked (listed for retry), never "
        "nothing found; `manual`: a caseworker's own check")
    reason: str | None = Field(description="unavailable: why; manual: what was checked")
    basis: str | None = Field(description="what answered: the data file's version, the system")
    run_id: str | None
    checked_by: str
    checked_at: datetime
    asked: int = Field(description="how many times this source was asked about this item")
    findings: list[FindingOut]


class RunOut(BaseModel):
    id: str
    investigation_id: str
    sources: list[str]
    only_unavailable: bool
    status: Literal["queued", "running", "done"]
    requested_by: str
    requested_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    results: list[ResultOut] = Field(description="done: the results this run recorded")
