//! Typed match signals: a Rust type for what `match_signal` sends a match
//! and one for its reply, with the caller's user carried along and errors
//! keeping their gRPC code.
//!
//! Nakama's `MatchSignal` passes one string in and one string out, and the
//! match sees its own context, not the caller's. A [`MatchSignal`] type
//! sent with [`Nakama::match_signal_typed`](crate::Nakama::match_signal_typed)
//! travels as JSON with the sending call's user ([`Caller`]); the match
//! reads it with [`Signal::answer`], and the sender gets back its
//! [`MatchSignal::Reply`] or the match's [`Error`]. It is plain JSON in
//! Nakama's string, so it works the same on every host.
//!
//! ```
//! use nakama_runtime::matches::{MatchSignal, Signal};
//! use nakama_runtime::prelude::*;
//! use serde::{Deserialize, Serialize};
//!
//! #[derive(Serialize, Deserialize)]
//! enum ArenaSignal {
//!     Seat,
//!     Count,
//! }
//!
//! #[derive(Serialize, Deserialize)]
//! struct Seats {
//!     taken: usize,
//! }
//!
//! impl MatchSignal for ArenaSignal {
//!     type Reply = Seats;
//! }
//!
//! struct Arena {
//!     seats: Vec<String>,
//! }
//!
//! impl Match for Arena {
//!     async fn init(_: &Context, _: &Nakama, _: MatchParams) -> Result<MatchInit<Self>, Error> {
//!         Ok(MatchInit::new(Arena { seats: vec![] }, 10))
//!     }
//!     async fn tick(&mut self, _: &Context, _: &Nakama, _: &mut Dispatcher, _: Vec<MatchData>) {}
//!
//!     async fn signal(&mut self, _: &Context, _: &Nakama, _: &mut Dispatcher, data: String) -> String {
//!         Signal::<ArenaSignal>::answer(&data, async |s| {
//!             let caller = s.caller.ok_or_else(|| Error::permission_denied("players only"))?;
//!             if let ArenaSignal::Seat = s.signal {
//!                 self.seats.push(caller.user_id);
//!             }
//!             Ok::<_, Error>(Seats { taken: self.seats.len() })
//!         })
//!         .await
//!     }
//! }
//!
//! // From an RPC, say: the match learns who asked.
//! async fn take_seat(ctx: &Context, nk: &Nakama, match_id: &str) -> Result<usize, Error> {
//!     let seats = nk.match_signal_typed(ctx, match_id, &ArenaSignal::Seat).await?;
//!     Ok(seats.taken)
//! }
//! ```

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::{Code, Context, Error};

/// A signal a match can be sent, as a Rust type (its JSON on the wire),
/// and the type of the match's reply to it.
pub trait MatchSignal: Serialize + DeserializeOwned {
    type Reply: Serialize + DeserializeOwned;
}

/// Who sent a typed signal: the user of the call that sent it, as that
/// call's [`Context`] had them. Clients cannot signal a match themselves:
/// only module code does, through `match_signal`, so this is what the
/// sending module's host authenticated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Caller {
    pub user_id: String,
    pub username: String,
    /// The caller's realtime session, when the sending call came over
    /// the socket.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_id: Option<String>,
}

impl Caller {
    /// The user of `ctx`; `None` for server-to-server calls (http_key,
    /// background work).
    pub fn of(ctx: &Context) -> Option<Caller> {
        Some(Caller {
            user_id: ctx.user_id()?.to_string(),
            username: ctx.username().unwrap_or_default().to_string(),
            session_id: ctx.session_id().map(str::to_string),
        })
    }
}

/// A typed signal as the match receives it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Signal<S> {
    pub signal: S,
    /// `None` when the sender had no user (http_key, background work).
    #[serde(default)]
    pub caller: Option<Caller>,
}

/// A reply on the wire: the match's reply, or its error with its code.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
enum Reply<R> {
    Reply(R),
    Error { code: u32, message: String },
}

impl<S: MatchSignal> Signal<S> {
    /// The signal in `data`, what [`Match::signal`](crate::Match::signal)
    /// got. `INVALID_ARGUMENT` naming `S` when it is not one (a plain
    /// `match_signal` string, say).
    pub fn read(data: &str) -> Result<Signal<S>, Error> {
        serde_json::from_str(data).map_err(|e| {
            Error::invalid_argument(format!(
                "the signal is not a typed {t} (the sender must use \
                 Nakama::match_signal_typed with a {t}): {e}",
                t = std::any::type_name::<S>()
            ))
        })
    }

    /// The string [`Match::signal`](crate::Match::signal) answers for
    /// `result`: the sender's `match_signal_typed` gets it back as it was,
    /// an error with its code.
    pub fn reply<E: Into<Error>>(result: Result<S::Reply, E>) -> String {
        let reply = match result {
            Ok(r) => Reply::Reply(r),
            Err(e) => {
                let e: Error = e.into();
                Reply::Error {
                    code: e.code().as_u32(),
                    message: e.message().to_string(),
                }
            }
        };
        serde_json::to_string(&reply).unwrap_or_else(|e| {
            let e = Error::internal(format!(
                "the reply to a {} could not be encoded: {e}",
                std::any::type_name::<S>()
            ));
            Self::reply::<Error>(Err(e))
        })
    }

