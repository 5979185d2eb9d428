#!/usr/bin/env bash
# Page latency at scale: a department with N cases (default 10,000) on the embedded SQLite
# database, the clerk's pages under load from wrk (loopback only), p50/p99 per page.
#
#   cargo build --release && benches/load/pages.sh [cases] [connections] [seconds]
#
# Needs wrk (apt-get install wrk). Prints one line per page: path, requests/s, p50, p99.
set -euo pipefail
cd "$(dirname "$0")/../.."
CASES=${1:-10000}
CONNS=${2:-8}
SECS=${3:-15}
BIN=./target/release/ogi-tracker
DIR=$(mktemp -d)
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
export OGI_DATABASE_URL="sqlite://$DIR/ogi.db" OGI_ADMIN_PASSWORD=bench-admin-password \
  OGI_BIND="127.0.0.1:$PORT" OGI_SCHEDULER_SECS=0 OGI_LOG_FORMAT=json RUST_LOG=warn
trap 'kill $SERVER 2>/dev/null || true; rm -rf "$DIR"' EXIT

echo "filling: $CASES cases in one department" >&2
"$BIN" demo --cases "$CASES" --departments 1 --password bench-clerk-password >/dev/null
"$BIN" serve >"$DIR/server.log" 2>&1 &
SERVER=$!
for _ in $(seq 1 50); do curl -fs "http://127.0.0.1:$PORT/health/ready" >/dev/null && break; sleep 0.2; done

# Sign in as the department's clerk the way a browser does (form token, then cookie).
JAR="$DIR/cookies"
CSRF=$(curl -fs -c "$JAR" "http://127.0.0.1:$PORT/login" | sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p' | head -n1)
curl -fs -b "$JAR" -c "$JAR" -o /dev/null -X POST "http://127.0.0.1:$PORT/login" \
  --data-urlencode "csrf=$CSRF" --data-urlencode "username=clerk000" \
  --data-urlencode "password=bench-clerk-password" --data-urlencode "next=/"
SESSION=$(awk '$6 == "ogi_session" { print $7 }' "$JAR")
[ -n "$SESSION" ] || { echo "sign-in failed" >&2; exit 1; }
CASE_ID=$((CASES / 2))

printf '%-28s %10s %10s %10s\n' page req/s p50 p99
for path in "/" "/cases/$CASE_ID" "/cases?q=%E5%9C%B0%E5%9D%97" "/cases/new" "/cases/$CASE_ID/reply?outcome=disclosed"; do
  THREADS=$(( CONNS < 2 ? 1 : 2 ))
  out=$(wrk -t"$THREADS" -c"$CONNS" -d"${SECS}s" --latency -H "Cookie: ogi_session=$SESSION" "http://127.0.0.1:$PORT$path")
  rps=$(echo "$out" | awk '/Requests\/sec/ { print $2 }')
  p50=$(echo "$out" | awk '$1 == "50%" { print $2 }')
  p99=$(echo "$out" | awk '$1 == "99%" { print $2 }')
  non2xx=$(echo "$out" | awk '/Non-2xx/ { print $NF }')
  printf '%-28s %10s %10s %10s %s\n' "$path" "$rps" "$p50" "$p99" "${non2xx:+non-2xx: $non2xx}"
done
