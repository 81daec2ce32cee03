"""The plain inputs of the benefit rules (R-BE): a household, its members, income, assets and
rigid expenditure, as the caseworker's investigation found them. Amounts are integer fen.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

from shared.benefits.parameters import Area, SelfCare

IncomeKind = Literal[
    # counted (R-BE-9)
    "wages", "business", "property", "transfer", "other",
    # statutory, never counted (R-BE-9)
    "preferential_survivor", "family_planning_reward", "scholarship", "bravery_award",
    "social_assistance", "resident_basic_pension",
]
"""R-BE-9 income kinds: wages (工资), net business (经营净收入), net property (财产净收入), net
transfers (转移净收入), other; and the statutory items never counted: 优待抚恤金,
计划生育奖励与扶助, 奖学金, 见义勇为奖励, 社会救助款物, 城乡居民基本养老保险基础养老金."""

NOT_COUNTED_KINDS: frozenset[str] = frozenset({
    "preferential_survivor", "family_planning_reward", "scholarship", "bravery_award",
    "social_assistance", "resident_basic_pension",
})
"""R-BE-9: the kinds the law never counts as income."""

Period = Literal["monthly", "review_period"]
"""An amount per month, or the total over the household's review period."""

AssetKind = Literal["deposit", "vehicle", "home", "other"]
ExpenditureKind = Literal["serious_illness", "disability_rehabilitation", "schooling"]
"""R-BE-2 rigid expenditure (刚性支出): treatment of serious illness (重特大疾病医疗), disability
rehabilitation (残疾康复), schooling up to undergraduate (本科及以下教育)."""

DisabilityKind = Literal["physical", "intellectual", "mental", "visual", "hearing", "speech",
                         "multiple"]
Supporter = Literal["able", "none", "tekun", "old_or_severely_disabled_dibao", "missing",
                    "in_prison"]
"""R-BE-11: the person's legal supporter (法定赡养、抚养、扶养义务人): one able to support them,
none at all, or one who can't (is tekun, an old or severely disabled dibao recipient, missing,
or in prison)."""


def _years_between(born: date, on: date) -> int:
    years = on.year - born.year - ((on.month, on.day) < (born.month, born.day))
    return years


@dataclass(frozen=True)
class Member:
    """A member of the household (家庭成员) and the facts the rules read about them."""

    member_id: str
    age: int | None = None
    """Age in whole years on the household's date; or give ``birth_date`` instead."""
    birth_date: date | None = None
    covered: bool = True
    """Counted in the household (计入共同生活家庭成员): their income counts and they are covered."""
    employed: bool = False
    """R-BE-2: works, so two months of the minimum wage a year are deducted (就业成本)."""
    minimum_wage_fen: int | None = None
    """R-BE-2: the minimum wage where they work; None: Parameters.minimum_wage_fen."""
    # R-BE-3 add-on and R-BE-4 single-person grounds
    disability_grade: int | None = None
    """Disability certificate grade 1–4 (残疾等级); grades 1–2 are severe (重度残疾)."""
    disability_kind: DisabilityKind | None = None
    disabled_serviceman_grade: int | None = None
    """Disabled serviceman grade 1–10 (残疾军人); 1–4 are severe (R-BE-3), 1–6 count for R-BE-4."""
    seriously_ill: bool = False
    """Has a recognised serious or major illness (重病 / 重特大疾病), R-BE-3 and R-BE-4."""
    military_or_martyr_family: bool = False
    """Of a military or martyr family (军属、烈属), R-BE-3."""
    old_demobilised_rural_soldier: bool = False
    """Old demobilised soldier in the countryside (农村老复员军人), R-BE-3."""
    regularly_pensioned_entitled: bool = False
    """Entitled person on regular pension or subsidy (定期抚恤补助优抚对象), R-BE-4."""
    clergy_apart_years: int = 0
    """Years lived in a religious site apart from the family (宗教教职人员), R-BE-4 from 3."""
    # R-BE-11 tekun facts
    able_to_work: bool = True
    """Has the ability to work (劳动能力); tekun needs none (R-BE-11)."""
    has_income_source: bool = True
    """Has a source of income (生活来源); tekun needs none (R-BE-11)."""
    supporter: Supporter = "able"
    in_school: bool = False
    """In school, keeps a minor tekun covered past 18 (R-BE-11)."""
    self_care: SelfCare = "able"
    """Self-care ability (生活自理能力), R-BE-7 care standard."""

    def __post_init__(self) -> None:
        if not self.member_id:
            raise ValueError("member_id must not be empty")
        if self.age is None and self.birth_date is None:
            raise ValueError(f"member {self.member_id}: give age or birth_date")
        if self.age is not None and not 0 <= self.age <= 150:
            raise ValueError(f"member {self.member_id}: age {self.age} is out of range")
        if self.disability_grade is not None and not 1 <= self.disability_grade <= 4:
            raise ValueError(f"member {self.member_id}: disability_grade must be 1–4")
        grade = self.disabled_serviceman_grade
        if grade is not None and not 1 <= grade <= 10:
            raise ValueError(f"member {self.member_id}: disabled_serviceman_grade must be 1–10")
        if self.minimum_wage_fen is not None and self.minimum_wage_fen < 0:
            raise ValueError(f"member {self.member_id}: minimum_wage_fen must not be negative")
        if self.clergy_apart_years < 0:
            raise ValueError(f"member {self.member_id}: clergy_apart_years must not be negative")

    def age_on(self, on: date | None) -> int:
        """Age in whole years on `on` (from the birth date), or the age given."""
        if self.birth_date is not None and on is not None:
            if on < self.birth_date:
                raise ValueError(f"member {self.member_id}: born after {on.isoformat()}")
            return _years_between(self.birth_date, on)
        if self.age is None:
            raise ValueError(f"member {self.member_id}: a birth date needs the household's date")
        return self.age

    @property
    def disabled(self) -> bool:
        """Holds a disability certificate or is a disabled serviceman (残疾人)."""
        return self.disability_grade is not None or self.disabled_serviceman_grade is not None

    @property
    def severely_disabled(self) -> bool:
        """R-BE-3: disability grade 1–2, or disabled serviceman grades 1–4 (重度残疾)."""
        return (self.disability_grade is not None and self.disability_grade <= 2) or (
            self.disabled_serviceman_grade is not None and self.disabled_serviceman_grade <= 4)


