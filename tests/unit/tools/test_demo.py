"""Demo users, demo applications, `tools.token` and the options of `tools.run`."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from shared.auth import Role, decode_token, load_or_create_secret
from shared.divisions import DEMO_DIVISIONS, is_within
from shared.idcard import parse_resident_id
from shared.settings import DEFAULT_PORTS, SERVICE_NAMES, Settings
from tools import token as token_tool
from tools.demo import (
    DEMO_ROLES,
    ROLES_AT_LEVEL,
    checklist_codes,
    demo_applications,
    demo_id_number,
    demo_referrals,
    demo_token,
    demo_users,
    find_demo_user,
    request_body,
)
from tools.run import DEFAULT_NATS_PORT, parse_args


def test_r_in_4_demo_id_numbers_are_valid_and_encode_birth_date_and_sex() -> None:
    """R-IN-4: the demo people's ID numbers pass the GB 11643 check."""
    parsed = parse_resident_id(demo_id_number("230722", date(1968, 3, 12), 31))
    assert parsed.number.startswith("23072219680312031")
    assert parsed.sex == "male"
    for app in demo_applications("230722"):
        for member in app.members:
            parse_resident_id(member["id_number"])


def test_r_in_4_each_demo_household_has_one_head_and_nobody_is_in_two() -> None:
    """R-IN-4: exactly one head per household; nobody in two applications."""
    applications = demo_applications("230722")
    numbers = [m["id_number"] for app in applications for m in app.members]
    assert len(numbers) == len(set(numbers))
    for app in applications:
        assert [m["relationship"] for m in app.members].count("head") == 1


def test_demo_applications_cover_programs_channels_and_one_incomplete() -> None:
    applications = demo_applications("230722")
    assert {str(a.program) for a in applications} >= {"dibao", "tekun", "temp_emergency"}
    assert {a.channel for a in applications} >= {"window", "village_proxy", "active_discovery"}
    # a one-time notice, emergency aid granted first with materials later (R-IN-5), a withdrawal
    assert [a.expected_status for a in applications].count("awaiting_materials") == 2
    assert [a.program for a in applications if a.grant_first_fen] == ["temp_emergency"]
    assert [a.expected_status for a in applications].count("withdrawn") == 1
    assert len(demo_referrals("230722")) == 2 and demo_referrals("110105") == []
    assert all(DEMO_DIVISIONS[a.village].level == "village" for a in applications)
    assert all(is_within(a.village, "230722") for a in applications)
    assert any(m["living_status"] == "serving_sentence"
               for a in applications for m in a.members)
    assert demo_applications("110105") == []


def test_r_in_3_the_incomplete_demo_application_leaves_materials_out() -> None:
    """R-IN-3: the incomplete demo application hands in fewer materials than the checklist."""
    checklist = checklist_codes({"program": "dibao", "items": [
        {"code": "application_form", "name": "申请书"}, {"code": "id_card", "name": "身份证"},
        {"code": "household_register", "name": "户口簿"}, {"code": "income_proof", "name": "收入"},
    ]})
    assert checklist == ["application_form", "id_card", "household_register", "income_proof"]
    complete, incomplete = (next(a for a in demo_applications("230722") if a.complete is c)
                            for c in (True, False))
    assert request_body(complete, checklist)["materials"] == checklist
    handed_in = request_body(incomplete, checklist)["materials"]
    assert handed_in and set(handed_in) < set(checklist)


def test_demo_users_one_per_role_and_division_at_its_level() -> None:
    users = demo_users()
    assert len({u.user_id for u in users}) == len(users)
    assert {u.role for u in users} == set(DEMO_ROLES)
    for user in users:
        assert user.role in ROLES_AT_LEVEL[DEMO_DIVISIONS[user.division].level]
        assert "演示" in user.name
    townships = [c for c, d in DEMO_DIVISIONS.items() if d.level == "township"]
    assert sorted(u.division for u in users if u.role == Role.caseworker) == sorted(townships)
    assert [u.division for u in users if u.role == Role.city_officer] == ["230700"]


