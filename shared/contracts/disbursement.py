"""Events the disbursement service publishes (资金发放, R-DI): payment months, ledgers and
rosters, payments and bank results, reconciliations and their sign-offs, the one-card account
register, proxies and the temporary-aid reserve. Bank account numbers are ``Personal`` and travel
sealed."""

from __future__ import annotations

from datetime import date
from typing import Annotated, ClassVar, Literal

from pydantic import AwareDatetime, Field

from shared.contracts.base import EventContract, EventData, Personal
from shared.contracts.fields import Fen, Id, MaskedName, Month
from shared.divisions import DivisionCode


class DisbursementEvent(EventContract):
    service: ClassVar[str] = "disbursement"


# --- payment months, ledgers, rosters, payments (services/disbursement/months, payments) ------


class LedgerGenerated(DisbursementEvent):
    """The ledger (台账) of a county's month P generated, or regenerated, from the payment basis
    (R-DI-1, R-DI-2): its counts and totals, the corrections of frozen months it carries."""

    event: ClassVar[str] = "ledger_generated"
    payment_month_id: Id
    county: str = Field(description="six-digit county code")
    month: Month
    regenerated: bool
    lines: int = Field(ge=0)
    amount_fen: Fen = Field(description="the month's amounts")
    arrears_fen: Fen = Field(description="补发: corrections of frozen months paid with P")
    recovery_fen: Fen = Field(description="追缴: overpayments of frozen months, to recover")
    recovery_lines: int = Field(ge=0)


class LedgerReviewed(DisbursementEvent):
    """An officer reviewed the draft ledger of P as generated (R-DI-2)."""

    event: ClassVar[str] = "ledger_reviewed"
    payment_month_id: Id
    county: str
    month: Month
    lines: int = Field(ge=0)
    amount_fen: Fen
    arrears_fen: Fen


class LedgerSubmitted(DisbursementEvent):
    """The ledger of P submitted and frozen (R-DI-2): by an officer before the cut-off, or by
    the clock at it (``by_clock``). Later changes land in a later month."""

    event: ClassVar[str] = "ledger_submitted"
    payment_month_id: Id
    county: str
    month: Month
    by_clock: bool
    cutoff_at: AwareDatetime
    lines: int = Field(ge=0)
    amount_fen: Fen
    arrears_fen: Fen
    recovery_fen: Fen


class RosterGenerated(DisbursementEvent):
    """The roster (发放名册) of P (R-DI-3): the payments it added this time and where the month
    stands (one event per roster, never one per payment, R-DI-6)."""

    event: ClassVar[str] = "roster_generated"
    payment_month_id: Id
    county: str
    month: Month
    added: int = Field(ge=0, description="payments this generation added (0 when replayed)")
    payments: int = Field(ge=0)
    ready: int = Field(ge=0)
    held: int = Field(ge=0)
    total_fen: Fen


class PaymentFacts(EventData):
    """What an event, or a part of one, says first about one payment: which, whose, of which
    program, division and month, and how much. Not an event contract itself, so never
    registered as one."""

    payment_id: Id
    beneficiary_id: Id
    program: str
    division: DivisionCode
    month: Month
    amount_fen: Fen


class OncePaymentCreated(DisbursementEvent, PaymentFacts):
    """Temporary aid's one payment, made as soon as it is granted (R-DI-3): ready to its
    holder's card account, or held with the reason."""

    event: ClassVar[str] = "once_payment_created"
    status: Literal["ready", "held"]
    hold_reason: str | None = None
    account_masked: str | None = None


class PaymentMoved(EventData):
    """One payment moved by a refresh, and where it went."""

    payment_id: Id
    status: Literal["ready", "held"]
    account_masked: str | None = None
    hold_reason: str | None = None


class PaymentsRefreshed(DisbursementEvent):
    """Unpaid payments of one holder re-evaluated after their card account changed (R-DI-4):
    each payment moved, with where it went."""

    event: ClassVar[str] = "payments_refreshed"
    payments: list[PaymentMoved]


# --- payment files, bank results, reconciliation (services/disbursement/bank_files, ----------
# --- reconciliation) ---------------------------------------------------------------------------

