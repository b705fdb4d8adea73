#!/usr/bin/env bash
# Serving past one machine's store: two `threatmap serve` processes on one PostgreSQL + PostGIS
# database, against one server on a SQLite file, with the same inputs, the same tiles and the
# same wrk load as Scripts/bench-serve.sh, and alerts POSTed during every run.
#
# Input: the sample alerts + 20,000 synthetic incidents clustered on Malian towns, ingested into a
# SQLite file and into a new PostgreSQL database (a throw-away cluster from Scripts/postgres.sh on
# loopback, unless THREATMAP_TEST_POSTGRES names one); the request list is every tile of the
# z0-10 pyramid as of 2024-07-05 that `threatmap export tiles` writes, shuffled once with a fixed
# seed (Scripts/bench/serve/tiles.lua). Every server's cache is warmed first (each tile once).
#   sqlite:     one server; wrk -t2 -cCONNECTIONS; WRITES alerts POSTed to it meanwhile
#   postgres-a, postgres-b: two servers at once, each with its own wrk -t1 -c(CONNECTIONS/2) (what
#               a load balancer in front would share out), WRITES alerts POSTed to postgres-a
#               meanwhile, which postgres-b follows by LISTEN/NOTIFY
# The alerts are Scripts/bench/make_alerts.py's (dated in the 20 days to the as-of), 4 at a time,
# each its own document, paced over three quarters of the run. errors = connect + read + write +
# timeout (10 s) + HTTP status >= 400, as wrk counts them. wrk and the servers share this
# machine's cores: on 2 cores, two servers cannot have twice the CPU of one, which bounds what the
# second server can add here; on separate machines each has its own.
# Usage: Scripts/bench-serve-postgres.sh [SECONDS] [CONNECTIONS] (default 20 64); WRITES=N (default 100)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-20}"
connections="${2:-64}"
writes="${WRITES:-100}"
maxzoom=10
incidents=20000
as_of=2024-07-05
[ "$connections" -ge 2 ] || { echo "bench-serve-postgres: CONNECTIONS must be at least 2" >&2; exit 2; }

Scripts/setup.sh >/dev/null
if ! command -v wrk >/dev/null; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
fi
swift build -c release --product threatmap >/dev/null
bin="$(swift build -c release --show-bin-path)/threatmap"

work=$(mktemp -d)
pids=()
own_cluster=""
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  [ -z "$own_cluster" ] || Scripts/postgres.sh stop "$own_cluster"
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
if [ -z "${THREATMAP_TEST_POSTGRES:-}" ]; then
  eval "$(Scripts/postgres.sh start)"
  own_cluster="$THREATMAP_PG_DIR"
fi
hostport="${THREATMAP_TEST_POSTGRES#*@}"; hostport="${hostport%%/*}"
pg_port="${hostport##*:}"; pg_host="${hostport%:*}"
db="threatmap_bench_serve_$RANDOM"
psql -X -q -h "$pg_host" -p "$pg_port" -U postgres -d postgres -v ON_ERROR_STOP=1 -c "CREATE DATABASE $db TEMPLATE threatmap_template"
pg_store="postgresql://postgres@$pg_host:$pg_port/$db"
trap 'psql -X -q -h "$pg_host" -p "$pg_port" -U postgres -d postgres -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true; cleanup' EXIT

