//! dwmtj-micromag: finite-difference micromagnetics for DW-MTJ wires: a mesh of one or more
//! layers from the wire geometry (`mesh.rs`), regions, the effective field, energies and LLG
//! right-hand side (`system/`, equations in its module docs), Newell FFT demag (`demag.rs`
//! for one layer in f64 or f32, `demag_layers.rs` for several), RK45/RK23/Heun/RK4 integrators
//! and relaxation (`solver.rs`), OVF 2.0 I/O (`ovf.rs`), run files (`config.rs`) and runs
//! sampling a table and snapshots (`run.rs`).
//!
//! A short run: a Neel wall in a 128 x 16 nm strip pushed by damping-like SOT.
//!
//! ```
//! let text = r#"
//! name = "doc"
//! [mesh]
//! length = "128 nm"
//! width = "16 nm"
//! thickness = "1 nm"
//! cell = "4 nm"
//! [material]
//! ms = "1.1e6 A/m"
//! a_ex = "1.5e-11 J/m"
//! ku = "1e6 J/m^3"
//! dmi = "0.5 mJ/m^2"
//! alpha = 0.3
//! theta_sh = 0.1
//! [drive]
//! current_density = "1e11 A/m^2"
//! [initial]
//! state = "neel-wall"
//! x0 = "64 nm"
//! [run]
//! demag = "local"
//! duration = "0.02 ns"
//! samples = 4
//! "#;
//! let (_, spec) = dwmtj_micromag::config::parse(text, "doc.toml")?;
//! let out = dwmtj_micromag::run::run(&spec, &|_fraction| {});
//! assert_eq!(out.rows.len(), 5);
//! // |m| = 1 is kept on every magnetic cell.
//! let (_, m) = out.snapshots.last().unwrap();
//! assert!((0..m[0].len()).all(|k| ((m[0][k].powi(2) + m[1][k].powi(2) + m[2][k].powi(2)).sqrt() - 1.0).abs() < 1e-9));
//! # Ok::<(), dwmtj_core::error::ConfigError>(())
//! ```
#![warn(missing_docs)]
#![deny(clippy::float_cmp)]
// Stencils index several arrays by the same cell index; iterators would obscure them.
#![allow(clippy::needless_range_loop)]

pub mod config;
pub mod demag;
pub mod demag_layers;
pub mod mesh;
pub mod ovf;
pub mod run;
pub mod solver;
pub mod system;
pub mod velocity;
