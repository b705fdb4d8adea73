#!/usr/bin/env bash
# Tile speed: one input (the regions, zones and alert areas of a store holding the sample alerts,
# plus 100,000 synthetic incidents clustered on Malian towns), tiled z0-12 by ThreatMap and by
# GDAL's `ogr2ogr -f MVT` from the same layers exported as GeoJSON, in the same run. Prints wall
# time, CPU time, peak memory, tile count and total bytes for each.
# Usage: Scripts/bench-tiles.sh [INCIDENTS] [MAXZOOM]   (default 100000 12)
set -euo pipefail
cd "$(dirname "$0")/.."
incidents="${1:-100000}"
maxzoom="${2:-12}"
as_of=2024-07-05
Scripts/setup.sh >/dev/null
swift build -c release --product threatmap >/dev/null
bin="$(swift build -c release --show-bin-path)/threatmap"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 Scripts/bench/make_events.py "$incidents" "$work/events.csv" GeoData/mali/gazetteer.csv 2024-06-06 2024-06-30
"$bin" ingest --store "$work/store.sqlite" GeoData/alerts/* "$work/events.csv" >/dev/null 2>&1 || true
"$bin" export geojson --all -o "$work/layers" --as-of "$as_of" --store "$work/store.sqlite" 2>/dev/null

measure() {  # measure NAME OUTPUT COMMAND...: one row of the table
  local name=$1 out=$2; shift 2
  /usr/bin/time -f "%e %U %S %M" -o "$work/time" "$@" >/dev/null 2>"$work/err" || { cat "$work/err" >&2; return 1; }
  read -r wall user sys kb < "$work/time"
  local count bytes
  count=$(find "$out" -name '*.mvt' -o -name '*.pbf' | wc -l)
  bytes=$(find "$out" \( -name '*.mvt' -o -name '*.pbf' \) -printf '%s\n' | awk '{s+=$1} END {print s+0}')
  printf '%-34s %8.1f %8.1f %9d %9d %12d\n' "$name" "$wall" "$(python3 -c "print($user + $sys)")" "$((kb / 1024))" "$count" "$bytes"
}

echo
echo "Tiles z0-$maxzoom: regions, zones, alert areas of the sample store + $incidents incidents, this machine"
printf '%-34s %8s %8s %9s %9s %12s\n' "tool" "wall s" "CPU s" "peak MB" "tiles" "bytes"
measure "threatmap export tiles (dir)" "$work/tm" "$bin" export tiles -o "$work/tm" --maxzoom "$maxzoom" --as-of "$as_of" --store "$work/store.sqlite"
# GDAL writes one layer per input file: merge ours into one GeoPackage first (not timed).
for l in regions zones alert_areas incidents labels; do
  ogr2ogr -f GPKG -append -nln "$l" "$work/all.gpkg" "$work/layers/$l.geojson" 2>/dev/null
done
measure "ogr2ogr -f MVT (GDAL)" "$work/gdal" ogr2ogr -f MVT "$work/gdal" "$work/all.gpkg" -dsco MINZOOM=0 -dsco MAXZOOM="$maxzoom" -dsco COMPRESS=NO
