//! Field-swept hysteresis loops: a device read while a perpendicular field is swept (the
//! paper's Figs. 1e and 2c-d and the field staircases of its 9-MTJ devices), docs/physics.md
//! section 11 (field-driven reversal).
//!
//! The free layer is split into regions that reverse as a whole (thermally activated
//! hysterons): each MTJ footprint i (free layer under a reference pillar) and the bare wire
//! between them. The reference layer (the SAF) is a hysteron of its own.
//!
//! A region in state m = +-1 (free-layer m_z) reverses to s = -m under the net field along s,
//! ```text
//! h = s (H + H_s,z),   H_s,z = rho S_i   (stray field of the reference pillar, rho = +-1 its direction;
//!                                          S_i > 0 favours P; 0 for the bare wire)
//! ```
//! at once when h >= H_k (the athermal switching field), else at the Neel-Arrhenius rate
//! ```text
//! r(h) = exp(-U_0 (1 - h/H_k)^n / kB T) / tau_0          (n = 3/2 smooth barrier, 2 parabolic)
//! ```
//! For a field swept at rate R the probability that the region has not reversed by net field h
//! is exp(-(1/R) integral^h r(h') dh'); each region draws an Exp(1) variate and reverses where
//! the integrated hazard reaches it. The hazard over a field step is integrated exactly for a
//! piecewise-linear ln r, with pieces refined until ln r changes by at most 0.5 along each.
//!
//! Median switching field (Sharrock's law for a swept field, asymptotic in kB T/U): with
//! y = 1 - h/H_k,
//! ```text
//! U_0 y^n / kB T = ln( kB T H_k / (tau_0 R n U_0 y^(n-1) ln 2) )
//! ```
//! so the switching field falls with ln(1/R) and the spread of the loops shrinks as
//! (kB T / U_0)^(1/n).
//!
//! At T = 0 a footprint's loop is centred on -H_s,z (the offset equals the stray field) and its
//! half width is H_k: P -> AP and AP -> P are asymmetric about zero field by 2 S_i.
//!
//! Walls: a footprint reverses by a wall entering from its edge, so it can only reverse to s
//! once the bare wire around it is s (the wire's walls sit at its edges); until then its hazard
//! does not grow. The reference layer reverses (and its stray field with it) when |H| passes
//! its switching field (about 1500 Oe in the paper, Fig. 1b), which swaps P and AP.
//!
//! Defaults tie the loop to the current-driven threshold model of the same file
//! ([`crate::threshold`]): the footprint's H_k is the model's zero-current critical force F_c,
//! and its barrier satisfies U_0 (1 - H_a/F_c)^n = E_0, the threshold model's barrier at the
//! device's bias H_a, so both models describe one barrier U_0 (1 - (H_a + eps J)/F_c)^n.

use crate::device::Device;
use crate::error::ConfigError;
use crate::material::KB;
use crate::stream::stream;
use rand::Rng;
use rand_distr::{Exp1, StandardNormal};
use rayon::prelude::*;

/// Field-driven reversal of the device's regions (validated, SI).
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct FieldSwitching {
    /// Athermal switching field H_k of each footprint (net field along the new direction), A/m.
    pub mtj_switching_field: Vec<f64>,
    /// Zero-field reversal barrier U_0 of each footprint, J.
    pub mtj_barrier: Vec<f64>,
    /// Athermal switching field of the bare wire, A/m.
    pub wire_switching_field: f64,
    /// Zero-field reversal barrier of the bare wire, J.
    pub wire_barrier: f64,
    /// Relative fabrication spread of the footprints' H_k (one draw per device instance).
    pub spread: f64,
    /// Barrier exponent n.
    pub exponent: f64,
    /// Attempt time tau_0, s.
    pub attempt_time: f64,
    /// Temperature, K.
    pub temperature: f64,
    /// Field that reverses the reference layer (the SAF), A/m.
    pub reference_switching_field: f64,
    /// Anomalous-Hall resistance of a saturated region, Ohm (R_xy = R_AHE m_z).
    pub hall_resistance: f64,
}

/// A validated field program: from -> to -> from, `loops` times, read every `step`.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct FieldSweep {
    /// First (and last) field of a loop, A/m.
    pub from: f64,
    /// Turning field of a loop, A/m.
    pub to: f64,
    /// Field step between readings, A/m (> 0).
    pub step: f64,
    /// Sweep rate |dH/dt|, A/m per s.
    pub rate: f64,
    /// Loops per device instance.
    pub loops: u32,
    /// Device instances (independent fabrication draws).
    pub devices: u32,
    /// Seed of the random streams.
    pub seed: u64,
}

