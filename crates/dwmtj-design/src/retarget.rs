//! Post-fabrication retargeting (the device paper's Discussion): a fabricated discrete device
//! is reshaped without new masks by presetting chosen MTJs to AP before the input current (a
//! write current through each chosen MTJ, as in MRAM) and by choosing the bias field.
//!
//! With the bias H, MTJ i's athermal threshold is J_c,i(H) = (F_c,i - H_a,i(H))/eps (the
//! threshold model, docs/physics.md 5.1), and its 50 % switching current I_i(H) for the design
//! pulse follows from the thermal model. A preset MTJ adds its conductance step at every
//! current; the others step at I_i(H). The output, as a fraction of the full conductance swing,
//! ```text
//! y(I) = sum_i dG_i [preset_i or I >= I_i(H)] / sum_i dG_i,   dG_i = G_P,i - G_AP,i
//! ```
//! is compared with the normalised target on the current range. Every preset set is searched
//! (Gray-code order, one MTJ toggled per step, so each candidate costs one pass over the
//! samples) at every bias of a grid, and the set and bias with the lowest RMS error win.

use crate::target::Target;
use crate::DesignError;
use dwmtj_core::device::{Device, PulseShape};
use dwmtj_core::threshold::ThresholdModel;

/// At most this many MTJs (2^14 preset sets per bias).
pub const MAX_MTJS: usize = 14;

/// The search: bias grid and current samples.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct RetargetOptions {
    /// Lowest bias field tried, A/m.
    pub bias_min: f64,
    /// Highest bias field tried, A/m.
    pub bias_max: f64,
    /// Bias fields on the grid (>= 1).
    pub bias_points: usize,
    /// Current samples on the target's range.
    pub samples: usize,
}

/// The retargeted device.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Retarget {
    /// MTJs to preset to AP before the input, numbered from 1.
    pub presets: Vec<usize>,
    /// Bias field, A/m.
    pub bias_field_a_per_m: f64,
    /// RMS error against the target, as a fraction of the full swing.
    pub rms_error: f64,
    /// Largest error.
    pub max_error: f64,
    /// RMS error of the device as fabricated (no presets, its own bias).
    pub as_fabricated_rms_error: f64,
    /// 50 % switching current of each MTJ at the chosen bias, A (None: beyond breakdown).
    pub switching_currents_a: Vec<Option<f64>>,
    /// (current A, target, retargeted output, as-fabricated output).
    pub curve: Vec<(f64, f64, f64, f64)>,
}

fn switching_currents(device: &Device, pulse: &PulseShape, bias: f64) -> Result<Vec<Option<f64>>, DesignError> {
    let mut d = device.clone();
    d.bias_field = bias;
    let model = ThresholdModel::new(&d, Some(*pulse)).map_err(|e| DesignError::Input(e.to_string()))?;
    let limit = if d.breakdown_current().is_finite() {
        d.breakdown_current()
    } else {
        1.0
    };
    Ok((0..d.mtjs.len()).map(|i| model.switching_current(i, pulse, limit)).collect())
}

