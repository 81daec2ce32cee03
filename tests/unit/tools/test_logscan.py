"""When a process dies, `make run` shows the lines that say why, not the last access lines."""

from __future__ import annotations

import json
from pathlib import Path

from tools.logscan import error_lines

ACCESS = 'INFO:     127.0.0.1:50000 - "GET /readyz HTTP/1.1" 200 OK'
STARTUP_CRASH = """\
INFO:     Started server process [4242]
INFO:     Waiting for application startup.
2026-11-28T01:00:00Z [error    ] migration_failed               service=intake
ERROR:    Traceback (most recent call last):
  File "/app/shared/service.py", line 160, in lifespan
    kit = await start_kit(spec, settings)
  File "/app/shared/db.py", line 12, in create_engine
    raise sqlite3.OperationalError("unable to open database file")
sqlite3.OperationalError: unable to open database file

ERROR:    Application startup failed. Exiting.
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "service.log"
    path.write_text(text)
    return path


def test_the_traceback_and_error_lines_not_the_access_lines_after_them(tmp_path):
    log = write(tmp_path, "\n".join([ACCESS] * 50) + "\n" + STARTUP_CRASH
                + "\n".join([ACCESS] * 30) + "\nINFO:     Shutting down\n")
    lines = error_lines(log)
    assert lines[0].endswith("migration_failed               service=intake")
    assert "ERROR:    Traceback (most recent call last):" in lines
    assert "sqlite3.OperationalError: unable to open database file" in lines
    assert "ERROR:    Application startup failed. Exiting." in lines
    assert ACCESS not in lines and "INFO:     Shutting down" not in lines


def test_chained_tracebacks_stay_together_and_json_lines_open_their_exception(tmp_path):
    record = {"event": "unhandled_error", "level": "error", "request_id": "r1",
              "exception": "Traceback (most recent call last):\n  File \"a.py\", line 1, in f\n"
                           "KeyError: 'household'"}
    log = write(tmp_path, "\n".join([
        json.dumps({"event": "request", "level": "info"}),
        "Traceback (most recent call last):",
        '  File "x.py", line 1, in <module>',
        "ValueError: first",
        "",
        "During handling of the above exception, another exception occurred:",
        "",
        "Traceback (most recent call last):",
        '  File "y.py", line 2, in g',
        "RuntimeError: the real cause",
        json.dumps(record),
        json.dumps({"event": "request", "level": "info"}),
    ]) + "\n")
    lines = error_lines(log)
    first = lines.index("ValueError: first")
    assert lines[first + 2].startswith("During handling")
    assert "RuntimeError: the real cause" in lines
    assert lines[-1] == "KeyError: 'household'"
    assert json.loads(lines[-4]) == {"event": "unhandled_error", "level": "error",
                                     "request_id": "r1"}
    assert not any('"level": "info"' in line for line in lines)


def test_only_this_runs_part_of_the_log_and_at_most_the_limit(tmp_path):
    old = "Traceback (most recent call last):\n  File \"old.py\"\nOldError: last week\n"
    log = write(tmp_path, old + "\n".join([ACCESS] * 10) + "\n")
    start = log.stat().st_size
    with log.open("a") as f:
        f.write("".join(f"2026-11-28T01:00:{i:02d}Z [error    ] retry_failed n={i}\n"
                        for i in range(60)))
        f.write("Traceback (most recent call last):\n"
                + "".join(f'  File "deep.py", line {i}, in f\n    f()\n' for i in range(80))
                + "RecursionError: maximum recursion depth exceeded\n")
    lines = error_lines(log, limit=40, start=start)
    assert len(lines) <= 40
    assert not any("OldError" in line for line in lines)
    assert lines[-1] == "RecursionError: maximum recursion depth exceeded"
    assert "Traceback (most recent call last):" in lines and "  ..." in lines
    assert any("retry_failed n=59" in line for line in lines)  # the nearest the end
    assert not any("retry_failed n=0 " in line for line in lines)


def test_nats_server_errors_and_a_log_without_errors(tmp_path):
    log = write(tmp_path, "[1] 2026/11/28 01:00:00.000000 [INF] Starting nats-server\n"
                "[1] 2026/11/28 01:00:01.000000 [ERR] Error listening on port: 4223\n"
                "[1] 2026/11/28 01:00:01.000000 [FTL] Error starting server\n")
    assert [line[-22:] for line in error_lines(log)] == [
        "istening on port: 4223", "[FTL] Error starting server"[-22:]]
    assert error_lines(write(tmp_path, ACCESS + "\n")) == []
    assert error_lines(tmp_path / "missing.log") == []
