//! Waiting inside a handler without holding up the host.

use std::time::Duration;

/// Waits `duration`, then returns, without blocking the thread that polls
/// the handler: a timer thread of the SDK (one per module, started on
/// first use) wakes the call, so it works the same on every host,
/// whatever runs the module's futures. The call counts against its time
/// limit while it waits.
///
/// ```no_run
/// # async fn f() {
/// nakama_runtime::sleep(std::time::Duration::from_millis(50)).await;
/// # }
/// ```
pub async fn sleep(duration: Duration) {
    futures_timer::Delay::new(duration).await
}

/// Nakama's wait before another storage write attempt
/// (server/core_storage.go): 2 ms doubled per attempt, at most 20 ms,
/// plus 0 to 9 ms at random so that competing writers spread out.
pub(crate) fn storage_retry_backoff(attempt: u32) -> Duration {
    use std::hash::{BuildHasher, RandomState};
    let base = (2u64 << attempt.min(4)).min(20);
    // RandomState seeds each hasher afresh: enough jitter, no RNG crate.
    let jitter = RandomState::new().hash_one(attempt) % 10;
    Duration::from_millis(base + jitter)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_backoff_grows_as_nakamas_and_stays_under_30_ms() {
        for (attempt, base) in [(0, 2), (1, 4), (2, 8), (3, 16), (4, 20), (9, 20)] {
            let d = storage_retry_backoff(attempt).as_millis() as u64;
            assert!((base..base + 10).contains(&d), "attempt {attempt}: {d} ms");
        }
    }

    #[test]
    fn sleep_waits_on_any_executor() {
        let start = std::time::Instant::now();
        futures_executor::block_on(sleep(Duration::from_millis(30)));
        assert!(start.elapsed() >= Duration::from_millis(30));
    }
}
