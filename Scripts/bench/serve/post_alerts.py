#!/usr/bin/env python3
"""POSTs alerts to a running `threatmap serve`, each as a document of its own, WORKERS at a time,
paced so that they spread over SECONDS (a worker that falls behind posts back to back): for
Scripts/bench-serve.sh, which measures tile reads meanwhile.
Usage: post_alerts.py PORT TOKEN ALERTS_JSON WORKERS SECONDS
ALERTS_JSON is one array of alerts in ThreatMap's JSON (Scripts/bench/make_alerts.py writes one).
Prints one line: key=value pairs (posted, seconds, statuses, slowest_s)."""
import collections
import http.client
import json
import sys
import threading
import time

port, token, path, workers, seconds = int(sys.argv[1]), sys.argv[2], sys.argv[3], int(sys.argv[4]), float(sys.argv[5])
alerts = json.load(open(path, encoding="utf-8"))
statuses = collections.Counter()
slowest = 0.0
lock = threading.Lock()
start = time.perf_counter()
interval = seconds * workers / max(1, len(alerts))


def work(k):
    global slowest
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    for n, alert in enumerate(alerts[k::workers]):
        due = start + (n * workers + k) * interval
        wait = due - time.perf_counter()
        if wait > 0:
            time.sleep(wait)
        body = json.dumps(alert).encode()
        t0 = time.perf_counter()
        conn.request("POST", "/alerts", body=body, headers={"Authorization": "Bearer " + token, "Content-Type": "application/json"})
        r = conn.getresponse()
        r.read()
        took = time.perf_counter() - t0
        with lock:
            statuses[r.status] += 1
            slowest = max(slowest, took)


threads = [threading.Thread(target=work, args=(k,)) for k in range(workers)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print(f"posted={sum(statuses.values())} seconds={time.perf_counter() - start:.2f} "
      f"statuses={','.join(f'{s}:{n}' for s, n in sorted(statuses.items()))} slowest_s={slowest:.2f}")
