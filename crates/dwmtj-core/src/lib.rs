//! dwmtj-core: physics of domain-wall / magnetic-tunnel-junction (DW-MTJ) synapse and activation
//! generators (Siddiqui et al., "Magnetic domain wall based synaptic and activation function
//! generator for neuromorphic accelerators"). Units and configs, materials, geometry, MTJ
//! readout, the threshold (L0) model with thermal activation and variation, pulse-program
//! simulation, energy, and the paper's reproductions. Nothing here writes files.
#![deny(clippy::float_cmp)]

pub mod analog;
pub mod calibrate;
pub mod checkpoint;
pub mod config;
pub mod device;
pub mod dynamic;
pub mod energy;
pub mod error;
pub mod fit;
pub mod fuzz;
pub mod geometry;
pub mod integrate;
pub mod material;
pub mod mtj;
pub mod paper;
pub mod plausible;
pub mod quantity;
pub mod resources;
pub mod roughness;
pub mod simulate;
pub mod stream;
pub mod threshold;
pub mod units;
pub mod wall;

pub use error::ConfigError;
pub use quantity::RawQuantity;
