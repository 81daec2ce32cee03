"""The calendar of a payment month (R-DI-2, R-DI-3) and where an unpaid payment goes when its
holder's card accounts change (R-DI-6): plain functions, no database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest

from services.disbursement.months.rules import cutoff_of, is_frozen, open_month, roster_due
from services.disbursement.payments.models import MAX_ATTEMPTS, PaymentStatus
from services.disbursement.payments.service import reassess
from shared.months import add_months, first_day, month_of, months_between
from shared.workdays import SHANGHAI


@pytest.mark.parametrize(("month", "cutoff"), [
    ("2027-01", datetime(2026, 12, 23, 16, 0, tzinfo=UTC)),  # across the year
    ("2027-03", datetime(2027, 2, 23, 16, 0, tzinfo=UTC)),  # February is short: still the 24th
    ("2026-12", datetime(2026, 11, 23, 16, 0, tzinfo=UTC)),
])
def test_the_cut_off_is_00_00_shanghai_on_the_24th_of_the_month_before_R_DI_2(month, cutoff):
    assert cutoff_of(month) == cutoff
    assert cutoff_of(month).astimezone(SHANGHAI).day == 24


def test_a_ledger_is_frozen_from_its_cut_off_on_R_DI_2():
    cutoff = cutoff_of("2027-01")
    assert not is_frozen("2027-01", cutoff - timedelta(microseconds=1))
    assert is_frozen("2027-01", cutoff)


@pytest.mark.parametrize(("local", "month"), [
    (datetime(2026, 12, 1, 0, 0), "2027-01"),
    (datetime(2026, 12, 23, 23, 59, 59), "2027-01"),
    (datetime(2026, 12, 24, 0, 0), "2027-02"),  # January froze at this instant
    (datetime(2026, 12, 31, 23, 0), "2027-02"),
    (datetime(2027, 1, 1, 0, 0), "2027-02"),
])
def test_the_open_month_is_the_first_whose_ledger_is_not_frozen_R_DI_2(local, month):
    assert open_month(local.replace(tzinfo=SHANGHAI)) == month


def test_the_roster_is_due_before_00_00_on_the_1st_of_its_month_R_DI_3():
    assert roster_due("2027-01") == datetime(2026, 12, 31, 16, 0, tzinfo=UTC)
    assert roster_due("2027-01") > cutoff_of("2027-01")


def test_month_arithmetic_of_the_kit():
    assert add_months("2026-12", 1) == "2027-01" and add_months("2027-01", -1) == "2026-12"
    assert add_months("2026-05", -17) == "2024-12"
    assert months_between("2026-11", "2027-02") == 3
    assert first_day("2027-02").isoformat() == "2027-02-01"
    assert month_of(first_day("2027-02")) == "2027-02"


def payment(status, account_id=None, attempts=0, hold_reason=None):
    return SimpleNamespace(status=status, account_id=account_id, attempts=attempts,
                           hold_reason=hold_reason)


ACTIVE = SimpleNamespace(id="new-card", account_masked="6217********0002")


def test_a_held_payment_goes_ready_to_the_active_account_R_DI_6():
    moved = reassess(payment(PaymentStatus.held, hold_reason="none"), ACTIVE, "")
    assert moved is not None and (moved.status, moved.account) == (PaymentStatus.ready, ACTIVE)


def test_a_ready_payment_is_held_when_its_account_closed_and_none_replaces_it_R_DI_6():
    moved = reassess(payment(PaymentStatus.ready, "old-card"), None, "closed")
    assert moved is not None and (moved.status, moved.hold_reason) == (PaymentStatus.held,
                                                                      "closed")
    again = reassess(payment(PaymentStatus.held, hold_reason="closed"), None, "closed")
    assert again is None  # nothing to change


def test_a_ready_payment_follows_the_new_active_account_and_is_left_when_it_is_the_same():
    moved = reassess(payment(PaymentStatus.ready, "old-card"), ACTIVE, "")
    assert moved is not None and moved.account is ACTIVE
    assert reassess(payment(PaymentStatus.ready, "new-card"), ACTIVE, "") is None


def test_a_failed_payment_is_paid_again_once_on_a_corrected_account_R_DI_6():
    moved = reassess(payment(PaymentStatus.failed, "old-card", attempts=1), ACTIVE, "")
    assert moved is not None and moved.status == PaymentStatus.ready
    assert reassess(payment(PaymentStatus.failed, "new-card", attempts=1), ACTIVE, "") is None
    assert reassess(payment(PaymentStatus.failed, "old-card", attempts=MAX_ATTEMPTS),
                    ACTIVE, "") is None
    assert reassess(payment(PaymentStatus.failed, "old-card", attempts=1), None, "x") is None


def test_a_payment_held_after_failing_twice_never_moves_again_R_DI_6():
    """R-DI-6: paid again once; after its second failure it is held for manual handling, and
    neither a new active account nor none makes it ready (or changes its reason)."""
    twice = payment(PaymentStatus.held, "old-card", attempts=MAX_ATTEMPTS,
                    hold_reason="failed twice at the bank (户名不符): held for manual handling")
    assert reassess(twice, ACTIVE, "") is None
    assert reassess(twice, None, "closed") is None
