//! Calibration of the threshold (L0) model against the dynamic 1D model (docs/physics.md 5.1: "L0
//! thresholds must be calibrated with the same pulse shape").
//!
//! For every MTJ the dynamic model gives the deterministic single-pulse switching current
//! I_dyn,i for the program's pulse. The threshold model is then set to `model = "calibrated"`
//! at the device's bias and pulse, keeping its field slope (eps), with a flow law whose mobility
//! is the dynamic wall's pinning-free velocity at the median switching density (propagation
//! threshold 0); its remaining parameter j_th is chosen by golden-section search on log j_th to minimise
//! sum_i ln^2(I_L0,i / I_dyn,i) over the MTJs that both models can switch. The result reports
//! both models per MTJ and the quasi-static estimate.

use crate::device::{Device, PulseShape, ThresholdSource};
use crate::dynamic::DynamicModel;
use crate::error::ConfigError;
use crate::threshold::ThresholdModel;

/// Both models' switching currents for one MTJ.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct CalibrationPoint {
    /// MTJ number along the wire, counted from 1.
    pub mtj: usize,
    /// Dynamic (1D) single-pulse switching current (A); None above the limit.
    pub dynamic_a: Option<f64>,
    /// Calibrated threshold-model 50 % current (A).
    pub threshold_a: Option<f64>,
    /// Quasi-static current J_c w t / f from the material (A).
    pub quasi_static_a: f64,
}

/// The threshold model calibrated against the dynamic model, with the per-MTJ comparison.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Calibration {
    /// Calibrated threshold current density j_th, A/m^2.
    pub j_th_a_per_m2: f64,
    /// Calibrated flow mobility dv/dJ (m/s per A/m^2).
    pub mobility: f64,
    /// Bias field H_z at which j_th holds (the device's bias), A/m.
    pub at_bias_a_per_m: f64,
    /// Pulse the calibration was made for.
    pub pulse: PulseShape,
    /// Per-MTJ comparison of the two models, in wire order.
    pub points: Vec<CalibrationPoint>,
    /// RMS of ln(I_L0 / I_dyn) over the MTJs both models switch.
    pub rms_log_error: f64,
    /// The device with the calibrated threshold model.
    #[serde(skip)]
    pub device: Device,
}

