#!/usr/bin/env python3
"""Durability under SIGKILL (issue 16, item 6).

Starts `fugong demo` on a fresh data folder, signs in as the demo's enterprise admin
(`company`), gate guard (`guard`) and employee (`employee`), then for several rounds:

  * concurrent writers for a few seconds: help-desk tickets (POST /api/v1/tickets, company),
    gate check-ins (POST /api/v1/gate/check-ins, guard; unique typed numbers not on the
    roster, plus real employee numbers going out), daily health reports
    (POST /api/v1/health-reports: the company for a share of its roster, the employee for
    themself);
  * every write answered 2xx is recorded (ticket id and receipt number, the typed number,
    the report's note and day);
  * the server is killed with SIGKILL while the writers are still writing, then restarted with
    `fugong serve` on the same folder;
  * every acknowledged write must be there: read from the SQLite file (read-only), and a sample
    through the API; `PRAGMA integrity_check` must answer ok; receipt numbers must stay unique.

A second health report on the same day replaces the first, so for each (person, day) the
stored report must be the last acknowledged one, or a later one that was sent but never
answered (in flight at the kill). Each person is written by one writer only, in order.

Usage: python3 .ci/durability.py [--bin PATH] [--rounds 5] [--seconds 4] [--port 18081]
The binary defaults to $FUGONG_BIN, else .build/debug/fugong; it runs from the repo root.
Prints `N passed, N failed` last; exits 1 on any failure. Python 3 standard library only.
"""

import http.client
import json
import os
import random
import signal
import sys
import tempfile
import threading
import time

# The tally, the log, the server processes, their logs and the database: shared with migrations.py.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.dont_write_bytecode = True  # leave no __pycache__ behind in .ci/
import ci_common  # noqa: E402
from ci_common import check, log  # noqa: E402

PASSWORD = "Fugong@2020"


def request(port, method, path, body=None, token=None, timeout=10, conn=None):
    """One request; returns (status, parsed JSON or raw text). Raises OSError/HTTPException on I/O errors."""
    own = conn is None
    if own:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    headers = {"Accept": "application/json"}
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    if token:
        headers["Authorization"] = f"Bearer {token}"
    try:
        conn.request(method, path, body=data, headers=headers)
        resp = conn.getresponse()
        raw = resp.read()
    finally:
        if own:
            conn.close()
    try:
        return resp.status, json.loads(raw) if raw else None
    except ValueError:
        return resp.status, raw.decode("utf-8", "replace")


def login(port, username):
    status, body = request(port, "POST", "/api/v1/auth/login", {"username": username, "password": PASSWORD}, timeout=60)
    if status != 201 or not isinstance(body, dict) or "token" not in body:
        raise RuntimeError(f"login {username}: {status} {body}")
    return body["token"], body["user"]


class Writer(threading.Thread):
    """Writes one kind of record in a loop on one keep-alive connection until told to stop or
    the server goes away. `acked` holds what was answered 2xx; `unanswered` what was sent and
    got no answer (it may or may not have been stored); `refused` statuses of other answers."""

    def __init__(self, port, token, make, stop):
        super().__init__(daemon=True)
        self.port, self.token, self.make, self.stop = port, token, make, stop
        self.acked, self.unanswered, self.refused = [], [], {}

    def run(self):
        conn = None
        i = 0
        while not self.stop.is_set():
            path, body, key = self.make(i)
            i += 1
            if conn is None:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=15)
            try:
                status, answer = request(self.port, "POST", path, body, self.token, conn=conn)
            except (OSError, http.client.HTTPException):
                self.unanswered.append(key)
                conn.close()
                conn = None
                if self.stop.is_set():
                    break
                time.sleep(0.05)
                continue
            if 200 <= status < 300:
                self.acked.append((key, answer))
            else:
                self.refused.setdefault(status, []).append((key, answer))
                if status >= 500:
                    self.unanswered.append(key)  # a 5xx may still have written
        if conn:
            conn.close()


