#!/usr/bin/env bash
# Tile serving speed: `threatmap serve` against nginx serving the same tiles as static files, in
# one run, with the same load from wrk (Debian's; nginx and wrk are installed here if missing).
#
# Input: a store with the sample alerts + 20,000 synthetic incidents clustered on Malian towns,
# as of 2024-07-05. `threatmap export tiles --maxzoom 10` writes the z0-10 pyramid as a folder;
# every tile it wrote (empty tiles are not written) is one entry of the request list, shuffled
# once with a fixed seed, and both servers get that same list in that same order
# (Scripts/bench/serve/tiles.lua: round-robin, each wrk thread starting at its own offset), so
# both serve the same set of existing tiles, with the same bytes (checked once per tile first).
#   threatmap: GET /tiles/z/x/y.mvt?as_of=2024-07-05   (its in-memory cache warmed first: every
#              tile requested once; that warm-up is timed separately, as it shows what making
#              tiles on demand costs)
#   nginx:     GET /z/x/y.mvt   (root = the exported folder; sendfile, open_file_cache,
#              access_log off, worker_processes auto, keepalive_requests raised so that neither
#              server closes wrk's keep-alive connections during the run)
# No Accept-Encoding header on any request, so both send the identity bytes. With gzip the
# comparison would be lopsided either way: threatmap compresses each tile once and caches the
# result, while nginx's `gzip on` compresses on every request, and `gzip_static` would need .gz
# files next to the tiles that the export does not write. Identity bytes are exactly what both
# already hold, so the comparison is of serving alone.
#
# threatmap writes one log line per request (its default, LOG_LEVEL=info) to a file in the
# scratch folder; run `LOG_LEVEL=warning Scripts/bench-serve.sh` to leave those lines out.
#
# wrk (-t2, --latency) and the server under test share this machine's cores (2 here), so each row
# shows the CPU the server used (srv), wrk used (wrk) and everything else on the machine used
# meanwhile (oth: other jobs skew the numbers; compare rows only when oth is near 0), each as
# percent of one core. Latencies are wrk's, percentiles over all requests; errors = connect + read
# + write + timeout (10 s) + HTTP status >= 400, as wrk counts them.
# Prints one row per server and the ratio of requests per second, threatmap / nginx.
#
# Then, with WRITES=N (bench.sh sets 200), one more threatmap row, "+writes": the same wrk run
# while N synthetic alerts (Scripts/bench/make_alerts.py, dated in the 20 days to the as-of) are
# POSTed, 4 at a time, each its own document, paced over the run
# (Scripts/bench/serve/post_alerts.py); its p99 against the first row's, where nothing is written,
# shows whether writes stall reads.
# Usage: Scripts/bench-serve.sh [SECONDS] [CONNECTIONS]   (default 30 64)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-30}"
connections="${2:-64}"
threads=2
maxzoom=10
incidents=20000
as_of=2024-07-05
[ "$connections" -ge "$threads" ] || { echo "bench-serve: CONNECTIONS must be at least $threads" >&2; exit 2; }

Scripts/setup.sh >/dev/null
missing=()
command -v wrk >/dev/null || missing+=(wrk)
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || missing+=(nginx)
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
nginx_bin=$(command -v nginx || echo /usr/sbin/nginx)
swift build -c release --product threatmap >/dev/null
bin="$(swift build -c release --show-bin-path)/threatmap"

