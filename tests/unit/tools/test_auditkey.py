"""R-AU-2: ``python -m tools.auditkey`` shows the log's verifier keys and rotates its key."""

from __future__ import annotations

from pathlib import Path

import pytest

from services.audit.checkpoints.keys import key_path, signing_key
from shared.settings import Settings
from shared.transparency import load_key_file
from tools import auditkey


@pytest.fixture(autouse=True)
def _no_keys_in_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ASSIST_AUDIT_SIGNING_KEY", raising=False)
    monkeypatch.delenv("ASSIST_AUDIT_RETIRED_KEYS", raising=False)


def test_r_au_2_show_without_a_key_says_so_and_creates_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    assert auditkey.main(["show", "--data-dir", str(tmp_path / "data")]) == 1
    assert "no key yet" in capsys.readouterr().err
    assert not (tmp_path / "data").exists()
    assert auditkey.main(["rotate", "--data-dir", str(tmp_path / "data")]) == 2
    assert "no signing key" in capsys.readouterr().err


def test_r_au_2_rotate_prints_the_new_verifier_key_and_show_gives_a_key_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    """R-AU-2: show prints the current verifier key, then each retired one with its time:
    the key file ``tools.logproof --key`` reads. The private key is never printed."""
    settings = Settings(service="audit", data_dir=tmp_path)
    signing_key(settings)
    assert auditkey.main(["show", "--data-dir", str(tmp_path)]) == 0
    [first] = capsys.readouterr().out.splitlines()
    assert first.startswith("assist/230722/audit+")
    assert auditkey.main(["rotate", "--data-dir", str(tmp_path)]) == 0
    out, err = capsys.readouterr()
    [fresh] = out.splitlines()
    assert fresh != first and "retired" in err
    assert auditkey.main(["show", "--data-dir", str(tmp_path)]) == 0
    out, err = capsys.readouterr()
    lines = out.splitlines()
    assert lines[0] == fresh and lines[1].split()[0] == first and len(lines) == 2
    keys = load_key_file(out)
    assert keys[0].retired_at is None and keys[1].retired_at is not None
    pem = key_path(settings).read_text()
    assert pem.splitlines()[1] not in out + err
