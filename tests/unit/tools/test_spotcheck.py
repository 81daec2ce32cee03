"""R-OV-1: a recorded draw is reproduced outside the service from its seed and the period's
decisions (tools.spotcheck); a changed population or sample is told apart."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from services.complaints.spot_checks.sampling import Decision, draw, population_digest
from tools.spotcheck import main

SEED = "5f0c3a9e8b7d4c3a"


def decisions() -> list[Decision]:
    return [Decision(f"case{i:02}", "230722100" if i % 3 else "230722101",
                     date(2026, 11, 1) + timedelta(days=i % 28)) for i in range(13)]


def write(path: Path, rows: list[Decision]) -> Path:
    path.write_text("township,decided_on,case_id,outcome\n" + "".join(
        f"{d.township},{d.decided_on},{d.case_id},approved\n" for d in rows), encoding="utf-8")
    return path


def test_the_recorded_draw_is_reproduced_from_its_seed_R_OV_1(tmp_path: Path, capsys) -> None:
    rows = decisions()
    sample = ",".join(c for s in draw(rows, seed=SEED) for c in s.sample)
    path = write(tmp_path / "d.csv", list(reversed(rows)))  # any order of lines
    assert main([str(path), "--seed", SEED, "--expect-digest", population_digest(rows),
                 "--expect-sample", sample]) == 0
    out = capsys.readouterr().out
    assert "230722100: 4 of 8" in out and "230722101: 3 of 5" in out


def test_another_population_or_sample_is_told(tmp_path: Path, capsys) -> None:
    rows = decisions()
    path = write(tmp_path / "d.csv", rows[:-1])
    assert main([str(path), "--seed", SEED, "--expect-digest", population_digest(rows)]) == 1
    assert "population differs" in capsys.readouterr().err
    path = write(tmp_path / "d.csv", rows)
    assert main([str(path), "--seed", "another-seed", "--expect-sample",
                 ",".join(c for s in draw(rows, seed=SEED) for c in s.sample)]) == 1
    assert "sample differs" in capsys.readouterr().err


@pytest.mark.parametrize("text", ["case_id,township\nx,230722100\n",
                                  "township,decided_on,case_id\n230722100,2026-13-01,x\n"])
def test_a_bad_file_is_refused(tmp_path: Path, text: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(text, encoding="utf-8")
    assert main([str(path), "--seed", SEED]) == 2
