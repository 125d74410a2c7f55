//! The stream and session nk functions, as Nakama's Go runtime serves
//! them (server/runtime_go_nakama.go `Stream*`, `SessionDisconnect`,
//! `SessionLogout`): its argument checks and words, then the host's
//! stream tracker ([`crate::streams`]), sockets ([`crate::online`]) and
//! tokens ([`crate::session`]).

use nakama_runtime_host::abi::matches::{Presence, PresenceReason};
use nakama_runtime_host::abi::nk::{self, reason, NkFunction};
use nakama_runtime_host::abi::Code;
use nakama_runtime_host::{BoxFuture, CallError};

use super::{decode, encode, DevHostApi};
use crate::channels::{go_uuid, Stream};
use crate::matches::Matches;
use crate::online::{Online, Outbound, Outbox};
use crate::parties::Parties;
use crate::session::LogoutError;
use crate::status::Statuses;
use crate::streams::{self, Meta};

type Answer = BoxFuture<'static, Result<Vec<u8>, CallError>>;

fn refuse(message: &str) -> CallError {
    CallError::new(Code::InvalidArgument, message)
}

/// An id as gofrs reads it, in the canonical form the host keys by.
fn id(v: &str, refusal: &str) -> Result<String, CallError> {
    go_uuid(v)
        .map(|u| u.to_string())
        .ok_or_else(|| refuse(refusal))
}

fn stream(s: &nk::Stream) -> Result<Stream, CallError> {
    streams::parse(s).map_err(refuse)
}

/// The user, session and stream of a function about one presence, checked
/// in Nakama's order.
fn presence(a: &nk::StreamUserArgs) -> Result<(String, String, Stream), CallError> {
    let user = id(&a.user_id, "expects valid user id")?;
    let session = id(&a.session_id, "expects valid session id")?;
    Ok((user, session, stream(&a.stream)?))
}

/// Runs one function on the host's sockets and streams, synchronously.
fn run<F: NkFunction>(
    online: &Online,
    args: &[u8],
    f: impl FnOnce(&Online, F::Args) -> Result<F::Output, CallError>,
) -> Answer {
    let out = decode::<F::Args>(F::NAME, args).and_then(|a| f(online, a));
    let answer = out.and_then(|o| encode(&o));
    Box::pin(async move { answer })
}

/// Whether session `session` is another node's: Nakama's stream manager
/// refuses those (`node not found`) by the node hash its ids end with.
/// The dev host's sessions carry it too; a connected session without it
/// (a `TestHost` one) counts as this node's.
fn another_nodes(online: &Online, session: &str, node: &str) -> bool {
    online.session(session, "").is_none()
        && !go_uuid(session).is_some_and(|u| streams::of_node(&u, node))
}

fn not_found(message: &str) -> CallError {
    CallError::new(Code::NotFound, message)
}

/// `stream_user_join` and `stream_user_update`.
fn join(
    online: &Online,
    tracked: &Tracked,
    node: &str,
    a: nk::StreamUserJoinArgs,
    update: bool,
) -> Result<bool, CallError> {
    let (user, session, s) = presence(&nk::StreamUserArgs {
        stream: a.stream,
        user_id: a.user_id,
        session_id: a.session_id,
    })?;
    if another_nodes(online, &session, node) {
        return Err(not_found("node not found"));
    }
    let (who, outbox) = online
        .session(&session, &user)
        .ok_or_else(|| not_found("session not found"))?;
    let meta = Meta {
        hidden: a.hidden,
        persistence: a.persistence,
        status: a.status,
        reason: 0,
    };
    if is_own_status(&s, &who) && !meta.hidden {
        // Nakama's tracker hands status presences to its status registry,
        // which tells the user's followers.
        if update {
            let _ = tracked.status.update(&who, Some(&meta.status));
            return Ok(true);
        }
        return Ok(tracked.status.stream_join(&who, &meta.status));
    }
    if update {
        online.streams.update(&s, &who, &outbox, meta);
        return Ok(true);
    }
    // Nakama's tracker has one presence of a session's user on a stream:
    // the host's own (a socket's, a match's, a party's) stays as it is.
    if host_presences(online, tracked, &s)
        .iter()
        .any(|p| p.session_id == session && p.user_id == user)
    {
        return Ok(false);
    }
    if let Some(joined) = join_party(tracked, &s, &who, &outbox) {
        return Ok(joined);
    }
    Ok(online.streams.track(&s, &who, &outbox, meta))
}

/// Whether `s` is the status stream of `who`'s own user.
fn is_own_status(s: &Stream, who: &Presence) -> bool {
    s.mode == 1
        && s.label.is_empty()
        && s.subcontext.is_nil()
        && s.subject.to_string() == who.user_id
}

