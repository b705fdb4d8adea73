#!/usr/bin/env python3
"""The HTTP API against its own OpenAPI document: ingests the sample alerts into a scratch store,
starts `threatmap serve --port 0 --maxzoom 8` with a random THREATMAP_TOKEN, fetches /openapi.json
(OpenAPI 3.1, every route the controllers in Sources/ThreatService add in it and nothing more), makes sure schemathesis catches
a deliberately broken copy of the document (so that a pass below means something), then runs the
PyPI schemathesis (4.x CLI: examples, coverage and fuzzing phases, then the stateful phase on the
links it infers, e.g. POST /alerts → GET/DELETE /alerts/{id}; a bounded number of examples per
operation, a fixed seed, with the bearer token) with exactly the checks that mean "no
server error and no response that breaks the document": not_a_server_error,
status_code_conformance, content_type_conformance, response_schema_conformance and
response_headers_conformance (not positive_data_acceptance / negative_data_rejection, which judge
how strict validation is). Afterwards: every operation was exercised, stderr has exactly one log
line per request (method, path, status, duration; matched by X-Request-ID), /healthz still
answers 200, prometheus-client (PyPI) parses /metrics with the requests, latency, tile cache and
document counts the traffic made, and SIGTERM stops the server with exit status 0 within a few seconds, the store
closed (no WAL left, integrity_check ok). Prints "N passed, N failed"; exits 1 on a failure.

Environment: THREATMAP_BIN (the binary; default: the debug build), CHECK_API_MAX_EXAMPLES
(default 30), CHECK_API_SEED (default 1), CHECK_API_POSTGRES=1 to run it all on a PostgreSQL
store instead (a new database from `threatmap_template` on the cluster THREATMAP_TEST_POSTGRES
names, dropped afterwards; the SQLite file checks are left out). Needs `pip install
"schemathesis>=4,<5"`."""
import collections
import glob
import json
import os
import queue
import re
import secrets
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

import checks
from checks import binary, check, root

MAX_EXAMPLES = int(os.environ.get("CHECK_API_MAX_EXAMPLES", "30"))
SEED = int(os.environ.get("CHECK_API_SEED", "1"))
CHECKS = ["not_a_server_error", "status_code_conformance", "content_type_conformance",
          "response_schema_conformance", "response_headers_conformance"]
METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")
LOG_LINE = re.compile(r"hb\.request\.id=(\S+) .*?\] ([A-Z]+) (\S*) (\d{3}) (\d+(?:\.\d+)?) ms\s*$")
started = time.monotonic()


def finish():
    print(f"check-api: {time.monotonic() - started:.0f} s")
    checks.finish("api")


try:
    import schemathesis
    version = getattr(schemathesis, "__version__", None)
    if version is None:
        from importlib.metadata import version as _v
        version = _v("schemathesis")
except ImportError:
    version = None
check("schemathesis 4.x is installed" + (f" ({version})" if version else ""),
      version is not None and version.split(".")[0] == "4", "pip install 'schemathesis>=4,<5'" if version is None else version)
if version is None or version.split(".")[0] != "4":
    finish()

# Requests to our own loopback server never go through a proxy.
opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def http(method, url, headers=None, body=None, timeout=30):
    """(status, headers, body) of one request; HTTP errors are answers too."""
    req = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with opener.open(req, timeout=timeout) as r:
            return r.status, r.headers, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()


def schemathesis_run(args, cwd, env):
    """Runs the schemathesis CLI of this interpreter; (exit status, combined output)."""
    cmd = [sys.executable, "-m", "schemathesis.cli", "run", *args]
    r = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=900)
    return r.returncode, r.stdout + r.stderr


def response_header(entry, name):
    """A response header of a HAR entry, or None."""
    return next((h["value"] for h in entry["response"]["headers"] if h["name"].lower() == name), None)


def path_regex(template):
    """An OpenAPI path template as a regex on request paths ({name} is one segment or part of one)."""
    return re.compile("^" + re.sub(r"\\\{[^/]*?\\\}", "[^/]+", re.escape(template)) + "$")


