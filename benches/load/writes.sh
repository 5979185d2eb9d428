#!/usr/bin/env bash
# Write load: case intake under concurrency, against a TPC-B-like pgbench anchor taken on
# the same machine in the same run.
#
#   cargo build --release
#   benches/load/writes.sh postgres://postgres@127.0.0.1/h2_writes   # PostgreSQL
#   benches/load/writes.sh sqlite                                     # SQLite (temp file)
#   OGI_SQLITE_SYNC=normal benches/load/writes.sh sqlite              # SQLite, no sync per commit
#
# For PostgreSQL the named database is dropped and created afresh, and pgbench runs in a
# second database named after it with `_pgbench` appended (also dropped and created; both
# are dropped at the end). For SQLite the pgbench anchor runs only if PGBENCH_URL names a
# PostgreSQL database to use for it.
#
# Environment (defaults): PREFILL=10000 cases made by `ogi-tracker demo` in one department
# before measuring; SECS=20 per run; CONNS=16; PORT=18201; POOL=16 (OGI_POOL_SIZE);
# BATCH_CONNS=2; BIN=./target/release/ogi-tracker. Needs wrk, curl, jq, and for PostgreSQL psql and pgbench.
# Prints a markdown table: pgbench tps, create rps/p50/p99/non-2xx at CONNS and at 64
# connections, batch intake cases/s.
set -euo pipefail
export PGOPTIONS="-c client_min_messages=warning"
cd "$(dirname "$0")/../.."
TARGET=${1:?usage: writes.sh postgres://…/dbname | sqlite}
PREFILL=${PREFILL:-10000}
SECS=${SECS:-20}
CONNS=${CONNS:-16}
PORT=${PORT:-18201}
POOL=${POOL:-16}
BATCH_CONNS=${BATCH_CONNS:-2}
BIN=${BIN:-./target/release/ogi-tracker}
LOAD=benches/load
DIR=$(mktemp -d)
SERVER=
PGBENCH_URL=${PGBENCH_URL:-}
DROP_DBS=()

cleanup() {
  [ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null && wait "$SERVER" 2>/dev/null || true
  for url in "${DROP_DBS[@]}"; do
    psql -q "$(admin_url "$url")" -c "DROP DATABASE IF EXISTS \"$(db_name "$url")\"" >/dev/null || true
  done
  rm -rf "$DIR"
}
trap cleanup EXIT

db_name() { local u=${1%%\?*}; echo "${u##*/}"; }
admin_url() { local u=${1%%\?*}; echo "${u%/*}/postgres"; }
fresh_db() {
  psql -q "$(admin_url "$1")" -c "DROP DATABASE IF EXISTS \"$(db_name "$1")\"" \
    -c "CREATE DATABASE \"$(db_name "$1")\"" >/dev/null
  DROP_DBS+=("$1")
}

case "$TARGET" in
  postgres://* | postgresql://*)
    fresh_db "$TARGET"
    export OGI_DATABASE_URL=$TARGET
    PGBENCH_URL=${PGBENCH_URL:-${TARGET%%\?*}_pgbench}
    BACKEND=PostgreSQL
    ;;
  sqlite)
    export OGI_DATABASE_URL="sqlite://$DIR/ogi.db"
    BACKEND="SQLite (synchronous = ${OGI_SQLITE_SYNC:-full})"
    ;;
  *) echo "expected postgres://…/dbname or sqlite" >&2; exit 2 ;;
esac
export OGI_ADMIN_PASSWORD=bench-admin-password OGI_BIND="127.0.0.1:$PORT" \
  OGI_SCHEDULER_SECS=0 OGI_LOG_FORMAT=json RUST_LOG=warn OGI_POOL_SIZE=$POOL \
  OGI_JWT_SECRET=bench-secret-bench-secret-bench-secret-0 \
  OGI_AUDIT_KEY=bench-audit-key-bench-audit-key-bench-0
BASE="http://127.0.0.1:$PORT"

