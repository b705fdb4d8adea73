#!/usr/bin/env bash
# Fuzzes one reader with libFuzzer for SECONDS: text (advisories), json, cap, csv (event tables)
# or geojson (the GeoJSON reader boundary files go through).
# Usage: Scripts/fuzz.sh TARGET SECONDS
#
# Builds Sources/threatmap-fuzz with `-sanitize=fuzzer,address` into .build-fuzz (reused between
# runs), seeds the corpus from our own inputs of that kind (GeoData/alerts, the reading fixtures,
# GeoData/mali's GeoJSON files) and the regression inputs under Tests/FuzzRegressions/TARGET,
# keeps the grown corpus in .build-fuzz/corpus/TARGET, and runs libFuzzer. An input that
# crashes, trips AddressSanitizer, or runs past 10 seconds (a hang) is written to
# .build-fuzz/findings/TARGET/ and the script fails, saying so; each such input belongs in
# Tests/FuzzRegressions/TARGET, where the replay test reads it. Leak reports are off: the Swift
# runtime's own allocations that live to exit would drown them.
set -euo pipefail
cd "$(dirname "$0")/.."
target="${1:?usage: Scripts/fuzz.sh TARGET SECONDS (TARGET: text, json, cap, csv, geojson)}"
seconds="${2:?usage: Scripts/fuzz.sh TARGET SECONDS}"
case "$target" in text|json|cap|csv|geojson) ;; *) echo "unknown target $target (text, json, cap, csv, geojson)" >&2; exit 2 ;; esac

scratch=.build-fuzz
swift build --product threatmap-fuzz --scratch-path "$scratch" \
  -Xswiftc -sanitize=fuzzer,address -Xswiftc -DTHREATMAP_FUZZ >"$scratch-build.log" 2>&1 || { tail -30 "$scratch-build.log" >&2; exit 1; }
bin="$(swift build --product threatmap-fuzz --scratch-path "$scratch" --show-bin-path)/threatmap-fuzz"

corpus="$scratch/corpus/$target"
findings="$scratch/findings/$target"
mkdir -p "$corpus" "$findings"
seed() { for f in "$@"; do [ -f "$f" ] && cp "$f" "$corpus/seed-$(basename "$f")"; done; return 0; }
case "$target" in
  text) seed GeoData/alerts/*.txt Tests/AlertIngestTests/Reading/*.txt ;;
  json) seed GeoData/alerts/*.json ;;
  cap) seed GeoData/alerts/*.xml ;;
  csv) seed GeoData/alerts/*.csv ;;
  geojson) seed GeoData/mali/*.geojson ;;
esac
seed Tests/FuzzRegressions/"$target"/*

before=$(find "$findings" -type f | wc -l)
status=0
THREATMAP_FUZZ_TARGET="$target" THREATMAP_GEODATA="$PWD/GeoData" ASAN_OPTIONS="detect_leaks=0:allocator_may_return_null=1" \
  "$bin" "$corpus" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=4096 -max_len=65536 \
  -artifact_prefix="$findings/" -print_final_stats=1 >"$scratch/$target.log" 2>&1 || status=$?
after=$(find "$findings" -type f | wc -l)
runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$scratch/$target.log" | tail -1)
echo "fuzz $target: ${runs:-?} inputs in ${seconds}s, corpus $(find "$corpus" -type f | wc -l) files, $((after - before)) new findings"
if [ "$status" -ne 0 ] || [ "$after" -gt "$before" ]; then
  grep -E "ERROR|SUMMARY|Fatal|crash|timeout" "$scratch/$target.log" | head -20 >&2 || true
  echo "fuzz $target FAILED: findings in $findings (log $scratch/$target.log); add each to Tests/FuzzRegressions/$target" >&2
  exit 1
fi
