#!/usr/bin/env bash
# The API against its document (issue 16, item 5): schemathesis (PyPI) runs against a demo
# server three times, with a districtAdmin's (`admin`), an enterpriseAdmin's (`company`) and an
# employee's (`employee`) bearer token, and fails on any 5xx answer or any answer that does not
# match the response schema of /api/openapi.yaml.
#
# Excluded: only the operation that changes the caller's own credentials,
#   DELETE /api/v1/auth/token (revokeToken) - it would revoke the token the run uses.
# The document has no logout or own-password-change operation (logout is the web form's
# POST /logout). POST /api/v1/users/{userID}/password and PATCH /api/v1/users/{userID} act on the
# user in the path, fixed below to `officer2`, whose token no run uses; so they stay in. The
# stateful phase is not run, so no generated call is aimed at the caller's own account.
#
# Usage: bash .ci/schemathesis.sh
#   FUGONG_BIN             the server binary (default .build/debug/fugong), run from the repo root
#   SCHEMATHESIS_PORT      port of the demo server (default 18085)
#   SCHEMATHESIS_EXAMPLES  test cases per operation and phase (default 40)
#   SCHEMATHESIS_RUN_SECONDS  time limit of each of the three runs (default 150)
#   SCHEMATHESIS_OUT       folder for reports, cassettes and the server log (default: a new temp folder)
#   SCHEMATHESIS_VENV      an existing virtualenv with schemathesis to reuse (default: a new one)
# Prints `N passed, N failed` last (one count per operation and token); exits 1 on any failure.
set -uo pipefail
cd "$(dirname "$0")/.."

started=$(date +%s)
version=4.32.5
bin="${FUGONG_BIN:-.build/debug/fugong}"
port="${SCHEMATHESIS_PORT:-18085}"
examples="${SCHEMATHESIS_EXAMPLES:-40}"
run_seconds="${SCHEMATHESIS_RUN_SECONDS:-150}"
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

