"""Every rule of the rule book is named by a test that proves it (DOMAIN.md: "Every rule must
end up with at least one such test"), except the rules of issues not yet built, listed here
with their issue; a rule listed as pending that a test names already fails too."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RULE = re.compile(r"\bR-[A-Z]{2}-\d+\b")

PENDING: dict[str, str] = {}


def rule_book() -> set[str]:
    return set(RULE.findall((ROOT / "docs" / "rules.md").read_text(encoding="utf-8")))


def named_by_tests() -> set[str]:
    here = Path(__file__).resolve()
    return {rule for path in (ROOT / "tests").rglob("*.py") if path != here
            for rule in RULE.findall(path.read_text(encoding="utf-8"))}


def test_every_rule_is_named_by_a_test() -> None:
    missing = sorted(rule_book() - named_by_tests() - set(PENDING))
    assert not missing, f"rules no test names (name the id in a test that proves it): {missing}"


def test_no_rule_is_pending_once_a_test_names_it() -> None:
    stale = sorted(set(PENDING) & named_by_tests())
    assert not stale, f"named by tests now: take them off PENDING: {stale}"
    assert set(PENDING) <= rule_book(), "PENDING names a rule the rule book does not have"
