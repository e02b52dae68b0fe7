#!/bin/bash
# Filter throughput, side by side: `banctl regex` (banhammer's sshd filter) and Debian's
# `fail2ban-regex` (fail2ban's sshd filter) over the same seeded auth.log, in one run.
# Prints lines/s and peak memory of each, and the ratio. Needs root for the apt-get install.
# Usage: bash bench/regex-vs-fail2ban.sh [LINES]   (default 1000000)
set -euo pipefail
cd "$(dirname "$0")/.."
LINES=${1:-1000000}
if ! command -v fail2ban-regex >/dev/null || ! [ -x /usr/bin/time ]; then
  if [ "$(id -u)" = 0 ]; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends fail2ban time >/dev/null
  else
    echo "needs: sudo apt-get install -y fail2ban time" >&2; exit 1
  fi
fi
npm run --silent build
LOG=$(mktemp /tmp/banhammer-bench-XXXX.log)
trap 'rm -f "$LOG" "$LOG".*' EXIT
node bench/gen-authlog.mjs "$LINES" "$LOG" 42
export BANCTL_NOW=$(date -d 2026-11-28 +%s)

measure() { # name, command...: prints "seconds peak_kib"
  local name=$1; shift
  /usr/bin/time -f '%e %M' -o "$LOG.$name" "$@" >/dev/null 2>"$LOG.$name.err" || { cat "$LOG.$name.err" >&2; exit 1; }
  cat "$LOG.$name"
}
read -r bh_s bh_kib < <(measure banhammer node bin/banctl.js regex -c . "$LOG" sshd)
read -r bh1_s bh1_kib < <(measure banhammer1 node bin/banctl.js regex --jobs 1 -c . "$LOG" sshd)
read -r f2b_s f2b_kib < <(measure fail2ban fail2ban-regex "$LOG" /etc/fail2ban/filter.d/sshd.conf)
node -e '
const [lines, bs, bk, b1s, b1k, fs, fk] = process.argv.slice(1).map(Number);
const rate = (s) => Math.round(lines / s);
console.log(`machine: ${require("os").cpus().length} CPUs, ${require("os").cpus()[0].model}`);
console.log(`lines: ${lines}`);
console.log(`| tool | seconds | lines/s | peak RSS MiB |`);
console.log(`|---|---:|---:|---:|`);
console.log(`| banctl regex (banhammer sshd; parts on ${Math.min(4, require("os").availableParallelism())} threads) | ${bs} | ${rate(bs)} | ${(bk / 1024).toFixed(0)} |`);
console.log(`| banctl regex --jobs 1 (one thread) | ${b1s} | ${rate(b1s)} | ${(b1k / 1024).toFixed(0)} |`);
console.log(`| fail2ban-regex (fail2ban sshd) | ${fs} | ${rate(fs)} | ${(fk / 1024).toFixed(0)} |`);
console.log(`ratio banhammer / fail2ban: ${(rate(bs) / rate(fs)).toFixed(2)}x (one thread: ${(rate(b1s) / rate(fs)).toFixed(2)}x)`);
' "$LINES" "$bh_s" "$bh_kib" "$bh1_s" "$bh1_kib" "$f2b_s" "$f2b_kib"
