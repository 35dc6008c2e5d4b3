//! DW-MTJ devices for networks, built from a device file through the threshold model of
//! dwmtj-core (docs/physics.md sections 4-7):
//!
//! * the **synapse**: the MTJs switch one by one as the programming current rises, so the
//!   device has levels G_0 > G_1 > ... (P -> AP lowers the conductance); level k+1 is written
//!   with a pulse of current I_k midway between the 50 % switching currents of the k-th and
//!   (k+1)-th MTJ to switch (1.15 x the last one's, below breakdown). The probability that such a
//!   pulse switches its MTJ, p_k = P_switch(I_k) (Kramers escape plus footprint crossing, nominal
//!   thresholds), is the pulse's success rate; its Joule energy is I_k^2 R_wire t_E, with
//!   t_E = integral s(t)^2 dt of the pulse shape.
//! * the **activation**: the sigmoid generator's normalised conductance drop
//!   y(I) = sum_i dG_i [MTJ i switched by I] / sum_i dG_i, a staircase whose steps are the MTJs'
//!   switching probabilities p_i(I). A neuron's pre-activation z drives I = I_0 + s z, with I_0
//!   and s the centre and scale of the logistic fitted to the expected staircase, so that the
//!   designed smooth function is sigma(z) and its derivative sigma(z)(1 - sigma(z)) is what the
//!   backward pass uses. The forward pass draws each MTJ's switching (Bernoulli p_i(I)).

use dwmtj_core::device::{Device, PulseShape};
use dwmtj_core::threshold::ThresholdModel;
use dwmtj_core::ConfigError;

/// A DW-MTJ synapse's properties as seen by a network.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct DwSynapse {
    /// Normalised conductance drop of each level in switching order, 0 (reset) .. 1.
    pub levels: Vec<f64>,
    /// Device conductance at each level (S).
    pub conductance: Vec<f64>,
    /// Programming current of each step (A).
    pub step_current: Vec<f64>,
    /// Probability that a step's pulse switches its MTJ.
    pub step_probability: Vec<f64>,
    /// Joule energy of each step's pulse (J).
    pub step_energy: Vec<f64>,
    /// Programming pulse width (FWHM), s.
    pub pulse_width: f64,
    /// Wire resistance the programming current flows through (Ohm).
    pub wire_resistance: f64,
}

impl DwSynapse {
    /// Mean success probability of the steps (0 without steps).
    pub fn mean_probability(&self) -> f64 {
        mean(&self.step_probability)
    }

    /// Mean Joule energy of the step pulses (J; 0 without steps).
    pub fn mean_energy(&self) -> f64 {
        mean(&self.step_energy)
    }
}

fn mean(v: &[f64]) -> f64 {
    if v.is_empty() {
        0.0
    } else {
        v.iter().sum::<f64>() / v.len() as f64
    }
}

/// Switching order: (MTJ index, 50 % current) of the current-switched MTJs, ascending; and the
/// reset state (field-switched MTJs already AP).
fn switching_order(model: &ThresholdModel<'_>, device: &Device, pulse: &PulseShape) -> (Vec<(usize, f64)>, Vec<f64>) {
    let limit = if device.breakdown_current().is_finite() {
        device.breakdown_current()
    } else {
        1.0
    };
    let n = device.mtjs.len();
    let mut order: Vec<(usize, f64)> = (0..n)
        .filter(|&i| model.nominal[i].j_c_ap > 0.0)
        .filter_map(|i| Some((i, model.switching_current(i, pulse, limit)?)))
        .collect();
    order.sort_by(|a, b| a.1.total_cmp(&b.1));
    let reset = (0..n).map(|i| if model.nominal[i].j_c_ap <= 0.0 { 1.0 } else { 0.0 }).collect();
    (order, reset)
}

/// The synapse of a device file for its programming pulse.
pub fn synapse(device: &Device, pulse: &PulseShape) -> Result<DwSynapse, ConfigError> {
    let model = ThresholdModel::new(device, Some(*pulse))?;
    let (order, mut state) = switching_order(&model, device, pulse);
    let limit = device.breakdown_current();
    let r_wire = device.wire_resistance();
    let mut g = vec![device.read(&state).conductance];
    let (mut cur, mut prob, mut energy) = (Vec::new(), Vec::new(), Vec::new());
    for (k, &(i, i50)) in order.iter().enumerate() {
        let next = order.get(k + 1).map_or(1.15 * i50, |o| 0.5 * (i50 + o.1));
        let i_prog = if limit.is_finite() { next.min(0.999 * limit) } else { next };
        cur.push(i_prog);
        prob.push(model.switching_probability(i, i_prog, pulse));
        energy.push(i_prog * i_prog * r_wire * pulse.energy_duration());
        state[i] = 1.0;
        g.push(device.read(&state).conductance);
    }
    let (g0, g_end) = (g[0], g[g.len() - 1]);
    let levels = if g.len() < 2 {
        vec![0.0]
    } else {
        g.iter().map(|x| (g0 - x) / (g0 - g_end)).collect()
    };
    Ok(DwSynapse {
        levels,
        conductance: g,
        step_current: cur,
        step_probability: prob,
        step_energy: energy,
        pulse_width: pulse.width,
        wire_resistance: r_wire,
    })
}

