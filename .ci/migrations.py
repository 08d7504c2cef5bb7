#!/usr/bin/env python3
"""Migrations that cannot half-apply (issue 16, item 2).

(a) Killed first start: on many fresh data folders, start `fugong migrate`, SIGKILL it after a
    delay spread over a clean migration's duration (measured first), then `fugong migrate`
    again must exit 0 and `fugong serve` must come up (GET /healthz 200).
(b) Three at once: three `fugong serve` processes started together on one fresh folder
    (different ports) must all answer GET /healthz 200 within a timeout.

Usage: python3 .ci/migrations.py [--bin PATH] [--points 24] [--max-delay MS] [--trials 3] [--port 18090]
The binary defaults to $FUGONG_BIN, else .build/debug/fugong; it runs from the repo root.
`--max-delay` defaults to 1.2 times the measured duration of a clean `fugong migrate` (at least 100 ms),
so the kills land throughout the migration whatever the build's speed.
Prints `N passed, N failed` last; exits 1 on any failure. Python 3 standard library only.
"""

import argparse
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HARD_LIMIT = 20 * 60

started = time.monotonic()
passed = 0
failed = 0
failures = []
procs = []


def log(msg):
    print(f"[{time.monotonic() - started:7.1f}s] {msg}", flush=True)


def check(ok, what, detail=""):
    global passed, failed
    if ok:
        passed += 1
        log(f"ok   {what}")
    else:
        failed += 1
        failures.append(what + (f": {detail}" if detail else ""))
        log(f"FAIL {what}" + (f"\n{detail}" if detail else ""))
    return ok


def env_for(data):
    return dict(os.environ, FUGONG_DATA_DIR=data, LOG_LEVEL=os.environ.get("LOG_LEVEL", "info"))


def start(binary, args, data, logpath):
    f = open(logpath, "ab")
    p = subprocess.Popen([binary] + args, cwd=REPO, env=env_for(data), stdin=subprocess.PIPE, stdout=f,
                         stderr=subprocess.STDOUT, start_new_session=True)
    # Vapor's `migrate` asks before it applies anything; answer yes (ignored by other commands).
    try:
        p.stdin.write(b"y\ny\n")
        p.stdin.close()
    except OSError:
        pass
    p.logfile = f
    procs.append(p)
    return p


def stop(p, sig=signal.SIGTERM, wait=20):
    if p.poll() is None:
        try:
            p.send_signal(sig)
            p.wait(timeout=wait)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait(timeout=10)
    p.logfile.close()


def error_lines(logpath, n=4):
    """The lines of a log that say what went wrong, else its last lines."""
    try:
        with open(logpath, "rb") as f:
            lines = [l for l in f.read().decode("utf-8", "replace").splitlines() if l.strip()]
    except OSError:
        return "    | (no log)"
    wanted = [l for l in lines if re.search(r"error|fatal|already exists|duplicate|locked|busy|Fatal|panic|Trace", l, re.I)]
    chosen = (wanted or lines)[-n:]
    return "\n".join("    | " + l[:400] for l in chosen)


def db_problems(data):
    """What is wrong with a folder's database once no process holds it: integrity, and each
    migration recorded exactly once."""
    try:
        conn = sqlite3.connect(os.path.join(data, "fugong.sqlite"), timeout=30)
        integrity = [r[0] for r in conn.execute("PRAGMA integrity_check")]
        twice = conn.execute("SELECT name, count(*) FROM _fluent_migrations GROUP BY name HAVING count(*) > 1").fetchall()
        conn.close()
    except sqlite3.Error as error:
        return f"cannot read the database: {error}"
    problems = []
    if integrity != ["ok"]:
        problems.append(f"integrity_check: {integrity[:3]}")
    if twice:
        problems.append(f"migrations recorded more than once: {twice[:5]}")
    return "; ".join(problems)


