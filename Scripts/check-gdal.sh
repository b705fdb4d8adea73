#!/usr/bin/env bash
# GDAL as an outside reader: exports every layer ThreatMap has and checks that `ogrinfo -al -so`
# loads it with the expected layer, geometry type, feature count and fields, and that GDAL's own
# SQLite dialect finds every geometry valid; then reads the served layers by URL (/vsicurl/) and
# through OGC API - Features (the OAPIF driver). Prints "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
bin="${THREATMAP_BIN:-$(swift build --show-bin-path)/threatmap}"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
passed=0
failed=0
check() {  # check NAME COMMAND...
  local name=$1; shift
  if "$@"; then passed=$((passed + 1)); echo "ok: $name"; else failed=$((failed + 1)); echo "FAILED: $name"; fi
}
contains() { grep -qF -- "$2" <<<"$1"; }

"$bin" export geojson --layer regions -o "$out/regions.geojson"
info=$(ogrinfo -al -so "$out/regions.geojson" 2>&1)
check "ogrinfo opens regions.geojson" contains "$info" "using driver \`GeoJSON' successful"
check "layer is named regions" contains "$info" "Layer name: regions"
check "geometry type is Polygon" contains "$info" "Geometry: Polygon"
check "9 features" contains "$info" "Feature Count: 10"
check "WGS 84" contains "$info" 'ID["EPSG",4326]'
check "id is a string field" contains "$info" "id: String"
check "area_km2 is a real field" contains "$info" "area_km2: Real"
invalid=$(ogrinfo -q -dialect SQLite -sql "SELECT COUNT(*) AS n FROM regions WHERE NOT ST_IsValid(geometry)" "$out/regions.geojson" 2>&1)
check "GDAL finds every region valid" contains "$invalid" "n (Integer) = 0"
# Areas drawn by geography (latitude, line through towns, river, border strips): GDAL finds the
# alert_areas footprints valid, polygons, in WGS 84.
store="$out/areas.sqlite"
"$bin" ingest --store "$store" Tests/AlertIngestTests/Reading/uk-fcdo-areas.txt Tests/AlertIngestTests/Reading/canada-border-areas.txt \
  Tests/AlertIngestTests/Reading/france-diplomatie-ligne.txt >/dev/null
for day in 2026-10-06 2026-11-13; do
  "$bin" export geojson --store "$store" --layer alert_areas --as-of "$day" -o "$out/areas-$day.geojson"
  info=$(ogrinfo -al -so "$out/areas-$day.geojson" 2>&1)
  check "alert_areas as of $day: polygons" contains "$info" "Polygon"
  invalid=$(ogrinfo -q -dialect SQLite -sql "SELECT COUNT(*) AS n FROM alert_areas WHERE NOT ST_IsValid(geometry) OR ST_IsEmpty(geometry)" "$out/areas-$day.geojson" 2>&1)
  check "GDAL finds every drawn area as of $day valid" contains "$invalid" "n (Integer) = 0"
done
# The sample alerts and events too, for OGC API - Features below (the table has bad rows on purpose).
"$bin" ingest --store "$store" GeoData/alerts/* >/dev/null 2>&1
# GDAL reading served layers by URL through /vsicurl/ with its default settings (HEAD, then
# byte ranges), as QGIS does with a remote file.
"$bin" serve --port 0 --store "$store" >"$out/serve.out" 2>"$out/serve.err" &
server=$!
port=""
for _ in $(seq 1 100); do
  port=$(sed -n 's|^ThreatMap viewer: http://127.0.0.1:\([0-9]*\)/.*|\1|p' "$out/serve.out")
  [ -n "$port" ] && break
  sleep 0.1
done
url="http://127.0.0.1:$port"
info=$(ogrinfo -ro -al -so "/vsicurl/$url/layers/regions?as_of=2026-10-06" 2>&1)
check "/vsicurl/ opens a served regions layer" contains "$info" "Feature Count: 10"
info=$(ogrinfo -ro -al -so "/vsicurl/$url/layers/alert_areas?as_of=2026-10-06" 2>&1)
check "/vsicurl/ opens a served alert_areas layer" contains "$info" "Polygon"
info=$(ogrinfo -ro -so "/vsicurl/$url/tiles/5/15/14.mvt?as_of=2026-10-06" 2>&1)
check "/vsicurl/ opens a served tile" contains "$info" "regions (Multi Polygon)"
check "GDAL asked for byte ranges and got them" grep -q "GET /layers/regions 206" "$out/serve.err"
# GDAL's OAPIF driver on our OGC API - Features: the collections, their fields, datetime as the
# as-of (Mopti rises with the sample events), an interval of incidents read page by page.
info=$(ogrinfo -ro -so "OAPIF:$url" 2>&1)
check "OAPIF lists the five collections" contains "$info" "5: labels"
check "OAPIF: regions is a collection" contains "$info" "1: regions"
info=$(ogrinfo -ro -so "OAPIF:$url?datetime=2024-07-05" regions 2>&1)
check "OAPIF reads regions with its fields (diffusion Real)" contains "$info" "diffusion: Real"
check "OAPIF counts 10 regions" contains "$info" "Feature Count: 10"
before=$(ogrinfo -ro "OAPIF:$url?datetime=2024-05-16" regions -where "id='mopti'" 2>&1)
after=$(ogrinfo -ro "OAPIF:$url?datetime=2024-07-05" regions -where "id='mopti'" 2>&1)
check "OAPIF datetime=2024-05-16: Mopti level 1" contains "$before" "  level (Integer) = 1"
check "OAPIF datetime=2024-07-05: Mopti level 3, set by events" contains "$after" "level_source (String) = events"
pages=$(ogrinfo -ro -oo PAGE_SIZE=2 "OAPIF:$url?datetime=2024-06-01/2024-07-09" incidents 2>&1)
ids=$(grep -o "event_id (String) = .*" <<<"$pages" | sort)
check "OAPIF pages of 2 bring the 9 incidents of the interval, each once" test "$(wc -l <<<"$ids")" = 9 -a "$(uniq <<<"$ids" | wc -l)" = 9
check "the pages were asked for with limit and offset" grep -q "GET /collections/incidents/items 200" "$out/serve.err"
kill -TERM "$server"
wait "$server"
echo "gdal: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
