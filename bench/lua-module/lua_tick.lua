--[[
The match of bench/matches.sh for Nakama's Lua runtime (a Lua match
handler is a module of its own, named by its file): as bench/go-module's
go_tick, each message goes back to its sender, and the match stops after
its "ticks" ticks (params "tick_rate", default 10, and "ticks", default
100). bench.lua's lua_tick_matches creates them.
]]
local M = {}

function M.match_init(context, params)
  return { ticks_left = params.ticks or 100 }, params.tick_rate or 10, ""
end

function M.match_join_attempt(context, dispatcher, tick, state, presence, metadata)
  return state, true
end

function M.match_join(context, dispatcher, tick, state, presences)
  return state
end

function M.match_leave(context, dispatcher, tick, state, presences)
  return state
end

function M.match_loop(context, dispatcher, tick, state, messages)
  for _, m in ipairs(messages) do
    dispatcher.broadcast_message(m.op_code, m.data, { m.sender }, nil, true)
  end
  state.ticks_left = state.ticks_left - 1
  if state.ticks_left <= 0 then
    return nil
  end
  return state
end

function M.match_terminate(context, dispatcher, tick, state, grace_seconds)
  return state
end

function M.match_signal(context, dispatcher, tick, state, data)
  return state, ""
end

return M
