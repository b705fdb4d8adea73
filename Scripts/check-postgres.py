#!/usr/bin/env python3
"""Several `threatmap serve` processes on one PostgreSQL + PostGIS database agree: a POST to the
first (and a batch `threatmap ingest`) changes the second's layers within a second, while the
second's cached tiles that the change does not reach keep their entity tags; tiles are
byte-identical, with equal strong ETags, across the two; with the database stopped, the second
keeps answering cached tiles and says it is degraded, then catches up once it is back; an
ingest killed with SIGKILL leaves nothing and does not hold up the next. Also
`threatmap db migrate`, and clear failures for a wrong URL, a refused connection and a database
without PostGIS. Needs THREATMAP_TEST_POSTGRES and THREATMAP_PG_DIR (Scripts/postgres.sh start).
Prints "N passed, N failed"; exits 1 on failure."""
import glob
import json
import math
import os
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid

from checks import binary, check, finish, root, stop

admin = os.environ["THREATMAP_TEST_POSTGRES"]
cluster = os.environ["THREATMAP_PG_DIR"]
parts = urllib.parse.urlsplit(admin)
token = "check-postgres-token"
as_of = "2024-07-15"


def psql(database, sql):
    return subprocess.run(["psql", "-X", "-q", "-t", "-A", "-h", parts.hostname, "-p", str(parts.port), "-U", parts.username or "postgres",
                           "-d", database, "-v", "ON_ERROR_STOP=1", "-c", sql], capture_output=True, text=True, check=True).stdout.strip()


def url_of(database):
    return urllib.parse.urlunsplit(parts._replace(path="/" + database))


def get(port, path, headers=None):
    """(status, headers, body) of a GET; HTTP errors are answers too."""
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=20) as r:
            return r.status, r.headers, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()


