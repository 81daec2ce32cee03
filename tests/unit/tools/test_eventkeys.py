"""R-SE-2: ``python -m tools.eventkeys`` shows and rotates the keys that seal personal data."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

from shared.sealing import Keyring
from shared.settings import Settings
from tools import eventkeys


@pytest.fixture(autouse=True)
def _no_keys_in_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ASSIST_EVENT_KEYS", raising=False)


def key_material(data_dir: Path) -> list[str]:
    return list(json.loads((data_dir / "event-keys.json").read_text())["keys"].values())


def test_r_se_2_show_without_keys_says_so_and_creates_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    assert eventkeys.main(["show", "--data-dir", str(tmp_path / "data")]) == 1
    assert "no keys yet" in capsys.readouterr().err
    assert not (tmp_path / "data").exists()


def test_r_se_2_show_lists_the_key_ids_and_the_current_one_never_the_keys(
    tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    Keyring.from_settings(Settings(service="intake", data_dir=tmp_path))
    assert eventkeys.main(["--data-dir", str(tmp_path), "show"]) == 0
    out, err = capsys.readouterr()
    assert out.splitlines() == ["k1  current"]
    assert str(tmp_path / "event-keys.json") in err
    for key in key_material(tmp_path):
        assert key not in out + err


def test_r_se_2_rotate_prints_the_new_id_and_show_lists_it_as_current(
    tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    Keyring.from_settings(Settings(service="intake", data_dir=tmp_path))
    assert eventkeys.main(["rotate", "--data-dir", str(tmp_path)]) == 0
    out, err = capsys.readouterr()
    assert out == "k2\n"
    assert "restart" in err
    assert eventkeys.main(["show", "--data-dir", str(tmp_path)]) == 0
    out, err = capsys.readouterr()
    assert out.splitlines() == ["k1", "k2  current"]
    for key in key_material(tmp_path):
        assert key not in out + err


def test_r_se_2_rotate_on_an_empty_folder_creates_the_first_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    assert eventkeys.main(["rotate", "--data-dir", str(tmp_path / "data")]) == 0
    assert capsys.readouterr().out == "k1\n"
    assert len(key_material(tmp_path / "data")) == 1


def test_r_se_2_with_assist_event_keys_show_uses_it_and_rotate_refuses(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
) -> None:
    key = base64.urlsafe_b64encode(b"\x05" * 32).decode()
    monkeypatch.setenv("ASSIST_EVENT_KEYS", json.dumps({"current": "prod1",
                                                        "keys": {"prod1": key}}))
    assert eventkeys.main(["show", "--data-dir", str(tmp_path)]) == 0
    out, err = capsys.readouterr()
    assert out.splitlines() == ["prod1  current"] and "ASSIST_EVENT_KEYS" in err
    assert key not in out + err
    assert eventkeys.main(["rotate", "--data-dir", str(tmp_path)]) == 2
    assert "ASSIST_EVENT_KEYS" in capsys.readouterr().err
    assert not (tmp_path / "event-keys.json").exists()


def test_r_se_2_a_broken_key_file_is_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    (tmp_path / "event-keys.json").write_text('{"current": "k1", "keys": {}}')
    assert eventkeys.main(["show", "--data-dir", str(tmp_path)]) == 2
    assert capsys.readouterr().err.startswith("error: ")


def test_r_se_2_new_prints_a_key_set_that_seals_and_opens(capsys: pytest.CaptureFixture[str],
                                                          tmp_path: Path) -> None:
    """``new`` prints one line of JSON that ASSIST_EVENT_KEYS takes as it is."""
    from shared.contracts.intake import MemberIdentified
    from shared.sealing import Sealer

    assert eventkeys.main(["new"]) == 0
    printed = capsys.readouterr().out.strip()
    assert "\n" not in printed
    settings = Settings(service="t", data_dir=tmp_path, event_keys=printed)
    sealer = Sealer.from_settings(settings)
    sealed = sealer.seal(MemberIdentified, {"id_number": "23072219600101011X"}, event_id="e1")
    assert sealed["id_number"].startswith("sealed:v1:k1:")
    assert sealer.open(MemberIdentified, sealed, event_id="e1") == {
        "id_number": "23072219600101011X"}
    assert not (tmp_path / "event-keys.json").exists()
