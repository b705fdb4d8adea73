#!/usr/bin/env bash
# Runs every test: installs what is needed, then the Swift tests (unit and end to end), the Geo
# tests again under ThreadSanitizer and AddressSanitizer (with LeakSanitizer), and GDAL reading
# what we export.
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
