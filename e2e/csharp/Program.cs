// Calls examples/guild's and examples/arena's RPCs through the generated C#
// clients (examples/*/client/*.cs) over Nakama's REST API, round-trips
// arena messages through Encode/Decode, and plays them in an arena match
// over the realtime socket. Run by e2e/csharp.test.mjs:
//   mono program.exe PORT
// Exits 0 when every check passes; prints the first that fails otherwise.
using System;
using System.Collections.Generic;
using System.Linq;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Net.WebSockets;
using System.Runtime.Serialization;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using ArenaClient;
using GuildClient;

namespace CsharpE2e
{
    /// <summary>An RPC refused: the HTTP status and the gateway's code and message.</summary>
    public class RpcException : Exception
    {
        public RpcException(int status, long code, string message) : base(message)
        {
            Status = status;
            Code = code;
        }

        public int Status { get; }
        public long Code { get; }
    }

    [DataContract]
    class Session
    {
        [DataMember(Name = "token")]
        public string Token { get; set; }
    }

    [DataContract]
    class Account
    {
        [DataMember(Name = "user")]
        public User User { get; set; }
    }

    [DataContract]
    class User
    {
        [DataMember(Name = "id")]
        public string Id { get; set; }
    }

    [DataContract]
    class RpcAnswer
    {
        [DataMember(Name = "payload")]
        public string Payload { get; set; }
    }

    [DataContract]
    class Refusal
    {
        [DataMember(Name = "code")]
        public long Code { get; set; }

        [DataMember(Name = "message")]
        public string Message { get; set; }
    }

    /// <summary>One realtime message, with the parts this program reads.</summary>
    [DataContract]
    class Envelope
    {
        [DataMember(Name = "cid")]
        public string Cid { get; set; }

        [DataMember(Name = "match")]
        public JoinedMatch Match { get; set; }

        [DataMember(Name = "match_data")]
        public MatchData MatchData { get; set; }

        [DataMember(Name = "error")]
        public Refusal Error { get; set; }
    }

    [DataContract]
    class JoinedMatch
    {
        [DataMember(Name = "match_id")]
        public string MatchId { get; set; }
    }

    /// <summary>Match data as the socket's JSON carries it: an int64 op code as a string, bytes in base64.</summary>
    [DataContract]
    class MatchData
    {
        [DataMember(Name = "op_code")]
        public string OpCode { get; set; }

        [DataMember(Name = "data")]
        public string Data { get; set; }
    }

    static class Program
    {
        static HttpClient http;
        static string port;

        static int Main(string[] args)
        {
            port = args[0];
            http = new HttpClient { BaseAddress = new Uri("http://127.0.0.1:" + port + "/") };
            try
            {
                Run().GetAwaiter().GetResult();
                Console.WriteLine("ok");
                return 0;
            }
            catch (Exception e)
            {
                Console.WriteLine("FAILED: " + e);
                return 1;
            }
        }

        static void Check(bool ok, string what)
        {
            if (!ok)
            {
                throw new Exception("check failed: " + what);
            }
        }

        static async Task<string> Send(HttpRequestMessage request)
        {
            var response = await http.SendAsync(request);
            var body = await response.Content.ReadAsStringAsync();
            if (!response.IsSuccessStatusCode)
            {
                var refusal = GuildClient.ClientJson.Decode<Refusal>(body);
                throw new RpcException((int)response.StatusCode, refusal.Code, refusal.Message);
            }
            return body;
        }

        static async Task Run()
        {
            // A device session, as Nakama .NET's AuthenticateDeviceAsync makes one.
            var device = "csharp-e2e-" + Guid.NewGuid().ToString("N");
            var auth = new HttpRequestMessage(HttpMethod.Post, "v2/account/authenticate/device?create=true")
            {
                Content = new StringContent("{\"id\":\"" + device + "\"}", Encoding.UTF8, "application/json"),
            };
            auth.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("defaultkey:")));
            var token = GuildClient.ClientJson.Decode<Session>(await Send(auth)).Token;
            var me = new HttpRequestMessage(HttpMethod.Get, "v2/account");
            me.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            var userId = GuildClient.ClientJson.Decode<Account>(await Send(me)).User.Id;

            // What Nakama .NET's RpcAsync(session, id, payload) sends: the
            // payload as a JSON string; the answer's payload is the result.
            Func<string, string, Task<string>> rpc = async (id, payload) =>
            {
                var request = new HttpRequestMessage(HttpMethod.Post, "v2/rpc/" + id)
                {
                    Content = new StringContent(GuildClient.ClientJson.Encode(payload), Encoding.UTF8, "application/json"),
                };
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
                return GuildClient.ClientJson.Decode<RpcAnswer>(await Send(request)).Payload;
            };
            GuildClient.RpcCall guildCall = (id, payload) => rpc(id, payload);
            ArenaClient.RpcCall arenaCall = (id, payload) => rpc(id, payload);

