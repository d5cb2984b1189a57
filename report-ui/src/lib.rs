//! # kokoro-bench report site
//!
//! A Yew/WASM viewer for kokoro-bench bundles: run list, run detail, comparisons with the bundle
//! crate's verdicts, history. The URL is the state ([`route`]); what was loaded changes only
//! through a reducer ([`state`]); [`pages`] compose [`sections`] (one per suite) and shared
//! [`components`]. Pure logic lives in [`viewmodel`], [`route`] and [`state`] and is tested
//! natively; text comes from the bundle crate's `present` rows, as in the CLI.

#![warn(missing_docs)]
#![warn(clippy::too_many_lines)]
#![cfg_attr(test, allow(clippy::too_many_lines))]

#[cfg(target_arch = "wasm32")]
pub mod app;
pub mod components;
pub mod load;
pub mod pages;
pub mod route;
pub mod sections;
pub mod state;
pub mod viewmodel;
