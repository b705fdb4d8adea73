#!/usr/bin/env python3
"""Requests every tile of a list once, in order, over one keep-alive connection, and checks each
answer against the exported file: for Scripts/bench-serve.sh (warms threatmap's tile cache, and
checks that both servers send the same bytes). No Accept-Encoding header, as in the wrk runs.
Usage: fetch_all.py PORT LIST PREFIX SUFFIX TILE_DIR
Prints one line: key=value pairs (tiles, seconds, first_s, statuses, equal, differing)."""
import collections
import http.client
import sys
import time

port, listing, prefix, suffix, tile_dir = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5]
with open(listing) as f:
    paths = [line.strip() for line in f if line.strip()]
statuses = collections.Counter()
equal = differing = 0
conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
start = time.perf_counter()
first = None
for p in paths:
    conn.request("GET", prefix + p + suffix)
    r = conn.getresponse()
    body = r.read()
    if first is None:
        first = time.perf_counter() - start
    statuses[r.status] += 1
    if r.getheader("Content-Encoding"):
        differing += 1
        continue
    with open(f"{tile_dir}/{p}.mvt", "rb") as f:
        if f.read() == body:
            equal += 1
        else:
            differing += 1
elapsed = time.perf_counter() - start
conn.close()
codes = ",".join(f"{k}:{v}" for k, v in sorted(statuses.items()))
print(f"tiles={len(paths)} seconds={elapsed:.2f} first_s={first or 0:.3f} statuses={codes} equal={equal} differing={differing}")
