#!/usr/bin/env bash
# The main job: install what is needed, build ThreatMap, check its GeoData, store the sample alerts
# of GeoData/alerts in out/threatmap.sqlite (again is harmless: the same file is stored once), write
# every layer to out/layers/ as of 5 July 2024 (when several samples are active), then serve the
# store: the map viewer, GeoJSON layers, vector tiles and the alert API, until Ctrl-C.
# The sample table has two bad rows on purpose: ingest reports them.
# Environment: PORT (default 8080), HOST (default 127.0.0.1), THREATMAP_TOKEN (writes; a random one
# is made and printed when unset), MAPLIBRE_URL (where the viewer loads MapLibre GL JS from).
set -euo pipefail
cd "$(dirname "$0")/.."
Scripts/setup.sh
swift build -c release --product threatmap
bin="$(swift build -c release --show-bin-path)/threatmap"
"$bin" geodata check
mkdir -p out
"$bin" ingest --store out/threatmap.sqlite GeoData/alerts/* || echo "(some sample rows are bad on purpose; the rest are stored)"
"$bin" export geojson --all -o out/layers --store out/threatmap.sqlite --as-of 2024-07-05
port="${PORT:-8080}"
host="${HOST:-127.0.0.1}"
if [ -z "${THREATMAP_TOKEN:-}" ]; then
  THREATMAP_TOKEN="$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
  echo "writes (POST /alerts, DELETE /alerts/{id}) need: Authorization: Bearer $THREATMAP_TOKEN"
fi
export THREATMAP_TOKEN
echo "layers in out/layers; the samples are active around 5 July 2024: open http://$host:$port/?as_of=2024-07-05"
args=(serve --store out/threatmap.sqlite --host "$host" --port "$port")
[ -n "${MAPLIBRE_URL:-}" ] && args+=(--maplibre-url "$MAPLIBRE_URL")
exec "$bin" "${args[@]}"
