#!/usr/bin/env python3
"""The freight rush: many verified enterprises book one departure at the same moment.

Run by bench/freight-rush.sh against one or more running instances (`--base URL`, repeated);
Python's standard library only. Through the API alone:

1. `port` (port operator) creates a departure: 45 FEU, auto-confirm, booking cut-off ahead.
2. N enterprises register (`POST /api/v1/enterprises`, valid GB 32100 credit codes, each with
   its enterpriseAdmin), `reviewer` approves each, each admin logs in for an API token.
3. Every enterprise books once (`POST /api/v1/freight/bookings`: 1 x 40HC, 2 x 40HC or
   2 x 20GP), all released together over C keep-alive connections; request i goes to instance
   i mod (number of instances). Each booking is sent exactly once, never retried.
4. As the port operator: the bookings of the departure and the departure itself are read
   back and the invariants checked (see `verify`).

Exit status: 0 all held; 1 an invariant failed (or setup failed); 2 the invariants held but
p99 missed the floor. `python3 bench/freight-rush.py selftest` checks the helpers offline.
"""
import argparse
import concurrent.futures
import datetime
import http.client
import json
import math
import secrets
import sys
import threading
import time
import urllib.parse

PASSWORD = "Fugong@2020"  # the demo accounts' password
ADMIN_PASSWORD = "Rush-Bench@2020"  # the bench enterprises' admins

# --- GB 32100-2015 unified social credit codes (Sources/Domain/Validation/CreditCode.swift) ---

CREDIT_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def credit_check(first17):
    """The check character: weights 3^(i-1) mod 31, check value 31 - (sum mod 31), 31 -> 0."""
    weight, total = 1, 0
    for char in first17:
        total += CREDIT_ALPHABET.index(char) * weight
        weight = weight * 3 % 31
    check = 31 - total % 31
    return CREDIT_ALPHABET[0 if check == 31 else check]


def credit_code_valid(code):
    code = code.strip().upper()
    return (len(code) == 18 and all(c in CREDIT_ALPHABET for c in code)
            and credit_check(code[:17]) == code[17])


def credit_code(tag, n):
    """`91` (enterprise, registered by the market regulator), `220101` (Changchun), then a
    9-character organisation code: the run's 4-character tag and the enterprise's number."""
    assert len(tag) == 4 and all(c in CREDIT_ALPHABET for c in tag) and 0 <= n < 100000
    first17 = "91" + "220101" + tag + "%05d" % n
    return first17 + credit_check(first17)


# --- figures ---

def percentile(sorted_values, p):
    """Nearest rank: the smallest value with at least p % of the values at or below it."""
    if not sorted_values:
        return float("nan")
    rank = max(1, math.ceil(p / 100 * len(sorted_values)))
    return sorted_values[rank - 1]


def halves(feu):
    """FEU as the API shows them (44.5) in whole half-FEU, as the server counts them."""
    return int(round(float(feu) * 2))


def sequence_of(number):
    """`X8R-A1B2-260530-007` -> 7: the last part of a booking number is its place in the
    departure's request order (FreightService.bookingNumber)."""
    return int(number.rsplit("-", 1)[1])


# The mix of bookings, by enterprise number: (containers, half-FEU).
MIX = [
    ([{"type": "40HC", "count": 1}], 2),
    ([{"type": "40HC", "count": 2}], 4),
    ([{"type": "20GP", "count": 2}], 2),
]


