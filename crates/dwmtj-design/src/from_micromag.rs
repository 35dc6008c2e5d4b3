//! Calibration from micromagnetics (`dwmtj calibrate --from-micromag RUN.toml`,
//! docs/physics.md 5.5): the chain micromagnetics -> 1D -> threshold, its first two links.
//!
//! 1. Velocity. The run file's strip without its film pinning is driven at each current
//!    density ([`velocity_sweep`]); the 1D model's effective D and alpha are fitted to the
//!    velocities with the steady law (docs/physics.md 5.4, `measured::fit_material`, theta_SH
//!    held at the run's value).
//! 2. Depinning (run files with film pinning, `material.pinning_ku` and `pinning_period` p). The
//!    relaxed wall is driven by a current ramp `J(t) = J_top t / T` and its micromagnetic
//!    threshold J_mm is the density when it has moved p/2 from its rest site: the top of the
//!    modulation's wall-energy barrier, past which it runs. The 1D wall of the fitted material in
//!    the sinusoidal landscape of the same period,
//!    ```text
//!    V(q) = V0 sin^2(pi q / p),   H_dep = pi V0 / (2 mu0 Ms S p)   (Pinning::Periodic)
//!    ```
//!    runs the same ramp, and H_dep is bisected until its threshold equals J_mm. The first-order
//!    mapping of the modulation onto the wall's energy (docs/physics.md 14, `modulation_field`:
//!    the anisotropy change integrated over the wall's sech^2 profile) predicts H_dep without a
//!    micromagnetic run and is reported beside the fitted value; the quasi-static threshold the
//!    threshold model then uses is `J_c = H_dep / eps`, `eps = (pi/2) |chi_SL| cos phi_eq`.
//!
//! Both levels see the same ramp, so the rate dependence of a ramp threshold (the wall's
//! inertia in its well) cancels in the fit to the extent that the 1D wall shares it.

use crate::consistency::modulation_field;
use crate::measured::{fit_material, free_velocity, MaterialFit, Measurements, Point};
use crate::DesignError;
use dwmtj_core::device::PulseShape;
use dwmtj_core::material::Material;
use dwmtj_core::wall::{run_deterministic, Drive, Pinning, RunOptions, WallModel};
use dwmtj_micromag::config::RunSpec;
use dwmtj_micromag::velocity::{velocity_sweep, VelocityPoint};
use serde::Serialize;

/// Protocol settings of the calibration.
#[derive(Clone, Debug, PartialEq)]
pub struct FromMicromagParams {
    /// Heavy-metal current densities of the velocity sweep, A/m^2 (their sign sets the ramp's).
    pub currents: Vec<f64>,
    /// Duration T of the depinning ramp, s.
    pub ramp_time: f64,
    /// The ramp's top as a multiple of the first-order threshold H_map / eps.
    pub ramp_top: f64,
    /// Micromagnetic table rows over the ramp (the threshold is interpolated between them).
    pub ramp_samples: usize,
}

impl Default for FromMicromagParams {
    fn default() -> Self {
        Self {
            currents: vec![0.5e11, 1e11, 2e11],
            ramp_time: 8e-9,
            ramp_top: 2.5,
            ramp_samples: 400,
        }
    }
}

/// The depinning threshold from micromagnetics and the 1D pinning that reproduces it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DepinningFit {
    /// Period p of the film's anisotropy modulation, m.
    pub period_m: f64,
    /// Amplitude of the modulation, J/m^3.
    pub pinning_ku_j_per_m3: f64,
    /// Ramp duration T, s.
    pub ramp_time_s: f64,
    /// Ramp top J_top (signed), A/m^2.
    pub ramp_top_a_per_m2: f64,
    /// Micromagnetic ramp threshold |J| (the wall p/2 from its rest site), A/m^2.
    pub micromagnetic_a_per_m2: f64,
    /// First-order H_dep of the modulation (the anisotropy over the wall profile), A/m.
    pub landscape_h_dep_a_per_m: f64,
    /// The 1D wall's ramp threshold with the first-order H_dep, A/m^2.
    pub landscape_1d_a_per_m2: f64,
    /// Fitted H_dep: the 1D ramp threshold equals the micromagnetic one, A/m.
    pub h_dep_a_per_m: f64,
    /// The 1D wall's ramp threshold with the fitted H_dep, A/m^2.
    pub fitted_1d_a_per_m2: f64,
    /// Depinning efficiency eps of the fitted material, A/m per A/m^2.
    pub efficiency: f64,
    /// Quasi-static threshold H_dep / eps of the fitted material, A/m^2.
    pub quasi_static_a_per_m2: f64,
    /// The ramp side by side: (|J| A/m^2, micromagnetic |x - x0| m, 1D |q - q0| m with the
    /// fitted H_dep).
    pub ramp: Vec<(f64, f64, f64)>,
}

