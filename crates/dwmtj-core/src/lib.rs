//! dwmtj-core: physics of domain-wall / magnetic-tunnel-junction (DW-MTJ) synapse and activation
//! generators (Siddiqui et al., "Magnetic domain wall based synaptic and activation function
//! generator for neuromorphic accelerators"). Units and configs, materials, geometry, MTJ
//! readout, the threshold (L0) model with thermal activation and variation, pulse-program
//! simulation, the 1D wall model and wall runs, calibration and energy (the paper's
//! reproductions and the inverse design are in dwmtj-design). Nothing here writes files.
//!
//! Every model has one shape: raw serde structures with quantities as unit strings, validated
//! into SI structures (`config::RawDevice::validate`), then run into plain data.
//!
//! A device simulated from its TOML text (the paper's Fig. 3f synapse, one cycle):
//!
//! ```
//! use dwmtj_core::config::parse_device;
//! use dwmtj_core::simulate::simulate;
//!
//! let (_, device, program) = parse_device(dwmtj_core::builtin::FIG3F_TOML, "fig3f.toml", None)?;
//! let mut program = program.expect("the file has a [program]");
//! program.cycles = 1;
//! let sim = simulate(&device, &program, &|_runs_done| {})?;
//! assert_eq!(sim.mtjs.len(), 9);
//! // Resistance rises along the positive sweep as MTJs switch from P to AP.
//! let first = sim.points.first().unwrap();
//! let last = sim.points.iter().filter(|p| p.sweep == "positive").last().unwrap();
//! assert!(last.r_mean_ohm > first.r_mean_ohm);
//! # Ok::<(), dwmtj_core::error::ConfigError>(())
//! ```
//!
//! One domain wall under an 8 ns current pulse in the 1D (q, phi) model:
//!
//! ```
//! use dwmtj_core::device::PulseShape;
//! use dwmtj_core::material::find_builtin;
//! use dwmtj_core::wall::{run_deterministic, Drive, RunOptions, WallModel};
//!
//! let material = find_builtin("ta-cofeb-mgo").unwrap();
//! let model = WallModel::from_material(&material, 1e-6, 1.0);
//! let drive = Drive::current(1e11, PulseShape::rectangular(8e-9));
//! let phi0 = model.equilibrium_phi(0.0, 0.0);
//! let out = run_deterministic(&model, &drive, 0.0, phi0, &RunOptions { t_end: 8e-9, ..RunOptions::default() });
//! assert!(out.completed && out.displacement_m.abs() > 0.0);
//! ```
#![deny(clippy::float_cmp)]
#![warn(missing_docs)]

pub mod builtin;
pub mod calibrate;
pub mod checkpoint;
pub mod config;
pub mod device;
pub mod dynamic;
pub mod energy;
pub mod error;
pub mod field_sweep;
pub mod fit;
pub mod fuzz;
pub mod geometry;
pub mod integrate;
pub mod material;
pub mod mtj;
pub mod plausible;
pub mod quantity;
pub mod resources;
pub mod roughness;
pub mod scaled;
pub mod simulate;
pub mod stream;
pub mod threshold;
pub mod units;
pub mod wall;
pub mod wall_run;

pub use error::ConfigError;
pub use quantity::RawQuantity;