/// The sigmoid generator of a device file as a neuron.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct DwActivation {
    /// Current grid (A), from 0 to 1.3 times the last MTJ's 50 % current (at most the breakdown
    /// current).
    pub currents: Vec<f64>,
    /// Switching probability of each current-switched MTJ on the current grid, one row per MTJ in
    /// switching order.
    pub probability: Vec<Vec<f64>>,
    /// Each MTJ's share of the normalised output step (sums to 1).
    pub weight: Vec<f64>,
    /// Centre I_0 of the fitted logistic (A): the current at pre-activation 0. (The output is
    /// normalised so that the reset state, field-switched MTJs only, gives 0.)
    pub centre: f64,
    /// Scale s of the fitted logistic (A per unit of pre-activation): I = I_0 + s z.
    pub scale: f64,
    /// RMS of the expected staircase minus the fitted logistic, on the current grid (fraction of
    /// full scale).
    pub fit_rms: f64,
    /// Joule energy of one evaluation at the centre current (J).
    pub energy_at_centre: f64,
    /// Wire resistance (Ohm).
    pub wire_resistance: f64,
    /// integral s(t)^2 dt of the pulse shape (s): the Joule energy is I^2 R_wire times this.
    pub pulse_energy_duration: f64,
    /// Generator pulse width (FWHM), s.
    pub pulse_width: f64,
}

impl DwActivation {
    fn index(&self, current: f64) -> (usize, f64) {
        let n = self.currents.len();
        let (c0, c1) = (self.currents[0], self.currents[n - 1]);
        let u = ((current - c0) / (c1 - c0) * (n - 1) as f64).clamp(0.0, (n - 1) as f64);
        let k = (u.floor() as usize).min(n - 2);
        (k, u - k as f64)
    }

    /// Expected output for wire current I (linear interpolation of the tabulated p_i).
    pub fn expected(&self, current: f64) -> f64 {
        let (k, t) = self.index(current);
        self.weight
            .iter()
            .zip(&self.probability)
            .map(|(w, p)| w * (p[k] + t * (p[k + 1] - p[k])))
            .sum()
    }

    /// One noisy evaluation: each MTJ switches with its probability; `u` gives a uniform draw
    /// per MTJ.
    pub fn sample(&self, current: f64, mut u: impl FnMut() -> f64) -> f64 {
        let (k, t) = self.index(current);
        self.weight
            .iter()
            .zip(&self.probability)
            .map(|(w, p)| if u() < p[k] + t * (p[k + 1] - p[k]) { *w } else { 0.0 })
            .sum()
    }

    /// Current for pre-activation z (clamped at 0: the generator is driven one way).
    pub fn current(&self, z: f64) -> f64 {
        (self.centre + self.scale * z).max(0.0)
    }

    /// Joule energy of an evaluation at pre-activation z.
    pub fn energy(&self, z: f64) -> f64 {
        let i = self.current(z);
        i * i * self.wire_resistance * self.pulse_energy_duration
    }
}

