#!/usr/bin/env bash
# Benchmark: the freight rush. One departure with 45 FEU, auto-confirm, booking cut-off ahead;
# 300 verified enterprises (registered, approved and logged in through the API) each book
# 1 or 2 FEU (1 x 40HC, 2 x 40HC or 2 x 20GP) at the same moment over 50 connections, each
# booking sent exactly once (bench/freight-rush.py, Python's standard library, no wrk: wrk
# loops for a time, this is one request per enterprise). Release build, production environment.
# Invariants (exit 1 when one fails): every answer 201, confirmed or waitlisted; confirmed FEU
# (the departure's bookings as the port operator reads them) at most 45 and equal to the
# departure's bookedFeu; every waitlisted booking requested after every confirmed one (the
# booking numbers' last part is the request order). Floor from the issue: p99 under 200 ms
# (exit 2 when missed).
# Usage: bench/freight-rush.sh [enterprises] [connections]
# SQLite by default, one instance (port 8092). FREIGHT_BENCH_PG=postgres://user:pass@host/db
# runs two instances (ports 8092 and 8093) on PostgreSQL, in a schema of the run's own
# (FREIGHT_BENCH_SCHEMA to name it; a generated one is dropped afterwards when psql is there),
# requests alternating between them: capacity must hold across instances. A DATABASE_URL
# already in the environment is not used. Setup hashes and checks 300 bcrypt passwords
# (cost 12: a minute or two on two cores); FUGONG_BCRYPT_COST=10 shortens it and does not
# touch the measured bookings, which authenticate by token.
set -euo pipefail
cd "$(dirname "$0")/.."
enterprises="${1:-300}"
connections="${2:-50}"
command -v curl >/dev/null || { apt-get update -q && apt-get install -y -q curl; }
python3 bench/freight-rush.py selftest > /dev/null
swift build -c release --product fugong
data=$(mktemp -d)
unset DATABASE_URL DATABASE_SCHEMA
export LOG_LEVEL=warning
ports=(8092)
schema=""
drop_schema=""
if [ -n "${FREIGHT_BENCH_PG:-}" ]; then
  ports=(8092 8093)
  schema="${FREIGHT_BENCH_SCHEMA:-freight_rush_$(date +%Y%m%d%H%M%S)}"
  [ -n "${FREIGHT_BENCH_SCHEMA:-}" ] || drop_schema=yes
  export DATABASE_URL="$FREIGHT_BENCH_PG" DATABASE_SCHEMA="$schema"
  # Both instances seal personal data with one key (each would otherwise make its own).
  export FUGONG_DATA_KEY="${FUGONG_DATA_KEY:-$(python3 -c 'import base64, os; print(base64.b64encode(os.urandom(32)).decode())')}"
fi
servers=()
cleanup() {
  for pid in ${servers[@]+"${servers[@]}"}; do kill "$pid" 2>/dev/null || true; done
  for pid in ${servers[@]+"${servers[@]}"}; do wait "$pid" 2>/dev/null || true; done
  if [ -n "$drop_schema" ]; then
    if command -v psql >/dev/null; then
      psql "$FREIGHT_BENCH_PG" -qc "DROP SCHEMA IF EXISTS $schema CASCADE" >/dev/null 2>&1 \
        || echo "note: could not drop schema $schema"
    else
      echo "note: schema $schema stays in the database (no psql to drop it)"
    fi
  fi
  rm -rf "$data"
}
trap cleanup EXIT

# Instance i on ports[i], each with a data folder of its own; the first loads the demo district
# (migrations and demo data run under a lock, so the second finds them done).
start() {
  local i=$1 port=${ports[$1]}
  mkdir -p "$data/$i"
  FUGONG_DATA_DIR="$data/$i" .build/release/fugong demo --env production --hostname 127.0.0.1 --port "$port" \
    > "$data/server-$i.log" 2>&1 &
  servers+=($!)
  for _ in $(seq 1 180); do
    curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && return 0
    kill -0 "${servers[$i]}" 2>/dev/null || break
    sleep 1
  done
  echo "the instance on port $port did not start:"
  tail -20 "$data/server-$i.log"
  exit 1
}
bases=()
for i in "${!ports[@]}"; do
  start "$i"
  bases+=(--base "http://127.0.0.1:${ports[$i]}")
done
if [ -n "$schema" ]; then
  echo "== PostgreSQL, schema $schema, ${#ports[@]} instances (ports ${ports[*]}) =="
else
  echo "== SQLite in $data/0, one instance (port ${ports[0]}) =="
fi

set +e
python3 bench/freight-rush.py "${bases[@]}" --enterprises "$enterprises" --connections "$connections" --capacity 45
status=$?
set -e
for i in "${!ports[@]}"; do
  echo "server memory (port ${ports[$i]}): $(ps -o rss= -p "${servers[$i]}" | awk '{printf "%d MB", $1/1024}')"
  if [ "$status" -ne 0 ] && [ -s "$data/server-$i.log" ]; then
    echo "-- last lines of the log of port ${ports[$i]} --"
    tail -20 "$data/server-$i.log"
  fi
done
exit "$status"
