"""The result of a benefit rule (R-BE): eligible or not, the amount, the reasons, and the steps
that explain it, each naming the rule and the parameter it used.

Amounts are integer fen; a figure that is not a whole fen (a per-capita income, an add-on of
15 %) is a Decimal shown to a hundredth of a fen. The steps marked ``part`` add up exactly to
the amount (the rounding to whole yuan is a part of its own).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, Literal

from shared.benefits.parameters import Area
from shared.money import fen_to_yuan
from shared.programs import PROGRAMS, Payment, Program

Value = int | Decimal
Unit = Literal["fen", "number", "persons", "months", "rate", "years"]


def _json(value: object) -> object:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


@dataclass(frozen=True)
class Step:
    """One step of a calculation: the rule, what it is (中文 English), its value, the parameter."""

    rule: str
    """The rule id, e.g. "R-BE-1"."""
    label: str
    """Chinese and English, e.g. "家庭月收入 household monthly income"."""
    value: Value
    unit: Unit = "fen"
    parameter: str | None = None
    """The Parameters field used, e.g. "dibao_standard_fen"."""
    parameter_value: Value | str | None = None
    part: bool = False
    """A part of the amount: the parts of an assessment add up to its amount."""
    member_id: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: ints and strings, Decimals as strings."""
        return {
            "rule": self.rule,
            "label": self.label,
            "value": _json(self.value),
            "unit": self.unit,
            "parameter": self.parameter,
            "parameter_value": _json(self.parameter_value),
            "part": self.part,
            "member_id": self.member_id,
        }


@dataclass(frozen=True)
class Reason:
    """Why a household or person is not eligible; over a limit, the limit is named (R-BE-10)."""

    rule: str
    code: str
    """Stable code, e.g. "deposit_limit_exceeded", "income_above_standard"."""
    text: str
    """Chinese and English."""
    limit: str | None = None
    """The Parameters field of the limit exceeded, e.g. "deposit_limit_multiple"."""
    limit_value: Value | None = None
    actual: Value | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {
            "rule": self.rule,
            "code": self.code,
            "text": self.text,
            "limit": self.limit,
            "limit_value": _json(self.limit_value),
            "actual": _json(self.actual),
        }


@dataclass(frozen=True)
class Assessment:
    """Eligibility and the amount for one program, with its explanation."""

    program: Program
    eligible: bool
    amount_fen: int
    """Monthly amount (dibao, tekun), one-off amount (temporary aid), 0 when not eligible or for
    near-dibao recognition. An eligible dibao household whose difference is under a yuan may
    get 0 when benefit_rounding is half_up or down."""
    steps: tuple[Step, ...] = ()
    reasons: tuple[Reason, ...] = ()
    """Empty when eligible."""
    area: Area | None = None
    """Whose standard was used: urban or rural (R-BE-12 may put a rural household on urban)."""
    standard_fen: int | None = None
    """The monthly dibao standard used."""
    per_capita_income_fen: Decimal | None = None
    """Counted monthly per-capita income (R-BE-2), never rounded on the way (shown to 0.01 fen)."""
    first_month: date | None = None
    """R-BE-6: the first month of a gradual exit (first day of the month)."""
    last_month: date | None = None
    """R-BE-6: the last month the benefit is still paid."""

    @property
    def payment(self) -> Payment:
        """How the program pays: monthly, once, or none (near-dibao)."""
        return PROGRAMS[self.program].paid

    @property
    def amount_yuan(self) -> Decimal:
        """The amount in yuan."""
        return fen_to_yuan(self.amount_fen)

    def parts_total(self) -> Decimal:
        """The sum of the steps marked ``part``: equals ``amount_fen`` when eligible."""
        return sum((Decimal(s.value) for s in self.steps if s.part), Decimal(0))

    def steps_for(self, rule: str) -> tuple[Step, ...]:
        """The steps of one rule."""
        return tuple(s for s in self.steps if s.rule == rule)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: ints and strings, Decimals as strings, dates as ISO strings."""
        return {
            "program": str(self.program),
            "eligible": self.eligible,
            "amount_fen": self.amount_fen,
            "amount_yuan": str(self.amount_yuan),
            "payment": self.payment,
            "area": self.area,
            "standard_fen": self.standard_fen,
            "per_capita_income_fen": _json(self.per_capita_income_fen),
            "first_month": _json(self.first_month),
            "last_month": _json(self.last_month),
            "reasons": [r.to_dict() for r in self.reasons],
            "steps": [s.to_dict() for s in self.steps],
        }