/// What the calibration measured and fitted.
#[derive(Clone, Debug, Serialize)]
pub struct MicromagCalibration {
    /// The micromagnetic walls of the velocity sweep (strip without film pinning).
    pub micromagnetic: Vec<VelocityPoint>,
    /// The 1D material of the run (its constants).
    #[serde(skip)]
    pub base: Material,
    /// The steady law with the run's constants at each density, m/s.
    pub model_1d_m_per_s: Vec<f64>,
    /// RMS of the run's constants against micromagnetics, m/s.
    pub model_1d_rms_m_per_s: f64,
    /// RMS of the fitted law against micromagnetics, m/s.
    pub fitted_1d_rms_m_per_s: f64,
    /// The fit of D and alpha.
    pub fit: MaterialFit,
    /// The depinning fit (run files with film pinning).
    pub depinning: Option<DepinningFit>,
}

impl MicromagCalibration {
    /// The fitted material as a material file (`material.toml`, for `--material`), named
    /// `name`: every parameter of [`MicromagCalibration::material`].
    pub fn material_toml(&self, name: &str) -> String {
        let mut written = self.fit.clone();
        written.material = self.material();
        let mut text = String::new();
        if let Some(d) = &self.depinning {
            written.held.retain(|k| *k != "h_dep");
            text.push_str(&format!(
                "# h_dep from the micromagnetic depinning ramp: {:.4e} A/m^2 micromagnetic, {:.4e} A/m^2 1D\n",
                d.micromagnetic_a_per_m2, d.fitted_1d_a_per_m2
            ));
        }
        text.push_str(&crate::measured::material_toml(&written, name));
        text
    }

    /// The fitted material: D and alpha from the velocities, H_dep from the depinning ramp (the
    /// base's H_dep, 0, without film pinning).
    pub fn material(&self) -> Material {
        let mut m = self.fit.material.clone();
        if let Some(d) = &self.depinning {
            m.h_dep = d.h_dep_a_per_m;
        }
        m
    }
}

/// Run the calibration; `progress(stage, done, total)` after each micromagnetic run.
pub fn calibrate(
    spec: &RunSpec,
    params: &FromMicromagParams,
    progress: &dyn Fn(&str, usize, usize),
) -> Result<MicromagCalibration, DesignError> {
    if !(3..=32).contains(&params.currents.len()) {
        return Err(DesignError::Input(format!(
            "currents: {} values; expected 3 to 32 current densities (the fit has 2 parameters)",
            params.currents.len()
        )));
    }
    if let Some(j) = params
        .currents
        .iter()
        .find(|j| !(j.is_finite() && j.abs() > 0.0 && j.abs() <= 1e13))
    {
        return Err(DesignError::Input(format!(
            "currents: {j:e} A/m^2; each must be non-zero and at most 1e13 A/m^2"
        )));
    }
    if !(params.ramp_time > 0.0 && params.ramp_top > 1.0 && params.ramp_samples >= 10) {
        return Err(DesignError::Input(format!(
            "ramp of {:e} s to {}x the first-order threshold in {} samples: expected T > 0, a top above 1 and at least 10 samples",
            params.ramp_time, params.ramp_top, params.ramp_samples
        )));
    }
    let pinned = spec.params.pinning_ku != 0.0 && spec.params.pinning_period > 0.0;
    let mut clean = spec.clone();
    clean.params.pinning_ku = 0.0;
    clean.params.pinning_period = 0.0;
    let points = velocity_sweep(&clean, &params.currents, &|k, n| progress("velocity", k, n));
    let base = dwmtj_micromag::config::wall_material(spec);
    let data = Measurements {
        velocity: points
            .iter()
            .map(|p| Point {
                x: p.current_density_a_per_m2.abs(),
                y: p.velocity_m_per_s.abs(),
                std: None,
            })
            .collect(),
        switching: Vec::new(),
        unpinned: true,
    };
    let fit = fit_material(&base, &data)?;
    let before: Vec<f64> = points.iter().map(|p| free_velocity(&base, p.current_density_a_per_m2)).collect();
    let after: Vec<f64> = fit.velocity.iter().map(|v| v.2).collect();
    let rms = |pred: &[f64]| {
        (points
            .iter()
            .zip(pred)
            .map(|(p, v)| (v - p.velocity_m_per_s.abs()).powi(2))
            .sum::<f64>()
            / points.len() as f64)
            .sqrt()
    };
    let depinning = if pinned {
        Some(depinning(spec, &fit.material, params, progress)?)
    } else {
        None
    };
    Ok(MicromagCalibration {
        model_1d_rms_m_per_s: rms(&before),
        fitted_1d_rms_m_per_s: rms(&after),
        micromagnetic: points,
        base,
        model_1d_m_per_s: before,
        fit,
        depinning,
    })
}

