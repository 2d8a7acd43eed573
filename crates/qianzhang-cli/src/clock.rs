//! The only place that reads the clock. Tests pin it with `QIANZHANG_NOW`
//! (RFC 3339, e.g. `2025-03-31T18:00:00+08:00`).

use time::format_description::well_known::Rfc3339;
use time::{Date, OffsetDateTime, UtcOffset};

/// Community books keep Beijing time.
const BEIJING: UtcOffset = match UtcOffset::from_hms(8, 0, 0) {
    Ok(o) => o,
    Err(_) => panic!("valid offset"),
};

fn now() -> OffsetDateTime {
    if let Ok(pinned) = std::env::var("QIANZHANG_NOW") {
        if let Ok(t) = OffsetDateTime::parse(&pinned, &Rfc3339) {
            return t;
        }
        eprintln!("警告：QIANZHANG_NOW={pinned} 不是 RFC 3339 时间，已改用系统时间");
    }
    OffsetDateTime::now_utc().to_offset(BEIJING)
}

pub fn now_rfc3339() -> String {
    now().format(&Rfc3339).expect("RFC 3339 formats every date in range")
}

pub fn today() -> Date {
    now().date()
}