PaymentFileKind = Literal["monthly", "once"]
StaffRef = Annotated[str, Field(min_length=1, max_length=255, description="user id")]
Sha256 = Annotated[str, Field(pattern=r"^[0-9a-f]{64}$", description="SHA-256, hex")]


class PaymentFileMade(DisbursementEvent):
    """A payment file (发放文件) was made for the bank: the ready payments of a county and month
    (or temporary aid ready now) moved to sent, once each (R-DI-6). The file holds the account
    numbers in full: making it is a full read, and this event records who made it."""

    event: ClassVar[str] = "payment_file_made"
    file_id: Id
    county: DivisionCode
    kind: PaymentFileKind
    month: Month
    format: Literal["csv", "xlsx"]
    rows: int = Field(ge=0)
    total_fen: Fen
    sha256: Sha256
    made_by: StaffRef
    made_at: AwareDatetime


class FailedPayment(EventData):
    payment_id: Id
    reason: str
    held: bool = Field(description="failed a second time: now held for manual handling, never "
                       "sent to the bank again (R-DI-6)")


class BankResultApplied(DisbursementEvent):
    """The bank's result file for a payment file (银行回盘), checked whole and applied: sent
    payments paid or failed with the reason; a second failure held for manual handling (R-DI-6,
    told by ``payments_held`` too)."""

    event: ClassVar[str] = "bank_result_applied"
    result_id: Id
    file_id: Id
    county: DivisionCode
    sha256: Sha256
    rows: int = Field(ge=0)
    paid: int = Field(ge=0)
    failed: int = Field(ge=0)
    held: int = Field(ge=0)
    total_fen: Fen
    failures: list[FailedPayment] = Field(default_factory=list)
    received_by: StaffRef
    received_at: AwareDatetime


class HeldPayment(PaymentFacts):
    """One payment held for manual handling, and why."""

    attempts: int = Field(ge=1, description="times it was sent to the bank")
    hold_reason: str = Field(description="the bank's reason for the last failure, and that it "
                             "is held for manual handling")


class PaymentsHeld(DisbursementEvent):
    """Payments the bank failed a second time (R-DI-6: corrected and paid again once), moved
    from sent to held with the reason, for the township's list of held payments to handle by
    hand: none is ever sent to the bank again, and no account correction makes it ready. One
    event per bank result file, listing them."""

    event: ClassVar[str] = "payments_held"
    result_id: Id
    file_id: Id
    county: DivisionCode
    payments: list[HeldPayment] = Field(min_length=1)


class ReconciliationCompared(DisbursementEvent):
    """A township's payments of month P compared with finance's allocation details and the
    bank's payment details, person by person; the differences counted by kind (R-DI-7)."""

    event: ClassVar[str] = "reconciliation_compared"
    reconciliation_id: Id
    division: DivisionCode
    month: Month
    system_rows: int = Field(ge=0)
    system_fen: Fen
    finance_rows: int = Field(ge=0)
    finance_fen: Fen
    finance_sha256: Sha256
    bank_rows: int = Field(ge=0)
    bank_fen: Fen
    bank_sha256: Sha256
    differences: dict[str, int] = Field(description="<side>.<kind> → how many")
    created_by: StaffRef
    created_at: AwareDatetime


class ReconciliationSigned(DisbursementEvent):
    """A reconciliation signed off at one step: the handler, then the township leader, then the
    county officer, each a different person (R-DI-7)."""

    event: ClassVar[str] = "reconciliation_signed"
    reconciliation_id: Id
    division: DivisionCode
    month: Month
    step: Literal["handler", "township", "county"]
    status: str
    signed_by: StaffRef
    role: str
    note: str | None = None
    signed_at: AwareDatetime



# --- one card, proxies, reserve, work funds (services/disbursement/accounts, proxies, ---------
# --- reserves, reports) ------------------------------------------------------------------------


class BankAccountRegistered(DisbursementEvent):
    """A social-security card account registered for a person (一卡通, R-DI-4): their household
    and personal benefits are paid to it from now on. The number travels sealed."""

    event: ClassVar[str] = "bank_account_registered"
    account_id: Id
    holder_name_masked: MaskedName
    division: DivisionCode = Field(description="where it was registered")
    bank_name: str = Field(min_length=1, max_length=60)
    account_number: Annotated[str, Personal("bank_account")] = Field(
        min_length=1, max_length=40, description="the full account number (sealed)")
    account_masked: str = Field(max_length=40)
    replaces_account_id: Id | None = Field(None, description="the account it replaces (换卡)")


