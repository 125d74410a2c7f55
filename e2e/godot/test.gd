# Calls examples/guild's and examples/arena's RPCs through the generated
# GDScript clients (examples/*/client/*.gd) over Nakama's REST API, round-trips
# arena messages through encode/decode, and plays them in an arena match over
# the realtime socket (Godot's WebSocketPeer, sending the JSON envelopes
# nakama-godot's socket sends). Run by e2e/godot.test.mjs:
#   godot --headless --script test.gd -- PORT
# in a folder holding test.gd, guild.gd and arena.gd (res:// is the folder).
# Prints "ok" and quits with 0 when every check passes; prints the first that
# fails and quits with 1 otherwise.
extends SceneTree

const GuildApi = preload("res://guild.gd")
const ArenaApi = preload("res://arena.gd")

var port := ""
var token := ""
var failed := false


func _initialize() -> void:
	var args := OS.get_cmdline_user_args()
	port = args[0]
	# A watchdog: a call that never answers fails the run instead of hanging it.
	create_timer(60.0).timeout.connect(func(): fail("the checks took over 60 s"))
	await run()
	if not failed:
		print("ok")
		quit(0)


func fail(what: String) -> void:
	if not failed:
		failed = true
		print("FAILED: " + what)
		quit(1)


func check(ok: bool, what: String) -> bool:
	if not ok:
		fail("check failed: " + what)
	return ok


## A blocking HTTP request to the host: [status, body].
func http(method: int, path: String, headers: PackedStringArray, body: String) -> Array:
	var client := HTTPClient.new()
	client.connect_to_host("127.0.0.1", int(port))
	while client.get_status() in [HTTPClient.STATUS_CONNECTING, HTTPClient.STATUS_RESOLVING]:
		client.poll()
		OS.delay_msec(1)
	if client.get_status() != HTTPClient.STATUS_CONNECTED:
		return [0, "not connected: %d" % client.get_status()]
	client.request(method, path, headers, body)
	while client.get_status() == HTTPClient.STATUS_REQUESTING:
		client.poll()
		OS.delay_msec(1)
	var answer := PackedByteArray()
	while client.get_status() == HTTPClient.STATUS_BODY:
		client.poll()
		answer.append_array(client.read_response_body_chunk())
		OS.delay_msec(1)
	var status := client.get_response_code()
	client.close()
	return [status, answer.get_string_from_utf8()]


