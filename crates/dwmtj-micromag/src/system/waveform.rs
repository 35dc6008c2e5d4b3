//! The time-dependent applied field.

use super::System;

/// A time-dependent applied field added to `Params::b_ext`: b s(t), with s a trapezoidal pulse
/// (delay, rise, plateau, fall as [`dwmtj_core::device::PulseShape`]) or a sine.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub enum FieldWaveform {
    /// b times a trapezoidal pulse that starts at `delay`.
    Pulse {
        /// The field at the plateau, T.
        b: [f64; 3],
        /// Start of the pulse, s.
        delay: f64,
        /// Width, rise and fall of the pulse.
        pulse: dwmtj_core::device::PulseShape,
    },
    /// b sin(2 pi frequency t + phase).
    Sine {
        /// Amplitude, T.
        b: [f64; 3],
        /// Frequency, Hz.
        frequency: f64,
        /// Phase at t = 0, rad.
        phase: f64,
    },
}

impl FieldWaveform {
    /// The waveform's field (T) at time t (s), without the static `Params::b_ext`.
    pub fn at(&self, t: f64) -> [f64; 3] {
        match self {
            FieldWaveform::Pulse { b, delay, pulse } => {
                let s = pulse.shape(t - delay);
                b.map(|v| v * s)
            }
            FieldWaveform::Sine { b, frequency, phase } => {
                let s = (2.0 * std::f64::consts::PI * frequency * t + phase).sin();
                b.map(|v| v * s)
            }
        }
    }
}

impl System {
    /// The uniform applied field at time t (T): the static part plus the waveform.
    pub fn applied_field(&self, t: f64) -> [f64; 3] {
        let mut b = self.params.b_ext;
        if let Some(w) = &self.waveform {
            let d = w.at(t);
            for a in 0..3 {
                b[a] += d[a];
            }
        }
        b
    }
}

#[cfg(test)]
mod tests {
    use crate::mesh::Mesh;
    use crate::system::{FieldWaveform, Params, System};

    #[test]
    fn field_waveforms_follow_their_shape() {
        let mut sys = System::new(Mesh::rectangle(2, 2, 1e-9, 1e-9, 1e-9), Params::default()).unwrap();
        sys.params.b_ext = [0.0, 0.0, 0.01];
        sys.waveform = Some(FieldWaveform::Pulse {
            b: [0.0, 0.0, 0.1],
            delay: 1e-9,
            pulse: dwmtj_core::device::PulseShape {
                width: 2e-9,
                rise: 0.5e-9,
                fall: 0.5e-9,
            },
        });
        let bz = |t: f64| sys.applied_field(t)[2];
        assert!((bz(0.5e-9) - 0.01).abs() < 1e-15 && (bz(1.25e-9) - 0.06).abs() < 1e-12 && (bz(2.0e-9) - 0.11).abs() < 1e-12);
        sys.waveform = Some(FieldWaveform::Sine {
            b: [0.02, 0.0, 0.0],
            frequency: 1e9,
            phase: 0.0,
        });
        assert!((sys.applied_field(0.25e-9)[0] - 0.02).abs() < 1e-12);
    }
}