# --- input: both stores, the exported pyramid, the request list, the alerts to POST --------------
python3 Scripts/bench/make_events.py "$incidents" "$work/events.csv" GeoData/mali/gazetteer.csv 2024-06-06 2024-06-30
"$bin" ingest --store "$work/store.sqlite" GeoData/alerts/* "$work/events.csv" >/dev/null 2>&1 || true
"$bin" ingest --store "$pg_store" GeoData/alerts/* "$work/events.csv" >/dev/null 2>&1 || true
"$bin" export tiles -o "$work/tiles" --maxzoom "$maxzoom" --as-of "$as_of" --store "$work/store.sqlite" >/dev/null 2>"$work/export.log" \
  || { cat "$work/export.log" >&2; exit 1; }
(cd "$work/tiles" && find . -name '*.mvt' -printf '%P\n') | sed 's/\.mvt$//' \
  | python3 -c 'import random, sys; p = sorted(sys.stdin.read().split()); random.Random(20240705).shuffle(p); print("\n".join(p))' \
  > "$work/paths.txt"
tile_count=$(grep -c . "$work/paths.txt" || true)
python3 Scripts/bench/make_alerts.py "$((writes * 2))" "$work/alerts-all.json" GeoData/mali/gazetteer.csv "$as_of" 20
python3 - "$work/alerts-all.json" "$writes" "$work/alerts-sqlite.json" "$work/alerts-postgres.json" <<'PY'
import json, sys
alerts, n = json.load(open(sys.argv[1])), int(sys.argv[2])
json.dump(alerts[:n], open(sys.argv[3], "w")); json.dump(alerts[n:2 * n], open(sys.argv[4], "w"))
PY

token="bench-$RANDOM$RANDOM"
serve() {  # serve NAME STORE: starts a server; sets port_NAME and pid_NAME
  THREATMAP_TOKEN="$token" LOG_LEVEL=warning "$bin" serve --host 127.0.0.1 --port 0 --maxzoom "$maxzoom" --store "$2" \
    > "$work/$1.out" 2> "$work/$1.log" &
  local pid=$! port=""
  pids+=("$pid")
  for _ in $(seq 1 600); do
    port=$(sed -n 's#^ThreatMap viewer: http://[^:]*:\([0-9][0-9]*\)/.*#\1#p' "$work/$1.out" | head -n 1)
    [ -n "$port" ] && break
    kill -0 "$pid" 2>/dev/null || { cat "$work/$1.log" >&2; echo "bench-serve-postgres: $1 exited" >&2; exit 1; }
    sleep 0.1
  done
  [ -n "$port" ] || { echo "bench-serve-postgres: $1 did not start" >&2; exit 1; }
  printf -v "port_$1" '%s' "$port"
  printf -v "pid_$1" '%s' "$pid"
  python3 Scripts/bench/serve/fetch_all.py "$port" "$work/paths.txt" /tiles/ ".mvt?as_of=$as_of" "$work/tiles" > "$work/$1.warm"
}
load() {  # load NAME PORT THREADS CONNECTIONS: wrk in the background, its output in NAME.wrk
  wrk -t"$3" -c"$4" -d"${seconds}s" --timeout 10s --latency -s Scripts/bench/serve/tiles.lua \
    "http://127.0.0.1:$2" -- "$work/paths.txt" /tiles/ ".mvt?as_of=$as_of" "$3" > "$work/$1.wrk" 2>&1 &
}
row() {  # row NAME: one line of the table from NAME.wrk
  python3 - "$1" "$work/$1.wrk" <<'PY'
import sys
name, path = sys.argv[1], sys.argv[2]
line = next((l for l in open(path) if l.startswith("RESULT ")), None)
if line is None:
    sys.exit(f"bench-serve-postgres: no result from wrk for {name}: {open(path).read()}")
v = dict(kv.split("=") for kv in line.split()[1:])
secs = int(v["duration_us"]) / 1e6
errors = sum(int(v[k]) for k in ("connect", "read", "write", "status", "timeout"))
print(f"{name:<12} {int(v['requests']) / secs:>11.0f} {int(v['p50_us']) / 1000:>8.2f} {int(v['p99_us']) / 1000:>8.2f} {errors:>7d}")
PY
}

# --- one server on SQLite ----------------------------------------------------------------------
serve sqlite "$work/store.sqlite"
python3 Scripts/bench/serve/post_alerts.py "$port_sqlite" "$token" "$work/alerts-sqlite.json" 4 "$((seconds * 3 / 4))" > "$work/sqlite.posted" &
poster=$!
load sqlite "$port_sqlite" 2 "$connections"
wait "$!" "$poster"
kill "$pid_sqlite"; wait "$pid_sqlite" 2>/dev/null || true

# --- two servers on PostgreSQL -----------------------------------------------------------------
serve a "$pg_store"
serve b "$pg_store"
python3 Scripts/bench/serve/post_alerts.py "$port_a" "$token" "$work/alerts-postgres.json" 4 "$((seconds * 3 / 4))" > "$work/postgres.posted" &
poster=$!
load postgres-a "$port_a" 1 "$((connections / 2))"
wrk_a=$!
load postgres-b "$port_b" 1 "$((connections - connections / 2))"
wrk_b=$!
wait "$wrk_a" "$wrk_b" "$poster"
alerts_a=$(curl -s "http://127.0.0.1:$port_a/healthz" | python3 -c 'import json,sys; print(json.load(sys.stdin)["alerts"])')
alerts_b=$(curl -s "http://127.0.0.1:$port_b/healthz" | python3 -c 'import json,sys; print(json.load(sys.stdin)["alerts"])')
followed=$(curl -s "http://127.0.0.1:$port_b/metrics" | sed -n 's/^threatmap_store_changes_followed_total \([0-9]*\).*/\1/p')

# --- report ------------------------------------------------------------------------------------
field() { tr ' ' '\n' < "$1" | sed -n "s/^$2=//p"; }
echo
echo "Serving on one SQLite file and on one PostgreSQL $(psql -X -t -A -h "$pg_host" -p "$pg_port" -U postgres -d postgres -c 'SHOW server_version' | cut -d' ' -f1) + PostGIS database (loopback)," \
  "z0-$maxzoom pyramid as of $as_of, $tile_count tiles, this machine ($(nproc) cores, shared by wrk, the servers and PostgreSQL)"
echo "wrk ${seconds} s, $connections connections in all; warm-up statuses: sqlite $(field "$work/sqlite.warm" statuses), a $(field "$work/a.warm" statuses), b $(field "$work/b.warm" statuses)"
echo "POSTed meanwhile: sqlite $(field "$work/sqlite.posted" posted) alerts (statuses $(field "$work/sqlite.posted" statuses), slowest $(field "$work/sqlite.posted" slowest_s) s);" \
  "postgres-a $(field "$work/postgres.posted" posted) (statuses $(field "$work/postgres.posted" statuses), slowest $(field "$work/postgres.posted" slowest_s) s);" \
  "postgres-b followed $followed remakings and holds $alerts_b alerts, as a holds $alerts_a"
echo
printf '%-12s %11s %8s %8s %7s\n' "server" "requests/s" "p50 ms" "p99 ms" "errors"
r_sqlite=$(row sqlite); r_a=$(row postgres-a); r_b=$(row postgres-b)
printf '%s\n%s\n%s\n' "$r_sqlite" "$r_a" "$r_b"
python3 - "$r_sqlite" "$r_a" "$r_b" <<'PY'
import sys
s, a, b = (float(r.split()[1]) for r in sys.argv[1:])
e = sum(int(r.split()[4]) for r in sys.argv[2:])
print(f"{'postgres a+b':<12} {a + b:>11.0f} {'':>8} {'':>8} {e:>7d}")
print(f"\ntwo PostgreSQL-backed servers / one SQLite server, requests/s: {(a + b) / s:.2f}  (aim: at least 1.6, with 0 errors)")
PY