class BankAccountClosed(DisbursementEvent):
    """A card account closed (销户) for a reason: payments to it are held until another one is
    registered (R-DI-4)."""

    event: ClassVar[str] = "bank_account_closed"
    account_id: Id
    holder_name_masked: MaskedName
    division: DivisionCode
    bank_name: str
    account_number: Annotated[str, Personal("bank_account")] = Field(
        min_length=1, max_length=40, description="the full account number (sealed)")
    account_masked: str = Field(max_length=40)
    reason: str = Field(min_length=1, max_length=200)
    replaced_by_account_id: Id | None = Field(None, description="when closed by a replacement")


class BankAccountReadInFull(DisbursementEvent):
    """A finance officer read an account number in full, for the stated purpose (R-SE-2): the
    read is this event, written in the same transaction as the answer. The number is not in it."""

    event: ClassVar[str] = "bank_account_read_in_full"
    account_id: Id
    division: DivisionCode
    account_masked: str = Field(max_length=40)
    purpose: str = Field(min_length=1, max_length=2000)


ProxyRelation = Literal["guardian", "caregiver", "chosen"]
"""监护人, 赡养/照料人, or a person the recipient chose (R-DI-5)."""


class ProxyAuthorised(DisbursementEvent):
    """A payee authorised a proxy to withdraw the money (代领, R-DI-5), with the signed
    authorisation (代取授权书) uploaded; it counts once filed with the county. The proxy was
    checked against the staff register: neither assistance staff nor a village cadre."""

    event: ClassVar[str] = "proxy_authorised"
    proxy_id: Id
    payee_id: Id
    beneficiary_id: Id
    division: DivisionCode
    proxy_name_masked: MaskedName
    proxy_id_number: Annotated[str, Personal("id_number")] = Field(
        min_length=18, max_length=18, description="the proxy's full ID number (sealed)")
    relation: ProxyRelation
    reason: str = Field(min_length=1, max_length=2000)
    document_sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    document_media_type: str
    document_size_bytes: int = Field(ge=1)


class ProxyFiled(DisbursementEvent):
    """The county filed the signed authorisation (备案): the proxy may withdraw (R-DI-5)."""

    event: ClassVar[str] = "proxy_filed"
    proxy_id: Id
    payee_id: Id
    division: DivisionCode
    filed_on: date


class ProxyRevoked(DisbursementEvent):
    """An authorisation revoked (by the recipient, or found wrong): the proxy no longer may."""

    event: ClassVar[str] = "proxy_revoked"
    proxy_id: Id
    payee_id: Id
    division: DivisionCode
    reason: str = Field(min_length=1, max_length=2000)
    revoked_on: date


class ReserveMoved(DisbursementEvent):
    """A movement of a township's temporary-aid reserve (临时救助备用金, R-DI-9), with the
    balance after it."""

    reserve_id: Id
    township: DivisionCode
    movement_id: Id
    amount_fen: Fen = Field(description="the movement's amount, positive")
    balance_fen: Fen = Field(description="the balance after it")


class ReserveSetUp(ReserveMoved):
    """The county set up a township's reserve with its first amount (R-DI-9)."""

    event: ClassVar[str] = "reserve_set_up"


class ReserveToppedUp(ReserveMoved):
    """The county topped a township's reserve up (R-DI-9)."""

    event: ClassVar[str] = "reserve_topped_up"


class ReserveDrawn(ReserveMoved):
    """Temporary aid paid by the township from its reserve (R-DI-9): the payment is paid."""

    event: ClassVar[str] = "reserve_drawn"
    payment_id: Id
    beneficiary_id: Id
    program: str


class WorkFundSpendingRecorded(DisbursementEvent):
    """Work funds (工作经费) spent by a county in a year, recorded for the R-DI-8 report."""

    event: ClassVar[str] = "work_fund_spending_recorded"
    spending_id: Id
    county: DivisionCode
    year: int = Field(ge=2000, le=2099)
    amount_fen: Fen
    spent_on: date
    purpose: str = Field(min_length=1, max_length=200)
