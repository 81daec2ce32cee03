"""Print a bearer token for a demo user: ``python -m tools.token --role caseworker``.

The token is signed with the secret of the data folder ``make run`` uses (``--data-dir``, else
``$ASSIST_DATA_DIR``, else ``./data``; or ``$ASSIST_JWT_SECRET``). Without one it stops with a
message: a secret made here would be one the running services don't know.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from shared.auth import existing_secret
from shared.settings import Settings
from tools.demo import DEMO_ROLES, demo_token, demo_users, find_demo_user
from tools.installation import installation_settings


def token_settings(data_dir: Path | None = None, county: str | None = None) -> Settings:
    """Settings that find the installation's JWT secret (ASSIST_* env, then the options)."""
    return installation_settings("tools", data_dir, county)


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m tools.token",
        description="Print a bearer token (HS256, this installation's secret) for a demo user.",
    )
    p.add_argument("--role", help=f"one of: {', '.join(DEMO_ROLES)}")
    p.add_argument("--division", help="division code of the demo user (default: the first one "
                   "of that role in the county)")
    p.add_argument("--data-dir", type=Path, default=None,
                   help="the data folder of `make run`, holding jwt-secret "
                   "(default, as for make run: $ASSIST_DATA_DIR or ./data)")
    p.add_argument("--county", default=None, help="county code (default: $ASSIST_COUNTY or 230722)")
    p.add_argument("--ttl", type=int, default=None,
                   help="validity in seconds (default 12 h; at most $ASSIST_JWT_MAX_LIFETIME_S)")
    p.add_argument("--list", action="store_true", help="list the demo users and exit")
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if args.list:
        for user in demo_users():
            print(f"{user.role:<18} {user.division:<13} {user.user_id:<36} {user.name}")
        return 0
    role = (args.role or "").strip()
    if role not in DEMO_ROLES:
        given = f"unknown role {role!r}" if role else "no role given"
        print(f"error: {given}; roles: {', '.join(DEMO_ROLES)}", file=sys.stderr)
        print("usage: make token ROLE=caseworker [DIVISION=230722100]", file=sys.stderr)
        return 2
    settings = token_settings(args.data_dir, args.county)
    try:
        user = find_demo_user(role, args.division or None, county=settings.county)
    except LookupError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if existing_secret(settings) is None:
        print(f"error: no JWT secret in {settings.jwt_secret_file.resolve()}: the services of "
              "that data folder have not been started yet.\n"
              "       Start them first with `make run` (it creates the secret), or name the data "
              "folder they use:\n"
              f"       make token ROLE={role} DATA_DIR=/path/to/data  "
              "(or --data-dir, $ASSIST_DATA_DIR, $ASSIST_JWT_SECRET)", file=sys.stderr)
        return 1
    if settings.jwt_jwks_url:
        print("warning: ASSIST_JWT_JWKS_URL is set; services will not accept this HS256 token",
              file=sys.stderr)
    try:
        token = demo_token(settings, user, ttl_s=args.ttl)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    secret = "$ASSIST_JWT_SECRET" if settings.jwt_secret else settings.jwt_secret_file
    print(f"# {user.name}: {user.user_id}, role {user.role}, division {user.division}, "
          f"signed with {secret}", file=sys.stderr)
    print(token)
    return 0


if __name__ == "__main__":
    sys.exit(main())
