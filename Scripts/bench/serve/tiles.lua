-- wrk script for Scripts/bench-serve.sh: GET tiles from a list, the same order for every server.
-- Arguments (after wrk's `--`): LIST PREFIX SUFFIX THREADS. LIST has one tile path z/x/y a line,
-- already in a fixed pseudo-random order; each request is PREFIX .. z/x/y .. SUFFIX. Every thread
-- walks the whole list round-robin, thread k starting k/THREADS of the way in. No Accept-Encoding
-- header: both servers send the stored (identity) bytes. `done` prints one RESULT line to parse.

local counter = 0
function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
end

local requests, n, i

function init(args)
  local list, prefix, suffix, threads = args[1], args[2] or "/", args[3] or "", tonumber(args[4] or "1")
  requests = {}
  for line in io.lines(list) do
    if line ~= "" then requests[#requests + 1] = wrk.format("GET", prefix .. line .. suffix) end
  end
  n = #requests
  assert(n > 0, "no tile paths in " .. list)
  i = math.floor((id or 0) * n / threads) % n + 1
end

function request()
  local r = requests[i]
  i = i + 1
  if i > n then i = 1 end
  return r
end

function done(summary, latency, _)
  local e = summary.errors
  io.write(string.format(
    "RESULT requests=%d duration_us=%d bytes=%d p50_us=%d p99_us=%d max_us=%d connect=%d read=%d write=%d status=%d timeout=%d\n",
    summary.requests, summary.duration, summary.bytes, latency:percentile(50), latency:percentile(99), latency.max,
    e.connect, e.read, e.write, e.status, e.timeout))
end
