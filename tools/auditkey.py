"""The audit log's checkpoint key: ``python -m tools.auditkey show|rotate``.

``show`` prints the log's verifier keys, a line each: the current one, then those retired by
rotations with the time each was retired (a key file for ``python -m tools.logproof``).
``rotate`` puts a fresh key in ``<data_dir>/audit-signing-key.pem`` and lists the old one in
``<data_dir>/audit-retired-keys.txt`` with the time it was retired, so the checkpoints it signed
still verify (R-AU-2). Rotate when the key may have been seen by someone it should not have,
when the people who held it leave, or on the schedule the county keeps for its keys.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from services.audit.checkpoints.keys import (
    key_path,
    log_keys,
    log_origin,
    retired_path,
    rotate_signing_key,
)
from shared.settings import Settings
from shared.transparency import verifier_key
from tools.installation import installation_settings


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m tools.auditkey",
        description="The audit log's Ed25519 checkpoint key: show the log's verifier keys, or "
        "rotate to a fresh key.")
    p.add_argument("command", choices=["show", "rotate"],
                   help="show: the current verifier key and the retired ones; rotate: a fresh "
                   "key, the old one retired now")
    p.add_argument("--data-dir", type=Path, default=None,
                   help="data folder holding audit-signing-key.pem (default: $ASSIST_DATA_DIR "
                   "or ./data)")
    return p


def show(settings: Settings) -> int:
    if not settings.audit_signing_key and not key_path(settings).exists():
        print(f"no key yet: {key_path(settings)} does not exist (the audit service makes it "
              "at its first start)", file=sys.stderr)
        return 1
    keys = log_keys(settings)
    print(verifier_key(keys.origin, keys.current))
    for retired in sorted(keys.retired, key=lambda k: k.retired_at, reverse=True):
        print(retired.line())
    return 0


def rotate(settings: Settings) -> int:
    retired, fresh = rotate_signing_key(settings)
    print(verifier_key(log_origin(settings), fresh.public_key()))
    print(f"# the new key is in {key_path(settings)}; key {retired.key_id} is listed as retired "
          f"at {retired.retired_at.isoformat()} in {retired_path(settings)}.\n"
          "# The audit service signs with the new key from its next checkpoint on: it reads "
          "the key file again when it changes (replicas sharing this data folder alike; a "
          "replica with a copy of the folder needs the new files copied to it).\n"
          "# Keep the new verifier key (above) apart from the installation, as the first, and "
          "give it to the witness; checkpoints signed before keep verifying with the old one.\n"
          "# Back up the data folder with the retired keys file: without it, the checkpoints "
          "the old key signed look forged to the service's own checks.",
          file=sys.stderr)
    return 0


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    settings = installation_settings("audit", args.data_dir)
    try:
        return show(settings) if args.command == "show" else rotate(settings)
    except (ValueError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
