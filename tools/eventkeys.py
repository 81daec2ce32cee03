"""The keys that seal personal data in events: ``python -m tools.eventkeys show|rotate|new``.

``show`` lists the key ids and which one is current (never the keys); ``rotate`` adds a fresh key
to ``<data_dir>/event-keys.json`` and makes it current (old keys stay, so old events open);
``new`` prints a fresh key set as one line of JSON, for ``ASSIST_EVENT_KEYS`` in a deployment.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from shared.sealing import Keyring, KeyringError, rotate_keys
from shared.settings import Settings
from tools.installation import installation_settings


def keys_settings(data_dir: Path | None = None) -> Settings:
    """Settings that find the installation's keys (ASSIST_* env, then the option)."""
    return installation_settings("tools", data_dir)


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m tools.eventkeys",
        description="The keys that seal personal data in events (AES-GCM, one file per "
        "installation): show their ids, or rotate to a fresh key.",
    )
    p.add_argument("command", choices=["show", "rotate", "new"],
                   help="show: the key ids and the current one; rotate: add a key, make it "
                   "current; new: print a fresh key set (JSON) for ASSIST_EVENT_KEYS")
    p.add_argument("--data-dir", type=Path, default=None,
                   help="data folder holding event-keys.json (default: $ASSIST_DATA_DIR or "
                   "./data)")
    return p


def show(settings: Settings) -> int:
    if not settings.event_keys and not settings.event_keys_file.exists():
        print(f"no keys yet: {settings.event_keys_file} does not exist (the services create it "
              "when they first start)", file=sys.stderr)
        return 1
    keyring = Keyring.from_settings(settings, create=False)
    if settings.event_keys:
        print(f"# from $ASSIST_EVENT_KEYS ({settings.event_keys_file} is not used)",
              file=sys.stderr)
    else:
        print(f"# from {settings.event_keys_file}", file=sys.stderr)
    for kid in keyring.ids():
        print(f"{kid}  current" if kid == keyring.current else kid)
    return 0


def rotate(settings: Settings) -> int:
    kid = rotate_keys(settings)
    print(kid)
    print(f"# {kid} is now the current key in {settings.event_keys_file}; the older keys stay "
          "there so older events still open.\n"
          "# Running services keep sealing with their current key until they are restarted "
          "(restart them all), and pick the new key up by reloading the file when they meet "
          "an event sealed with it.\n"
          "# Back up the data folder: events sealed with a lost key never open again.",
          file=sys.stderr)
    return 0


def new() -> int:
    """A fresh key set on one line, for ``ASSIST_EVENT_KEYS`` (docker compose, deploy/)."""
    print(json.dumps(json.loads(Keyring.generate().to_json()), separators=(",", ":")))
    return 0


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if args.command == "new":
        return new()
    settings = keys_settings(args.data_dir)
    try:
        return show(settings) if args.command == "show" else rotate(settings)
    except KeyringError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
