#!/usr/bin/env bash
# Benchmark: the workforce writes on SQLite (one instance), on PostgreSQL (one instance) and on
# PostgreSQL with two instances behind nginx (deploy/nginx-config.sh), release build, production
# environment. The load is bench/workforce.sh's: health reports (POST /api/v1/health-reports,
# 100 employee accounts per enterprise, each with its token) and gate check-ins
# (POST /api/v1/gate/check-ins, each enterprise's guard, random employee numbers), each for
# [seconds] at [connections], with wrk; the data comes from `fugong bench-workforce` as there.
# With two instances, a live event's delay between them is measured under the health-report
# load (bench/cluster-live.py: a page on B, fever reports through A).
# Floors from issue 17: at least 1,000 writes/s with p99 under 150 ms, for each kind and each
# setup; the live event's p99 under 1 s. Exit 2 when one is missed.
#
# Usage: bench/cluster.sh [seconds] [connections]
#   CLUSTER_BENCH_ENTERPRISES (100), CLUSTER_BENCH_EMPLOYEES (200000), CLUSTER_BENCH_DAYS (30):
#     the data (bench-workforce's options; the issue's data takes about 7 minutes on SQLite and
#     longer on PostgreSQL: smaller numbers for a quick look);
#   CLUSTER_BENCH_DIR=folder keeps the SQLite data and the token files there, and then the
#     PostgreSQL database too, for the next run (else both are made anew and removed);
#   CLUSTER_BENCH_DATABASE_URL (postgres://fugong:fugong@127.0.0.1:5432/fugong_bench): created
#     when missing (the role needs CREATEDB); for that default, PostgreSQL is started if need be;
#   CLUSTER_BENCH_PORT (8190): nginx; the instances take the next two ports;
#   FUGONG_BIN=path: use that binary and build nothing (else `swift build -c release`).
set -euo pipefail
cd "$(dirname "$0")/.."
duration="${1:-30}"
connections="${2:-50}"
enterprises="${CLUSTER_BENCH_ENTERPRISES:-100}"
employees="${CLUSTER_BENCH_EMPLOYEES:-200000}"
days="${CLUSTER_BENCH_DAYS:-30}"
default_url="postgres://fugong:fugong@127.0.0.1:5432/fugong_bench"
pg_url="${CLUSTER_BENCH_DATABASE_URL:-$default_url}"
port_n="${CLUSTER_BENCH_PORT:-8190}"
port_a=$((port_n + 1))
port_b=$((port_n + 2))
floor_rate=1000
floor_p99=150

