//! Guilds: the example of Nakama's Go runtime guide, in Rust.
//!
//! - `create_guild` `{"name": "..."}` -> `{"name", "owner"}`; a name in use
//!   answers `ALREADY_EXISTS`, a bad name `INVALID_ARGUMENT`.
//! - `get_guild` `{"name": "..."}` -> the guild, or `NOT_FOUND`.
//! - `guild_owner` `{"name": "..."}` -> the owner's account.
//! - A before hook on `AuthenticateCustom` refuses custom ids that are not
//!   `cid-` followed by six digits; an after hook logs new accounts.
//! - A before hook on `UpdateAccount` trims the display name and leaves the
//!   rest of the request as it came.
//! - `contribute` `{"points": 1..=1000}` adds the caller's points to the
//!   authoritative leaderboard `contributions` (created at init) and
//!   answers `{"total", "rank"}`; clients read it through Nakama's
//!   `/v2/leaderboard/contributions` routes but cannot write it.
//! - The tournament `weekly_cup` (created at init): a new period every
//!   Monday, joining required; clients list, join, write and read it
//!   through Nakama's `/v2/tournament` routes. When a week ends, its
//!   tournament end callback tells the top three their place (a
//!   persistent notification, code [`CUP_RESULT`]).
//! - Realtime hooks on `ChannelMessageSend` and `ChannelMessageUpdate`
//!   mask the words of [`MASKED_WORDS`] in chat messages (in any string of
//!   the content, any case) before the server sends or stores them.
//! - Event handlers keep each member's activity in storage (collection
//!   [`ACTIVITY`], owned by the member, readable by everyone, written by
//!   the server only): `last_seen` (`{"online", "at"}`) when a realtime
//!   session starts and ends, and `last_event` (`{"name", "properties"}`)
//!   for what the game's client reports (nakama-js `client.emitEvent`).
//! - Each guild has a lobby, a presence stream of the module's own
//!   ([`lobby`]): `join_lobby` `{"name"}` (over the socket) puts the
//!   caller's socket in it and answers who is there (`{"members"}`, their
//!   usernames); those in it see each other come and go
//!   (`stream_presence_event`, nakama-js `onstreampresence`) and get what
//!   `lobby_say` `{"name", "text"}` says there (`stream_data` whose data is
//!   `{"from", "text"}`, masked as chat is; nakama-js `onstreamdata`).
//!   Closing the socket leaves the lobby.
//! - A webhook, `POST /guild/webhook` (a custom HTTP handler on the client
//!   API's port): another service credits a member's contributions
//!   (`{"user_id", "points"}`, answered `{"total", "rank"}`) when its
//!   `X-Webhook-Secret` header is runtime.env's `GUILD_WEBHOOK_SECRET`
//!   (Nakama authenticates nothing on these routes); without that env
//!   entry the webhook answers 503.

use nakama_runtime::prelude::*;
use nakama_runtime::scheduler;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

#[derive(Debug, RuntimeError)]
pub enum GuildError {
    #[runtime_error(InvalidArgument, "input contained invalid data")]
    BadInput,
    #[runtime_error(AlreadyExists, "guild name is in use")]
    AlreadyExists,
    #[runtime_error(NotFound, "guild {0} not found")]
    NotFound(String),
    #[runtime_error(PermissionDenied, "a session is required")]
    NoSession,
    #[runtime_error(Internal, "storage failed: {0}")]
    Storage(String),
    #[runtime_error(FailedPrecondition, "join the guild's lobby first")]
    NotInLobby,
}

#[derive(Debug, Serialize, Deserialize, JsonSchema)]
pub struct CreateGuild {
    /// 1 to 64 letters, digits, `-` or `_`.
    pub name: String,
}