def main():
    parser = ci_common.arg_parser(__doc__)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=4.0, help="load per round before the kill (jittered 60-100%%)")
    parser.add_argument("--port", type=int, default=18081)
    parser.add_argument("--seed", type=int, default=int(os.environ.get("DURABILITY_SEED", "16")))
    parser.add_argument("--keep", action="store_true", help="keep the data folder and logs")
    args = parser.parse_args()
    binary = ci_common.find_binary(args.bin)
    if binary is None:
        return 1
    rng = random.Random(args.seed)

    # The whole run is bounded: a watchdog ends it (and the server) past ci_common.HARD_LIMIT.
    work = tempfile.mkdtemp(prefix="fugong-durability-")
    data, logs = os.path.join(work, "data"), os.path.join(work, "logs")
    os.makedirs(logs)
    ci_common.start_watchdog()

    def start(command, name):
        """`fugong command` (demo, serve) on the data folder, logged to logs/<name>.log."""
        return ci_common.start(binary, ci_common.listen(command, args.port), data,
                               os.path.join(logs, f"{name}.log"), "notice")

    def finish():
        return ci_common.finish("durability", work, args.keep, "data and server logs")

    log(f"binary {args.bin}, data folder {data}, port {args.port}, seed {args.seed}")
    server = start("demo", "0-demo")
    if not check(ci_common.healthy(args.port, 300, server), "fugong demo comes up on a fresh folder"):
        print(ci_common.tail(server.logpath))
        return finish()

    try:
        company_token, company = login(args.port, "company")
        guard_token, _ = login(args.port, "guard")
        employee_token, employee_user = login(args.port, "employee")
    except Exception as error:  # noqa: BLE001
        check(False, f"demo sign-in: {error}")
        return finish()
    enterprise_id = company["enterpriseId"]
    own_employee = employee_user.get("employeeId")
    status, page = request(args.port, "GET", f"/api/v1/enterprises/{enterprise_id}/employees?status=employed",
                           token=company_token, timeout=60)
    if not check(status == 200 and isinstance(page, dict) and page.get("items"),
                 f"GET the company's roster ({status})"):
        return finish()
    people = [p for p in page["items"] if p["id"] != own_employee][:12]
    numbers = [p["employeeNumber"] for p in people[:4]]
    log(f"enterprise {enterprise_id}: {len(people)} employees reported for by the company, "
        f"{'and the employee themself' if own_employee else 'no own employee record'}")

    # (employee id, day) -> last acknowledged note, over all rounds (the row is replaced).
    for rnd in range(1, args.rounds + 1):
        log(f"--- round {rnd}: writers for up to {args.seconds:.1f}s, then SIGKILL")
        # Baseline for real employee numbers at the gate (rows are only ever added).
        conn = ci_common.open_db(data, read_only=True)
        base_real = {n: conn.execute("SELECT count(*) FROM gate_check_ins WHERE typed = ?", (n,)).fetchone()[0] for n in numbers}
        conn.close()

        stop = threading.Event()
        writers = []

        def ticket_maker(w):
            def make(i):
                title = f"DUR r{rnd} w{w} n{i}"
                return "/api/v1/tickets", {"category": "other", "urgency": "general", "title": title,
                                           "description": f"durability test, round {rnd}"}, title
            return make

        def gate_maker(w):
            def make(i):
                if i % 4 == 3 and numbers:
                    n = numbers[(i // 4) % len(numbers)]
                    return "/api/v1/gate/check-ins", {"employeeNumber": n, "mask": True, "direction": "out"}, ("real", n)
                typed = f"DUR{rnd}-{w}-{i}"
                return "/api/v1/gate/check-ins", {"employeeNumber": typed, "temperature": 36.5, "mask": True,
                                                  "direction": "in"}, ("unique", typed)
            return make

        def health_maker(mine, self_report):
            def make(i):
                person = mine[i % len(mine)]
                note = f"DUR r{rnd} e{person} n{i}"
                body = {"temperature": 36.0 + (i % 8) / 10, "symptoms": ["none"], "contactWithCases": False,
                        "city": "长春市", "note": note}
                if not self_report:
                    body["employeeId"] = person
                return "/api/v1/health-reports", body, (person, note)
            return make

        for w in range(3):
            writers.append(("ticket", Writer(args.port, company_token, ticket_maker(w), stop)))
        for w in range(2):
            writers.append(("gate", Writer(args.port, guard_token, gate_maker(w), stop)))
        ids = [p["id"] for p in people]
        for w, part in enumerate([ids[0::2], ids[1::2]]):
            if part:
                writers.append(("health", Writer(args.port, company_token, health_maker(part, False), stop)))
        if own_employee:
            writers.append(("health", Writer(args.port, employee_token, health_maker([own_employee], True), stop)))
        for _, w in writers:
            w.start()
        time.sleep(args.seconds * rng.uniform(0.6, 1.0))
        counts = {k: sum(len(w.acked) for kk, w in writers if kk == k) for k in ("ticket", "gate", "health")}
        ci_common.stop(server, signal.SIGKILL, wait=30)
        log(f"SIGKILL with writers running; acknowledged so far: {counts}")
        stop.set()
        for _, w in writers:
            w.join(timeout=30)
        check(not any(w.is_alive() for _, w in writers), f"round {rnd}: writers stopped after the kill")

        tickets = [a for k, w in writers if k == "ticket" for a in w.acked]
        gates = [a for k, w in writers if k == "gate" for a in w.acked]
        gates_unanswered = [u for k, w in writers if k == "gate" for u in w.unanswered]
        health_acked = [a for k, w in writers if k == "health" for a in w.acked]
        health_unanswered = [u for k, w in writers if k == "health" for u in w.unanswered]
        refused = {}
        for k, w in writers:
            for st, items in w.refused.items():
                refused.setdefault((k, st), []).extend(items)
        for (k, st), items in sorted(refused.items()):
            sample = items[0][1]
            log(f"     {k}: {len(items)} answered {st}, e.g. {json.dumps(sample, ensure_ascii=False)[:300]}")
        check(not any(st >= 500 for (_, st) in refused),
              f"round {rnd}: no 5xx answer under load" +
              "".join(f"; {k} {st} x{len(v)}" for (k, st), v in refused.items() if st >= 500))
        check(counts["ticket"] > 0 and counts["gate"] > 0 and counts["health"] > 0,
              f"round {rnd}: writes of every kind acknowledged before the kill ({counts})")

        server = start("serve", f"{rnd}-serve")
        if not check(ci_common.healthy(args.port, 180, server), f"round {rnd}: fugong serve restarts on the killed folder"):
            print(ci_common.tail(server.logpath))
            return finish()

        conn = ci_common.open_db(data, read_only=True)
        integrity = ci_common.integrity(conn)
        check(integrity == ["ok"], f"round {rnd}: PRAGMA integrity_check = {integrity[:5]}")

        # Tickets: every acknowledged receipt is stored, with its title.
        stored = dict(conn.execute("SELECT title, number FROM tickets WHERE title LIKE 'DUR r%'").fetchall())
        missing = [(t, a.get("number")) for t, a in tickets if stored.get(t) != a.get("number")]
        check(not missing, f"round {rnd}: {len(tickets)} acknowledged tickets stored with their receipt numbers"
              + (f"; {len(missing)} missing or renumbered, e.g. {missing[:3]}" if missing else ""))
        dupes = conn.execute("SELECT number, count(*) FROM tickets GROUP BY number HAVING count(*) > 1").fetchall()
        check(not dupes, f"round {rnd}: receipt numbers unique" + (f"; duplicated: {dupes[:5]}" if dupes else ""))

        # Gate: every acknowledged unique check-in is stored; real numbers gained at least as many rows as acknowledged.
        typed_stored = {r[0] for r in conn.execute("SELECT typed FROM gate_check_ins WHERE typed LIKE ?", (f"DUR{rnd}-%",))}
        unique_acked = [k[1] for k, _ in gates if k[0] == "unique"]
        missing = [t for t in unique_acked if t not in typed_stored]
        check(not missing, f"round {rnd}: {len(unique_acked)} acknowledged gate check-ins (not on roster) stored"
              + (f"; {len(missing)} missing, e.g. {missing[:5]}" if missing else ""))
        bad = []
        for n in numbers:
            acked_n = sum(1 for k, _ in gates if k == ("real", n))
            maybe = sum(1 for k in gates_unanswered if k == ("real", n))
            now_n = conn.execute("SELECT count(*) FROM gate_check_ins WHERE typed = ?", (n,)).fetchone()[0]
            if not (base_real[n] + acked_n <= now_n <= base_real[n] + acked_n + maybe):
                bad.append(f"{n}: before {base_real[n]}, acknowledged {acked_n}, unanswered {maybe}, now {now_n}")
        real_acked = sum(1 for k, _ in gates if k[0] == "real")
        check(not bad, f"round {rnd}: {real_acked} acknowledged check-outs of roster employees counted exactly"
              + (f"; {bad}" if bad else ""))

        # Health reports: per (person, day) the stored note is the last acknowledged one, or a later unanswered one.
        last = {}
        days = set()
        for (person, note), answer in health_acked:
            day = answer.get("day") if isinstance(answer, dict) else None
            days.add(day)
            last[(person, day)] = note
        later = {}
        for person, note in health_unanswered:
            later.setdefault(person, set()).add(note)
        rows = conn.execute("SELECT day, note FROM health_reports WHERE note LIKE ?", (f"DUR r{rnd} e%",)).fetchall()
        stored_notes = {}
        for day, note in rows:
            person = note.split(" ")[2][1:]
            stored_notes[(person, day)] = note
        wrong = []
        for (person, day), note in last.items():
            got = stored_notes.get((person, day))
            n_acked = int(note.rsplit("n", 1)[1])
            ok_later = got in later.get(person, set()) and got is not None and int(got.rsplit("n", 1)[1]) > n_acked
            if got != note and not ok_later:
                wrong.append(f"{person[:8]} {day}: stored {got!r}, last acknowledged {note!r}")
        check(not wrong, f"round {rnd}: {len(health_acked)} acknowledged health reports; each of {len(last)} people's "
              f"stored report is the last acknowledged (or a later unanswered) one"
              + (f"; {len(wrong)} wrong, e.g. {wrong[:3]}" if wrong else ""))
        conn.close()

        # Through the API: a sample of tickets, and the employee's own report history.
        sample = rng.sample(tickets, min(30, len(tickets)))
        bad = []
        for title, answer in sample:
            try:
                st, body = request(args.port, "GET", f"/api/v1/tickets/{answer['id']}", token=company_token, timeout=30)
            except (OSError, http.client.HTTPException) as error:
                st, body = None, str(error)
            if st != 200 or not isinstance(body, dict) or body.get("number") != answer.get("number") or body.get("title") != title:
                bad.append(f"{answer.get('id')}: {st} {str(body)[:120]}")
        check(not bad, f"round {rnd}: GET /api/v1/tickets/{{id}} finds {len(sample)} sampled acknowledged tickets"
              + (f"; {len(bad)} not, e.g. {bad[:3]}" if bad else ""))
        if own_employee:
            mine = {d: n for (p, d), n in last.items() if p == own_employee}
            try:
                st, history = request(args.port, "GET", f"/api/v1/employees/{own_employee}/health-reports",
                                      token=employee_token, timeout=30)
            except (OSError, http.client.HTTPException) as error:
                st, history = None, str(error)
            got = {h["day"]: h["note"] for h in history} if st == 200 and isinstance(history, list) else {}
            bad = [f"{d}: API {got.get(d)!r}, acknowledged {n!r}" for d, n in mine.items()
                   if got.get(d) != n and got.get(d) not in later.get(own_employee, set())]
            check(st == 200 and not bad, f"round {rnd}: the employee's own reports read back through the API ({st})"
                  + (f"; {bad}" if bad else ""))
        log(f"round {rnd}: {len(tickets)} tickets, {len(gates)} check-ins, {len(health_acked)} reports acknowledged")

    # A clean stop, then the file is checked once more with nothing holding it.
    ci_common.stop(server, wait=30)
    check(server.returncode == 0, f"fugong serve stops cleanly on SIGTERM (exit {server.returncode})")
    conn = ci_common.open_db(data)
    integrity = ci_common.integrity(conn)
    conn.close()
    check(integrity == ["ok"], f"after the last stop: PRAGMA integrity_check = {integrity[:5]}")
    return finish()


if __name__ == "__main__":
    sys.exit(main())
