#!/usr/bin/env python3
"""Two instances on PostgreSQL behind nginx (issue 17).

Starts instance A (`fugong demo`, which loads the demo district into a fresh schema), then B
(`fugong demo` again: it finds the district loaded), both on one PostgreSQL database and one
shared data folder with one personal-data key, and nginx in front of them with the deployment's
own configuration (deploy/nginx-config.sh --standalone, from deploy/nginx.conf.template). Then:

  f. /metrics is refused through nginx (403) and answered on each instance's loopback address
     (200, Prometheus text with fugong_http_requests_total); a proxied request is refused;
  a. a web sign-in through nginx (GET /login for the CSRF token and cookie, POST /login: 303
     to /), then 20 pages through nginx, each 200 as the signed-in user, served by both
     instances (nginx's access log names each request's instance);
  b. a page's live events across instances: the agent's GET /live on B hears `ticket:<id>`
     within 1 s of A's 201 for a ticket the company raised on A (on A's own stream and on one
     through nginx too);
  c. a bearer token revoked on A (DELETE /api/v1/auth/token) is refused on B within 1 s, and a
     district setting changed on A is read on B within 1 s;
  d. background jobs run once per period: the district's robot webhook points at a little HTTP
     server of this script's; an emergency ticket is raised; A and B restart together with
     FUGONG_CLOCK_OFFSET_SECONDS three hours ahead (its first response is then overdue:
     escalation level 1), then three days ahead (level 2). The ticket must hold exactly one
     escalation per level, the robot must get exactly one message per escalation (for every
     ticket escalated meanwhile), and the table job_runs one row per (job, period_start);
  e. B is killed (SIGKILL) while two loops of GETs run through nginx: every request after the
     kill is answered 200, by A.

PostgreSQL: --database-url, else $CLUSTER_DATABASE_URL, else
postgres://fugong:fugong@127.0.0.1:5432/fugong_cluster (the database is created if missing,
with the role's CREATEDB). The run works in a schema of its own, cluster_<pid>
(DATABASE_SCHEMA), dropped at the end unless --keep. Needs `psql` and `nginx` on the PATH.

Usage: python3 .ci/cluster.py [--bin PATH] [--database-url URL] [--port 18180] [--keep]
The binary defaults to $FUGONG_BIN, else .build/debug/fugong; it runs from the repo root.
nginx listens on --port, A and B on the next two ports, the robot server on the third.
Prints `N passed, N failed` last; exits 1 on any failure. Python 3 standard library only.
"""

import base64
import http.client
import http.server
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

# The tally, the log, the processes and psql: shared with durability.py and migrations.py.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.dont_write_bytecode = True  # leave no __pycache__ behind in .ci/
import ci_common  # noqa: E402
from ci_common import check, log  # noqa: E402

PASSWORD = "Fugong@2020"
DEFAULT_URL = "postgres://fugong:fugong@127.0.0.1:5432/fugong_cluster"
LIVE_DELAY = 1.0  # seconds: an event, a revocation or a setting reaches the other instance within this
HOUR, DAY = 3600, 86400


# --- HTTP ---------------------------------------------------------------------------------------

class Answer:
    def __init__(self, status, headers, raw):
        self.status, self.headers, self.raw = status, headers, raw
        self.text = raw.decode("utf-8", "replace")
        try:
            self.json = json.loads(raw) if raw else None
        except ValueError:
            self.json = None

    def cookies(self):
        """name -> value of each Set-Cookie."""
        found = {}
        for header in self.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            found[name.strip()] = rest.split(";", 1)[0]
        return found

    def __repr__(self):
        return f"{self.status} {self.text[:200]!r}"


def call(port, method, path, json_body=None, form=None, token=None, cookies=None, headers=None, timeout=15, conn=None):
    """One request to 127.0.0.1:port; returns an Answer. Raises OSError/HTTPException on I/O errors."""
    own = conn is None
    if own:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    sent = {"Accept": "application/json" if path.startswith("/api/") else "text/html"}
    data = None
    if json_body is not None:
        data = json.dumps(json_body).encode()
        sent["Content-Type"] = "application/json"
    elif form is not None:
        data = urllib.parse.urlencode(form).encode()
        sent["Content-Type"] = "application/x-www-form-urlencoded"
    if token:
        sent["Authorization"] = f"Bearer {token}"
    if cookies:
        sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
    sent.update(headers or {})
    try:
        conn.request(method, path, body=data, headers=sent)
        resp = conn.getresponse()
        return Answer(resp.status, resp.msg, resp.read())
    finally:
        if own:
            conn.close()


