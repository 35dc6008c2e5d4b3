//! Dynamics-aware discrete design (`dwmtj design --model dynamic`), docs/physics.md 7.5.
//!
//! The threshold design (7.1) gives every MTJ the same switching density J_th. In the 1D model
//! (the dynamic device mode, [`dwmtj_core::dynamic`]) MTJ k switches as its wall crosses the
//! footprint (crossing length L_k, half the side for symmetric writing) during the pulses of the
//! ramp, against the film pinning H_dep: near the dynamic depinning density a pulse moves the
//! wall a few pinning periods and it re-pins, so travel accumulates over pulses and larger
//! footprints need more density. The design keeps the staircase fit (thresholds I_k, area
//! fractions a_k) and solves for each MTJ's density J_k:
//!
//! ```text
//! J_k = min { J : the wall, driven by the ramp's pulses I_m <= I_k at density J I_m / I_k,
//!                 has crossed L_k / 2 (the MTJ reads half switched) by the first ramp current >= I_k }
//! w_k = f_HM I_k / (J_k t_HM)
//! ```
//! Each footprint sits on a plateau of width w_k (no taper force where the wall crosses; the
//! transitions fill the gaps between MTJs), so the widths need not grow along the wire; the
//! narrowest plateau must carry the ramp's top current below breakdown. The search runs 16
//! candidate densities side by side in SIMD lanes, three rounds of a geometric grid (resolution
//! 0.2 %). The MTJ sides that fit under the wire depend on the widths, so the design iterates to
//! a fixed point (change below 0.2 %). Where a footprint cannot be crossed below the breakdown
//! density the MTJ sides are reduced together (keeping the area fractions) down to the minimum
//! feature; if even that fails the design stops with the shortest pulse and the DMI that would
//! cross it.

use crate::discrete::{fit_staircase, geometry, DesignSpec, DiscreteDesign, SwitchingSection};
use crate::DesignError;
use dwmtj_core::config::parse_device;
use dwmtj_core::device::{Device, PulseShape};
use dwmtj_core::dynamic::DynamicModel;
use serde::Serialize;

/// Period of the film pinning the design and its device file use (m).
pub const PIN_PERIOD: f64 = 20e-9;

/// Candidate densities integrated side by side per round of the search.
const LANES: usize = 16;

/// What the dynamic design solved for.
#[derive(Clone, Debug, Serialize)]
pub struct DynamicDesignInfo {
    /// HM current density at each MTJ's critical width at its threshold I_k (A/m^2).
    pub switching_densities_a_per_m2: Vec<f64>,
    /// Distance each wall crosses (m).
    pub crossing_lengths_m: Vec<f64>,
    /// Film pinning plus taper back-force at each MTJ (A/m).
    pub pinning_fields_a_per_m: Vec<f64>,
    /// Fixed-point iterations of the geometry.
    pub iterations: usize,
    /// Largest MTJ side allowed after the crossing constraint (m).
    pub side_cap_m: f64,
    /// Period of the film pinning (m).
    pub pin_period_m: f64,
}

/// Why the footprints had to shrink.
enum Stuck {
    /// MTJ k's wall cannot cross its footprint below breakdown.
    Crossing(usize),
}

/// Whether MTJ i's wall has crossed half its footprint (the MTJ reads half switched, the middle
/// of its step) by the ramp current `i_k`, for each density
/// at `i_k` in `js` (pulse m has density js[l] I_m / i_k). All lanes run each ramp pulse together.
fn crossed_by(model: &DynamicModel<'_>, i: usize, i_k: f64, ramp: &[f64], js: &[f64], pulse: &PulseShape) -> Vec<bool> {
    let length = model.device.crossing_length(i);
    let last = ramp.iter().position(|&c| c >= i_k * (1.0 - 1e-12)).unwrap_or(ramp.len() - 1);
    let mut q = vec![0.0; js.len()];
    let mut done = vec![false; js.len()];
    for &im in &ramp[..=last] {
        if im <= 0.0 {
            continue;
        }
        let active: Vec<usize> = (0..js.len())
            .filter(|&l| !done[l] && !model.blocked(i, js[l] * im / i_k, true, 1.0))
            .collect();
        if active.is_empty() {
            continue;
        }
        let runs: Vec<(f64, f64)> = active.iter().map(|&l| (js[l] * im / i_k, q[l])).collect();
        for (&l, d) in active.iter().zip(model.travel_many(i, &runs, 1.0, pulse)) {
            q[l] = (q[l] + d).max(0.0);
            done[l] = q[l] >= 0.5 * length;
        }
    }
    done
}

