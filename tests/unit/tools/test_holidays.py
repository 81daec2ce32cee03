"""Loading a calendar year as data (R-AP-7): checked, installed, then used by the services."""

import json
from datetime import date

from shared.workdays import WorkingCalendar
from tools.holidays import main


def test_r_ap_7_an_administrator_loads_a_year_and_deadlines_stop_being_provisional(tmp_path,
                                                                                   capsys):
    year = {"year": 2041, "holidays": ["2041-01-01", "2041-01-02"], "workdays": ["2041-01-05"]}
    source = tmp_path / "2041.json"
    source.write_text(json.dumps(year))
    data = tmp_path / "data"
    empty = WorkingCalendar.from_directory(data / "calendar")
    before = empty.add_working_days(date(2040, 12, 31), 3)
    assert before.provisional

    assert main(["--data-dir", str(data), "add", str(source)]) == 0
    calendar = WorkingCalendar.from_directory(data / "calendar")
    after = calendar.add_working_days(date(2040, 12, 31), 3)
    # 1-2 Jan holidays, Thu 3, Fri 4, Sat 5 (adjusted working day)
    assert (after.last_day, after.provisional) == (date(2041, 1, 5), False)
    assert main(["--data-dir", str(data), "show", "2041"]) == 0
    assert "2041: known" in capsys.readouterr().out


def test_an_invalid_year_file_is_refused_and_nothing_is_installed(tmp_path, capsys):
    source = tmp_path / "bad.json"
    source.write_text(json.dumps({"year": 2041, "holidays": ["2042-01-01"], "workdays": []}))
    data = tmp_path / "data"
    assert main(["--data-dir", str(data), "add", str(source)]) == 2
    assert "outside the year" in capsys.readouterr().err
    assert not (data / "calendar" / "2041.json").exists()
