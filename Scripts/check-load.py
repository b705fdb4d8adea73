#!/usr/bin/env python3
"""The load check (a script, not a unit test): `threatmap serve` (release build) on a store with
the sample alerts, then at once, for SECONDS (20 by default): wrk (Debian's; 2 threads, 32
connections) reading tiles and layers in turn, 1,000 idle connections opened beside it and held,
200 slow clients sending a request head a byte a second, and 200 distinct advisories POSTed one
after another with a writer's token. Checks: no wrk error and no status >= 400, no 5xx in the
server's log, every POST answered 201 and every alert stored, the idle and slow connections do not
raise the error count and are closed by the server (after its --idle-seconds). Prints wrk's figures.
Usage: Scripts/check-load.py [SECONDS]"""
import json
import os
import pathlib
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

from checks import check, finish, root

seconds = int(sys.argv[1]) if len(sys.argv) > 1 else 20
if not shutil.which("wrk"):
    subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True, capture_output=True)
subprocess.run(["swift", "build", "-c", "release", "--product", "threatmap"], cwd=root, check=True, capture_output=True)
bin = str(pathlib.Path(subprocess.check_output(["swift", "build", "-c", "release", "--show-bin-path"], cwd=root, text=True).strip()) / "threatmap")
work = tempfile.mkdtemp(prefix="threatmap-load-")
store = os.path.join(work, "store.sqlite")
subprocess.run([bin, "ingest", "--store", store, *sorted(str(p) for p in (root / "GeoData/alerts").iterdir())], capture_output=True)
tokens = os.path.join(work, "tokens")
pathlib.Path(tokens).write_text("load-check load-check-token-0001\n")
log = open(os.path.join(work, "serve.log"), "w")
server = subprocess.Popen([bin, "serve", "--store", store, "--port", "0", "--maxzoom", "10"], stdout=subprocess.PIPE, stderr=log, text=True,
                          env={**os.environ, "THREATMAP_TOKEN_FILE": tokens, "LOG_LEVEL": "info"})
port = int(re.search(r":(\d+)/", server.stdout.readline()).group(1))
base = f"http://127.0.0.1:{port}"
paths = [f"/tiles/{z}/{x}/{y}.mvt?as_of=2024-07-05" for z, x, y in [(4, 7, 7), (5, 15, 14), (6, 31, 28), (6, 30, 28), (7, 62, 57), (8, 127, 113)]]
paths += ["/layers/regions?as_of=2024-07-05", "/tiles.json", "/healthz"]
for p in paths:
    urllib.request.urlopen(base + p).read()  # warm
script = os.path.join(work, "paths.lua")
pathlib.Path(script).write_text("paths = {" + ",".join(json.dumps(p) for p in paths) + "}\ni = 0\nrequest = function()\n  i = i % #paths + 1\n  return wrk.format(\"GET\", paths[i])\nend\n")

# 1,000 idle connections, held for the whole run.
idle = []
for _ in range(1000):
    try:
        idle.append(socket.create_connection(("127.0.0.1", port), timeout=5))
    except OSError as e:
        print(f"could not open idle connection {len(idle) + 1}: {e}")
        break

# 200 slow clients: a request head that never ends, a byte a second (slowloris).
slow = []
for _ in range(200):
    try:
        c = socket.create_connection(("127.0.0.1", port), timeout=5)
        c.send(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
        slow.append(c)
    except OSError as e:
        print(f"could not open slow connection {len(slow) + 1}: {e}")
        break
slow_dropped = set()


def trickle():
    for _ in range(seconds):
        time.sleep(1)
        for k, c in enumerate(slow):
            if k in slow_dropped:
                continue
            try:
                c.send(b"a")
            except OSError:
                slow_dropped.add(k)


def closed_by_server(c):
    """Whether the server has closed the connection (end of file or reset, nothing to read)."""
    c.setblocking(False)
    try:
        return c.recv(1) == b""
    except BlockingIOError:
        return False
    except OSError:
        return True


posted = []


def post_all():
    for k in range(200):
        text = f"{k % 28 + 1} Jun 2026\n\nMali: Load check advisory {k} about Gao\n\nGunmen attacked a convoy near Gao on June {k % 28 + 1} (load check {k}).\n\nWarning\n"
        request = urllib.request.Request(base + "/alerts", data=text.encode(), method="POST",
                                         headers={"Authorization": "Bearer load-check-token-0001", "Content-Type": "text/plain"})
        try:
            with urllib.request.urlopen(request, timeout=30) as r:
                posted.append(r.status)
        except urllib.error.HTTPError as e:
            posted.append(e.code)
        time.sleep(seconds / 250)


writer = threading.Thread(target=post_all)
writer.start()
trickler = threading.Thread(target=trickle)
trickler.start()
wrk = subprocess.run(["wrk", "-t2", "-c32", f"-d{seconds}s", "--latency", "-s", script, base], capture_output=True, text=True)
writer.join()
trickler.join()
idle_closed = sum(1 for c in idle if closed_by_server(c))
slow_closed = sum(1 for k, c in enumerate(slow) if k in slow_dropped or closed_by_server(c))
for c in idle + slow:
    c.close()
print(wrk.stdout)
errors = re.search(r"Socket errors: (.*)", wrk.stdout)
non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", wrk.stdout)
requests = re.search(r"(\d+) requests in", wrk.stdout)
check("wrk made requests", requests is not None and int(requests.group(1)) > 0, wrk.stdout[-300:] + wrk.stderr[-300:])
check("no socket error", errors is None, errors.group(1) if errors else "")
check("no status >= 400", non2xx is None, non2xx.group(0) if non2xx else "")
check(f"{len(idle)} idle connections held beside it", len(idle) == 1000)
check(f"{idle_closed} of {len(idle)} idle connections closed by the server", idle_closed == len(idle))
check(f"{slow_closed} of {len(slow)} slow request heads closed by the server", len(slow) == 200 and slow_closed == len(slow))
check("every POST answered 201", posted == [201] * 200, f"{sorted(set(posted))}, {len(posted)} answers")
stored = json.loads(urllib.request.urlopen(base + "/alerts").read())["alerts"]
check("every posted alert stored", sum(1 for a in stored if a["title"].startswith("Mali: Load check advisory")) == 200)
server.send_signal(signal.SIGTERM)
try:
    code = server.wait(timeout=30)
except subprocess.TimeoutExpired:
    server.kill()
    code = None
log.close()
fives = [l for l in pathlib.Path(work, "serve.log").read_text().splitlines() if re.search(r" 5\d\d ", l)]
check("no 5xx in the server's log", not fives, "\n".join(fives[:5]))
check("the server stops cleanly", code == 0)
shutil.rmtree(work, ignore_errors=True)
finish("load")
