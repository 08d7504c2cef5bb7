#!/usr/bin/env bash
# Benchmark: creating a help-desk ticket, acknowledgement included, under 50 concurrent clients
# on SQLite (WAL, synchronous=FULL), release build, production environment.
# Floor from the issue: p99 under 200 ms. Usage: bench/ticket-create.sh [seconds]
set -euo pipefail
cd "$(dirname "$0")/.."
duration="${1:-30}"
command -v wrk >/dev/null || { apt-get update -q && apt-get install -y -q wrk; }
swift build -c release --product fugong
data=$(mktemp -d)
port=8089
FUGONG_DATA_DIR="$data" LOG_LEVEL=warning .build/release/fugong demo --env production --hostname 127.0.0.1 --port "$port" > "$data/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$data"' EXIT
for _ in $(seq 1 60); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 1; done
token=$(curl -fs -X POST "http://127.0.0.1:$port/api/v1/auth/login" -H 'Content-Type: application/json' \
  -d '{"username":"company","password":"Fugong@2020"}' | python3 -c 'import sys, json; print(json.load(sys.stdin)["token"])')
echo "== POST /api/v1/tickets, 50 connections, 2 threads, ${duration}s =="
wrk -t2 -c50 -d"${duration}s" --latency -s bench/ticket-create.lua -H "Authorization: Bearer $token" \
  "http://127.0.0.1:$port/api/v1/tickets"
created=$(sqlite3 "$data/fugong.sqlite" "SELECT count(*) FROM tickets" 2>/dev/null || echo "?")
echo "tickets in the database afterwards: $created"