work=$(mktemp -d)
chmod 755 "$work"   # nginx's workers may run as another user (nobody) when started as root
server_pids=()
cleanup() {
  for p in "${server_pids[@]}"; do
    kill "$p" 2>/dev/null || true
  done
  for p in "${server_pids[@]}"; do
    wait "$p" 2>/dev/null || true
  done
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
stop() {  # stop PID: SIGTERM and wait (threatmap and nginx both finish cleanly on it)
  kill "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
}

# --- input: store, exported pyramid, request list --------------------------------------------
python3 Scripts/bench/make_events.py "$incidents" "$work/events.csv" GeoData/mali/gazetteer.csv 2024-06-06 2024-06-30
"$bin" ingest --store "$work/store.sqlite" GeoData/alerts/* "$work/events.csv" >/dev/null 2>&1 || true
start_ns=$(date +%s%N)
"$bin" export tiles -o "$work/tiles" --maxzoom "$maxzoom" --as-of "$as_of" --store "$work/store.sqlite" >/dev/null 2>"$work/export.log" \
  || { cat "$work/export.log" >&2; exit 1; }
export_s=$(( ($(date +%s%N) - start_ns) / 1000000 ))
(cd "$work/tiles" && find . -name '*.mvt' -printf '%P\n') | sed 's/\.mvt$//' \
  | python3 -c 'import random, sys; p = sorted(sys.stdin.read().split()); random.Random(20240705).shuffle(p); print("\n".join(p))' \
  > "$work/paths.txt"
tile_count=$(grep -c . "$work/paths.txt" || true)
[ "$tile_count" -gt 0 ] || { echo "bench-serve: the export wrote no tiles" >&2; exit 1; }
tile_bytes=$(find "$work/tiles" -name '*.mvt' -printf '%s\n' | awk '{s+=$1} END {print s+0}')

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}
cpu_ticks() {  # cpu_ticks PID...: user + system clock ticks of these processes (all their threads)
  local t=0 p
  for p in "$@"; do
    [ -r "/proc/$p/stat" ] && t=$((t + $(sed 's/^.*) //' "/proc/$p/stat" | awk '{print $12 + $13}')))
  done
  echo "$t"
}
rss_mb() {  # rss_mb PID...: resident memory, MB, summed
  local kb=0 p
  for p in "$@"; do
    [ -r "/proc/$p/status" ] && kb=$((kb + $(awk '/^VmRSS:/ {print $2}' "/proc/$p/status")))
  done
  echo $((kb / 1024))
}
machine_ticks() {  # busy clock ticks of the whole machine, all cores (idle and iowait left out)
  awk '/^cpu / {print $2 + $3 + $4 + $7 + $8 + $9}' /proc/stat
}
hz=$(getconf CLK_TCK)
rows=()

# bench NAME PREFIX SUFFIX PORT PID...: the wrk run against one server; adds a row to `rows`
bench() {
  local name=$1 prefix=$2 suffix=$3 port=$4; shift 4
  local before after machine_before machine_after
  before=$(cpu_ticks "$@")
  machine_before=$(machine_ticks)
  /usr/bin/time -f "%U %S" -o "$work/wrk.time" \
    wrk -t"$threads" -c"$connections" -d"${seconds}s" --timeout 10s --latency -s Scripts/bench/serve/tiles.lua \
      "http://127.0.0.1:$port" -- "$work/paths.txt" "$prefix" "$suffix" "$threads" > "$work/wrk-$name.out" 2>&1 \
    || { cat "$work/wrk-$name.out" >&2; return 1; }
  after=$(cpu_ticks "$@")
  machine_after=$(machine_ticks)
  local result
  result=$(grep '^RESULT ' "$work/wrk-$name.out") || { cat "$work/wrk-$name.out" >&2; return 1; }
  local requests duration_us bytes p50_us p99_us max_us connect read write status timeout
  eval "$(echo "${result#RESULT }" | tr ' ' '\n' | sed 's/^/local /')"
  local wrk_user wrk_sys
  read -r wrk_user wrk_sys < "$work/wrk.time"
  rows+=("$(python3 - "$name" "$requests" "$duration_us" "$bytes" "$p50_us" "$p99_us" "$max_us" \
    "$connect" "$read" "$write" "$status" "$timeout" "$((after - before))" "$hz" "$wrk_user" "$wrk_sys" "$(rss_mb "$@")" "$((machine_after - machine_before))" <<'EOF'
import sys
(name, requests, duration_us, nbytes, p50, p99, mx, connect, read, write, status, timeout,
 ticks, hz, wrk_user, wrk_sys, rss, machine) = sys.argv[1:]
secs = int(duration_us) / 1e6
errors = sum(int(v) for v in (connect, read, write, status, timeout))
detail = "" if errors == 0 else f"  (connect {connect}, read {read}, write {write}, status {status}, timeout {timeout})"
print(f"{name:<10} {int(requests) / secs:>11.0f} {int(nbytes) / secs / 1e6:>7.1f} {int(p50) / 1000:>8.2f} "
      f"{int(p99) / 1000:>8.2f} {int(mx) / 1000:>8.1f} {errors:>7d} {100 * int(ticks) / int(hz) / secs:>9.0f} "
      f"{100 * (float(wrk_user) + float(wrk_sys)) / secs:>9.0f} "
      f"{max(0, 100 * (int(machine) - int(ticks)) / int(hz) / secs - 100 * (float(wrk_user) + float(wrk_sys)) / secs):>9.0f} "
      f"{int(rss):>7d}{detail}")
EOF
  )")
}

# --- threatmap serve -------------------------------------------------------------------------
writes="${WRITES:-0}"
token="bench-serve-$RANDOM$RANDOM"
THREATMAP_TOKEN="$token" "$bin" serve --host 127.0.0.1 --port 0 --maxzoom "$maxzoom" --store "$work/store.sqlite" \
  > "$work/threatmap.out" 2> "$work/threatmap.log" &
tm_pid=$!
server_pids+=("$tm_pid")
tm_port=""
for _ in $(seq 1 600); do
  tm_port=$(sed -n 's#^ThreatMap viewer: http://[^:]*:\([0-9][0-9]*\)/.*#\1#p' "$work/threatmap.out" | head -n 1)
  [ -n "$tm_port" ] && break
  kill -0 "$tm_pid" 2>/dev/null || { cat "$work/threatmap.log" >&2; echo "bench-serve: threatmap serve exited" >&2; exit 1; }
  sleep 0.1
done
[ -n "$tm_port" ] || { echo "bench-serve: threatmap serve did not start within 60 s" >&2; exit 1; }
warm=$(python3 Scripts/bench/serve/fetch_all.py "$tm_port" "$work/paths.txt" /tiles/ ".mvt?as_of=$as_of" "$work/tiles")
second=$(python3 Scripts/bench/serve/fetch_all.py "$tm_port" "$work/paths.txt" /tiles/ ".mvt?as_of=$as_of" "$work/tiles")
bench threatmap /tiles/ ".mvt?as_of=$as_of" "$tm_port" "$tm_pid"
posted=""
if [ "$writes" -gt 0 ]; then
  python3 Scripts/bench/make_alerts.py "$writes" "$work/alerts.json" GeoData/mali/gazetteer.csv "$as_of" 20
  python3 Scripts/bench/serve/post_alerts.py "$tm_port" "$token" "$work/alerts.json" 4 "$((seconds * 3 / 4))" > "$work/posted.out" &
  poster=$!
  bench "+writes" /tiles/ ".mvt?as_of=$as_of" "$tm_port" "$tm_pid"
  wait "$poster"
  posted=$(cat "$work/posted.out")
fi
tm_log_lines=$(wc -l < "$work/threatmap.log")
tm_5xx=$(grep -c ' 5[0-9][0-9] [0-9.]* ms' "$work/threatmap.log" || true)
stop "$tm_pid"

# --- nginx -----------------------------------------------------------------------------------
ngx_port=$(free_port)
mkdir -p "$work/nginx"
cat > "$work/nginx/nginx.conf" <<EOF
worker_processes auto;
daemon off;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $work/nginx/client_body;
  proxy_temp_path $work/nginx/proxy;
  fastcgi_temp_path $work/nginx/fastcgi;
  uwsgi_temp_path $work/nginx/uwsgi;
  scgi_temp_path $work/nginx/scgi;
  types { application/vnd.mapbox-vector-tile mvt; }
  default_type application/octet-stream;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 100000000;
  keepalive_timeout 120s;
  open_file_cache max=100000 inactive=300s;
  open_file_cache_valid 300s;
  open_file_cache_errors on;
  server {
    listen 127.0.0.1:$ngx_port;
    root $work/tiles;
  }
}
EOF
"$nginx_bin" -p "$work/nginx" -c "$work/nginx/nginx.conf" 2>> "$work/nginx/error.log" &
ngx_pid=$!
server_pids+=("$ngx_pid")
for _ in $(seq 1 100); do
  curl -s -o /dev/null "http://127.0.0.1:$ngx_port/" && break
  kill -0 "$ngx_pid" 2>/dev/null || { cat "$work/nginx/error.log" >&2; echo "bench-serve: nginx exited" >&2; exit 1; }
  sleep 0.1
done
ngx_check=$(python3 Scripts/bench/serve/fetch_all.py "$ngx_port" "$work/paths.txt" / ".mvt" "$work/tiles")
mapfile -t ngx_workers < <(pgrep -P "$ngx_pid" || true)
bench nginx / ".mvt" "$ngx_port" "$ngx_pid" "${ngx_workers[@]}"
stop "$ngx_pid"

# --- report ----------------------------------------------------------------------------------
field() { echo "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"; }
echo
echo "Tile serving: z0-$maxzoom pyramid as of $as_of (sample alerts + $incidents incidents), $tile_count tiles" \
  "($tile_bytes bytes, exported in $((export_s / 1000)).$(printf '%03d' $((export_s % 1000))) s), this machine ($(nproc) cores, shared by wrk and the server)"
echo "wrk -t$threads -c$connections -d${seconds}s, each tile of the list in turn, no Accept-Encoding (identity bytes)"
echo "threatmap warm-up, every tile once on one connection: $(field "$warm" seconds) s" \
  "(first tile, which builds the map as of $as_of: $(field "$warm" first_s) s; statuses $(field "$warm" statuses);" \
  "bytes equal to the export: $(field "$warm" equal)/$tile_count); again from its cache: $(field "$second" seconds) s"
echo "nginx check, every tile once: statuses $(field "$ngx_check" statuses); bytes equal to the export: $(field "$ngx_check" equal)/$tile_count"
[ -z "$posted" ] || echo "+writes: $writes alerts POSTed 4 at a time during its run: $(field "$posted" posted) posted in $(field "$posted" seconds) s," \
  "statuses $(field "$posted" statuses), slowest write $(field "$posted" slowest_s) s"
echo
printf '%-10s %11s %7s %8s %8s %8s %7s %9s %9s %9s %7s\n' "server" "requests/s" "MB/s" "p50 ms" "p99 ms" "max ms" "errors" "srv CPU%" "wrk CPU%" "oth CPU%" "RSS MB"
for r in "${rows[@]}"; do echo "$r"; done
tm_rps=$(echo "${rows[0]}" | awk '{print $2}')
ngx_rps=$(echo "${rows[${#rows[@]} - 1]}" | awk '{print $2}')
echo
echo "threatmap / nginx requests/s: $(python3 -c "print(f'{$tm_rps / $ngx_rps:.2f}')")" \
  "(CPU% is of one core, of $(nproc); oth = everything else on the machine meanwhile; threatmap logged $tm_log_lines lines at LOG_LEVEL=${LOG_LEVEL:-info}, $tm_5xx with a 5xx status)"
