"""The county's division register, loaded and shown through the intake API.

    python -m tools.divisions load FILE.json|FILE.csv   # add or replace the codes in the file
    python -m tools.divisions list [--on 2027-01-01] [--json]   # the tree in force on a day
    python -m tools.divisions demo [--csv]              # the demo register, as a file to load

A file holds entries ``code, name[, valid_from][, valid_until]``: JSON as a list of objects (or
``{"entries": [...]}``), CSV (UTF-8) with a header row naming those columns. ``valid_from`` is
the first day the name is in force (default: today); ``valid_until`` the first day it no longer
is (empty: open). Each entry is added, or replaces the version of its code in force on its
``valid_from``; entries already so change nothing; codes not in the file stay as they are.
Ending a code is done through the API (``POST /api/v1/divisions/{code}/end``).

The intake service is reached at ``--url`` (default ``$ASSIST_INTAKE_URL`` or
http://127.0.0.1:8001) with ``--token`` (default ``$ASSIST_TOKEN``, else the demo county
officer's token signed with the installation's secret in ``--data-dir``, as ``make token``).
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import sys
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import httpx

from shared.settings import DEFAULT_PORTS, Settings
from tools.demo import demo_register, demo_token, find_demo_user

COLUMNS = ("code", "name", "valid_from", "valid_until")
CHUNK = 2000
"""Entries per request (the API takes up to 5000); parents go before their children."""


class FileError(ValueError):
    """The file cannot be read as register entries; the message names the place."""


@dataclass(frozen=True)
class Entry:
    """One entry of the file and where it stands there (for error messages)."""

    fields: dict[str, str]
    where: str


def read_entries(path: Path) -> list[Entry]:
    """The entries of a JSON or CSV file (by its suffix)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise FileError(f"{path}: {exc}") from None
    if path.suffix.lower() == ".csv":
        return _csv_entries(text, path.name)
    if path.suffix.lower() == ".json":
        return _json_entries(text, path.name)
    raise FileError(f"{path}: a .json or .csv file, please")


def _json_entries(text: str, name: str) -> list[Entry]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise FileError(f"{name}: not JSON: {exc}") from None
    if isinstance(data, dict) and set(data) == {"entries"}:
        data = data["entries"]
    if not isinstance(data, list):
        raise FileError(f"{name}: a list of entries, or {{\"entries\": [...]}}, please")
    entries = []
    for i, item in enumerate(data):
        where = f"{name} entry {i + 1}"
        if not isinstance(item, dict):
            raise FileError(f"{where}: an object with {', '.join(COLUMNS)}, please")
        unknown = sorted(set(item) - set(COLUMNS))
        if unknown:
            raise FileError(f"{where}: unknown field(s) {', '.join(unknown)}")
        values = {}
        for key, value in item.items():
            if value is None:
                continue
            if not isinstance(value, str):
                raise FileError(f"{where}: {key} must be text (a string), got {value!r}")
            values[key] = value
        entries.append(Entry(values, where))
    return entries


def _csv_entries(text: str, name: str) -> list[Entry]:
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip() for h in reader.fieldnames or []]
    if not {"code", "name"} <= set(header):
        raise FileError(f"{name}: the header row names the columns: {', '.join(COLUMNS)} "
                        "(code and name at least)")
    unknown = sorted(set(header) - set(COLUMNS))
    if unknown:
        raise FileError(f"{name}: unknown column(s) {', '.join(unknown)}")
    reader.fieldnames = header
    entries = []
    for row in reader:
        where = f"{name} line {reader.line_num}"
        if None in row:
            raise FileError(f"{where}: more cells than columns")
        values = {k: v.strip() for k, v in row.items() if v is not None and v.strip()}
        if values:
            entries.append(Entry(values, where))
    return entries


def chunks(entries: Sequence[Entry], size: int = CHUNK) -> list[list[Entry]]:
    """County first, then townships, then villages, in requests of at most ``size``."""
    ordered = sorted(entries, key=lambda e: (len(e.fields.get("code", "")),
                                             e.fields.get("code", ""),
                                             e.fields.get("valid_from", "")))
    return [ordered[i:i + size] for i in range(0, len(ordered), size)]


def idempotency_key() -> str:
    """A new key for each request of a run; its retry in that run sends the same one, so it
    is answered, never done twice."""
    return f"tools.divisions-{uuid.uuid4()}"


def explain(answer: httpx.Response, chunk: Sequence[Entry]) -> str:
    """The API's problem in words, with the file's places instead of ``entries.<i>``."""
    try:
        problem = answer.json()
    except ValueError:
        return f"intake answered {answer.status_code}: {answer.text[:400]}"
    lines = [f"intake answered {answer.status_code}: {problem.get('detail') or problem}"]
    for error in problem.get("errors") or []:
        field = str(error.get("field", ""))
        parts = field.split(".")
        if len(parts) >= 2 and parts[0] == "entries" and parts[1].isdigit() \
                and int(parts[1]) < len(chunk):
            place = chunk[int(parts[1])].where + (f" ({'.'.join(parts[2:])})" if parts[2:]
                                                   else "")
        else:
            place = field
        lines.append(f"  {place}: {error.get('message')}")
    return "\n".join(lines)