/// The first density at which a trace (t, |displacement|) reaches `distance`, linearly
/// interpolated, on the ramp J = rate t.
fn ramp_crossing(trace: &[(f64, f64)], distance: f64, rate: f64) -> Option<f64> {
    let k = trace.iter().position(|s| s.1 >= distance)?;
    if k == 0 {
        return Some(0.0);
    }
    let (a, b) = (trace[k - 1], trace[k]);
    let t = a.0 + (b.0 - a.0) * (distance - a.1) / (b.1 - a.1).max(f64::MIN_POSITIVE);
    Some(rate * t)
}

/// The 1D wall of `material` in the sinusoidal landscape (H_dep `h`, period `p`) on the ramp
/// J = rate t, from rest at the bottom of a well: its trace (t, |q|) up to `t_end`.
fn ramp_1d(material: &Material, width: f64, h: f64, p: f64, rate: f64, t_end: f64) -> Vec<(f64, f64)> {
    let mut wall = WallModel::from_material(material, width, 1.0);
    wall.pinning = vec![Pinning::Periodic { h_dep: h, period: p }];
    let phi0 = wall.equilibrium_phi(0.0, 0.0);
    let ramp = PulseShape {
        width: t_end,
        rise: t_end,
        fall: 0.0,
    };
    let out = run_deterministic(
        &wall,
        &Drive::current(rate * t_end, ramp),
        0.0,
        phi0,
        &RunOptions {
            t_end,
            samples: 4000,
            ..RunOptions::default()
        },
    );
    out.trajectory.iter().map(|s| (s.0, s.1.abs())).collect()
}

