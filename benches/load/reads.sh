#!/usr/bin/env bash
# Read latency at scale: fills (or reuses) a database with `ogi-tracker demo --bulk`, starts
# the release binary, signs in as the city government's supervisor (the whole tree) and a
# county department's clerk, and runs wrk against each read at 16 connections. For
# PostgreSQL it first takes the pgbench TPC-B-like anchor (scale 1, 16 clients) in a scratch
# database named after the target with `_pgbench` appended (created and dropped here).
# Prints one markdown table: the anchor, the HTTP floor (`/health/live`) and every read —
# requests/s, p50, p99, non-2xx — with the load average before and after.
#
#   cargo build --release
#   benches/load/reads.sh postgres://postgres@127.0.0.1/h1_million 1000000 [departments] [seconds] [port]
#   benches/load/reads.sh sqlite:///tmp/h1-10k.db 10000
#
# A database that already has the demo users is reused as it is (the case count is then
# only echoed). Needs wrk and curl; psql and pgbench for the anchor.
set -euo pipefail
cd "$(dirname "$0")/../.."
URL=${1:?database URL}
CASES=${2:?case count}
DEPTS=${3:-100}
SECS=${4:-10}
PORT=${5:-18150}
CONNS=${CONNS:-16}
BIN=${BIN:-./target/release/ogi-tracker}
PASSWORD=bench-demo-password
LOG=$(mktemp)
export OGI_DATABASE_URL="$URL" OGI_ADMIN_PASSWORD=bench-admin-password OGI_BIND="127.0.0.1:$PORT" \
  OGI_SCHEDULER_SECS=0 OGI_LOG_FORMAT=json RUST_LOG=warn OGI_POOL_SIZE=16 \
  OGI_JWT_SECRET=bench-secret-bench-secret-bench-secret-01 OGI_LOGIN_CONCURRENCY=2 \
  OGI_AUDIT_KEY=bench-audit-key-bench-audit-key-bench-01
