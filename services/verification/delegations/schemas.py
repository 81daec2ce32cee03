"""API shapes of delegations between counties: ID numbers only ever masked."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from services.verification.delegations.models import Delegation, DelegationDelivery
from shared.contracts.verification import (
    DelegatedFinding,
    DelegatedMember,
    DelegationAccepted,
    DelegationRefused,
    DelegationRequested,
    DelegationReturned,
)
from shared.inputs import (
    Address,
    AmountFen,
    CivilDate,
    DivisionCode,
    Identifier,
    Moment,
    PersonName,
    Reason,
    RecordId,
    TextRule,
)
from shared.programs import Program

Description = Annotated[str, TextRule(max_length=200)]
Relationship = Annotated[str, TextRule(max_length=30)]
MaskedIdNumber = Annotated[str, StringConstraints(strict=True, pattern=r"^[0-9Xx*]{1,18}$")]
UserRef = Annotated[str, StringConstraints(strict=True, min_length=1, max_length=255,
                                           pattern=r"^[\x21-\x7E]+$")]
County = Annotated[str, StringConstraints(strict=True, pattern=r"^[0-9]{6}$")]


class DelegationIn(BaseModel):
    """What the accepting township asks the county of residence."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"residence_division": "230717100", "address": "伊春市伊美区新兴东路18号2单元301室",
         "tasks": "户主王建国一家实际居住在贵区, 请入户调查家庭收入、财产和生活状况, "
                  "并走访邻居"},
    ]})

    residence_division: DivisionCode = Field(
        description="the township (9 digits) or village (12) where the household lives, in "
        "another county: its township gets the delegation")
    address: Address = Field(description="where the household lives")
    tasks: Reason = Field(description="what to investigate: income, assets, living conditions…")


class FindingIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: Literal["income", "asset"]
    member_id: RecordId | None = Field(None, description="a member the delegation names; "
                                       "null: the household's")
    description: Description
    amount_fen: AmountFen = Field(description="income: monthly amount; asset: value")


class ReturnIn(BaseModel):
    """The residence township's result."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"summary": "经入户调查和邻里走访, 该户租住两居室, 户主打零工, 无其他财产",
         "investigated_on": "2026-11-26", "investigators": ["赵明", "孙丽"],
         "findings": [
             {"kind": "income", "member_id": "5f1c2a9e8b7d4c3aa1e0f9d8c7b6a501",
              "description": "小区保洁零工", "amount_fen": 150000},
             {"kind": "asset", "description": "银行活期存款", "amount_fen": 320000},
         ]},
    ]})

    summary: Reason = Field(description="the household investigation's summary")
    investigated_on: CivilDate = Field(description="the day of the home visit")
    investigators: list[PersonName] = Field(min_length=2, max_length=20,
                                            description="who investigated: two at least (R-VE-1)")
    findings: list[FindingIn] = Field(default_factory=list, max_length=100,
                                      description="income and assets found")


class RefuseIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"reason": "该户已于2026年10月搬离本区, 现住址不在本县区, 无法入户调查"},
    ]})

    reason: Reason = Field(description="why the county of residence declines (R-VE-3)")


# --- what a peer county sends over REST (the events' data, as the NATS transport carries it) ----


class _Peer(BaseModel):
    model_config = ConfigDict(extra="forbid")

    delegation_id: RecordId
    accepting_county: County
    residence_county: County


class MemberIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    member_id: RecordId
    name: PersonName
    id_number_masked: MaskedIdNumber
    relationship: Relationship


class IncomingIn(_Peer):
    """A delegation another county sends (``delegation_requested``'s data)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"delegation_id": "0d8f2b6a4c1e4f7a9b3d5e7f9a1c3e51", "accepting_county": "230718",
         "residence_county": "230722", "investigation_id": "0d8f2b6a4c1e4f7a9b3d5e7f9a1c3e52",
         "application_id": "0d8f2b6a4c1e4f7a9b3d5e7f9a1c3e53",
         "application_number": "SQ230718-20261125-000012", "program": "dibao",
         "accepting_division": "230718100", "residence_division": "230722100201",
         "address": "嘉荫县朝阳镇东风村4组", "tasks": "请入户调查家庭收入、财产和生活状况",
         "members": [{"member_id": "0d8f2b6a4c1e4f7a9b3d5e7f9a1c3e54", "name": "吴桂英",
                      "id_number_masked": "230***********004X", "relationship": "户主"}],
         "requested_by": "caseworker-230718100-01", "requested_at": "2026-11-25T14:20:00+08:00",
         "transport": "rest"},
    ]})

    investigation_id: RecordId
    application_id: RecordId
    application_number: Identifier
    program: Program
    accepting_division: DivisionCode
    residence_division: DivisionCode
    address: Address
    tasks: Reason
    members: list[MemberIn] = Field(max_length=50)
    requested_by: UserRef
    requested_at: Moment
    transport: Literal["nats", "rest"]

    def as_contract(self) -> DelegationRequested:
        return DelegationRequested.model_validate(self.model_dump(mode="json"))


