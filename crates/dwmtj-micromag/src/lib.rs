//! dwmtj-micromag: finite-difference micromagnetics for DW-MTJ wires.
#![deny(clippy::float_cmp)]

pub mod demag;
pub mod mesh;
pub mod solver;
pub mod system;
