//! The stream and session nk functions, as Nakama's `StreamUserList`,
//! `StreamUserGet`, `StreamUserJoin`, `StreamUserUpdate`,
//! `StreamUserLeave`, `StreamUserKick`, `StreamCount`, `StreamClose`,
//! `StreamSend`, `StreamSendRaw`, `SessionDisconnect` and `SessionLogout`.
//!
//! A stream ([`nk::Stream`]) is one of Nakama's presence streams: a mode
//! and up to three names (subject and subcontext, each empty or a UUID,
//! and a label). Chat channels, matches, parties, status and notifications
//! are streams of modes 0 to 7; a module makes realtime channels of its
//! own on any other mode: it puts socket sessions on a stream, and
//! everyone on it gets `stream_presence_event`s when others join or leave
//! and whatever the module sends there as `stream_data`.
//!
//! The functions that name a stream refuse a subject or subcontext that
//! is not a UUID (`INVALID_ARGUMENT`, "stream subject must be a valid
//! identifier", "stream subcontext must be a valid identifier"); those
//! that name a user or session refuse ids that are not UUIDs ("expects
//! valid user id", "expects valid session id").

use nakama_runtime_abi::matches::Presence;
use nakama_runtime_abi::nk;

use super::Nakama;
use crate::Error;

fn user_args(stream: &nk::Stream, user_id: &str, session_id: &str) -> nk::StreamUserArgs {
    nk::StreamUserArgs {
        stream: stream.clone(),
        user_id: user_id.to_string(),
        session_id: session_id.to_string(),
    }
}

impl Nakama {
    /// The presences on `stream` (`StreamUserList`): the hidden ones when
    /// `include_hidden`, the others when `include_not_hidden`, in no
    /// particular order. A stream nobody is on lists nobody.
    ///
    /// Nakama's own streams list their members too: a chat room is mode 2
    /// with the room's name as label, a match mode 5 (relayed) or 6
    /// (authoritative) with its UUID as subject and node as label.
    pub async fn stream_user_list(
        &self,
        stream: &nk::Stream,
        include_hidden: bool,
        include_not_hidden: bool,
    ) -> Result<Vec<nk::StreamPresence>, Error> {
        self.call::<nk::StreamUserList>(&nk::StreamUserListArgs {
            stream: stream.clone(),
            include_hidden,
            include_not_hidden,
        })
        .await
    }

    /// The presence of `user_id`'s session `session_id` on `stream`
    /// (`StreamUserGet`); `None` when it is not on it.
    pub async fn stream_user_get(
        &self,
        stream: &nk::Stream,
        user_id: &str,
        session_id: &str,
    ) -> Result<Option<nk::PresenceMeta>, Error> {
        self.call::<nk::StreamUserGet>(&user_args(stream, user_id, session_id))
            .await
    }

    /// Puts the socket session `session_id` of `user_id` on `stream`
    /// (`StreamUserJoin`); answers `false` when it was on it already
    /// (nothing changes then). A `hidden` presence is left out of
    /// [`Nakama::stream_user_list`] (unless asked for) and of presence
    /// events; `persistence` and `status` are carried for the module's
    /// own use (events show `persistence`). Unless hidden, everyone on the
    /// stream, the joiner included, gets a `stream_presence_event` with
    /// the join (a chat channel's, match's or party's presence event on
    /// those modes). The session then gets what is sent to the stream,
    /// until it leaves, is kicked, the stream is closed or its socket
    /// closes (a leave event to the others).
    ///
    /// The session must be connected to this node (`NOT_FOUND`: "session
    /// not found", or "node not found" for another node's session id).
    ///
    /// ```no_run
    /// use nakama_runtime::prelude::*;
    ///
    /// /// Puts the caller's socket in the lobby: its members see each
    /// /// other come and go, and get what `lobby_say` sends.
    /// #[rpc]
    /// async fn lobby_join(ctx: &Context, nk: &Nakama, _p: String) -> Result<String, Error> {
    ///     let (Some(user), Some(session)) = (ctx.user_id(), ctx.session_id()) else {
    ///         return Err(Error::invalid_argument("call this over the socket"));
    ///     };
    ///     let lobby = nk::Stream::labelled(100, "lobby");
    ///     nk.stream_user_join(&lobby, user, session, false, false, "").await?;
    ///     Ok(nk.stream_count(&lobby).await?.to_string())
    /// }
    ///
    /// #[rpc]
    /// async fn lobby_say(_ctx: &Context, nk: &Nakama, text: String) -> Result<(), Error> {
    ///     nk.stream_send(&nk::Stream::labelled(100, "lobby"), &text, &[], true).await
    /// }
    /// ```
    pub async fn stream_user_join(
        &self,
        stream: &nk::Stream,
        user_id: &str,
        session_id: &str,
        hidden: bool,
        persistence: bool,
        status: &str,
    ) -> Result<bool, Error> {
        let args = join_args(stream, user_id, session_id, (hidden, persistence, status));
        self.call::<nk::StreamUserJoin>(&args).await
    }

