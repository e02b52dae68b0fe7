#!/bin/sh
# Makes a checkout runnable on Debian 12 with Node 20: system packages, npm packages, build.
# `npm start` and `npm test` call this first. As root it installs what is missing with
# apt-get; otherwise it stops and prints the exact command to run.
set -eu
cd "$(dirname "$0")/.."

missing=""
command -v nft >/dev/null 2>&1 || missing="$missing nftables"
command -v ip >/dev/null 2>&1 || missing="$missing iproute2"
dpkg -s libnftables-dev >/dev/null 2>&1 || missing="$missing libnftables-dev"
dpkg -s libre2-dev >/dev/null 2>&1 || missing="$missing libre2-dev"
dpkg -s libpcre2-dev >/dev/null 2>&1 || missing="$missing libpcre2-dev"
# re2 and better-sqlite3 compile from source during npm ci.
command -v g++ >/dev/null 2>&1 || missing="$missing g++"
command -v make >/dev/null 2>&1 || missing="$missing make"
command -v python3 >/dev/null 2>&1 || missing="$missing python3"
# The journal tests write real journal files with it (no journald needed).
[ -x /lib/systemd/systemd-journal-remote ] || missing="$missing systemd-journal-remote"

if [ -n "$missing" ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "banhammer: installing system packages:$missing"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing
  else
    echo "banhammer needs these system packages:$missing" >&2
    echo "Install them with:" >&2
    echo "  sudo apt-get install -y$missing" >&2
    exit 1
  fi
fi

# npm ci when node_modules is missing or older than the lock file.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi

npm run --silent build