            var name = "cs" + device.Substring(device.Length - 12);
            Guild guild = await GuildClient.Rpcs.CreateGuildAsync(guildCall, new CreateGuild { Name = name });
            Check(guild.Name == name && guild.Owner == userId, "create_guild answers the guild and its owner");
            guild = await GuildClient.Rpcs.GetGuildAsync(guildCall, new GetGuild { Name = name });
            Check(guild.Name == name && guild.Owner == userId, "get_guild finds it");

            Contribution contribution = await GuildClient.Rpcs.ContributeAsync(guildCall, new Contribute { Points = 7 });
            Check(contribution.Total == 7 && contribution.Rank >= 1, "contribute answers the total and a rank");
            contribution = await GuildClient.Rpcs.ContributeAsync(guildCall, new Contribute { Points = 5 });
            Check(contribution.Total == 12, "contribute adds up");

            // An absent cursor is left out, not sent as null.
            Check(GuildClient.ClientJson.Encode(new MyGuilds()) == "{}", "an optional field is omitted");
            // Nakama indexes a write as it commits; wait for it all the same.
            GuildPage page = null;
            for (var i = 0; i < 100 && (page == null || page.Guilds.Count == 0); i++)
            {
                if (page != null)
                {
                    await Task.Delay(50);
                }
                page = await GuildClient.Rpcs.MyGuildsAsync(guildCall, new MyGuilds());
            }
            Check(page.Guilds.Count == 1 && page.Guilds[0].Name == name && page.Cursor == "", "my_guilds lists the guild");

            // api::Account derives no JsonSchema: its JSON text.
            string owner = await GuildClient.Rpcs.GuildOwnerAsync(guildCall, new GetGuild { Name = name });
            Check(owner.Contains(userId), "guild_owner answers the account's JSON");

            // The module's typed errors: ALREADY_EXISTS is HTTP 409, code 6.
            try
            {
                await GuildClient.Rpcs.CreateGuildAsync(guildCall, new CreateGuild { Name = name });
                Check(false, "a second create_guild of the name is refused");
            }
            catch (RpcException e)
            {
                Check(e.Status == 409 && e.Code == 6 && e.Message == "guild name is in use", "ALREADY_EXISTS: " + e.Status + " " + e.Code + " " + e.Message);
            }
            try
            {
                await GuildClient.Rpcs.GetGuildAsync(guildCall, new GetGuild { Name = name + "x" });
                Check(false, "get_guild of an unknown guild is refused");
            }
            catch (RpcException e)
            {
                Check(e.Status == 404 && e.Code == 5, "NOT_FOUND: " + e.Status + " " + e.Code);
            }

            Created created = await ArenaClient.Rpcs.ArenaCreateAsync(arenaCall, new CreateArena { MaxPlayers = 2 });
            Check(!string.IsNullOrEmpty(created.MatchId), "arena_create answers a match id");

            // The bytes the TypeScript encoder makes for the same message.
            MatchState move = FromClient.Encode(FromClient.NewMove(new Position { X = 5, Y = 6 }));
            Check(move.OpCode == 1 && Encoding.UTF8.GetString(move.Data) == "{\"x\":5,\"y\":6}", "Move encodes as encodeFromClient does");
            FromClient back = FromClient.Decode(move.OpCode, move.Data);
            Check(back.OpCode == FromClientOpCodes.Move && back.Move.X == 5 && back.Move.Y == 6 && back.MoveCompact == null, "Move decodes");
            var compact = FromClient.Encode(FromClient.NewMoveCompact(new byte[] { 8, 5, 16, 6 }));
            Check(compact.OpCode == 4 && compact.Data.SequenceEqual(new byte[] { 8, 5, 16, 6 }), "MoveCompact's protobuf bytes cross as they are");
            Check(FromClient.Decode(4, compact.Data).MoveCompact.SequenceEqual(compact.Data), "MoveCompact decodes to its bytes");

            var positions = FromArena.Decode(2, Encoding.UTF8.GetBytes("{\"tick\":3,\"players\":{\"typed\":{\"x\":5,\"y\":6}}}"));
            Check(positions.OpCode == FromArenaOpCodes.Positions && positions.Positions.Tick == 3 && positions.Positions.Players["typed"].X == 5, "Positions decode, players as a map");
            Check(Encoding.UTF8.GetString(FromArena.Encode(positions).Data) == "{\"players\":{\"typed\":{\"x\":5,\"y\":6}},\"tick\":3}", "Positions encode back");
            var refused = FromArena.Decode(9, Encoding.UTF8.GetBytes("{\"error\":\"unknown op code 5\"}"));
            Check(refused.Refused.Error == "unknown op code 5", "Refused decodes its inline class");
            var closing = FromArena.Encode(FromArena.NewClosing());
            Check(closing.OpCode == 3 && closing.Data.Length == 0, "Closing carries no data");
            Check(FromArena.Decode(3, new byte[0]).OpCode == FromArenaOpCodes.Closing, "Closing decodes");
            Check(FromArena.Decode(77, new byte[0]) == null, "an unknown op code decodes to null");

