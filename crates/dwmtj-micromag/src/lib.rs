//! dwmtj-micromag: finite-difference micromagnetics for DW-MTJ wires: a mesh of one or more
//! layers from the wire geometry (`mesh.rs`), regions, the effective field, energies and LLG
//! right-hand side (`system.rs`, equations in its module docs), Newell FFT demag (`demag.rs`
//! for one layer in f64 or f32, `demag_layers.rs` for several), RK45/RK23/Heun/RK4 integrators
//! and relaxation (`solver.rs`), OVF 2.0 I/O (`ovf.rs`), run files (`config.rs`) and runs
//! sampling a table and snapshots (`run.rs`).
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
