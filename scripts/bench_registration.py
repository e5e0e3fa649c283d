#!/usr/bin/env python3
"""The public turnaround overview and the payer queue over the database gen_requests built
(1,000 payers, 100,000 requests): latency of each page as HTTP on loopback, p50 and p95.
The overview is cached per process until a request changes: it is measured when the cache is
empty (the first request), warm, and right after a change (a payer starts a review through the
app, then the overview is fetched). The queue is never cached; the largest payer's (about one
in eight requests) is measured with each filter. Run by scripts/bench.
Usage: bench_registration.py PORT EMAIL PASSWORD BIG_ORG BIG_BRAND MEDIAN_ORG SUBMITTED_IDS"""
import http.client, sys, time, urllib.parse

port, email, password = int(sys.argv[1]), sys.argv[2], sys.argv[3]
big_org, big_brand, median_org = sys.argv[4], sys.argv[5], sys.argv[6]
submitted = [s for s in sys.argv[7].split(",") if s]
conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
cookie = None

def request(method, path, body=None):
    headers = {"Cookie": cookie} if cookie else {}
    if body is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    t = time.perf_counter()
    conn.request(method, path, body=body, headers=headers)
    r = conn.getresponse(); data = r.read()
    return (time.perf_counter() - t) * 1000, r, data

def pct(xs, p):
    xs = sorted(xs); return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]

def measure(label, path, n):
    ms = []
    for _ in range(n):
        t, r, data = request("GET", path)
        assert r.status == 200, (path, r.status, data[:300])
        ms.append(t)
    print(f"{label}: p50 {pct(ms, 50):.1f} ms, p95 {pct(ms, 95):.1f} ms ({n} requests, {len(data) // 1024} KB)")
    return data

t, r, data = request("GET", "/turnaround")
assert r.status == 200, r.status
print(f"/turnaround, cache empty (first request after start): {t:.1f} ms")
measure("/turnaround, warm", "/turnaround", 200)
measure("/turnaround?sort=median&window=all, warm", "/turnaround?sort=median&window=all", 50)
measure("/api/v1/turnaround, warm", "/api/v1/turnaround", 50)
measure("/turnaround.csv, warm", "/turnaround.csv", 20)
measure(f"/turnaround/{{brand}} of the largest payer (not cached)", f"/turnaround/{big_brand}", 50)

body = urllib.parse.urlencode({"email": email, "password": password})
t, r, data = request("POST", "/login", body)
assert r.status == 303, (r.status, data[:300])
cookie = r.getheader("Set-Cookie").split(";")[0]

after = []
for rid in submitted[:10]:
    t, r, data = request("POST", f"/requests/{rid}", urllib.parse.urlencode({"intent": "review"}))
    assert r.status == 200 and b"The request is now" in data, (rid, r.status, data[:300])
    t, r, data = request("GET", "/turnaround")
    assert r.status == 200
    after.append(t)
if after:
    print(f"/turnaround right after a request changed ({len(after)} changes): p50 {pct(after, 50):.1f} ms, max {max(after):.1f} ms")

queue = f"/orgs/{big_org}/queue"
page = measure("the largest payer's queue (open requests)", queue, 100).decode()
shown = page.split('role="status">', 1)[1].split("<", 1)[0] if 'role="status">' in page else "?"
print(f"  its status line: {shown}")
for label, q in [("all states", "?state=all"), ("past the target", "?breached=1"), ("an app's name", "?app=wallet"),
                 ("all, oldest first", "?state=all&sort=oldest"), ("assigned to me", "?assignee=me"),
                 ("made 30+ days ago", "?older_than_days=30&state=all")]:
    measure(f"the largest payer's queue, {label}", queue + q, 30)
measure("the median payer's queue", f"/orgs/{median_org}/queue?state=all", 50)
measure("the largest payer's dashboard", "/dashboard", 30)
