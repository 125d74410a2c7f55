//! The modules' realtime message hooks (`#[before_rt]`, `#[after_rt]`) on
//! the socket, as Nakama's pipeline runs them (server/pipeline.go):
//!
//! - before: the hook gets the decoded message and answers the one to
//!   handle. An error goes to the client as an `error` (code 7, the
//!   hook's message) and the socket stays open; no message (the hook
//!   answered `None`) is a disabled resource: `Requested resource was not
//!   found.` (code 1), and the socket closes.
//! - after: only when the server handled the message successfully, with
//!   its answer when it has one; the client has its answer already, so an
//!   error is only logged (Nakama drops it without a word).
//! - `rpc` has no hooks, as in Nakama.
//! - An empty `status_follow` (no ids, no names) is answered, and its
//!   after hook gets no answer, as in Nakama.
//!
//! The hook sees the message re-encoded from what the dev host decoded,
//! in the ABI's proto-JSON form, as the bridge gives it from Nakama's
//! decoded envelope; its answer is decoded as a client's message is.

use nakama_runtime_host::abi::{mode, rtapi, ContextData};
use nakama_runtime_host::{CallContext, Callee};
use serde_json::Value;

use super::decode::{self, JoinId, Request};
use super::{error_code, Socket};

/// A message as a realtime hook sees it.
pub(super) struct Hooked {
    /// The hook name (`ChannelJoin`).
    pub name: &'static str,
    /// The envelope field (`channel_join`).
    field: &'static str,
    /// The message in the ABI's form ([`rtapi`]).
    pub message: Value,
}

fn value<T: serde::Serialize>(message: T) -> Value {
    serde_json::to_value(message).unwrap_or_default()
}

impl Request {
    /// The name of the message's realtime hooks and its envelope field;
    /// `None` for messages without hooks on the dev host.
    fn names(&self) -> Option<(&'static str, &'static str)> {
        Some(match self {
            Request::Ping => ("Ping", "ping"),
            Request::Pong => ("Pong", "pong"),
            Request::Rpc { .. } | Request::ServerOnly(_) => return None,
            Request::MatchJoin { .. } => ("MatchJoin", "match_join"),
            Request::MatchCreate(_) => ("MatchCreate", "match_create"),
            Request::MatchLeave(_) => ("MatchLeave", "match_leave"),
            Request::MatchDataSend(_) => ("MatchDataSend", "match_data_send"),
            Request::MatchmakerAdd(_) => ("MatchmakerAdd", "matchmaker_add"),
            Request::MatchmakerRemove(_) => ("MatchmakerRemove", "matchmaker_remove"),
            Request::ChannelJoin(_) => ("ChannelJoin", "channel_join"),
            Request::ChannelLeave(_) => ("ChannelLeave", "channel_leave"),
            Request::ChannelMessageSend(_) => ("ChannelMessageSend", "channel_message_send"),
            Request::ChannelMessageUpdate(_) => ("ChannelMessageUpdate", "channel_message_update"),
            Request::ChannelMessageRemove(_) => ("ChannelMessageRemove", "channel_message_remove"),
            Request::StatusFollow(_) => ("StatusFollow", "status_follow"),
            Request::StatusUnfollow(_) => ("StatusUnfollow", "status_unfollow"),
            Request::StatusUpdate(_) => ("StatusUpdate", "status_update"),
            Request::PartyCreate(_) => ("PartyCreate", "party_create"),
            Request::PartyJoin(_) => ("PartyJoin", "party_join"),
            Request::PartyLeave(_) => ("PartyLeave", "party_leave"),
            Request::PartyPromote(_) => ("PartyPromote", "party_promote"),
            Request::PartyAccept(_) => ("PartyAccept", "party_accept"),
            Request::PartyRemove(_) => ("PartyRemove", "party_remove"),
            Request::PartyClose(_) => ("PartyClose", "party_close"),
            Request::PartyJoinRequestList(_) => ("PartyJoinRequestList", "party_join_request_list"),
            Request::PartyMatchmakerAdd(_) => ("PartyMatchmakerAdd", "party_matchmaker_add"),
            Request::PartyMatchmakerRemove(_) => {
                ("PartyMatchmakerRemove", "party_matchmaker_remove")
            }
            Request::PartyDataSend(_) => ("PartyDataSend", "party_data_send"),
            Request::PartyUpdate(_) => ("PartyUpdate", "party_update"),
        })
    }

