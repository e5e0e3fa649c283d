-- wrk script for scripts/load's page comparison: one path, each request from one of 10,000
-- client addresses (X-Forwarded-For, so the per-client limit is not what is measured), the
-- requests built once. No response callback: handing every body to Lua costs the client more
-- than nginx spends serving it, so the same script is used against nginx and Signpost.
local path = os.getenv("LOAD_PATH") or "/"
local requests = {}
local n = 0

function init(args)
  for a = 0, 9999 do
    local xff = string.format("10.%d.%d.%d", math.floor(a / 4096), math.floor(a / 16) % 256, a % 16 + 1)
    requests[#requests + 1] = wrk.format("GET", path, {["X-Forwarded-For"] = xff})
  end
end

function request()
  n = n % #requests + 1
  return requests[n]
end
