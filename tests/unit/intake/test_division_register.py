"""The register's rules in memory: versions never overlap, never vanish, follow their parent."""

from __future__ import annotations

from datetime import date

import pytest

from services.intake.divisions.service import Register, Version, _covers
from shared.problems import Conflict, InvalidField, NotFound

D2020, D2025, D2026, D2030 = date(2020, 1, 1), date(2025, 1, 1), date(2026, 1, 1), date(2030, 1, 1)


def register(*extra: Version) -> Register:
    return Register("230722", [Version("230722", "嘉荫县", D2020),
                               Version("230722100", "朝阳镇", D2020),
                               Version("230722100201", "东风村", D2020), *extra])


def spans(reg: Register, code: str) -> list[tuple[str, date, date | None]]:
    return [(v.name, v.valid_from, v.valid_until) for v in reg.versions(code)]


def test_covers_joins_consecutive_versions_and_finds_gaps() -> None:
    versions = [Version("x", "a", D2020, D2025), Version("x", "b", D2025, D2026)]
    assert _covers(versions, D2020, D2026) and _covers(versions, date(2024, 5, 1), D2026)
    assert not _covers(versions, D2020, None) and not _covers(versions, date(2019, 1, 1), D2025)
    assert not _covers([Version("x", "a", D2020, D2025), Version("x", "b", D2026)], D2020, None)
    assert _covers([Version("x", "a", D2020)], D2025, None)


def test_a_rename_ends_the_version_in_force_and_a_same_day_put_corrects() -> None:
    reg = register()
    reg.put("230722100201", "东风新村", D2025)
    assert spans(reg, "230722100201") == [("东风村", D2020, D2025), ("东风新村", D2025, None)]
    reg.put("230722100201", "东方村", D2025)
    assert spans(reg, "230722100201") == [("东风村", D2020, D2025), ("东方村", D2025, None)]
    reg.check()
    entries, previous, added = reg.changes()
    assert [(v.name, v.valid_until) for v in entries] == [("东风村", D2025), ("东方村", None)]
    assert [(v.name, v.valid_until) for v in previous] == [("东风村", None)] and added == 1


def test_an_older_version_added_later_runs_until_the_next_one() -> None:
    reg = register()
    reg.put("230722100201", "东风屯", date(2015, 1, 1))
    assert spans(reg, "230722100201")[0] == ("东风屯", date(2015, 1, 1), D2020)
    with pytest.raises(InvalidField, match="its parent 230722100 is not in force"):
        reg.check()
    with pytest.raises(Conflict, match="would run into it"):
        register().put("230722100201", "东风屯", date(2015, 1, 1), D2025)


def test_the_same_name_and_end_as_in_force_changes_nothing() -> None:
    reg = register()
    reg.put("230722100201", "东风村", D2025)
    assert reg.changes() == ([], [], 0)


def test_ending_cascades_down_keeps_earlier_ends_and_refuses_later_starts() -> None:
    reg = register(Version("230722100202", "永胜村", D2020, D2025))
    reg.end("230722100", D2026)
    assert spans(reg, "230722100")[0][2] == D2026
    assert spans(reg, "230722100201")[0][2] == D2026
    assert spans(reg, "230722100202")[0][2] == D2025  # ended earlier: stays
    reg.check()
    with pytest.raises(Conflict, match="begins on or after"):
        register(Version("230722100203", "新村", D2030)).end("230722100", D2026)
    with pytest.raises(InvalidField, match="cannot end"):
        register().end("230722100201", D2020)
    with pytest.raises(NotFound):
        register().end("230722100299", D2026)


def test_shortening_a_parent_under_its_children_is_a_conflict_naming_the_child() -> None:
    reg = register()
    reg.put("230722100", "朝阳镇", D2020, D2025)  # a correction of its only version
    with pytest.raises(Conflict, match="230722100201"):
        reg.check()


def test_codes_outside_the_county_are_refused() -> None:
    with pytest.raises(InvalidField, match="not in county 230722") as refused:
        register().put("230723100201", "外县村", D2020, field="entries.3")
    assert refused.value.extensions["errors"][0]["field"] == "entries.3.code"
