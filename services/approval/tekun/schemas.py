"""API shapes of tekun care (特困供养, R-BE-7)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from services.approval.tekun.models import CareAgreement, CareMode
from shared.inputs import CivilDate, Label, PersonName
from shared.masking import mask_name


class CareAgreementIn(BaseModel):
    """A signed care agreement (R-BE-7): dispersed with a named caregiver, or concentrated with
    the institution."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"mode": "dispersed", "self_care": "partly_unable", "caregiver_name": "王秀英",
         "caregiver_relationship": "侄女", "document_ref": "嘉特困照护〔2026〕12号",
         "signed_on": "2026-12-01", "valid_from": "2026-12-01", "valid_until": "2027-11-30"},
        {"mode": "concentrated", "self_care": "unable", "institution": "嘉荫县中心敬老院",
         "document_ref": "嘉敬老院入住协议〔2026〕3号", "signed_on": "2026-12-01",
         "valid_from": "2026-12-01"},
    ]})

    mode: CareMode = Field(description="dispersed (分散供养) or concentrated (集中供养)")
    self_care: Literal["able", "partly_unable", "unable"] = Field(
        description="self-care ability (生活自理能力): able, partly_unable, unable")
    caregiver_name: PersonName | None = Field(None, description="dispersed: the caregiver")
    caregiver_relationship: Label | None = None
    institution: Label | None = Field(None, description="concentrated: the institution")
    document_ref: Label = Field(description="the signed agreement's number or file reference")
    signed_on: CivilDate
    valid_from: CivilDate
    valid_until: CivilDate | None = None


class CareAgreementOut(BaseModel):
    id: str
    beneficiary_id: str
    division: str
    mode: str
    self_care: str
    caregiver_name_masked: str | None
    caregiver_relationship: str | None
    institution: str | None
    document_ref: str
    signed_on: date
    valid_from: date
    valid_until: date | None
    valid_today: bool
    recorded_by: str
    recorded_at: datetime
    superseded_at: datetime | None

    @classmethod
    def of(cls, a: CareAgreement, *, valid_today: bool) -> CareAgreementOut:
        """Shown with the caregiver's name masked (R-SE-2)."""
        return cls(id=a.id, beneficiary_id=a.beneficiary_id, division=a.division, mode=a.mode,
                   self_care=a.self_care,
                   caregiver_name_masked=mask_name(a.caregiver_name) if a.caregiver_name else None,
                   caregiver_relationship=a.caregiver_relationship, institution=a.institution,
                   document_ref=a.document_ref, signed_on=a.signed_on, valid_from=a.valid_from,
                   valid_until=a.valid_until, valid_today=valid_today, recorded_by=a.recorded_by,
                   recorded_at=a.recorded_at, superseded_at=a.superseded_at)


class TekunWithoutAgreementOut(BaseModel):
    beneficiary_id: str
    division: str
    head_name_masked: str
    status: str
    monthly_fen: int
    problem: str = Field(description="none (no agreement), not_yet_valid or expired")
    agreement: CareAgreementOut | None


class CareRateOut(BaseModel):
    division: str = Field(description="a township (9 digits) or a county (6)")
    level: str = Field(description="township or county")
    tekun: int = Field(description="tekun on the roll")
    unable: int = Field(description="of them unable to care for themselves (current agreement)")
    unable_concentrated: int = Field(description="of those, in concentrated care")
    unknown_self_care: int = Field(description="tekun without an agreement: not counted")
    rate: str | None = Field(description="unable_concentrated / unable, 4 places; null if none")
    target: str = Field(description="0.55 (R-BE-7)")
    below_target: bool