/// The smallest density at `i_k` (within 0.2 %) that switches MTJ i by the ramp current `i_k`;
/// None if `j_max` does not.
fn switching_density(model: &DynamicModel<'_>, i: usize, i_k: f64, ramp: &[f64], pulse: &PulseShape, j_max: f64) -> Option<f64> {
    if !crossed_by(model, i, i_k, ramp, &[j_max], pulse)[0] {
        return None;
    }
    let (mut lo, mut hi) = (j_max * 1e-3, j_max);
    for _ in 0..3 {
        let js: Vec<f64> = (1..=LANES).map(|l| lo * (hi / lo).powf(l as f64 / LANES as f64)).collect();
        let c = crossed_by(model, i, i_k, ramp, &js, pulse);
        let first = c.iter().position(|&x| x).unwrap_or(LANES - 1);
        hi = js[first];
        if first > 0 {
            lo = js[first - 1];
        }
    }
    Some(hi)
}

fn parse(design: &DiscreteDesign) -> Result<(Device, Vec<f64>), DesignError> {
    let (_, device, program) = parse_device(&design.device_toml, "design.toml", None)
        .map_err(|e| DesignError::Infeasible(format!("the designed device is invalid: {e}")))?;
    let program = program.expect("designed devices carry a program");
    let ramp = program.sweeps.first().map(|s| s.currents.clone()).unwrap_or_default();
    Ok((device, ramp))
}

/// Why MTJ i of `device` cannot be switched within the rules, with what would fix it: the
/// shortest pulse and the DMI for which the wall crosses the footprint in one pulse at `j_max`.
fn infeasible(device: &Device, i: usize, pulse: &PulseShape, j_max: f64, side_note: &str) -> DesignError {
    let length = device.crossing_length(i);
    let one = |dev: &Device, p: &PulseShape| {
        DynamicModel::new(dev, PIN_PERIOD)
            .map(|m| m.travel_many(i, &[(j_max, 0.0)], 1.0, p)[0])
            .unwrap_or(0.0)
    };
    let travel = one(device, pulse);
    let long = |w: f64| PulseShape { width: w, ..*pulse };
    let shortest = if one(device, &long(2e-6)) >= length {
        let (mut lo, mut hi) = (pulse.width, 2e-6f64);
        for _ in 0..40 {
            let mid = (lo * hi).sqrt();
            if one(device, &long(mid)) >= length {
                hi = mid;
            } else {
                lo = mid;
            }
        }
        format!("The shortest pulse that crosses it at that density is {:.1} ns", hi * 1e9)
    } else {
        "No pulse up to 2 us crosses it (the wall stays pinned)".to_string()
    };
    let with_dmi = |d: f64| {
        let mut dev = device.clone();
        dev.material.dmi = d.copysign(if device.material.dmi == 0.0 { 1.0 } else { device.material.dmi });
        one(&dev, pulse)
    };
    let d0 = device.material.dmi.abs();
    let dmi = if with_dmi(5e-3) >= length {
        let (mut lo, mut hi) = (d0.max(1e-6), 5e-3f64);
        for _ in 0..40 {
            let mid = (lo * hi).sqrt();
            if with_dmi(mid) >= length {
                hi = mid;
            } else {
                lo = mid;
            }
        }
        format!("a DMI of {:.3} mJ/m^2 would cross it in {:.1} ns", hi * 1e3, pulse.width * 1e9)
    } else {
        "no DMI up to 5 mJ/m^2 crosses it".to_string()
    };
    DesignError::Infeasible(format!(
        "with the dynamic 1D model the wall of MTJ {} cannot cross half its footprint ({:.0} nm{side_note}) within the {:.1} ns pulse at the most its section can carry ({:.3e} A/m^2 at its threshold, the breakdown density scaled by threshold / range top): one pulse at that density moves it {:.0} nm in '{}' (D = {:.3} mJ/m^2, H_dep + taper = {:.1} Oe). {shortest}; {dmi}; or allow a higher breakdown density or smaller MTJs (--model threshold designs with the threshold model alone)",
        i + 1,
        length * 1e9,
        pulse.width * 1e9,
        j_max,
        travel.max(0.0) * 1e9,
        device.material.name,
        d0 * 1e3,
        DynamicModel::new(device, PIN_PERIOD).map_or(0.0, |m| m.pinning_field(i)) * 4e-3 * std::f64::consts::PI,
    ))
}

