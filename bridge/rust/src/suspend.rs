//! Calls that return to Go for their nk functions.
//!
//! A Go function called back from C runs on a goroutine locked to its OS
//! thread: each database round trip of an nk function run there puts the
//! thread to sleep and wakes another one for the rest of Nakama (measured:
//! ~7 more thread switches and ~20% more CPU per request on a handler
//! making two storage calls). So in a call started suspendable (Go does
//! so for handlers that have made an nk call before) a module's nk call
//! does not call Go back: its future leaves the request in the call's
//! [`Slot`] and stays pending; [`nb_call`](crate::nb_call) returns
//! `NB_NK` to Go with the request, Go runs the nk function as ordinary Go
//! code and gives the answer to [`nb_resume`](crate::nb_resume), which
//! polls the call on. Other calls, and init, call Go back.

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use nakama_runtime_host::CallError;

/// Where a suspended call's nk request and its answer wait.
#[derive(Default)]
pub struct Slot {
    request: RefCell<Option<Vec<u8>>>,
    answer: RefCell<Option<Result<Vec<u8>, CallError>>>,
}

impl Slot {
    /// The request the call is suspended on, if any.
    pub fn take_request(&self) -> Option<Vec<u8>> {
        self.request.borrow_mut().take()
    }

    pub fn has_request(&self) -> bool {
        self.request.borrow().is_some()
    }

    pub fn answer(&self, answer: Result<Vec<u8>, CallError>) {
        *self.answer.borrow_mut() = Some(answer);
    }
}

thread_local! {
    /// The slot of the call being polled on this thread (null: none, as
    /// during init). Set only around a poll, so a call resumed on another
    /// thread finds its own.
    static CURRENT: Cell<*const Slot> = const { Cell::new(std::ptr::null()) };
}

/// Runs `f` with `slot` as this thread's current slot.
pub fn with_slot<R>(slot: &Slot, f: impl FnOnce() -> R) -> R {
    struct Reset(*const Slot);
    impl Drop for Reset {
        fn drop(&mut self) {
            CURRENT.with(|c| c.set(self.0));
        }
    }
    let _reset = Reset(CURRENT.with(|c| c.replace(slot)));
    f()
}

/// The current slot, if a call that can suspend is being polled.
pub fn current() -> Option<SlotRef> {
    let p = CURRENT.with(Cell::get);
    (!p.is_null()).then_some(SlotRef(p))
}

/// A pointer to a call's slot, kept by that call's nk futures.
pub struct SlotRef(*const Slot);

// SAFETY: the slot lives in the suspended call (boxed, unmoved) for as long
// as its future, which owns the nk futures holding this; only the thread
// polling the call touches it.
unsafe impl Send for SlotRef {}

/// An nk call waiting for Go: pending until the answer is in the slot.
pub struct NkRequest {
    slot: SlotRef,
    request: Option<Vec<u8>>,
}

impl NkRequest {
    /// `request`: as Go reads it ([`crate::nkargs::request`]).
    pub fn new(slot: SlotRef, request: Vec<u8>) -> Self {
        NkRequest {
            slot,
            request: Some(request),
        }
    }
}

impl Future for NkRequest {
    type Output = Result<Vec<u8>, CallError>;

    fn poll(mut self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<Self::Output> {
        // SAFETY: see SlotRef.
        let slot = unsafe { &*self.slot.0 };
        if let Some(request) = self.request.take() {
            // An answer left by an nk future the module dropped before it
            // came is not this one's.
            slot.answer.borrow_mut().take();
            *slot.request.borrow_mut() = Some(request);
            return Poll::Pending;
        }
        match slot.answer.borrow_mut().take() {
            Some(answer) => Poll::Ready(answer),
            None => Poll::Pending,
        }
    }
}
