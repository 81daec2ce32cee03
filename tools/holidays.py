"""Load a year of the official working-day calendar (R-AP-7) into an installation.

    python -m tools.holidays add 2027.json [--data-dir data]   # check, then install the year
    python -m tools.holidays show 2027 [--data-dir data]        # what the services will use

The file is {"year": 2027, "holidays": ["2027-01-01", ...], "workdays": ["2027-02-07", ...]}
(workdays: the adjusted weekend working days, 调休), as the State Council publishes it. The
services read the calendar folder when they start: restart them after adding a year.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from shared.settings import Settings
from shared.workdays import WorkingCalendar, YearCalendar


def calendar_dir(data_dir: str | None) -> Path:
    settings = Settings(service="tools", **({"data_dir": Path(data_dir)} if data_dir else {}))
    return settings.calendar_path


def add_year(source: Path, folder: Path) -> YearCalendar:
    """Validate ``source`` and write it to ``folder/<year>.json`` atomically."""
    year = YearCalendar.from_json(json.loads(source.read_text(encoding="utf-8")))
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{year.year}.json"
    tmp = target.with_suffix(".json.tmp")
    tmp.write_text(json.dumps({
        "year": year.year,
        "holidays": sorted(d.isoformat() for d in year.holidays),
        "workdays": sorted(d.isoformat() for d in year.workdays),
    }, indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, target)
    WorkingCalendar.from_directory(folder)  # the folder as a whole must still load
    return year


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.holidays", description=__doc__)
    parser.add_argument("--data-dir", default=os.environ.get("ASSIST_DATA_DIR"))
    commands = parser.add_subparsers(dest="command", required=True)
    add = commands.add_parser("add", help="check a year file and install it")
    add.add_argument("file", type=Path)
    show = commands.add_parser("show", help="working days of a year as the services see them")
    show.add_argument("year", type=int)
    args = parser.parse_args(argv)
    folder = calendar_dir(args.data_dir)
    try:
        if args.command == "add":
            year = add_year(args.file, folder)
            print(f"installed {year.year}: {len(year.holidays)} holidays, "
                  f"{len(year.workdays)} adjusted working days → {folder / f'{year.year}.json'}")
            print("restart the services so that they use it")
            return 0
        calendar = WorkingCalendar.from_directory(folder)
    except (OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    known = calendar.knows_year(args.year)
    print(f"{args.year}: {'known' if known else 'NOT known: deadlines in it are provisional'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