BASE="http://127.0.0.1:$PORT"
SERVER=
PGBENCH_URL=
cleanup() {
  [ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null
  [ -n "$PGBENCH_URL" ] && psql -q "${PGBENCH_URL%/*}/postgres" \
    -c "DROP DATABASE IF EXISTS \"${PGBENCH_URL##*/}\"" >/dev/null 2>&1
  rm -f "$LOG"
}
trap cleanup EXIT

start() {
  "$BIN" serve >"$LOG" 2>&1 &
  SERVER=$!
  for _ in $(seq 1 100); do curl -fs "$BASE/health/ready" >/dev/null && return; sleep 0.2; done
  echo "server did not start:" >&2; cat "$LOG" >&2; exit 1
}
token() {
  curl -fs -X POST "$BASE/api/v1/auth/login" -H 'Content-Type: application/json' \
    -d "{\"username\":\"$1\",\"password\":\"$PASSWORD\"}" | sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p'
}
session() { # signs in through the form like a browser; prints the session cookie value
  local jar csrf; jar=$(mktemp)
  csrf=$(curl -fs -c "$jar" "$BASE/login" | sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p' | head -n1)
  curl -fs -b "$jar" -c "$jar" -o /dev/null -X POST "$BASE/login" --data-urlencode "csrf=$csrf" \
    --data-urlencode "username=$1" --data-urlencode "password=$PASSWORD" --data-urlencode "next=/"
  awk '$6 == "ogi_session" { print $7 }' "$jar"; rm -f "$jar"
}

start
if [ -z "$(token sup000)" ]; then
  kill $SERVER; wait $SERVER 2>/dev/null || true; SERVER=
  echo "filling: $CASES cases over $DEPTS departments" >&2
  time "$BIN" demo --cases "$CASES" --departments "$DEPTS" --password "$PASSWORD" --bulk >/dev/null
  start
fi
SUP=$(token sup000); CLERK=$(token clerk002); SUP_S=$(session sup000); CLERK_S=$(session clerk002)
[ -n "$SUP" ] && [ -n "$CLERK" ] && [ -n "$SUP_S" ] && [ -n "$CLERK_S" ] || { echo "sign-in failed" >&2; exit 1; }
# The biggest county (department 001 with its subtree) and one of the clerk's cases.
COUNTY=$(curl -fs -H "Authorization: Bearer $SUP" "$BASE/api/v1/departments" | grep -o '"id":[0-9]*,"name":"示范第1县人民政府"' | grep -o '[0-9]*' | head -n1)
CASE_ID=$(curl -fs -H "Authorization: Bearer $CLERK" "$BASE/api/v1/cases?sort=received&limit=1" | grep -o '"id":[0-9]*' | head -n1 | cut -d: -f2)
YEAR=$(( $(date +%Y) - 1 ))
# The first read of a day brings paused cases up to date: do it before measuring.
curl -fs -o /dev/null -b "ogi_session=$SUP_S" "$BASE/"

# The anchor: what this machine's PostgreSQL does with 16 clients of TPC-B-like writes.
ANCHOR=
case "$URL" in
  postgres://* | postgresql://*)
    PGBENCH_URL="${URL%%\?*}_pgbench"
    psql -q "${PGBENCH_URL%/*}/postgres" -c "DROP DATABASE IF EXISTS \"${PGBENCH_URL##*/}\"" \
      -c "CREATE DATABASE \"${PGBENCH_URL##*/}\"" >/dev/null 2>&1
    pgbench -i -q "$PGBENCH_URL" >/dev/null 2>&1
    ANCHOR=$(pgbench -n -c "$CONNS" -j 2 -T "$SECS" "$PGBENCH_URL" 2>/dev/null \
      | awk '/^tps = / { printf "%.0f", $3 }')
    ;;
esac

run() { # label, auth header, path[, connections]
  local out rps p50 p99 bad conns=${4:-$CONNS}
  out=$(wrk -t$(( conns < 2 ? 1 : 2 )) -c"$conns" -d"${SECS}s" --timeout 30s --latency -H "$2" "$BASE$3")
  rps=$(echo "$out" | awk '/Requests\/sec/ { print $2 }')
  p50=$(echo "$out" | awk '$1 == "50%" { print $2 }')
  p99=$(echo "$out" | awk '$1 == "99%" { print $2 }')
  bad=$(echo "$out" | awk '/Non-2xx/ { print $NF }')
  printf '| %s | `%s` | %s | %s | %s | %s |\n' "$1" "$3" "$rps" "$p50" "$p99" "${bad:-0}"
}
echo "cases: $CASES, departments: $DEPTS, connections: $CONNS, ${SECS}s each, $(nproc) cores, $(date -u +%F)"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| read | path | req/s | p50 | p99 | non-2xx |"
echo "|---|---|---:|---:|---:|---:|"
[ -n "$ANCHOR" ] && printf '| pgbench TPC-B-like, %s clients (anchor) | — | %s tps | | | |\n' "$CONNS" "$ANCHOR"
run "HTTP floor" "X-Bench: 1" "/health/live"
run "case read (clerk)" "Authorization: Bearer $CLERK" "/api/v1/cases/$CASE_ID"
run "desk page (clerk)" "Cookie: ogi_session=$CLERK_S" "/"
run "desk page (supervisor, whole tree)" "Cookie: ogi_session=$SUP_S" "/"
run "desk JSON (supervisor, whole tree)" "Authorization: Bearer $SUP" "/api/v1/desk"
run "open cases by due date, 200 (supervisor)" "Authorization: Bearer $SUP" "/api/v1/cases?status=received,awaiting_correction,in_progress,paused&limit=200"
run "overdue list page (supervisor, limit 50)" "Cookie: ogi_session=$SUP_S" "/cases?overdue=1&limit=50"
run "search 2 chars (supervisor)" "Authorization: Bearer $SUP" "/api/v1/cases?q=%E5%BE%81%E6%94%B6&limit=50"
run "search 4 chars (supervisor)" "Authorization: Bearer $SUP" "/api/v1/cases?q=%E5%87%BA%E8%AE%A9%E5%90%88%E5%90%8C&limit=50"
run "search 2 chars, no match" "Authorization: Bearer $SUP" "/api/v1/cases?q=%E5%9C%B0%E5%9D%97&limit=50"
run "annual report $YEAR, county with subtree" "Authorization: Bearer $SUP" "/api/v1/reports/annual?year=$YEAR&department_id=$COUNTY&include_subtree=true"
run "annual report $YEAR, county with subtree, one at a time" "Authorization: Bearer $SUP" "/api/v1/reports/annual?year=$YEAR&department_id=$COUNTY&include_subtree=true" 1
echo
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
