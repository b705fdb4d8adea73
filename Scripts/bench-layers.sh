#!/usr/bin/env bash
# Layer speed: computes and exports every layer (regions, zones, alert_areas, incidents, labels)
# as of a date from a store holding ALERTS alerts and INCIDENTS incidents, all active or within
# the incident window, with the event indicators (--levels both, the default) and without them
# (--levels alerts). The aim: under 2 seconds on this machine.
# Usage: Scripts/bench-layers.sh [ALERTS] [INCIDENTS]   (default 1000 100000)
set -euo pipefail
cd "$(dirname "$0")/.."
alerts="${1:-1000}"
incidents="${2:-100000}"
as_of=2024-12-31
Scripts/setup.sh >/dev/null
swift build -c release --product threatmap >/dev/null
bin="$(swift build -c release --show-bin-path)/threatmap"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 Scripts/bench/make_alerts.py "$alerts" "$work/alerts.json" GeoData/mali/gazetteer.csv "$as_of" 10
python3 Scripts/bench/make_events.py "$incidents" "$work/events.csv" GeoData/mali/gazetteer.csv 2024-12-02 2024-12-31
"$bin" ingest --store "$work/store.sqlite" "$work/alerts.json" "$work/events.csv" >/dev/null

runs=3
# The median of three exports with `--levels LEVELS`.
median_of() {
  local times=()
  for _ in $(seq "$runs"); do
    rm -rf "$work/out"
    local start end
    start=$(date +%s.%N)
    "$bin" export geojson --all -o "$work/out" --as-of "$as_of" --levels "$1" --store "$work/store.sqlite" 2>/dev/null
    end=$(date +%s.%N)
    times+=("$(python3 -c "print($end - $start)")")
  done
  python3 -c 'import statistics,sys; print(f"{statistics.median(float(x) for x in sys.argv[1:]):.2f}")' "${times[@]}"
}
"$bin" export geojson --all -o "$work/out" --as-of "$as_of" --store "$work/store.sqlite" 2>/dev/null  # warm the page cache
alerts_only=$(median_of alerts)
both=$(median_of both)
echo
echo "Export of every layer as of $as_of: $alerts alerts, $incidents incidents, this machine"
printf '%-14s %10s %12s\n' "layer" "features" "bytes"
for f in "$work"/out/*.geojson; do
  printf '%-14s %10s %12s\n' "$(basename "$f" .geojson)" "$(python3 -c "import json,sys; print(len(json.load(open(sys.argv[1]))['features']))" "$f")" "$(stat -c %s "$f")"
done
printf '%-68s %8s\n' "export geojson --all --levels alerts (no indicators, median of $runs)" "$alerts_only s"
printf '%-68s %8s\n' "export geojson --all --levels both (the default, median of $runs)" "$both s"
printf '%-68s %8s\n' "aim" "2.00 s"