/// Calibrate `device`'s threshold model to its dynamic model for `pulse`; currents above
/// `limit` (A) count as unreachable.
pub fn calibrate(device: &Device, pulse: &PulseShape, limit: f64) -> Result<Calibration, ConfigError> {
    let pin_period = match device.switching.source {
        ThresholdSource::Dynamic { pin_period } => pin_period,
        _ => 20e-9,
    };
    let mut dyn_device = device.clone();
    dyn_device.switching.source = ThresholdSource::Dynamic { pin_period };
    let dynamic = DynamicModel::new(&dyn_device, pin_period)?;
    let n = device.mtjs.len();
    let i_dyn: Vec<Option<f64>> = (0..n).map(|i| dynamic.switching_current(i, pulse, limit)).collect();
    let quasi = ThresholdModel::new(&dyn_device, Some(*pulse))?;
    let quasi_static: Vec<f64> = (0..n)
        .map(|i| device.current_for_density(i, quasi.nominal[i].j_c_ap.max(0.0)))
        .collect();
    // The threshold model can only be fitted to MTJs the current switches: a positive
    // dynamic switching current. Zero means the bias field alone reverses the footprint.
    if !i_dyn.iter().any(|c| c.is_some_and(|v| v > 0.0)) {
        let by_field = i_dyn.iter().filter(|c| c.is_some()).count();
        let unreachable = n - by_field;
        let lo = quasi_static.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = quasi_static.iter().copied().fold(0.0, f64::max);
        let mut why = Vec::new();
        if by_field > 0 {
            why.push(format!(
                "{by_field} of {n} MTJs reverse under the bias field alone (H_z = {:.1} Oe plus stray fields exceeds the \
                 film depinning field h_dep = {:.1} Oe of material '{}'): set material_overrides.h_dep above |H_z| or \
                 lower bias.hz",
                device.bias_field * 4e-3 * std::f64::consts::PI,
                device.material.h_dep * 4e-3 * std::f64::consts::PI,
                device.material.name
            ));
        }
        if unreachable > 0 {
            why.push(format!(
                "{unreachable} of {n} MTJs do not switch below {:.1} uA with the {:.2} ns pulse (quasi-static \
                 estimates {:.1}-{:.1} uA; pinning period {:.1} nm): lengthen program.pulse_width or raise \
                 wire.breakdown_current_density",
                limit * 1e6,
                pulse.width * 1e9,
                lo * 1e6,
                hi * 1e6,
                pin_period * 1e9
            ));
        }
        return Err(ConfigError::field(
            "switching",
            format!("device '{}'", device.name),
            format!(
                "cannot calibrate: no MTJ has a current-driven switching threshold in the dynamic 1D model; {}",
                why.join("; ")
            ),
        ));
    }

    // Flow law: the dynamic wall's mean velocity without pinning at the median switching
    // density, as a mobility above a zero propagation threshold.
    let mut densities: Vec<f64> = i_dyn
        .iter()
        .enumerate()
        .filter_map(|(i, c)| Some(device.density_at_mtj(i, (*c)?)))
        .filter(|j| *j > 0.0)
        .collect();
    densities.sort_by(f64::total_cmp);
    let j_ref = densities.get(densities.len() / 2).copied().unwrap_or(1e11);
    let mobility = dynamic.free_velocity(0, j_ref, pulse) / j_ref;
    let with_jth = |j_th: f64| -> Result<Device, ConfigError> {
        let mut d = device.clone();
        d.switching.source = ThresholdSource::Calibrated {
            j_th,
            at_bias: device.bias_field,
            at_pulse_width: None,
        };
        d.switching.mobility = Some(mobility);
        d.switching.propagation_fraction = 0.0;
        Ok(d)
    };
    let currents = |d: &Device| -> Result<Vec<Option<f64>>, ConfigError> {
        let m = ThresholdModel::new(d, Some(*pulse))?;
        Ok((0..n).map(|i| m.switching_current(i, pulse, limit)).collect())
    };
    let cost = |log_j: f64| -> f64 {
        let Ok(d) = with_jth(log_j.exp()) else { return f64::INFINITY };
        let Ok(c) = currents(&d) else { return f64::INFINITY };
        // An MTJ one model switches and the other cannot counts as a factor e^2 off, so the
        // cost stays continuous enough for the line search.
        let terms: Vec<f64> = c
            .iter()
            .zip(&i_dyn)
            .filter_map(|(a, b)| match (a.filter(|v| *v > 0.0), b.filter(|v| *v > 0.0)) {
                (Some(x), Some(y)) => Some((x / y).ln().powi(2)),
                (None, None) => None,
                _ => Some(4.0),
            })
            .collect();
        if terms.is_empty() {
            f64::INFINITY
        } else {
            terms.iter().sum::<f64>() / terms.len() as f64
        }
    };
    // Bracket around the quasi-static threshold of the first switchable MTJ.
    let j0 = quasi
        .nominal
        .iter()
        .map(|t| t.j_c_ap)
        .find(|&j| j > 0.0)
        .unwrap_or(1e11)
        .max(0.2 * j_ref);
    let (mut a, mut b) = ((0.2 * j0).ln(), (10.0 * j0).ln());
    let g = (5f64.sqrt() - 1.0) / 2.0;
    let (mut c, mut d) = (b - g * (b - a), a + g * (b - a));
    let (mut fc, mut fd) = (cost(c), cost(d));
    for _ in 0..40 {
        if fc < fd {
            b = d;
            d = c;
            fd = fc;
            c = b - g * (b - a);
            fc = cost(c);
        } else {
            a = c;
            c = d;
            fc = fd;
            d = a + g * (b - a);
            fd = cost(d);
        }
    }
    let j_th = (0.5 * (a + b)).exp();
    let calibrated = with_jth(j_th)?;
    let i_l0 = currents(&calibrated)?;
    let rms_log_error = cost(j_th.ln()).sqrt();
    let points = (0..n)
        .map(|i| CalibrationPoint {
            mtj: i + 1,
            dynamic_a: i_dyn[i],
            threshold_a: i_l0[i],
            quasi_static_a: quasi_static[i],
        })
        .collect();
    Ok(Calibration {
        j_th_a_per_m2: j_th,
        mobility,
        at_bias_a_per_m: device.bias_field,
        pulse: *pulse,
        points,
        rms_log_error,
        device: calibrated,
    })
}
