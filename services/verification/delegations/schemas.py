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

    model_config = ConfigDict(extra="forbid")

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

    model_config = ConfigDict(extra="forbid")

    summary: Reason = Field(description="the household investigation's summary")
    investigated_on: CivilDate = Field(description="the day of the home visit")
    investigators: list[PersonName] = Field(min_length=2, max_length=20,
                                            description="who investigated: two at least (R-VE-1)")
    findings: list[FindingIn] = Field(default_factory=list, max_length=100,
                                      description="income and assets found")


class RefuseIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

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


AnswerIn = Annotated[AcceptedIn | ReturnedIn | RefusedIn, Field(discriminator="answer")]
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