def healthy(port, timeout, proc=None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            return False
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                if r.status == 200:
                    return True
        except OSError:
            pass
        time.sleep(0.2)
    return False


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bin", default=os.environ.get("FUGONG_BIN", ".build/debug/fugong"))
    parser.add_argument("--points", type=int, default=24, help="kill points for (a)")
    parser.add_argument("--max-delay", type=int, default=None, help="latest kill, in ms (default: 1.2 x a clean migrate's duration)")
    parser.add_argument("--trials", type=int, default=3, help="trials of (b)")
    parser.add_argument("--port", type=int, default=18090, help="first of three ports")
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    binary = args.bin if os.path.isabs(args.bin) else os.path.join(REPO, args.bin)
    if not os.access(binary, os.X_OK):
        print(f"no executable at {args.bin}")
        print("0 passed, 1 failed")
        return 1
    work = tempfile.mkdtemp(prefix="fugong-migrations-")

    def watchdog():
        log(f"hard limit of {HARD_LIMIT}s reached: stopping")
        for p in procs:
            if p.poll() is None:
                p.kill()
        print(f"{passed} passed, {failed + 1} failed", flush=True)
        os._exit(1)

    timer = threading.Timer(HARD_LIMIT, watchdog)
    timer.daemon = True
    timer.start()

    # A clean migrate on a fresh folder: it must succeed, and its duration spreads the kills.
    folder = os.path.join(work, "clean")
    t0 = time.monotonic()
    p = start(binary, ["migrate"], os.path.join(folder, "data"), os.path.join(work, "clean.log"))
    try:
        rc = p.wait(timeout=300)
    except subprocess.TimeoutExpired:
        rc = None
    stop(p)
    clean_ms = int((time.monotonic() - t0) * 1000)
    check(rc == 0, f"a clean `fugong migrate` on a fresh folder exits 0 (exit {rc}, {clean_ms} ms)",
          "" if rc == 0 else error_lines(os.path.join(work, "clean.log")))
    max_delay = args.max_delay if args.max_delay is not None else max(100, int(clean_ms * 1.2))
    points = args.points
    delays = [round(i * max_delay / (points - 1)) if points > 1 else 0 for i in range(points)]
    log(f"(a) {points} kill points from 0 to {max_delay} ms: {delays}")

    # (a) killed first start
    for i, delay in enumerate(delays):
        data = os.path.join(work, f"a{i:02d}", "data")
        logpath = os.path.join(work, f"a{i:02d}.log")
        first_log = os.path.join(work, f"a{i:02d}-first.log")
        first = start(binary, ["migrate"], data, first_log)
        time.sleep(delay / 1000)
        exited_first = first.poll()
        stop(first, signal.SIGKILL)
        with open(first_log, "rb") as f:
            begun = f.read().count(b"migrating:")
        how = (f"exited {exited_first} before the kill" if exited_first is not None
               else f"killed after {begun} migration(s) logged as begun")
        second = start(binary, ["migrate"], data, logpath)
        try:
            rc = second.wait(timeout=300)
        except subprocess.TimeoutExpired:
            rc = "timeout"
        stop(second)
        ok = check(rc == 0, f"(a) kill at {delay} ms ({how}): `fugong migrate` again exits 0 (exit {rc})",
                   "" if rc == 0 else error_lines(logpath))
        port = args.port
        server = start(binary, ["serve", "--hostname", "127.0.0.1", "--port", str(port)], data, logpath)
        up = healthy(port, 120, server)
        code = server.poll()
        stop(server)
        check(up, f"(a) kill at {delay} ms: then `fugong serve` answers /healthz 200"
              + ("" if up else f" (exit {code})"), "" if up else error_lines(logpath))
        problems = db_problems(data)
        if problems:
            check(False, f"(a) kill at {delay} ms: the database afterwards", problems)
        if ok and up and not args.keep:
            shutil.rmtree(os.path.join(work, f"a{i:02d}"), ignore_errors=True)
            for path in (logpath, first_log):
                os.remove(path)

    # (b) three at once on one fresh folder
    for t in range(args.trials):
        data = os.path.join(work, f"b{t}", "data")
        ports = [args.port + k for k in range(3)]
        servers = [start(binary, ["serve", "--hostname", "127.0.0.1", "--port", str(port)], data,
                         os.path.join(work, f"b{t}-{k}.log")) for k, port in enumerate(ports)]
        results = [None] * 3

        def probe(k):
            results[k] = healthy(ports[k], 180, servers[k])

        threads = [threading.Thread(target=probe, args=(k,)) for k in range(3)]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        codes = [s.poll() for s in servers]
        for s in servers:
            stop(s)
        detail = "\n".join(f"  serve #{k + 1} (port {ports[k]}): exit {codes[k]}\n{error_lines(os.path.join(work, f'b{t}-{k}.log'))}"
                           for k in range(3) if not results[k])
        check(all(results), f"(b) trial {t + 1}: three `fugong serve` started together on one folder all answer /healthz "
              f"({sum(bool(r) for r in results)} of 3 did)", detail)
        problems = db_problems(data)
        check(not problems, f"(b) trial {t + 1}: the database afterwards is whole, each migration recorded once", problems)

    elapsed = time.monotonic() - started
    if failures:
        print("\nFailures:")
        for f in failures:
            print(f"  - {f}")
    if args.keep or failures:
        print(f"folders and logs kept in {work}")
    else:
        shutil.rmtree(work, ignore_errors=True)
    print(f"migrations: took {elapsed:.1f}s")
    print(f"{passed} passed, {failed} failed", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