    /// Sets how session `session_id` of `user_id` is on `stream`
    /// (`StreamUserUpdate`), putting it on when it is not. Those on the
    /// stream get a presence event with the old presence as a leave
    /// (unless it was hidden) and the new one as a join (unless it is
    /// hidden). Arguments and refusals as [`Nakama::stream_user_join`]'s.
    pub async fn stream_user_update(
        &self,
        stream: &nk::Stream,
        user_id: &str,
        session_id: &str,
        hidden: bool,
        persistence: bool,
        status: &str,
    ) -> Result<(), Error> {
        let args = join_args(stream, user_id, session_id, (hidden, persistence, status));
        self.call::<nk::StreamUserUpdate>(&args).await
    }

    /// Takes session `session_id` of `user_id` off `stream`
    /// (`StreamUserLeave`); the others get a leave event unless it was
    /// hidden. A session not on the stream is no matter; one of another
    /// node is "node not found" (`NOT_FOUND`).
    pub async fn stream_user_leave(
        &self,
        stream: &nk::Stream,
        user_id: &str,
        session_id: &str,
    ) -> Result<(), Error> {
        self.call::<nk::StreamUserLeave>(&user_args(stream, user_id, session_id))
            .await
    }

    /// Takes `presence` (its user and session) off `stream`
    /// (`StreamUserKick`): the same as [`Nakama::stream_user_leave`].
    pub async fn stream_user_kick(
        &self,
        stream: &nk::Stream,
        presence: &nk::StreamPresence,
    ) -> Result<(), Error> {
        self.call::<nk::StreamUserKick>(&user_args(stream, &presence.user_id, &presence.session_id))
            .await
    }

    /// How many presences `stream` has, hidden ones included
    /// (`StreamCount`).
    pub async fn stream_count(&self, stream: &nk::Stream) -> Result<u64, Error> {
        self.call::<nk::StreamCount>(&nk::StreamArgs {
            stream: stream.clone(),
        })
        .await
    }

    /// Takes everyone off `stream` at once (`StreamClose`), without
    /// presence events.
    pub async fn stream_close(&self, stream: &nk::Stream) -> Result<(), Error> {
        self.call::<nk::StreamClose>(&nk::StreamArgs {
            stream: stream.clone(),
        })
        .await
    }

    /// Sends `data` to everyone on `stream`, or only to the sessions of
    /// `presences` (on the stream or not: their `session_id`, and `node`,
    /// empty for this one) when there are some (`StreamSend`). Each gets a
    /// `stream_data` envelope with the stream, the data and `reliable`
    /// (no sender). Refusals: "expects each presence session id to be a
    /// valid identifier", and the stream's.
    pub async fn stream_send(
        &self,
        stream: &nk::Stream,
        data: &str,
        presences: &[Presence],
        reliable: bool,
    ) -> Result<(), Error> {
        self.call::<nk::StreamSend>(&nk::StreamSendArgs {
            stream: stream.clone(),
            data: data.to_string(),
            presences: presences.to_vec(),
            reliable,
        })
        .await
    }

    /// Sends a realtime envelope of the module's making (`StreamSendRaw`)
    /// to those [`Nakama::stream_send`] would send to. `envelope` is in the
    /// socket's JSON form, one message: `{"notifications": {...}}`,
    /// `{"stream_data": {...}}`, ... Refusal: "expects a valid message"
    /// (`INVALID_ARGUMENT`) for anything else.
    pub async fn stream_send_raw(
        &self,
        stream: &nk::Stream,
        envelope: serde_json::Value,
        presences: &[Presence],
        reliable: bool,
    ) -> Result<(), Error> {
        self.call::<nk::StreamSendRaw>(&nk::StreamSendRawArgs {
            stream: stream.clone(),
            envelope,
            presences: presences.to_vec(),
            reliable,
        })
        .await
    }

    /// Closes the socket of session `session_id` (`SessionDisconnect`):
    /// it leaves every stream (its leaves carry `reason`, a
    /// [`nk::reason`]; `None`: `DISCONNECT`) and the client gets a close
    /// frame (1000, "server-side session disconnect"). A session that is
    /// not connected is no matter. Refusal: "expects valid session id".
    pub async fn session_disconnect(
        &self,
        session_id: &str,
        reason: Option<u8>,
    ) -> Result<(), Error> {
        self.call::<nk::SessionDisconnect>(&nk::SessionDisconnectArgs {
            session_id: session_id.to_string(),
            reason,
        })
        .await
    }

    /// Logs `user_id` out (`SessionLogout`), as the client's
    /// `/v2/session/logout` does: the session `token` and `refresh_token`
    /// given stop working; with neither, every session of the user does.
    /// Open sockets stay open. Refusals (`INVALID_ARGUMENT`): "expects
    /// valid user id", "session token invalid", "refresh token invalid"
    /// (a token that is not the user's or does not verify).
    pub async fn session_logout(
        &self,
        user_id: &str,
        token: Option<&str>,
        refresh_token: Option<&str>,
    ) -> Result<(), Error> {
        self.call::<nk::SessionLogout>(&nk::SessionLogoutArgs {
            user_id: user_id.to_string(),
            token: token.unwrap_or_default().to_string(),
            refresh_token: refresh_token.unwrap_or_default().to_string(),
        })
        .await
    }
}

fn join_args(
    stream: &nk::Stream,
    user_id: &str,
    session_id: &str,
    (hidden, persistence, status): (bool, bool, &str),
) -> nk::StreamUserJoinArgs {
    nk::StreamUserJoinArgs {
        stream: stream.clone(),
        user_id: user_id.to_string(),
        session_id: session_id.to_string(),
        hidden,
        persistence,
        status: status.to_string(),
    }
}
