//! The `qianzhang` command line lives in the binary (`src/main.rs`). This
//! library is empty: it exists so that the crate's own tests can depend on
//! the crate with the `test-clock` feature, which cargo then turns on for
//! the binary the tests run.
