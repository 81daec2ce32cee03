"""Rules of one card, proxies and work funds as plain functions (R-DI-4, R-DI-5, R-DI-8)."""

from __future__ import annotations

import pytest

from services.disbursement.accounts.holders import holder_of
from services.disbursement.reports.service import work_fund_figures
from services.intake.staff.service import check_level
from shared.contracts.intake import (
    ASSISTANCE_STAFF,
    DEDICATED_STAFF,
    REFUSED_AS_PROXY,
    StaffKind,
)
from shared.digests import account_digest, normalise_account, person_digest
from shared.problems import InvalidField
from shared.sealing import Keyring


def test_r_di_8_work_funds_within_two_percent_and_one_fen_over_flagged():
    """R-DI-8: 2% exactly is within; one fen more is over, by that fen; nothing paid and any
    work funds is over; the share in basis points."""
    within = work_fund_figures("230722", 2026, paid_fen=1_000_000, spent_fen=20_000)
    assert (within.limit_fen, within.over_limit, within.excess_fen,
            within.share_basis_points) == (20_000, False, 0, 200)
    over = work_fund_figures("230722", 2026, paid_fen=1_000_000, spent_fen=20_001)
    assert (over.over_limit, over.excess_fen) == (True, 1)
    # 2% of 99 fen is 1.98 fen: 1 fen is within, 2 fen is over (exact, no rounding up)
    assert not work_fund_figures("230722", 2026, paid_fen=99, spent_fen=1).over_limit
    assert work_fund_figures("230722", 2026, paid_fen=99, spent_fen=2).over_limit
    nothing = work_fund_figures("230722", 2026, paid_fen=0, spent_fen=1)
    assert (nothing.over_limit, nothing.share_basis_points) == (True, None)
    assert not work_fund_figures("230722", 2026, paid_fen=0, spent_fen=0).over_limit


def test_r_di_4_a_personal_benefit_is_paid_to_the_one_person_named_else_to_the_head():
    """R-DI-4: 一户一卡 for a household; a personal benefit naming one member to that member."""
    assert holder_of("person", ["m-2"]) == "m-2"
    assert holder_of("household", ["m-1", "m-2"]) is None  # the head's
    assert holder_of("person", None) is None
    assert holder_of("person", ["m-1", "m-2"]) is None


def test_r_di_5_assistance_staff_and_village_cadres_are_refused_as_proxies():
    """R-DI-5: every assistance staff kind and the village cadre are refused; R-OV-4 counts the
    dedicated kinds only."""
    assert REFUSED_AS_PROXY == set(StaffKind)
    assert StaffKind.village_cadre not in ASSISTANCE_STAFF
    assert DEDICATED_STAFF == {StaffKind.county_dedicated, StaffKind.township_dedicated}
    check_level(StaffKind.village_cadre, "230722100201")
    check_level(StaffKind.caseworker, "230722")
    with pytest.raises(InvalidField):
        check_level(StaffKind.township_dedicated, "230722100201")


def test_person_and_account_digests_survive_a_rotation_of_the_event_keys():
    """The digests joined in SQL come from the keyring's first key: a new current key changes
    none of them; the account number is digested as digits, spaces ignored."""
    keyring = Keyring.generate()
    rotated = keyring.with_new_key()
    assert rotated.current != keyring.current
    assert person_digest(keyring, "230722196001011019") == person_digest(
        rotated, "230722196001011019")
    assert account_digest(keyring, "6228 4800 0012 3456 789") == account_digest(
        rotated, "6228480000123456789")
    assert normalise_account(" 6228-4800 ") == "62284800"
    assert person_digest(keyring, "230722196001011019") != person_digest(
        Keyring.generate(), "230722196001011019")
