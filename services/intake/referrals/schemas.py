"""API shapes of referrals; ID and phone numbers leave masked (R-SE-2)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal, cast

from pydantic import BaseModel, ConfigDict, Field

from services.intake.applications.schemas import HouseholdDivision
from services.intake.referrals.models import Referral
from shared.inputs import Address, CivilDate, Code, PersonName, Phone, Reason, ResidentIdNumber
from shared.masking import mask_id_number, mask_phone

ReferralStatus = Literal["open", "applied", "closed"]


class ReferralIn(BaseModel):
    """A person in need, reported by a village assistant or caseworker (R-IN-2)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"division": "230722100201", "name": "钱老汉", "id_number": "230722195208160030",
         "address": "嘉荫县朝阳镇东风村7组", "situation": "独居老人, 无子女, 冬季取暖困难",
         "reported_by": "网格员陈明"},
    ]})

    division: HouseholdDivision = Field(description="the village (or township) where they live")
    name: PersonName
    id_number: ResidentIdNumber | None = Field(None, description="if known; shown masked")
    phone: Phone | None = Field(None, description="if known; shown masked")
    address: Address
    situation: Reason = Field(description="the hardship seen: who, what, since when")
    reported_by: PersonName | None = Field(
        None, description="who spotted them, when not you (a grid worker, a neighbour)")


class ContactIn(BaseModel):
    """Contact made with the person referred (R-IN-2)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"contacted_on": "2026-11-27", "note": "已上门了解情况, 本人考虑申请低保, 已告知所需材料"},
    ]})

    contacted_on: CivilDate | None = Field(
        None, description="the day: not before the referral, not in the future; default today")
    note: Reason = Field(description="what was said or found")


class ReferralClosureIn(BaseModel):
    """The referral ends without an application: a reason code and the reason (R-IN-2)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"reason_code": "declined", "reason": "本人表示子女每月按时给付生活费, 不愿申请救助"},
    ]})

    reason_code: Code = Field(description="why no application, as a code (`not_in_need`, "
                              "`declined`, `moved_away`, `deceased`, ...)")
    reason: Reason = Field(description="why, in words")


class ReferralOut(BaseModel):
    id: str
    division: str
    name: str
    id_number: str | None = Field(description="masked (R-SE-2)")
    phone: str | None = Field(description="masked (R-SE-2)")
    address: str
    situation: str
    reported_by: str | None
    referred_at: datetime
    referred_on: date
    referred_by: str = Field(description="who recorded it (user id)")
    followup_due_on: date = Field(description="the last working day to follow it up (R-IN-2)")
    followup_due_provisional: bool = Field(
        description="the period touches a year the calendar does not know (R-AP-7)")
    overdue: bool = Field(description="still open after its last day (24:00 Asia/Shanghai)")
    status: ReferralStatus
    contacted_on: date | None
    contacted_by: str | None
    contact_note: str | None
    ended_on: date | None
    ended_by: str | None
    end_reason_code: str | None
    end_reason: str | None
    application_id: str | None = Field(description="the application it ended in")
    application_number: str | None

    @classmethod
    def of(cls, r: Referral, *, overdue: bool) -> ReferralOut:
        return cls(
            id=r.id, division=r.division, name=r.person_name,
            id_number=mask_id_number(r.id_number) if r.id_number else None,
            phone=mask_phone(r.phone) if r.phone else None, address=r.address,
            situation=r.situation, reported_by=r.reported_by, referred_at=r.referred_at,
            referred_on=r.referred_on, referred_by=r.referred_by,
            followup_due_on=r.followup_due_on,
            followup_due_provisional=r.followup_due_provisional, overdue=overdue,
            status=cast(ReferralStatus, r.status), contacted_on=r.contacted_on,
            contacted_by=r.contacted_by, contact_note=r.contact_note, ended_on=r.ended_on,
            ended_by=r.ended_by, end_reason_code=r.end_reason_code, end_reason=r.end_reason,
            application_id=r.application_id, application_number=r.application_number)