impl FieldSweep {
    /// The fields of one loop, from `from` to `to` and back, every `step` (the turning point
    /// included), and the sweep direction of each reading ("down" or "up").
    pub fn loop_fields(&self) -> Vec<(f64, &'static str)> {
        let n = ((self.to - self.from).abs() / self.step - 1e-9).ceil().max(1.0) as usize;
        let out_dir = if self.to < self.from { "down" } else { "up" };
        let back_dir = if out_dir == "down" { "up" } else { "down" };
        let at = |k: usize| self.from + (self.to - self.from) * k as f64 / n as f64;
        let mut v: Vec<(f64, &'static str)> = (0..=n).map(|k| (at(k), out_dir)).collect();
        v.extend((0..n).rev().map(|k| (at(k), back_dir)));
        v
    }
}

/// One thermally activated region: athermal switching field and zero-field barrier.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Hysteron {
    /// H_k, A/m.
    pub switching_field: f64,
    /// U_0, J.
    pub barrier: f64,
}

/// The thermal constants shared by all regions.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Thermal {
    /// kB T, J.
    pub kt: f64,
    /// Barrier exponent n.
    pub exponent: f64,
    /// Attempt time tau_0, s.
    pub attempt_time: f64,
}

impl Thermal {
    /// ln r(h) (r in 1/s) below the athermal field; -inf at T = 0.
    pub fn log_rate(&self, hy: &Hysteron, h: f64) -> f64 {
        if self.kt <= 0.0 {
            return f64::NEG_INFINITY;
        }
        let y = (1.0 - h / hy.switching_field).max(0.0);
        -hy.barrier * y.powf(self.exponent) / self.kt - self.attempt_time.ln()
    }

    /// Advance a region over a linear field ramp of net field h0 -> h1 lasting `duration`,
    /// spending the hazard left in `left`. Returns the fraction of the ramp at which it
    /// reverses, or None (then `left` is reduced by the hazard of the ramp).
    pub fn advance(&self, hy: &Hysteron, h0: f64, h1: f64, duration: f64, left: &mut f64) -> Option<f64> {
        let hk = hy.switching_field;
        if h0 >= hk {
            return Some(0.0);
        }
        // Where the ramp reaches H_k, the barrier vanishes: reversal is immediate there.
        let x_end = if h1 >= hk { (hk - h0) / (h1 - h0) } else { 1.0 };
        let net = |x: f64| h0 + (h1 - h0) * x;
        let found = self.walk(
            hy,
            &net,
            0.0,
            x_end,
            self.log_rate(hy, h0),
            self.log_rate(hy, net(x_end)),
            duration,
            left,
            0,
        );
        match found {
            Some(x) => Some(x),
            None if h1 >= hk => Some(x_end),
            None => None,
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn walk(
        &self,
        hy: &Hysteron,
        net: &dyn Fn(f64) -> f64,
        x0: f64,
        x1: f64,
        l0: f64,
        l1: f64,
        duration: f64,
        left: &mut f64,
        depth: u32,
    ) -> Option<f64> {
        let dt = duration * (x1 - x0);
        if dt <= 0.0 || l0.max(l1) + dt.ln() < -700.0 {
            return None;
        }
        if (l1 - l0).abs() > 0.5 && depth < 40 {
            let xm = 0.5 * (x0 + x1);
            let lm = self.log_rate(hy, net(xm));
            return self
                .walk(hy, net, x0, xm, l0, lm, duration, left, depth + 1)
                .or_else(|| self.walk(hy, net, xm, x1, lm, l1, duration, left, depth + 1));
        }
        // integral of exp(l0 + d s) over s in [0, 1], times dt.
        let d = l1 - l0;
        let shape = if d.abs() < 1e-12 { 1.0 } else { d.exp_m1() / d };
        let integral = dt * l0.exp() * shape;
        if integral < *left {
            *left -= integral;
            return None;
        }
        // Solve dt e^l0 (e^(d y) - 1)/d = left for y in [0, 1].
        let a = *left / (dt * l0.exp());
        let y = if d.abs() < 1e-12 { a } else { (a * d).ln_1p() / d };
        *left = 0.0;
        Some(x0 + y.clamp(0.0, 1.0) * (x1 - x0))
    }

    /// Median switching net field (Sharrock's asymptotic law above) for a sweep at `rate`;
    /// None when the barrier is too low for the asymptotics (the region reverses near h = 0).
    pub fn sharrock_median(&self, hy: &Hysteron, rate: f64) -> Option<f64> {
        if self.kt <= 0.0 {
            return Some(hy.switching_field);
        }
        let (u0, n, hk) = (hy.barrier, self.exponent, hy.switching_field);
        let mut y: f64 = 0.2;
        for _ in 0..200 {
            let arg = self.kt * hk / (self.attempt_time * rate * n * u0 * y.powf(n - 1.0) * std::f64::consts::LN_2);
            if arg <= 1.0 {
                return None;
            }
            let next = (self.kt / u0 * arg.ln()).powf(1.0 / n);
            if !next.is_finite() || next >= 1.0 {
                return None;
            }
            if (next - y).abs() < 1e-13 {
                y = next;
                break;
            }
            y = next;
        }
        Some(hk * (1.0 - y))
    }
}

/// Label of a region in events and tables.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Region {
    /// The footprint of MTJ i (numbered from 1).
    Mtj(usize),
    /// The bare wire.
    Wire,
    /// The reference layer.
    Reference,
}

/// One reversal during a loop.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub struct SwitchEvent {
    /// Device instance, from 1.
    pub device: u32,
    /// Loop, from 1.
    pub loop_index: u32,
    /// The region that reversed.
    pub region: Region,
    /// New m_z: +1 (up) or -1 (down).
    pub to: i8,
    /// Applied field at the reversal, A/m.
    pub field_a_per_m: f64,
}