# The anchor first, while nothing else runs: TPC-B-like, scale 1, CONNS clients.
TPS=n/a
if [ -n "$PGBENCH_URL" ]; then
  fresh_db "$PGBENCH_URL"
  echo "pgbench: initialising $(db_name "$PGBENCH_URL")" >&2
  pgbench -i -q "$PGBENCH_URL" >/dev/null 2>&1
  echo "pgbench: TPC-B-like, $CONNS clients, ${SECS}s" >&2
  TPS=$(pgbench -n -c "$CONNS" -j 2 -T "$SECS" "$PGBENCH_URL" 2>/dev/null \
    | awk '/^tps = / { printf "%.0f", $3 }')
fi

echo "filling: $PREFILL cases in one department ($BACKEND)" >&2
"$BIN" demo --cases "$PREFILL" --departments 1 --bulk --password bench-clerk-password >/dev/null
"$BIN" serve >"$DIR/server.log" 2>&1 &
SERVER=$!
for _ in $(seq 1 100); do curl -fs "$BASE/health/ready" >/dev/null && break; sleep 0.2; done
TOKEN=$(curl -fs -X POST "$BASE/api/v1/auth/login" -H 'Content-Type: application/json' \
  -d '{"username":"clerk000","password":"bench-clerk-password"}' | jq -r .access_token)
[ -n "$TOKEN" ] && [ "$TOKEN" != null ] || { echo "login failed" >&2; exit 1; }
export TOKEN TODAY=${TODAY:-$(TZ=Asia/Shanghai date +%F)}

# wrk output → "rps p50 p99 non2xx"
measure() {
  local out
  out=$(wrk "$@")
  echo "$out" | awk '
    /Requests\/sec/ { rps = $2 }
    $1 == "50%" { p50 = $2 }
    $1 == "99%" { p99 = $2 }
    /^NON2XX/ { bad = $2 }
    END { printf "%s %s %s %s\n", rps, p50, p99, bad }'
}

echo "create: $CONNS connections, ${SECS}s" >&2
read -r C_RPS C_P50 C_P99 C_BAD < <(measure -t2 -c"$CONNS" -d"${SECS}s" --latency \
  -s "$LOAD/create.lua" "$BASE/api/v1/cases")
echo "create: 64 connections, 10s" >&2
read -r C64_RPS C64_P50 C64_P99 C64_BAD < <(measure -t2 -c64 -d10s --latency \
  -s "$LOAD/create.lua" "$BASE/api/v1/cases")
echo "batch: $BATCH_CONNS connections × 500 cases, ${SECS}s" >&2
read -r B_RPS B_P50 B_P99 B_BAD < <(measure -t"$BATCH_CONNS" -c"$BATCH_CONNS" -d"${SECS}s" \
  --timeout 30s --latency -s "$LOAD/batch.lua" "$BASE/api/v1/cases/batch")
B_CASES=$(awk -v r="$B_RPS" 'BEGIN { printf "%.0f", r * 500 }')

half=$(awk -v t="$TPS" 'BEGIN { if (t == "n/a") print "n/a"; else printf "%.0f", t / 2 }')
echo
echo "$BACKEND, $(nproc) cores, prefill $PREFILL cases, ${SECS}s runs ($(date -u +%F))"
echo
echo "| work | result |"
echo "|---|---|"
echo "| pgbench TPC-B-like, $CONNS clients (anchor; half = $half) | $TPS tps |"
echo "| \`POST /api/v1/cases\`, $CONNS connections | $C_RPS rps, p50 $C_P50, p99 $C_P99, non-2xx $C_BAD |"
echo "| \`POST /api/v1/cases\`, 64 connections | $C64_RPS rps, p50 $C64_P50, p99 $C64_P99, non-2xx $C64_BAD |"
echo "| \`POST /api/v1/cases/batch\` (500 per call), $BATCH_CONNS connections | $B_CASES cases/s, p99 $B_P99 per call, non-2xx $B_BAD |"
