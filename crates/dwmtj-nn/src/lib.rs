//! dwmtj-nn: evaluating DW-MTJ synapses and activations in neural-network accelerators.
//! This first part holds the datasets: an IDX reader and the vendored MNIST subset.
#![deny(clippy::float_cmp)]

pub mod idx;
