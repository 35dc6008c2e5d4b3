//! dwmtj-nn: evaluating DW-MTJ synapses and activations in neural-network accelerators.
//! So far: the datasets (an IDX reader and the vendored MNIST subset) and the synaptic device
//! update models (aihwkit steps, NeuroSim nonlinear model, DW-MTJ levels).
#![deny(clippy::float_cmp)]

pub mod activation;
pub mod catalog;
pub mod config;
pub mod devices;
pub mod dwdevice;
pub mod energy;
pub mod idx;
pub mod network;
pub mod noise;
pub mod tile;
pub mod update;
