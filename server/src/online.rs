//! The sessions connected over the realtime socket, by user, and what the
//! server pushes to them without being asked: what matches send, what the
//! matchmaker found, chat messages and presences, status presences
//! ([`crate::status`]), and notifications (Nakama's notification stream: a
//! notification reaches every socket its user has open when it is sent,
//! persistent or not).

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use nakama_runtime_host::abi::api;
use nakama_runtime_host::abi::matches::{Presence, PresenceReason};
use nakama_runtime_host::abi::matchmaker::MatchmakerEntry;
use tokio::sync::{mpsc, Notify};

/// What the server pushes to one session.
#[derive(Debug, Clone, PartialEq)]
pub enum Outbound {
    /// A `match_data` envelope.
    Data {
        match_id: String,
        sender: Option<Presence>,
        op_code: i64,
        data: Vec<u8>,
        reliable: bool,
    },
    /// A `match_presence_event` envelope.
    Presences {
        match_id: String,
        joins: Vec<Presence>,
        leaves: Vec<Presence>,
    },
    /// A `notifications` envelope.
    Notifications(Vec<api::Notification>),
    /// A `matchmaker_matched` envelope.
    Matched(Matched),
    /// A `channel_message` envelope.
    ChannelMessage(Box<api::ChannelMessage>),
    /// A `channel_presence_event` envelope.
    ChannelPresences(crate::channels::PresenceEvent),
    /// A `status_presence_event` envelope.
    StatusPresences(crate::status::Event),
    /// A stream's envelope (`stream_data`, `stream_presence_event`, or a
    /// module's own through `stream_send_raw`), already encoded.
    Stream(String),
    /// The session's answer to a request of its own, already encoded, to
    /// go out after what was pushed to it before (a chat message's
    /// acknowledgement after the sender's own copy of the message).
    Reply(String),
    /// The server ends the session (`session_disconnect`, a ban, a
    /// deleted account), after sending it these notifications, if any;
    /// its match presences leave with this reason.
    Close(Vec<api::Notification>, PresenceReason),
}

/// The matchmaker put this session's ticket in a group.
#[derive(Debug, Clone, PartialEq)]
pub struct Matched {
    /// The session's own ticket.
    pub ticket: String,
    pub id: MatchedId,
    /// Everyone in the group.
    pub users: Vec<MatchmakerEntry>,
    /// Which of `users` this session is.
    pub self_index: usize,
}

/// What a matched group joins.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MatchedId {
    /// The match the matched hook made.
    MatchId(String),
    /// A token for a relayed match (no hook, or it made no match).
    Token(String),
}

/// Where a session's pushes go. At most [`SendQueue`]'s size of them (and
/// of the session's answers) wait for the socket's writer, as in Nakama's
/// outgoing queue: one more fails and has the socket closed.
#[derive(Debug, Clone)]
pub struct Outbox {
    tx: mpsc::UnboundedSender<Outbound>,
    queue: Arc<SendQueue>,
}

impl Outbox {
    /// An outbox counted against `queue`; the socket's writer takes what
    /// comes out of the receiver and gives each place back
    /// ([`SendQueue::leave`]), but for a [`Outbound::Close`].
    pub fn channel(queue: Arc<SendQueue>) -> (Outbox, mpsc::UnboundedReceiver<Outbound>) {
        let (tx, rx) = mpsc::unbounded_channel();
        (Outbox { tx, queue }, rx)
    }

    /// An outbox with no limit, for sessions with no socket whose
    /// messages a test reads (the test host's connections, unit tests).
    pub fn unlimited() -> (Outbox, mpsc::UnboundedReceiver<Outbound>) {
        Outbox::channel(Arc::new(SendQueue::new(usize::MAX / 2)))
    }

    /// Queues `out`; false when the socket has closed or its queue is
    /// full. A close is never refused for a full queue (Nakama's does not
    /// go through it).
    pub fn send(&self, out: Outbound) -> bool {
        let counted = !matches!(out, Outbound::Close(..));
        if counted && !self.queue.enter() {
            return false;
        }
        let sent = self.tx.send(out).is_ok();
        if counted && !sent {
            self.queue.leave();
        }
        sent
    }

    pub fn is_closed(&self) -> bool {
        self.tx.is_closed()
    }

    /// Whether both lead to the same socket.
    #[cfg(test)]
    pub fn same_channel(&self, other: &Outbox) -> bool {
        self.tx.same_channel(&other.tx)
    }
}

/// One socket's outgoing queue (`socket.outgoing_queue_size`): how many
/// messages may wait for its writer. A client that does not read what it
/// is sent fills it, and Nakama then closes its socket rather than hold
/// more for it or drop some (`session outgoing queue full`).
#[derive(Debug)]
pub struct SendQueue {
    waiting: AtomicUsize,
    size: usize,
    full: Notify,
}

