//! One module per subcommand: its clap `Args` (the flags and their help) and its `run`, which
//! turns the arguments into the library's raw input, validates, runs, and writes the results
//! (through `crate::write` and `crate::output`).

pub mod calibrate;
pub mod check;
pub mod compare;
pub mod design;
pub mod dw;
pub mod energy;
pub mod export;
pub mod export_crossbar;
pub mod materials;
pub mod micromag;
pub mod reproduce;
pub mod simulate;
pub mod sweep;
pub mod train;
