"""The lines of a log that say why a process died: tracebacks and error lines, not access lines.

A service's log ends, when it dies, with whatever it printed last: often a run of access lines
and shutdown notices, with the cause further up. ``error_lines`` picks out what an operator
needs: the last traceback whole (uvicorn's, or one structlog rendered), error and critical lines
of the readable format (``[error    ]``), JSON lines whose ``level`` is error or critical (their
``exception`` opened into its lines), and uvicorn's ``ERROR:`` lines; nats-server's ``[ERR]`` and
``[FTL]`` lines too.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

READ_AT_MOST = 512 * 1024
"""Only the end of a long log is read."""
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
CONSOLE_ERROR = re.compile(r"\[(error|critical|exception)\s*\]", re.IGNORECASE)
PLAIN_ERROR = re.compile(r"^(ERROR|CRITICAL|FATAL):|\[(ERR|FTL)\]")
TRACEBACK = "Traceback (most recent call last):"


def _read_end(path: Path, start: int = 0) -> list[str]:
    """The lines of ``path`` from byte ``start`` on (or its last ``READ_AT_MOST`` bytes)."""
    try:
        with open(path, "rb") as f:
            f.seek(0, 2)
            size = f.tell()
            begin = max(start if start <= size else 0, size - READ_AT_MOST, 0)
            f.seek(begin)
            data = f.read()
    except OSError:
        return []
    lines = data.decode("utf-8", errors="replace").splitlines()
    if begin > start and lines:
        lines = lines[1:]  # the first line is cut
    return [ANSI.sub("", line) for line in lines]


def _json_error(line: str) -> list[str] | None:
    """The lines of a JSON log line at error level or above, else None."""
    if not line.startswith("{"):
        return None
    try:
        record = json.loads(line)
    except ValueError:
        return None
    if not isinstance(record, dict) or str(record.get("level", "")).lower() not in (
            "error", "critical", "exception", "fatal"):
        return None
    exception = record.pop("exception", None)
    found = [json.dumps(record, ensure_ascii=False)]
    if isinstance(exception, str):
        found += exception.splitlines()
    return found


CHAINED = ("During handling of the above exception", "The above exception was the direct cause")


def _traceback_end(lines: list[str], start: int) -> int:
    """The index after a traceback that starts at ``start``: its frames are indented, its
    exception line is the first one that is not; a chained traceback continues it."""
    i = start + 1
    while i < len(lines):
        line = lines[i]
        if line.startswith((" ", "\t", "+", "|")) or not line.strip() \
                or line.startswith(TRACEBACK):
            i += 1
            continue
        end = i + 1  # the exception line
        following = end
        while following < len(lines) and not lines[following].strip():
            following += 1
        if following < len(lines) and lines[following].startswith(CHAINED):
            i = following + 1
            continue
        return end
    return i


def _blocks(lines: list[str]) -> list[tuple[bool, list[str]]]:
    """The error blocks of a log in file order: (is a traceback, its lines)."""
    blocks: list[tuple[bool, list[str]]] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if TRACEBACK in line and line.split(TRACEBACK)[0].strip(" :") in (
                "", "ERROR", "CRITICAL"):  # plain, or uvicorn's "ERROR:    Traceback ..."
            end = _traceback_end(lines, i)
            blocks.append((True, lines[i:end]))
            i = end
            continue
        from_json = _json_error(line)
        if from_json is not None:
            blocks.append((len(from_json) > 1, from_json))
        elif CONSOLE_ERROR.search(line) or PLAIN_ERROR.search(line):
            blocks.append((False, [line]))
        i += 1
    return blocks


def error_lines(path: Path, limit: int = 40, *, start: int = 0) -> list[str]:
    """The error lines of the log at ``path`` (from byte ``start``: this run's part of a log
    kept across runs), in file order, at most ``limit``: the last traceback whole if it fits
    (else its first and last lines), and the error lines nearest the end that fit in the room
    left. Empty if the log has none."""
    blocks = _blocks(_read_end(path, start))
    last = next((i for i in range(len(blocks) - 1, -1, -1) if blocks[i][0]), None)
    room = limit
    chosen: dict[int, list[str]] = {}
    if last is not None:
        lines = blocks[last][1]
        keep = max(6, limit * 3 // 4)
        if len(lines) > keep:
            lines = [*lines[:2], "  ...", *lines[-(keep - 3):]]
        chosen[last] = lines
        room -= len(lines)
    for i in range(len(blocks) - 1, -1, -1):
        if i == last:
            continue
        lines = blocks[i][1]
        if len(lines) > room:
            break
        chosen[i] = lines
        room -= len(lines)
    return [line for i in sorted(chosen) for line in chosen[i]]