/// One reading of one loop.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub struct LoopReading {
    /// Device instance, from 1.
    pub device: u32,
    /// Loop, from 1.
    pub loop_index: u32,
    /// Index of the reading within its loop.
    pub index: usize,
    /// "down" or "up": the sweep direction.
    pub branch: &'static str,
    /// Applied field, A/m.
    pub field_a_per_m: f64,
    /// MTJ read resistance, Ohm.
    pub resistance_ohm: f64,
    /// MTJs in the AP state (reversed footprint fraction >= 0.5).
    pub ap_count: usize,
    /// m_z of the bare wire.
    pub m_wire: f64,
    /// Mean m_z of the footprints.
    pub m_mtj: f64,
    /// m_z of the first MTJ's footprint (a Hall cross under one MTJ).
    pub m_first_mtj: f64,
    /// The reference layer points up.
    pub reference_up: bool,
}

/// Statistics of one region's switching fields in one direction.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub struct FieldStats {
    /// Reversals seen.
    pub count: usize,
    /// Mean applied field, A/m (NaN if none).
    pub mean_a_per_m: f64,
    /// Sample standard deviation, A/m.
    pub std_a_per_m: f64,
    /// Median, A/m.
    pub median_a_per_m: f64,
    /// Sharrock's median for the nominal region at the sweep rate, A/m (None without asymptotics).
    pub sharrock_median_a_per_m: Option<f64>,
}

/// A region's loop in numbers.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub struct RegionLoop {
    /// The region.
    pub region: Region,
    /// Reversals to up (m_z = +1).
    pub to_up: FieldStats,
    /// Reversals to down.
    pub to_down: FieldStats,
    /// Loop centre (mean up + mean down)/2, A/m.
    pub offset_a_per_m: f64,
    /// Half width (mean up - mean down)/2, A/m.
    pub coercivity_a_per_m: f64,
}

/// The result of a field-swept program.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct FieldLoops {
    /// Every reading of every loop, device by device, loop by loop.
    pub readings: Vec<LoopReading>,
    /// Every reversal.
    pub events: Vec<SwitchEvent>,
    /// Per region: the footprints in wire order, then the wire and the reference layer.
    pub regions: Vec<RegionLoop>,
    /// Read resistance with every MTJ P, Ohm.
    pub r_all_p_ohm: f64,
    /// Read resistance with every MTJ AP, Ohm.
    pub r_all_ap_ohm: f64,
    /// (R_AP - R_P)/R_P of the read.
    pub tmr: f64,
    /// Distinct resistance levels along each branch of the first loop ("down", "up").
    pub levels: Vec<(String, usize)>,
    /// The footprints' drawn athermal switching fields H_k, per device instance, A/m.
    pub drawn_switching_fields: Vec<Vec<f64>>,
}

