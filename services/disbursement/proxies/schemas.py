"""API shapes of proxies (代领, R-DI-5); the proxy's ID number is taken in and shown masked."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from services.disbursement.proxies.models import ProxyStatus
from shared.contracts.disbursement import ProxyRelation
from shared.inputs import CivilDate, Reason


class FilingIn(BaseModel):
    """The county filed the signed authorisation (备案)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"filed_on": "2026-12-04"}]})

    filed_on: CivilDate | None = Field(None, description="the day it was filed; default today")


class RevocationIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"reason": "本人已能自行取款，撤销代领授权"}]})

    reason: Reason


class ProxyOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    payee_id: str
    beneficiary_id: str
    division: str
    proxy_name: str
    proxy_id_number: str = Field(description="masked (R-SE-2)",
                                 validation_alias="proxy_id_masked")
    relation: ProxyRelation
    reason: str
    document_sha256: str
    document_media_type: str
    document_size_bytes: int
    document_filename: str
    status: ProxyStatus = Field(description="`authorised`: uploaded, not yet filed; `filed`: "
                                "in force; `revoked`")
    created_by: str
    created_at: datetime
    filed_on: date | None
    filed_by: str | None
    revoked_on: date | None
    revoked_by: str | None
    revoked_reason: str | None
