-- wrk script: POST one request body to one route, as bench/http.sh runs it for /predict and for KServe's infer.
--
--   HTTP_BENCH_BODY=predict.json HTTP_BENCH_PATH=/predict \
--     wrk -t2 -c32 -d10s --latency -s bench/http_post.lua http://127.0.0.1:10020
--
-- The body is read from the file named by $HTTP_BENCH_BODY (or the first argument after the URL), written by
-- `bench/http_bench.py bodies`: one instance ({"instances":[{"image": [[[...]]]}]}) or a KServe batch of one
-- ({"inputs":[{"name":"image","shape":[1,3,8,8],...}]}), so each request is one stream entry. The route is
-- $HTTP_BENCH_PATH (or the second argument), default /predict. Every request is the same (wrk's static request:
-- no Lua runs per request, so the client costs as little as it can on the cores it shares with the server).
--
-- At the end, besides wrk's own report, one line for bench/http.sh to parse (exact figures, latencies in us):
--   WRK_JSON {"requests":..,"duration_us":..,"status":<non-2xx/3xx>,"connect":..,"read":..,"write":..,
--             "timeout":..,"p50_us":..,"p90_us":..,"p99_us":..,"max_us":..,"mean_us":..}

local function argument(args, index)
  -- wrk passes the words after the URL; a "--" separator, if given, is skipped.
  local words = {}
  for i = 1, #args do
    if args[i] ~= "--" then words[#words + 1] = args[i] end
  end
  return words[index]
end

function init(args)
  local path = os.getenv("HTTP_BENCH_BODY") or argument(args, 1)
  if not path then error("set HTTP_BENCH_BODY to the request body's file (bench/http_bench.py bodies writes it)") end
  local file = io.open(path, "rb")
  if not file then error("cannot read the request body " .. path) end
  wrk.body = file:read("*a")
  file:close()
  wrk.method = "POST"
  wrk.path = os.getenv("HTTP_BENCH_PATH") or argument(args, 2) or "/predict"
  wrk.headers["Content-Type"] = "application/json"
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests":%d,"duration_us":%d,"bytes":%d,"status":%d,"connect":%d,"read":%d,"write":%d,' ..
    '"timeout":%d,"p50_us":%d,"p90_us":%d,"p99_us":%d,"max_us":%d,"mean_us":%.1f}\n',
    summary.requests, summary.duration, summary.bytes, e.status, e.connect, e.read, e.write, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean))
end
