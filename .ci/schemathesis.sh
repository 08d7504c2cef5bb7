#!/usr/bin/env bash
# The API against its document (issue 16, item 5): schemathesis (PyPI) runs against a demo
# server three times, with a districtAdmin's (`admin`), an enterpriseAdmin's (`company`) and an
# employee's (`employee`) bearer token, and fails on any 5xx answer or any answer that does not
# match the response schema of /api/openapi.yaml.
#
# Excluded: only the operation that changes the caller's own credentials,
#   DELETE /api/v1/auth/token (revokeToken) - it would revoke the token the run uses.
# The document has no logout or own-password-change operation (logout is the web form's
# POST /logout; POST /api/v1/users/{userID}/password and PATCH /api/v1/users/{userID} act on the
# user named in the path, which the generated ids never are). The stateful phase is not run, so
# no generated call is ever aimed at the caller's own account.
#
# Usage: bash .ci/schemathesis.sh
#   FUGONG_BIN             the server binary (default .build/debug/fugong), run from the repo root
#   SCHEMATHESIS_PORT      port of the demo server (default 18085)
#   SCHEMATHESIS_EXAMPLES  test cases per operation and phase (default 15)
#   SCHEMATHESIS_RUN_SECONDS  time limit of each of the three runs (default 140)
#   SCHEMATHESIS_OUT       folder for reports, cassettes and the server log (default: a new temp folder)
#   SCHEMATHESIS_VENV      an existing virtualenv with schemathesis to reuse (default: a new one)
# Prints `N passed, N failed` last (one count per operation and token); exits 1 on any failure.
set -uo pipefail
cd "$(dirname "$0")/.."

started=$(date +%s)
version=4.32.5
bin="${FUGONG_BIN:-.build/debug/fugong}"
port="${SCHEMATHESIS_PORT:-18085}"
examples="${SCHEMATHESIS_EXAMPLES:-15}"
run_seconds="${SCHEMATHESIS_RUN_SECONDS:-140}"
out="${SCHEMATHESIS_OUT:-$(mktemp -d -t fugong-schemathesis.XXXXXX)}"
mkdir -p "$out"
base="http://127.0.0.1:$port"

finish() {
  echo "schemathesis: took $(( $(date +%s) - started ))s; reports, cassettes and the server log in $out"
  echo "$1 passed, $2 failed"
  exit $(( $2 > 0 ? 1 : 0 ))
}

if [ ! -x "$bin" ]; then
  echo "no executable at $bin"
  finish 0 1
fi

# schemathesis, pinned, in a virtualenv of its own
venv="${SCHEMATHESIS_VENV:-$out/venv}"
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c "import schemathesis" 2>/dev/null; then
  python3 -m venv "$venv" || { echo "python3 -m venv failed"; finish 0 1; }
  "$venv/bin/python" -m pip install -q --disable-pip-version-check "schemathesis==$version" \
    || { echo "pip install schemathesis==$version failed"; finish 0 1; }
fi
py="$venv/bin/python"
echo "schemathesis $("$py" -m schemathesis.cli --version 2>&1 | awk '{print $NF}')"

# The demo server on a fresh data folder
data=$(mktemp -d -t fugong-schemathesis-data.XXXXXX)
FUGONG_DATA_DIR="$data" LOG_LEVEL="${LOG_LEVEL:-info}" timeout 900 "$bin" demo --hostname 127.0.0.1 --port "$port" \
  > "$out/server.log" 2>&1 < /dev/null &
server=$!
cleanup() {
  kill "$server" 2>/dev/null && wait "$server" 2>/dev/null
  rm -rf "$data"
}
trap cleanup EXIT
up=0
for _ in $(seq 1 240); do
  if curl -fs -o /dev/null "$base/healthz"; then up=1; break; fi
  kill -0 "$server" 2>/dev/null || break
  sleep 1
done
if [ "$up" != 1 ]; then
  echo "the demo server did not come up:"; tail -n 20 "$out/server.log"
  finish 0 1
fi

