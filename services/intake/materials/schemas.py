"""API shapes of checklists, notices and materials handed in."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator

from services.intake.materials.models import MaterialsNotice
from shared.inputs import Code, Label

MaterialCode = Code
"""A material's code: lowercase letters, digits and underscores, e.g. ``id_card``."""


class MaterialIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: MaterialCode
    name: Label


class MaterialOut(BaseModel):
    code: str
    name: str


class ChecklistIn(BaseModel):
    """A program's new checklist; notices already issued keep theirs (R-IN-3)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"items": [
            {"code": "application_form", "name": "申请书"},
            {"code": "id_card", "name": "身份证"},
            {"code": "household_register", "name": "户口簿"},
            {"code": "income_statement", "name": "收入证明"},
            {"code": "property_declaration", "name": "家庭财产申报"},
            {"code": "authorization_letter", "name": "核对授权书"},
            {"code": "disability_certificate", "name": "残疾证 (家庭成员有残疾的)"},
        ]},
    ]})

    items: list[MaterialIn] = Field(min_length=1, max_length=50)

    @field_validator("items")
    @classmethod
    def _distinct(cls, items: list[MaterialIn]) -> list[MaterialIn]:
        codes = [i.code for i in items]
        twice = sorted({c for c in codes if codes.count(c) > 1})
        if twice:
            raise ValueError(f"material codes listed twice: {', '.join(twice)}")
        return items


class ChecklistOut(BaseModel):
    program: str
    county: str
    set_by_county: bool = Field(description="the county set it; false: the default checklist")
    items: list[MaterialOut]


class ProgramOut(BaseModel):
    code: str
    name: str
    unit: str
    paid: str
    review_working_days: int = Field(description="R-AP-7, from acceptance to confirmation")


class MaterialsIn(BaseModel):
    """Materials handed in after submission."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"materials": ["income_statement", "authorization_letter"]},
    ]})

    materials: list[MaterialCode] = Field(min_length=1, max_length=50)


class NoticeItemOut(MaterialOut):
    supplied: bool


class NoticeOut(BaseModel):
    """The one-time notice (一次性告知): every missing item, listed once."""

    id: str
    issued_at: datetime
    missing: list[NoticeItemOut]

    @classmethod
    def of(cls, notice: MaterialsNotice, supplied: set[str]) -> NoticeOut:
        return cls(id=notice.id, issued_at=notice.issued_at,
                   missing=[NoticeItemOut(code=i.code, name=i.name, supplied=i.code in supplied)
                            for i in notice.items])
