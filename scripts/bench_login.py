#!/usr/bin/env python3
"""Log-in latency (argon2id) and the server under 50 concurrent log-ins: how long a page and
/healthz take meanwhile. Run by scripts/bench against a server started with a fresh database in
which accounts bench0..bench49@example.org exist with the password on standard input's line.
Each log-in comes from its own loopback address (127.0.1.N), as 50 people would, so the per-client
limit (10 at once) does not refuse them; each account is used at most twice (its limit is 5).
Usage: bench_login.py PORT PASSWORD"""
import http.client, statistics, sys, threading, time, urllib.parse

port, password = int(sys.argv[1]), sys.argv[2]

def request(method, path, body=None, source=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120, source_address=(source, 0) if source else None)
    headers = {"Content-Type": "application/x-www-form-urlencoded"} if body else {}
    t = time.perf_counter()
    conn.request(method, path, body=body, headers=headers)
    r = conn.getresponse(); r.read(); conn.close()
    return (time.perf_counter() - t) * 1000, r.status

def log_in(i):
    body = urllib.parse.urlencode({"email": f"bench{i}@example.org", "password": password})
    return request("POST", "/login", body, source=f"127.0.1.{i + 1}")

def pct(xs, p):
    xs = sorted(xs); return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]

# One at a time: the cost of one argon2id verification plus the session write.
single = []
for i in range(20):
    ms, status = log_in(i)
    assert status == 303, f"log-in answered {status}"
    single.append(ms)
print(f"log-in, one at a time (20): p50 {statistics.median(single):.0f} ms, p95 {pct(single, 95):.0f} ms")

def probe(path, out, stop):
    while not stop.is_set():
        out.append(request("GET", path)[0])

idle = [request("GET", "/?q=aetna")[0] for _ in range(20)]
stop = threading.Event()
page, health = [], []
probes = [threading.Thread(target=probe, args=("/?q=aetna", page, stop)), threading.Thread(target=probe, args=("/healthz", health, stop))]
for t in probes: t.start()
results = [None] * 50
def one(i): results[i] = log_in(i)
t0 = time.perf_counter()
workers = [threading.Thread(target=one, args=(i,)) for i in range(50)]
for w in workers: w.start()
for w in workers: w.join()
wall = time.perf_counter() - t0
stop.set()
for t in probes: t.join()
ok = sum(1 for r in results if r and r[1] == 303)
lat = [r[0] for r in results if r]
print(f"50 concurrent log-ins: {ok} of 50 signed in, all done in {wall:.1f} s (each p50 {statistics.median(lat):.0f} ms, max {max(lat):.0f} ms)")
print(f"meanwhile the search page /?q=aetna: {len(page)} answers, p50 {statistics.median(page):.0f} ms, p95 {pct(page, 95):.0f} ms "
      f"(idle: p50 {statistics.median(idle):.0f} ms); /healthz: {len(health)} answers, p95 {pct(health, 95):.0f} ms")

# No enumeration by time: sign-up and "forgot password" for addresses that have an account
# (bench20..39) against addresses that have none, alternating, each from its own address (the
# account-mail limit is per client). The argon2 hash of a sign-up runs in both cases.
def timed_form(path, fields, n):
    body = urllib.parse.urlencode(fields)
    ms, status = request("POST", path, body, source=f"127.0.{2 + n // 250}.{n % 250 + 1}")
    assert status in (200, 303), f"{path} answered {status}"
    return ms
n = 0
for path, fields in [("/signup", lambda e: {"email": e, "password": "another long bench passphrase"}), ("/forgot", lambda e: {"email": e})]:
    known, unknown = [], []
    for i in range(20):
        known.append(timed_form(path, fields(f"bench{20 + i}@example.org"), n)); n += 1
        unknown.append(timed_form(path, fields(f"nobody{i}{path[1:]}@example.org"), n)); n += 1
    print(f"{path}: known address p50 {statistics.median(known):.1f} ms, unknown p50 {statistics.median(unknown):.1f} ms "
          f"(difference {statistics.median(known) - statistics.median(unknown):+.1f} ms)")