/// Choose presets and bias for `target`; `pulse` is the input pulse.
pub fn retarget(device: &Device, pulse: &PulseShape, target: &Target, opts: &RetargetOptions) -> Result<Retarget, DesignError> {
    let n = device.mtjs.len();
    if n == 0 || n > MAX_MTJS {
        return Err(DesignError::Input(format!(
            "retargeting searches every preset set: the device has {n} MTJs, at most {MAX_MTJS}"
        )));
    }
    if !(opts.bias_points >= 1 && opts.samples >= 2 && opts.bias_max >= opts.bias_min) {
        return Err(DesignError::Input("bias range MIN..MAX with MIN <= MAX".into()));
    }
    let dg: Vec<f64> = device.mtjs.iter().map(|m| m.conductance_p() - m.conductance(1.0, 0.0)).collect();
    let total: f64 = dg.iter().sum();
    let currents: Vec<f64> = (0..opts.samples)
        .map(|k| target.i_min + (target.i_max - target.i_min) * k as f64 / (opts.samples - 1) as f64)
        .collect();
    let want: Vec<f64> = currents.iter().map(|&i| target.eval(i)).collect();
    let output = |ic: &[Option<f64>], preset: &[bool]| -> Vec<f64> {
        currents
            .iter()
            .map(|&i| {
                (0..n)
                    .filter(|&j| preset[j] || ic[j].is_some_and(|c| i >= c))
                    .map(|j| dg[j])
                    .sum::<f64>()
                    / total
            })
            .collect()
    };
    let errors = |y: &[f64]| -> (f64, f64) {
        let sq = y.iter().zip(&want).map(|(a, b)| (a - b).powi(2)).sum::<f64>() / y.len() as f64;
        let max = y.iter().zip(&want).map(|(a, b)| (a - b).abs()).fold(0.0, f64::max);
        (sq.sqrt(), max)
    };
    let fabricated_ic = switching_currents(device, pulse, device.bias_field)?;
    let fabricated = output(&fabricated_ic, &vec![false; n]);
    let (as_fabricated, _) = errors(&fabricated);
    let mut best: Option<(f64, f64, u32, Vec<Option<f64>>)> = None;
    for b in 0..opts.bias_points {
        let bias = if opts.bias_points == 1 {
            opts.bias_min
        } else {
            opts.bias_min + (opts.bias_max - opts.bias_min) * b as f64 / (opts.bias_points - 1) as f64
        };
        let ic = switching_currents(device, pulse, bias)?;
        // steps[j][k]: MTJ j's share at sample k without a preset.
        let steps: Vec<Vec<f64>> = (0..n)
            .map(|j| {
                currents
                    .iter()
                    .map(|&i| if ic[j].is_some_and(|c| i >= c) { dg[j] / total } else { 0.0 })
                    .collect()
            })
            .collect();
        let mut y: Vec<f64> = (0..currents.len()).map(|k| steps.iter().map(|s| s[k]).sum()).collect();
        let mut mask: u32 = 0;
        for g in 0u32..(1 << n) {
            if g > 0 {
                // Gray code: toggle the lowest set bit of g.
                let j = g.trailing_zeros() as usize;
                let on = mask & (1 << j) == 0;
                mask ^= 1 << j;
                let full = dg[j] / total;
                for (k, v) in y.iter_mut().enumerate() {
                    *v += if on { full - steps[j][k] } else { steps[j][k] - full };
                }
            }
            let sq: f64 = y.iter().zip(&want).map(|(a, b)| (a - b).powi(2)).sum();
            if best.as_ref().is_none_or(|(s, _, _, _)| sq < *s - 1e-15) {
                best = Some((sq, bias, mask, ic.clone()));
            }
        }
    }
    let (_, bias, mask, ic) = best.expect("at least one candidate");
    let preset: Vec<bool> = (0..n).map(|j| mask & (1 << j) != 0).collect();
    let y = output(&ic, &preset);
    let (rms, max) = errors(&y);
    Ok(Retarget {
        presets: (0..n).filter(|&j| preset[j]).map(|j| j + 1).collect(),
        bias_field_a_per_m: bias,
        rms_error: rms,
        max_error: max,
        as_fabricated_rms_error: as_fabricated,
        switching_currents_a: ic,
        curve: currents
            .iter()
            .enumerate()
            .map(|(k, &i)| (i, want[k], y[k], fabricated[k]))
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fig3f() -> (Device, PulseShape) {
        let (_, d, p) = dwmtj_core::config::parse_device(dwmtj_core::builtin::FIG3F_TOML, "fig3f", None).unwrap();
        (d, p.unwrap().pulse)
    }

    fn opts(device: &Device, span_oe: f64) -> RetargetOptions {
        let oe = 1e3 / (4.0 * std::f64::consts::PI);
        RetargetOptions {
            bias_min: device.bias_field - span_oe * oe,
            bias_max: device.bias_field + span_oe * oe,
            bias_points: 21,
            samples: 201,
        }
    }

    #[test]
    fn the_search_finds_the_best_preset_set_exhaustively() {
        // Check the Gray-code search against a direct evaluation of every preset set at the
        // file's bias: the same optimum.
        let (d, pulse) = fig3f();
        let t = Target::named("sigmoid", 150e-6, 550e-6, Some(330e-6), Some(40e-6)).unwrap();
        let o = RetargetOptions {
            bias_points: 1,
            ..opts(&d, 0.0)
        };
        let r = retarget(&d, &pulse, &t, &o).unwrap();
        let ic = switching_currents(&d, &pulse, d.bias_field).unwrap();
        let dg: Vec<f64> = d.mtjs.iter().map(|m| m.conductance_p() - m.conductance(1.0, 0.0)).collect();
        let total: f64 = dg.iter().sum();
        let mut best = f64::INFINITY;
        for mask in 0u32..(1 << 9) {
            let mut sq = 0.0;
            for k in 0..201 {
                let i = 150e-6 + 400e-6 * k as f64 / 200.0;
                let y: f64 = (0..9)
                    .filter(|&j| mask & (1 << j) != 0 || ic[j].is_some_and(|c| i >= c))
                    .map(|j| dg[j])
                    .sum::<f64>()
                    / total;
                sq += (y - t.eval(i)).powi(2);
            }
            best = best.min((sq / 201.0).sqrt());
        }
        assert!((r.rms_error - best).abs() < 1e-12, "{} vs {best}", r.rms_error);
    }

    #[test]
    fn presets_and_bias_reshape_the_linear_synapse() {
        // The linear synapse retargeted to a sigmoid: presetting the two MTJs no current below
        // breakdown reaches (and choosing the bias) lets the output saturate, which the device
        // as fabricated cannot.
        let (d, pulse) = fig3f();
        let t = Target::named("sigmoid", 150e-6, 550e-6, Some(380e-6), Some(60e-6)).unwrap();
        let r = retarget(&d, &pulse, &t, &opts(&d, 150.0)).unwrap();
        assert!(
            r.rms_error < 0.85 * r.as_fabricated_rms_error,
            "{} vs {}",
            r.rms_error,
            r.as_fabricated_rms_error
        );
        assert!(!r.presets.is_empty());
        // A target the fabricated device already matches needs no presets at its own bias.
        let lin = Target::named("linear", 150e-6, 560e-6, None, None).unwrap();
        let r = retarget(&d, &pulse, &lin, &opts(&d, 0.0)).unwrap();
        assert!(r.rms_error <= r.as_fabricated_rms_error + 1e-12);
    }
}
