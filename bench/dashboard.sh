#!/usr/bin/env bash
# Benchmark: the district dashboard at scale (release build, SQLite, production environment).
# `fugong bench-dashboard` fills 20,000 enterprises, 60,000 applications with their history,
# 1,000 officers, 1,000,000 dispatch contacts over 60 days, 300,000 employees with today's
# 600,000 gate passages and 200,000 tickets, and keeps the last 30 days' figures. Then, while
# health reports and gate check-ins are written at about 500 a second beside them, wrk reads at
# 8 connections, one after the other: the dashboard API, the dashboard page, a drill-down and
# the briefing. Floors from the issue: p95 under 50 ms for each read; the writes' p99 no worse
# than 20 % above the workforce benchmark's; `fugong dashboard verify` finds no difference.
# Usage: bench/dashboard.sh [seconds per read]
# DASHBOARD_BENCH_DIR=folder keeps the generated database there (tokens last a day).
set -euo pipefail
cd "$(dirname "$0")/.."
duration="${1:-20}"
command -v wrk >/dev/null || { apt-get update -q && apt-get install -y -q wrk; }
swift build -c release --product fugong
data="${DASHBOARD_BENCH_DIR:-$(mktemp -d)}"
mkdir -p "$data"
port=8093
base="http://127.0.0.1:$port"
export FUGONG_DATA_DIR="$data" LOG_LEVEL=warning
if [ ! -f "$data/fugong.sqlite" ]; then
  echo "== generating the district =="
  /usr/bin/time -f "generation: %e s, peak memory %M KB" .build/release/fugong bench-dashboard --env production
fi
ls -l "$data"/fugong.sqlite | awk '{print "database file:", $5}'
.build/release/fugong serve --env production --hostname 127.0.0.1 --port "$port" > "$data/server.log" 2>&1 &
server=$!
writers=()
trap 'kill $server ${writers[@]+"${writers[@]}"} 2>/dev/null || true; wait $server 2>/dev/null || true; [ -n "${DASHBOARD_BENCH_DIR:-}" ] || rm -rf "$data"' EXIT
for _ in $(seq 1 120); do curl -fs "$base/healthz" >/dev/null && break; sleep 1; done

token=$(curl -fs -X POST "$base/api/v1/auth/login" -H 'Content-Type: application/json' \
  -d '{"username":"leader","password":"Bench@2020"}' | python3 -c 'import sys, json; print(json.load(sys.stdin)["token"])')
jar="$data/cookies.txt"; rm -f "$jar"
csrf=$(curl -fs -c "$jar" "$base/login" | sed -n 's/.*name="_csrf" value="\([^"]*\)".*/\1/p' | head -1)
curl -fs -b "$jar" -c "$jar" -o /dev/null -X POST "$base/login" --data-urlencode "_csrf=$csrf" --data-urlencode "username=leader" \
  --data-urlencode "password=Bench@2020"
cookie=$(awk '$6 == "fugong_session" {print $7}' "$jar")

echo "== the first count of today and yesterday (the job counts today every 45 s) =="
curl -s -o /dev/null -w "  GET /api/v1/dashboard cold: %{time_total} s\n" -H "Authorization: Bearer $token" "$base/api/v1/dashboard"

report='done = function(summary, latency, requests)
  io.write(string.format("  p50 %.1f ms, p95 %.1f ms, p99 %.1f ms, max %.1f ms; %.0f requests/s; non-2xx %d, errors %d\n",
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
    summary.requests / (summary.duration / 1e6), summary.errors.status, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end'

# Writers: 8 connections each, each waiting 25 ms after an answer: about 250 a second each.
cat > "$data/reports.lua" <<LUA
local people = {}
for line in io.lines("$data/bench-employees.txt") do people[#people + 1] = line end
math.randomseed(os.time())
delay = function() return 25 end
request = function()
  local body = string.format('{"temperature":%.1f,"symptoms":[],"contactWithCases":false,"city":"长春市","note":""}', 36.0 + math.random(0, 9) / 10)
  return wrk.format("POST", "/api/v1/health-reports", {["Authorization"] = "Bearer " .. people[math.random(#people)], ["Content-Type"] = "application/json"}, body)
end
$report
LUA
cat > "$data/gate.lua" <<LUA
local guards = {}
for line in io.lines("$data/bench-guards.txt") do
  local token, count = line:match("^(%S+) (%d+)")
  if token then guards[#guards + 1] = {token, tonumber(count)} end
end
math.randomseed(os.time() + 1)
delay = function() return 25 end
request = function()
  local g = guards[math.random(#guards)]
  local body = string.format('{"employeeNumber":"E%06d","temperature":%.1f,"mask":true,"direction":"in"}', math.random(1, g[2]), 36.0 + math.random(0, 9) / 10)
  return wrk.format("POST", "/api/v1/gate/check-ins", {["Authorization"] = "Bearer " .. g[1], ["Content-Type"] = "application/json"}, body)
end
$report
LUA
reads=4
write_seconds=$((duration * reads + 10))
echo "== writers: health reports and gate check-ins, about 500 a second, ${write_seconds}s =="
wrk -t1 -c8 -d"${write_seconds}s" --timeout 5s -s "$data/reports.lua" "$base" > "$data/reports.out" 2>&1 &
writers+=($!)
wrk -t1 -c8 -d"${write_seconds}s" --timeout 5s -s "$data/gate.lua" "$base" > "$data/gate.out" 2>&1 &
writers+=($!)
sleep 5

read_with() {
  local name=$1 path=$2 header=$3
  cat > "$data/read.lua" <<LUA
request = function() return wrk.format("GET", "$path", {["$header"] = "$4"}) end
$report
LUA
  echo "== $name: 8 connections, ${duration}s =="
  wrk -t1 -c8 -d"${duration}s" --timeout 5s -s "$data/read.lua" "$base" | grep -E "p50"
}
read_with "GET /api/v1/dashboard" "/api/v1/dashboard" "Authorization" "Bearer $token"
read_with "GET /dashboard (page)" "/dashboard" "Cookie" "fugong_session=$cookie"
read_with "GET /api/v1/dashboard/drill" "/api/v1/dashboard/drill?metric=enterprisesResumed&zone=xinqu" "Authorization" "Bearer $token"
read_with "GET /api/v1/dashboard/briefing" "/api/v1/dashboard/briefing" "Authorization" "Bearer $token"
wait "${writers[@]}" || true
writers=()
echo "== writes beside the reads =="
echo -n "  health reports:"; grep -E "p50" "$data/reports.out" || cat "$data/reports.out"
echo -n "  gate check-ins:"; grep -E "p50" "$data/gate.out" || cat "$data/gate.out"
echo "server memory: $(ps -o rss= -p $server | awk '{printf "%d MB", $1/1024}')"
echo "== fugong dashboard verify (the server stopped; today counted once more, then every kept day recounted) =="
kill $server; wait $server 2>/dev/null || true
.build/release/fugong dashboard refresh --env production > /dev/null
/usr/bin/time -f "  verify: %e s" .build/release/fugong dashboard verify --env production
