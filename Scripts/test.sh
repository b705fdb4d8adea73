#!/usr/bin/env bash
# Runs every test: installs what is needed, then the Swift tests (unit and end to end), the Geo
# tests again under ThreadSanitizer and AddressSanitizer (with LeakSanitizer), each reader under
# libFuzzer with AddressSanitizer for 60 s (THREATMAP_FUZZ_SECONDS), GDAL and geopandas
# reading every layer we export, outside readers on our vector tiles, jsonschema checking our JSON
# samples, and the viewer served by `threatmap serve` in a real browser (Debian's chromium,
# driven by PyPI playwright, with MapLibre from the PyPI maplibre wheel), and QGIS 3.22 (Debian's
# python3-qgis, headless) on the style, the OGC API - Features collections and a GeoPackage.
# The PostgreSQL store's tests run against a throw-away PostgreSQL 15 + PostGIS cluster
# (Debian's postgresql and postgresql-15-postgis-3) on a loopback port, stopped at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
Scripts/setup.sh

echo "== a throw-away PostgreSQL 15 + PostGIS on loopback, for the PostgreSQL tests"
eval "$(Scripts/postgres.sh start)"
trap 'Scripts/postgres.sh stop "$THREATMAP_PG_DIR"' EXIT
export THREATMAP_REQUIRE_POSTGRES=1

echo "== swift test"
swift build --build-tests
swift test --skip-build

echo "== Geo under ThreadSanitizer"
swift test --sanitize=thread --scratch-path .build-tsan --filter GeoTests

echo "== Geo under AddressSanitizer and LeakSanitizer"
# XCTest's runner leaks on its own; the suppression names only its library.
LSAN_OPTIONS="suppressions=$PWD/Scripts/sanitizers/lsan.supp" \
  swift test --sanitize=address --scratch-path .build-asan --filter GeoTests

echo "== the readers under libFuzzer, 60 s each"
for target in text json cap csv geojson; do
  Scripts/fuzz.sh "$target" "${THREATMAP_FUZZ_SECONDS:-60}"
done

echo "== GDAL reads what we write"
Scripts/check-gdal.sh

echo "== writers and faults: kill -9, two ingests at once, a full and a read-only file system"
python3 Scripts/check-faults.py

echo "== GDAL and geopandas read every layer"
python3 -c "import geopandas, shapely" 2>/dev/null || python3 -m pip install --quiet geopandas shapely
python3 Scripts/check-layers.py

echo "== mapbox-vector-tile and GDAL read our vector tiles"
python3 -c "import mapbox_vector_tile, jsonschema, pmtiles" 2>/dev/null || python3 -m pip install --quiet mapbox-vector-tile jsonschema pmtiles
python3 Scripts/check-tiles.py

echo "== our JSON samples against our JSON Schema"
python3 -c "import jsonschema" 2>/dev/null || python3 -m pip install --quiet jsonschema
python3 Scripts/check-schemas.py

echo "== the API against its OpenAPI document (schemathesis)"
python3 -c "import schemathesis, prometheus_client" 2>/dev/null || python3 -m pip install --quiet "schemathesis>=4,<5" prometheus-client
python3 Scripts/check-api.py
echo "== the API against its OpenAPI document, on PostgreSQL"
CHECK_API_POSTGRES=1 python3 Scripts/check-api.py

echo "== serve stops cleanly, finishing what is in flight"
python3 Scripts/check-shutdown.py

echo "== two servers on one PostgreSQL: equal tiles, each other's writes within a second, a database restart"
python3 Scripts/check-postgres.py

echo "== the viewer in a real browser"
if ! command -v chromium >/dev/null; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >/dev/null
fi
python3 -c "import playwright" 2>/dev/null || python3 -m pip install --quiet playwright
python3 Scripts/check-viewer.py

echo "== QGIS 3.22 reads the style, the OGC API collections and the GeoPackage"
if ! dpkg-query -W -f='${Status}' python3-qgis 2>/dev/null | grep -q "install ok installed"; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq python3-qgis >/dev/null
fi
/usr/bin/python3 Scripts/check-qgis.py