Person = Member
"""A tekun applicant is a person; the same facts as a household member."""


@dataclass(frozen=True)
class IncomeItem:
    """One income item (R-BE-9), of a member or of the household, per month or over the period."""

    kind: IncomeKind
    amount_fen: int
    """Net amount (business and property income net of their costs), cash or in kind."""
    period: Period = "monthly"
    member_id: str | None = None
    """The member who earns it; None: the household's."""
    name: str = ""
    """Free name (e.g. "高龄津贴"); excluded when listed in Parameters.excluded_income_items."""
    in_kind: bool = False

    def __post_init__(self) -> None:
        if self.amount_fen < 0:
            raise ValueError("income amount_fen must not be negative")


@dataclass(frozen=True)
class Asset:
    """One asset (R-BE-10): deposits (value), vehicles and homes (count), other; exempt or not."""

    kind: AssetKind
    value_fen: int = 0
    """Deposits: the balance; other kinds: the valuation, shown only."""
    count: int = 1
    """Vehicles and homes: how many this item stands for."""
    exempt: bool = False
    exempt_reason: str = ""
    """Why exempt, e.g. "disability_vehicle", "medical_vehicle", "livelihood_vehicle",
    "assistance_deposit" (deposits from assistance money)."""
    name: str = ""

    def __post_init__(self) -> None:
        if self.value_fen < 0 or self.count < 0:
            raise ValueError("asset value_fen and count must not be negative")
        if self.exempt and not self.exempt_reason:
            raise ValueError("an exempt asset needs exempt_reason")


@dataclass(frozen=True)
class Expenditure:
    """Documented rigid expenditure (刚性支出) over the review period or per month, R-BE-2."""

    kind: ExpenditureKind
    amount_fen: int
    period: Period = "review_period"
    member_id: str | None = None
    documented: bool = True
    """Only documented expenditure is deducted."""

    def __post_init__(self) -> None:
        if self.amount_fen < 0:
            raise ValueError("expenditure amount_fen must not be negative")


@dataclass(frozen=True)
class Household:
    """A household (共同生活家庭) as investigated, with the date the figures are for."""

    area: Area
    """Registered as urban or rural resident (城市 / 农村)."""
    county: str
    """Registered county, 6-digit division code."""
    members: tuple[Member, ...]
    income: tuple[IncomeItem, ...] = ()
    assets: tuple[Asset, ...] = ()
    expenditure: tuple[Expenditure, ...] = ()
    review_months: int = 12
    """R-BE-2: months of the review period the period amounts cover."""
    long_lived_in_border_county: bool = False
    """R-BE-12: has long lived in one of the province's border counties."""
    on: date | None = None
    """The date ages are taken on (members given by birth date need it)."""

    def __post_init__(self) -> None:
        if self.area not in ("urban", "rural"):
            raise ValueError(f"area must be urban or rural, not {self.area!r}")
        if not (len(self.county) == 6 and self.county.isdigit()):
            raise ValueError(f"county must be a 6-digit division code, not {self.county!r}")
        if not self.members:
            raise ValueError("a household has at least one member")
        ids = [m.member_id for m in self.members]
        if len(set(ids)) != len(ids):
            raise ValueError("member_id must be unique in a household")
        if not 1 <= self.review_months <= 60:
            raise ValueError("review_months must lie between 1 and 60")
        named = [i.member_id for i in self.income] + [e.member_id for e in self.expenditure]
        for member_id in named:
            if member_id is not None and member_id not in ids:
                raise ValueError(f"unknown member_id {member_id!r}")

    def member(self, member_id: str) -> Member:
        """The member with this id (KeyError when there is none)."""
        for m in self.members:
            if m.member_id == member_id:
                return m
        raise KeyError(member_id)

    @property
    def covered(self) -> tuple[Member, ...]:
        """The counted members (计入家庭成员)."""
        return tuple(m for m in self.members if m.covered)
