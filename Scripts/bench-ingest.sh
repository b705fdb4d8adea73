#!/usr/bin/env bash
# Ingest speed: ThreatMap ingesting N ACLED-style rows (parse, map every point to its region and
# zone with prepared geometries and the STR-tree, store in one transaction) against GDAL's
# ogr2ogr loading the same CSV into a GeoPackage (parse and store only), in the same run; and the
# same ingest into PostgreSQL + PostGIS (a throw-away cluster from Scripts/postgres.sh on
# loopback, unless THREATMAP_TEST_POSTGRES names one; a new database from its template each run).
# Usage: Scripts/bench-ingest.sh [ROWS]   (default 100000)
set -euo pipefail
cd "$(dirname "$0")/.."
rows="${1:-100000}"
Scripts/setup.sh >/dev/null
swift build -c release --product threatmap >/dev/null
bin="$(swift build -c release --show-bin-path)/threatmap"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 Scripts/bench/make_events.py "$rows" "$work/events.csv" GeoData/mali/gazetteer.csv
size=$(du -m "$work/events.csv" | cut -f1)

seconds() { python3 -c 'import sys,time; print(f"{float(sys.argv[1]):.2f}")' "$1"; }
runs=3
median() { python3 -c 'import statistics,sys; print(statistics.median(float(x) for x in sys.argv[1:]))' "$@"; }
timed() {  # timed VAR SETUP COMMAND...: the median wall seconds of $runs runs into VAR, SETUP run before each
  local start end all=()
  for _ in $(seq "$runs"); do
    eval "$2"
    start=$(date +%s.%N)
    "${@:3}" >/dev/null 2>"$work/err" || { cat "$work/err" >&2; return 1; }
    end=$(date +%s.%N)
    all+=("$(python3 -c "print($end - $start)")")
  done
  printf -v "$1" '%s' "$(median "${all[@]}")"
}

timed tm 'rm -f "$work"/store.sqlite*' "$bin" ingest --store "$work/store.sqlite" "$work/events.csv"
stored=$(sqlite3 "$work/store.sqlite" "SELECT COUNT(*) FROM incident")
mapped=$(sqlite3 "$work/store.sqlite" "SELECT COUNT(*) FROM incident WHERE region IS NOT NULL")
# PostgreSQL: the same ingest, a new database each run.
if [ -z "${THREATMAP_TEST_POSTGRES:-}" ]; then
  eval "$(Scripts/postgres.sh start)"
  trap 'Scripts/postgres.sh stop "$THREATMAP_PG_DIR"; rm -rf "$work"' EXIT
fi
pg_admin="$THREATMAP_TEST_POSTGRES"
pg_hostport="${pg_admin#*@}"; pg_hostport="${pg_hostport%%/*}"
pg_port="${pg_hostport##*:}"; pg_host="${pg_hostport%:*}"
psql_admin() { psql -X -q -t -A -h "$pg_host" -p "$pg_port" -U postgres -v ON_ERROR_STOP=1 "$@"; }
pg_db=threatmap_bench_ingest
fresh_pg() { psql_admin -d postgres -c "DROP DATABASE IF EXISTS $pg_db WITH (FORCE)" -c "CREATE DATABASE $pg_db TEMPLATE threatmap_template"; }
timed tpg fresh_pg "$bin" ingest --store "postgresql://postgres@$pg_host:$pg_port/$pg_db" "$work/events.csv"
pg_stored=$(psql_admin -d "$pg_db" -c "SELECT count(*) FROM incident")
psql_admin -d postgres -c "DROP DATABASE IF EXISTS $pg_db WITH (FORCE)"

timed gdal 'rm -f "$work/events.gpkg"' ogr2ogr -f GPKG "$work/events.gpkg" "$work/events.csv" -oo X_POSSIBLE_NAMES=longitude -oo Y_POSSIBLE_NAMES=latitude -a_srs EPSG:4326 -nln events
gdal_rows=$(ogrinfo -so "$work/events.gpkg" events | sed -n 's/^Feature Count: //p')

# With cercles: geoBoundaries' 701 communes imported as the admin-2 layer (the finest division
# there is here; Mali's 49 cercles would be cheaper), then the same ingest mapping every row to its
# cercle as well.
bash Scripts/geodata-communes.sh "${THREATMAP_GEODATA_CACHE:-.build-geodata}" >/dev/null
start=$(date +%s.%N)
"$bin" geodata import --cercles "${THREATMAP_GEODATA_CACHE:-.build-geodata}/mali-communes.geojson" --cercle-name-field name \
  -o "$work/geodata-cercles" >/dev/null 2>"$work/err" || { cat "$work/err" >&2; exit 1; }
end=$(date +%s.%N)
import=$(python3 -c "print($end - $start)")
cercles=$(python3 -c "import json,sys; print(len(json.load(open(sys.argv[1]))['features']))" "$work/geodata-cercles/mali/cercles.geojson")
timed tmc 'rm -f "$work"/store-c.sqlite*' "$bin" ingest --geodata "$work/geodata-cercles" --store "$work/store-c.sqlite" "$work/events.csv"
incercle=$(sqlite3 "$work/store-c.sqlite" "SELECT COUNT(*) FROM incident WHERE cercle IS NOT NULL")

echo
echo "Ingest of $rows ACLED-style rows ($size MB CSV), this machine, median of $runs runs each"
printf '%-44s %9s %12s %10s %s\n' "tool" "seconds" "rows/s" "rows" "what it does"
printf '%-44s %9s %12s %10s %s\n' "threatmap ingest (release)" "$(seconds "$tm")" "$(python3 -c "print(round($rows/$tm))")" "$stored" "parse, map $mapped to regions and zones, SQLite"
printf '%-44s %9s %12s %10s %s\n' "threatmap ingest into PostgreSQL (release)" "$(seconds "$tpg")" "$(python3 -c "print(round($rows/$tpg))")" "$pg_stored" "the same, PostgreSQL $(psql_admin -d postgres -c 'SHOW server_version' | cut -d' ' -f1) + PostGIS, loopback"
printf '%-44s %9s %12s %10s %s\n' "threatmap ingest, $cercles cercles (release)" "$(seconds "$tmc")" "$(python3 -c "print(round($rows/$tmc))")" "$rows" "the same, and $incercle mapped to cercles"
printf '%-44s %9s %12s %10s %s\n' "ogr2ogr -f GPKG (GDAL $(gdal-config --version 2>/dev/null || ogrinfo --version | cut -d' ' -f2 | tr -d ,))" "$(seconds "$gdal")" "$(python3 -c "print(round($rows/$gdal))")" "$gdal_rows" "parse, GeoPackage (no mapping)"
echo "ratio ogr2ogr time / threatmap time: $(python3 -c "print(f'{$gdal/$tm:.2f}')")  (above 1: ThreatMap is faster)"
echo "ratio PostgreSQL time / SQLite time: $(python3 -c "print(f'{$tpg/$tm:.2f}')")  (aim: at most 1.5)"
echo "ratio ogr2ogr time / threatmap time with cercles: $(python3 -c "print(f'{$gdal/$tmc:.2f}')")"
echo "geodata import --cercles of the 701 communes: $(seconds "$import") s ($cercles cercles)"
