//! dwmtj-core integration tests: one binary (config fixtures, physics against hand calculations
//! and analytic limits, properties, and the paper reproductions).

mod dynamic;
mod fixtures;
mod physics;
mod properties;
mod tilt;
mod wall;

use dwmtj_core::config::parse_device;
use dwmtj_core::device::{Device, Program};

/// A small calibrated device used by several tests (same as fixtures/good/minimal.toml).
pub const MINIMAL: &str = include_str!("../fixtures/good/minimal.toml");

pub fn device_from(text: &str) -> (Device, Option<Program>) {
    let (_, d, p) = parse_device(text, "test", None).unwrap_or_else(|e| panic!("{e}"));
    (d, p)
}

pub fn rel(a: f64, b: f64) -> f64 {
    (a - b).abs() / b.abs()
}
