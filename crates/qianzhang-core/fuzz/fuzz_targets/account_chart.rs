#![no_main]

use std::cell::RefCell;

use libfuzzer_sys::fuzz_target;

#[path = "../targets.rs"]
mod targets;

thread_local! {
    static HARNESS: RefCell<targets::Harness> = RefCell::new(targets::Harness::new());
}

fuzz_target!(|data: &[u8]| {
    HARNESS.with(|h| {
        targets::account_chart(&mut h.borrow_mut(), data);
    });
});