#[derive(Debug, Serialize, Deserialize, JsonSchema)]
pub struct GetGuild {
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Guild {
    pub name: String,
    /// The user id of its creator.
    pub owner: String,
}

const COLLECTION: &str = "guilds";

/// The leaderboard of members' contributions.
pub const CONTRIBUTIONS: &str = "contributions";

/// The weekly tournament (created at init): clients list, join and write
/// it through Nakama's `/v2/tournament` routes.
pub const WEEKLY_CUP: &str = "weekly_cup";

/// The notification code of a weekly cup result.
pub const CUP_RESULT: i32 = 100;

/// When a week of the cup ends, its top three get their place as a
/// persistent notification (`CUP_RESULT`: `{"rank", "score"}`). The
/// callback runs once the week is over, so it asks for that week's
/// records by their expiry (`call.reset`), not the new week's.
pub async fn cup_ended(
    _ctx: &Context,
    nk: &Nakama,
    call: scheduler::TournamentCall,
) -> Result<(), Error> {
    if call.tournament.id != WEEKLY_CUP {
        return Ok(());
    }
    let podium = nk
        .call::<nk::TournamentRecordsList>(&nk::LeaderboardRecordsListArgs {
            id: WEEKLY_CUP.into(),
            limit: 3,
            expiry: call.reset,
            ..Default::default()
        })
        .await?;
    let results = podium
        .records
        .iter()
        .map(|r| nk::NotificationSendArgs {
            user_id: r.owner_id.clone(),
            subject: "Weekly cup".into(),
            content: serde_json::json!({"rank": r.rank, "score": r.score})
                .as_object()
                .cloned()
                .unwrap_or_default(),
            code: CUP_RESULT,
            sender_id: String::new(),
            persistent: true,
        })
        .collect();
    nk.notifications_send(results).await
}

/// Members' activity, kept by the event handlers.
pub const ACTIVITY: &str = "activity";

/// Stores `value` as `user`'s activity object `key`.
async fn record_activity(
    nk: &Nakama,
    user: &str,
    key: &str,
    value: serde_json::Value,
) -> Result<(), Error> {
    let write = StorageWriteOp::new(ACTIVITY, key)
        .owner(user)
        .json(&value)?
        .permissions(2, 0); // anyone may look, only the server writes it
    nk.storage_write(&[write]).await.map(|_| ())
}

/// The last event a member's client sent. Events the server publishes
/// (not `external`) are not a member's.
pub async fn remember_event(ctx: &Context, nk: &Nakama, evt: api::Event) -> Result<(), Error> {
    let Some(user) = ctx.user_id().filter(|_| evt.external) else {
        return Ok(());
    };
    let value = serde_json::json!({"name": evt.name, "properties": evt.properties});
    record_activity(nk, user, "last_event", value).await
}

/// A member came online (a realtime session started)...
pub async fn session_started(ctx: &Context, nk: &Nakama, evt: api::Event) -> Result<(), Error> {
    last_seen(ctx, nk, evt, true).await
}

/// ... or went offline. Events are handled from a queue, in no guaranteed
/// order: a socket open for less than a second may be seen to end first.
pub async fn session_ended(ctx: &Context, nk: &Nakama, evt: api::Event) -> Result<(), Error> {
    last_seen(ctx, nk, evt, false).await
}

async fn last_seen(ctx: &Context, nk: &Nakama, evt: api::Event, online: bool) -> Result<(), Error> {
    let user = ctx.user_id().ok_or(GuildError::NoSession)?;
    let value = serde_json::json!({"online": online, "at": evt.timestamp});
    record_activity(nk, user, "last_seen", value).await
}

#[init_module]
async fn init(ctx: &Context, nk: &Nakama, init: &mut Initializer) -> Result<(), Error> {
    init.register_event(remember_event);
    init.register_event_session_start(session_started);
    init.register_event_session_end(session_ended);
    init.register_tournament_end(cup_ended);
    init.register_http("/guild/webhook", &["POST"], webhook);
    // Guilds searchable by owner (`my_guilds`), kept by the server as
    // guilds are written and deleted.
    init.register_storage_index(StorageIndex {
        name: GUILDS_BY_OWNER.into(),
        collection: COLLECTION.into(),
        fields: vec!["owner".into(), "name".into()],
        sortable_fields: vec!["name".into()],
        max_entries: 100_000,
        ..Default::default()
    })?;
    // Creating a leaderboard that exists changes nothing: safe at every start.
    nk.leaderboard_create(&nk::LeaderboardCreateArgs {
        id: CONTRIBUTIONS.into(),
        authoritative: true,
        operator: nk::Operator::Increment,
        enable_ranks: true,
        ..Default::default()
    })
    .await?;
    // Likewise a tournament: the weekly cup, a new period every Monday
    // (UTC), open all week, for those who joined.
    nk.tournament_create(&nk::TournamentCreateArgs {
        id: WEEKLY_CUP.into(),
        title: "Weekly cup".into(),
        description: "Join, then submit your best score of the week.".into(),
        category: 1,
        reset_schedule: "0 0 * * 1".into(),
        duration: 7 * 24 * 3600,
        join_required: true,
        enable_ranks: true,
        ..Default::default()
    })
    .await?;
    ctx.logger()
        .with_field("collection", COLLECTION)
        .info("guild module loaded");
    Ok(())
}

#[derive(Debug, Serialize, Deserialize, JsonSchema)]
pub struct Contribute {
    /// 1 to 1000.
    pub points: i64,
}

#[derive(Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Contribution {
    /// The caller's points so far.
    pub total: i64,
    /// The caller's place among contributors (1: the most points).
    pub rank: i64,
}