    /// The name of the message's realtime hooks; `None` for messages
    /// without hooks on the dev host.
    pub(super) fn hook_name(&self) -> Option<&'static str> {
        self.names().map(|(name, _)| name)
    }

    /// The message as its realtime hooks see it; `None` for those without
    /// hooks on the dev host.
    pub(super) fn hooked(&self) -> Option<Hooked> {
        let (name, field) = self.names()?;
        let message = match self {
            Request::Ping => value(rtapi::Ping {}),
            Request::Pong => value(rtapi::Pong {}),
            Request::Rpc { .. } | Request::ServerOnly(_) => return None,
            // The three the dev host decodes into its own types.
            Request::MatchJoin { id, metadata } => {
                let (match_id, token) = match id {
                    Some(JoinId::MatchId(id)) => (Some(id.clone()), None),
                    Some(JoinId::Token(token)) => (None, Some(token.clone())),
                    None => (None, None),
                };
                value(rtapi::MatchJoin {
                    match_id,
                    token,
                    metadata: metadata.clone(),
                })
            }
            Request::MatchmakerAdd(t) => value(rtapi::MatchmakerAdd {
                min_count: t.min_count,
                max_count: t.max_count,
                query: t.query.clone(),
                string_properties: t.string_properties.clone(),
                numeric_properties: t.numeric_properties.clone(),
                count_multiple: t.count_multiple,
            }),
            Request::ChannelJoin(j) => value(rtapi::ChannelJoin {
                target: j.target.clone(),
                r#type: j.kind,
                persistence: j.persistence,
                hidden: j.hidden,
            }),
            // The others are decoded into the ABI's types already.
            Request::MatchCreate(m) => value(m),
            Request::MatchLeave(m) => value(m),
            Request::MatchDataSend(m) => value(m),
            Request::MatchmakerRemove(m) => value(m),
            Request::ChannelLeave(m) => value(m),
            Request::ChannelMessageSend(m) => value(m),
            Request::ChannelMessageUpdate(m) => value(m),
            Request::ChannelMessageRemove(m) => value(m),
            Request::StatusFollow(m) => value(m),
            Request::StatusUnfollow(m) => value(m),
            Request::StatusUpdate(m) => value(m),
            Request::PartyCreate(m) => value(m),
            Request::PartyJoin(m) => value(m),
            Request::PartyLeave(m) => value(m),
            Request::PartyPromote(m) => value(m),
            Request::PartyAccept(m) => value(m),
            Request::PartyRemove(m) => value(m),
            Request::PartyClose(m) => value(m),
            Request::PartyJoinRequestList(m) => value(m),
            Request::PartyMatchmakerAdd(m) => value(m),
            Request::PartyMatchmakerRemove(m) => value(m),
            Request::PartyDataSend(m) => value(m),
            Request::PartyUpdate(m) => value(m),
        };
        Some(Hooked {
            name,
            field,
            message,
        })
    }
}

/// What the before hook decided.
pub(super) enum Before {
    /// Handle this message.
    Go(Request),
    /// Refused and answered; the socket stays open.
    Answered,
    /// A disabled resource: answered, and the socket closes.
    Close,
}

impl Socket {
    /// A hook's context: the session's, with the hook's execution mode.
    fn hook_context(&self, execution_mode: &str) -> ContextData {
        let mut ctx = self.session.user_context();
        ctx.execution_mode = execution_mode.into();
        ctx.node = self.app.config.name.clone();
        ctx.version = crate::VERSION.into();
        ctx.lang = Some(self.session.lang.clone());
        ctx.trace_id = Some(uuid::Uuid::new_v4().to_string());
        ctx
    }

    /// Runs the before hook of `message`, if a module has one.
    pub(super) async fn before_rt(&self, cid: &str, message: Request) -> Before {
        let Some(hooked) = message.hooked() else {
            return Before::Go(message);
        };
        let modules = self.app.modules.load_full();
        let ctx = self.hook_context(mode::BEFORE);
        let input = hooked.message.to_string();
        let answer = modules
            .call(
                Callee::BeforeRt(hooked.name),
                CallContext::new(&ctx),
                input.as_bytes(),
            )
            .await;
        let out = match answer {
            None => return Before::Go(message),
            Some(Ok(out)) => out,
            Some(Err(e)) => {
                self.error(cid, error_code::RUNTIME_FUNCTION_EXCEPTION, &e.message);
                return Before::Answered;
            }
        };
        if out.is_empty() {
            self.app.log.warn(
                "Intercepted a disabled resource.",
                &[("resource", hooked.name.into())],
            );
            self.error(
                cid,
                error_code::UNRECOGNIZED_PAYLOAD,
                "Requested resource was not found.",
            );
            return Before::Close;
        }
        let decoded = serde_json::from_slice::<decode::Json>(&out)
            .map_err(|e| e.to_string())
            .and_then(|json| decode::request(hooked.field, json));
        match decoded {
            Ok(message) => Before::Go(message),
            Err(e) => {
                let why = format!(
                    "realtime before hook {} answered a message the server cannot read: {e}",
                    hooked.name
                );
                self.app.log.error(&why, &[]);
                self.error(cid, error_code::RUNTIME_FUNCTION_EXCEPTION, &why);
                Before::Answered
            }
        }
    }

