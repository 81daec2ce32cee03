"""tools.divisions: register files as JSON or CSV, loaded in order, errors named by place."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tools.divisions import FileError, chunks, demo_file, idempotency_key, read_entries


def test_a_json_list_or_entries_object_and_a_csv_with_bom_read_alike(tmp_path: Path) -> None:
    rows = [{"code": "230722", "name": "嘉荫县", "valid_from": "2020-01-01"},
            {"code": "230722100", "name": "朝阳镇"}]
    (tmp_path / "a.json").write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
    (tmp_path / "b.json").write_text(json.dumps({"entries": rows}), encoding="utf-8")
    (tmp_path / "c.csv").write_text("\ufeffcode,name,valid_from,valid_until\n"
                                    "230722,嘉荫县,2020-01-01,\n230722100,朝阳镇,,\n\n",
                                    encoding="utf-8")
    read = [[e.fields for e in read_entries(tmp_path / n)] for n in ("a.json", "b.json", "c.csv")]
    assert read[0] == read[1] == read[2] == rows
    assert [e.where for e in read_entries(tmp_path / "c.csv")] == ["c.csv line 2", "c.csv line 3"]


@pytest.mark.parametrize(("name", "content", "message"), [
    ("x.json", '[{"code": 230722, "name": "嘉荫县"}]', "entry 1: code must be text"),
    ("x.json", '[{"code": "230722", "nom": "嘉荫县"}]', "unknown field(s) nom"),
    ("x.json", '{"code": "230722"}', "a list of entries"),
    ("x.json", "[", "not JSON"),
    ("x.csv", "code;name\n230722;嘉荫县\n", "the header row names the columns"),
    ("x.csv", "code,name,remark\n", "unknown column(s) remark"),
    ("x.csv", "code,name\n230722,嘉荫县,extra\n", "line 2: more cells than columns"),
    ("x.txt", "", "a .json or .csv file"),
])
def test_a_bad_file_is_refused_naming_the_place(tmp_path: Path, name: str, content: str,
                                                message: str) -> None:
    (tmp_path / name).write_text(content, encoding="utf-8")
    with pytest.raises(FileError, match=message.replace("(", r"\(").replace(")", r"\)")):
        read_entries(tmp_path / name)


def test_parents_go_first_and_each_request_gets_its_own_key(tmp_path: Path) -> None:
    (tmp_path / "d.json").write_text(demo_file("230722", as_csv=False), encoding="utf-8")
    entries = read_entries(tmp_path / "d.json")
    [chunk] = chunks(list(reversed(entries)))
    assert [len(e.fields["code"]) for e in chunk] == sorted(len(e.fields["code"]) for e in chunk)
    assert [len(c) for c in chunks(entries, size=4)] == [4, 4, 2]  # 1 + 3 + 6
    assert idempotency_key() != idempotency_key()  # a new key per request of a run
    (tmp_path / "d.csv").write_text(demo_file("230722", as_csv=True), encoding="utf-8")
    assert [e.fields for e in read_entries(tmp_path / "d.csv")] == [e.fields for e in entries]
