-- Request script for wrk: wrk -s bench/load.lua URL -- MODE TOKEN [PATH] [PREFIX]
--   get     GET PATH on every request
--   create  POST /v2/datasets with a new name on every request
--   pair    create a dataset, then delete it once its creation was acknowledged
-- done() prints one line "RESULT {json}" that bench/run.py reads.

local mode, token, path, prefix, post_headers
local counter = 0
local acknowledged = {}

function init(args)
  mode = args[1]
  token = args[2]
  path = args[3] or "/"
  prefix = args[4] or "d"
  wrk.headers["X-Token"] = token
  -- wrk.format() takes the headers it is given instead of wrk.headers, not on top of them.
  post_headers = { ["X-Token"] = token, ["Content-Type"] = "application/json" }
  if mode ~= "pair" then
    -- Without a response() hook wrk skips collecting bodies.
    response = nil
  end
end

local function create()
  counter = counter + 1
  local body = string.format('{"name":"%s-%d","alias":"bench"}', prefix, counter)
  return wrk.format("POST", "/v2/datasets", post_headers, body)
end

function request()
  if mode == "get" then
    return wrk.format("GET", path)
  elseif mode == "create" then
    return create()
  end
  local target = table.remove(acknowledged)
  if target then
    return wrk.format("DELETE", target)
  end
  return create()
end

function response(status, headers, body)
  if status == 200 then
    local workspace = body:match('"workspace":"([^"]+)"')
    local name = body:match('"name":"([^"]+)"')
    if workspace and name then
      table.insert(acknowledged, "/v2/datasets/" .. workspace .. "/" .. name)
    end
  end
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'RESULT {"requests":%d,"duration_us":%d,"p50_us":%d,"p99_us":%d,"max_us":%d,'
      .. '"status_errors":%d,"socket_errors":%d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    latency.max, e.status, e.connect + e.read + e.write + e.timeout))
end
