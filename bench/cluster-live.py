#!/usr/bin/env python3
"""A live event's delay between two instances, for bench/cluster.sh (Python standard library).

An enterprise admin's live page (GET /live, with a web session) is opened on instance B; an
employee of that enterprise sends a health report with a fever through instance A
(POST /api/v1/health-reports, 38.2 °C): A raises a fever alert and publishes `fever` to the
enterprise's pages, which B must deliver. Each probe is the time from A's 201 to the event on
B's stream; the probes run one after another while bench/cluster.sh's load runs.

The benchmark's accounts have random passwords (`fugong bench-workforce`), so the admin's web
session is made directly in the database (a row in web_sessions holding the SHA-256 of a random
secret, as sign-in makes it) and removed afterwards.

Usage: bench/cluster-live.py --listen-port B --write-port A --data DIR --database-url URL
       [--schema S] [--probes 30] [--gap 0.5] [--delay-after 0]
DIR holds bench-admins.txt and bench-employees.txt. Prints one line:
  live delay: N probes, p50 … ms, p99 … ms, max … ms, missed M
"""

import argparse
import hashlib
import http.client
import json
import secrets
import socket
import subprocess
import sys
import threading
import time


def psql(url, schema, sql):
    prefix = f"SET search_path TO {schema}; " if schema else ""
    r = subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-tA", "-d", url, "-c", prefix + sql],
                       capture_output=True, text=True, timeout=60)
    if r.returncode != 0:
        raise RuntimeError(f"psql: {r.stderr.strip()}")
    return r.stdout.strip()


def call(port, method, path, token, body=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    try:
        conn.request(method, path, body=data, headers=headers)
        resp = conn.getresponse()
        raw = resp.read()
        return resp.status, (json.loads(raw) if raw else None)
    finally:
        conn.close()


class Stream(threading.Thread):
    def __init__(self, port, cookie):
        super().__init__(daemon=True)
        self.port, self.cookie = port, cookie
        self.connected = threading.Event()
        self.events = []  # monotonic arrival times of `fever`
        self.cond = threading.Condition()
        self.status = None
        self.conn = None

    def run(self):
        try:
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=600)
            self.conn.request("GET", "/live", headers={"Accept": "text/event-stream", "Cookie": f"fugong_session={self.cookie}"})
            resp = self.conn.getresponse()
            self.status = resp.status
            if resp.status != 200:
                return
            while True:
                line = resp.readline()
                if not line:
                    return
                line = line.decode("utf-8", "replace").strip()
                if line.startswith(": connected"):
                    self.connected.set()
                elif line == "data: fever":
                    with self.cond:
                        self.events.append(time.monotonic())
                        self.cond.notify_all()
        except (OSError, http.client.HTTPException, ValueError, AttributeError):
            pass
        finally:
            self.connected.set()

    def wait_event(self, after_count, timeout):
        with self.cond:
            self.cond.wait_for(lambda: len(self.events) > after_count, timeout)
            return self.events[after_count] if len(self.events) > after_count else None

    def close(self):
        try:
            if self.conn and self.conn.sock:
                self.conn.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, max(0, int(round(p / 100 * len(values) + 0.5)) - 1))]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--listen-port", type=int, required=True)
    parser.add_argument("--write-port", type=int, required=True)
    parser.add_argument("--data", required=True)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--schema", default="")
    parser.add_argument("--probes", type=int, default=30)
    parser.add_argument("--gap", type=float, default=0.5, help="seconds between probes")
    parser.add_argument("--delay-after", type=float, default=0, help="seconds to wait before the first probe (the load warms up)")
    args = parser.parse_args()

    with open(f"{args.data}/bench-admins.txt") as f:
        admin_token, enterprise = f.readline().split()[:2]
    with open(f"{args.data}/bench-employees.txt") as f:
        employees = [line.split()[0] for line in f if len(line.split()) >= 2 and line.split()[1] == enterprise]
    if not employees:
        print(f"live delay: no employee accounts of enterprise {enterprise} in bench-employees.txt")
        return 1
    status, me = call(args.write_port, "GET", "/api/v1/me", admin_token)
    if status != 200:
        print(f"live delay: the admin's token is refused ({status})")
        return 1
    secret = secrets.token_urlsafe(32)
    digest = hashlib.sha256(secret.encode()).hexdigest()
    session_id = psql(args.database_url, args.schema,
                      "INSERT INTO web_sessions (id, secret_hash, csrf_token, created_at, last_seen_at, user_id) "
                      f"VALUES (gen_random_uuid(), '{digest}', '{secrets.token_urlsafe(16)}', now(), now(), '{me['id']}') RETURNING id")
    stream = Stream(args.listen_port, secret)
    stream.start()
    try:
        stream.connected.wait(15)
        if stream.status != 200:
            print(f"live delay: GET /live on the listening instance answered {stream.status}")
            return 1
        time.sleep(args.delay_after)
        delays, missed, refused = [], 0, {}
        for i in range(args.probes):
            count = len(stream.events)
            token = employees[i % len(employees)]
            status, _ = call(args.write_port, "POST", "/api/v1/health-reports", token,
                             {"temperature": 38.2, "symptoms": [], "contactWithCases": False, "city": "长春市", "note": "cluster bench probe"})
            answered = time.monotonic()
            if status != 201 and status != 200:
                refused[status] = refused.get(status, 0) + 1
                continue
            arrived = stream.wait_event(count, 5)
            if arrived is None:
                missed += 1
            else:
                delays.append(max(0.0, arrived - answered))
            time.sleep(args.gap)
        if delays:
            print(f"live delay: {len(delays)} probes, p50 {percentile(delays, 50) * 1000:.0f} ms, "
                  f"p99 {percentile(delays, 99) * 1000:.0f} ms, max {max(delays) * 1000:.0f} ms, missed {missed}"
                  + (f", refused {refused}" if refused else ""))
        else:
            print(f"live delay: no event arrived ({missed} missed, refused {refused})")
        return 0 if delays and not missed else 1
    finally:
        stream.close()
        try:
            psql(args.database_url, args.schema, f"DELETE FROM web_sessions WHERE id = '{session_id}'")
        except (RuntimeError, subprocess.TimeoutExpired):
            pass


if __name__ == "__main__":
    sys.exit(main())
