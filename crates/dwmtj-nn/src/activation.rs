//! Hidden-layer activations. The DW sigmoid generator (dwdevice.rs) is used as hardware does:
//! its noisy staircase in the forward pass, and the derivative of the smooth function it was
//! designed for (the fitted logistic) in the backward pass, a straight-through estimate as in
//! quantised-network training (Bengio et al., arXiv:1308.3432).

use crate::dwdevice::DwActivation;
use std::sync::Arc;

/// A hidden-layer activation function.
#[derive(Clone, Debug)]
pub enum Activation {
    /// Logistic sigmoid, computed digitally.
    Sigmoid,
    /// max(z, 0), computed digitally.
    Relu,
    /// tanh(z), computed digitally (aihwkit's LeNet-5).
    Tanh,
    /// The DW-MTJ sigmoid generator: its noisy staircase forward, the logistic's derivative backward.
    DwSigmoid(Arc<DwActivation>),
}

#[inline]
fn logistic(z: f32) -> f32 {
    1.0 / (1.0 + (-z).exp())
}

impl Activation {
    /// The name used in training files: "sigmoid", "relu", "tanh" or "dw-sigmoid".
    pub fn name(&self) -> &'static str {
        match self {
            Activation::Sigmoid => "sigmoid",
            Activation::Relu => "relu",
            Activation::Tanh => "tanh",
            Activation::DwSigmoid(_) => "dw-sigmoid",
        }
    }

    /// Outputs for pre-activations z; `u` draws uniforms for the stochastic generator.
    /// Returns the summed Joule energy of the generator pulses (0 for digital activations).
    pub fn forward(&self, z: &[f32], out: &mut [f32], mut u: impl FnMut() -> f64) -> f64 {
        match self {
            Activation::Sigmoid => {
                out.iter_mut().zip(z).for_each(|(o, &v)| *o = logistic(v));
                0.0
            }
            Activation::Relu => {
                out.iter_mut().zip(z).for_each(|(o, &v)| *o = v.max(0.0));
                0.0
            }
            Activation::Tanh => {
                out.iter_mut().zip(z).for_each(|(o, &v)| *o = v.tanh());
                0.0
            }
            Activation::DwSigmoid(a) => {
                let mut e = 0.0;
                for (o, &v) in out.iter_mut().zip(z) {
                    let c = a.current(f64::from(v));
                    *o = a.sample(c, &mut u) as f32;
                    e += c * c * a.wire_resistance * a.pulse_energy_duration;
                }
                e
            }
        }
    }

    /// Derivative used in the backward pass, at pre-activation z.
    #[inline]
    pub fn derivative(&self, z: f32) -> f32 {
        match self {
            Activation::Sigmoid | Activation::DwSigmoid(_) => {
                let s = logistic(z);
                s * (1.0 - s)
            }
            Activation::Relu => {
                if z > 0.0 {
                    1.0
                } else {
                    0.0
                }
            }
            Activation::Tanh => 1.0 - z.tanh().powi(2),
        }
    }

    /// The derivative given both the pre-activation z and the forward output a (saves the
    /// exponential for the sigmoid, whose derivative is a (1 - a)).
    #[inline]
    pub fn derivative_at(&self, z: f32, a: f32) -> f32 {
        match self {
            Activation::Sigmoid => a * (1.0 - a),
            Activation::Tanh => 1.0 - a * a,
            _ => self.derivative(z),
        }
    }

    /// Whether the activation is the DW-MTJ generator (whose evaluations cost energy and time).
    pub fn is_hardware(&self) -> bool {
        matches!(self, Activation::DwSigmoid(_))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derivatives_match_finite_differences_of_the_smooth_functions() {
        for act in [Activation::Sigmoid, Activation::Relu, Activation::Tanh] {
            for &z in &[-3.0f32, -0.7, 0.4, 2.5] {
                let h = 1e-3f32;
                let mut a = [0.0f32];
                let mut b = [0.0f32];
                act.forward(&[z + h], &mut a, || 0.0);
                act.forward(&[z - h], &mut b, || 0.0);
                let fd = (a[0] - b[0]) / (2.0 * h);
                assert!((fd - act.derivative(z)).abs() < 1e-3, "{} at {z}: {fd}", act.name());
            }
        }
    }
}
