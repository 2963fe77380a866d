-- wrk script: POST /api/v1/assignments/{id}/answer for the assignments next.lua leased.
--
--   wrk -t T -c C -d 10s -s answer.lua http://127.0.0.1:PORT -- TOKENS_FILE IDS_PREFIX VALUE
--
-- Thread i answers the ids in IDS_PREFIX.<i> (leased by the user of line i of TOKENS_FILE) with
-- the single-choice value VALUE and a unique Idempotency-Key. wrk always divides by the full -d
-- duration, so run it shorter than the ids last: a thread that runs out stops, and done()
-- reports it as "exhausted" (the rate is then an underestimate). done() prints one JSON line
-- like next.lua's with "answered" (200s) and "rejected" (other statuses).

local threads = {}
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("index", counter)
  threads[#threads + 1] = thread
end

function init(args)
  local tokens = {}
  for line in io.lines(args[1]) do
    if #line > 0 then tokens[#tokens + 1] = line end
  end
  local token = tokens[index]
  local body = '{"value":"' .. args[3] .. '","duration_ms":1200}'
  requests_ = {}
  for id in io.lines(args[2] .. "." .. index) do
    requests_[#requests_ + 1] = wrk.format("POST", "/api/v1/assignments/" .. id .. "/answer", {
      ["Authorization"] = "Bearer " .. token,
      ["Content-Type"] = "application/json",
      ["Idempotency-Key"] = "bench-" .. index .. "-" .. id,
    }, body)
  end
  health = wrk.format("GET", "/healthz")
  next_ = 1
  answered, rejected, exhausted = 0, 0, 0
end

function request()
  local r = requests_[next_]
  if r == nil then
    exhausted = 1
    wrk.thread:stop()
    return health
  end
  next_ = next_ + 1
  return r
end

function response(status, headers, body)
  if status == 200 then
    if body:find('"answer_id"', 1, true) then answered = answered + 1 end
  else
    rejected = rejected + 1
  end
end

function done(summary, latency, requests)
  local answered_total, rejected_total, exhausted_total = 0, 0, 0
  for _, t in ipairs(threads) do
    answered_total = answered_total + (t:get("answered") or 0)
    rejected_total = rejected_total + (t:get("rejected") or 0)
    exhausted_total = exhausted_total + (t:get("exhausted") or 0)
  end
  local e = summary.errors
  local seconds = summary.duration / 1e6
  io.write(string.format(
    '{"script":"answer","requests":%d,"duration_s":%.3f,"rate":%.1f,"p50_ms":%.3f,' ..
    '"p99_ms":%.3f,"answered":%d,"rejected":%d,"exhausted":%d,"errors":%d}\n',
    summary.requests, seconds, answered_total / seconds, latency:percentile(50) / 1000,
    latency:percentile(99) / 1000, answered_total, rejected_total, exhausted_total,
    e.connect + e.read + e.write + e.status + e.timeout))
end
