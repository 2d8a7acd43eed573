//! What a command that creates or changes something reports: its sentence
//! for people, or with `--json` one JSON object for scripts.
//!
//! Every such command renders through here. Without `--json`, [`crate::output::out`]
//! writes its sentence as before. With `--json`, the sentence is kept as the
//! object's `message`, the fields a command names with [`field`] (the
//! voucher's reference, the receipt's number, counts) are added, and after
//! the command succeeds [`finish`] adds the log's last entry (`seq`,
//! `fingerprint`: the chain hash after the act) and prints one object.
//! A refusal prints nothing here: its text goes to standard error as without
//! `--json`, with the same exit code.

use std::cell::RefCell;

use serde::Serialize;
use serde_json::{Map, Value};

use crate::args::Cli;
use crate::exit::Exit;

#[derive(Default)]
struct Capture {
    message: String,
    fields: Map<String, Value>,
}

thread_local! {
    static CAPTURE: RefCell<Option<Capture>> = const { RefCell::new(None) };
}

/// Whether the command's output is the JSON object: `--json` on a command
/// that creates or changes something.
pub(crate) fn wanted(cli: &Cli) -> bool {
    cli.json && (cli.command.changes_books() || matches!(cli.command, crate::args::Command::Init { .. }))
}

/// From here on, sentences and fields are collected instead of printed.
pub(crate) fn capture() {
    CAPTURE.with(|c| *c.borrow_mut() = Some(Capture::default()));
}

/// Keeps the sentence when collecting; `false` when it is to be printed.
pub(crate) fn keep(text: &str) -> bool {
    CAPTURE.with(|c| match c.borrow_mut().as_mut() {
        Some(capture) => {
            capture.message.push_str(text);
            true
        }
        None => false,
    })
}

/// Names one thing the command created or changed, under a stable English key.
pub(crate) fn field(key: &str, value: impl Serialize) {
    CAPTURE.with(|c| {
        if let Some(capture) = c.borrow_mut().as_mut() {
            let value = serde_json::to_value(value).unwrap_or(Value::Null);
            capture.fields.insert(key.to_string(), value);
        }
    });
}

/// Prints the object of a command that succeeded.
pub(crate) fn finish(cli: &Cli, command: &str) -> Result<(), Exit> {
    let Some(capture) = CAPTURE.with(|c| c.borrow_mut().take()) else { return Ok(()) };
    let mut object = Map::new();
    object.insert("ok".into(), Value::Bool(true));
    object.insert("command".into(), Value::String(command.to_string()));
    let last = crate::session::open_ledger(cli)
        .ok()
        .and_then(|ledger| qianzhang_app::ledger::log(&ledger, 1).ok().map(|tail| (ledger.name().to_string(), tail)));
    if let Some((name, tail)) = last {
        object.insert("ledger".into(), Value::String(name));
        if let Some(entry) = tail.last() {
            object.insert("seq".into(), Value::from(entry.seq));
            object.insert("fingerprint".into(), Value::String(entry.hash.to_string()));
        }
    }
    object.extend(capture.fields);
    object.insert("message".into(), Value::String(capture.message.trim_end().to_string()));
    let mut text = serde_json::to_string(&Value::Object(object)).map_err(|e| Exit::from(std::io::Error::other(e)))?;
    text.push('\n');
    crate::output::out(&text)
}

/// The command as a script names it: `voucher add`, `receipt issue`.
pub(crate) fn command_name(matches: &clap::ArgMatches) -> String {
    let mut names = Vec::new();
    let mut m = matches;
    while let Some((name, sub)) = m.subcommand() {
        names.push(name.to_string());
        m = sub;
    }
    names.join(" ")
}