/// A field-swept run in numbers, for people and scripts (`summary.json`).
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct FieldSummary<'a> {
    /// Device name.
    pub device: &'a str,
    /// Device description.
    pub description: &'a str,
    /// Loops per device instance.
    pub loops: u32,
    /// Device instances.
    pub devices: u32,
    /// Seed.
    pub seed: u64,
    /// The field program.
    pub sweep: &'a FieldSweep,
    /// The reversal parameters.
    pub switching: &'a FieldSwitching,
    /// Read resistance with every MTJ P, Ohm.
    pub r_all_p_ohm: f64,
    /// Read resistance with every MTJ AP, Ohm.
    pub r_all_ap_ohm: f64,
    /// (R_AP - R_P)/R_P.
    pub tmr: f64,
    /// Distinct resistance levels per branch of the first loop.
    pub levels: &'a [(String, usize)],
    /// Per-region statistics.
    pub regions: &'a [RegionLoop],
}

/// The summary of `loops`, run on `device` with `fs` and `sweep`.
pub fn summary<'a>(device: &'a Device, fs: &'a FieldSwitching, sweep: &'a FieldSweep, loops: &'a FieldLoops) -> FieldSummary<'a> {
    FieldSummary {
        device: &device.name,
        description: &device.description,
        loops: sweep.loops,
        devices: sweep.devices,
        seed: sweep.seed,
        sweep,
        switching: fs,
        r_all_p_ohm: loops.r_all_p_ohm,
        r_all_ap_ohm: loops.r_all_ap_ohm,
        tmr: loops.tmr,
        levels: &loops.levels,
        regions: &loops.regions,
    }
}

impl FieldLoops {
    /// The loop of `region`.
    pub fn region(&self, region: Region) -> Option<&RegionLoop> {
        self.regions.iter().find(|r| r.region == region)
    }
}

/// Run `sweep` on `device` with the reversal parameters `fs`; `progress` gets finished loops.
pub fn run(device: &Device, fs: &FieldSwitching, sweep: &FieldSweep, progress: &(dyn Fn(u64) + Sync)) -> Result<FieldLoops, ConfigError> {
    let fields = sweep.loop_fields();
    let runs = sweep.loops as usize * sweep.devices as usize;
    let bytes = (runs * fields.len()) as f64 * (std::mem::size_of::<LoopReading>() as f64 + 16.0)
        + (runs * (device.mtjs.len() + 2) * 4) as f64 * std::mem::size_of::<SwitchEvent>() as f64;
    crate::resources::check_memory(
        "program",
        format!("{} loops x {} devices x {} readings", sweep.loops, sweep.devices, fields.len()),
        bytes,
    )?;
    let done = std::sync::atomic::AtomicU64::new(0);
    let per_device: Vec<(Vec<LoopReading>, Vec<SwitchEvent>, Vec<f64>)> = (0..sweep.devices)
        .into_par_iter()
        .map(|d| {
            run_device(device, fs, sweep, &fields, d, &|| {
                progress(done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1);
            })
        })
        .collect();
    let mut readings = Vec::new();
    let mut events = Vec::new();
    let mut drawn_switching_fields = Vec::new();
    for (r, e, hk) in per_device {
        readings.extend(r);
        events.extend(e);
        drawn_switching_fields.push(hk);
    }
    let thermal = fs.thermal();
    let nominal_stray: Vec<f64> = device
        .mtjs
        .iter()
        .map(|m| reference_sign(device.reference_up) * m.stray_field)
        .collect();
    let mut regions = Vec::new();
    for (i, &stray) in nominal_stray.iter().enumerate() {
        let hy = Hysteron {
            switching_field: fs.mtj_switching_field[i],
            barrier: fs.mtj_barrier[i],
        };
        let median = thermal.sharrock_median(&hy, sweep.rate);
        regions.push(region_loop(
            &events,
            Region::Mtj(i + 1),
            median.map(|h| h - stray),
            median.map(|h| -h - stray),
        ));
    }
    let wire = Hysteron {
        switching_field: fs.wire_switching_field,
        barrier: fs.wire_barrier,
    };
    let median = thermal.sharrock_median(&wire, sweep.rate);
    regions.push(region_loop(&events, Region::Wire, median, median.map(|h| -h)));
    regions.push(region_loop(
        &events,
        Region::Reference,
        Some(fs.reference_switching_field),
        Some(-fs.reference_switching_field),
    ));
    let n = device.mtjs.len();
    let (rp, rap) = (device.read(&vec![0.0; n]).resistance, device.read(&vec![1.0; n]).resistance);
    let mut levels = Vec::new();
    for branch in ["down", "up"] {
        let mut seen: Vec<usize> = readings
            .iter()
            .filter(|r| r.device == 1 && r.loop_index == 1 && r.branch == branch)
            .map(|r| r.ap_count)
            .collect();
        seen.sort_unstable();
        seen.dedup();
        levels.push((branch.to_string(), seen.len()));
    }
    Ok(FieldLoops {
        readings,
        events,
        regions,
        r_all_p_ohm: rp,
        r_all_ap_ohm: rap,
        tmr: rap / rp - 1.0,
        levels,
        drawn_switching_fields,
    })
}