/// Design a device for `spec` against the dynamic 1D model at the design pulse; the device
/// file it writes uses that model (`[switching] model = "dynamic"`, 0 K). `progress` is told
/// each iteration.
pub fn design_dynamic(spec: &DesignSpec, progress: &dyn Fn(&str)) -> Result<(DiscreteDesign, DynamicDesignInfo), DesignError> {
    if spec.material.h_dep <= 0.0 {
        return Err(DesignError::Infeasible(format!(
            "material '{}' has no film depinning field (h_dep = 0): the dynamic model needs one for the wall's pinning",
            spec.material.name
        )));
    }
    let (th, a, rms) = fit_staircase(spec)?;
    let n = th.len();
    // Every section carries the ramp's top current, so MTJ k's density at its threshold can be at
    // most J_bd I_k / I_top without breaking its section down at the top of the range.
    let i_top = spec.target.i_max.max(th[n - 1]);
    let j_lim: Vec<f64> = th.iter().map(|&i| spec.rules.breakdown_current_density * i / i_top).collect();
    let pulse = PulseShape::rectangular(spec.pulse_width);
    let sw = SwitchingSection::Dynamic { pin_period: PIN_PERIOD };
    let mut j = vec![spec.j_th; n];
    let mut cap = spec.rules.max_mtj_side;
    // Why the footprints were last reduced.
    let mut last: Option<(Device, Stuck)> = None;
    for iteration in 1..=40 {
        progress(&format!("dynamic design, iteration {iteration}"));
        let d = match geometry(spec, th.clone(), a.clone(), rms, &j, cap, &sw) {
            Ok(d) => d,
            // The footprints were reduced below the minimum feature to make them crossable.
            Err(e) => {
                return Err(match (&last, e.to_string().contains("minimum feature")) {
                    (Some((device, Stuck::Crossing(k))), true) => infeasible(
                        device,
                        *k,
                        &pulse,
                        j_lim[*k],
                        "; the footprints were reduced until the smallest MTJ reached the minimum feature",
                    ),
                    _ => e,
                })
            }
        };
        let (device, ramp) = parse(&d)?;
        let model = DynamicModel::new(&device, PIN_PERIOD).map_err(|e| DesignError::Infeasible(e.to_string()))?;
        let mut j_new = Vec::with_capacity(n);
        for k in 0..n {
            match switching_density(&model, k, th[k], &ramp, &pulse, j_lim[k]) {
                Some(x) => j_new.push(x),
                None => break,
            }
        }
        let largest = d.sides_m.iter().copied().fold(0.0, f64::max);
        if j_new.len() < n {
            // MTJ k cannot be crossed below breakdown: smaller footprints.
            last = Some((device.clone(), Stuck::Crossing(j_new.len())));
            cap = largest * 0.85;
            let found = j_new.len();
            j_new.extend_from_slice(&j_lim[found..]);
            j = j_new;
            continue;
        }
        let change = j.iter().zip(&j_new).map(|(o, n)| (n / o - 1.0).abs()).fold(0.0, f64::max);
        // Damped after a few rounds so that the width-taper coupling cannot oscillate.
        j = if iteration > 4 {
            j.iter().zip(&j_new).map(|(o, n)| (o * n).sqrt()).collect()
        } else {
            j_new
        };
        if change < 2e-3 {
            let d = geometry(spec, th, a, rms, &j, cap, &sw)?;
            let (device, _) = parse(&d)?;
            let model = DynamicModel::new(&device, PIN_PERIOD).map_err(|e| DesignError::Infeasible(e.to_string()))?;
            let info = DynamicDesignInfo {
                switching_densities_a_per_m2: j,
                crossing_lengths_m: (0..n).map(|k| device.crossing_length(k)).collect(),
                pinning_fields_a_per_m: (0..n).map(|k| model.pinning_field(k)).collect(),
                iterations: iteration,
                side_cap_m: cap,
                pin_period_m: PIN_PERIOD,
            };
            return Ok((d, info));
        }
    }
    Err(DesignError::Infeasible(
        "the dynamic design did not settle in 40 iterations (the taper force and the wall speed keep moving the widths); try fewer MTJs or --model threshold".into(),
    ))
}
