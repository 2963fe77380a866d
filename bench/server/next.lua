-- wrk script: GET /api/v1/tasks/next as one annotator per wrk thread.
--
--   wrk -t T -c C -d 10s -s next.lua http://127.0.0.1:PORT -- TOKENS_FILE OUT_PREFIX PROJECT_ID
--
-- TOKENS_FILE holds one bearer token per line; thread i (1-based) uses line i, so every
-- connection of a thread leases for the same user and the responses of a thread all belong to
-- that user. Each leased assignment id is appended to OUT_PREFIX.<i>, for answer.lua. done()
-- prints one JSON line: {"script":"next","requests","duration_s","rate","p50_ms","p99_ms",
-- "leased","empty","errors"}.

local threads = {}
local counter = 0

local function read_lines(path)
  local lines = {}
  for line in io.lines(path) do
    if #line > 0 then lines[#lines + 1] = line end
  end
  return lines
end

function setup(thread)
  counter = counter + 1
  thread:set("index", counter)
  threads[#threads + 1] = thread
end

function init(args)
  local tokens = read_lines(args[1])
  token = tokens[index]
  if token == nil then error("next.lua: no token for thread " .. index .. " in " .. args[1]) end
  out = io.open(args[2] .. "." .. index, "w")
  leased, empty = 0, 0
  req = wrk.format("GET", "/api/v1/tasks/next?project_id=" .. args[3],
                   {["Authorization"] = "Bearer " .. token})
end

function request()
  return req
end

function response(status, headers, body)
  if status == 200 then
    local id = body:match('"assignment":{[^}]*"id":(%d+)')
    if id then
      out:write(id, "\n")
      leased = leased + 1
    end
  elseif status == 204 then
    empty = empty + 1
  end
end

function done(summary, latency, requests)
  local leased_total, empty_total = 0, 0
  for _, t in ipairs(threads) do
    leased_total = leased_total + (t:get("leased") or 0)
    empty_total = empty_total + (t:get("empty") or 0)
  end
  local e = summary.errors
  local seconds = summary.duration / 1e6
  io.write(string.format(
    '{"script":"next","requests":%d,"duration_s":%.3f,"rate":%.1f,"p50_ms":%.3f,' ..
    '"p99_ms":%.3f,"leased":%d,"empty":%d,"errors":%d}\n',
    summary.requests, seconds, summary.requests / seconds, latency:percentile(50) / 1000,
    latency:percentile(99) / 1000, leased_total, empty_total,
    e.connect + e.read + e.write + e.status + e.timeout))
end
