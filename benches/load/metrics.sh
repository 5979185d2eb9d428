#!/usr/bin/env bash
# The cost of observability at scale on PostgreSQL: /metrics scraped under load (its open
# and overdue counts range over the cases (status, due_on) index) with N cases in the
# database (default 1,000,000, 10 % of them open), next to the /health/live floor that
# every request's metrics middleware also pays. Prints requests/s, p50 and p99 per path,
# and the planner's timing of the two counts.
#
#   cargo build --release && benches/load/metrics.sh [cases] [connections] [seconds]
#
# OGI_BENCH_PG_URL names a server where the script may create and drop the database
# `ogi_bench_metrics` (default postgres://postgres@127.0.0.1/postgres; OGI_BENCH_DB and
# OGI_BENCH_PORT override the database name and the port). Needs wrk and psql.
set -euo pipefail
cd "$(dirname "$0")/../.."
CASES=${1:-1000000}
CONNS=${2:-16}
SECS=${3:-15}
ADMIN_URL=${OGI_BENCH_PG_URL:-postgres://postgres@127.0.0.1/postgres}
DB=${OGI_BENCH_DB:-ogi_bench_metrics}
DB_URL="${ADMIN_URL%/*}/$DB"
BIN=./target/release/ogi-tracker
TOKEN=bench-metrics-token-0123456789
DIR=$(mktemp -d)
PORT=${OGI_BENCH_PORT:-$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')}
export OGI_DATABASE_URL="$DB_URL" OGI_JWT_SECRET=bench-jwt-secret-0123456789abcdef0123 \
  OGI_AUDIT_KEY=bench-audit-key-0123456789abcdef0123456 \
  OGI_ADMIN_PASSWORD=bench-admin-password OGI_BIND="127.0.0.1:$PORT" OGI_SCHEDULER_SECS=0 \
  OGI_METRICS_TOKEN="$TOKEN" OGI_LOG_FORMAT=json RUST_LOG=warn
SERVER=""
cleanup() {
  [ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null || true
  psql -q "$ADMIN_URL" -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "$DIR"
}
trap cleanup EXIT

psql -q "$ADMIN_URL" -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" -c "CREATE DATABASE $DB" >/dev/null
echo "filling: a demo department, then $CASES cases (85 % replied, 5 % closed, 10 % open)" >&2
"$BIN" demo --cases 20 --departments 1 --password bench-clerk-password >/dev/null
psql -q "$DB_URL" <<SQL
INSERT INTO cases (department_id, case_number, year, seq, applicant_type, applicant_name,
  channel, submitted_on, received_on, status, due_on, due_sort, receipt_sort, created_by,
  created_at, updated_at)
SELECT c.department_id, 'B' || g, 2000 + (g % 20), 100000 + g, 'natural_person', '申请人' || g,
  'in_person', DATE '2020-01-01' + (g % 2500), DATE '2020-01-01' + (g % 2500),
  CASE WHEN g % 100 < 85 THEN 'replied' WHEN g % 100 < 90 THEN 'closed'
       WHEN g % 100 < 97 THEN 'in_progress' ELSE 'received' END,
  DATE '2020-01-01' + (g % 2500) + 28, DATE '2020-01-01' + (g % 2500) + 28,
  DATE '2020-01-01' + (g % 2500), c.created_by, now(), now()
FROM generate_series(1, $CASES) g, (SELECT department_id, created_by FROM cases LIMIT 1) c;
VACUUM ANALYZE cases;
SQL

"$BIN" serve >"$DIR/server.log" 2>&1 &
SERVER=$!
for _ in $(seq 1 50); do curl -fs "http://127.0.0.1:$PORT/health/ready" >/dev/null && break; sleep 0.2; done

printf '%-14s %10s %10s %10s\n' path req/s p50 p99
for path in /health/live /metrics; do
  THREADS=$(( CONNS < 2 ? 1 : 2 ))
  out=$(wrk -t"$THREADS" -c"$CONNS" -d"${SECS}s" --latency -H "Authorization: Bearer $TOKEN" \
    "http://127.0.0.1:$PORT$path")
  rps=$(echo "$out" | awk '/Requests\/sec/ { print $2 }')
  p50=$(echo "$out" | awk '$1 == "50%" { print $2 }')
  p99=$(echo "$out" | awk '$1 == "99%" { print $2 }')
  non2xx=$(echo "$out" | awk '/Non-2xx/ { print $NF }')
  printf '%-14s %10s %10s %10s %s\n' "$path" "$rps" "$p50" "$p99" "${non2xx:+non-2xx: $non2xx}"
done
curl -fs -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT/metrics" | grep '^ogi_cases'
for q in "status IN ('received','awaiting_correction','in_progress','paused')" \
         "status IN ('received','in_progress','awaiting_correction') AND due_on < CURRENT_DATE"; do
  t=$(psql -At "$DB_URL" -c "EXPLAIN (ANALYZE) SELECT COUNT(*) FROM cases WHERE $q" | awk '/Execution Time/ { print $3 }')
  echo "COUNT where $q: $t ms"
done