/// A session put on the stream of a party hosted here joins the party
/// (see [`crate::parties::Parties::stream_join`]): whether it joined, or
/// `None` when `s` is not such a stream or the party is full (the session
/// is then only on the stream, as in Nakama).
fn join_party(t: &Tracked, s: &Stream, who: &Presence, outbox: &Outbox) -> Option<bool> {
    if s.mode != 7 || !s.subcontext.is_nil() || s.label != t.matches.node() {
        return None;
    }
    let member = crate::parties::Member {
        presence: who.clone(),
        outbox: outbox.clone(),
    };
    let id = format!("{}.{}", s.subject, s.label);
    let pushes = t.parties.as_ref()?.stream_join(member, &id).ok()?;
    let joined = !pushes.is_empty();
    crate::parties::deliver(pushes);
    Some(joined)
}

/// `stream_send` and `stream_send_raw`: to the stream (the host's own
/// presences there too, as Nakama's router finds them in its tracker), or
/// to the sessions named.
fn send(
    online: &Online,
    tracked: &Tracked,
    s: &nk::Stream,
    presences: &[Presence],
    out: impl FnOnce(&Stream) -> Result<Outbound, CallError>,
) -> Result<(), CallError> {
    let s = stream(s)?;
    let sessions = presences
        .iter()
        .map(|p| {
            id(
                &p.session_id,
                "expects each presence session id to be a valid identifier",
            )
        })
        .collect::<Result<Vec<_>, _>>()?;
    let out = out(&s)?;
    if sessions.is_empty() {
        for p in host_presences(online, tracked, &s) {
            online.send_session(&p.session_id, out.clone());
        }
        online.streams.send(&s, &out);
    }
    // Nakama's router finds these sessions by id alone, on the stream or not.
    for session in sessions {
        online.send_session(&session, out.clone());
    }
    Ok(())
}

/// What the host tracks itself on Nakama's own streams.
#[derive(Clone)]
struct Tracked {
    matches: Matches,
    parties: Option<Parties>,
    status: Statuses,
}

/// The presences the host itself has on one of Nakama's streams: every
/// socket of a user on its notification stream (mode 0, hidden) and its
/// status presences (mode 1, with their status), the members of an
/// authoritative match (mode 6) and of a party (mode 7), these two
/// labelled with their node, as their ids are. (Chat channels' and
/// relayed matches' members, modes 2 to 5, are on the streams
/// themselves.)
fn host_presences(online: &Online, t: &Tracked, s: &Stream) -> Vec<nk::StreamPresence> {
    let listed = |p: &Presence, hidden: bool, persistence: bool| nk::StreamPresence {
        user_id: p.user_id.clone(),
        session_id: p.session_id.clone(),
        node: p.node.clone(),
        username: p.username.clone(),
        hidden,
        persistence,
        status: String::new(),
        reason: reason::JOIN,
    };
    // The tracker names its own node on every presence; relayed match
    // presences carry none of their own.
    let node = t.matches.node();
    let visible = |ps: Vec<Presence>| {
        (ps.into_iter())
            .map(|p| nk::StreamPresence {
                node: if p.node.is_empty() {
                    node.to_string()
                } else {
                    p.node.clone()
                },
                ..listed(&p, false, false)
            })
            .collect()
    };
    let plain = s.subcontext.is_nil() && s.label.is_empty();
    let on_node = s.subcontext.is_nil() && !s.label.is_empty();
    let id = format!("{}.{}", s.subject, s.label);
    match s.mode {
        0 if plain => online
            .sessions_of(&s.subject.to_string())
            .iter()
            .map(|p| listed(p, true, false))
            .collect(),
        1 if plain => (t.status.presences_of(&s.subject.to_string()).into_iter())
            .map(|(p, updated)| nk::StreamPresence {
                status: p.status,
                reason: if updated {
                    reason::UPDATE
                } else {
                    reason::JOIN
                },
                ..listed(
                    &Presence {
                        user_id: p.user_id,
                        session_id: p.session_id,
                        username: p.username,
                        node: node.to_string(),
                        ..Presence::default()
                    },
                    false,
                    false,
                )
            })
            .collect(),
        6 if on_node => visible(t.matches.presences(&id)),
        7 if on_node => visible(
            t.parties
                .as_ref()
                .map(|p| p.members(&id))
                .unwrap_or_default(),
        ),
        _ => Vec::new(),
    }
}

/// Takes the presence of `user`'s `session` off a status, authoritative
/// match or party stream: Nakama's tracker tells the user's followers,
/// the match (its handler's `leave`, with [`PresenceReason::Leave`]) or
/// the party hosted on this node, as if the session had left them
/// itself. (A relayed match's presences are on the stream itself.)
fn leave_tracked(t: &Tracked, s: &Stream, session: &str, user: &str) {
    if !s.subcontext.is_nil() {
        return;
    }
    let id = format!("{}.{}", s.subject, s.label);
    let member = |ps: Vec<Presence>| {
        ps.iter()
            .any(|p| p.session_id == session && p.user_id == user)
    };
    let node = t.matches.node();
    match s.mode {
        1 if s.label.is_empty() && s.subject.to_string() == user => t.status.leave(user, session),
        6 if s.label == node && member(t.matches.presences(&id)) => t.matches.leave(&id, session),
        7 if s.label == node => {
            if let Some(parties) = &t.parties {
                if member(parties.members(&id)) {
                    crate::parties::deliver(parties.leave(session, &id));
                }
            }
        }
        _ => {}
    }
}

