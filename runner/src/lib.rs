//! # kokoro-bench (runner)
//!
//! The native CLI's library: what can be measured ([`targets`]: the in-process Kokoro [`engine`],
//! HTTP servers, a scripted fake), the kinds of measurement ([`suites`], one module each behind a
//! registry), voice-agent turns ([`turns`]: text arriving like a model's output), the driver that runs a plan into a bundle ([`run`]), measurement helpers
//! ([`measure`]), the set-up step ([`setup`]) and the commands ([`commands`]). `main.rs` only
//! parses and dispatches.

#![warn(missing_docs)]
#![warn(clippy::too_many_lines)]
#![cfg_attr(test, allow(clippy::too_many_lines))]

pub mod cli;
pub mod commands;
pub mod context;
pub mod engine;
pub mod fsutil;
pub mod judges;
pub mod measure;
pub mod redact;
pub mod run;
pub mod setup;
pub mod suites;
pub mod targets;
pub mod timefmt;
pub mod turns;