/// Adds the caller's points to the `contributions` leaderboard.
#[rpc]
pub async fn contribute(
    ctx: &Context,
    nk: &Nakama,
    req: Contribute,
) -> Result<Contribution, Error> {
    let user = ctx.user_id().ok_or(GuildError::NoSession)?;
    add_points(nk, user, ctx.username().unwrap_or_default(), req.points).await
}

/// Adds 1 to 1000 points to `user`'s contributions.
async fn add_points(
    nk: &Nakama,
    user: &str,
    username: &str,
    points: i64,
) -> Result<Contribution, Error> {
    if !(1..=1000).contains(&points) {
        return Err(GuildError::BadInput.into());
    }
    let record = nk
        .leaderboard_record_write(&nk::LeaderboardRecordWriteArgs {
            id: CONTRIBUTIONS.into(),
            owner_id: user.to_string(),
            username: username.to_string(),
            score: points,
            ..Default::default()
        })
        .await?;
    Ok(Contribution {
        total: record.score,
        rank: record.rank,
    })
}

/// The runtime.env entry holding the webhook's shared secret.
pub const WEBHOOK_SECRET: &str = "GUILD_WEBHOOK_SECRET";

#[derive(Debug, Deserialize)]
struct Credit {
    user_id: String,
    points: i64,
}

/// `POST /guild/webhook`: another service credits a member's
/// contributions. Nakama checks nothing on a custom route, so the handler
/// checks the shared secret itself.
pub async fn webhook(ctx: &Context, nk: &Nakama, req: HttpRequest) -> Result<HttpResponse, Error> {
    let Some(secret) = ctx.env().get(WEBHOOK_SECRET).filter(|s| !s.is_empty()) else {
        return Err(Error::new(
            Code::Unavailable,
            format!("webhook disabled: set runtime.env {WEBHOOK_SECRET}"),
        ));
    };
    if req.header("X-Webhook-Secret") != Some(secret.as_str()) {
        return Err(Error::new(Code::Unauthenticated, "bad webhook secret"));
    }
    let credit: Credit = serde_json::from_slice(&req.body)
        .map_err(|e| Error::new(Code::InvalidArgument, e.to_string()))?;
    // An unknown (or malformed) user id is the caller's mistake.
    let member = nk
        .users_get_id(&[&credit.user_id])
        .await
        .ok()
        .and_then(|users| users.into_iter().next())
        .ok_or_else(|| Error::new(Code::NotFound, "no such member"))?;
    let done = add_points(nk, &member.id, &member.username, credit.points).await?;
    Ok(HttpResponse::json(200, &done))
}

fn valid_name(name: &str) -> bool {
    (1..=64).contains(&name.len())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// Creates a guild owned by the caller; a name in use is `ALREADY_EXISTS`.
#[rpc]
pub async fn create_guild(
    ctx: &Context,
    nk: &Nakama,
    req: CreateGuild,
) -> Result<Guild, GuildError> {
    let owner = ctx.user_id().ok_or(GuildError::NoSession)?.to_string();
    if !valid_name(&req.name) {
        return Err(GuildError::BadInput);
    }
    let guild = Guild {
        name: req.name,
        owner,
    };
    let write = StorageWriteOp::new(COLLECTION, &guild.name) // owned by the server
        .json(&guild)
        .map_err(storage_failed)?
        .if_absent() // only if no guild has this name yet
        .permissions(2, 0);
    match nk.storage_write(&[write]).await {
        Ok(_) => {
            ctx.logger()
                .with_field("guild", guild.name.as_str())
                .info("guild created");
            Ok(guild)
        }
        Err(e) if e.code() == Code::InvalidArgument => Err(GuildError::AlreadyExists),
        Err(e) => Err(storage_failed(e)),
    }
}

fn storage_failed(e: Error) -> GuildError {
    GuildError::Storage(e.message().to_string())
}

/// A guild by name, or `NOT_FOUND`.
#[rpc]
pub async fn get_guild(_ctx: &Context, nk: &Nakama, req: GetGuild) -> Result<Guild, GuildError> {
    let objects = nk
        .storage_read(&[StorageReadOp::new(COLLECTION, &req.name)])
        .await
        .map_err(storage_failed)?;
    let object = objects.first().ok_or(GuildError::NotFound(req.name))?;
    object.value_as().map_err(storage_failed)
}

/// The storage index of guilds by owner.
pub const GUILDS_BY_OWNER: &str = "guilds_by_owner";

/// A page of the caller's guilds: from the start, or after `cursor`.
#[derive(Debug, Default, Serialize, Deserialize, JsonSchema)]
pub struct MyGuilds {
    #[serde(default)]
    pub cursor: String,
}

#[derive(Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct GuildPage {
    pub guilds: Vec<Guild>,
    /// Empty on the last page.
    pub cursor: String,
}