def load(client: httpx.Client, entries: Sequence[Entry], say: Any = print) -> int:
    """Load ``entries``; 0 when all went in, 1 otherwise (said why)."""
    added = changed = 0
    for chunk in chunks(entries):
        body = {"entries": [e.fields for e in chunk]}
        headers = {"Idempotency-Key": idempotency_key()}
        answer = None
        for attempt in range(2):  # once more on a lost connection: the key makes it safe
            try:
                answer = client.post("/api/v1/divisions/load", json=body, headers=headers)
                break
            except httpx.TransportError as exc:
                if attempt:
                    say(f"error: intake unreachable at {client.base_url}: {exc!r}")
                    return 1
        assert answer is not None
        if answer.status_code != 200:
            say("error: " + explain(answer, chunk))
            return 1
        result = answer.json()
        added += result["added"]
        changed += result["changed"]
    say(f"{len(entries)} {'entry' if len(entries) == 1 else 'entries'}: {added} added, "
        f"{changed} changed (versions of codes; nothing else changed)")
    return 0


def render_tree(node: dict[str, Any], depth: int = 0) -> list[str]:
    until = f" until {node['valid_until']}" if node.get("valid_until") else ""
    lines = [f"{'  ' * depth}{node['code']:<12}  {node['name']}  (from {node['valid_from']}"
             f"{until})"]
    for child in node.get("children", []):
        lines += render_tree(child, depth + 1)
    return lines


def show(client: httpx.Client, on: date | None, as_json: bool, say: Any = print) -> int:
    params = {"on": on.isoformat()} if on else {}
    try:
        answer = client.get("/api/v1/divisions/tree", params=params)
    except httpx.TransportError as exc:
        say(f"error: intake unreachable at {client.base_url}: {exc!r}")
        return 1
    if answer.status_code != 200:
        say("error: " + explain(answer, []))
        return 1
    tree = answer.json()
    say(json.dumps(tree, ensure_ascii=False, indent=2) if as_json else
        "\n".join(render_tree(tree)))
    return 0


def demo_file(county: str, as_csv: bool) -> str:
    entries = demo_register(county)
    if not as_csv:
        return json.dumps(entries, ensure_ascii=False, indent=2)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(entries)
    return out.getvalue().rstrip("\n")


def authorization(args: argparse.Namespace, settings: Settings) -> str:
    token = args.token or os.environ.get("ASSIST_TOKEN")
    if token:
        return token
    if not settings.jwt_secret and not settings.jwt_secret_file.exists():
        raise FileError(f"no token: give --token (or $ASSIST_TOKEN), or --data-dir of an "
                        f"installation (none has a secret in {settings.data_dir})")
    return demo_token(settings, find_demo_user("county_officer", county=settings.county),
                      ttl_s=600)


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m tools.divisions", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--url", default=os.environ.get("ASSIST_INTAKE_URL")
                   or f"http://127.0.0.1:{DEFAULT_PORTS['intake']}",
                   help="the intake service (default: $ASSIST_INTAKE_URL or %(default)s)")
    p.add_argument("--token", help="bearer token of a county officer (default: $ASSIST_TOKEN, "
                   "else the demo county officer's)")
    p.add_argument("--data-dir", type=Path, default=None,
                   help="data folder with the installation's jwt-secret (default: "
                   "$ASSIST_DATA_DIR or ./data)")
    p.add_argument("--county", default=None, help="county code (default: $ASSIST_COUNTY)")
    p.add_argument("--timeout", type=float, default=30.0, help="seconds per request")
    commands = p.add_subparsers(dest="command", required=True)
    load_p = commands.add_parser("load", help="add or replace the codes of a JSON or CSV file")
    load_p.add_argument("file", type=Path)
    list_p = commands.add_parser("list", help="the tree in force on a day")
    list_p.add_argument("--on", type=date.fromisoformat, default=None,
                        help="the day (YYYY-MM-DD; default: today)")
    list_p.add_argument("--json", action="store_true", help="as JSON")
    demo_p = commands.add_parser("demo", help="print the county's demo register as a file")
    demo_p.add_argument("--csv", action="store_true", help="as CSV (default: JSON)")
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    values: dict[str, Any] = {"service": "tools"}
    if args.data_dir is not None:
        values["data_dir"] = args.data_dir
    if args.county is not None:
        values["county"] = args.county
    settings = Settings(**values)
    if args.command == "demo":
        print(demo_file(settings.county, args.csv))
        return 0
    try:
        entries = read_entries(args.file) if args.command == "load" else []
        if args.command == "load" and not entries:
            raise FileError(f"{args.file}: no entries")
        headers = {"Authorization": f"Bearer {authorization(args, settings)}"}
    except FileError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2

    def say(message: str) -> None:
        print(message, file=sys.stderr if message.startswith("error") else sys.stdout)

    with httpx.Client(base_url=args.url, headers=headers, timeout=args.timeout) as client:
        if args.command == "load":
            return load(client, entries, say)
        return show(client, args.on, args.json, say)


if __name__ == "__main__":
    sys.exit(main())
