"""R-BE-10 assets: deposits per person as a multiple of the standard, vehicles, homes; exempt
items; a household over a limit is not eligible and the reason names the limit."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from shared.benefits import Asset, assess_dibao, assess_near_dibao, check_assets

from .builders import URBAN, adults, household


def test_r_be_10_deposits_up_to_the_limit_are_allowed() -> None:
    """R-BE-10: 24 × 750 × 2 persons = 36,000 yuan; exactly at the limit is within it."""
    h = household(*adults(2), assets=(Asset("deposit", 3_000_000), Asset("deposit", 600_000)))
    assert check_assets(h, URBAN).within_limits
    assert assess_dibao(h, URBAN).eligible


def test_r_be_10_deposits_over_the_limit_name_the_limit() -> None:
    """R-BE-10: one fen above 36,000 yuan: not eligible, reason deposit_limit_multiple."""
    h = household(*adults(2), assets=(Asset("deposit", 3_600_001),))
    result = assess_dibao(h, URBAN)
    assert not result.eligible and result.amount_fen == 0 and result.parts_total() == 0
    (reason,) = result.reasons
    assert reason.rule == "R-BE-10" and reason.code == "deposit_limit_exceeded"
    assert reason.limit == "deposit_limit_multiple"
    assert reason.limit_value == 3_600_000 and reason.actual == 3_600_001
    assert "36,000.00" in reason.text


def test_r_be_10_deposit_multiple_is_a_parameter() -> None:
    """R-BE-10: deposit_limit_multiple 12.5 → 12.5 × 750 = 9,375 yuan for one person."""
    params = replace(URBAN, deposit_limit_multiple=Decimal("12.5"))
    assert check_assets(household(*adults(1), assets=(Asset("deposit", 937_500),)),
                        params).within_limits
    assert not check_assets(household(*adults(1), assets=(Asset("deposit", 937_501),)),
                            params).within_limits


def test_r_be_10_exempt_deposits_from_assistance_money_do_not_count() -> None:
    """R-BE-10: deposits that come from assistance money are exempt."""
    h = household(*adults(1), assets=(
        Asset("deposit", 5_000_000, exempt=True, exempt_reason="assistance_deposit"),))
    result = assess_dibao(h, URBAN)
    assert result.eligible
    assert any("exempt" in s.label and "assistance_deposit" in s.label for s in result.steps)


def test_r_be_10_a_vehicle_over_the_limit_is_refused_unless_exempt() -> None:
    """R-BE-10: vehicle_limit 0: an ordinary car refuses, a disability vehicle is exempt."""
    car = assess_dibao(household(*adults(1), assets=(Asset("vehicle"),)), URBAN)
    assert [r.limit for r in car.reasons] == ["vehicle_limit"]
    assert car.reasons[0].limit_value == 0 and car.reasons[0].actual == 1
    exempt = Asset("vehicle", exempt=True, exempt_reason="disability_vehicle")
    assert assess_dibao(household(*adults(1), assets=(exempt,)), URBAN).eligible


def test_r_be_10_homes_beyond_the_limit_and_several_limits_at_once() -> None:
    """R-BE-10: two homes over home_limit 1, and deposits over too: both limits named."""
    h = household(*adults(1), assets=(Asset("home", count=2), Asset("deposit", 2_000_000),
                                      Asset("other", 10_000_000, name="股票")))
    result = assess_dibao(h, URBAN)
    assert {r.limit for r in result.reasons} == {"home_limit", "deposit_limit_multiple"}
    assert assess_dibao(h, replace(URBAN, home_limit=2, deposit_limit_multiple=Decimal(30))
                        ).eligible


def test_r_be_10_the_asset_rules_hold_for_near_dibao_too() -> None:
    """R-BE-10, R-BE-5: near-dibao also needs the asset rules met."""
    h = household(*adults(1), monthly_income=90_000, assets=(Asset("vehicle"),))
    result = assess_near_dibao(h, URBAN)
    assert not result.eligible and result.reasons[0].limit == "vehicle_limit"


def test_r_be_10_an_exempt_asset_needs_its_reason() -> None:
    """R-BE-10: exempt items are listed with their reason."""
    with pytest.raises(ValueError, match="exempt_reason"):
        Asset("vehicle", exempt=True)
