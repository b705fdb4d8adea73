#!/usr/bin/env bash
# Tile speed: one input (the regions, zones and alert areas of a store holding the sample alerts,
# plus 100,000 synthetic incidents clustered on Malian towns), tiled z0-12 by ThreatMap, by
# GDAL's `ogr2ogr -f MVT` from the same layers exported as GeoJSON, and by tilemaker (Debian's
# 2.2, installed here if missing) from those layers converted to shapefiles, in the same run.
# Prints wall time, CPU time, peak memory, tile count and total bytes for each.
# At the default size tilemaker alone takes about 40 minutes here (see the comment on its row);
# TILEMAKER=no leaves its row out.
# Usage: Scripts/bench-tiles.sh [INCIDENTS] [MAXZOOM]   (default 100000 12)
set -euo pipefail
cd "$(dirname "$0")/.."
incidents="${1:-100000}"
maxzoom="${2:-12}"
as_of=2024-07-05
Scripts/setup.sh >/dev/null
if ! command -v tilemaker >/dev/null; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq tilemaker >/dev/null
fi
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
  # tilemaker also writes an empty file for a tile whose features all clip away: count tiles with data.
  count=$(find "$out" \( -name '*.mvt' -o -name '*.pbf' \) -size +0 | wc -l)
  bytes=$(find "$out" \( -name '*.mvt' -o -name '*.pbf' \) -printf '%s\n' | awk '{s+=$1} END {print s+0}')
  printf '%-34s %8.1f %8.1f %9d %9d %12d\n' "$name" "$wall" "$(python3 -c "print($user + $sys)")" "$((kb / 1024))" "$count" "$bytes"
}

echo
echo "Tiles z0-$maxzoom: regions, zones, alert areas of the sample store + $incidents incidents, this machine"
printf '%-34s %8s %8s %9s %9s %12s\n' "tool" "wall s" "CPU s" "peak MB" "tiles" "bytes"
measure "threatmap export tiles (dir)" "$work/tm" "$bin" export tiles -o "$work/tm" --maxzoom "$maxzoom" --as-of "$as_of" --store "$work/store.sqlite"
# GDAL writes one layer per input file: merge ours into one GeoPackage first. tilemaker 2.2 reads
# shapefiles, one per layer, all columns (Scripts/bench/tilemaker/process.lua gives back the field
# names cut to 10 characters and leaves out the nulls, stored as ""); DATE_AS_STRING keeps dates
# as the GeoJSON's text. Neither conversion is timed.
mkdir "$work/shp"
tm_layers=""
for l in regions zones alert_areas incidents labels; do
  ogr2ogr -f GPKG -append -nln "$l" "$work/all.gpkg" "$work/layers/$l.geojson" 2>/dev/null
  ogr2ogr -f "ESRI Shapefile" -oo DATE_AS_STRING=YES -lco ENCODING=UTF-8 "$work/shp/$l.shp" "$work/layers/$l.geojson" 2>/dev/null
  tm_layers+="${tm_layers:+,}
    \"$l\": {\"minzoom\": 0, \"maxzoom\": $maxzoom, \"source\": \"$work/shp/$l.shp\", \"source_columns\": true}"
done
# No .osm.pbf input: with shapefiles only, tilemaker needs a bounding box instead, here the whole
# world so nothing is clipped. basezoom = maxzoom (the zoom it indexes at), no simplification or
# line merging (combine_below 0), tiles written uncompressed like the others.
cat > "$work/tilemaker.json" <<EOF
{
  "layers": {$tm_layers
  },
  "settings": {
    "minzoom": 0, "maxzoom": $maxzoom, "basezoom": $maxzoom, "bounding_box": [-180, -85, 180, 85],
    "include_ids": false, "compress": "none", "combine_below": 0,
    "name": "bench-tiles", "version": "1", "description": "Scripts/bench-tiles.sh"
  }
}
EOF
measure "ogr2ogr -f MVT (GDAL)" "$work/gdal" ogr2ogr -f MVT "$work/gdal" "$work/all.gpkg" -dsco MINZOOM=0 -dsco MAXZOOM="$maxzoom" -dsco COMPRESS=NO
# tilemaker 2.2 keeps every feature at every zoom, with no tile size limit, and finds each attribute
# value by a scan of the values already in the tile: a low-zoom tile holding all the incidents, each
# with its own id, costs time in the square of their number (most of its ~40 minutes at 100,000).
[ "${TILEMAKER:-yes}" = no ] || measure "tilemaker (shapefiles)" "$work/tilemaker" tilemaker --config "$work/tilemaker.json" --process Scripts/bench/tilemaker/process.lua --output "$work/tilemaker"
