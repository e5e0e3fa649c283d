-- wrk script for scripts/load: a mix of what visitors, API clients and signed-in members ask
-- for, each request from one of 10,000 client addresses (X-Forwarded-For, believed from the
-- loopback proxy), so the per-client limit is exercised as on a public site. Counts answers by
-- status class in every thread and prints one summary line.
local brands = tonumber(os.getenv("LOAD_BRANDS") or "1000")
local endpoints = tonumber(os.getenv("LOAD_ENDPOINTS") or "10")
local cookie = os.getenv("LOAD_COOKIE") or ""
local org = os.getenv("LOAD_ORG") or "1"
local etag = os.getenv("LOAD_ETAG") or ""
local only = os.getenv("LOAD_ONLY")
local words = {"valley", "summit", "river", "lake", "pine", "cedar", "harbor", "prairie", "mercy", "memorial",
  "health", "clinic", "hospital", "regional", "community", "valey", "sumit", "northern"}
local states = {"TX", "CA", "NY", "WI", "FL", "OH", "PA", "WA"}
local threads = {}
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("id", counter)
  table.insert(threads, thread)
end

function init(args)
  math.randomseed(os.time() + id * 7919)
  s2, s3, s4, s5 = 0, 0, 0, 0
end

local function pick(t) return t[math.random(#t)] end

local function path()
  if only then return only, nil end
  local r = math.random(1000)
  if r <= 300 then
    local q = "/?q=" .. pick(words)
    local f = math.random(4)
    if f == 1 then q = q .. "&category=prov&state=" .. pick(states)
    elseif f == 2 then q = q .. "&status=up"
    elseif f == 3 then q = q .. "&page=2" end
    return q, nil
  elseif r <= 450 then return "/brands/" .. math.random(brands), nil
  elseif r <= 550 then return "/endpoints/" .. math.random(endpoints), nil
  elseif r <= 645 then return "/brands.json", {["If-None-Match"] = etag}
  elseif r <= 650 then return "/api/v1/brands?q=" .. pick(words) .. "&per_page=100", nil
  elseif r <= 750 then return "/api/v1/brands?q=" .. pick(words) .. "&state=" .. pick(states), nil
  elseif r <= 800 then return "/api/v1/brands/" .. math.random(brands), nil
  elseif r <= 830 then return "/api/v1/endpoints/" .. math.random(endpoints), nil
  elseif r <= 860 then return "/turnaround", nil
  elseif r <= 930 then return "/dashboard", {["Cookie"] = cookie}
  else return "/orgs/" .. org .. "/queue", {["Cookie"] = cookie} end
end

function request()
  local p, h = path()
  h = h or {}
  h["X-Forwarded-For"] = "10." .. math.random(0, 39) .. "." .. math.random(0, 15) .. "." .. math.random(1, 16)
  return wrk.format("GET", p, h)
end

function response(status, headers, body)
  if status >= 500 then s5 = s5 + 1
  elseif status >= 400 then s4 = s4 + 1
  elseif status >= 300 then s3 = s3 + 1
  else s2 = s2 + 1 end
end

function done(summary, latency, requests)
  local c = {0, 0, 0, 0}
  for _, t in ipairs(threads) do
    c[1] = c[1] + t:get("s2"); c[2] = c[2] + t:get("s3"); c[3] = c[3] + t:get("s4"); c[4] = c[4] + t:get("s5")
  end
  local e = summary.errors
  io.write(string.format(
    "requests=%d rps=%.0f p50_ms=%.1f p99_ms=%.1f max_ms=%.1f 2xx=%d 3xx=%d 4xx=%d 5xx=%d errors=%d (connect %d, read %d, write %d, timeout %d)\n",
    summary.requests, summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000, c[1], c[2], c[3], c[4],
    e.connect + e.read + e.write + e.timeout, e.connect, e.read, e.write, e.timeout))
end
