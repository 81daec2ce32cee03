"""API shapes of the one-card register (一卡通, R-DI-4): the account number taken in, shown
masked; in full only in the finance officer's logged read (R-SE-2)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from services.disbursement.accounts.models import AccountStatus, BankAccount
from shared.inputs import DivisionCode, PersonName, Reason, ResidentIdNumber
from shared.inputs.text import TextRule

AccountNumber = Annotated[str, StringConstraints(
    strict=True, strip_whitespace=True, pattern=r"^[0-9]{12,30}$")]
"""A bank card or account number: 12 to 30 digits (spaces removed before it is sent)."""
BankName = Annotated[str, TextRule(max_length=60)]
ShortReason = Annotated[str, TextRule(max_length=200)]


class AccountIn(BaseModel):
    """A person's social-security card account (社保卡金融账户), registered by finance or the
    county."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"id_number": "230722196803120310", "name": "王建国", "bank_name": "中国农业银行嘉荫县支行",
         "account_number": "6228480000123456789", "division": "230722100"},
    ]})

    id_number: ResidentIdNumber = Field(description="the holder's: kept only as a keyed digest")
    name: PersonName = Field(description="the holder's name, kept masked")
    bank_name: BankName
    account_number: AccountNumber = Field(description="sealed at rest, shown masked")
    division: DivisionCode = Field(description="where the holder lives (county, township or "
                                   "village): whose records it is")


class ClosureIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"reason": "银行通知：账户已销户"}]})

    reason: ShortReason = Field(description="why it is closed (销户, 挂失, 换卡 ...)")


class ReplacementIn(BaseModel):
    """换卡: the account is closed and the new one registered for the same holder, at once."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"bank_name": "中国农业银行嘉荫县支行", "account_number": "6228480000987654321",
         "reason": "社保卡换发"}]})

    bank_name: BankName
    account_number: AccountNumber
    reason: ShortReason


class HolderSearch(BaseModel):
    """Find a person's accounts by their ID number, sent in the body so no URL holds it."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"id_number": "230722196803120310"}]})

    id_number: ResidentIdNumber


class FullReadIn(BaseModel):
    """Why the number is read in full: kept with the read (R-SE-2)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"purpose": "核对2026年12月发放失败记录：银行回盘账号不符"}]})

    purpose: Reason = Field(min_length=4, description="the stated purpose of the read")


class AccountOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    holder_name_masked: str
    division: str
    bank_name: str
    account_masked: str = Field(description="masked (R-SE-2)")
    status: AccountStatus
    registered_by: str
    created_at: datetime
    closed_at: datetime | None
    closed_by: str | None
    closed_reason: str | None

    @classmethod
    def of(cls, account: BankAccount) -> AccountOut:
        return cls.model_validate(account)


class AccountFullOut(AccountOut):
    account_number: str = Field(description="in full: this read is logged (R-SE-2)")