def api_login(port, username):
    """A bearer token and the user, signed in through `port`."""
    answer = call(port, "POST", "/api/v1/auth/login", {"username": username, "password": PASSWORD}, timeout=60)
    if answer.status != 201 or not isinstance(answer.json, dict) or "token" not in answer.json:
        raise RuntimeError(f"API sign-in of {username} on port {port}: {answer}")
    return answer.json["token"], answer.json["user"]


def web_login(port, username):
    """Signs in with the web form through `port`; returns (cookies, the POST's Answer)."""
    page = call(port, "GET", "/login", timeout=30)
    match = re.search(r'name="_csrf"\s+value="([^"]+)"', page.text)
    cookies = page.cookies()
    if page.status != 200 or not match or "fugong_session" not in cookies:
        raise RuntimeError(f"GET /login: {page.status}, csrf {'found' if match else 'missing'}, cookies {sorted(cookies)}")
    answer = call(port, "POST", "/login", form={"_csrf": match.group(1), "username": username, "password": PASSWORD},
                  cookies=cookies, timeout=60)
    cookies.update(answer.cookies())
    return cookies, answer


# --- helpers that run beside the instances -------------------------------------------------------

class Robot:
    """The group robot's webhook: counts the POSTs (WeCom's text format) it gets."""

    def __init__(self, port):
        self.posts = []  # (monotonic time, content text)
        self.lock = threading.Lock()
        robot = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                try:
                    content = json.loads(raw)["text"]["content"]
                except (ValueError, KeyError, TypeError):
                    content = raw.decode("utf-8", "replace")
                with robot.lock:
                    robot.posts.append((time.monotonic(), content))
                body = b'{"errcode":0,"errmsg":"ok"}'
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.url = f"http://127.0.0.1:{port}/robot"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def since(self, mark):
        with self.lock:
            return [content for _, content in self.posts[mark:]]

    def count(self):
        with self.lock:
            return len(self.posts)

    def close(self):
        self.server.shutdown()
        self.server.server_close()


