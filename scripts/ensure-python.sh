#!/usr/bin/env bash
# Make sure the interpreter can create virtual environments; on Debian that needs python3-venv.
set -euo pipefail
python="${1:-python3}"
if ! command -v "$python" >/dev/null 2>&1; then
  echo "asyncguard: $python not found; install Python 3.9 or newer" >&2
  exit 1
fi
if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 9))'; then
  echo "asyncguard: $python is older than 3.9" >&2
  exit 1
fi
if ! "$python" -c 'import ensurepip, venv' >/dev/null 2>&1; then
  if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    apt-get update -qq && apt-get install -y -qq python3-venv >/dev/null
  else
    echo "asyncguard: $python cannot create virtual environments; install python3-venv" >&2
    exit 1
  fi
fi