missing=()
command -v wrk >/dev/null || missing+=(wrk)
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || missing+=(nginx-light)
command -v psql >/dev/null || missing+=(postgresql)
if [ ${#missing[@]} -gt 0 ]; then
  apt-get install -y -q "${missing[@]}" || { apt-get update -q && apt-get install -y -q "${missing[@]}"; }
fi
export PATH="$PATH:/usr/sbin"

if [ -n "${FUGONG_BIN:-}" ]; then
  bin="$FUGONG_BIN"
else
  swift build -c release --product fugong
  bin=.build/release/fugong
fi
echo "binary: $bin"

# --- PostgreSQL ----------------------------------------------------------------------------------
if [ "$pg_url" = "$default_url" ] && ! pg_isready -q -h 127.0.0.1 -p 5432; then
  version=$(ls /etc/postgresql | sort -n | tail -n 1)
  pg_ctlcluster "$version" main start
  for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
fi
pg_name="${pg_url##*/}"; pg_name="${pg_name%%\?*}"
pg_admin_url="${pg_url%/*}/postgres"
if [ "$pg_url" = "$default_url" ] && [ "$(id -u)" = 0 ]; then
  su postgres -c "psql -tAc \"SELECT 1 FROM pg_roles WHERE rolname = 'fugong'\"" | grep -q 1 \
    || su postgres -c "psql -q -c \"CREATE ROLE fugong LOGIN PASSWORD 'fugong' CREATEDB;\""
  # Group commit for many small durable writes (README, "PostgreSQL, several instances"): a
  # commit waits CLUSTER_BENCH_COMMIT_DELAY µs (200) for others to share its WAL flush when five
  # or more are running.
  su postgres -c "psql -q -c 'ALTER SYSTEM SET commit_delay = ${CLUSTER_BENCH_COMMIT_DELAY:-200}'"
  su postgres -c "psql -q -c 'ALTER SYSTEM SET commit_siblings = 5'"
  su postgres -c "psql -q -c 'SELECT pg_reload_conf()'" >/dev/null
  echo "PostgreSQL: commit_delay ${CLUSTER_BENCH_COMMIT_DELAY:-200} µs, commit_siblings 5"
fi
# As many connections as the load has (50 connections, two event loops an instance).
export FUGONG_DB_CONNECTIONS_PER_LOOP="${FUGONG_DB_CONNECTIONS_PER_LOOP:-24}"

# --- folders, and what the end removes ------------------------------------------------------------
keep="${CLUSTER_BENCH_DIR:-}"
dir="${CLUSTER_BENCH_DIR:-$(mktemp -d)}"
mkdir -p "$dir/sqlite" "$dir/pg" "$dir/nginx" "$dir/logs"
if [ -z "$keep" ] || ! psql -X -q -d "$pg_url" -c "SELECT 1 FROM users LIMIT 1" >/dev/null 2>&1; then
  psql -X -q -d "$pg_admin_url" -c "SET client_min_messages = warning" \
    -c "DROP DATABASE IF EXISTS \"$pg_name\" WITH (FORCE)" -c "CREATE DATABASE \"$pg_name\""
  rm -f "$dir/pg"/bench-*.txt
fi
unset DATABASE_URL DATABASE_SCHEMA FUGONG_DATA_KEY
export LOG_LEVEL=warning
pids=()
stop_all() {
  for pid in ${pids[@]+"${pids[@]}"}; do kill "$pid" 2>/dev/null || true; done
  for pid in ${pids[@]+"${pids[@]}"}; do wait "$pid" 2>/dev/null || true; done
  pids=()
}
cleanup() {
  stop_all
  if [ -z "$keep" ]; then
    psql -X -q -d "$pg_admin_url" -c "DROP DATABASE IF EXISTS \"$pg_name\" WITH (FORCE)" >/dev/null 2>&1 || true
    rm -rf "$dir"
  fi
}
trap cleanup EXIT

# --- the data: once on SQLite, once on PostgreSQL -------------------------------------------------
generate() {  # data folder, then DATABASE_URL for PostgreSQL
  local data=$1 url=${2:-}
  [ -s "$data/bench-admins.txt" ] && return 0
  echo "== generating on $([ -n "$url" ] && echo PostgreSQL || echo SQLite): $enterprises enterprises, $employees employees, $days days of reports =="
  FUGONG_DATA_DIR="$data" DATABASE_URL="$url" /usr/bin/time -f "  generation: %e s, peak memory %M KB" \
    "$bin" bench-workforce --env production --enterprises "$enterprises" --employees "$employees" --days "$days"
}
generate "$dir/sqlite"
generate "$dir/pg" "$pg_url"

# --- the load: bench/workforce.sh's requests (keep the two the same) ---------------------------------
report='done = function(summary, latency, requests)
  io.write(string.format("RESULT %.0f %.1f %.1f %d %d\n", summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end'
# shellcheck source=bench/workforce-load.sh
. bench/workforce-load.sh
lua() { workforce_load "$1" "$((employees / enterprises))" "$report"; }  # data folder: reports.lua and gate.lua there
lua "$dir/sqlite"
lua "$dir/pg"

wait_healthy() {  # port
  for _ in $(seq 1 240); do curl -fs -o /dev/null "http://127.0.0.1:$1/healthz" && return 0; sleep 0.5; done
  echo "nothing answered /healthz on port $1" >&2
  return 1
}
start() {  # name port data [DATABASE_URL]
  FUGONG_INSTANCE="$1" FUGONG_DATA_DIR="$3" DATABASE_URL="${4:-}" FUGONG_TRUST_PROXY=true \
    "$bin" serve --env production --hostname 127.0.0.1 --port "$2" >> "$dir/logs/$1.log" 2>&1 &
  pids+=($!)
}
results=()
failed=0
run() {  # label, port, data folder [, live delay command]
  local label=$1 port=$2 data=$3 live=${4:-} line rate p50 p99 non2xx errors kind out prober=""
  local reports_col="" gate_col="" live_col="—"
  for kind in reports gate; do
    echo "== $label: $([ $kind = reports ] && echo "health reports" || echo "gate check-ins"), $connections connections, ${duration}s =="
    if [ -n "$live" ] && [ $kind = reports ]; then
      $live > "$dir/live.out" 2>&1 &
      prober=$!
    fi
    out=$(wrk -t2 -c"$connections" -d"${duration}s" --timeout 5s -s "$data/$kind.lua" "http://127.0.0.1:$port")
    line=$(printf '%s\n' "$out" | grep '^RESULT' || echo "RESULT 0 0 0 0 0")
    read -r _ rate p50 p99 non2xx errors <<< "$line"
    echo "  $rate writes/s, p50 $p50 ms, p99 $p99 ms; non-2xx $non2xx, errors $errors"
    if [ "${rate%.*}" -lt "$floor_rate" ] || [ "$(awk -v p="$p99" -v f="$floor_p99" 'BEGIN { print (p < f) ? 0 : 1 }')" = 1 ] \
       || [ "$non2xx" != 0 ] || [ "$errors" != 0 ]; then
      echo "  below the floor (>= $floor_rate/s, p99 < $floor_p99 ms, every answer 2xx)"
      failed=1
    fi
    if [ $kind = reports ]; then reports_col="$rate/s, p99 $p99 ms"; else gate_col="$rate/s, p99 $p99 ms"; fi
    if [ -n "$prober" ]; then
      wait "$prober" || true
      prober=""
      echo "  $(cat "$dir/live.out")"
      local live_p99
      live_p99=$(sed -n 's/.*p99 \([0-9]*\) ms.*/\1/p' "$dir/live.out")
      if [ -z "$live_p99" ] || [ "$live_p99" -ge 1000 ] || grep -q "missed [1-9]" "$dir/live.out"; then
        echo "  live delay above the floor (p99 < 1 s, none missed)"
        failed=1
      fi
      live_col="$(sed 's/^live delay: //' "$dir/live.out")"
    fi
  done
  results+=("| $label | $reports_col | $gate_col | $live_col |")
}

# --- SQLite, one instance -----------------------------------------------------------------------
start sqlite "$port_a" "$dir/sqlite"
wait_healthy "$port_a"
run "SQLite, 1 instance" "$port_a" "$dir/sqlite"
stop_all

# --- PostgreSQL, one instance --------------------------------------------------------------------
start pg-a "$port_a" "$dir/pg" "$pg_url"
wait_healthy "$port_a"
run "PostgreSQL, 1 instance" "$port_a" "$dir/pg"
stop_all

# --- PostgreSQL, two instances behind nginx (one data folder: one personal-data key) ----------------
start pg-a "$port_a" "$dir/pg" "$pg_url"
start pg-b "$port_b" "$dir/pg" "$pg_url"
wait_healthy "$port_a"
wait_healthy "$port_b"
deploy/nginx-config.sh --standalone "$dir/nginx" "127.0.0.1:$port_n" "127.0.0.1:$port_a" "127.0.0.1:$port_b" > "$dir/nginx/nginx.conf"
nginx -p "$dir/nginx" -e "$dir/nginx/error.log" -c "$dir/nginx/nginx.conf" &
pids+=($!)
wait_healthy "$port_n"
probes=$(( duration > 3 ? duration - 2 : 1 ))
run "PostgreSQL, 2 instances + nginx" "$port_n" "$dir/pg" \
  "python3 bench/cluster-live.py --listen-port $port_b --write-port $port_a --data $dir/pg --database-url $pg_url --probes $probes --gap 0.8 --delay-after 1"
awk '{ split($0, f, "upstream="); split(f[2], a, " "); n[a[1]]++ } END { for (k in n) printf "  nginx sent %d requests to %s\n", n[k], k }' \
  "$dir/nginx/access.log"
stop_all

echo
echo "== $connections connections, ${duration}s each; floor: >= $floor_rate writes/s and p99 < $floor_p99 ms each, live p99 < 1 s =="
echo "| setup | health reports | gate check-ins | live event B ← A (under the reports) |"
echo "| --- | --- | --- | --- |"
printf '%s\n' "${results[@]}"
exit $(( failed ? 2 : 0 ))
