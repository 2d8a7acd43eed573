//! The only place that reads the clock.
//!
//! A default build reads the system clock and nothing else: no environment
//! variable can date an act. Built with the `test-clock` feature (the tests
//! and scripted benchmarks), `QIANZHANG_NOW` (RFC 3339, e.g.
//! `2025-03-31T18:00:00+08:00`) pins it, and `QIANZHANG_BUSY_WAIT_MS`
//! shortens the wait for a busy store. The demo pins its own story's days
//! in-process with [`pin`].

use std::sync::Mutex;
use std::time::Duration;

use time::format_description::well_known::Rfc3339;
use time::{Date, OffsetDateTime, UtcOffset};

/// Community books keep Beijing time.
const BEIJING: UtcOffset = match UtcOffset::from_hms(8, 0, 0) {
    Ok(o) => o,
    Err(_) => panic!("valid offset"),
};

/// How long a command waits, in all, for another command to let go of the
/// store before it gives up (exit 75).
const BUSY_WAIT: Duration = Duration::from_secs(10);

/// A time pinned by the program itself (the demo tells its 2025 story).
static PINNED: Mutex<Option<OffsetDateTime>> = Mutex::new(None);

/// Pins the clock for the rest of the process.
pub fn pin(at: OffsetDateTime) {
    *PINNED.lock().unwrap_or_else(|e| e.into_inner()) = Some(at);
}

pub fn now() -> OffsetDateTime {
    if let Some(t) = *PINNED.lock().unwrap_or_else(|e| e.into_inner()) {
        return t;
    }
    if let Some(t) = test_now() {
        return t;
    }
    OffsetDateTime::now_utc().to_offset(BEIJING)
}

#[cfg(feature = "test-clock")]
fn test_now() -> Option<OffsetDateTime> {
    let pinned = std::env::var("QIANZHANG_NOW").ok()?;
    match OffsetDateTime::parse(&pinned, &Rfc3339) {
        Ok(t) => Some(t),
        Err(_) => {
            eprintln!("警告：QIANZHANG_NOW={pinned} 不是 RFC 3339 时间，已改用系统时间");
            None
        }
    }
}

#[cfg(not(feature = "test-clock"))]
fn test_now() -> Option<OffsetDateTime> {
    None
}

/// Whether the clock is pinned (in-process or by the test clock): then time
/// does not pass, and a pause is not slept.
fn is_pinned() -> bool {
    PINNED.lock().map(|p| p.is_some()).unwrap_or(false) || test_now().is_some()
}

/// The time of an act as the log stores it: RFC 3339, to the second.
pub fn now_rfc3339() -> String {
    let now = now();
    now.replace_nanosecond(0).unwrap_or(now).format(&Rfc3339).expect("RFC 3339 formats every date in range")
}

pub fn today() -> Date {
    now().date()
}

/// Waits before answering (after failed passphrases); a pinned clock does
/// not pass, so nothing is slept then.
pub fn pause(d: Duration) {
    if !is_pinned() {
        std::thread::sleep(d);
    }
}

/// The one bounded wait for a busy store.
pub fn busy_wait() -> Duration {
    #[cfg(feature = "test-clock")]
    if let Some(ms) = std::env::var("QIANZHANG_BUSY_WAIT_MS").ok().and_then(|v| v.parse().ok()) {
        return Duration::from_millis(ms);
    }
    BUSY_WAIT
}
