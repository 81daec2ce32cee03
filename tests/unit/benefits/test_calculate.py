"""One entry for every program (R-BE-1, R-BE-4, R-BE-5, R-BE-7, R-BE-8), and the package stays
pure: no database, no web, no bus."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from shared.benefits import DEMO, Member, assess
from shared.programs import Program

from .builders import adults, household


def test_r_be_1_assess_dispatches_by_program() -> None:
    """R-BE-1, R-BE-4, R-BE-5, R-BE-7, R-BE-8: the same household through each program."""
    alone = Member("p", age=80, able_to_work=False, has_income_source=False, supporter="none")
    h = household(alone, *adults(2), monthly_income=3 * 80_000)
    assert assess("dibao", h, DEMO).reasons[0].code == "income_not_below_standard"
    assert assess(Program.NEAR_DIBAO, h, DEMO).eligible
    single = assess("dibao", household(Member("d", age=30, disability_grade=1), *adults(2),
                                       monthly_income=3 * 80_000), DEMO, member_id="d")
    assert single.amount_fen == 73_300
    assert assess("tekun", h, DEMO, member_id="p").amount_fen == 97_500 + 10_000
    assert assess("temp_expenditure", h, DEMO, requested_fen=10**9).amount_fen == 450_000
    with pytest.raises(ValueError):
        assess("temp_emergency", h, DEMO)
    with pytest.raises(ValueError):
        assess("nothing", h, DEMO)


def test_r_be_1_the_rules_import_no_database_web_or_bus() -> None:
    """R-BE-1 … R-BE-12 are pure: importing shared.benefits loads no runtime library."""
    code = ("import sys, shared.benefits; print(sorted({m.split('.')[0] for m in sys.modules} & "
            "{'sqlalchemy', 'fastapi', 'starlette', 'pydantic', 'nats', 'httpx', 'structlog'}))")
    root = Path(__file__).resolve().parents[3]
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=root)
    assert out.stdout.strip() == "[]"