/// The nk function `function`, when it is a stream or session function.
pub(super) fn call(api: &DevHostApi, function: &str, args: &[u8]) -> Option<Answer> {
    let on = &api.online;
    let tracked = Tracked {
        matches: api.matches.clone(),
        parties: api.misc.parties(),
        status: api.status.clone(),
    };
    let node = api.matches.node().to_string();
    Some(match function {
        nk::StreamUserList::NAME => run::<nk::StreamUserList>(on, args, move |on, a| {
            let s = stream(&a.stream)?;
            let mut all = host_presences(on, &tracked, &s);
            all.retain(|p| {
                if p.hidden {
                    a.include_hidden
                } else {
                    a.include_not_hidden
                }
            });
            all.extend(on.streams.list(&s, a.include_hidden, a.include_not_hidden));
            Ok(all)
        }),
        nk::StreamUserGet::NAME => run::<nk::StreamUserGet>(on, args, move |on, a| {
            let (user, session, s) = presence(&a)?;
            let host = host_presences(on, &tracked, &s)
                .into_iter()
                .find(|p| p.session_id == session && p.user_id == user)
                .map(|p| nk::PresenceMeta {
                    username: p.username,
                    hidden: p.hidden,
                    persistence: p.persistence,
                    status: p.status,
                    reason: p.reason,
                });
            Ok(host.or_else(|| on.streams.get(&s, &session, &user)))
        }),
        nk::StreamUserJoin::NAME => {
            let tracked = tracked.clone();
            run::<nk::StreamUserJoin>(on, args, move |on, a| join(on, &tracked, &node, a, false))
        }
        nk::StreamUserUpdate::NAME => {
            let tracked = tracked.clone();
            run::<nk::StreamUserUpdate>(on, args, move |on, a| {
                join(on, &tracked, &node, a, true).map(|_| ())
            })
        }
        nk::StreamUserLeave::NAME | nk::StreamUserKick::NAME => {
            // Nakama's kick is its leave.
            run::<nk::StreamUserLeave>(on, args, move |on, a| {
                let (user, session, s) = presence(&a)?;
                if another_nodes(on, &session, &node) {
                    return Err(not_found("node not found"));
                }
                leave_tracked(&tracked, &s, &session, &user);
                if on.streams.untrack(&s, &session, &user) {
                    if let Some(parties) = &tracked.parties {
                        parties.stream_left(&[s]);
                    }
                }
                Ok(())
            })
        }
        nk::StreamCount::NAME => run::<nk::StreamCount>(on, args, move |on, a| {
            let s = stream(&a.stream)?;
            Ok((host_presences(on, &tracked, &s).len() + on.streams.count(&s)) as u64)
        }),
        nk::StreamClose::NAME => run::<nk::StreamClose>(on, args, move |on, a| {
            let s = stream(&a.stream)?;
            on.streams.close(&s);
            Ok(())
        }),
        nk::StreamSend::NAME => run::<nk::StreamSend>(on, args, move |on, a| {
            send(on, &tracked, &a.stream, &a.presences, |s| {
                Ok(streams::stream_data(s, &a.data, a.reliable))
            })
        }),
        nk::StreamSendRaw::NAME => run::<nk::StreamSendRaw>(on, args, move |on, a| {
            send(on, &tracked, &a.stream, &a.presences, |_| {
                crate::realtime::protobuf::module_envelope(&a.envelope)
                    .map(Outbound::Stream)
                    .ok_or_else(|| refuse("expects a valid message"))
            })
        }),
        nk::SessionDisconnect::NAME => run::<nk::SessionDisconnect>(on, args, |on, a| {
            let session = id(&a.session_id, "expects valid session id")?;
            // Nakama passes the reason on to the session's leaves as given.
            let reason = a
                .reason
                .map_or(PresenceReason::Disconnect, PresenceReason::from_u8);
            on.close_session(&session, reason);
            Ok(())
        }),
        nk::SessionLogout::NAME => {
            let sessions = api.sessions.clone();
            run::<nk::SessionLogout>(on, args, move |_, a| {
                let user = id(&a.user_id, "expects valid user id")?;
                sessions
                    .logout(&user, &a.token, &a.refresh_token)
                    .map_err(|e| match e {
                        LogoutError::SessionToken => refuse("session token invalid"),
                        LogoutError::RefreshToken => refuse("refresh token invalid"),
                    })
            })
        }
        _ => return None,
    })
}
