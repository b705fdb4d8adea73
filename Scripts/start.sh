#!/usr/bin/env bash
# The main job: install what is needed, build ThreatMap, check its GeoData and export Mali's
# regions as GeoJSON to out/regions.geojson (open it in QGIS, or `ogrinfo -al -so` it).
set -euo pipefail
cd "$(dirname "$0")/.."
Scripts/setup.sh
swift build -c release --product threatmap
bin="$(swift build -c release --show-bin-path)/threatmap"
"$bin" geodata check
mkdir -p out
"$bin" export geojson --layer regions -o out/regions.geojson
echo "ThreatMap: $bin; try '$bin --help'"
