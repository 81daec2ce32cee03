"""`make token`: signed with the secret of `make run`'s data folder, never a new one."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from shared.auth import decode_token, load_or_create_secret
from shared.settings import Settings
from tools import token as token_tool
from tools.run import ROOT, parse_args


@pytest.fixture(autouse=True)
def _no_installation_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("ASSIST_DATA_DIR", "ASSIST_JWT_SECRET", "ASSIST_JWT_MAX_LIFETIME_S",
                 "ASSIST_JWT_JWKS_URL"):
        monkeypatch.delenv(name, raising=False)


def test_without_a_secret_it_says_so_and_creates_none(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "data"
    assert token_tool.main(["--role", "caseworker", "--data-dir", str(data)]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert str((data / "jwt-secret").resolve()) in captured.err
    assert "make run" in captured.err and "DATA_DIR=" in captured.err
    assert not data.exists()  # no secret made that the services would not know


def test_it_uses_the_same_data_folder_as_make_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert token_tool.token_settings().data_dir.resolve() == parse_args([]).data_dir
    assert parse_args([]).data_dir == tmp_path / "data"
    load_or_create_secret(Settings(service="run", data_dir=parse_args([]).data_dir))
    assert token_tool.main(["--role", "county_officer"]) == 0
    token = capsys.readouterr().out.strip()
    assert decode_token(Settings(service="intake", data_dir=tmp_path / "data"), token)

    monkeypatch.setenv("ASSIST_DATA_DIR", str(tmp_path / "elsewhere"))
    assert token_tool.token_settings().data_dir.resolve() == parse_args([]).data_dir
    assert token_tool.main(["--role", "county_officer"]) == 1  # that folder has no secret yet
    monkeypatch.setenv("ASSIST_JWT_SECRET", "an-installation-secret-0123456789abcdef")
    assert token_tool.main(["--role", "county_officer"]) == 0


def test_a_validity_beyond_the_maximum_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    load_or_create_secret(Settings(service="run", data_dir=tmp_path))
    assert token_tool.main(["--role", "caseworker", "--data-dir", str(tmp_path),
                            "--ttl", str(100 * 365 * 86400)]) == 2
    assert "maximum lifetime" in capsys.readouterr().err


@pytest.mark.skipif(shutil.which("make") is None, reason="no make")
def test_make_passes_the_data_folder_to_run_and_token() -> None:
    def dry(*args: str) -> str:
        return subprocess.run(["make", "-n", "-o", ".venv/.assist-installed", *args], cwd=ROOT,
                              capture_output=True, text=True, check=True).stdout

    assert "--data-dir '/srv/assist'" in dry("token", "ROLE=caseworker", "DATA_DIR=/srv/assist")
    assert "--data-dir '/srv/assist'" in dry("run", "DATA_DIR=/srv/assist")
    assert "--data-dir" not in dry("token", "ROLE=caseworker", "DATA_DIR=")