fn reference_sign(up: bool) -> f64 {
    if up {
        1.0
    } else {
        -1.0
    }
}

impl FieldSwitching {
    /// The thermal constants of the reversal.
    pub fn thermal(&self) -> Thermal {
        Thermal {
            kt: KB * self.temperature,
            exponent: self.exponent,
            attempt_time: self.attempt_time,
        }
    }
}

fn stats(mut v: Vec<f64>, sharrock: Option<f64>) -> FieldStats {
    let count = v.len();
    if count == 0 {
        return FieldStats {
            count,
            mean_a_per_m: f64::NAN,
            std_a_per_m: f64::NAN,
            median_a_per_m: f64::NAN,
            sharrock_median_a_per_m: sharrock,
        };
    }
    let mean = v.iter().sum::<f64>() / count as f64;
    let var = if count > 1 {
        v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (count - 1) as f64
    } else {
        0.0
    };
    v.sort_by(f64::total_cmp);
    let median = if count % 2 == 1 {
        v[count / 2]
    } else {
        0.5 * (v[count / 2 - 1] + v[count / 2])
    };
    FieldStats {
        count,
        mean_a_per_m: mean,
        std_a_per_m: var.sqrt(),
        median_a_per_m: median,
        sharrock_median_a_per_m: sharrock,
    }
}

fn region_loop(events: &[SwitchEvent], region: Region, sharrock_up: Option<f64>, sharrock_down: Option<f64>) -> RegionLoop {
    let fields = |to: i8| -> Vec<f64> {
        events
            .iter()
            .filter(|e| e.region == region && e.to == to)
            .map(|e| e.field_a_per_m)
            .collect()
    };
    let (up, down) = (stats(fields(1), sharrock_up), stats(fields(-1), sharrock_down));
    RegionLoop {
        region,
        to_up: up,
        to_down: down,
        offset_a_per_m: 0.5 * (up.mean_a_per_m + down.mean_a_per_m),
        coercivity_a_per_m: 0.5 * (up.mean_a_per_m - down.mean_a_per_m),
    }
}