            await PlayArena(token, created.MatchId);
        }

        /// <summary>
        /// Joins the arena over the realtime socket (the JSON envelopes
        /// Nakama .NET's socket sends), moves through FromClient.Encode and
        /// reads the arena's answers through FromArena.Decode.
        /// </summary>
        static async Task PlayArena(string token, string matchId)
        {
            using (var socket = new ClientWebSocket())
            using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20)))
            {
                var uri = new Uri("ws://127.0.0.1:" + port + "/ws?format=json&token=" + Uri.EscapeDataString(token));
                await socket.ConnectAsync(uri, timeout.Token);
                var id = GuildClient.ClientJson.Encode(matchId);
                await SendText(socket, "{\"cid\":\"1\",\"match_join\":{\"match_id\":" + id + ",\"metadata\":{\"name\":\"cs\"}}}", timeout.Token);
                var joined = await ReceiveUntil(socket, e => e.Cid == "1", timeout.Token);
                Check(joined.Error == null && joined.Match != null && joined.Match.MatchId == matchId, "the socket joins the arena");

                Func<MatchState, string> send = m =>
                    "{\"match_data_send\":{\"match_id\":" + id + ",\"op_code\":\"" + m.OpCode + "\",\"data\":\"" + Convert.ToBase64String(m.Data) + "\"}}";
                await SendText(socket, send(FromClient.Encode(FromClient.NewMove(new Position { X = 5, Y = 6 }))), timeout.Token);
                // The join's own Positions (everyone at 0,0) may come first,
                // from a tick between the join and the move: wait past it.
                FromArena positions = null;
                Position mine = null;
                await ReceiveUntil(socket, e =>
                {
                    positions = Decoded(e);
                    return positions != null && positions.Positions != null &&
                        positions.Positions.Players.TryGetValue("cs", out mine) && !(mine.X == 0 && mine.Y == 0);
                }, timeout.Token);
                Check(mine.X == 5 && mine.Y == 6, "the arena's Positions hold the move");

                // The compact move: protobuf bytes { x: 3, y: -4 } as they are.
                await SendText(socket, send(FromClient.Encode(FromClient.NewMoveCompact(new byte[] { 0x08, 0x06, 0x10, 0x07 }))), timeout.Token);
                await ReceiveUntil(socket, e =>
                {
                    var m = Decoded(e);
                    return m != null && m.Positions != null && m.Positions.Players["cs"].X == 3 && m.Positions.Players["cs"].Y == -4;
                }, timeout.Token);

                // A message the arena does not take comes back as Refused.
                await SendText(socket, send(new MatchState(5, Encoding.UTF8.GetBytes("jump"))), timeout.Token);
                FromArena refused = null;
                await ReceiveUntil(socket, e =>
                {
                    refused = Decoded(e);
                    return refused != null && refused.Refused != null;
                }, timeout.Token);
                Check(refused.OpCode == FromArenaOpCodes.Refused && refused.Refused.Error.Length > 0, "an unknown op code is refused: " + refused.Refused.Error);

                await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", timeout.Token);
            }
        }

        /// <summary>The arena message an envelope carries, if it carries one.</summary>
        static FromArena Decoded(Envelope e)
        {
            if (e.MatchData == null)
            {
                return null;
            }
            var data = string.IsNullOrEmpty(e.MatchData.Data) ? new byte[0] : Convert.FromBase64String(e.MatchData.Data);
            return FromArena.Decode(long.Parse(e.MatchData.OpCode), data);
        }

        static Task SendText(ClientWebSocket socket, string text, CancellationToken cancel)
        {
            var bytes = Encoding.UTF8.GetBytes(text);
            return socket.SendAsync(new ArraySegment<byte>(bytes), WebSocketMessageType.Text, true, cancel);
        }

        /// <summary>Reads envelopes until one matches (an error envelope without a cid fails at once).</summary>
        static async Task<Envelope> ReceiveUntil(ClientWebSocket socket, Func<Envelope, bool> wanted, CancellationToken cancel)
        {
            var buffer = new byte[64 * 1024];
            while (true)
            {
                var message = new List<byte>();
                WebSocketReceiveResult part;
                do
                {
                    part = await socket.ReceiveAsync(new ArraySegment<byte>(buffer), cancel);
                    Check(part.MessageType != WebSocketMessageType.Close, "the socket stays open: " + part.CloseStatusDescription);
                    message.AddRange(new ArraySegment<byte>(buffer, 0, part.Count));
                }
                while (!part.EndOfMessage);
                var envelope = GuildClient.ClientJson.DecodeBytes<Envelope>(message.ToArray());
                if (wanted(envelope))
                {
                    return envelope;
                }
                Check(envelope.Error == null || envelope.Cid != null, "no error from the socket: " + (envelope.Error == null ? "" : envelope.Error.Message));
            }
        }
    }
}
