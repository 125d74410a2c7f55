// The JavaScript reference module of the benchmark: bench/go-module's echo,
// create_guild and storage_rw for Nakama's JavaScript runtime (what a
// TypeScript module compiles to), registered as js_echo, js_create_guild
// and js_storage_rw so that it runs in one Nakama beside the Go and Rust
// modules (bench/bridge.sh, OTHERS="js"); and js_tick, the match of
// bench/matches.sh, with js_tick_matches. Nakama finds RPC and match
// functions by their top-level names, hence the plain function
// declarations.

function jsEcho(ctx, logger, nk, payload) {
  return payload;
}

function jsCreateGuild(ctx, logger, nk, payload) {
  var req;
  try {
    req = JSON.parse(payload);
  } catch (e) {
    req = null;
  }
  if (!req || typeof req.name !== "string" || req.name === "") {
    throw { message: "input contained invalid data", code: 3 };
  }
  if (req.name === "taken") {
    throw { message: "guild name is in use", code: 6 };
  }
  return JSON.stringify({ name: req.name });
}

function jsStorageRw(ctx, logger, nk, payload) {
  // Called with the http key there is no user: the object is the system
  // user's, as in the Go and Rust modules.
  var object = { collection: "bench", key: "k", value: JSON.parse(payload) };
  var read = { collection: "bench", key: "k" };
  if (ctx.userId) {
    object.userId = ctx.userId;
    read.userId = ctx.userId;
  }
  nk.storageWrite([object]);
  var objects = nk.storageRead([read]);
  if (objects.length === 0) {
    throw { message: "read failed", code: 13 };
  }
  return JSON.stringify(objects[0].value);
}

// js_tick, as bench/go-module's go_tick: each message goes back to its
// sender, and the match stops after its "ticks" ticks (params
// "tick_rate", default 10, and "ticks", default 100).
function jsTickInit(ctx, logger, nk, params) {
  return { state: { ticksLeft: params.ticks || 100 }, tickRate: params.tick_rate || 10, label: "" };
}

function jsTickJoinAttempt(ctx, logger, nk, dispatcher, tick, state, presence, metadata) {
  return { state: state, accept: true };
}

function jsTickJoin(ctx, logger, nk, dispatcher, tick, state, presences) {
  return { state: state };
}

function jsTickLeave(ctx, logger, nk, dispatcher, tick, state, presences) {
  return { state: state };
}

function jsTickLoop(ctx, logger, nk, dispatcher, tick, state, messages) {
  for (var i = 0; i < messages.length; i++) {
    var m = messages[i];
    dispatcher.broadcastMessage(m.opCode, m.data, [m.sender], null, true);
  }
  state.ticksLeft--;
  if (state.ticksLeft <= 0) {
    return null;
  }
  return { state: state };
}

function jsTickTerminate(ctx, logger, nk, dispatcher, tick, state, graceSeconds) {
  return { state: state };
}

function jsTickSignal(ctx, logger, nk, dispatcher, tick, state, data) {
  return { state: state, data: "" };
}

// Creates "count" js_tick matches with the rest of the payload as their
// params; answers how many.
function jsTickMatches(ctx, logger, nk, payload) {
  var params = JSON.parse(payload);
  var count = params.count || 0;
  delete params.count;
  var ids = [];
  for (var i = 0; i < count; i++) {
    ids.push(nk.matchCreate("js_tick", params));
  }
  return JSON.stringify(ids);
}

function InitModule(ctx, logger, nk, initializer) {
  initializer.registerRpc("js_echo", jsEcho);
  initializer.registerRpc("js_create_guild", jsCreateGuild);
  initializer.registerRpc("js_storage_rw", jsStorageRw);
  initializer.registerMatch("js_tick", {
    matchInit: jsTickInit,
    matchJoinAttempt: jsTickJoinAttempt,
    matchJoin: jsTickJoin,
    matchLeave: jsTickLeave,
    matchLoop: jsTickLoop,
    matchTerminate: jsTickTerminate,
    matchSignal: jsTickSignal,
  });
  initializer.registerRpc("js_tick_matches", jsTickMatches);
}
