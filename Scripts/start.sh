#!/usr/bin/env bash
# The main job: install what is needed, build ThreatMap, check its GeoData, store the sample alerts
# of GeoData/alerts in out/threatmap.sqlite, and write every layer to out/layers/ as of 5 July 2024,
# when several samples are active
# (open them in QGIS, or `ogrinfo -al -so` them). The sample table has two bad rows on purpose:
# ingest reports them.
set -euo pipefail
cd "$(dirname "$0")/.."
Scripts/setup.sh
swift build -c release --product threatmap
bin="$(swift build -c release --show-bin-path)/threatmap"
"$bin" geodata check
mkdir -p out
"$bin" ingest --store out/threatmap.sqlite GeoData/alerts/* || echo "(some sample rows are bad on purpose; the rest are stored)"
"$bin" export geojson --all -o out/layers --store out/threatmap.sqlite --as-of 2024-07-05
echo "ThreatMap: $bin; layers in out/layers; try '$bin --help'"
