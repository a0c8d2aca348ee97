#!/usr/bin/env bash
# Installs what SafeGround needs from Debian's packages, and only what is missing:
# PostgreSQL server + the matching PostGIS, Python's venv module, and with --browser Chromium
# (for the browser tests). Quick when everything is there already.
set -euo pipefail

want_browser=0
for arg in "$@"; do
  case "$arg" in
    --browser) want_browser=1 ;;
    *) echo "usage: $0 [--browser]" >&2; exit 2 ;;
  esac
done

if [ "$(id -u)" = 0 ]; then
  SUDO=""
elif command -v sudo >/dev/null 2>&1; then
  SUDO="sudo"
else
  SUDO="__none__"
fi

apt_updated=0
install() {
  if [ "$SUDO" = "__none__" ]; then
    echo "SafeGround needs these Debian packages: $*" >&2
    echo "Ask an administrator to run: apt-get install $*" >&2
    exit 1
  fi
  if [ "$apt_updated" = 0 ]; then
    echo "Installing system packages: $*"
    $SUDO apt-get update -qq
    apt_updated=1
  fi
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

pg_major() { ls /usr/lib/postgresql 2>/dev/null | sort -V | tail -n 1; }

if [ -z "$(pg_major)" ] || [ ! -x "/usr/lib/postgresql/$(pg_major)/bin/initdb" ]; then
  install postgresql postgresql-client
fi
major="$(pg_major)"
if [ ! -f "/usr/share/postgresql/$major/extension/postgis.control" ]; then
  install "postgresql-$major-postgis-3" "postgresql-$major-postgis-3-scripts"
fi

missing=()
python3 -c 'import ensurepip, venv' >/dev/null 2>&1 || missing+=(python3-venv)
command -v runuser >/dev/null 2>&1 || missing+=(util-linux)
if [ "$want_browser" = 1 ]; then
  command -v chromium >/dev/null 2>&1 || missing+=(chromium)
  # fonts so that screenshots show text, including Cyrillic
  [ -d /usr/share/fonts/truetype/dejavu ] || missing+=(fonts-dejavu-core)
fi
if [ "${#missing[@]}" -gt 0 ]; then
  install "${missing[@]}"
fi
