//! Inference over time after programming (docs/nn.md 5, "Inference over time").
//!
//! **PCM-like devices** (aihwkit's `PCMLikeNoiseModel`, Nandakumar et al. 2019, as the anchor):
//! each effective weight W of a layer is a pair of conductances g+- = g_max max(+-W, 0)/W_max
//! (W_max = max |W| of the layer, g_max = 25 uS), then
//! ```text
//! programming  g_p = max(g_T + sigma_p xi, 0),  sigma_p = (0.26348 + 1.9650 x - 1.1731 x^2) g_max/25,  x = g_T/g_max
//! drift        g(t) = g_p (t/t_0)^(-nu),  nu ~ N(mu, s) per device, t_0 = 20 s (t < t_0 reads at t_0)
//!              mu = clip(-0.0155 ln x + 0.0244, 0.049, 0.1),  s = clip(-0.0125 ln x - 0.0059, 0.008, 0.045)
//! read noise   g_r = max(g + g Q sqrt(ln((t + t_r)/(2 t_r))) xi, 0),  Q = min(0.0088/x^0.65, 0.2),  t_r = 250 ns
//! ```
//! and W(t) = (g+ - g-) W_max / g_max. Global drift compensation scales every output of a layer
//! by the ratio of the all-ones read-outs right after programming and at t:
//! a = sum_i |sum_j W_p,ij| / sum_i |sum_j W_ij(t)|.
//!
//! **DW-MTJ devices**: a weight is a number of switched MTJs (a level of the synapse; a
//! differential pair holds k+ - k- with one side at reset). Each MTJ footprint is bistable and
//! flips thermally at rate r = exp(-Delta)/tau_0 (Delta from the footprint, [`dwmtj_core::scaled`]),
//! so after t it is in the other state with probability p = (1 - exp(-2 r t))/2, independently:
//! k(t) = Binomial(k, 1 - p) + Binomial(m - k, p) for each side of m MTJs.

use crate::catalog::DeviceEntry;
use crate::devices::DeviceModel;
use crate::energy::CircuitParams;
use crate::network::{infer_exact, Data, NetworkSpec, TrainParams, TrainedLayer};
use rand::Rng;
use rand_distr::{Binomial, Distribution, StandardNormal};

/// Times of the standard study: 1 s, 1 min, 1 h, 1 day, 1 week, 1 month, 1 year after programming.
pub const STANDARD_TIMES_S: [f64; 7] = [1.0, 60.0, 3600.0, 86400.0, 604800.0, 2.63e6, 3.156e7];

/// A model of the weights' change after programming.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub enum TimeModel {
    /// aihwkit's PCM-like noise: programming noise, drift, 1/f read noise.
    PcmLike {
        /// With global drift compensation.
        compensated: bool,
    },
    /// Thermal flips of DW-MTJ footprints of stability Delta.
    DwRetention {
        /// Thermal stability Delta = E_b / kB T of one footprint.
        delta: f64,
        /// Attempt time tau_0, s.
        attempt_time: f64,
    },
}

/// aihwkit's g_max, uS (the model's constants refer to it).
const G_MAX: f64 = 25.0;

fn pcm_programmed(g_t: f64, rng: &mut impl Rng) -> f64 {
    let x = g_t / G_MAX;
    let sigma = (0.26348 + 1.9650 * x - 1.1731 * x * x) * G_MAX / 25.0;
    (g_t + sigma * rng.sample::<f64, _>(StandardNormal)).max(0.0)
}

fn pcm_at(g_p: f64, t: f64, rng: &mut impl Rng) -> f64 {
    let (t0, t_read) = (20.0, 250e-9);
    let x = (g_p / G_MAX).max(1e-6);
    let mu = (-0.0155 * x.ln() + 0.0244).clamp(0.049, 0.1);
    let s = (-0.0125 * x.ln() - 0.0059).clamp(0.008, 0.045);
    let nu = mu + s * rng.sample::<f64, _>(StandardNormal);
    let t = t.max(t0);
    let g = g_p * (t / t0).powf(-nu);
    let q = (0.0088 / x.powf(0.65)).min(0.2);
    let sigma = g * q * ((t + t_read) / (2.0 * t_read)).ln().sqrt();
    (g + sigma * rng.sample::<f64, _>(StandardNormal)).max(0.0)
}

