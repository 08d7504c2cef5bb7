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

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time

# The tally, the log, the server processes, their logs and the database: shared with durability.py.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.dont_write_bytecode = True  # leave no __pycache__ behind in .ci/
import ci_common  # noqa: E402
from ci_common import check, error_lines, log, stop  # noqa: E402


def start(binary, args, data, logpath):
    """`binary args` on the data folder `data`, logged to `logpath`. Vapor's `migrate` asks before
    it applies anything; answer yes (ignored by other commands)."""
    return ci_common.start(binary, args, data, logpath, "info", answers=b"y\ny\n")


def db_problems(data):
    """What is wrong with a folder's database once no process holds it: integrity, and each
    migration recorded exactly once."""
    try:
        conn = ci_common.open_db(data)
        integrity = ci_common.integrity(conn)
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


def main():
    parser = ci_common.arg_parser(__doc__)
    parser.add_argument("--points", type=int, default=24, help="kill points for (a)")
    parser.add_argument("--max-delay", type=int, default=None, help="latest kill, in ms (default: 1.2 x a clean migrate's duration)")
    parser.add_argument("--trials", type=int, default=3, help="trials of (b)")
    parser.add_argument("--port", type=int, default=18090, help="first of three ports")
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    binary = ci_common.find_binary(args.bin)
    if binary is None:
        return 1
    work = tempfile.mkdtemp(prefix="fugong-migrations-")
    ci_common.start_watchdog()

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
        server = start(binary, ci_common.listen("serve", port), data, logpath)
        up = ci_common.healthy(port, 120, server)
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
        servers = [start(binary, ci_common.listen("serve", port), data,
                         os.path.join(work, f"b{t}-{k}.log")) for k, port in enumerate(ports)]
        results = [None] * 3

        def probe(k):
            results[k] = ci_common.healthy(ports[k], 180, servers[k])

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

    return ci_common.finish("migrations", work, args.keep, "folders and logs")

if __name__ == "__main__":
    sys.exit(main())