def shape(path):
    """A route's outline for comparing the router with the document: parameter segments become *."""
    return "/".join("*" if seg.startswith(":") or "{" in seg else seg for seg in path.split("/"))


on_postgres = os.environ.get("CHECK_API_POSTGRES") == "1"
pg_database = None


def psql_admin(sql):
    """One statement on the test cluster's `postgres` database, as its superuser."""
    url = urllib.parse.urlsplit(os.environ["THREATMAP_TEST_POSTGRES"])
    subprocess.run(["psql", "-X", "-q", "-h", url.hostname, "-p", str(url.port), "-U", url.username or "postgres", "-d", "postgres",
                    "-v", "ON_ERROR_STOP=1", "-c", sql], check=True, capture_output=True)


with tempfile.TemporaryDirectory() as tmp:
    store = os.path.join(tmp, "store.sqlite")
    if on_postgres:
        pg_database = "threatmap_check_api_" + secrets.token_hex(4)
        psql_admin(f"CREATE DATABASE {pg_database} TEMPLATE threatmap_template")
        store = urllib.parse.urlunsplit(urllib.parse.urlsplit(os.environ["THREATMAP_TEST_POSTGRES"])._replace(path="/" + pg_database))
        print(f"on PostgreSQL: {store}")
    # Some samples hold deliberately bad rows, so ingest exits non-zero; /healthz tells what was stored.
    subprocess.run([binary(), "ingest", "--store", store, *sorted(glob.glob(str(root / "GeoData/alerts/*")))], capture_output=True)

    token = secrets.token_urlsafe(24)
    env = dict(os.environ, THREATMAP_TOKEN=token)
    env.pop("LOG_LEVEL", None)
    err_path = os.path.join(tmp, "serve.stderr")
    err_file = open(err_path, "wb")
    # An archive exported earlier, served beside the live map (/archives/...).
    archive = os.path.join(tmp, "july.pmtiles")
    subprocess.run([binary(), "export", "tiles", "-o", archive, "--format", "pmtiles", "--maxzoom", "4", "--as-of", "2024-07-05", "--store", store],
                   check=True, capture_output=True)
    server = subprocess.Popen([binary(), "serve", "--host", "127.0.0.1", "--port", "0", "--store", store, "--maxzoom", "8", "--tiles", archive],
                              env=env, stdout=subprocess.PIPE, stderr=err_file, text=True)
    lines = queue.Queue()
    threading.Thread(target=lambda: [lines.put(l) for l in server.stdout] and None, daemon=True).start()

    def stderr_text():
        err_file.flush()
        return open(err_path, encoding="utf-8", errors="replace").read()

    try:
        url = None
        deadline = time.monotonic() + 60
        while url is None and time.monotonic() < deadline and server.poll() is None:
            try:
                line = lines.get(timeout=0.5)
            except queue.Empty:
                continue
            m = re.search(r"ThreatMap viewer: (http://\S+/)", line)
            url = m and m.group(1)
        check("the server prints its URL within 60 s", url is not None,
              f"exit status {server.poll()}; stderr: {stderr_text()[-800:]}")
        if url is None:
            raise SystemExit
        print("    server:", url)
        own_ids = []  # X-Request-IDs of the requests made here, to find their log lines

        def get_json(path):
            """GET url + path, noted for the log check: (status, headers, body, its JSON or {})."""
            status, headers, body = http("GET", url + path)
            own_ids.append((headers.get("X-Request-ID"), "GET", "/" + path, status))
            try:
                return status, headers, body, json.loads(body)
            except ValueError:
                return status, headers, body, {}

        status, headers, body, health = get_json("healthz")
        check("the server has the sample alerts (GET /healthz)", status == 200 and health.get("alerts", 0) > 0, f"{status} {body[:200]!r}")

        status, headers, body, doc = get_json("openapi.json")
        check("GET /openapi.json is a JSON OpenAPI 3.1 document",
              status == 200 and (headers.get("Content-Type") or "").startswith("application/json")
              and str(doc.get("openapi", "")).startswith("3.1.") and bool(doc.get("paths")),
              f"status {status}, {headers.get('Content-Type')}, openapi {doc.get('openapi')!r}")
        operations = [(m.upper(), p) for p, item in doc.get("paths", {}).items() for m in item if m in METHODS]

        routes_swift = "".join(f.read_text() for f in sorted((root / "Sources/ThreatService").glob("*.swift")))
        routes = {(m.upper(), shape(p)) for m, p in re.findall(r'router\.(get|put|post|delete|patch|head)\("([^"]*)"', routes_swift)}
        documented = {(m, shape(p)) for m, p in operations}
        check("every route the controllers add is in the document, and nothing else",
              bool(routes) and routes == documented,
              f"undocumented: {sorted(routes - documented)}; documented, not routed: {sorted(documented - routes)}")

        st_env = dict(os.environ, NO_PROXY="127.0.0.1,localhost", no_proxy="127.0.0.1,localhost",
                      COLUMNS="120", NO_COLOR="1", PYTHONIOENCODING="utf-8")
        auth = ["-H", f"Authorization: Bearer {token}"]
        common = ["--phases", "examples,coverage,fuzzing,stateful", "--seed", str(SEED), "--generation-database", "none",
                  "--no-color", "-w", "2", "--request-timeout", "60"]

        # A broken copy of the document (/healthz promising a status it never sends) must fail:
        # otherwise a pass below could mean that nothing was checked.
        broken = json.loads(json.dumps(doc))
        try:
            broken["paths"]["/healthz"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]["properties"]["status"] = {"const": "broken"}
            broken_path = os.path.join(tmp, "broken-openapi.json")
            json.dump(broken, open(broken_path, "w"))
            rc, out = schemathesis_run([broken_path, "--url", url, *auth, "--checks", "response_schema_conformance",
                                        "--include-path", "/healthz", "-n", "5", *common], tmp, st_env)
            check("schemathesis catches a document that /healthz breaks", rc == 1 and "/healthz" in out, f"exit status {rc}: {out[-600:]}")
        except KeyError as e:
            check("schemathesis catches a document that /healthz breaks", False, f"no /healthz 200 JSON schema to break ({e})")

        har = os.path.join(tmp, "run.har")
        args = [url + "openapi.json", *auth, "--checks", ",".join(CHECKS), "--max-examples", str(MAX_EXAMPLES), *common,
                "--report", "har,junit", "--report-har-path", har, "--report-dir", os.path.join(tmp, "report")]
        shown = [a.replace(token, "$THREATMAP_TOKEN") for a in args]
        print("    schemathesis", version + ":", "st run", " ".join(repr(a) if " " in a else a for a in shown), flush=True)
        t0 = time.monotonic()
        rc, out = schemathesis_run(args, tmp, st_env)
        out = out.replace(token, "$THREATMAP_TOKEN")
        # Schemathesis's own report: its failures in full, or just its summary when all is well.
        report = out if rc != 0 else out[min([out.find(h) for h in ("=== WARNINGS", "=== SUMMARY") if h in out] or [0]):]
        print("    " + "\n    ".join(report.rstrip().splitlines()))
        generated = re.search(r"(\d+) generated", out)
        check(f"schemathesis ({', '.join(CHECKS)}) finds no server error and no response that breaks the document "
              f"({time.monotonic() - t0:.0f} s, {generated.group(1) if generated else '?'} test cases)",
              rc == 0 and generated is not None and int(generated.group(1)) > 0, f"exit status {rc}; see above")

        entries = []
        if os.path.exists(har):
            entries = [e for e in json.load(open(har))["log"]["entries"] if e.get("response", {}).get("status")]
        statuses = collections.defaultdict(collections.Counter)
        for e in entries:
            path = urllib.parse.urlsplit(e["request"]["url"]).path
            op = next((f"{m} {p}" for m, p in operations if m == e["request"]["method"] and path_regex(p).match(path)), None)
            statuses[op or "methods and paths not in the document"][e["response"]["status"]] += 1
        for op in sorted(statuses, key=lambda o: (o.startswith("methods"), o.split(" ")[-1], o)):
            print(f"    {op}: " + ", ".join(f"{n}×{s}" for s, n in sorted(statuses[op].items())))
        # Schemathesis leaves out the operation that serves the document it loaded; GET /openapi.json is checked above.
        missing = [f"{m} {p}" for m, p in operations if f"{m} {p}" not in statuses and (m, p) != ("GET", "/openapi.json")]
        check(f"schemathesis exercised every documented operation ({len(entries)} requests)", bool(entries) and not missing,
              f"not exercised: {missing}" if entries else "no HAR report")

        # /metrics after all that traffic, read by the Prometheus project's own text-format parser.
        from prometheus_client.parser import text_string_to_metric_families
        status, headers, body, _ = get_json("metrics")
        families = {f.name: f for f in text_string_to_metric_families(body.decode())}
        requests = families.get("threatmap_http_requests")
        routes_seen = {s.labels.get("route") for s in requests.samples} if requests else set()
        check("prometheus-client parses /metrics: requests by route, method and status",
              status == 200 and requests is not None and "/tiles/{z}/{x}/{y}" in routes_seen and "/alerts" in routes_seen
              and all({"route", "method", "status"} <= set(s.labels) for s in requests.samples), f"{status} {sorted(families)[:20]}")
        latency = families.get("threatmap_http_request_duration_seconds")
        check("a latency histogram per route", latency is not None and latency.type == "histogram"
              and any(s.name.endswith("_bucket") and s.labels.get("le") == "+Inf" for s in latency.samples))
        tiles = families.get("threatmap_tile_cache_requests")
        documents = families.get("threatmap_documents")
        check("tile cache hits and misses, documents stored and refused, store errors, what the store holds",
              tiles is not None and {s.labels.get("result") for s in tiles.samples} >= {"hit", "miss"}
              and documents is not None and any(s.labels.get("result") == "refused" and s.value > 0 for s in documents.samples)
              and "threatmap_store_errors" in families and "threatmap_store_alerts" in families, str(sorted(families)))

        status, headers, body, health = get_json("healthz")
        check("GET /healthz still answers 200 after schemathesis", status == 200 and health.get("status") == "ok", f"{status} {body[:200]!r}")

        # One log line per request, matched by the X-Request-ID the server sends back. The server
        # writes its log in batches, within 100 ms: give the last lines time to arrive.
        time.sleep(0.5)
        log = collections.defaultdict(list)
        malformed = []
        writes = collections.Counter()  # the write records, by request id: "... writer=NAME [ThreatService] write"
        for line in stderr_text().splitlines():
            if "hb.request.id=" in line and re.search(r"\[ThreatService\] write( refused)?$", line):
                rid = re.search(r"hb\.request\.id=(\S+)", line)
                if rid and "writer=" in line:
                    writes[rid.group(1)] += 1
                continue
            if "hb.request.id=" in line and "[ThreatService]" in line:
                m = LOG_LINE.search(line)
                if m:
                    log[m.group(1)].append(m.groups()[1:])
                else:
                    malformed.append(line)
        problems = []
        requests = [(response_header(e, "x-request-id"), e["request"]["method"], urllib.parse.urlsplit(e["request"]["url"]).path,
                     e["response"]["status"]) for e in entries]
        for rid, method, path, status in requests + own_ids:
            got = log.get(rid, []) if rid else []
            if rid is None:
                problems.append(f"{method} {path} → {status}: no X-Request-ID")
            elif len(got) != 1:
                problems.append(f"{method} {path} → {status}: {len(got)} log lines")
            elif got[0][0] != method or int(got[0][2]) != status or urllib.parse.unquote(got[0][1]) != urllib.parse.unquote(path):
                problems.append(f"{method} {path} → {status}: logged as {' '.join(got[0][:3])}")
        stored = [rid for rid, method, path, status in requests if method in ("POST", "DELETE") and status in (200, 201) and rid]
        unlogged = [rid for rid in stored if writes.get(rid, 0) != 1]
        check(f"every write that stored something is logged once with its writer ({len(stored)} writes)", not unlogged,
              f"{len(unlogged)} without exactly one write record: {unlogged[:3]}")
        for p in problems[:10]:
            print("   ", p)
        check(f"stderr has one log line per request, with method, path, status and duration ({len(requests) + len(own_ids)} requests)",
              bool(requests) and not problems and not malformed,
              f"{len(problems)} requests without exactly one matching line; {len(malformed)} request lines without the four: {malformed[:3]}")

        # A cached tile is answered ahead of the router, the same answer but for its request id
        # and date; and pipelined requests (one the router answers slowly, then cached tiles,
        # then the router again) are answered in order.
        tile = "/tiles/5/15/14.mvt?as_of=2024-07-05"
        first = urllib.request.urlopen(url.rstrip("/") + tile)
        routed = urllib.request.urlopen(urllib.request.Request(url.rstrip("/") + tile, headers={"If-None-Match": '"no-such-tag"'}))
        fast = urllib.request.urlopen(url.rstrip("/") + tile)
        def same(r):
            return [(k, v) for k, v in r.getheaders() if k not in ("X-Request-ID", "Date")]
        check("a cached tile ahead of the router: the router's status, headers and bytes",
              fast.status == routed.status == 200 and same(fast) == same(routed) and fast.read() == routed.read() == first.read()
              and fast.headers["X-Request-ID"] != routed.headers["X-Request-ID"], f"{same(fast)} vs {same(routed)}")
        metrics = urllib.request.urlopen(url.rstrip("/") + "/metrics").read().decode()
        check("/metrics counts the answers made ahead of the router", re.search(r"^threatmap_tile_fast_path_requests_total [1-9]", metrics, re.M) is not None)
        host = re.match(r"http://([^/:]+):(\d+)", url)
        c = socket.create_connection((host.group(1), int(host.group(2))), timeout=30)
        order = ["/layers/regions?as_of=2024-06-01", tile, "/healthz", tile, "/tiles.json?as_of=2024-07-05", tile]
        c.sendall(b"".join(f"GET {p} HTTP/1.1\r\nHost: x\r\nX-Order: {i}\r\n\r\n".encode() for i, p in enumerate(order)))
        reader = c.makefile("rb")
        got = []
        for _ in order:
            status = reader.readline()
            headers = {}
            while (line := reader.readline().strip()):
                k, v = line.decode().split(":", 1)
                headers[k.strip().lower()] = v.strip()
            body = reader.read(int(headers.get("content-length", "0")))
            got.append((status.split()[1].decode(), headers.get("content-type", ""), len(body)))
        c.close()
        want = [("200", "application/geo+json"), ("200", "application/vnd.mapbox-vector-tile"), ("200", "application/json"),
                ("200", "application/vnd.mapbox-vector-tile"), ("200", "application/json"), ("200", "application/vnd.mapbox-vector-tile")]
        check("pipelined requests are answered in order, cached tiles among them",
              [(s, t.split(";")[0]) for s, t, _ in got] == want, str(got))

        server.send_signal(signal.SIGTERM)
        t0 = time.monotonic()
        try:
            code = server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            code = None
        check(f"SIGTERM stops the server with exit status 0 within 10 s ({time.monotonic() - t0:.1f} s)", code == 0,
              f"exit status {code}; stderr: {stderr_text()[-500:]}")
        if code == 0 and not on_postgres:
            wal = os.path.exists(store + "-wal") and os.path.getsize(store + "-wal") > 0
            db = sqlite3.connect(f"file:{store}?mode=ro", uri=True)
            integrity = db.execute("PRAGMA integrity_check").fetchone()[0]
            db.close()
            check("the store was closed cleanly (no WAL left behind, integrity_check ok)", not wal and integrity == "ok",
                  f"WAL left: {wal}; integrity_check: {integrity}")
    except SystemExit:
        pass
    finally:
        if server.poll() is None:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
        if pg_database:
            psql_admin(f"DROP DATABASE IF EXISTS {pg_database} WITH (FORCE)")
        err_file.close()

finish()