/// The layer's weights at time t after programming under `model` (effective units), with
/// the draws from `rng`. `device` gives the level structure for DW retention; `pair`: a
/// differential pair (one side at reset) rather than one device against a reference.
pub fn weights_at(layer: &TrainedLayer, model: TimeModel, device: &DeviceModel, pair: bool, t: f64, rng: &mut impl Rng) -> Vec<f32> {
    match model {
        TimeModel::PcmLike { compensated } => {
            let w_max = layer.weights.iter().fold(0.0f32, |m, w| m.max(w.abs())).max(1e-30);
            let to_g = |w: f32| f64::from(w.max(0.0) / w_max) * G_MAX;
            let mut programmed = Vec::with_capacity(layer.weights.len());
            let mut now = Vec::with_capacity(layer.weights.len());
            for &w in &layer.weights {
                let (gp, gm) = (pcm_programmed(to_g(w), rng), pcm_programmed(to_g(-w), rng));
                programmed.push(((gp - gm) / G_MAX) as f32 * w_max);
                let (gp_t, gm_t) = (pcm_at(gp, t, rng), pcm_at(gm, t, rng));
                now.push(((gp_t - gm_t) / G_MAX) as f32 * w_max);
            }
            if compensated {
                let readout = |w: &[f32]| -> f64 { w.chunks(layer.inputs).map(|row| f64::from(row.iter().sum::<f32>()).abs()).sum() };
                let (before, after) = (readout(&programmed), readout(&now));
                if after > 0.0 {
                    let a = (before / after) as f32;
                    now.iter_mut().for_each(|w| *w *= a);
                }
            }
            now
        }
        TimeModel::DwRetention { delta, attempt_time } => {
            let DeviceModel::Levels { levels, b_min, b_max, .. } = device else {
                return layer.weights.clone();
            };
            let n = levels.len();
            let rate = (-delta).exp() / attempt_time;
            let p = 0.5 * (1.0 - (-2.0 * rate * t).exp());
            // MTJs per side: a pair has 2m + 1 levels, a single device m + 1.
            let m = if pair { (n - 1) / 2 } else { n - 1 };
            let flip = |k: usize, rng: &mut dyn rand::RngCore| -> usize {
                let stay = Binomial::new(k as u64, 1.0 - p).map_or(k as u64, |b| b.sample(rng));
                let gain = Binomial::new((m - k) as u64, p).map_or(0, |b| b.sample(rng));
                (stay + gain) as usize
            };
            layer
                .weights
                .iter()
                .map(|&w| {
                    let g = (f64::from(w / layer.alpha) - b_min) / (b_max - b_min);
                    let k = levels
                        .iter()
                        .enumerate()
                        .min_by(|a, b| (a.1 - g).abs().total_cmp(&(b.1 - g).abs()))
                        .map_or(0, |(i, _)| i);
                    let k_new = if pair {
                        let (plus, minus) = (k.saturating_sub(m), m.saturating_sub(k));
                        (m + flip(plus, rng)).saturating_sub(flip(minus, rng))
                    } else {
                        flip(k, rng)
                    };
                    let k_new = k_new.min(n - 1);
                    layer.alpha * (b_min + levels[k_new] * (b_max - b_min)) as f32
                })
                .collect()
        }
    }
}

/// Test accuracy at one time: mean and spread over repeated draws.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct TimePoint {
    /// Time after programming, s.
    pub time_s: f64,
    /// Mean test accuracy over the repeats.
    pub accuracy: f64,
    /// Sample standard deviation over the repeats.
    pub accuracy_std: f64,
}

/// One model's accuracy against time.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct TimeCurve {
    /// Label of the model.
    pub label: String,
    /// The model.
    pub model: TimeModel,
    /// Accuracy at each time.
    pub points: Vec<TimePoint>,
}

/// Evaluate the programmed `layers` (effective weights, as [`crate::network::infer`] returns
/// them) at `times` under `model`, `repeats` draws each, through the periphery of `spec`.
#[allow(clippy::too_many_arguments)]
pub fn accuracy_over_time(
    spec: &NetworkSpec,
    device: &DeviceEntry,
    params: &TrainParams,
    data: &Data,
    circuit: &CircuitParams,
    layers: &[TrainedLayer],
    label: &str,
    model: TimeModel,
    times: &[f64],
    repeats: usize,
) -> Result<TimeCurve, String> {
    let pair = device.name == "dw-linear";
    let mut points = Vec::new();
    for (ti, &t) in times.iter().enumerate() {
        let mut acc = Vec::new();
        for r in 0..repeats.max(1) {
            let mut rng = dwmtj_core::stream::stream(params.seed ^ 0xD81F_7000, ti as u64, r as u64);
            let drifted: Vec<TrainedLayer> = layers
                .iter()
                .map(|l| TrainedLayer {
                    weights: weights_at(l, model, &device.model, pair, t, &mut rng),
                    ..l.clone()
                })
                .collect();
            acc.push(infer_exact(spec, device, params, data, circuit, &drifted)?.test_accuracy);
        }
        let mean = acc.iter().sum::<f64>() / acc.len() as f64;
        let sd = if acc.len() > 1 {
            (acc.iter().map(|a| (a - mean).powi(2)).sum::<f64>() / (acc.len() - 1) as f64).sqrt()
        } else {
            0.0
        };
        points.push(TimePoint {
            time_s: t,
            accuracy: mean,
            accuracy_std: sd,
        });
    }
    Ok(TimeCurve {
        label: label.into(),
        model,
        points,
    })
}

