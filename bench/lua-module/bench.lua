--[[
The Lua reference module of the benchmark: bench/go-module's echo,
create_guild and storage_rw as a Lua module, registered as lua_echo,
lua_create_guild and lua_storage_rw so that it runs in one Nakama beside
the Go and Rust modules (bench/bridge.sh, OTHERS="lua"); and
lua_tick_matches, which creates the match of bench/matches.sh
(lua_tick.lua).
]]
local nk = require("nakama")

local function echo(context, payload)
  return payload
end

local function create_guild(context, payload)
  local ok, req = pcall(nk.json_decode, payload)
  if not ok or type(req) ~= "table" or type(req.name) ~= "string" or req.name == "" then
    error({ "input contained invalid data", 3 })
  end
  if req.name == "taken" then
    error({ "guild name is in use", 6 })
  end
  return nk.json_encode({ name = req.name })
end

local function storage_rw(context, payload)
  -- Called with the http key there is no user: the object is the system
  -- user's, as in the Go and Rust modules.
  local owner = context.user_id
  nk.storage_write({ { collection = "bench", key = "k", user_id = owner, value = nk.json_decode(payload) } })
  local objects = nk.storage_read({ { collection = "bench", key = "k", user_id = owner } })
  if #objects == 0 then
    error({ "read failed", 13 })
  end
  return nk.json_encode(objects[1].value)
end

-- Creates "count" lua_tick matches with the rest of the payload as their
-- params; answers their ids (a JSON list).
local function tick_matches(context, payload)
  local params = nk.json_decode(payload)
  local count = params.count or 0
  params.count = nil
  local ids = {}
  for i = 1, count do
    ids[i] = nk.match_create("lua_tick", params)
  end
  -- An empty Lua table encodes as {}, not as a list: answer [] as the
  -- other modules do.
  if count == 0 then
    return "[]"
  end
  return nk.json_encode(ids)
end

nk.register_rpc(echo, "lua_echo")
nk.register_rpc(create_guild, "lua_create_guild")
nk.register_rpc(storage_rw, "lua_storage_rw")
nk.register_rpc(tick_matches, "lua_tick_matches")
