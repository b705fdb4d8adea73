#!/usr/bin/env bash
# Reading speed: `threatmap ingest` reading, resolving and storing N distinct advisory texts
# (Scripts/bench/make_advisories.py: event alerts with sections, national travel advisories
# with levels per region, French press items and France Diplomatie pages, US-style
# advisories; English and French), in one run of the command into a fresh store; the median
# of 3 runs. The anchor is the issue's floor, 200 texts a second; BASELINE_BIN=path runs an
# older build of threatmap (a `swift build -c release` of another commit) on the same texts in
# the same run, side by side (with its own GeoData folder: BASELINE_GEODATA, by default ./GeoData).
# Usage: Scripts/bench-reading.sh [N]   (default 1000)
set -euo pipefail
cd "$(dirname "$0")/.."
count="${1:-1000}"
swift build -c release --product threatmap >/dev/null
bin="$(swift build -c release --show-bin-path)/threatmap"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 Scripts/bench/make_advisories.py "$count" "$work/texts" GeoData/mali/gazetteer.csv >/dev/null
bytes=$(cat "$work"/texts/*.txt | wc -c)

runs=3
median() { python3 -c 'import statistics,sys; print(statistics.median(float(x) for x in sys.argv[1:]))' "$@"; }
timed() {  # timed VAR BINARY GEODATA: the median wall seconds of $runs ingests into a fresh store
  local start end all=()
  for _ in $(seq "$runs"); do
    rm -f "$work"/store.sqlite*
    start=$(date +%s.%N)
    "$2" ingest --store "$work/store.sqlite" --geodata "$3" "$work"/texts/*.txt >"$work/out" 2>"$work/err" \
      || { echo "$2 failed:" >&2; tail -5 "$work/err" >&2; return 1; }
    end=$(date +%s.%N)
    all+=("$(python3 -c "print($end - $start)")")
  done
  printf -v "$1" '%s' "$(median "${all[@]}")"
}

row() {  # row NAME SECONDS
  python3 -c 'import sys; n, s = int(sys.argv[2]), float(sys.argv[3]); print(f"{sys.argv[1]:<34} {n:>7} {s:>9.2f} {n / s:>9.0f}")' "$1" "$count" "$2"
}

timed now "$bin" GeoData
alerts=$(sqlite3 "$work/store.sqlite" "SELECT COUNT(*) FROM alert")
echo
echo "Reading $count distinct advisory texts (English and French, $((bytes / 1024)) KB), threatmap ingest into a fresh store, median of $runs runs, this machine"
printf '%-34s %7s %9s %9s\n' "build" "texts" "seconds" "texts/s"
row "threatmap (this checkout)" "$now"
if [ -n "${BASELINE_BIN:-}" ]; then
  timed before "$BASELINE_BIN" "${BASELINE_GEODATA:-GeoData}"
  row "threatmap, BASELINE_BIN" "$before"
  echo "  (BASELINE_BIN = $BASELINE_BIN)"
fi
printf '%-34s %7s %9s %9s\n' "floor the issue sets" "" "" 200
echo "distinct alert ids stored: $alerts (texts with one title are one alert's versions)"