/// One device instance's loops: fabrication draw from stream (seed, d, MAX), thermal draws of
/// loop l from stream (seed, d, l).
fn run_device(
    device: &Device,
    fs: &FieldSwitching,
    sweep: &FieldSweep,
    fields: &[(f64, &'static str)],
    d: u32,
    tick: &dyn Fn(),
) -> (Vec<LoopReading>, Vec<SwitchEvent>, Vec<f64>) {
    let thermal = fs.thermal();
    let n = device.mtjs.len();
    let mut fab = stream(sweep.seed, u64::from(d), u64::MAX);
    let footprints: Vec<Hysteron> = (0..n)
        .map(|i| {
            let g: f64 = fab.sample(StandardNormal);
            Hysteron {
                switching_field: fs.mtj_switching_field[i] * (1.0 + fs.spread * g).max(0.05),
                barrier: fs.mtj_barrier[i],
            }
        })
        .collect();
    let wire = Hysteron {
        switching_field: fs.wire_switching_field,
        barrier: fs.wire_barrier,
    };
    // After the initialising field along the reference, everything points along it (all P).
    // States are m_z = +1 / -1.
    let mut rho: i8 = if device.reference_up { 1 } else { -1 };
    let mut m_wire = rho;
    let mut m: Vec<i8> = vec![rho; n];
    let mut readings = Vec::with_capacity(fields.len() * sweep.loops as usize);
    let mut events = Vec::new();
    let mut rng = stream(sweep.seed, u64::from(d), 0);
    let mut left_wire: f64 = rng.sample(Exp1);
    let mut left: Vec<f64> = (0..n).map(|_| rng.sample(Exp1)).collect();
    let mut h_prev = fields[0].0;
    for l in 0..sweep.loops {
        let mut rng = stream(sweep.seed, u64::from(d), u64::from(l) + 1);
        for (index, &(h, branch)) in fields.iter().enumerate() {
            let duration = (h - h_prev).abs() / sweep.rate;
            let applied = |x: f64| h_prev + (h - h_prev) * x;
            let event = |region, to: i8, x: f64| SwitchEvent {
                device: d + 1,
                loop_index: l + 1,
                region,
                to,
                field_a_per_m: applied(x),
            };
            // The bare wire (no stray field).
            let s = -m_wire;
            let sf = f64::from(s);
            let mut wire_at = None;
            if let Some(x) = thermal.advance(&wire, sf * h_prev, sf * h, duration, &mut left_wire) {
                m_wire = s;
                wire_at = Some(x);
                events.push(event(Region::Wire, s, x));
                left_wire = rng.sample(Exp1);
            }
            // Footprints reverse by walls from the bare wire around them, once it has reversed.
            let stray_sign = f64::from(rho);
            for i in 0..n {
                let s = -m[i];
                if m_wire != s {
                    continue;
                }
                let sf = f64::from(s);
                let x0 = wire_at.unwrap_or(0.0);
                let stray = stray_sign * device.mtjs[i].stray_field;
                let (h0, h1) = (sf * (applied(x0) + stray), sf * (h + stray));
                if let Some(y) = thermal.advance(&footprints[i], h0, h1, duration * (1.0 - x0), &mut left[i]) {
                    m[i] = s;
                    events.push(event(Region::Mtj(i + 1), s, x0 + y * (1.0 - x0)));
                    left[i] = rng.sample(Exp1);
                }
            }
            // The reference layer (the SAF) reverses at its switching field, athermally.
            if f64::from(rho) * h <= -fs.reference_switching_field {
                let x = (-f64::from(rho) * fs.reference_switching_field - h_prev) / (h - h_prev);
                rho = -rho;
                events.push(event(Region::Reference, rho, x.clamp(0.0, 1.0)));
            }
            h_prev = h;
            let f_ap: Vec<f64> = m.iter().map(|&mi| if mi == rho { 0.0 } else { 1.0 }).collect();
            let r = device.read(&f_ap);
            readings.push(LoopReading {
                device: d + 1,
                loop_index: l + 1,
                index,
                branch,
                field_a_per_m: h,
                resistance_ohm: r.resistance,
                ap_count: m.iter().filter(|&&mi| mi != rho).count(),
                m_wire: f64::from(m_wire),
                m_mtj: if n > 0 {
                    m.iter().map(|&mi| f64::from(mi)).sum::<f64>() / n as f64
                } else {
                    0.0
                },
                m_first_mtj: m.first().map_or(0.0, |&mi| f64::from(mi)),
                reference_up: rho > 0,
            });
        }
        tick();
    }
    (readings, events, footprints.iter().map(|f| f.switching_field).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    const OE: f64 = 1e3 / (4.0 * std::f64::consts::PI);

    fn thermal_300k() -> Thermal {
        Thermal {
            kt: KB * 300.0,
            exponent: 1.5,
            attempt_time: 1e-9,
        }
    }

    /// Survival probability exp(-(1/R) integral_0^h r dh') by composite Simpson on a fine grid:
    /// an integrator independent of `advance`.
    fn survival(th: &Thermal, hy: &Hysteron, rate: f64, h: f64) -> f64 {
        let n = 20_000;
        let dh = h / n as f64;
        let r = |x: f64| th.log_rate(hy, x).exp();
        let mut s = r(0.0) + r(h);
        for k in 1..n {
            s += if k % 2 == 1 { 4.0 } else { 2.0 } * r(k as f64 * dh);
        }
        (-(s * dh / 3.0) / rate).exp()
    }

    #[test]
    fn advance_matches_an_independent_quadrature_of_the_hazard() {
        let th = thermal_300k();
        let hy = Hysteron {
            switching_field: 200.0 * OE,
            barrier: 400.0 * KB * 300.0,
        };
        let rate = 10.0 * OE;
        // Sweep 0 -> h_end in 1 Oe steps with a large hazard budget, reading the hazard spent.
        for h_end in [130.0 * OE, 150.0 * OE, 165.0 * OE] {
            let mut spent = 0.0;
            let steps = (h_end / OE).round() as usize;
            for k in 0..steps {
                let (h0, h1) = (k as f64 * OE, (k + 1) as f64 * OE);
                let mut budget = 10.0;
                assert!(th.advance(&hy, h0, h1, (h1 - h0) / rate, &mut budget).is_none());
                spent += 10.0 - budget;
            }
            let want = -survival(&th, &hy, rate, h_end).ln();
            assert!((spent - want).abs() <= 1e-3 * want + 1e-12, "hazard at {h_end}: {spent} vs {want}");
        }
    }

    #[test]
    fn switching_fields_follow_the_exact_distribution_and_sharrock() {
        // One hysteron swept 0 -> 250 Oe at 10 Oe/s, 4000 times: the switching fields' empirical
        // CDF against 1 - survival(h) (Kolmogorov-Smirnov at 1 %: D < 1.63/sqrt(N)), and the
        // median against Sharrock's asymptotic law (error O(kB T/U) of the barrier ~ 1 %).
        let th = thermal_300k();
        let hy = Hysteron {
            switching_field: 200.0 * OE,
            barrier: 400.0 * KB * 300.0,
        };
        let rate = 10.0 * OE;
        let mut rng = stream(1, 2, 3);
        let mut fields = Vec::new();
        for _ in 0..4000 {
            let mut left: f64 = rng.sample(Exp1);
            for k in 0..250 {
                let (h0, h1) = (k as f64 * OE, (k + 1) as f64 * OE);
                if let Some(x) = th.advance(&hy, h0, h1, OE / rate, &mut left) {
                    fields.push(h0 + x * (h1 - h0));
                    break;
                }
            }
        }
        assert_eq!(fields.len(), 4000);
        fields.sort_by(f64::total_cmp);
        let n = fields.len() as f64;
        let mut d_max: f64 = 0.0;
        for (k, &h) in fields.iter().enumerate().step_by(20) {
            let cdf = 1.0 - survival(&th, &hy, rate, h);
            d_max = d_max.max((cdf - k as f64 / n).abs()).max((cdf - (k + 1) as f64 / n).abs());
        }
        assert!(d_max < 1.63 / n.sqrt(), "KS distance {d_max}");
        let median = 0.5 * (fields[1999] + fields[2000]);
        let sharrock = th.sharrock_median(&hy, rate).unwrap();
        assert!(
            (median / sharrock - 1.0).abs() < 0.01,
            "median {} Oe, Sharrock {} Oe",
            median / OE,
            sharrock / OE
        );
        // Thermal activation lowers the switching field below H_k.
        assert!(median < 0.95 * hy.switching_field);
    }

    #[test]
    fn sharrock_shifts_with_the_sweep_rate_as_the_law_says() {
        // d(U/kT)/d ln R = -1 at the median (up to the slowly varying y^(n-1) prefactor): a
        // decade faster sweep raises the switching field where U falls by about ln 10 kB T.
        let th = thermal_300k();
        let hy = Hysteron {
            switching_field: 200.0 * OE,
            barrier: 400.0 * KB * 300.0,
        };
        let (slow, fast) = (
            th.sharrock_median(&hy, 1.0 * OE).unwrap(),
            th.sharrock_median(&hy, 10.0 * OE).unwrap(),
        );
        assert!(fast > slow);
        let barrier_kt = |h: f64| 400.0 * (1.0 - h / hy.switching_field).powf(1.5);
        let drop = barrier_kt(slow) - barrier_kt(fast);
        // ln 10 from the exponential, less the prefactor's (n-1) ln(y_slow/y_fast).
        let y = |h: f64| 1.0 - h / hy.switching_field;
        let want = 10f64.ln() - 0.5 * (y(slow) / y(fast)).ln();
        assert!((drop - want).abs() < 1e-6 * want, "{drop} vs {want}");
    }

    fn one_mtj_device(stray_oe: f64) -> Device {
        let text = format!(
            r#"version = 1
material = "ta-cofeb-mgo"
[wire]
length = "3 um"
width = {{ kind = "constant", value = "1 um" }}
[mtj_defaults]
length = "1 um"
width = "1 um"
stray_field = "{stray_oe} Oe"
[[mtj]]
position = "1.5 um"
[switching]
model = "material"
"#
        );
        crate::config::parse_device(&text, "t", None).unwrap().1
    }

    fn params(n: usize, hk_oe: f64, temperature: f64) -> FieldSwitching {
        FieldSwitching {
            mtj_switching_field: vec![hk_oe * OE; n],
            mtj_barrier: vec![200.0 * KB * 300.0; n],
            wire_switching_field: 20.0 * OE,
            wire_barrier: 80.0 * KB * 300.0,
            spread: 0.0,
            exponent: 1.5,
            attempt_time: 1e-9,
            temperature,
            reference_switching_field: 1500.0 * OE,
            hall_resistance: 1.0,
        }
    }

    fn sweep(amplitude_oe: f64, loops: u32) -> FieldSweep {
        FieldSweep {
            from: amplitude_oe * OE,
            to: -amplitude_oe * OE,
            step: 1.0 * OE,
            rate: 10.0 * OE,
            loops,
            devices: 1,
            seed: 4,
        }
    }

    #[test]
    fn athermal_loop_is_offset_by_the_stray_field() {
        // T = 0: the footprint reverses exactly where the net field reaches H_k, so its loop is
        // centred on -S (reference up) with half width H_k; the wire's loop is centred on 0.
        let device = one_mtj_device(120.0);
        let out = run(&device, &params(1, 300.0, 0.0), &sweep(800.0, 2), &|_| {}).unwrap();
        let mtj = out.region(Region::Mtj(1)).unwrap();
        assert_eq!((mtj.to_up.count, mtj.to_down.count), (2, 2));
        assert!((mtj.offset_a_per_m / OE + 120.0).abs() < 1e-6, "offset {}", mtj.offset_a_per_m / OE);
        assert!((mtj.coercivity_a_per_m / OE - 300.0).abs() < 1e-6);
        assert!((mtj.to_down.mean_a_per_m / OE + 420.0).abs() < 1e-6 && (mtj.to_up.mean_a_per_m / OE - 180.0).abs() < 1e-6);
        let wire = out.region(Region::Wire).unwrap();
        assert!(wire.offset_a_per_m.abs() < 1e-6 && (wire.coercivity_a_per_m / OE - 20.0).abs() < 1e-6);
        // Two resistance levels, TMR as configured (zero read bias: 44 % less the tiny read bias).
        assert!((out.tmr - 0.44).abs() < 1e-3, "TMR {}", out.tmr);
        let rs: Vec<f64> = out.readings.iter().map(|r| r.resistance_ohm).collect();
        let (lo, hi) = rs.iter().fold((f64::INFINITY, 0.0f64), |(a, b), &r| (a.min(r), b.max(r)));
        assert!((hi / lo - 1.0 - out.tmr).abs() < 1e-9);
    }

    #[test]
    fn footprints_wait_for_the_wire_and_the_reference_layer_swaps_p_and_ap() {
        // A footprint softer than the wire still reverses only after the wire (walls enter from
        // it); past the reference layer's 1500 Oe, P and AP swap although the footprint did not move.
        let device = one_mtj_device(0.0);
        let mut p = params(1, 10.0, 0.0);
        p.wire_switching_field = 50.0 * OE;
        let out = run(&device, &p, &sweep(1700.0, 1), &|_| {}).unwrap();
        let mtj = out.region(Region::Mtj(1)).unwrap();
        assert!(
            (mtj.to_down.mean_a_per_m / OE + 50.0).abs() < 1e-6,
            "{}",
            mtj.to_down.mean_a_per_m / OE
        );
        let rf = out.region(Region::Reference).unwrap();
        assert_eq!((rf.to_down.count, rf.to_up.count), (1, 1));
        assert!((rf.to_down.mean_a_per_m / OE + 1500.0).abs() < 1e-6);
        // At -1700 Oe the free layer and the reference both point down: P again.
        let turn = out.readings.iter().find(|r| (r.field_a_per_m / OE + 1700.0).abs() < 1e-6).unwrap();
        assert!(!turn.reference_up && turn.ap_count == 0);
        let mid = out.readings.iter().find(|r| (r.field_a_per_m / OE + 1000.0).abs() < 1e-6).unwrap();
        assert_eq!(mid.ap_count, 1);
    }

    #[test]
    fn loops_do_not_depend_on_the_thread_count() {
        let device = one_mtj_device(100.0);
        let mut sw = sweep(600.0, 3);
        sw.devices = 4;
        let p = params(1, 300.0, 300.0);
        let one = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap()
            .install(|| run(&device, &p, &sw, &|_| {}).unwrap());
        let two = rayon::ThreadPoolBuilder::new()
            .num_threads(2)
            .build()
            .unwrap()
            .install(|| run(&device, &p, &sw, &|_| {}).unwrap());
        assert!(
            one.readings == two.readings && one.events == two.events,
            "thread count changed the loops"
        );
        // Thermal loops scatter.
        assert!(one.region(Region::Mtj(1)).unwrap().to_down.std_a_per_m > 0.0);
    }
}