# All tokens first: the runs fuzz the login too, and failed sign-ins throttle this address.
declare -A tokens
for user in admin company employee; do
  tokens[$user]=$(curl -fs -X POST "$base/api/v1/auth/login" -H 'Content-Type: application/json' \
    -d "{\"username\":\"$user\",\"password\":\"Fugong@2020\"}" | "$py" -c 'import sys, json; print(json.load(sys.stdin)["token"])')
  if [ -z "${tokens[$user]}" ]; then echo "could not sign in as $user"; finish 0 1; fi
done

declare -A roles=([admin]=districtAdmin [company]=enterpriseAdmin [employee]=employee)
for user in admin company employee; do
  echo "== schemathesis as $user (${roles[$user]}), at most $examples cases per operation and phase, ${run_seconds}s =="
  mkdir -p "$out/$user"
  # Its own working folder, so nothing (a hypothesis database) lands in the repo.
  (cd "$out/$user" && timeout --kill-after=10 "$run_seconds" "$py" -m schemathesis.cli run "$base/api/openapi.yaml" \
    --url "$base" \
    -H "Authorization: Bearer ${tokens[$user]}" \
    --checks not_a_server_error,response_schema_conformance \
    --phases examples,coverage,fuzzing \
    --exclude-operation-id revokeToken \
    --max-examples "$examples" \
    --workers 2 \
    --seed "${SCHEMATHESIS_SEED:-16}" \
    --request-timeout 60 \
    --generation-database none \
    --no-color \
    --report junit,vcr,json --report-dir "$out/$user" \
    > "$out/$user/output.txt" 2>&1)
  echo "exit $? (0 all good, 1 failures, 124 timed out)" >> "$out/$user/output.txt"
  grep -E "^(Test cases|API Operations|Test Phases|Seed|Failures|Warnings)|^ *[0-9]+ (passed|failed)|passed|exit [0-9]+ \(" "$out/$user/output.txt" | tail -n 8
  kill -0 "$server" 2>/dev/null || { echo "the server died during the run as $user:"; tail -n 20 "$out/server.log"; }
done

# One count per (token, operation): passed if schemathesis reported no failure for it.
counts=$("$py" - "$out" <<'EOF'
import json, os, re, sys
import xml.etree.ElementTree as ET
out = sys.argv[1]
passed = failed = 0
groups = {}
for user in ("admin", "company", "employee"):
    junit = os.path.join(out, user, "junit.xml")
    if not os.path.exists(junit):
        print(f"  {user}: no junit report (the run did not finish)", file=sys.stderr)
        failed += 1
        continue
    for case in ET.parse(junit).getroot().iter("testcase"):
        problems = list(case.iter("failure")) + list(case.iter("error"))
        if not problems:
            passed += 1
            continue
        failed += 1
        for p in problems:
            text = (p.get("message") or "") + "\n" + (p.text or "")
            titles = re.findall(r"^\s*-\s+(.+)$", text, re.M) or [text.strip().splitlines()[0] if text.strip() else "?"]
            statuses = sorted(set(re.findall(r"\[(\d{3})\]", text)))
            key = (case.get("name"), user)
            g = groups.setdefault(key, {"titles": set(), "statuses": set(), "curl": None})
            g["titles"].update(t.strip() for t in titles[:6])
            g["statuses"].update(statuses)
            curl = re.search(r"^\s*(curl .+)$", text, re.M)
            if curl and not g["curl"]:
                g["curl"] = curl.group(1)
if groups:
    print("Failing operations (operation, token: failures [statuses]):", file=sys.stderr)
    for (name, user), g in sorted(groups.items()):
        print(f"  {name}  as {user}: {'; '.join(sorted(g['titles']))} [{', '.join(sorted(g['statuses']))}]", file=sys.stderr)
        if g["curl"]:
            print(f"      {g['curl'][:600]}", file=sys.stderr)
print(passed, failed)
EOF
)
read -r passed failed <<< "${counts:-0 1}"
echo "server errors logged: $(grep -ciE '\b(error|critical)\b' "$out/server.log") lines (see $out/server.log)"
kill -0 "$server" 2>/dev/null || { echo "the server is no longer running"; failed=$((failed + 1)); }
finish "$passed" "$failed"