def booking_body(departure_id, n):
    containers, size = MIX[n % len(MIX)]
    return {
        "departureId": departure_id,
        "containers": containers,
        "commodities": [{
            "description": "汽车零部件（压测 %03d）" % n,
            "hsCode": "8708299000",
            "packages": 20 * (size // 2 + n % 5),
            "grossWeightKg": 9000 * size + n,
            "valueFen": 50_000_000 + n * 1000,
        }],
        "consignee": {"name": "Hamburg Auto Parts GmbH", "country": "DE",
                      "address": "Am Sandtorkai %d, 20457 Hamburg" % (1 + n % 90)},
        "destination": "DEHAM",
        "customsBrokerage": n % 2 == 0,
    }, size


def registration_body(tag, n):
    return {
        "name": "长春班列压测企业 %s-%03d" % (tag, n),
        "creditCode": credit_code(tag, n),
        "legalRepresentative": "张三",
        "contactName": "李四",
        "contactPhone": "138%08d" % (n + 10_000_000 * (CREDIT_ALPHABET.index(tag[0]) % 9)),
        "address": "长春经开区临河街 %d 号" % (1 + n),
        "zone": "jingkai" if n % 2 else "xinqu",
        "industry": "汽车零部件",
        "aboveDesignatedSize": True,
        "staffCount": 50 + n,
        "adminUsername": username(tag, n),
        "adminPassword": ADMIN_PASSWORD,
    }


def username(tag, n):
    return "rush-%s-%03d" % (tag.lower(), n)


# --- HTTP ---

class Client:
    """One keep-alive connection to one instance."""

    def __init__(self, base, timeout=60):
        url = urllib.parse.urlsplit(base)
        self.base = base
        self.conn = http.client.HTTPConnection(url.hostname, url.port or 80, timeout=timeout)

    def open(self):
        self.conn.connect()
        return self

    def close(self):
        self.conn.close()

    def call(self, method, path, body=None, token=None):
        """(status, parsed JSON or text, seconds from sending to the last byte read)."""
        headers = {"Accept": "application/json"}
        data = None
        if body is not None:
            data = json.dumps(body, ensure_ascii=False).encode()
            headers["Content-Type"] = "application/json"
        if token:
            headers["Authorization"] = "Bearer " + token
        started = time.perf_counter()
        self.conn.request(method, path, body=data, headers=headers)
        response = self.conn.getresponse()
        raw = response.read()
        elapsed = time.perf_counter() - started
        try:
            payload = json.loads(raw) if raw else None
        except ValueError:
            payload = raw.decode("utf-8", "replace")
        return response.status, payload, elapsed


class SetupError(Exception):
    pass


def expect(status, payload, wanted, what):
    if status != wanted:
        raise SetupError("%s: HTTP %d (wanted %d): %s" % (what, status, wanted, str(payload)[:400]))
    return payload


_local = threading.local()


def pooled(base):
    """A connection per setup thread and instance, reopened after a failure."""
    clients = getattr(_local, "clients", None)
    if clients is None:
        clients = _local.clients = {}
    if base not in clients:
        clients[base] = Client(base)
    return clients[base]


def setup_call(base, method, path, body=None, token=None, wanted=200, what=""):
    client = pooled(base)
    try:
        status, payload, _ = client.call(method, path, body, token)
    except (OSError, http.client.HTTPException) as error:
        client.close()
        raise SetupError("%s: %s %s: %r" % (what, method, path, error))
    return expect(status, payload, wanted, what)


def login(base, name, password):
    payload = setup_call(base, "POST", "/api/v1/auth/login", {"username": name, "password": password},
                         wanted=201, what="login " + name)
    return payload["token"]


def in_parallel(function, items, workers, label):
    """function(item) for every item on `workers` threads; results in the items' order."""
    results = [None] * len(items)
    done = 0
    started = time.perf_counter()
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=workers)
    try:
        futures = {pool.submit(function, item): i for i, item in enumerate(items)}
        for future in concurrent.futures.as_completed(futures):
            results[futures[future]] = future.result()  # the first failure stops the run
            done += 1
            if done % 100 == 0 or done == len(items):
                print("  %s: %d/%d (%.1f s)" % (label, done, len(items), time.perf_counter() - started), flush=True)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    return results


def rfc3339(moment):
    return moment.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


# --- the run ---

