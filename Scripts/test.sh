#!/usr/bin/env bash
# Runs every test: installs what is needed, then the Swift tests (unit and end to end), the Geo
# tests again under ThreadSanitizer and AddressSanitizer (with LeakSanitizer), GDAL and geopandas
# reading every layer we export, and jsonschema checking our JSON samples.
set -euo pipefail
cd "$(dirname "$0")/.."
Scripts/setup.sh

echo "== swift test"
swift build --build-tests
swift test --skip-build

echo "== Geo under ThreadSanitizer"
swift test --sanitize=thread --scratch-path .build-tsan --filter GeoTests

echo "== Geo under AddressSanitizer and LeakSanitizer"
# XCTest's runner leaks on its own; the suppression names only its library.
LSAN_OPTIONS="suppressions=$PWD/Scripts/sanitizers/lsan.supp" \
  swift test --sanitize=address --scratch-path .build-asan --filter GeoTests

echo "== GDAL reads what we write"
Scripts/check-gdal.sh

echo "== GDAL and geopandas read every layer"
python3 -c "import geopandas, shapely" 2>/dev/null || python3 -m pip install --quiet geopandas shapely
python3 Scripts/check-layers.py

echo "== mapbox-vector-tile and GDAL read our vector tiles"
python3 -c "import mapbox_vector_tile, jsonschema, pmtiles" 2>/dev/null || python3 -m pip install --quiet mapbox-vector-tile jsonschema pmtiles
python3 Scripts/check-tiles.py

echo "== our JSON samples against our JSON Schema"
python3 -c "import jsonschema" 2>/dev/null || python3 -m pip install --quiet jsonschema
python3 Scripts/check-schemas.py