fn depinning(
    spec: &RunSpec,
    fitted: &Material,
    params: &FromMicromagParams,
    progress: &dyn Fn(&str, usize, usize),
) -> Result<DepinningFit, DesignError> {
    let (ku, p) = (spec.params.pinning_ku, spec.params.pinning_period);
    let mesh = &spec.mesh;
    let width = mesh.ny as f64 * mesh.dy;
    let length = mesh.nx as f64 * mesh.dx;
    let delta = fitted.wall_width();
    let grid = mesh.dx / 8.0;
    let landscape = modulation_field(ku, p, fitted.ms, mesh.nx, mesh.dx, delta, grid);
    // The interior periods only: the strip's ends see a truncated modulation.
    let h_map = landscape
        .iter()
        .enumerate()
        .filter(|(g, _)| (0.5 * p..length - 0.5 * p).contains(&(*g as f64 * grid)))
        .map(|(_, h)| h.abs())
        .fold(0.0, f64::max);
    let eps = fitted.sot_depinning_efficiency();
    if !(h_map > 0.0 && eps > 0.0) {
        return Err(DesignError::Input(format!(
            "the run's film pinning gives no depinning field to first order (H = {h_map:e} A/m, eps = {eps:e}); the strip must span more than one period"
        )));
    }
    let sign = params
        .currents
        .iter()
        .copied()
        .max_by(|a, b| a.abs().total_cmp(&b.abs()))
        .map_or(1.0, f64::signum);
    let top = params.ramp_top * h_map / eps;
    let t_ramp = params.ramp_time;
    let rate = top / t_ramp;
    // The micromagnetic ramp from the relaxed wall.
    let mut s = spec.clone();
    s.params.current_density = sign * top;
    s.current_pulse = Some((
        0.0,
        PulseShape {
            width: t_ramp,
            rise: t_ramp,
            fall: 0.0,
        },
    ));
    s.pulse_train = None;
    s.waveform = None;
    s.duration = t_ramp;
    s.relax = true;
    s.samples = params.ramp_samples;
    s.snapshots = 0;
    let out = dwmtj_micromag::run::run(&s, &|_| {});
    progress("depinning ramp", 1, 1);
    let x0 = out.rows.first().map_or(0.0, |r| r.wall_position);
    let trace_mm: Vec<(f64, f64)> = out.rows.iter().map(|r| (r.t, (r.wall_position - x0).abs())).collect();
    let j_mm = ramp_crossing(&trace_mm, 0.5 * p, rate).ok_or_else(|| {
        DesignError::Input(format!(
            "the micromagnetic wall stayed pinned up to {:e} A/m^2 ({}x the first-order threshold {:e} A/m^2) on the {:e} s ramp: the film pinning is stronger than its first-order estimate",
            top,
            params.ramp_top,
            h_map / eps,
            t_ramp
        ))
    })?;
    // The 1D threshold of a landscape amplitude h, on the same ramp (run on for as long as it
    // takes: up to 4 times the micromagnetic ramp).
    let threshold_1d = |h: f64| ramp_crossing(&ramp_1d(fitted, width, h, p, rate, 4.0 * t_ramp), 0.5 * p, rate);
    let landscape_1d = threshold_1d(h_map).unwrap_or(f64::INFINITY);
    // Bisection on H_dep: the ramp threshold rises with the barrier.
    let (mut lo, mut hi) = (0.0f64, h_map);
    let mut grow = 0;
    while threshold_1d(hi).is_some_and(|j| j < j_mm) {
        lo = hi;
        hi *= 2.0;
        grow += 1;
        if grow > 8 {
            return Err(DesignError::Input(format!(
                "no 1D landscape up to {hi:e} A/m reproduces the micromagnetic threshold {j_mm:e} A/m^2"
            )));
        }
    }
    for _ in 0..40 {
        let mid = 0.5 * (lo + hi);
        if threshold_1d(mid).is_some_and(|j| j < j_mm) {
            lo = mid;
        } else {
            hi = mid;
        }
        if hi - lo <= 1e-6 * hi {
            break;
        }
    }
    let h_dep = 0.5 * (lo + hi);
    let trace_1d = ramp_1d(fitted, width, h_dep, p, rate, 4.0 * t_ramp);
    let fitted_1d = ramp_crossing(&trace_1d, 0.5 * p, rate).unwrap_or(f64::INFINITY);
    let ramp = trace_mm
        .iter()
        .map(|&(t, x)| {
            let i = trace_1d.partition_point(|r| r.0 < t).min(trace_1d.len().saturating_sub(1));
            (rate * t, x, trace_1d.get(i).map_or(f64::NAN, |r| r.1))
        })
        .collect();
    Ok(DepinningFit {
        period_m: p,
        pinning_ku_j_per_m3: ku,
        ramp_time_s: t_ramp,
        ramp_top_a_per_m2: sign * top,
        micromagnetic_a_per_m2: j_mm,
        landscape_h_dep_a_per_m: h_map,
        landscape_1d_a_per_m2: landscape_1d,
        h_dep_a_per_m: h_dep,
        fitted_1d_a_per_m2: fitted_1d,
        efficiency: eps,
        quasi_static_a_per_m2: h_dep / eps,
        ramp,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ramp_crossing_interpolates_between_samples() {
        let trace = [(0.0, 0.0), (1.0, 1.0), (2.0, 3.0)];
        assert_eq!(ramp_crossing(&trace, 2.0, 10.0), Some(15.0));
        assert_eq!(ramp_crossing(&trace, 4.0, 10.0), None);
        assert_eq!(ramp_crossing(&trace, 0.0, 10.0), Some(0.0));
    }
}
