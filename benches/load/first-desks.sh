#!/usr/bin/env bash
# The first desks of the day: a fresh instance (nothing kept, every department's paused
# cases not yet brought up to date), one supervisor's session, 16 concurrent `GET /`.
# Prints the answers' min / median / max time and the service's CPU until then.
#
#   cargo build --release
#   benches/load/first-desks.sh postgres://postgres@127.0.0.1/c_million
#
# The database needs the demo users (`ogi-tracker demo … --password bench-demo-password`).
# Environment: BIN=./target/release/ogi-tracker, PORT=18470, N=16.
set -euo pipefail
cd "$(dirname "$0")/../.."
URL=${1:?database URL}
BIN=${BIN:-./target/release/ogi-tracker}
PORT=${PORT:-18470}
N=${N:-16}
export OGI_DATABASE_URL="$URL" OGI_BIND="127.0.0.1:$PORT" OGI_ADMIN_PASSWORD=bench-admin-password \
  OGI_SCHEDULER_SECS=0 OGI_LOG_FORMAT=json RUST_LOG=warn OGI_POOL_SIZE=16 \
  OGI_JWT_SECRET=bench-secret-bench-secret-bench-secret-01 \
  OGI_AUDIT_KEY=bench-audit-key-bench-audit-key-bench-01
BASE="http://127.0.0.1:$PORT"
JAR=$(mktemp)
"$BIN" serve >/dev/null 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; wait $SERVER 2>/dev/null || true; rm -f "$JAR"' EXIT
for _ in $(seq 1 100); do curl -fs "$BASE/health/ready" >/dev/null && break; sleep 0.2; done
csrf=$(curl -fs -c "$JAR" "$BASE/login" | sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p' | head -n1)
curl -fs -b "$JAR" -c "$JAR" -o /dev/null -X POST "$BASE/login" --data-urlencode "csrf=$csrf" \
  --data-urlencode "username=sup000" --data-urlencode "password=bench-demo-password" \
  --data-urlencode "next=/"
SESSION=$(awk '$6 == "ogi_session" { print $7 }' "$JAR")
[ -n "$SESSION" ] || { echo "sign-in failed" >&2; exit 1; }
seq "$N" | xargs -P"$N" -I{} curl -s -o /dev/null -w "%{time_total}\n" -b "ogi_session=$SESSION" "$BASE/" \
  | sort -n | awk -v n="$N" '{ t[NR] = $1 } END {
      printf "%d first desks: min %.2f s, median %.2f s, max %.2f s\n", n, t[1], t[int((NR + 1) / 2)], t[NR] }'
ticks=$(awk '{ print $14 + $15 }' "/proc/$SERVER/stat")
echo "service CPU until then: $(( ticks * 1000 / $(getconf CLK_TCK) )) ms"
