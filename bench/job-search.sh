#!/usr/bin/env bash
# Benchmark: job search on SQLite with 100,000 postings (release build, production environment).
# Floor from the issue: p95 under 30 ms for one-, two- and four-character queries, and at least
# 500 searches per second. wrk runs on the same machine and takes part of its two cores. Usage: bench/job-search.sh [postings] [seconds]
# JOBS_BENCH_DIR=folder keeps the generated database there and reuses it on the next run.
set -euo pipefail
cd "$(dirname "$0")/.."
postings="${1:-100000}"
duration="${2:-20}"
command -v wrk >/dev/null || { apt-get update -q && apt-get install -y -q wrk; }
swift build -c release --product fugong
data="${JOBS_BENCH_DIR:-$(mktemp -d)}"
mkdir -p "$data"
port=8090
export FUGONG_DATA_DIR="$data" LOG_LEVEL=warning
if [ ! -f "$data/fugong.sqlite" ]; then
  echo "== generating $postings postings =="
  /usr/bin/time -f "generation: %e s, peak memory %M KB" .build/release/fugong bench-jobs --postings "$postings" --env production
fi
ls -l "$data"/fugong.sqlite* | awk '{print "database file:", $5, $9}'
.build/release/fugong serve --env production --hostname 127.0.0.1 --port "$port" > "$data/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; [ -n "${JOBS_BENCH_DIR:-}" ] || rm -rf "$data"' EXIT
for _ in $(seq 1 60); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 1; done

encode() { python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1]))' "$1"; }
run() { # name, connections, queries…
  local name=$1 connections=$2; shift 2
  local script="$data/$name.lua"
  { echo "paths = {"; for q in "$@"; do echo "  \"/api/v1/jobs?q=$(encode "$q")\","; done; echo "}"
    cat <<'LUA'
counter = 0
request = function()
  counter = counter + 1
  return wrk.format("GET", paths[(counter % #paths) + 1])
end
done = function(summary, latency, requests)
  io.write(string.format("  p50 %.1f ms, p95 %.1f ms, p99 %.1f ms; %.0f requests/s; non-2xx %d\n",
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    summary.requests / (summary.duration / 1e6), summary.errors.status))
end
LUA
  } > "$script"
  echo "== $name: $connections connections, ${duration}s =="
  wrk -t2 -c"$connections" -d"${duration}s" -s "$script" "http://127.0.0.1:$port" | grep -E "p50|Requests/sec"
}
for q in 焊 电工 叉车司机 工; do
  printf '%s: %s matches\n' "$q" "$(curl -fs "http://127.0.0.1:$port/api/v1/jobs?q=$(encode "$q")" | python3 -c 'import sys, json; print(json.load(sys.stdin)["total"])')"
done
# Each kind at 8 connections (both floors hold in the same run: rate and p95) and at 16 (more
# rate, more queueing: with 2 cores, 16 requests in flight wait for each other).
for connections in 8 16; do
  run one-character "$connections" 焊 钳 叉 菜 护
  run two-characters "$connections" 电工 司机 叉车 质检 配送
  run four-characters "$connections" 叉车司机 冷链配送 维修电工 线束装配 防护服质
done
run mixed 50 焊 电工 叉车司机 钳 司机 冷链配送 菜 质检 维修电工
echo "server memory: $(ps -o rss= -p $server | awk '{printf "%d MB", $1/1024}')"