func run() -> void:
	# A device session, as nakama-godot's authenticate_device_async makes one.
	var device := "godot-e2e-%d-%d" % [Time.get_ticks_usec(), randi()]
	var basic := "Basic " + Marshalls.utf8_to_base64("defaultkey:")
	var auth := http(HTTPClient.METHOD_POST, "/v2/account/authenticate/device?create=true",
		["Authorization: " + basic, "Content-Type: application/json"], JSON.stringify({"id": device}))
	if not check(auth[0] == 200, "authenticate: %s" % [auth]):
		return
	token = JSON.parse_string(auth[1])["token"]
	var account := http(HTTPClient.METHOD_GET, "/v2/account", ["Authorization: Bearer " + token], "")
	var user_id: String = JSON.parse_string(account[1])["user"]["id"]

	# What nakama-godot's rpc_async(session, id, payload) sends: the payload as
	# a JSON string; its result's payload is the RPC's answer. A refusal comes
	# back as the gateway's code and message. The call waits a frame first, as
	# a real client's does, so the generated functions are awaited for real.
	var rpc_call := func(id: String, payload: String) -> Variant:
		await process_frame
		var r := http(HTTPClient.METHOD_POST, "/v2/rpc/" + id,
			["Authorization: Bearer " + token, "Content-Type: application/json"], JSON.stringify(payload))
		var body = JSON.parse_string(r[1])
		if r[0] != 200:
			return {"code": int(body["code"]), "message": body["message"]}
		return body["payload"]

	var name := "gd" + device.right(10).replace("-", "")
	var create_guild = GuildApi.CreateGuild.new()
	create_guild.name = name
	var created = await GuildApi.create_guild(rpc_call, create_guild)
	if not check(created.is_ok(), "create_guild succeeds: %d %s" % [created.code, created.message]):
		return
	if not check(created.value is GuildApi.Guild and created.value.name == name and created.value.owner == user_id,
			"create_guild answers the guild and its owner"):
		return
	var get_guild = GuildApi.GetGuild.new()
	get_guild.name = name
	var found = await GuildApi.get_guild(rpc_call, get_guild)
	if not check(found.is_ok() and found.value.name == name and found.value.owner == user_id, "get_guild finds it"):
		return

	var contribute = GuildApi.Contribute.new()
	contribute.points = 7
	var contribution = await GuildApi.contribute(rpc_call, contribute)
	if not check(contribution.value.total == 7 and contribution.value.rank >= 1 and typeof(contribution.value.total) == TYPE_INT,
			"contribute answers the total (an int) and a rank"):
		return
	contribute.points = 5
	contribution = await GuildApi.contribute(rpc_call, contribute)
	if not check(contribution.value.total == 12, "contribute adds up"):
		return

	# An absent cursor is left out, not sent as null.
	if not check(JSON.stringify(GuildApi.MyGuilds.new().to_json_value()) == "{}", "an optional field is omitted"):
		return
	# Nakama indexes a write as it commits; wait for it all the same.
	var page = null
	for i in 100:
		page = await GuildApi.my_guilds(rpc_call, GuildApi.MyGuilds.new())
		if page.is_ok() and page.value.guilds.size() > 0:
			break
		OS.delay_msec(50)
	if not check(page.value.guilds.size() == 1 and page.value.guilds[0].name == name and page.value.cursor == "",
			"my_guilds lists the guild"):
		return
	if not check(page.value.guilds.get_typed_script() == GuildApi.Guild and page.value.guilds[0] is GuildApi.Guild,
			"my_guilds' guilds are a typed Array of Guild"):
		return

	# api::Account derives no JsonSchema: the JSON value Godot parsed.
	var owner = await GuildApi.guild_owner(rpc_call, get_guild)
	if not check(owner.is_ok() and owner.value is Dictionary and owner.value["user"]["id"] == user_id,
			"guild_owner answers the account as parsed JSON"):
		return

	# The module's typed errors: ALREADY_EXISTS is code 6, NOT_FOUND 5.
	var again = await GuildApi.create_guild(rpc_call, create_guild)
	if not check(not again.is_ok() and again.code == 6 and again.message == "guild name is in use" and again.value == null,
			"ALREADY_EXISTS: %d %s" % [again.code, again.message]):
		return
	var unknown = GuildApi.GetGuild.new()
	unknown.name = name + "x"
	var missing = await GuildApi.get_guild(rpc_call, unknown)
	if not check(missing.code == 5, "NOT_FOUND: %d %s" % [missing.code, missing.message]):
		return
	# nakama-godot's rpc_async answers an ApiRpc (payload, or an exception
	# with grpc_status_code and message); these stand-ins have its shape.
	var as_nakama_godot := func(id: String, payload: String) -> Variant:
		var answer = await rpc_call.call(id, payload)
		return ApiRpcLike.new(answer)
	var through = await GuildApi.get_guild(as_nakama_godot, get_guild)
	if not check(through.is_ok() and through.value.owner == user_id, "a nakama-godot result's payload is decoded"):
		return
	through = await GuildApi.get_guild(as_nakama_godot, unknown)
	if not check(through.code == 5 and through.message != "", "a nakama-godot exception's code and message are kept"):
		return

	var create_arena = ArenaApi.CreateArena.new()
	create_arena.max_players = 2
	var arena = await ArenaApi.arena_create(rpc_call, create_arena)
	if not check(arena.is_ok() and arena.value.match_id != "", "arena_create answers a match id"):
		return

	# The bytes the TypeScript encoder makes for the same message.
	var pos = ArenaApi.Position.new()
	pos.x = 5
	pos.y = 6
	var move = ArenaApi.FromClient.move(pos)
	if not check(move.op_code == 1 and move.encode().get_string_from_utf8() == "{\"x\":5,\"y\":6}",
			"move encodes as encodeFromClient does: %s" % move.encode().get_string_from_utf8()):
		return
	var back = ArenaApi.FromClient.decode(move.op_code, move.encode())
	if not check(back.op_code == ArenaApi.FromClient.MOVE and back.data.x == 5 and back.data.y == 6, "move decodes"):
		return
	var compact = ArenaApi.FromClient.move_compact(PackedByteArray([8, 5, 16, 6]))
	if not check(compact.op_code == 4 and compact.encode() == PackedByteArray([8, 5, 16, 6]),
			"move_compact's protobuf bytes cross as they are"):
		return
	if not check(ArenaApi.FromClient.decode(4, compact.encode()).data == compact.encode(), "move_compact decodes to its bytes"):
		return
	var positions = ArenaApi.FromArena.decode(2, "{\"tick\":3,\"players\":{\"typed\":{\"x\":5,\"y\":6}}}".to_utf8_buffer())
	if not check(positions.op_code == ArenaApi.FromArena.POSITIONS and positions.data.tick == 3
			and positions.data.players["typed"].x == 5, "positions decode, players as a map"):
		return
	if not check(positions.encode().get_string_from_utf8() == "{\"players\":{\"typed\":{\"x\":5,\"y\":6}},\"tick\":3}",
			"positions encode back: %s" % positions.encode().get_string_from_utf8()):
		return
	var refused = ArenaApi.FromArena.decode(9, "{\"error\":\"unknown op code 5\"}".to_utf8_buffer())
	if not check(refused.data.error == "unknown op code 5", "refused decodes its inline class"):
		return
	if not check(ArenaApi.FromArena.closing().encode().is_empty(), "closing carries no data"):
		return
	if not check(ArenaApi.FromArena.decode(3, PackedByteArray()).op_code == ArenaApi.FromArena.CLOSING, "closing decodes"):
		return
	if not check(ArenaApi.FromArena.decode(77, PackedByteArray()) == null, "an unknown op code decodes to null"):
		return

	await play_arena(arena.value.match_id)