/// The caller's guilds by name, 20 a page, from the `guilds_by_owner`
/// storage index.
#[rpc]
pub async fn my_guilds(ctx: &Context, nk: &Nakama, req: MyGuilds) -> Result<GuildPage, GuildError> {
    let owner = ctx.user_id().ok_or(GuildError::NoSession)?;
    let query = format!("+value.owner:{owner}");
    let cursor = Some(req.cursor.as_str()).filter(|c| !c.is_empty());
    let page = nk
        .storage_index_list(None, GUILDS_BY_OWNER, &query, 20, &["value.name"], cursor)
        .await
        .map_err(storage_failed)?;
    let guilds = page
        .objects
        .iter()
        .map(|o| o.value_as().map_err(storage_failed))
        .collect::<Result<_, _>>()?;
    Ok(GuildPage {
        guilds,
        cursor: page.cursor,
    })
}

/// The account of a guild's owner. nk errors pass through `?` with their
/// code (e.g. NOT_FOUND for an unknown user).
#[rpc]
pub async fn guild_owner(ctx: &Context, nk: &Nakama, req: GetGuild) -> Result<api::Account, Error> {
    let guild = get_guild(ctx, nk, req).await?;
    nk.account_get_id(&guild.owner).await
}

/// The stream mode of guild lobbies: one of the module's own (Nakama's
/// are 0 to 7).
pub const LOBBY_MODE: u8 = 100;

/// Guild `name`'s lobby stream.
pub fn lobby(name: &str) -> nk::Stream {
    nk::Stream::labelled(LOBBY_MODE, name)
}

#[derive(Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Lobby {
    /// The usernames of those in the lobby, the caller included.
    pub members: Vec<String>,
}

/// The caller's socket joins guild `name`'s lobby (an RPC over the socket:
/// the session is the one that joins). Joining again changes nothing.
#[rpc]
pub async fn join_lobby(ctx: &Context, nk: &Nakama, req: GetGuild) -> Result<Lobby, Error> {
    let (Some(user), Some(session)) = (ctx.user_id(), ctx.session_id()) else {
        return Err(GuildError::NoSession.into());
    };
    let guild = get_guild(ctx, nk, req).await?;
    let stream = lobby(&guild.name);
    nk.stream_user_join(&stream, user, session, false, false, "")
        .await?;
    let mut members: Vec<String> = nk
        .stream_user_list(&stream, false, true)
        .await?
        .into_iter()
        .map(|p| p.username)
        .collect();
    members.sort();
    members.dedup();
    Ok(Lobby { members })
}

#[derive(Debug, Serialize, Deserialize, JsonSchema)]
pub struct LobbySay {
    /// The guild.
    pub name: String,
    pub text: String,
}

/// Says `text` to everyone in guild `name`'s lobby, masked as chat is;
/// only a socket in the lobby may (`FAILED_PRECONDITION` otherwise).
#[rpc]
pub async fn lobby_say(ctx: &Context, nk: &Nakama, req: LobbySay) -> Result<(), Error> {
    let (Some(user), Some(session)) = (ctx.user_id(), ctx.session_id()) else {
        return Err(GuildError::NoSession.into());
    };
    let stream = lobby(&req.name);
    if nk.stream_user_get(&stream, user, session).await?.is_none() {
        return Err(GuildError::NotInLobby.into());
    }
    let said = serde_json::json!({
        "from": ctx.username().unwrap_or_default(),
        "text": mask_words(&req.text),
    });
    nk.stream_send(&stream, &said.to_string(), &[], true).await
}