/// The models of the standard study for `device`: aihwkit's PCM-like drift without and with
/// global drift compensation and, for the DW-MTJ synapses (`dw-*`), thermal flips of the
/// Fig. 3f footprint (200 x 400 nm) and of a scaled 20 x 25 nm one of `ta-cofeb-mgo` at 300 K,
/// tau_0 = 1 ns (Delta from [`dwmtj_core::scaled::retention`]).
pub fn standard_models(device: &DeviceEntry) -> Vec<(String, TimeModel)> {
    let mut models = vec![
        ("PCM-like (aihwkit model)".to_string(), TimeModel::PcmLike { compensated: false }),
        (
            "PCM-like, global drift compensation".to_string(),
            TimeModel::PcmLike { compensated: true },
        ),
    ];
    if let (true, Some(material)) = (device.name.starts_with("dw-"), dwmtj_core::material::find_builtin("ta-cofeb-mgo")) {
        for (label, l, w) in [
            ("Fig. 3f footprint 200 x 400 nm", 200e-9, 400e-9),
            ("scaled footprint 20 x 25 nm", 20e-9, 25e-9),
        ] {
            let r = dwmtj_core::scaled::retention(&material, l, w, 300.0, 1e-9);
            models.push((
                format!("DW-MTJ, {label} (Delta {:.0})", r.delta),
                TimeModel::DwRetention {
                    delta: r.delta,
                    attempt_time: 1e-9,
                },
            ));
        }
    }
    models
}

/// The standard study: every model of [`standard_models`] at [`STANDARD_TIMES_S`], 3 draws
/// each; `progress` gets the number of models done.
#[allow(clippy::too_many_arguments)]
pub fn standard_study(
    spec: &NetworkSpec,
    device: &DeviceEntry,
    params: &TrainParams,
    data: &Data,
    circuit: &CircuitParams,
    layers: &[TrainedLayer],
    progress: &dyn Fn(u64),
) -> Result<Vec<TimeCurve>, String> {
    let mut curves = Vec::new();
    for (k, (label, model)) in standard_models(device).into_iter().enumerate() {
        curves.push(accuracy_over_time(
            spec,
            device,
            params,
            data,
            circuit,
            layers,
            &label,
            model,
            &STANDARD_TIMES_S,
            3,
        )?);
        progress(k as u64 + 1);
    }
    Ok(curves)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn pcm_drift_follows_the_power_law_on_average() {
        // Without noise terms the mean of ln g(t)/g(t0) is -mu ln(t/t0); the sampled mean of
        // the log ratio over many devices at x = 0.5 matches mu = clip(-0.0155 ln 0.5 + 0.0244).
        let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(3);
        let (g, t) = (12.5, 20.0 * 1e4);
        let n = 20_000;
        let mean_log: f64 = (0..n).map(|_| (pcm_at(g, t, &mut rng) / g).ln()).sum::<f64>() / f64::from(n);
        let mu = (-0.0155 * 0.5f64.ln() + 0.0244).clamp(0.049, 0.1);
        // Read noise adds a small negative bias to E[ln]; the drift term dominates: within 5 %.
        assert!(
            (mean_log / (-mu * 1e4f64.ln()) - 1.0).abs() < 0.05,
            "{mean_log} vs {}",
            -mu * 1e4f64.ln()
        );
    }

    #[test]
    fn retention_flips_follow_the_two_state_chain() {
        // One device against a reference with 7 MTJs, all switched: after t the expected count
        // is 7 (1 - p), p = (1 - exp(-2 r t))/2; a stable footprint keeps every state.
        let levels: Vec<f64> = (0..8).map(|k| f64::from(k) / 7.0).collect();
        let model = DeviceModel::Levels {
            levels,
            p_switch: 1.0,
            b_min: -1.0,
            b_max: 1.0,
        };
        let layer = TrainedLayer {
            inputs: 1,
            outputs: 1,
            weights: vec![1.0; 1],
            bias: vec![0.0],
            device_state: vec![1.0],
            alpha: 1.0,
            weight_shape: Vec::new(),
        };
        let (delta, tau0) = (30.0, 1e-9);
        let t = (30f64).exp() * tau0; // r t = 1
        let p = 0.5 * (1.0 - (-2.0f64).exp());
        let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(5);
        let n = 20_000;
        let mean: f64 = (0..n)
            .map(|_| {
                let w = weights_at(
                    &layer,
                    TimeModel::DwRetention { delta, attempt_time: tau0 },
                    &model,
                    false,
                    t,
                    &mut rng,
                )[0];
                (f64::from(w) + 1.0) / 2.0 * 7.0
            })
            .sum::<f64>()
            / f64::from(n);
        assert!((mean - 7.0 * (1.0 - p)).abs() < 0.05, "{mean} vs {}", 7.0 * (1.0 - p));
        let stable = weights_at(
            &layer,
            TimeModel::DwRetention {
                delta: 400.0,
                attempt_time: tau0,
            },
            &model,
            false,
            3e7,
            &mut rng,
        );
        assert!((stable[0] - 1.0).abs() < 1e-6);
    }
}
