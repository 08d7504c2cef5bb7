#!/usr/bin/env bash
# Benchmark: workforce writes and reads on SQLite (release build, production environment,
# synchronous=FULL), with 200,000 employees in 100 enterprises and 30 days of health reports
# (6 million rows). Floors from the issue: health reports and gate check-ins each at least
# 2,000 per second with p99 under 100 ms; an enterprise's daily summary under 50 ms; 100,000
# roster rows imported in under 15 s; the server under 500 MB throughout.
# Usage: bench/workforce.sh [seconds] [connections]
# WORKFORCE_BENCH_DIR=folder keeps the generated database there and reuses it next time
# (each run's import adds 100,000 people to the next enterprise).
set -euo pipefail
cd "$(dirname "$0")/.."
duration="${1:-30}"
connections="${2:-50}"
command -v wrk >/dev/null || { apt-get update -q && apt-get install -y -q wrk; }
swift build -c release --product fugong
data="${WORKFORCE_BENCH_DIR:-$(mktemp -d)}"
mkdir -p "$data"
port=8091
export FUGONG_DATA_DIR="$data" LOG_LEVEL=warning
if [ ! -f "$data/fugong.sqlite" ]; then
  echo "== generating 100 enterprises, 200,000 employees, 30 days of reports =="
  /usr/bin/time -f "generation: %e s, peak memory %M KB" .build/release/fugong bench-workforce --env production
fi
ls -l "$data"/fugong.sqlite | awk '{print "database file:", $5}'
.build/release/fugong serve --env production --hostname 127.0.0.1 --port "$port" > "$data/server.log" 2>&1 &
server=$!
peak="$data/peak-rss"
echo 0 > "$peak"
( while kill -0 $server 2>/dev/null; do
    rss=$(ps -o rss= -p $server 2>/dev/null || echo 0)
    [ "${rss:-0}" -gt "$(cat "$peak")" ] && echo "$rss" > "$peak"
    sleep 0.5
  done ) &
sampler=$!
trap 'kill $server $sampler 2>/dev/null; wait $server 2>/dev/null; [ -n "${WORKFORCE_BENCH_DIR:-}" ] || rm -rf "$data"' EXIT
for _ in $(seq 1 60); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 1; done

report='done = function(summary, latency, requests)
  io.write(string.format("  p50 %.1f ms, p95 %.1f ms, p99 %.1f ms, max %.1f ms; %.0f requests/s; non-2xx %d, errors %d\n",
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
    summary.requests / (summary.duration / 1e6), summary.errors.status, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end'

# shellcheck source=bench/workforce-load.sh
. bench/workforce-load.sh
workforce_load "$data" 2000 "$report"

cat > "$data/summary.lua" <<LUA
local admins = {}
for line in io.lines("$data/bench-admins.txt") do
  local token, enterprise = line:match("^(%S+) (%S+)")
  if token then admins[#admins + 1] = {token, enterprise} end
end
request = function()
  local admin = admins[math.random(#admins)]
  return wrk.format("GET", "/api/v1/enterprises/" .. admin[2] .. "/daily-summary", {["Authorization"] = "Bearer " .. admin[1]})
end
$report
LUA

rows() { sqlite3 "$data/fugong.sqlite" "SELECT COUNT(*) FROM $1" 2>/dev/null || echo "?"; }
echo "health reports before: $(rows health_reports)"
echo "== health reports: $connections connections, ${duration}s =="
wrk -t2 -c"$connections" -d"${duration}s" --timeout 5s -s "$data/reports.lua" "http://127.0.0.1:$port" | grep -E "p50"
echo "== gate check-ins: $connections connections, ${duration}s =="
wrk -t2 -c"$connections" -d"${duration}s" --timeout 5s -s "$data/gate.lua" "http://127.0.0.1:$port" | grep -E "p50"
echo "gate check-ins stored: $(rows gate_check_ins)"
echo "== daily summary: 4 connections, 10s =="
wrk -t1 -c4 -d10s -s "$data/summary.lua" "http://127.0.0.1:$port" | grep -E "p50"

# A kept folder imports into the next enterprise each run (their rosters already hold the last one).
imports=$(find "$data" -maxdepth 1 -name "imported-*" | wc -l)
echo "== import: 100,000 roster rows into enterprise $((imports + 1)) =="
python3 - "$data/import.csv" <<'PY'
import sys
weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
with open(sys.argv[1], "w", encoding="utf-8-sig", newline="") as out:
    out.write("姓名,身份证号码,手机号码,工号,部门,班次,户籍省份,户籍城市\r\n")
    for n in range(100000):
        k = n // 1000  # a birth month per thousand people, a serial within it: every number differs
        body = "110105%04d%02d10%03d" % (1960 + k % 50, 1 + k // 50, n % 1000)
        check = "10X98765432"[sum(int(c) * w for c, w in zip(body, weights)) % 11]
        out.write("导入员工%d,%s%s,137%08d,I%06d,装配车间,白班,吉林省,长春市\r\n" % (n, body, check, n, n))
PY
admin=$(sed -n "$((imports + 1))p" "$data/bench-admins.txt")
touch "$data/imported-$((imports + 1))"
curl -s -o "$data/import.out" -w "  HTTP %{http_code} in %{time_total} s\n" -X POST \
  -H "Authorization: Bearer ${admin%% *}" -H "Content-Type: text/csv" --data-binary "@$data/import.csv" \
  "http://127.0.0.1:$port/api/v1/enterprises/${admin##* }/employees/import"
head -c 200 "$data/import.out"; echo
sleep 1
echo "server memory: now $(ps -o rss= -p $server | awk '{printf "%d MB", $1/1024}'), peak $(awk '{printf "%d MB", $1/1024}' "$peak")"
