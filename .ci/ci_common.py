"""What the CI's kill and cluster tests share (durability.py, migrations.py, cluster.py).

The tally of checks and the closing `N passed, N failed` line, the log with elapsed time, the
binary from the command line, starting and stopping `fugong` processes and others such as nginx
(each tracked, so a watchdog or the end of the run can stop what still runs), waiting for GET
/healthz, reading a server's log back, the SQLite checks, and psql for PostgreSQL. One test run
per process: the tally and the list of processes live in this module. Python 3 standard
library only.
"""

import argparse
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import threading
import time
import urllib.parse
import urllib.request

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HARD_LIMIT = 20 * 60  # seconds: the whole run stops by itself past this
DB_FILE = "fugong.sqlite"  # the SQLite file inside a data folder

started = time.monotonic()
passed = 0
failed = 0
failures = []
procs = []  # every process started, for the watchdog and the end of the run


# --- the tally ---------------------------------------------------------------------------------

def log(msg):
    print(f"[{time.monotonic() - started:7.1f}s] {msg}", flush=True)


def check(ok, what, detail=""):
    """Counts one check and logs it; a failure's detail is logged below it and kept for the report."""
    global passed, failed
    if ok:
        passed += 1
        log(f"ok   {what}")
    else:
        failed += 1
        failures.append(what + (f": {detail}" if detail else ""))
        log(f"FAIL {what}" + (f"\n{detail}" if detail else ""))
    return ok


def start_watchdog():
    """Bounds the whole run: past HARD_LIMIT every process still running is killed, the tally
    printed with one more failure, and the run exits 1."""
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


def finish(name, work, keep, kept):
    """Ends the run: stops what still runs, lists the failures, keeps the work folder (on
    failure or with --keep; `kept` says what it holds) or removes it, and prints the time taken
    and `N passed, N failed` last. Returns the exit code."""
    for p in procs:
        stop(p, wait=30)
    elapsed = time.monotonic() - started
    if failures:
        print("\nFailures:")
        for f in failures:
            print(f"  - {f}")
    if keep or failures:
        print(f"{kept} kept in {work}")
    else:
        shutil.rmtree(work, ignore_errors=True)
    print(f"{name}: took {elapsed:.1f}s")
    print(f"{passed} passed, {failed} failed", flush=True)
    return 1 if failed else 0


# --- the binary and its processes -------------------------------------------------------------

def arg_parser(doc):
    """A parser showing the script's docstring, with --bin (default $FUGONG_BIN, else the debug build)."""
    parser = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bin", default=os.environ.get("FUGONG_BIN", ".build/debug/fugong"))
    return parser


def find_binary(path):
    """The binary's absolute path (a relative one is from the repo root), or None once the
    run has said there is none and failed."""
    binary = path if os.path.isabs(path) else os.path.abspath(os.path.join(REPO, path))
    if not os.access(binary, os.X_OK):
        print(f"no executable at {path}")
        print("0 passed, 1 failed")
        return None
    return binary


def listen(command, port):
    """Arguments for `command` (serve, demo) listening on loopback at `port`."""
    return [command, "--hostname", "127.0.0.1", "--port", str(port)]


def start(binary, args, data, logpath, log_level, answers=None, env=None):
    """Starts `binary args` from the repo root on the data folder `data`, its output appended to
    `logpath` (kept as p.logpath). `answers` are written to its standard input, else it gets none.
    LOG_LEVEL from the environment wins over `log_level`. `env` adds (or replaces) variables."""
    f = open(logpath, "ab")
    env = dict(os.environ, FUGONG_DATA_DIR=data, LOG_LEVEL=os.environ.get("LOG_LEVEL", log_level), **(env or {}))
    p = subprocess.Popen([binary] + args, cwd=REPO, env=env,
                         stdin=subprocess.PIPE if answers else subprocess.DEVNULL, stdout=f,
                         stderr=subprocess.STDOUT, start_new_session=True)
    if answers:
        try:
            p.stdin.write(answers)
            p.stdin.close()
        except OSError:
            pass
    p.logfile, p.logpath = f, logpath
    procs.append(p)
    return p


def spawn(command, logpath, env=None):
    """Starts any other process (nginx, psql …) from the repo root, tracked like a server:
    output appended to `logpath`, stopped by `stop`, the watchdog and `finish`."""
    f = open(logpath, "ab")
    p = subprocess.Popen(command, cwd=REPO, env=dict(os.environ, **(env or {})), stdin=subprocess.DEVNULL,
                         stdout=f, stderr=subprocess.STDOUT, start_new_session=True)
    p.logfile, p.logpath = f, logpath
    procs.append(p)
    return p


def stop(p, sig=signal.SIGTERM, wait=20):
    """Sends `sig` if it still runs and waits for it (SIGKILL after `wait` seconds); closes its log."""
    if p.poll() is None:
        try:
            p.send_signal(sig)
            p.wait(timeout=wait)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait(timeout=10)
    p.logfile.close()


def healthy(port, timeout, proc=None):
    """Whether GET /healthz on loopback answers 200 within `timeout` seconds (False as soon as
    `proc` exits)."""
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


# --- logs --------------------------------------------------------------------------------------

def _log_lines(logpath):
    """A log's lines, or None if it cannot be read."""
    try:
        with open(logpath, "rb") as f:
            return f.read().decode("utf-8", "replace").splitlines()
    except OSError:
        return None


def _quoted(lines):
    return "\n".join("    | " + line for line in lines)


def tail(logpath, n=15):
    """A log's last lines, indented to print under a check."""
    lines = _log_lines(logpath)
    return "    | (no log)" if lines is None else _quoted(lines[-n:])


def error_lines(logpath, n=4):
    """The lines of a log that say what went wrong, else its last lines."""
    lines = _log_lines(logpath)
    if lines is None:
        return "    | (no log)"
    lines = [l for l in lines if l.strip()]
    wanted = [l for l in lines if re.search(r"error|fatal|already exists|duplicate|locked|busy|Fatal|panic|Trace", l, re.I)]
    return _quoted(l[:400] for l in (wanted or lines)[-n:])


# --- the database ------------------------------------------------------------------------------

def open_db(data, read_only=False):
    """The data folder's SQLite file; read-only beside a running server."""
    path = os.path.join(data, DB_FILE)
    if read_only:
        return sqlite3.connect(f"file:{urllib.parse.quote(path)}?mode=ro", uri=True, timeout=30)
    return sqlite3.connect(path, timeout=30)


def integrity(conn):
    """PRAGMA integrity_check's answer: ["ok"] when the file is whole."""
    return [r[0] for r in conn.execute("PRAGMA integrity_check").fetchall()]


def psql(url, sql, timeout=60):
    """Runs `sql` with psql on the PostgreSQL database at `url`; returns (ok, rows, error text),
    each row a list of its columns' text. Stops at the first error."""
    try:
        r = subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-t", "-A", "-F", "\t", "-d", url, "-c", sql],
                           capture_output=True, text=True, timeout=timeout)
    except (OSError, subprocess.TimeoutExpired) as error:
        return False, [], str(error)
    rows = [line.split("\t") for line in r.stdout.splitlines() if line.strip()]
    return r.returncode == 0, rows, r.stderr.strip()