    /// Reads `data`, hands the signal to `handle` and answers its result:
    /// the whole of a typed [`Match::signal`](crate::Match::signal).
    /// `data` that is not a typed `S` answers an `INVALID_ARGUMENT`
    /// without calling `handle`.
    pub async fn answer<E: Into<Error>>(
        data: &str,
        handle: impl AsyncFnOnce(Signal<S>) -> Result<S::Reply, E>,
    ) -> String {
        match Self::read(data) {
            Ok(signal) => Self::reply(handle(signal).await),
            Err(e) => Self::reply::<Error>(Err(e)),
        }
    }
}

/// What `match_signal_typed` sends for `signal` from `ctx`'s user.
pub(crate) fn encode<S: MatchSignal>(ctx: &Context, signal: &S) -> Result<String, Error> {
    #[derive(Serialize)]
    struct Sent<'a, S> {
        signal: &'a S,
        #[serde(skip_serializing_if = "Option::is_none")]
        caller: Option<Caller>,
    }
    serde_json::to_string(&Sent {
        signal,
        caller: Caller::of(ctx),
    })
    .map_err(|e| {
        Error::invalid_argument(format!(
            "a {} could not be encoded: {e}",
            std::any::type_name::<S>()
        ))
    })
}

/// The reply `match_signal` answered, read back: the match's reply or
/// its error.
pub(crate) fn decode<S: MatchSignal>(match_id: &str, reply: &str) -> Result<S::Reply, Error> {
    match serde_json::from_str::<Reply<S::Reply>>(reply) {
        Ok(Reply::Reply(r)) => Ok(r),
        Ok(Reply::Error { code, message }) => Err(Error::new(Code::from_u32(code), message)),
        Err(e) => {
            const SHOWN: usize = 200;
            let mut shown = reply.to_string();
            if shown.len() > SHOWN {
                let mut end = SHOWN;
                while !shown.is_char_boundary(end) {
                    end -= 1;
                }
                shown.truncate(end);
                shown.push('…');
            }
            Err(Error::internal(format!(
                "match {match_id} did not answer a typed reply to a {} \
                 (does its signal use Signal::answer?): {e}; it answered {shown:?}",
                std::any::type_name::<S>()
            )))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    enum Probe {
        Who,
        Add(i64),
    }

    impl MatchSignal for Probe {
        type Reply = i64;
    }

    #[test]
    fn a_reply_goes_back_as_it_was_and_an_error_keeps_its_code() {
        let ok = Signal::<Probe>::reply::<Error>(Ok(42));
        assert_eq!(ok, r#"{"reply":42}"#);
        assert_eq!(decode::<Probe>("m", &ok), Ok(42));
        let err = Signal::<Probe>::reply(Err(Error::permission_denied("not yours")));
        assert_eq!(err, r#"{"error":{"code":7,"message":"not yours"}}"#);
        assert_eq!(
            decode::<Probe>("m", &err),
            Err(Error::permission_denied("not yours"))
        );
    }

    #[test]
    fn a_signal_is_read_with_its_caller_or_refused_naming_its_type() {
        let s = Signal::<Probe>::read(
            r#"{"signal":{"Add":2},"caller":{"user_id":"u1","username":"ann"}}"#,
        )
        .unwrap();
        assert_eq!(s.signal, Probe::Add(2));
        let caller = s.caller.unwrap();
        assert_eq!((caller.user_id.as_str(), caller.session_id), ("u1", None));
        assert_eq!(
            Signal::<Probe>::read(r#"{"signal":"Who"}"#).unwrap().caller,
            None
        );
        let e = Signal::<Probe>::read("players").unwrap_err();
        assert_eq!(e.code(), Code::InvalidArgument);
        assert!(
            e.message().starts_with(
                "the signal is not a typed nakama_runtime::matches::signal::tests::Probe \
                 (the sender must use Nakama::match_signal_typed with a \
                 nakama_runtime::matches::signal::tests::Probe): expected value"
            ),
            "{e}"
        );
    }

    #[test]
    fn an_untyped_reply_is_an_error_that_shows_it() {
        let e = decode::<Probe>("m.n", "").unwrap_err();
        assert_eq!(e.code(), Code::Internal);
        assert!(e
            .message()
            .starts_with("match m.n did not answer a typed reply to a "));
        assert!(e.message().ends_with("it answered \"\""), "{e}");
        let long = "é".repeat(300);
        let e = decode::<Probe>("m.n", &long).unwrap_err();
        assert!(e.message().ends_with("…\""), "{e}");
        assert!(e.message().len() < 500, "{e}");
    }

    #[test]
    fn answer_hands_over_the_signal_or_refuses_what_is_not_one() {
        fn now<F: std::future::Future>(f: F) -> F::Output {
            let mut f = std::pin::pin!(f);
            let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
            match f.as_mut().poll(&mut cx) {
                std::task::Poll::Ready(v) => v,
                std::task::Poll::Pending => panic!("pending"),
            }
        }
        let mut total = 1;
        let reply = now(Signal::<Probe>::answer(
            r#"{"signal":{"Add":2}}"#,
            async |s| match s.signal {
                Probe::Add(n) => {
                    total += n;
                    Ok::<_, Error>(total)
                }
                Probe::Who => Err(Error::not_found("nobody")),
            },
        ));
        assert_eq!(decode::<Probe>("m", &reply), Ok(3));
        let mut called = false;
        let reply = now(Signal::<Probe>::answer("{}", async |_| {
            called = true;
            Ok::<_, Error>(0)
        }));
        assert!(!called);
        assert_eq!(
            decode::<Probe>("m", &reply).unwrap_err().code(),
            Code::InvalidArgument
        );
    }
}
