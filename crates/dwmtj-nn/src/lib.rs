//! dwmtj-nn: evaluating DW-MTJ synapses and activations in neural-network accelerators: the
//! datasets (an IDX reader and the built-in MNIST subset), synaptic device update models
//! (aihwkit steps, NeuroSim's nonlinear model, DW-MTJ levels from a device file), crossbar tiles
//! with aihwkit's periphery, update schemes, MLP and convolutional (LeNet-5) training with
//! event-counted energy and latency.
//!
//! Training on a tiny data set (two classes of 4-pixel images) with float weights:
//!
//! ```
//! use dwmtj_nn::activation::Activation;
//! use dwmtj_nn::catalog::lookup;
//! use dwmtj_nn::energy::CircuitParams;
//! use dwmtj_nn::network::{train, Data, NetworkSpec, TrainParams};
//! use dwmtj_nn::tile::IoParams;
//!
//! // Class 0 lights the left pixels, class 1 the right ones.
//! let image = |c: u8| if c == 0 { [1.0, 1.0, 0.0, 0.0] } else { [0.0, 0.0, 1.0, 1.0] };
//! let labels: Vec<u8> = (0..64).map(|k| (k % 2) as u8).collect();
//! let data = Data {
//!     inputs: 4,
//!     shape: [1, 2, 2],
//!     train_x: labels.iter().flat_map(|&c| image(c)).collect(),
//!     train_y: labels.clone(),
//!     test_x: labels.iter().flat_map(|&c| image(c)).collect(),
//!     test_y: labels,
//! };
//! let spec = NetworkSpec::mlp(&[8], Activation::Relu, IoParams::ideal(), IoParams::ideal(), 4.0);
//! let params = TrainParams { epochs: 20, batch: 4, lr: 0.1, lr_decay: 1.0, seed: 1, shift: 0, layer_lr: Vec::new() };
//! let device = lookup("float", None).unwrap();
//! let r = train(&spec, &device, &params, &data, &CircuitParams::default(), &|_, _| {}).unwrap();
//! assert!(r.test_accuracy > 0.95, "{}", r.test_accuracy);
//! ```
#![deny(clippy::float_cmp)]
#![warn(missing_docs)]

pub mod activation;
pub mod catalog;
pub mod config;
pub mod crossbar;
pub mod devices;
pub mod drift;
pub mod dwdevice;
pub mod energy;
pub mod idx;
pub mod interchange;
pub mod layers;
pub mod network;
pub mod noise;
pub mod run;
pub mod tiki_taka;
pub mod tile;
pub mod update;
