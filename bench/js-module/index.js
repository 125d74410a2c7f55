// The JavaScript reference module of the benchmark: bench/go-module's echo,
// create_guild and storage_rw for Nakama's JavaScript runtime (what a
// TypeScript module compiles to), registered as js_echo, js_create_guild
// and js_storage_rw so that it runs in one Nakama beside the Go and Rust
// modules (bench/bridge.sh, OTHERS="js"). Nakama finds RPC functions by
// their top-level names, hence the plain function declarations.

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

function InitModule(ctx, logger, nk, initializer) {
  initializer.registerRpc("js_echo", jsEcho);
  initializer.registerRpc("js_create_guild", jsCreateGuild);
  initializer.registerRpc("js_storage_rw", jsStorageRw);
}