impl SendQueue {
    pub fn new(size: usize) -> SendQueue {
        SendQueue {
            waiting: AtomicUsize::new(0),
            size,
            full: Notify::new(),
        }
    }

    /// Takes a place for one message; when none is left, tells the writer
    /// ([`SendQueue::overflowed`]) and answers false.
    pub fn enter(&self) -> bool {
        if self.waiting.fetch_add(1, Ordering::SeqCst) < self.size {
            return true;
        }
        self.waiting.fetch_sub(1, Ordering::SeqCst);
        self.full.notify_one();
        false
    }

    /// The writer took a message out.
    pub fn leave(&self) {
        self.waiting.fetch_sub(1, Ordering::SeqCst);
    }

    /// Resolves once a message found the queue full (at once if one did
    /// before).
    pub async fn overflowed(&self) {
        self.full.notified().await
    }
}

/// One open socket.
struct Conn {
    session_id: String,
    username: String,
    node: String,
    outbox: Outbox,
}

/// Each user's open sockets.
type Users = HashMap<String, Vec<Conn>>;

/// What makes a session (`user_id`, `session_id`) leave everything it is
/// in: the host's, set once it is built.
type Leaver = Arc<dyn Fn(&str, &str, PresenceReason) + Send + Sync>;

/// The connected sessions, by user id.
#[derive(Clone, Default)]
pub struct Online {
    users: Arc<Mutex<Users>>,
    /// The streams modules put sessions on (`stream_*`); a session leaves
    /// them all when its socket closes.
    pub streams: crate::streams::Streams,
    leaver: Arc<OnceLock<Leaver>>,
}

impl Online {
    /// A socket of `user_id` opened.
    pub fn connect(&self, user_id: &str, session_id: &str, outbox: Outbox) {
        self.connect_as(
            &Presence {
                user_id: user_id.to_string(),
                session_id: session_id.to_string(),
                ..Presence::default()
            },
            outbox,
        );
    }

    /// A socket opened, with the username and node its presences show.
    pub fn connect_as(&self, who: &Presence, outbox: Outbox) {
        self.lock()
            .entry(who.user_id.clone())
            .or_default()
            .push(Conn {
                session_id: who.session_id.clone(),
                username: who.username.clone(),
                node: who.node.clone(),
                outbox,
            });
    }

    /// The connected session `session_id` (of any user): its presence, as
    /// `user_id`, and its outbox.
    pub fn session(&self, session_id: &str, user_id: &str) -> Option<(Presence, Outbox)> {
        let users = self.lock();
        let c = users
            .values()
            .flatten()
            .find(|c| c.session_id == session_id)?;
        let who = Presence {
            user_id: user_id.to_string(),
            session_id: c.session_id.clone(),
            username: c.username.clone(),
            node: c.node.clone(),
            ..Presence::default()
        };
        Some((who, c.outbox.clone()))
    }

    /// The open sockets of `user_id`, as presences.
    pub fn sessions_of(&self, user_id: &str) -> Vec<Presence> {
        self.lock().get(user_id).map_or_else(Vec::new, |sessions| {
            sessions
                .iter()
                .map(|c| Presence {
                    user_id: user_id.to_string(),
                    session_id: c.session_id.clone(),
                    username: c.username.clone(),
                    node: c.node.clone(),
                    ..Presence::default()
                })
                .collect()
        })
    }

    /// Sends `out` to the session `session_id` (of any user), if it is
    /// connected.
    pub fn send_session(&self, session_id: &str, out: Outbound) {
        if let Some(c) = self
            .lock()
            .values()
            .flatten()
            .find(|c| c.session_id == session_id)
        {
            let _ = c.outbox.send(out);
        }
    }

    /// Sets what [`Online::close_session`] makes a session leave (once;
    /// later calls change nothing).
    pub fn set_leaver(&self, leave: impl Fn(&str, &str, PresenceReason) + Send + Sync + 'static) {
        let _ = self.leaver.set(Arc::new(leave));
    }

    /// A module's `session_disconnect`: the session leaves everything at
    /// once, as Nakama's session close does within the call (a module
    /// that looks right after finds it gone), then its socket closes
    /// (whose own cleanup then finds nothing left to leave). An unknown
    /// session is no matter.
    pub fn close_session(&self, session_id: &str, reason: PresenceReason) {
        let found = self.lock().iter().find_map(|(user, conns)| {
            conns
                .iter()
                .find(|c| c.session_id == session_id)
                .map(|c| (user.clone(), c.outbox.clone()))
        });
        let Some((user_id, outbox)) = found else {
            return;
        };
        if let Some(leave) = self.leaver.get() {
            leave(&user_id, session_id, reason);
        }
        let _ = outbox.send(Outbound::Close(Vec::new(), reason));
    }