def post(port, body):
    request = urllib.request.Request(f"http://127.0.0.1:{port}/alerts", data=body, method="POST",
                                     headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as r:
        return r.status, json.loads(r.read())


def tile_of(lon, lat, z):
    n = 2 ** z
    y = (1 - math.log(math.tan(math.radians(lat)) + 1 / math.cos(math.radians(lat))) / math.pi) / 2 * n
    return z, int((lon + 180) / 360 * n), int(y)


def serve(store):
    server = subprocess.Popen([binary(), "serve", "--port", "0", "--store", store], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True, env={**os.environ, "THREATMAP_TOKEN": token})
    line = server.stdout.readline()
    return server, int(line.split("http://127.0.0.1:", 1)[1].split("/", 1)[0])


def level(port, region):
    status, _, body = get(port, f"/collections/regions/items/{region}?as_of={as_of}")
    return json.loads(body)["properties"]["level"] if status == 200 else None


def wait_for(condition, seconds):
    """Seconds until `condition()` held (polled every 20 ms), or None after `seconds`."""
    start = time.monotonic()
    while time.monotonic() - start < seconds:
        if condition():
            return time.monotonic() - start
        time.sleep(0.02)
    return None


def health(port):
    return json.loads(get(port, "/healthz")[2])


def alert(region, level_):
    return json.dumps({"id": f"pg-check-{region}-{uuid.uuid4().hex[:8]}", "title": f"Mali: armed attack reported in {region.title()}",
                       "published": "2024-07-10T09:00:00Z", "places": [{"name": region.title(), "role": "event"}],
                       "categories": {"terrorism": level_}}).encode()


# Bad stores: each a clear message and a non-zero exit.
for what, store, words in [
    ("a wrong URL", "postgresql://someone@localhost:99999/db", "port"),
    ("a refused connection", "postgresql://someone:s3cret@127.0.0.1:1/db", "cannot connect"),
]:
    r = subprocess.run([binary(), "db", "migrate", "--store", store], capture_output=True, text=True)
    check(f"{what}: a non-zero exit and a clear message", r.returncode != 0 and words in r.stderr and "s3cret" not in r.stderr, r.stderr)
bare = "tm_check_" + uuid.uuid4().hex[:8]
role = "tm_check_role_" + uuid.uuid4().hex[:8]
psql("postgres", f"CREATE ROLE {role} LOGIN")
psql("postgres", f"CREATE DATABASE {bare} TEMPLATE template0 OWNER {role}")
r = subprocess.run([binary(), "db", "migrate", "--store", urllib.parse.urlunsplit(parts._replace(netloc=f"{role}@{parts.hostname}:{parts.port}", path="/" + bare))],
                   capture_output=True, text=True)
check("a database without PostGIS: a non-zero exit naming PostGIS", r.returncode != 0 and "PostGIS" in r.stderr, r.stderr)
check("... and nothing written", psql(bare, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'") == "0")
psql("postgres", f"DROP DATABASE {bare}")
psql("postgres", f"DROP ROLE {role}")

database = "tm_check_" + uuid.uuid4().hex[:8]
psql("postgres", f"CREATE DATABASE {database} TEMPLATE threatmap_template")
store = url_of(database)
servers = []
try:
    r = subprocess.run([binary(), "db", "migrate", "--store", store], capture_output=True, text=True)
    check("db migrate prints the schema version", r.returncode == 0 and "schema version 1 of 1" in r.stdout, r.stdout + r.stderr)
    check("the incidents are PostGIS points with a GiST index",
          "incident_geom" in psql(database, "SELECT indexname FROM pg_indexes WHERE tablename = 'incident'")
          and psql(database, "SELECT type FROM geometry_columns WHERE f_table_name = 'incident'") == "POINT")
    samples = sorted(glob.glob(str(root / "GeoData/alerts/*")))
    subprocess.run([binary(), "ingest", "--store", store, *samples], capture_output=True)

    first, port1 = serve(store)
    second, port2 = serve(store)
    servers = [first, second]
    check("two servers start on one database", first.poll() is None and second.poll() is None)

    # Warm both caches over the whole country; tiles far from Kayes stay as they are.
    kayes = [tile_of(-11.4, 14.4, z) for z in (5, 6, 7)]
    far = [tile_of(1.4, 18.4, 7), tile_of(4.0, 20.0, 7), tile_of(1.0, 16.3, 7)]  # Kidal, Tessalit, Gao
    tags = {}
    same = True
    for z, x, y in kayes + far:
        a, b = get(port1, f"/tiles/{z}/{x}/{y}.mvt?as_of={as_of}"), get(port2, f"/tiles/{z}/{x}/{y}.mvt?as_of={as_of}")
        same = same and a[0] == b[0] == 200 and a[2] == b[2] and a[1]["ETag"] == b[1]["ETag"] and a[1]["ETag"].startswith('"')
        tags[(z, x, y)] = b[1]["ETag"]
    check("the two servers send the same tiles with the same strong ETags", same)
    before = level(port2, "kayes")

    # A POST to the first raises Kayes on the second within a second.
    status, _ = post(port1, alert("kayes", 5))
    took = wait_for(lambda: level(port2, "kayes") == 5, 1.0)
    check("a POST to the first changes the second's layers within a second", status == 201 and took is not None,
          f"status {status}, kayes level {before} -> {level(port2, 'kayes')}")
    if took is not None:
        print(f"   (the second server showed it after {took * 1000:.0f} ms)")
    unchanged = all(get(port2, f"/tiles/{z}/{x}/{y}.mvt?as_of={as_of}", {"If-None-Match": tags[(z, x, y)]})[0] == 304 for z, x, y in far)
    check("the second's cached tiles far from the change keep their ETags (304)", unchanged)
    changed = any(get(port2, f"/tiles/{z}/{x}/{y}.mvt?as_of={as_of}")[1]["ETag"] != tags[(z, x, y)] for z, x, y in kayes)
    check("the second's tiles over Kayes changed", changed)
    a, b = get(port1, f"/tiles/6/{kayes[1][1]}/{kayes[1][2]}.mvt?as_of={as_of}"), get(port2, f"/tiles/6/{kayes[1][1]}/{kayes[1][2]}.mvt?as_of={as_of}")
    check("after the change, both servers still send equal tiles and ETags", a[2] == b[2] and a[1]["ETag"] == b[1]["ETag"])
    metrics = get(port2, "/metrics")[2].decode()
    check("the second counts the change it followed", "threatmap_store_changes_followed_total" in metrics
          and not "threatmap_store_changes_followed_total 0\n" in metrics)

    # A batch ingest is seen by both servers.
    batch = os.path.join(cluster, "batch-gao.json")
    with open(batch, "wb") as f:
        f.write(alert("gao", 2))
    subprocess.run([binary(), "ingest", "--store", store, batch], capture_output=True, check=True)
    count = json.loads(get(port1, "/healthz")[2])["alerts"]
    took = wait_for(lambda: health(port1)["alerts"] == health(port2)["alerts"] == count and count > 0, 1.0)
    took = wait_for(lambda: any(f["properties"]["id"].startswith("pg-check-gao") for f in json.loads(
        get(port2, f"/collections/alert_areas/items?as_of={as_of}&limit=1000")[2])["features"]), 1.0)
    check("a batch ingest shows on the servers within a second", took is not None)

    # kill -9 in the middle of a large ingest: nothing of it is stored, and the next write is not
    # kept waiting for the dead one's lock.
    big = os.path.join(cluster, "big-events.csv")
    with open(big, "w") as f:
        f.write("event_id_cnty,event_date,event_type,sub_event_type,admin1,location,latitude,longitude,fatalities\n")
        for k in range(200_000):
            f.write(f"KILL{k},2024-06-{1 + k % 28:02d},Battles,Armed clash,Mopti,Place {k},{14 + (k % 97) / 100:.2f},{-4 + (k % 89) / 100:.2f},{k % 4}\n")
    before = psql(database, "SELECT count(*) FROM incident")
    victim = subprocess.Popen([binary(), "ingest", "--store", store, big], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(1.0)
    running = victim.poll() is None
    victim.kill()
    victim.wait()
    check("an ingest killed with SIGKILL leaves nothing of itself", running and psql(database, "SELECT count(*) FROM incident") == before
          and psql(database, "SELECT count(*) FROM incident WHERE event_id LIKE 'KILL%'") == "0")
    small = os.path.join(cluster, "after-kill.json")
    with open(small, "wb") as f:
        f.write(alert("segou", 3))
    t0 = time.monotonic()
    r = subprocess.run([binary(), "ingest", "--store", store, small], capture_output=True, text=True, timeout=60)
    check("... and the next ingest is not kept waiting by it", r.returncode == 0 and time.monotonic() - t0 < 15,
          f"{time.monotonic() - t0:.1f} s, {r.stderr[-300:]}")

    # The database stops: cached tiles are still served, /healthz says degraded; then it is back.
    cached = far[0]
    cached_tag = get(port2, f"/tiles/{cached[0]}/{cached[1]}/{cached[2]}.mvt?as_of={as_of}")[1]["ETag"]
    subprocess.run(["bash", str(root / "Scripts/postgres.sh"), "pause", cluster], check=True, capture_output=True)
    try:
        took = wait_for(lambda: health(port2)["status"] == "degraded", 10)
        check("with the database stopped, /healthz says degraded", took is not None, json.dumps(health(port2)))
        status, headers, _ = get(port2, f"/tiles/{cached[0]}/{cached[1]}/{cached[2]}.mvt?as_of={as_of}")
        check("... and cached tiles are still served, unchanged", status == 200 and headers["ETag"] == cached_tag, str(status))
        status, _, _ = get(port2, "/collections/regions/items?as_of=2023-01-01")
        check("... and a map it never made is a 503, not a crash", status == 503 and second.poll() is None, str(status))
    finally:
        subprocess.run(["bash", str(root / "Scripts/postgres.sh"), "resume", cluster], check=True, capture_output=True)
    took = wait_for(lambda: health(port2)["status"] == "ok" and health(port1)["status"] == "ok", 20)
    check("once the database is back, both servers are ok again", took is not None, json.dumps(health(port2)))
    status, _ = post(port1, alert("kidal", 5))
    took = wait_for(lambda: level(port2, "kidal") == 5, 1.0)
    check("... and follow writes again within a second", status == 201 and took is not None, f"kidal level {level(port2, 'kidal')}")
finally:
    for s in servers:
        code, err = stop(s)
        check("a server stops cleanly", code == 0, err[-500:])
    psql("postgres", f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")

finish("check-postgres")
