"""What a re-check or a reported change means for a benefit (R-DY-3, R-BE-6): the household
as found, put to the benefit rules (shared.benefits) with the parameters in force. Pure: no
database, no bus."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from shared.benefits import Area, Asset, Expenditure, Household, IncomeItem, Member, Parameters
from shared.benefits.dibao import assess_dibao, assess_near_dibao
from shared.benefits.single import gradual_exit
from shared.benefits.tekun import assess_tekun
from shared.contracts.verification import AssetLine, ExpenditureLine, IncomeLine, RecheckMember
from shared.months import add_months, first_day

Outcome = Literal["unchanged", "increase", "decrease", "gradual_exit", "stop"]

_ASSET_KINDS: dict[str, Literal["deposit", "vehicle", "home", "other"]] = {
    "deposit": "deposit", "vehicle": "vehicle", "house": "home", "business": "other",
    "securities": "deposit", "other": "other"}
"""Verification's asset kinds as the rules' (R-BE-10): securities count with deposits."""


@dataclass(frozen=True)
class Found:
    """The household as a re-check (or a caseworker, for a reported change) found it."""

    members: Sequence[RecheckMember]
    income: Sequence[IncomeLine] = ()
    assets: Sequence[AssetLine] = ()
    rigid_expenditure: Sequence[ExpenditureLine] = ()
    long_lived_in_border_county: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {"members": [m.model_dump(mode="json") for m in self.members],
                "income": [i.model_dump(mode="json") for i in self.income],
                "assets": [a.model_dump(mode="json") for a in self.assets],
                "rigid_expenditure": [e.model_dump(mode="json") for e in self.rigid_expenditure],
                "long_lived_in_border_county": self.long_lived_in_border_county}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Found:
        return cls(members=[RecheckMember.model_validate(m) for m in data["members"]],
                   income=[IncomeLine.model_validate(i) for i in data.get("income", [])],
                   assets=[AssetLine.model_validate(a) for a in data.get("assets", [])],
                   rigid_expenditure=[ExpenditureLine.model_validate(e)
                                      for e in data.get("rigid_expenditure", [])],
                   long_lived_in_border_county=bool(data.get("long_lived_in_border_county")))


def household_of(found: Found, *, area: Area, county: str, on: date) -> Household:
    """The rules' household: members' facts, counted income (exempt items left out, R-BE-9),
    assets (R-BE-10) and rigid expenditure per month (R-BE-2)."""
    members = tuple(Member(
        member_id=m.member_id, age=m.age, covered=m.covered, employed=m.employed,
        disability_grade=m.disability_grade, disabled_serviceman_grade=m.disabled_serviceman_grade,
        seriously_ill=m.seriously_ill, military_or_martyr_family=m.military_or_martyr_family,
        able_to_work=m.able_to_work, has_income_source=m.has_income_source,
        supporter=m.supporter, in_school=m.in_school, self_care=m.self_care,
    ) for m in found.members)
    income = tuple(IncomeItem(kind=i.kind, amount_fen=i.monthly_fen, member_id=i.member_id,
                              name=i.description) for i in found.income if i.counted)
    assets = tuple(Asset(kind=_ASSET_KINDS[a.kind], value_fen=a.value_fen, exempt=a.exempt,
                         exempt_reason=(a.exempt_reason or "exempt") if a.exempt else "",
                         name=a.description) for a in found.assets)
    expenditure = tuple(Expenditure(kind=e.kind, amount_fen=e.monthly_fen, period="monthly",
                                    member_id=e.member_id) for e in found.rigid_expenditure)
    return Household(area=area, county=county, members=members, income=income, assets=assets,
                     expenditure=expenditure,
                     long_lived_in_border_county=found.long_lived_in_border_county, on=on)


@dataclass(frozen=True)
class Change:
    """What the rules say the benefit becomes, and why (the assessment's steps)."""

    outcome: Outcome
    new_fen: int | None
    """The new monthly amount; the amount kept during a gradual exit; None for a stop."""
    assessment: dict[str, Any]
    stop_month: str | None = None
    """A gradual exit's first month not paid (R-BE-6)."""


def assess_change(
    *, program: str, in_gradual_exit: bool, current_fen: int, household: Household,
    params: Parameters | Mapping[Area, Parameters], effective_month: str,
    person_id: str | None = None,
) -> Change:
    """R-DY-3 with R-BE-1, R-BE-5, R-BE-6, R-BE-7: dibao still eligible → the new amount
    (increase, decrease or unchanged); above the standard but near-dibao → a gradual exit of
    ``gradual_exit_months`` keeping the amount (one already in its exit runs on); otherwise a
    stop. Tekun: the support for the person, or a stop. Near-dibao: kept while near-dibao."""
    if program == "tekun":
        result = assess_tekun(household, person_id, params)
        return _compare(result.eligible, result.amount_fen, current_fen, result.to_dict())
    if program == "near_dibao":
        result = assess_near_dibao(household, params)
        return Change("unchanged" if result.eligible else "stop",
                      0 if result.eligible else None, result.to_dict())
    dibao = assess_dibao(household, params)
    if dibao.eligible:
        return _compare(True, dibao.amount_fen, current_fen, dibao.to_dict())
    near = assess_near_dibao(household, params)
    if near.eligible:
        if in_gradual_exit:
            return Change("unchanged", current_fen, near.to_dict())
        exit_ = gradual_exit(household, params, start_month=first_day(effective_month),
                             amount_fen=current_fen)
        if exit_.eligible and exit_.last_month is not None:
            stop = add_months(f"{exit_.last_month:%Y-%m}", 1)
            return Change("gradual_exit", current_fen, exit_.to_dict(), stop_month=stop)
    return Change("stop", None, dibao.to_dict())


def _compare(eligible: bool, amount: int, current: int, assessment: dict[str, Any]) -> Change:
    if not eligible:
        return Change("stop", None, assessment)
    if amount > current:
        return Change("increase", amount, assessment)
    if amount < current:
        return Change("decrease", amount, assessment)
    return Change("unchanged", amount, assessment)