    /// That socket closed: the streams modules had put it on.
    pub fn disconnect(&self, user_id: &str, session_id: &str) -> Vec<crate::channels::Stream> {
        {
            let mut users = self.lock();
            if let Some(sessions) = users.get_mut(user_id) {
                sessions.retain(|c| c.session_id != session_id);
                if sessions.is_empty() {
                    users.remove(user_id);
                }
            }
        }
        self.streams.untrack_all(session_id)
    }

    /// Sends `notifications` to every socket `user_id` has open, in one
    /// envelope; nothing if none is open.
    pub fn notify(&self, user_id: &str, notifications: Vec<api::Notification>) {
        if notifications.is_empty() {
            return;
        }
        if let Some(sessions) = self.lock().get(user_id) {
            for c in sessions {
                let _ = c
                    .outbox
                    .send(Outbound::Notifications(notifications.clone()));
            }
        }
    }

    /// Sends `notification` to every open socket, whoever its user
    /// (`notification_send_all` when not persistent).
    pub fn notify_all(&self, notification: &api::Notification) {
        for sessions in self.lock().values() {
            for c in sessions {
                let _ = c
                    .outbox
                    .send(Outbound::Notifications(vec![notification.clone()]));
            }
        }
    }

    /// Closes every socket `user_id` has open but `keep`'s, each after
    /// `last` (Nakama's `Disconnect` of the user's sessions; with `keep`,
    /// `session.single_socket`'s closing of the older ones).
    pub fn close_user(&self, user_id: &str, keep: Option<&str>, last: Vec<api::Notification>) {
        if let Some(sessions) = self.lock().get(user_id) {
            for c in sessions
                .iter()
                .filter(|c| Some(c.session_id.as_str()) != keep)
            {
                let _ = c
                    .outbox
                    .send(Outbound::Close(last.clone(), PresenceReason::Disconnect));
            }
        }
    }

    /// Sends `out` to one session, if it is still connected.
    pub fn send(&self, user_id: &str, session_id: &str, out: Outbound) {
        if let Some(sessions) = self.lock().get(user_id) {
            if let Some(c) = sessions.iter().find(|c| c.session_id == session_id) {
                let _ = c.outbox.send(out);
            }
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Users> {
        self.users.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// How many sockets are open (Nakama's `sessions` gauge).
    pub fn session_count(&self) -> usize {
        self.lock().values().map(Vec::len).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_full_queue_refuses_a_push_and_tells_the_writer_but_a_close_goes_through() {
        let queue = Arc::new(SendQueue::new(2));
        let (outbox, mut rx) = Outbox::channel(queue.clone());
        let push = || Outbound::Stream("{}".into());
        assert!(outbox.send(push()));
        assert!(queue.enter(), "an answer takes the second place");
        assert!(!outbox.send(push()), "the third is refused");
        // The writer hears of it even though it was not waiting then.
        tokio::time::timeout(std::time::Duration::from_secs(1), queue.overflowed())
            .await
            .expect("the writer is told");
        let close = Outbound::Close(Vec::new(), PresenceReason::Disconnect);
        assert!(outbox.send(close));
        // Taking one out makes room again.
        assert_eq!(rx.recv().await, Some(push()));
        queue.leave();
        assert!(outbox.send(push()));
        drop(rx);
        assert!(!outbox.send(push()), "a closed socket refuses");
        // The answer and the last push hold the places; the refused one
        // took none.
        queue.leave();
        assert!(queue.enter());
        assert!(!queue.enter());
    }

    #[test]
    fn notifications_reach_every_open_socket_of_their_user_only() {
        let online = Online::default();
        let (a1, mut a1_rx) = Outbox::unlimited();
        let (a2, mut a2_rx) = Outbox::unlimited();
        let (b, mut b_rx) = Outbox::unlimited();
        online.connect("alice", "s1", a1);
        online.connect("alice", "s2", a2);
        online.connect("bob", "s3", b);
        let n = api::Notification {
            subject: "hi".into(),
            ..Default::default()
        };
        online.notify("alice", vec![n.clone()]);
        for rx in [&mut a1_rx, &mut a2_rx] {
            assert_eq!(
                rx.try_recv().unwrap(),
                Outbound::Notifications(vec![n.clone()])
            );
        }
        assert!(b_rx.try_recv().is_err());
        online.disconnect("alice", "s1");
        online.notify("alice", vec![n]);
        assert!(a1_rx.try_recv().is_err());
        assert!(a2_rx.try_recv().is_ok());
    }
}
