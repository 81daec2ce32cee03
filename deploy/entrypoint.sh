#!/bin/sh
# assist-entrypoint SERVICE | migrate SERVICE | help — the container's one command.
set -eu

services="intake verification approval disbursement complaints audit"

usage() {
  echo "usage: assist-entrypoint <service> [uvicorn options]  (services: $services)"
  echo "       assist-entrypoint migrate <service>|all         (run its migrations, then exit)"
}

is_service() {
  for s in $services; do [ "$s" = "$1" ] && return 0; done
  return 1
}

command="${1:-help}"
case "$command" in
  migrate)
    service="${2:-}"
    if [ "$service" = "all" ]; then
      for s in $services; do python -m shared.migrations "$s"; done
      exit 0
    fi
    is_service "$service" || { usage >&2; exit 2; }
    exec python -m shared.migrations "$service"
    ;;
  help|-h|--help)
    usage
    ;;
  *)
    is_service "$command" || { usage >&2; exit 2; }
    shift
    exec python -m uvicorn --factory "services.${command}.app:create_app" \
      --host 0.0.0.0 --port "${PORT:-8000}" --proxy-headers \
      --forwarded-allow-ips "${FORWARDED_ALLOW_IPS:-*}" --no-server-header "$@"
    ;;
esac