# Path parameters fixed to real demo records (the company's enterprise, the employee, one of its
# tickets, ...), so the generated calls reach each operation's logic instead of a 404. The user
# fixed for /users/{userID} is `officer2`, whose token no run uses.
"$py" - "$base" "${tokens[company]}" "${tokens[admin]}" "${tokens[employee]}" > "$out/schemathesis.toml" <<'PY'
import json, sys, urllib.request
base, company, admin, employee = sys.argv[1:5]
def get(path, token):
    req = urllib.request.Request(base + "/api/v1" + path, headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(req, timeout=60) as r:
        return json.load(r)
found, per_operation = {}, {}
def pick(name, path, token, pred=lambda x: True, field="id"):
    try:
        items = get(path, token)
        items = items.get("items", []) if isinstance(items, dict) else items
        item = next((x for x in items if pred(x)), None)
        if item and item.get(field):
            found[name] = item[field]
        return item
    except Exception as error:
        print(f"# {name}: GET {path} failed: {error}")
enterprise = found["enterpriseID"] = get("/me", company)["enterpriseId"]
found["employeeID"] = get("/me", employee)["employeeId"]
pick("ticketID", "/tickets", company)
pick("applicationID", "/resumption-applications", company)
pick("quarantineID", f"/enterprises/{enterprise}/quarantines", company, lambda q: q.get("active"))
pick("alertID", f"/enterprises/{enterprise}/fever-alerts", company, lambda a: not a.get("handled"))
pick("visitorID", "/gate/visitors", company, lambda v: v.get("decision") == "allow" and not v.get("checkedOutAt")) \
    or pick("visitorID", "/gate/visitors", company)
pick("policyID", "/policies", company)
pick("userID", "/users?q=officer2", admin)
# Freight: an open departure, and the company's booking on it.
pick("departureID", "/freight/departures?state=open", company)
pick("bookingID", "/freight/bookings", company, lambda b: b.get("state") == "confirmed")
application = pick("jobApplication", "/applications", company)
if application:
    found.pop("jobApplication")
    found["jobID"] = application["jobId"]
    try:
        found["employerID"] = get(f"/jobs/{application['jobId']}", company)["employerId"]
    except Exception as error:
        print(f"# employerID: {error}")
    # /applications/{applicationID} (a job application) shares its parameter's name with
    # /resumption-applications/{applicationID}.
    for op in ("showApplication", "moveApplication"):
        per_operation[op] = application["id"]
# /freight/policies/{policyID} (a fee policy) shares its parameter's name with /policies/{policyID}.
freight_policy = None
try:
    freight_policy = get("/freight/policies", company)[0]["id"]
except Exception as error:
    print(f"# freight policyID: {error}")
print("[parameters]")
for name, value in sorted(found.items()):
    print(f'"path.{name}" = "{value}"')
for op, value in per_operation.items():
    print(f'\n[[operations]]\ninclude-operation-id = "{op}"\nparameters = {{ "path.applicationID" = "{value}" }}')
if freight_policy:
    print(f'\n[[operations]]\ninclude-operation-id = "updateFreightPolicy"\nparameters = {{ "path.policyID" = "{freight_policy}" }}')
PY
echo "path parameters fixed to demo records:"; grep '^"path' "$out/schemathesis.toml" | sed 's/^/  /'

declare -A roles=([admin]=districtAdmin [company]=enterpriseAdmin [employee]=employee)
# The employee first: the other two may change the employee's roster entry or account.
for user in employee admin company; do
  echo "== schemathesis as $user (${roles[$user]}), at most $examples cases per operation and phase, ${run_seconds}s =="
  mkdir -p "$out/$user"
  # Its own working folder, so nothing (a hypothesis database) lands in the repo.
  (cd "$out/$user" && timeout --kill-after=10 "$run_seconds" "$py" -m schemathesis.cli --config-file "$out/schemathesis.toml" \
    run "$base/api/openapi.yaml" \
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
    --report junit,vcr,json --report-dir "$out/$user" --report-junit-path "$out/$user/junit.xml" \
    --report-vcr-path "$out/$user/cassette.yaml" --report-json-path "$out/$user/report.json" \
    > "$out/$user/output.txt" 2>&1)
  echo "exit $? (0 all good, 1 failures, 124 timed out)" >> "$out/$user/output.txt"
  grep -E "^(Test cases|API Operations|Test Phases|Seed|Failures|Warnings)|^ *[0-9]+ (passed|failed)|passed|exit [0-9]+ \(" "$out/$user/output.txt" | tail -n 8
  kill -0 "$server" 2>/dev/null || { echo "the server died during the run as $user:"; tail -n 20 "$out/server.log"; }
done

# One count per (token, operation): passed if schemathesis reported no failure for it.
counts=$("$py" - "$out" <<'EOF'
import os, re, sys
import xml.etree.ElementTree as ET
out = sys.argv[1]
passed = failed = 0
groups = {}
for user in ("employee", "admin", "company"):
    junit = os.path.join(out, user, "junit.xml")
    if not os.path.exists(junit):
        print(f"  {user}: no junit report (the run did not finish)", file=sys.stderr)
        failed += 1
        continue
    for case in ET.parse(junit).getroot().iter("testcase"):
        problems = list(case.iter("failure")) + list(case.iter("error"))
        # A crash inside Hypothesis itself (its traceback never leaves its own package, e.g. "AST
        # constructor recursion depth mismatch" while it describes a lambda) says nothing of the
        # API: said here, not counted. Connection errors and every check's failure still count.
        tool = [p for p in problems if p.tag == "error" and "hypothesis/internal/" in (p.text or "")
                and "Connection" not in (p.text or "")]
        for p in tool:
            print(f"  {user}: {case.get('name')}: Hypothesis crashed inside itself, not counted: "
                  f"{(p.text or '').strip().splitlines()[-1][:200]}", file=sys.stderr)
        problems = [p for p in problems if p not in tool]
        if not problems:
            passed += 1
            continue
        failed += 1
        for p in problems:
            text = p.text or p.get("message") or "?"
            # One block per test case: "N. Test Case ID: ...", "- ST1xx title", detail, "[status] ...", "curl ...".
            for block in re.split(r"^\d+\. Test Case ID: \S+\s*$", text, flags=re.M):
                titles = re.findall(r"^- (.+)$", block, re.M)
                if not titles:
                    continue
                lines = [l.strip() for l in block.splitlines()]
                status = re.search(r"^\[(\d{3})\]", block, re.M)
                curl = re.search(r"^\s*(curl .+)$", block, re.M)
                for title in titles:
                    i = lines.index("- " + title)
                    detail = next((l for l in lines[i + 1:] if l), "")
                    key = (case.get("name"), title, detail[:160])
                    g = groups.setdefault(key, {"users": set(), "statuses": set(), "curl": None})
                    g["users"].add(user)
                    if status:
                        g["statuses"].add(status.group(1))
                    if curl and not g["curl"]:
                        g["curl"] = curl.group(1)
if groups:
    print("Distinct failures (operation: check, detail [status] tokens):", file=sys.stderr)
    for (name, title, detail), g in sorted(groups.items()):
        print(f"  {name}: {title}, {detail} [{', '.join(sorted(g['statuses']))}] as {', '.join(sorted(g['users']))}", file=sys.stderr)
        if g["curl"]:
            print(f"      {g['curl'][:800]}", file=sys.stderr)
print(passed, failed)
EOF
)
read -r passed failed <<< "${counts:-0 1}"
errors=$(grep -E '\[ (ERROR|CRITICAL) \]' "$out/server.log" | sed -E 's/\[request-id: [^]]*\]//; s/ +$//' | sort | uniq -c | sort -rn)
if [ -n "$errors" ]; then
  echo "server log, distinct ERROR/CRITICAL lines (count, line):"; echo "$errors" | head -n 40 | cut -c1-400
fi
kill -0 "$server" 2>/dev/null || { echo "the server is no longer running"; failed=$((failed + 1)); }
finish "$passed" "$failed"
