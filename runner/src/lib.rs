//! # kokoro-bench (runner)
//!
//! The native CLI's library: the in-process Kokoro [`engine`], measurement helpers ([`measure`]),
//! the run loop that turns traces into bundles ([`run`]), the set-up step ([`setup`]) and the
//! commands that expose the bundle crate ([`commands`]). `main.rs` only parses and dispatches.

#![warn(missing_docs)]

pub mod cli;
pub mod commands;
pub mod engine;
pub mod fsutil;
pub mod http;
pub mod measure;
pub mod run;
pub mod setup;
pub mod timefmt;
