"""Small builders for the benefit rule tests: a county's parameters and households."""

from __future__ import annotations

from typing import Any

from shared.benefits import Household, IncomeItem, Member, Parameters

URBAN = Parameters(dibao_standard_fen=75_000, minimum_wage_fen=175_000,
                   average_dibao_per_capita_fen=62_000,
                   tekun_care_fen={"able": 10_000, "partly_unable": 40_000, "unable": 80_000})
"""750 yuan standard, 1,750 yuan minimum wage, rounding up, add-on 15 % (demo values)."""


def adults(n: int, **fields: Any) -> tuple[Member, ...]:
    """`n` adults aged 40 with no add-on ground."""
    return tuple(Member(f"m{i}", age=40, **fields) for i in range(1, n + 1))


def household(*members: Member, monthly_income: int = 0, **fields: Any) -> Household:
    """An urban household of 伊美区; `monthly_income` as one household transfer item."""
    income = tuple(fields.pop("income", ()))
    if monthly_income:
        income += (IncomeItem("transfer", monthly_income),)
    fields.setdefault("area", "urban")
    fields.setdefault("county", "230717")
    return Household(members=members, income=income, **fields)