def setup(args, tag):
    bases = args.base
    first = bases[0]
    print("== setup: departure, %d enterprises (register, approve, log in), %d setup connections ==" % (
        args.enterprises, args.setup_connections), flush=True)
    port_token = login(first, "port", PASSWORD)
    reviewer_token = login(first, "reviewer", PASSWORD)

    # A train number of its own (one train number a day), two to three weeks ahead.
    now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
    departs = (now + datetime.timedelta(days=14 + secrets.randbelow(7))).replace(hour=10, minute=0, second=0)
    departure = setup_call(first, "POST", "/api/v1/freight/departures", {
        "trainNumber": "X8R-" + tag,
        "direction": "outbound",
        "origin": "CNCCX",
        "destination": "DEHAM",
        "departsAt": rfc3339(departs),
        "bookingCutoffAt": rfc3339(departs - datetime.timedelta(days=3)),
        "customsCutoffAt": rfc3339(departs - datetime.timedelta(days=2)),
        "gateInCutoffAt": rfc3339(departs - datetime.timedelta(days=1)),
        "capacityFeu": args.capacity,
        "autoConfirm": True,
    }, token=port_token, wanted=201, what="create departure")
    print("  departure %s %s: %s FEU, auto-confirm %s, state %s, booking cut-off %s" % (
        departure["trainNumber"], departure["id"], departure["capacityFeu"], departure["autoConfirm"],
        departure["state"], departure["bookingCutoffAt"]), flush=True)
    if departure["state"] != "open" or not departure["autoConfirm"] or halves(departure["capacityFeu"]) != 2 * args.capacity:
        raise SetupError("the departure is not open with auto-confirm and %d FEU: %s" % (args.capacity, departure))

    numbers = list(range(1, args.enterprises + 1))
    # Registration and login each hash or verify a bcrypt password: spread over the instances.
    spread = lambda n: bases[n % len(bases)]

    def register(n):
        enterprise = setup_call(spread(n), "POST", "/api/v1/enterprises", registration_body(tag, n),
                                wanted=201, what="register enterprise %d" % n)
        return enterprise["id"]

    enterprise_ids = in_parallel(register, numbers, args.setup_connections, "registered")

    def approve(item):
        n, enterprise_id = item
        enterprise = setup_call(spread(n), "POST", "/api/v1/enterprises/%s/review" % enterprise_id,
                                {"decision": "approve"}, token=reviewer_token, what="approve enterprise %d" % n)
        if enterprise.get("status") != "verified":
            raise SetupError("enterprise %d is %s after approval" % (n, enterprise.get("status")))

    in_parallel(approve, list(zip(numbers, enterprise_ids)), args.setup_connections, "approved")

    # Only failed logins count towards the throttle (LoginThrottle: 5 per account, 20 per
    # address in 15 minutes), so these logins from one address are never held back.
    def admin_login(n):
        return login(spread(n), username(tag, n), ADMIN_PASSWORD)

    tokens = in_parallel(admin_login, numbers, args.setup_connections, "logged in")
    return port_token, departure, list(zip(numbers, enterprise_ids, tokens))