/// Custom ids must look like `cid-123456`.
#[before_hook(AuthenticateCustom)]
pub async fn custom_id_format(
    _ctx: &Context,
    _nk: &Nakama,
    req: api::AuthenticateCustomRequest,
) -> Result<Option<api::AuthenticateCustomRequest>, GuildError> {
    let id = req.account.as_ref().map(|a| a.id.as_str()).unwrap_or("");
    let ok =
        id.len() == 10 && id.starts_with("cid-") && id[4..].bytes().all(|b| b.is_ascii_digit());
    if ok {
        Ok(Some(req))
    } else {
        Err(GuildError::BadInput)
    }
}

#[after_hook(AuthenticateCustom)]
pub async fn log_new_accounts(
    ctx: &Context,
    _nk: &Nakama,
    out: api::Session,
    _req: api::AuthenticateCustomRequest,
) -> Result<(), Error> {
    if out.created {
        ctx.logger().info("new account created");
    }
    Ok(())
}

/// Display names are stored trimmed; the other fields pass unchanged.
#[before_hook(UpdateAccount)]
pub async fn trim_display_name(
    _ctx: &Context,
    _nk: &Nakama,
    mut req: api::UpdateAccountRequest,
) -> Result<Option<api::UpdateAccountRequest>, Error> {
    if let Some(name) = req.display_name.as_mut() {
        *name = name.trim().to_string();
    }
    Ok(Some(req))
}

/// Words guild chat masks (a real game would load its list at init).
pub const MASKED_WORDS: &[&str] = &["heck", "darn"];

/// `text` with every word of [`MASKED_WORDS`] (any case) as asterisks.
pub fn mask_words(text: &str) -> String {
    let mut out = text.to_string();
    for word in MASKED_WORDS {
        let lower = out.to_lowercase();
        // Lower-casing keeps byte offsets for ASCII words; a string whose
        // length changes is left alone rather than cut mid-character.
        if lower.len() != out.len() {
            continue;
        }
        let mut masked = String::with_capacity(out.len());
        let mut rest = 0;
        for (at, _) in lower.match_indices(word) {
            masked.push_str(&out[rest..at]);
            masked.push_str(&"*".repeat(word.len()));
            rest = at + word.len();
        }
        masked.push_str(&out[rest..]);
        out = masked;
    }
    out
}

/// Chat content with its strings masked; content that is not a JSON
/// object is left for the server to refuse.
fn mask_content(content: &str) -> String {
    fn mask(v: &mut serde_json::Value) {
        match v {
            serde_json::Value::String(s) => *s = mask_words(s),
            serde_json::Value::Array(items) => items.iter_mut().for_each(mask),
            serde_json::Value::Object(fields) => fields.values_mut().for_each(mask),
            _ => {}
        }
    }
    match serde_json::from_str::<serde_json::Value>(content) {
        Ok(mut v @ serde_json::Value::Object(_)) => {
            mask(&mut v);
            v.to_string()
        }
        _ => content.to_string(),
    }
}

/// Chat messages are masked before anyone sees them.
#[before_rt(ChannelMessageSend)]
pub async fn mask_sent(
    _ctx: &Context,
    _nk: &Nakama,
    mut msg: rtapi::ChannelMessageSend,
) -> Result<Option<rtapi::ChannelMessageSend>, Error> {
    msg.content = mask_content(&msg.content);
    Ok(Some(msg))
}

/// Edits too.
#[before_rt(ChannelMessageUpdate)]
pub async fn mask_updated(
    _ctx: &Context,
    _nk: &Nakama,
    mut msg: rtapi::ChannelMessageUpdate,
) -> Result<Option<rtapi::ChannelMessageUpdate>, Error> {
    msg.content = mask_content(&msg.content);
    Ok(Some(msg))
}

#[cfg(test)]
mod tests {
    /// The TypeScript and C# clients and the JSON Schema in `client/` are generated
    /// from the RPCs above: a change to an RPC's types fails here until they
    /// are regenerated (`UPDATE_EXPECT=1 cargo test -p guild --lib`).
    #[test]
    fn the_client_files_match_the_rpcs() {
        let api = nakama_runtime::client::ClientApi::of_this_module();
        expect_test::expect_file!["../client/guild.ts"].assert_eq(&api.typescript());
        expect_test::expect_file!["../client/Guild.cs"].assert_eq(&api.csharp("GuildClient"));
        expect_test::expect_file!["../client/guild.schema.json"].assert_eq(&api.json_schema());
        expect_test::expect_file!["../client/guild.gd"].assert_eq(&api.gdscript());
    }
}