class AcceptedIn(_Peer):
    answer: Literal["accepted"]
    accepted_by: UserRef
    accepted_at: Moment

    def as_contract(self) -> DelegationAccepted:
        return DelegationAccepted.model_validate(self.model_dump(mode="json"))


class ReturnedIn(_Peer):
    answer: Literal["returned"]
    summary: Reason
    investigated_on: CivilDate
    investigators: list[PersonName] = Field(min_length=2, max_length=20)
    findings: list[FindingIn] = Field(max_length=100)
    returned_by: UserRef
    returned_at: Moment

    def as_contract(self) -> DelegationReturned:
        return DelegationReturned.model_validate(self.model_dump(mode="json"))


class RefusedIn(_Peer):
    answer: Literal["refused"]
    reason: Reason
    refused_by: UserRef
    refused_at: Moment

    def as_contract(self) -> DelegationRefused:
        return DelegationRefused.model_validate(self.model_dump(mode="json"))


_PEER = {"delegation_id": "7e3a9c1b5d2f4e6a8c0b1d3f5a7c9e21", "accepting_county": "230722",
         "residence_county": "230717"}

AnswerIn = Annotated[AcceptedIn | ReturnedIn | RefusedIn, Field(discriminator="answer", examples=[
    _PEER | {"answer": "accepted", "accepted_by": "caseworker-230717100-01",
             "accepted_at": "2026-11-24T09:15:00+08:00"},
    _PEER | {"answer": "returned",
             "summary": "经入户调查和邻里走访, 该户租住两居室, 户主打零工, 无其他财产",
             "investigated_on": "2026-11-26", "investigators": ["赵明", "孙丽"],
             "findings": [{"kind": "income", "member_id": "5f1c2a9e8b7d4c3aa1e0f9d8c7b6a501",
                           "description": "小区保洁零工", "amount_fen": 150000}],
             "returned_by": "caseworker-230717100-01",
             "returned_at": "2026-11-26T16:40:00+08:00"},
    _PEER | {"answer": "refused", "reason": "该户已于2026年10月搬离本区, 无法入户调查",
             "refused_by": "caseworker-230717100-01", "refused_at": "2026-11-24T09:15:00+08:00"},
])]
"""The residence county's answer (``delegation_accepted``, ``_returned`` or ``_refused``)."""


# --- out -----------------------------------------------------------------------------------------


class DeliveryOut(BaseModel):
    """REST transport: the latest call of this county's about the delegation."""

    state: Literal["pending", "delivered", "failed"]
    attempts: int
    next_attempt_at: datetime | None
    last_error: str | None
    delivered_at: datetime | None


class DelegationOut(BaseModel):
    id: str
    direction: Literal["outgoing", "incoming"]
    status: Literal["requested", "received", "accepted", "returned", "refused"]
    transport: Literal["nats", "rest"]
    division: str = Field(description="whose work it is in this county")
    investigation_id: str | None = Field(description="outgoing: the investigation")
    application_id: str
    application_number: str
    program: str
    accepting_county: str
    accepting_division: str
    residence_county: str
    residence_division: str
    address: str
    tasks: str
    members: list[DelegatedMember] = Field(description="ID numbers masked")
    requested_by: str
    requested_at: datetime
    received_at: datetime | None
    accepted_by: str | None
    accepted_at: datetime | None
    answered_by: str | None = Field(description="who returned or refused it")
    answered_at: datetime | None
    summary: str | None
    investigated_on: date | None
    investigators: list[str] | None
    findings: list[DelegatedFinding] | None
    refusal_reason: str | None
    delivery: DeliveryOut | None = Field(description="REST: the latest call to the other "
                                         "county; null over NATS")

    @classmethod
    def of(cls, row: Delegation, delivery: DelegationDelivery | None = None) -> DelegationOut:
        fields: dict[str, Any] = {name: getattr(row, name) for name in cls.model_fields
                                  if name != "delivery"}
        fields["delivery"] = DeliveryOut(
            state=delivery.state, attempts=delivery.attempts,
            next_attempt_at=delivery.next_attempt_at
            if delivery.state == "pending" else None, last_error=delivery.last_error,
            delivered_at=delivery.delivered_at) if delivery else None
        return cls.model_validate(fields)