def rush(args, departure_id, enterprises):
    """Every enterprise books once; request i goes to instance i mod len(bases), on one of that
    instance's share of the connections. Returns the results in request order and the wall time."""
    bases = args.base
    count = len(enterprises)
    requests = []
    for i, (n, enterprise_id, token) in enumerate(enterprises):
        body, size = booking_body(departure_id, n)
        requests.append({"i": i, "n": n, "enterprise": enterprise_id, "token": token, "body": body,
                         "halves": size, "instance": i % len(bases)})
    # Per instance, the requests it gets, in order, and its connections (at least one each).
    queues = [[r for r in requests if r["instance"] == k] for k in range(len(bases))]
    shares = [args.connections // len(bases) + (1 if k < args.connections % len(bases) else 0) for k in range(len(bases))]
    shares = [max(1, s) for s in shares]
    locks = [threading.Lock() for _ in bases]
    cursors = [0] * len(bases)
    workers = []
    for k, base in enumerate(bases):
        for _ in range(shares[k]):
            workers.append((k, Client(base, timeout=args.timeout).open()))
    gate = threading.Barrier(len(workers) + 1)
    results = [None] * count

    def work(k, client):
        gate.wait()
        while True:
            with locks[k]:
                if cursors[k] >= len(queues[k]):
                    break
                request = queues[k][cursors[k]]
                cursors[k] += 1
            sent = time.perf_counter()
            try:
                status, payload, elapsed = client.call("POST", "/api/v1/freight/bookings", request["body"], request["token"])
                results[request["i"]] = {"status": status, "payload": payload, "latency": elapsed, "error": None}
            except Exception as error:  # noqa: BLE001 (a refused connection, a reset, a timeout, bad JSON)
                # Never sent again: a retry could book twice. The connection is opened afresh.
                results[request["i"]] = {"status": None, "payload": None, "latency": time.perf_counter() - sent,
                                         "error": repr(error)}
                client.close()
                client = Client(client.base, timeout=args.timeout)
        client.close()

    threads = [threading.Thread(target=work, args=worker, daemon=True) for worker in workers]
    for thread in threads:
        thread.start()
    print("== rush: %d bookings at once, %d connections (%s) ==" % (
        count, len(workers), ", ".join("%d to %s" % (shares[k], bases[k]) for k in range(len(bases)))), flush=True)
    gate.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    for request, result in zip(requests, results):
        result.update(request)
    return results, wall


def verify(args, port_token, departure_id, results, wall):
    """Prints the figures and returns the list of failed invariants."""
    failures = []
    bases = args.base
    capacity = 2 * args.capacity
    count = len(results)
    created = [r for r in results if r["status"] == 201]
    server_errors = [r for r in results if r["status"] is not None and r["status"] >= 500]
    others = [r for r in results if r["status"] is not None and r["status"] != 201 and r["status"] < 500]
    broken = [r for r in results if r["status"] is None]
    if len(created) != count:
        failures.append("%d of %d requests were not answered 201" % (count - len(created), count))
    for label, group in (("5xx", server_errors), ("other status", others), ("connection error", broken)):
        for r in group[:5]:
            print("  %s, enterprise %d: %s %s" % (label, r["n"], r["status"] or r["error"], str(r["payload"])[:300]))
    odd_states = [r for r in created if not isinstance(r["payload"], dict) or r["payload"].get("state") not in ("confirmed", "waitlisted")]
    if odd_states:
        failures.append("%d bookings answered in a state other than confirmed or waitlisted (first: %s)" % (
            len(odd_states), str(odd_states[0]["payload"])[:200]))
    wrong_size = [r for r in created if isinstance(r["payload"], dict) and halves(r["payload"].get("feu", -1)) != r["halves"]]
    if wrong_size:
        failures.append("%d bookings answered with another FEU than asked" % len(wrong_size))

    # As the port operator: the departure's bookings (at most 500 a page) and the departure.
    status, listed, _ = Client(bases[0]).call("GET", "/api/v1/freight/bookings?departureId=%s" % departure_id, token=port_token)
    if status != 200:
        failures.append("GET bookings: HTTP %d %s" % (status, str(listed)[:200]))
        listed = []
    departures = []
    for base in bases:
        status, payload, _ = Client(base).call("GET", "/api/v1/freight/departures/%s" % departure_id, token=port_token)
        if status != 200:
            failures.append("GET departure from %s: HTTP %d %s" % (base, status, str(payload)[:200]))
        else:
            departures.append(payload)
    if len(listed) >= 500 and args.enterprises >= 500:
        failures.append("the list stops at 500 bookings: run with fewer than 500 enterprises")

    by_id = {b["id"]: b for b in listed}
    missing = [r for r in created if isinstance(r["payload"], dict) and r["payload"].get("id") not in by_id]
    if missing:
        failures.append("%d bookings answered 201 are not in the departure's list" % len(missing))
    if len(listed) != len(created):
        failures.append("the departure lists %d bookings, %d were answered 201" % (len(listed), len(created)))
    changed = [r for r in created if isinstance(r["payload"], dict) and r["payload"].get("id") in by_id
               and by_id[r["payload"]["id"]]["state"] != r["payload"]["state"]]
    if changed:
        failures.append("%d bookings read back in another state than answered" % len(changed))

    confirmed = sorted((b for b in listed if b["state"] == "confirmed"), key=lambda b: sequence_of(b["number"]))
    waitlisted = sorted((b for b in listed if b["state"] == "waitlisted"), key=lambda b: sequence_of(b["number"]))
    confirmed_halves = sum(halves(b["feu"]) for b in confirmed)
    waitlisted_halves = sum(halves(b["feu"]) for b in waitlisted)
    sequences = sorted(sequence_of(b["number"]) for b in listed)
    if sequences != list(range(1, len(listed) + 1)):
        failures.append("booking numbers are not 1..%d in request order, each once (duplicates or gaps)" % len(listed))
    if confirmed_halves > capacity:
        failures.append("OVERSOLD: confirmed %s FEU on a %d FEU train" % (confirmed_halves / 2, args.capacity))
    for departure in departures:
        booked, room = halves(departure["bookedFeu"]), halves(departure["capacityFeu"])
        if booked > room:
            failures.append("OVERSOLD: the departure shows bookedFeu %s > capacityFeu %s" % (departure["bookedFeu"], departure["capacityFeu"]))
        if booked != confirmed_halves:
            failures.append("the departure's bookedFeu %s is not the confirmed bookings' %s FEU" % (departure["bookedFeu"], confirmed_halves / 2))
        if halves(departure["waitlistFeu"]) != waitlisted_halves:
            failures.append("the departure's waitlistFeu %s is not the waitlisted bookings' %s FEU" % (departure["waitlistFeu"], waitlisted_halves / 2))
    order_ok = True
    if confirmed and waitlisted and sequence_of(waitlisted[0]["number"]) < sequence_of(confirmed[-1]["number"]):
        order_ok = False
        overtaken = [b["number"] for b in waitlisted if sequence_of(b["number"]) < sequence_of(confirmed[-1]["number"])]
        failures.append("waitlist out of order: %d waitlisted bookings were requested before the last confirmed one %s (first: %s)" % (
            len(overtaken), confirmed[-1]["number"], overtaken[0]))
    # The waitlist starts only when the next booking no longer fits (auto-confirm, nobody before).
    if waitlisted and confirmed_halves + halves(waitlisted[0]["feu"]) <= capacity:
        failures.append("the first waitlisted booking %s (%s FEU) would have fitted beside %s confirmed FEU" % (
            waitlisted[0]["number"], waitlisted[0]["feu"], confirmed_halves / 2))
        order_ok = False

    latencies = sorted(r["latency"] * 1000 for r in results)
    p50, p90, p99 = (percentile(latencies, p) for p in (50, 90, 99))
    top = latencies[-1] if latencies else float("nan")
    rate = count / wall if wall > 0 else float("nan")
    if len(bases) > 1:
        for k, base in enumerate(bases):
            mine = [r for r in created if r["instance"] == k]
            mine_latency = sorted(r["latency"] * 1000 for r in results if r["instance"] == k)
            print("  %s: %d requests, %d confirmed, p99 %.1f ms" % (
                base, len(mine_latency), sum(1 for r in mine if isinstance(r["payload"], dict) and r["payload"].get("state") == "confirmed"), percentile(mine_latency, 99)))
    if confirmed:
        print("  confirmed: %s … %s; waitlist from %s" % (
            confirmed[0]["number"], confirmed[-1]["number"], waitlisted[0]["number"] if waitlisted else "-"))
    print("requests %d, 201: %d, 5xx: %d, other: %d, errors: %d, confirmed FEU %s / %d (bookedFeu %s), waitlisted %d (%s FEU), "
          "waitlist order %s, p50 %.1f ms, p90 %.1f ms, p99 %.1f ms, max %.1f ms, %.0f req/s (%.2f s)" % (
              count, len(created), len(server_errors), len(others), len(broken), _feu(confirmed_halves), args.capacity,
              ", ".join(str(d["bookedFeu"]) for d in departures) or "?", len(waitlisted), _feu(waitlisted_halves),
              "OK" if order_ok else "BROKEN", p50, p90, p99, top, rate, wall))
    return failures, p99


def _feu(h):
    return str(h // 2) if h % 2 == 0 else "%d.5" % (h // 2)


def selftest():
    fixtures = ["91350100M000100Y43", "91220101MA14ABC12Q", "91220101MA17XY8038"]
    for code in fixtures:
        assert credit_code_valid(code), code
    assert not credit_code_valid("91350100M000100Y44")
    tag = "B7KQ"
    codes = [credit_code(tag, n) for n in range(1, 1001)]
    assert all(credit_code_valid(c) for c in codes) and len(set(codes)) == 1000
    assert all(c in CREDIT_ALPHABET for c in "".join(codes))
    values = sorted(float(v) for v in range(1, 301))
    assert percentile(values, 50) == 150 and percentile(values, 90) == 270 and percentile(values, 99) == 297
    assert percentile(values, 100) == 300
    assert sequence_of("X8R-B7KQ-260530-007") == 7 and sequence_of("X8001-200208-300") == 300
    assert halves(44.5) == 89 and halves("45") == 90 and _feu(89) == "44.5" and _feu(90) == "45"
    total = sum(booking_body("x", n)[1] for n in range(1, 301))
    assert total == 800, total  # 400 FEU asked of a 45 FEU train
    names = [username(tag, n) for n in range(1, 301)]
    assert all(3 <= len(u) <= 32 for u in names) and len(set(names)) == 300
    for n in (1, 2, 3):
        body = registration_body(tag, n)
        assert len(body["contactPhone"]) == 11 and body["contactPhone"][1] in "3456789"
    print("selftest OK; e.g. %s" % ", ".join(codes[:3]))


def main():
    if sys.argv[1:2] == ["selftest"]:
        selftest()
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--base", action="append", required=True, help="an instance, e.g. http://127.0.0.1:8092 (repeat)")
    parser.add_argument("--enterprises", type=int, default=300)
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--capacity", type=int, default=45, help="the departure's FEU")
    parser.add_argument("--setup-connections", type=int, default=8)
    parser.add_argument("--timeout", type=float, default=60, help="seconds a booking may take before it counts as an error")
    parser.add_argument("--floor-ms", type=float, default=200, help="p99 floor")
    args = parser.parse_args()
    if not 1 <= args.enterprises < 500:
        parser.error("--enterprises: 1 to 499 (the bookings list reads at most 500)")
    tag = "".join(secrets.choice(CREDIT_ALPHABET[10:]) for _ in range(4))  # letters only: a readable train number
    try:
        port_token, departure, enterprises = setup(args, tag)
    except SetupError as error:
        print("setup failed: %s" % error, file=sys.stderr)
        return 1
    results, wall = rush(args, departure["id"], enterprises)
    failures, p99 = verify(args, port_token, departure["id"], results, wall)
    for failure in failures:
        print("FAILED: " + failure)
    if failures:
        return 1
    held = p99 < args.floor_ms
    print("invariants held; floor p99 < %.0f ms: %s" % (args.floor_ms, "held" if held else "MISSED (%.1f ms)" % p99))
    return 0 if held else 2


if __name__ == "__main__":
    sys.exit(main())
