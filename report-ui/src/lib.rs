//! # kokoro-bench report site
//!
//! A Yew/WASM viewer for kokoro-bench bundles: run list, run detail (distributions, gates,
//! streaming timeline, audio), comparisons with the bundle crate's verdicts. Pure view-model logic
//! lives in [`viewmodel`] and is tested natively; components in [`views`] only render it.

#![warn(missing_docs)]

pub mod viewmodel;

#[cfg(target_arch = "wasm32")]
pub mod app;
pub mod load;
pub mod views;