    /// Runs the after hook of `hooked` with the server's answer `out` (the
    /// answer's message, `None` for messages answered with nothing).
    pub(super) async fn after_rt(&self, hooked: Hooked, out: Option<Value>) {
        let modules = self.app.modules.load_full();
        let ctx = self.hook_context(mode::AFTER);
        let mut input = serde_json::Map::new();
        if let Some(out) = out {
            input.insert("out".into(), out);
        }
        input.insert("in".into(), hooked.message);
        let input = Value::Object(input).to_string();
        let called = modules
            .call(
                Callee::AfterRt(hooked.name),
                CallContext::new(&ctx),
                input.as_bytes(),
            )
            .await;
        if let Some(Err(e)) = called {
            self.app.log.error(
                "Error running realtime after hook.",
                &[
                    ("hook", hooked.name.into()),
                    ("error", e.message.as_str().into()),
                ],
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A client message, decoded, given to a hook and decoded back from
    /// what the hook got: the same message (a hook that changes nothing
    /// changes nothing).
    #[test]
    fn messages_cross_to_hooks_and_back_unchanged() {
        let u = "6b3f0c3e-0000-4000-8000-000000000001";
        for (text, name, form) in [
            (r#"{"ping":{}}"#, "Ping", "{}".to_string()),
            (
                r#"{"channelJoin":{"target":"lobby","type":"1","hidden":false}}"#,
                "ChannelJoin",
                r#"{"hidden":false,"target":"lobby","type":1}"#.to_string(),
            ),
            (
                &format!(
                    r#"{{"match_data_send":{{"match_id":"m.","op_code":7,"data":"aGk","presences":[{{"user_id":"{u}","session_id":"{u}","status":"x"}}]}}}}"#
                ),
                "MatchDataSend",
                format!(
                    r#"{{"data":"aGk=","match_id":"m.","op_code":"7","presences":[{{"session_id":"{u}","status":"x","user_id":"{u}"}}]}}"#
                ),
            ),
            (
                r#"{"match_join":{"token":"t","metadata":{"a":"b"}}}"#,
                "MatchJoin",
                r#"{"metadata":{"a":"b"},"token":"t"}"#.to_string(),
            ),
            (
                r#"{"matchmaker_add":{"min_count":2,"max_count":"4","numeric_properties":{"r":1.5},"count_multiple":0}}"#,
                "MatchmakerAdd",
                r#"{"count_multiple":0,"max_count":4,"min_count":2,"numeric_properties":{"r":1.5}}"#
                    .to_string(),
            ),
            (
                r#"{"status_follow":{"user_ids":["a"],"usernames":["b","c"]}}"#,
                "StatusFollow",
                r#"{"user_ids":["a"],"usernames":["b","c"]}"#.to_string(),
            ),
            (
                r#"{"status_update":{"status":""}}"#,
                "StatusUpdate",
                r#"{"status":""}"#.to_string(),
            ),
            (
                r#"{"status_update":{}}"#,
                "StatusUpdate",
                "{}".to_string(),
            ),
            (
                r#"{"status_unfollow":{"user_ids":["a"]}}"#,
                "StatusUnfollow",
                r#"{"user_ids":["a"]}"#.to_string(),
            ),
            (
                r#"{"channel_message_update":{"channel_id":"2...x","message_id":"m","content":"{}"}}"#,
                "ChannelMessageUpdate",
                r#"{"channel_id":"2...x","content":"{}","message_id":"m"}"#.to_string(),
            ),
            (
                r#"{"party_create":{"open":true,"maxSize":4,"label":"{}"}}"#,
                "PartyCreate",
                r#"{"label":"{}","max_size":4,"open":true}"#.to_string(),
            ),
            (
                &format!(
                    r#"{{"party_accept":{{"party_id":"p.n","presence":{{"user_id":"{u}","session_id":"{u}","username":"x"}}}}}}"#
                ),
                "PartyAccept",
                format!(
                    r#"{{"party_id":"p.n","presence":{{"session_id":"{u}","user_id":"{u}","username":"x"}}}}"#
                ),
            ),
            (
                r#"{"party_data_send":{"party_id":"p.n","op_code":2,"data":"aGk"}}"#,
                "PartyDataSend",
                r#"{"data":"aGk=","op_code":"2","party_id":"p.n"}"#.to_string(),
            ),
            (
                r#"{"party_matchmaker_add":{"party_id":"p.n","min_count":2,"max_count":2}}"#,
                "PartyMatchmakerAdd",
                r#"{"max_count":2,"min_count":2,"party_id":"p.n"}"#.to_string(),
            ),
        ] {
            let message = decode::envelope(text).unwrap().message.unwrap();
            let hooked = message.hooked().unwrap();
            assert_eq!(hooked.name, name);
            assert_eq!(message.hook_name(), Some(name));
            assert_eq!(hooked.message.to_string(), form, "{text}");
            let json = serde_json::from_str(&hooked.message.to_string()).unwrap();
            assert_eq!(decode::request(hooked.field, json).unwrap(), message, "{text}");
        }
        let rpc = decode::envelope(r#"{"rpc":{"id":"x"}}"#)
            .unwrap()
            .message
            .unwrap();
        assert!(rpc.hooked().is_none(), "Nakama has no hooks on rpc");
    }
}
