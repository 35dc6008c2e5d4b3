//! Analog (Mode S) design through the generic target: the heavy-metal width profile of a
//! single-wall wire (docs/physics.md 7.1 static, 7.2 dynamic) for any monotone target, verified by
//! simulating the wall with the 1D model (0 K, sinusoidal film pinning of the material's H_dep).
//!
//! The target y(I) in [0, 1] maps to a travel g(I) = L y(I). Static: w(x) = f_HM g^-1(x) /
//! (J_th t_HM) with J_th the depinning threshold of the pinned wall. Dynamic: the marching
//! design of dwmtj_core::analog on a velocity table measured with the same model.

use crate::target::Target;
use crate::DesignError;
pub mod profile;

use dwmtj_core::device::PulseShape;
use dwmtj_core::geometry::WidthProfile;
use dwmtj_core::material::Material;
use dwmtj_core::wall::{run_deterministic_many, Drive, Pinning, RunOptions, WallModel};
use profile::{depinning_threshold, dynamic_design_for, with_runout, VelocityTable};

/// Which inverse design shapes the heavy-metal width.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub enum AnalogKind {
    /// Threshold-limited (docs/physics.md 7.1): the wall stops where the HM current density falls to J_th.
    Static,
    /// Velocity-limited (docs/physics.md 7.2): the wall reaches the target travel at the end of the pulse.
    Dynamic,
}

/// What to design: a single-wall (Mode S) heavy-metal width profile for a target.
#[derive(Clone, Debug)]
pub struct AnalogSpec {
    /// The target: normalised output y(I), realised as the travel L y(I).
    pub target: Target,
    /// Static or dynamic design.
    pub kind: AnalogKind,
    /// The wire stack (heavy metal and magnetic layer).
    pub material: Material,
    /// Track length L (m).
    pub length: f64,
    /// Constant width of the magnetic wire (m).
    pub magnetic_width: f64,
    /// Pulse width: the design pulse (dynamic) or the verification pulse (static, long enough
    /// for the wall to stop).
    pub pulse_width: f64,
    /// Period of the sinusoidal film pinning in the wall model (m).
    pub pin_period: f64,
}

/// A designed single-wall width profile and its verification with the 1D model.
#[derive(Clone, Debug, serde::Serialize)]
pub struct AnalogDesign {
    /// Static or dynamic design.
    pub kind: AnalogKind,
    /// Depinning threshold of the pinned wall (A/m^2).
    pub j_th_a_per_m2: f64,
    /// Heavy-metal width profile nodes (x m, w m) of the designed section, without the run-out.
    pub hm_nodes: Vec<(f64, f64)>,
    /// (current A, target travel m, achieved travel m).
    pub curve: Vec<(f64, f64, f64)>,
    /// RMS of |achieved - target travel| over the verification currents, as a fraction of the track length.
    pub rms_error: f64,
    /// Largest |achieved - target travel|, as a fraction of the track length.
    pub max_error: f64,
}

fn model(spec: &AnalogSpec) -> WallModel {
    let mut m = WallModel::from_material(&spec.material, spec.magnetic_width, 1.0);
    m.pinning.push(Pinning::Periodic {
        h_dep: spec.material.h_dep.max(1.0),
        period: spec.pin_period,
    });
    m
}

/// Design and verify.
pub fn design_analog(spec: &AnalogSpec) -> Result<AnalogDesign, DesignError> {
    let t = &spec.target;
    if !t.is_monotone() {
        return Err(DesignError::Input("the target must not decrease".into()));
    }
    let m = &spec.material;
    let f = m.hm_current_fraction();
    let t_hm = m.t_hm;
    let mut wall = model(spec);
    let j_th = depinning_threshold(&wall, m.h_dep.max(1.0));
    let w_of = |i: f64, j: f64| f * i / (j * t_hm);
    let pulse = PulseShape::rectangular(spec.pulse_width);
    let profile = match spec.kind {
        AnalogKind::Static => {
            let n = 401;
            let xs: Vec<f64> = (0..n).map(|k| spec.length * k as f64 / (n - 1) as f64).collect();
            let ws: Vec<f64> = xs
                .iter()
                .map(|&x| w_of(t.inverse((x / spec.length).clamp(1e-6, 1.0 - 1e-6)), j_th))
                .collect();
            WidthProfile::table(xs, ws)
        }
        AnalogKind::Dynamic => {
            // The marching design needs g(I) in closed form: sample the generic target into the
            // sigmoid-free form by using its inverse through a fine table.
            let j_values: Vec<f64> = (0..48).map(|k| j_th * (1.0 + 4.0 * f64::from(k) / 47.0)).collect();
            let table = VelocityTable::measure(&wall, pulse, &j_values, 1, 0);
            let g = |i: f64| spec.length * t.eval(i);
            dynamic_design_for(&g, t.i_min, t.i_max, spec.length, &table, f, t_hm, pulse.width, 300)
                .map_err(|e| DesignError::Infeasible(e.to_string()))?
        }
    };
    let w_ref = profile.min_width();
    wall.set_hm_width(with_runout(&profile, 2e-6, 4.0), w_ref);
    let n = 15;
    let currents: Vec<f64> = (0..n)
        .map(|k| t.i_min + (t.i_max - t.i_min) * (k as f64 + 0.5) / n as f64)
        .collect();
    let runs: Vec<(Drive, f64, f64)> = currents
        .iter()
        .map(|&i| (Drive::current(f * i / (w_ref * t_hm), pulse), 0.0, 0.0))
        .collect();
    let opts = RunOptions {
        t_end: pulse.duration(),
        ..RunOptions::default()
    };
    let curve: Vec<(f64, f64, f64)> = run_deterministic_many(&wall, &runs, &opts)
        .iter()
        .zip(&currents)
        .map(|(out, &i)| (i, spec.length * t.eval(i), out.displacement_m))
        .collect();
    let err: Vec<f64> = curve.iter().map(|c| (c.2 - c.1).abs() / spec.length).collect();
    let rms_error = (err.iter().map(|e| e * e).sum::<f64>() / err.len() as f64).sqrt();
    let max_error = err.iter().copied().fold(0.0, f64::max);
    Ok(AnalogDesign {
        kind: spec.kind,
        j_th_a_per_m2: j_th,
        hm_nodes: profile.nodes().collect(),
        curve,
        rms_error,
        max_error,
    })
}