def test_find_demo_user_defaults_to_the_county_and_explains_mistakes() -> None:
    assert find_demo_user(Role.caseworker).division == "230722100"
    assert find_demo_user(Role.county_officer, county="230781").division == "230781"
    assert find_demo_user(Role.auditor).division == "230700"
    with pytest.raises(LookupError, match="village_assistant, caseworker"):
        find_demo_user("boss")
    with pytest.raises(LookupError, match="230722100, 230722101, 230722200"):
        find_demo_user(Role.caseworker, "230722")


def test_r_se_1_demo_token_carries_role_and_the_one_division(tmp_path: Path) -> None:
    """R-SE-1: the token names the user's role and assigned division, verified by the services."""
    settings = Settings(service="intake", data_dir=tmp_path)
    user = decode_token(settings, demo_token(settings, find_demo_user(Role.township_leader)))
    assert (user.role, user.divisions) == ("township_leader", ("230722100",))
    assert user.can_access("230722100201") and not user.can_access("230722101201")


def test_token_command_prints_a_token_signed_with_the_data_folders_secret(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ASSIST_JWT_SECRET", raising=False)
    load_or_create_secret(Settings(service="run", data_dir=tmp_path))  # as make run does
    assert token_tool.main(["--role", "caseworker", "--division", "230722101",
                            "--data-dir", str(tmp_path)]) == 0
    printed = capsys.readouterr().out.strip()
    user = decode_token(Settings(service="audit", data_dir=tmp_path), printed)
    assert (user.user_id, user.divisions) == ("demo-caseworker-230722101", ("230722101",))


def test_token_command_rejects_an_unknown_role_listing_the_roles(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert token_tool.main(["--role", "mayor", "--data-dir", str(tmp_path)]) == 2
    error = capsys.readouterr().err
    assert "unknown role 'mayor'" in error and ", ".join(DEMO_ROLES) in error
    assert token_tool.main(["--role", "caseworker", "--division", "999999",
                            "--data-dir", str(tmp_path)]) == 2


def test_run_options_default_ports_base_port_and_overrides(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("ASSIST_DATA_DIR", "ASSIST_COUNTY", "ASSIST_RUN_BASE_PORT",
                 "ASSIST_RUN_NATS_PORT", "ASSIST_RUN_INTAKE_PORT", "ASSIST_RUN_NO_DEMO"):
        monkeypatch.delenv(name, raising=False)
    config = parse_args([])
    assert config.ports == DEFAULT_PORTS and config.nats_port == DEFAULT_NATS_PORT == 4223
    assert (config.county, config.demo, config.data_dir.name) == ("230722", True, "data")
    config = parse_args(["--base-port", "9001", "--port", "audit=9100", "--no-demo"])
    assert [config.ports[n] for n in SERVICE_NAMES] == [9001, 9002, 9003, 9004, 9005, 9100]
    assert config.demo is False
    monkeypatch.setenv("ASSIST_RUN_INTAKE_PORT", "7001")
    monkeypatch.setenv("ASSIST_RUN_NATS_PORT", "7222")
    config = parse_args([])
    assert (config.ports["intake"], config.nats_port) == (7001, 7222)
    with pytest.raises(SystemExit):
        parse_args(["--port", "billing=1"])
    assert "SERVICE=PORT" in capsys.readouterr().err


def test_demo_payees_take_on_the_demo_townships_cases_with_invented_card_numbers() -> None:
    """tools.demo_payees: the township of the first demo village; its accepted cases include
    temporary aid (approved at once) and dibao and tekun (on notice); each holder an invented
    card number of its own, 19 digits as the register takes them (R-DI-4)."""
    from tools.demo_payees import TEMPORARY, demo_account_number, demo_township

    township = demo_township("230722")
    assert township == "230722100" and demo_township("110105") is None
    taken = [a for a in demo_applications("230722")
             if a.township == township and a.expected_status == "accepted"]
    assert sum(str(a.program) in TEMPORARY for a in taken) == 2
    assert {str(a.program) for a in taken} >= {"dibao", "tekun"}
    numbers = {demo_account_number(m["id_number"]) for a in taken for m in a.members}
    assert len(numbers) == sum(len(a.members) for a in taken)
    assert all(n.isdigit() and len(n) == 19 for n in numbers)