## An RPC answer with nakama-godot's ApiRpc's shape.
class ApiRpcLike:
	var payload := ""
	var _exception = null

	func _init(answer: Variant) -> void:
		if answer is Dictionary:
			_exception = NakamaExceptionLike.new(answer["code"], answer["message"])
		else:
			payload = answer

	func is_exception() -> bool:
		return _exception != null

	func get_exception():
		return _exception


class NakamaExceptionLike:
	var grpc_status_code: int
	var message: String

	func _init(code: int, text: String) -> void:
		grpc_status_code = code
		message = text


## Joins the arena over the realtime socket, moves through FromClient's
## encode() and reads the arena's answers through FromArena.decode().
func play_arena(match_id: String) -> void:
	var socket := WebSocketPeer.new()
	socket.connect_to_url("ws://127.0.0.1:%s/ws?format=json&token=%s" % [port, token.uri_encode()])
	await send(socket, {"cid": "1", "match_join": {"match_id": match_id, "metadata": {"name": "gd"}}})
	var joined = await receive_until(socket, func(e): return e.get("cid") == "1")
	if not check(joined != null and joined.has("match") and joined["match"]["match_id"] == match_id, "the socket joins the arena"):
		return

	var pos = ArenaApi.Position.new()
	pos.x = 5
	pos.y = 6
	await send_message(socket, match_id, ArenaApi.FromClient.move(pos))
	# The join's own positions (everyone at 0,0) may come first, from a tick
	# between the join and the move: wait past it.
	var moved = await receive_until(socket, func(e):
		var m = decoded(e)
		return m != null and m.op_code == ArenaApi.FromArena.POSITIONS and m.data.players.has("gd") \
			and not (m.data.players["gd"].x == 0 and m.data.players["gd"].y == 0))
	if not check(moved != null, "the arena's positions hold the move"):
		return
	var mine = decoded(moved).data.players["gd"]
	if not check(mine.x == 5 and mine.y == 6, "the move is at 5,6: %d,%d" % [mine.x, mine.y]):
		return

	# The compact move: protobuf bytes { x: 3, y: -4 } as they are.
	await send_message(socket, match_id, ArenaApi.FromClient.move_compact(PackedByteArray([0x08, 0x06, 0x10, 0x07])))
	var compact = await receive_until(socket, func(e):
		var m = decoded(e)
		return m != null and m.op_code == ArenaApi.FromArena.POSITIONS and m.data.players["gd"].x == 3 \
			and m.data.players["gd"].y == -4)
	if not check(compact != null, "the compact move arrives"):
		return

	# A message the arena does not take comes back as refused.
	await send(socket, {"match_data_send": {"match_id": match_id, "op_code": "5", "data": Marshalls.utf8_to_base64("jump")}})
	var refused = await receive_until(socket, func(e):
		var m = decoded(e)
		return m != null and m.op_code == ArenaApi.FromArena.REFUSED)
	if not check(refused != null and decoded(refused).data.error != "", "an unknown op code is refused"):
		return
	socket.close()


func send(socket: WebSocketPeer, envelope: Dictionary) -> void:
	while socket.get_ready_state() == WebSocketPeer.STATE_CONNECTING:
		socket.poll()
		await process_frame
	socket.send_text(JSON.stringify(envelope))


## What nakama-godot's send_match_state_raw_async sends.
func send_message(socket: WebSocketPeer, match_id: String, message) -> void:
	await send(socket, {"match_data_send": {"match_id": match_id, "op_code": str(message.op_code),
		"data": Marshalls.raw_to_base64(message.encode())}})


## The arena message an envelope carries (what nakama-godot's MatchData
## gives: its op code and binary_data), if it carries one.
func decoded(envelope: Dictionary) -> ArenaApi.FromArena:
	if not envelope.has("match_data"):
		return null
	var data: Dictionary = envelope["match_data"]
	var bytes := Marshalls.base64_to_raw(data.get("data", ""))
	return ArenaApi.FromArena.decode(int(data["op_code"]), bytes)


## Reads envelopes until one matches; null when the socket closes or none
## has come for 20 s (an error envelope without a cid fails at once).
func receive_until(socket: WebSocketPeer, wanted: Callable):
	var deadline := Time.get_ticks_msec() + 20000
	while Time.get_ticks_msec() < deadline:
		socket.poll()
		var state := socket.get_ready_state()
		if state == WebSocketPeer.STATE_CLOSED:
			fail("the socket closed: %d %s" % [socket.get_close_code(), socket.get_close_reason()])
			return null
		while socket.get_available_packet_count() > 0:
			var envelope = JSON.parse_string(socket.get_packet().get_string_from_utf8())
			if wanted.call(envelope):
				return envelope
			if envelope.has("error") and not envelope.has("cid"):
				fail("an error from the socket: %s" % [envelope["error"]])
				return null
		await process_frame
	return null
