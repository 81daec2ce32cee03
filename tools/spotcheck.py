"""Draw a spot-check sample again with nothing of the service (R-OV-1): the seed and share of a
recorded draw (``spot_check_drawn``, ``GET /api/v1/spot-checks/draws/{id}``) and the period's
decisions (approval's ``application_decided`` events, e.g. from the audit log's export) are all
it needs. It imports only ``services.complaints.spot_checks.sampling``, the rule the service
draws with.

    python -m tools.spotcheck --seed SEED [--share 50] decisions.csv
        [--expect-digest HEX] [--expect-sample case_id,case_id,…]

``decisions.csv`` has the header ``township,decided_on,case_id`` (further columns ignored).
Prints the population's digest and, per township, the decisions drawn. Exit status 0 when the
expectations given hold, 1 with the difference on stderr when not, 2 for a bad command line or
file.
"""

from __future__ import annotations

import argparse
import csv
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from services.complaints.spot_checks.sampling import (
    MIN_SHARE_PERCENT,
    Decision,
    draw,
    population_digest,
)


def read_decisions(path: Path) -> list[Decision]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = {"township", "decided_on", "case_id"} - set(reader.fieldnames or ())
        if missing:
            raise ValueError(f"{path}: columns missing: {', '.join(sorted(missing))}")
        return [Decision(row["case_id"].strip(), row["township"].strip(),
                         date.fromisoformat(row["decided_on"].strip())) for row in reader]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.spotcheck",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("decisions", type=Path)
    parser.add_argument("--seed", required=True)
    parser.add_argument("--share", type=int, default=MIN_SHARE_PERCENT)
    parser.add_argument("--expect-digest")
    parser.add_argument("--expect-sample", help="the recorded case ids, comma-separated")
    args = parser.parse_args(argv)
    try:
        decisions = read_decisions(args.decisions)
        samples = draw(decisions, seed=args.seed, share_percent=args.share)
    except (OSError, ValueError, KeyError) as exc:
        print(f"spotcheck: {exc}", file=sys.stderr)
        return 2
    digest = population_digest(decisions)
    print(f"population {len(decisions)} decisions, digest {digest}")
    for township in samples:
        print(f"{township.township}: {len(township.sample)} of {township.population}: "
              + ",".join(township.sample))
    failed = False
    if args.expect_digest is not None and args.expect_digest != digest:
        print(f"spotcheck: the population differs: digest {digest}, expected "
              f"{args.expect_digest}", file=sys.stderr)
        failed = True
    if args.expect_sample is not None:
        drawn = [c for s in samples for c in s.sample]
        expected = [c for c in args.expect_sample.split(",") if c]
        if drawn != expected:
            print(f"spotcheck: the sample differs: {len(set(drawn) - set(expected))} drawn not "
                  f"recorded, {len(set(expected) - set(drawn))} recorded not drawn",
                  file=sys.stderr)
            failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