/// Tabulate the generator and fit the logistic 1 / (1 + exp(-(I - I_0)/s)) to its expected
/// output by least squares (Gauss-Newton from the moments).
pub fn activation(device: &Device, pulse: &PulseShape) -> Result<DwActivation, ConfigError> {
    let model = ThresholdModel::new(device, Some(*pulse))?;
    let (order, reset) = switching_order(&model, device, pulse);
    if order.len() < 2 {
        return Err(ConfigError::field(
            "mtj",
            format!("{} current-switched MTJs", order.len()),
            "a sigmoid generator needs at least 2 MTJs that the current switches below breakdown",
        ));
    }
    let mut state = reset.clone();
    let g0 = device.read(&state).conductance;
    let mut drops = Vec::new();
    for &(i, _) in &order {
        let before = device.read(&state).conductance;
        state[i] = 1.0;
        drops.push(before - device.read(&state).conductance);
    }
    let total = g0 - device.read(&state).conductance;
    let weight: Vec<f64> = drops.iter().map(|d| d / total).collect();
    let i_max = {
        let last = order[order.len() - 1].1;
        let lim = device.breakdown_current();
        if lim.is_finite() {
            (1.3 * last).min(lim)
        } else {
            1.3 * last
        }
    };
    let n = 241;
    let currents: Vec<f64> = (0..n).map(|k| i_max * k as f64 / (n - 1) as f64).collect();
    let probability: Vec<Vec<f64>> = order
        .iter()
        .map(|&(i, _)| currents.iter().map(|&c| model.switching_probability(i, c, pulse)).collect())
        .collect();
    let mut act = DwActivation {
        currents,
        probability,
        weight,
        centre: 0.0,
        scale: 1.0,
        fit_rms: 0.0,
        energy_at_centre: 0.0,
        wire_resistance: device.wire_resistance(),
        pulse_energy_duration: pulse.energy_duration(),
        pulse_width: pulse.width,
    };
    let ys: Vec<f64> = act.currents.iter().map(|&c| act.expected(c)).collect();
    // Start: the 50 % crossing and the 25-75 % width.
    let cross = |level: f64| {
        let k = ys.iter().position(|&y| y >= level).unwrap_or(ys.len() - 1);
        act.currents[k]
    };
    let (mut c0, mut s) = (cross(0.5), ((cross(0.75) - cross(0.25)) / (2.0 * 3f64.ln())).max(1e-9));
    for _ in 0..50 {
        // Gauss-Newton on r_k = f(I_k) - y_k with f = 1/(1+e^-u), u = (I - c0)/s.
        let (mut a11, mut a12, mut a22, mut b1, mut b2) = (0.0, 0.0, 0.0, 0.0, 0.0);
        for (&c, &y) in act.currents.iter().zip(&ys) {
            let u = (c - c0) / s;
            let f = 1.0 / (1.0 + (-u).exp());
            let df = f * (1.0 - f);
            let (j1, j2) = (-df / s, -df * u / s);
            let r = f - y;
            a11 += j1 * j1;
            a12 += j1 * j2;
            a22 += j2 * j2;
            b1 += j1 * r;
            b2 += j2 * r;
        }
        let det = a11 * a22 - a12 * a12;
        if det.abs() < 1e-300 {
            break;
        }
        let d1 = (a22 * b1 - a12 * b2) / det;
        let d2 = (a11 * b2 - a12 * b1) / det;
        c0 -= d1;
        s = (s - d2).max(1e-3 * s);
        if d1.abs() < 1e-12 * c0.abs() && d2.abs() < 1e-12 * s {
            break;
        }
    }
    let rms = (act
        .currents
        .iter()
        .zip(&ys)
        .map(|(&c, &y)| (1.0 / (1.0 + (-(c - c0) / s).exp()) - y).powi(2))
        .sum::<f64>()
        / ys.len() as f64)
        .sqrt();
    act.centre = c0;
    act.scale = s;
    act.fit_rms = rms;
    act.energy_at_centre = c0 * c0 * act.wire_resistance * act.pulse_energy_duration;
    Ok(act)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn device(text: &str) -> (Device, PulseShape) {
        let (_, d, p) = dwmtj_core::config::parse_device(text, "t", None).unwrap();
        (d, p.unwrap().pulse)
    }

    #[test]
    fn fig3f_synapse_has_eight_levels_reliable_steps_and_picojoule_pulses() {
        let (d, p) = device(include_str!("../../../configs/fig3f.toml"));
        let s = synapse(&d, &p).unwrap();
        assert_eq!(s.levels.len(), 8);
        assert!(s.step_current.windows(2).all(|w| w[1] > w[0]));
        // Programming midway between neighbouring 50 % currents is reliable.
        assert!(s.mean_probability() > 0.9, "{:?}", s.step_probability);
        // The paper's energy range (1.2-16 pJ per modulation at 8 ns).
        let e = s.mean_energy();
        assert!(e > 1e-12 && e < 16e-12, "{e}");
    }

    #[test]
    fn fig4c_activation_is_a_sigmoid_staircase_with_a_matching_logistic() {
        let (d, p) = device(include_str!("../../../configs/fig4c.toml"));
        let a = activation(&d, &p).unwrap();
        assert_eq!(a.weight.len(), 7, "two of nine MTJs are field-switched");
        assert!((a.weight.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        // The paper's design: 50 % near the middle of the 170-490 uA threshold range.
        assert!(a.centre > 250e-6 && a.centre < 450e-6, "{}", a.centre);
        // A staircase of 7 steps of ~1/7 deviates from any smooth curve by about
        // (1/7)/sqrt(12) = 0.041 RMS over a dense current grid; unequal steps add some.
        assert!(a.fit_rms < 0.08, "{}", a.fit_rms);
        assert!(a.expected(0.0) < 0.01 && a.expected(a.currents[a.currents.len() - 1]) > 0.97);
        // Sampling is unbiased: the mean of many noisy evaluations is the expected output.
        let mut state = 12345u64;
        let mut u = || {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (state >> 11) as f64 / (1u64 << 53) as f64
        };
        let c = a.centre;
        let m: f64 = (0..20000).map(|_| a.sample(c, &mut u)).sum::<f64>() / 20000.0;
        assert!((m - a.expected(c)).abs() < 0.01, "{m} vs {}", a.expected(c));
    }
}
