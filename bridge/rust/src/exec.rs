//! Runs a future to completion on the calling thread.
//!
//! The bridge's nk futures complete synchronously (the Go callback returns
//! the answer), so a module future normally finishes in its first poll and
//! no Rust runtime thread is needed. A future that stays pending (a module
//! awaiting something of its own) parks the thread until it is woken, at
//! most until the deadline.

use std::future::Future;
use std::pin::{pin, Pin};
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};
use std::thread::{self, Thread};
use std::time::{Duration, Instant};

struct ThreadWaker(Thread);

impl Wake for ThreadWaker {
    fn wake(self: Arc<Self>) {
        self.0.unpark();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.0.unpark();
    }
}

thread_local! {
    // One waker per OS thread, made on first use (Go reuses its threads).
    static WAKER: Waker = Waker::from(Arc::new(ThreadWaker(thread::current())));
}

/// Polls `fut` on this thread until it is ready (`Some`) or until `timeout`
/// has passed while it was pending (`None`; the future is dropped).
/// `None` as timeout waits for ever.
pub fn block_on<F: Future>(fut: F, timeout: Option<Duration>) -> Option<F::Output> {
    let mut fut = pin!(fut);
    match drive(fut.as_mut(), timeout, || false) {
        Step::Ready(v) => Some(v),
        _ => None,
    }
}

/// How [`drive`] stopped.
pub enum Step<T> {
    Ready(T),
    /// Pending for longer than the timeout.
    TimedOut,
    /// Pending, and `suspended` said the caller has to act first.
    Suspended,
}

/// Polls `fut` until it is ready, times out while pending, or is pending
/// with `suspended()` true (the future waits for something only the
/// caller can do; it can be driven again afterwards).
pub fn drive<F: Future + ?Sized>(
    mut fut: Pin<&mut F>,
    timeout: Option<Duration>,
    suspended: impl Fn() -> bool,
) -> Step<F::Output> {
    // Most calls finish in their first poll, which gets a waker that does
    // nothing: this thread's waker is a thread-local, and reaching one from
    // a library Go loaded with dlopen costs a call into the dynamic loader.
    // A future left pending registers the waker of its latest poll, so
    // polling again with the real one loses no wake-up.
    if let Poll::Ready(v) = fut.as_mut().poll(&mut Context::from_waker(Waker::noop())) {
        return Step::Ready(v);
    }
    if suspended() {
        return Step::Suspended;
    }
    WAKER.with(|waker| {
        let mut cx = Context::from_waker(waker);
        // The clock is read only once the future is pending.
        let mut deadline: Option<Instant> = None;
        loop {
            if let Poll::Ready(v) = fut.as_mut().poll(&mut cx) {
                return Step::Ready(v);
            }
            if suspended() {
                return Step::Suspended;
            }
            match timeout {
                None => thread::park(),
                Some(t) => {
                    let now = Instant::now();
                    let d = *deadline.get_or_insert(now + t);
                    if now >= d {
                        return Step::TimedOut;
                    }
                    thread::park_timeout(d - now);
                }
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ready_futures_finish_in_one_poll() {
        assert_eq!(block_on(async { 41 + 1 }, None), Some(42));
    }

    #[test]
    fn a_future_woken_from_another_thread_completes() {
        use std::sync::atomic::{AtomicBool, Ordering};
        struct FromThread(Option<Arc<AtomicBool>>, Arc<AtomicBool>);
        impl Future for FromThread {
            type Output = u32;
            fn poll(mut self: std::pin::Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<u32> {
                if self.1.load(Ordering::SeqCst) {
                    return Poll::Ready(7);
                }
                if let Some(flag) = self.0.take() {
                    let waker = cx.waker().clone();
                    thread::spawn(move || {
                        thread::sleep(Duration::from_millis(20));
                        flag.store(true, Ordering::SeqCst);
                        waker.wake();
                    });
                }
                Poll::Pending
            }
        }
        let flag = Arc::new(AtomicBool::new(false));
        let fut = FromThread(Some(flag.clone()), flag);
        assert_eq!(block_on(fut, Some(Duration::from_secs(5))), Some(7));
    }

    #[test]
    fn a_pending_future_times_out() {
        let start = Instant::now();
        let got = block_on(
            std::future::pending::<()>(),
            Some(Duration::from_millis(50)),
        );
        assert_eq!(got, None);
        assert!(start.elapsed() >= Duration::from_millis(50));
    }
}