class LiveStream(threading.Thread):
    """GET /live on one port with a web session's cookies; records each event's arrival."""

    def __init__(self, port, cookies, name):
        super().__init__(daemon=True)
        self.port, self.cookies, self.name = port, cookies, name
        self.connected = threading.Event()
        self.status, self.content_type, self.error = None, None, None
        self.events = []  # (monotonic time, data)
        self.conn = None

    def run(self):
        try:
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
            self.conn.request("GET", "/live", headers={"Accept": "text/event-stream",
                                                       "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())})
            resp = self.conn.getresponse()
            self.status, self.content_type = resp.status, resp.getheader("Content-Type", "")
            if resp.status != 200:
                self.connected.set()
                return
            data = []
            while True:
                line = resp.readline()
                if not line:
                    break
                line = line.decode("utf-8", "replace").rstrip("\r\n")
                if line.startswith(": connected"):
                    self.connected.set()
                elif line.startswith("data:"):
                    data.append(line[5:].strip())
                elif line == "" and data:
                    self.events.append((time.monotonic(), "\n".join(data)))
                    data = []
        except (OSError, http.client.HTTPException, ValueError, AttributeError) as error:
            self.error = error
        finally:
            self.connected.set()

    def arrival(self, data):
        return next((t for t, d in list(self.events) if d == data), None)

    def close(self):
        try:
            if self.conn and self.conn.sock:
                self.conn.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        if self.conn:
            self.conn.close()


def upstreams_since(access_log, offset, path_prefix=""):
    """nginx's access log from byte `offset`: [(request path, upstream addresses, final status)]."""
    rows = []
    try:
        with open(access_log, "rb") as f:
            f.seek(offset)
            text = f.read().decode("utf-8", "replace")
    except OSError:
        return rows
    for line in text.splitlines():
        m = re.search(r'"[A-Z]+ (\S+) HTTP/[\d.]+" (\d+) .* upstream=(.*?) upstream_status=', line)
        if m and m.group(1).startswith(path_prefix):
            rows.append((m.group(1), [a.strip() for a in re.split(r"[,:] (?=\d)", m.group(3)) if a.strip()], int(m.group(2))))
    return rows


# --- the cluster ---------------------------------------------------------------------------------

class Cluster:
    def __init__(self, args, binary):
        self.args, self.binary = args, binary
        self.url = args.database_url
        self.schema = f"cluster_{os.getpid()}"
        self.work = tempfile.mkdtemp(prefix="fugong-cluster-")
        self.data, self.logs = os.path.join(self.work, "data"), os.path.join(self.work, "logs")
        os.makedirs(self.data)
        os.makedirs(self.logs)
        self.nginx_dir = os.path.join(self.work, "nginx")
        self.port_n, self.port_a, self.port_b, self.port_robot = args.port, args.port + 1, args.port + 2, args.port + 3
        self.key = base64.b64encode(os.urandom(32)).decode()  # one personal-data key for both
        self.a = self.b = self.nginx = None
        self.starts = 0

    @property
    def access_log(self):
        return os.path.join(self.nginx_dir, "access.log")

    def sql(self, statement):
        return ci_common.psql(self.url, f"SET search_path TO {self.schema}; {statement}")

    def start(self, name, command, offset=0):
        """Starts instance `name` (A or B) on its port; does not wait."""
        self.starts += 1
        port = self.port_a if name == "A" else self.port_b
        env = {"DATABASE_URL": self.url, "DATABASE_SCHEMA": self.schema, "FUGONG_INSTANCE": name,
               "FUGONG_TRUST_PROXY": "true", "FUGONG_DATA_KEY": self.key, "FUGONG_BCRYPT_COST": "4"}
        if offset:
            env["FUGONG_CLOCK_OFFSET_SECONDS"] = str(offset)
        logpath = os.path.join(self.logs, f"{self.starts}-{name}-{command}.log")
        p = ci_common.start(self.binary, ci_common.listen(command, port), self.data, logpath, "notice", env=env)
        p.port = port
        setattr(self, name.lower(), p)
        return p

    def up(self, p, timeout, what):
        ok = ci_common.healthy(p.port, timeout, p)
        if not check(ok, what):
            print(ci_common.error_lines(p.logpath, 8))
        return ok

    def restart_both(self, offset):
        """Stops A and B, then starts both at once (`serve`) with the clock `offset` seconds ahead."""
        for p in (self.a, self.b):
            if p is not None:
                ci_common.stop(p, wait=30)
        self.start("A", "serve", offset)
        self.start("B", "serve", offset)
        return (self.up(self.a, 120, f"A restarts with the clock {offset // HOUR} h ahead")
                and self.up(self.b, 120, f"B restarts with the clock {offset // HOUR} h ahead"))

    def start_nginx(self):
        nginx = shutil.which("nginx") or ("/usr/sbin/nginx" if os.access("/usr/sbin/nginx", os.X_OK) else None)
        if not check(nginx is not None, "nginx is installed (apt-get install nginx-light)"):
            return False
        config = subprocess.run([os.path.join(ci_common.REPO, "deploy", "nginx-config.sh"), "--standalone", self.nginx_dir,
                                 f"127.0.0.1:{self.port_n}", f"127.0.0.1:{self.port_a}", f"127.0.0.1:{self.port_b}"],
                                capture_output=True, text=True, env=dict(os.environ, PATH=os.environ["PATH"] + ":/usr/sbin"))
        if not check(config.returncode == 0, "deploy/nginx-config.sh --standalone writes nginx's configuration", config.stderr):
            return False
        conf = os.path.join(self.nginx_dir, "nginx.conf")
        with open(conf, "w") as f:
            f.write(config.stdout)
        flags = ["-p", self.nginx_dir, "-e", os.path.join(self.nginx_dir, "error.log"), "-c", conf]
        test = subprocess.run([nginx, "-t", "-q"] + flags, capture_output=True, text=True)
        if not check(test.returncode == 0, "nginx -t accepts the generated configuration", test.stderr):
            return False
        self.nginx = ci_common.spawn([nginx] + flags, os.path.join(self.logs, "nginx.log"))
        self.nginx.port = self.port_n
        ok = ci_common.healthy(self.port_n, 20, self.nginx)
        if not check(ok, f"nginx on 127.0.0.1:{self.port_n} answers /healthz through the instances"):
            print(ci_common.tail(os.path.join(self.nginx_dir, "error.log")))
        return ok


# --- the checks ----------------------------------------------------------------------------------

def check_metrics(cl):
    """f. /metrics: never through nginx; on each instance's loopback address, Prometheus text."""
    for path in ("/metrics", "//metrics", "/metrics/", "/%6Detrics"):
        answer = call(cl.port_n, "GET", path)
        check(answer.status == 403, f"GET {path} through nginx is denied: {answer.status}")
    for name, port in (("A", cl.port_a), ("B", cl.port_b)):
        answer = call(port, "GET", "/metrics")
        check(answer.status == 200 and "fugong_http_requests_total" in answer.text,
              f"GET /metrics on {name}'s loopback address: {answer.status}, "
              f"{'with' if 'fugong_http_requests_total' in answer.text else 'without'} fugong_http_requests_total")
    answer = call(cl.port_a, "GET", "/metrics", headers={"X-Forwarded-For": "203.0.113.9"})
    check(answer.status != 200, f"GET /metrics on A with an X-Forwarded-For header (as if proxied) is refused: {answer.status}")


def check_web_sign_in(cl, display_name):
    """a. A web sign-in and 20 pages through nginx, as that user, on both instances."""
    offset = os.path.getsize(cl.access_log)
    cookies, answer = web_login(cl.port_n, "company")
    location = answer.headers.get("Location", "")
    check(answer.status == 303 and location.endswith("/") and urllib.parse.urlparse(location).path == "/",
          f"POST /login through nginx answers 303 to / ({answer.status} {location!r})")
    pages = ["/", "/helpdesk", "/workforce", "/resumption", "/jobs/centre", "/freight", "/policies"]
    bad = []
    conn = http.client.HTTPConnection("127.0.0.1", cl.port_n, timeout=30)
    for i in range(20):
        path = pages[i % len(pages)]
        answer = call(cl.port_n, "GET", path, cookies=cookies, conn=conn)
        if answer.status != 200 or display_name not in answer.text:
            bad.append(f"{path}: {answer.status}{'' if display_name in answer.text else ', not as ' + display_name}")
    conn.close()
    check(not bad, f"20 pages through nginx answer 200 as {display_name}" + (f"; {len(bad)} not: {bad[:4]}" if bad else ""))
    time.sleep(0.2)  # nginx writes the log line as it answers
    served = {}
    for path, addresses, _ in upstreams_since(cl.access_log, offset):
        if path in pages and addresses:
            served[addresses[-1]] = served.get(addresses[-1], 0) + 1
    a, b = f"127.0.0.1:{cl.port_a}", f"127.0.0.1:{cl.port_b}"
    check(served.get(a, 0) > 0 and served.get(b, 0) > 0,
          f"both instances served the pages (nginx's access log: A {served.get(a, 0)}, B {served.get(b, 0)})")


def check_live_events(cl, company_token):
    """b. The agent's live page on B hears a ticket raised through A."""
    cookies, answer = web_login(cl.port_b, "agent")
    if not check(answer.status == 303, f"the agent signs in on B directly ({answer.status})"):
        return
    streams = [LiveStream(cl.port_b, cookies, "B"), LiveStream(cl.port_a, cookies, "A"), LiveStream(cl.port_n, cookies, "nginx")]
    for s in streams:
        s.start()
    try:
        for s in streams:
            s.connected.wait(10)
        on_b = streams[0]
        check(on_b.status == 200 and (on_b.content_type or "").startswith("text/event-stream") and on_b.connected.is_set()
              and on_b.error is None,
              f"GET /live on B: {on_b.status} {on_b.content_type!r}, `: connected` read" + (f", {on_b.error}" if on_b.error else ""))
        for s in streams[1:]:
            check(s.status == 200 and s.error is None, f"GET /live on {s.name}: {s.status}" + (f", {s.error}" if s.error else ""))
        time.sleep(0.3)  # subscribed on the server's side before the write
        answer = call(cl.port_a, "POST", "/api/v1/tickets", {
            "category": "supplies", "urgency": "general", "title": "CLUSTER live event",
            "description": "A ticket raised on instance A; the agent's page is on instance B."}, token=company_token)
        answered = time.monotonic()
        if not check(answer.status == 201 and isinstance(answer.json, dict) and "id" in answer.json,
                     f"the company raises a supplies ticket on A: {answer.status}"):
            return
        event = f"ticket:{answer.json['id']}"
        deadline = answered + LIVE_DELAY + 2
        while time.monotonic() < deadline and not all(s.arrival(event) for s in streams):
            time.sleep(0.02)
        for s in streams:
            t = s.arrival(event)
            delay = None if t is None else t - answered
            said = "never (waited 3 s)" if delay is None else f"{delay * 1000:.0f} ms after A's 201"
            label = {"B": "on B (the other instance)", "A": "on A (the same instance)", "nginx": "through nginx"}[s.name]
            check(delay is not None and delay <= LIVE_DELAY, f"live event {event[:15]}… arrives {label}: {said}")
    finally:
        for s in streams:
            s.close()


def wait_for(probe, seconds, every=0.05):
    """Calls probe() until it returns true or `seconds` pass; returns (value, seconds taken)."""
    started = time.monotonic()
    while True:
        value = probe()
        if value or time.monotonic() - started >= seconds:
            return value, time.monotonic() - started
        time.sleep(every)


def check_revocation(cl):
    """c. A token revoked on A is refused on B at once."""
    token, _ = api_login(cl.port_a, "company")
    before = call(cl.port_b, "GET", "/api/v1/me", token=token)
    check(before.status == 200, f"the token works on B before (and B keeps it): {before.status}")
    revoked = call(cl.port_a, "DELETE", "/api/v1/auth/token", token=token)
    check(revoked.status == 204, f"DELETE /api/v1/auth/token on A: {revoked.status}")
    first = call(cl.port_b, "GET", "/api/v1/me", token=token).status
    if first == 401:
        check(True, "the revoked token is refused on B by the very next request (401)")
    else:
        status, took = wait_for(lambda: call(cl.port_b, "GET", "/api/v1/me", token=token).status == 401, 6)
        check(status and took <= LIVE_DELAY, f"the revoked token is refused on B within {LIVE_DELAY:.0f} s: the next request "
              f"answered {first}, " + (f"401 after {took:.2f} s" if status else "still not 401 after 6 s"))
    check(call(cl.port_a, "GET", "/api/v1/me", token=token).status == 401, "the revoked token is refused on A")


def check_settings(cl, admin_token):
    """c. A district setting changed on A is read on B within 1 s."""
    before = call(cl.port_b, "GET", "/api/v1/settings", token=admin_token)
    if not check(before.status == 200 and isinstance(before.json, dict), f"GET /api/v1/settings on B: {before.status}"):
        return
    cap = before.json.get("officerCap", 20)
    new = cap + 1 if cap < 500 else cap - 1
    changed = call(cl.port_a, "PUT", "/api/v1/settings", {"officerCap": new}, token=admin_token)
    check(changed.status == 200, f"PUT /api/v1/settings officerCap {cap} → {new} on A: {changed.status}")
    seen, took = wait_for(lambda: (call(cl.port_b, "GET", "/api/v1/settings", token=admin_token).json or {}).get("officerCap") == new, 7)
    check(seen and took <= LIVE_DELAY, f"B reads the new officerCap within {LIVE_DELAY:.0f} s: "
          + (f"after {took:.2f} s" if seen else "not after 7 s"))


def psql_error(text):
    """psql's ERROR line (its message ends with a caret line under the statement)."""
    lines = [line for line in text.splitlines() if line.startswith(("ERROR", "psql:", "FATAL"))]
    return (lines or text.splitlines() or ["no error text"])[0]


def escalations(ticket):
    return [m["event"]["level"] for m in ticket.get("messages", [])
            if isinstance(m.get("event"), dict) and m["event"].get("kind") == "escalated"]


def check_jobs_once(cl, admin_token, company_token, robot):
    """d. With both instances ahead in time, the help-desk sweep escalates once per level, the
    robot hears once per escalation, and job_runs holds one row per (job, period)."""
    answer = call(cl.port_a, "PUT", "/api/v1/settings", {"districtWebhookURL": robot.url}, token=admin_token)
    check(answer.status == 200 and (answer.json or {}).get("districtWebhookURL") == robot.url,
          f"the district's robot webhook set to this script's server on A: {answer.status}")
    answer = call(cl.port_a, "POST", "/api/v1/tickets", {
        "category": "supplies", "urgency": "emergency", "title": "CLUSTER escalation",
        "description": "Its first response is due in 2 hours; the instances' clocks will be 3 hours, then 3 days, ahead."},
        token=company_token)
    if not check(answer.status == 201 and isinstance(answer.json, dict), f"an emergency ticket raised on A: {answer.status}"):
        return
    ticket_id, number = answer.json["id"], answer.json["number"]
    log(f"ticket {number}: first response due {answer.json.get('firstResponseDueAt')}")

    levels_seen = {}
    for offset, level in ((3 * HOUR, 1), (3 * DAY, 2)):
        ci_common.stop(cl.a, wait=30)
        ci_common.stop(cl.b, wait=30)
        if offset == 3 * HOUR:
            mark = robot.count()  # every POST from here on comes from the runs ahead in time
        if not cl.restart_both(offset):
            return
        token, _ = api_login(cl.port_a, "admin")

        def level_reached():
            got = call(cl.port_a, "GET", f"/api/v1/tickets/{ticket_id}", token=token)
            return got.json if got.status == 200 and (got.json or {}).get("escalationLevel", 0) >= level else None

        ticket, took = wait_for(level_reached, 45, every=0.5)
        check(ticket is not None, f"clock {offset // HOUR} h ahead: the sweep escalates {number} to level {level}"
              + (f" ({took:.0f} s after the restart)" if ticket else " (not within 45 s)"))
        time.sleep(3)  # a second instance's duplicate, if any, lands meanwhile
        levels_seen[level] = ticket is not None

    final = call(cl.port_a, "GET", f"/api/v1/tickets/{ticket_id}", token=api_login(cl.port_a, "admin")[0])
    got = escalations(final.json or {})
    check(got == [1, 2], f"{number} holds exactly one escalation per level: levels {got}, escalationLevel "
          f"{(final.json or {}).get('escalationLevel')}")
    time.sleep(1)  # the robot's messages go out in the background
    posts = robot.since(mark)
    mine = [p for p in posts if number in p]
    check(len(mine) == len(got) and len(got) > 0,
          f"the robot got one message per escalation of {number}: {len(mine)} messages, {len(got)} escalations")
    # Every ticket escalated while the clocks ran ahead (the demo's overdue ones too).
    ok, rows, error = cl.sql(
        "SELECT t.number, m.body FROM ticket_messages m JOIN tickets t ON t.id = m.ticket_id "
        "WHERE m.kind = 'system' AND m.body LIKE '%\"kind\":\"escalated\"%' AND m.at > now() + interval '1 hour' "
        "ORDER BY t.number, m.at")
    if check(ok, "psql reads the escalations recorded while the clocks ran ahead", psql_error(error) if error else ""):
        recorded = {}
        for n, body in rows:
            try:
                recorded.setdefault(n, []).append(json.loads(body).get("level"))
            except ValueError:
                recorded.setdefault(n, []).append(body)
        sent = {}
        for p in posts:
            for n in set(re.findall(r"FG-\d{8}-\d+", p)):
                sent[n] = sent.get(n, 0) + 1
        differ = {n: (len(recorded.get(n, [])), sent.get(n, 0)) for n in set(recorded) | set(sent)
                  if len(recorded.get(n, [])) != sent.get(n, 0)}
        check(recorded and not differ, f"{sum(map(len, recorded.values()))} escalations of {len(recorded)} tickets, "
              f"{len(posts)} robot messages: one each"
              + (f"; (escalations, messages) differ: {dict(sorted(differ.items())[:5])}" if differ else ""))
        twice = {n: levels for n, levels in recorded.items() if len(levels) != len(set(levels))}
        check(not twice, f"no ticket escalated twice to one level (of {len(recorded)} escalated)"
              + (f": {dict(sorted(twice.items())[:5])}" if twice else ""))
    ok, rows, error = cl.sql("SELECT job, period_start, count(*), string_agg(instance, ',') FROM job_runs "
                             "GROUP BY job, period_start HAVING count(*) > 1 ORDER BY 2 LIMIT 5")
    check(ok and not rows, "job_runs holds one row per (job, period_start)"
          + (f"; duplicated: {rows}" if rows else "") + (f" ({psql_error(error)})" if not ok else ""))
    ok, rows, error = cl.sql("SELECT job, count(*), count(DISTINCT instance) FROM job_runs GROUP BY job ORDER BY job")
    if ok:
        log("job_runs: " + "; ".join(f"{job}: {n} runs by {k} instance(s)" for job, n, k in rows))
    check(ok and any("help-desk" in r[0] or "helpdesk" in r[0] for r in rows), "job_runs records the help-desk sweep's runs"
          + (f" ({psql_error(error)})" if not ok else ""))


def check_failover(cl, token):
    """e. B killed while requests run through nginx: every later request is answered, by A."""
    offset = os.path.getsize(cl.access_log)
    results = []  # (monotonic time, status or error)
    lock = threading.Lock()
    done = threading.Event()

    def loop():
        conn = http.client.HTTPConnection("127.0.0.1", cl.port_n, timeout=15)
        while not done.is_set():
            try:
                status = call(cl.port_n, "GET", "/api/v1/me", token=token, conn=conn).status
            except (OSError, http.client.HTTPException) as error:
                status = f"{type(error).__name__}"
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", cl.port_n, timeout=15)
            with lock:
                results.append((time.monotonic(), status))
        conn.close()

    threads = [threading.Thread(target=loop, daemon=True) for _ in range(2)]
    for t in threads:
        t.start()
    time.sleep(1.5)
    killed_at = time.monotonic()
    ci_common.stop(cl.b, signal.SIGKILL)
    log(f"B (pid {cl.b.pid}) killed with SIGKILL while the loops ran")
    time.sleep(3)
    done.set()
    for t in threads:
        t.join(20)
    before = [s for t, s in results if t < killed_at]
    after = [s for t, s in results if t >= killed_at]
    bad = [s for s in after if s != 200]
    check(before and all(s == 200 for s in before), f"before the kill: {len(before)} requests through nginx, "
          f"{sum(1 for s in before if s == 200)} answered 200")
    check(after and not bad, f"after the kill: {len(after)} requests through nginx, {len(after) - len(bad)} answered 200"
          + (f"; others: {sorted(set(map(str, bad)))} x{len(bad)}" if bad else ""))
    time.sleep(0.2)
    rows = upstreams_since(cl.access_log, offset, "/api/v1/me")
    a, b = f"127.0.0.1:{cl.port_a}", f"127.0.0.1:{cl.port_b}"
    retried = sum(1 for _, addresses, _ in rows if len(addresses) > 1)
    log(f"nginx's log: {sum(1 for _, ad, _ in rows if ad and ad[-1] == a)} answered by A, "
        f"{sum(1 for _, ad, _ in rows if ad and ad[-1] == b)} by B, {retried} tried on B and answered by A")


# --- the run -------------------------------------------------------------------------------------

def main():
    parser = ci_common.arg_parser(__doc__)
    parser.add_argument("--database-url", default=os.environ.get("CLUSTER_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--port", type=int, default=18180, help="nginx; A, B and the robot take the next three")
    parser.add_argument("--time-limit", type=int, default=240, help="seconds before the watchdog ends the run")
    parser.add_argument("--keep", action="store_true", help="keep the schema, the logs and nginx's files")
    args = parser.parse_args()
    binary = ci_common.find_binary(args.bin)
    if binary is None:
        return 1
    ci_common.HARD_LIMIT = args.time_limit
    ci_common.start_watchdog()
    cl = Cluster(args, binary)
    robot = None

    def finish():
        if robot:
            robot.close()
        for p in list(ci_common.procs):
            ci_common.stop(p, wait=30)
        if not args.keep:
            ok, _, error = ci_common.psql(cl.url, f"DROP SCHEMA IF EXISTS {cl.schema} CASCADE")
            if not ok:
                log(f"could not drop the schema {cl.schema}: {error}")
        return ci_common.finish("cluster", cl.work, args.keep,
                                "the logs and nginx's files" + (f" (and the schema {cl.schema})" if args.keep else ""))

    log(f"binary {args.bin}, database {cl.url}, schema {cl.schema}, nginx :{cl.port_n}, A :{cl.port_a}, B :{cl.port_b}, "
        f"work folder {cl.work}")
    if not check(shutil.which("psql") is not None, "psql is installed"):
        return finish()
    # A fresh schema, in a database created if missing.
    ok, _, error = ci_common.psql(cl.url, "SELECT 1")
    if not ok and "does not exist" in error:
        parts = urllib.parse.urlparse(cl.url)
        name = parts.path.lstrip("/")
        ok, _, error = ci_common.psql(parts._replace(path="/postgres").geturl(), f'CREATE DATABASE "{name}"')
        log(f"created the database {name}" if ok else f"could not create the database {name}: {error}")
    ok, _, error = ci_common.psql(cl.url, f"DROP SCHEMA IF EXISTS {cl.schema} CASCADE") if ok else (ok, [], error)
    if not check(ok, f"PostgreSQL answers at {cl.url}", psql_error(error) if error else ""):
        return finish()

    phase = time.monotonic()
    cl.start("A", "demo")
    if not cl.up(cl.a, 180, "A (`fugong demo`) loads the demo district and answers /healthz"):
        return finish()
    log(f"A up after {time.monotonic() - phase:.1f} s")
    cl.start("B", "demo")
    if not cl.up(cl.b, 120, "B (`fugong demo` on the same schema) finds the district and answers /healthz"):
        return finish()
    if not cl.start_nginx():
        return finish()
    try:
        robot = Robot(cl.port_robot)
    except OSError as error:
        check(False, f"the robot server on port {cl.port_robot}: {error}")
        return finish()

    try:
        company_token, company = api_login(cl.port_a, "company")
        admin_token, _ = api_login(cl.port_a, "admin")
    except (RuntimeError, OSError, http.client.HTTPException) as error:
        check(False, f"demo sign-in: {error}")
        return finish()

    steps = [
        ("f. /metrics", lambda: check_metrics(cl)),
        ("a. a web sign-in and pages through nginx", lambda: check_web_sign_in(cl, company["displayName"])),
        ("b. live events across instances", lambda: check_live_events(cl, company_token)),
        ("c. a token revoked on A, refused on B", lambda: check_revocation(cl)),
        ("c. a setting changed on A, read on B", lambda: check_settings(cl, admin_token)),
        ("d. background jobs once per period", lambda: check_jobs_once(cl, admin_token, company_token, robot)),
        ("e. one instance killed under load", lambda: check_failover(cl, api_login(cl.port_n, "company")[0])),
    ]
    for title, step in steps:
        log(f"== {title}")
        step_started = time.monotonic()
        try:
            step()
        except Exception as error:  # noqa: BLE001 - one broken step must not hide the others
            check(False, f"{title}: {type(error).__name__}: {error}")
        log(f"== {title}: {time.monotonic() - step_started:.1f} s")
        if cl.a is not None and cl.a.poll() is not None:
            check(False, "A still runs", ci_common.error_lines(cl.a.logpath, 6))
            break
    return finish()


if __name__ == "__main__":
    sys.exit(main())
