//! Pulse-program simulation of a device with the threshold model: Monte Carlo over device
//! instances (device-to-device variation) and cycles (cycle-to-cycle noise, thermal escape).
//!
//! Reproducibility: run k = (device d, cycle c) draws from its own stream (seed, d, c); device
//! d's variation from the stream (seed, d, MAX) (see [`crate::stream`]).
//! Runs are computed in parallel and aggregated in index order, so results do not depend on the
//! thread count.

use crate::device::{Device, Program, ResetMethod, ResetPolicy, ThresholdSource};
use crate::dynamic::DynamicModel;
use crate::error::ConfigError;
use crate::stream::stream;
use crate::threshold::{MtjThresholds, ThresholdModel};
use rayon::prelude::*;

/// Running mean and sum of squared deviations (Welford) of (R, G, switched count) at one pulse.
#[derive(Clone, Copy, Debug, Default)]
struct Moments {
    n: f64,
    mean: [f64; 3],
    m2: [f64; 3],
}

impl Moments {
    fn add(&mut self, (r, g, s): (f64, f64, f64)) {
        self.n += 1.0;
        for (a, x) in [r, g, s].into_iter().enumerate() {
            let d = x - self.mean[a];
            self.mean[a] += d / self.n;
            self.m2[a] += d * (x - self.mean[a]);
        }
    }

    /// Mean and sample standard deviation of component `a`.
    fn mean_std(&self, a: usize) -> (f64, f64) {
        let sd = if self.n < 2.0 {
            0.0
        } else {
            (self.m2[a].max(0.0) / (self.n - 1.0)).sqrt()
        };
        (self.mean[a], sd)
    }
}

/// One point of the transfer curve, aggregated over runs.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct TransferPoint {
    /// Label of the sweep ("positive" or "negative").
    pub sweep: String,
    /// Index of the pulse within its sweep.
    pub index: usize,
    /// Pulse current (signed), A.
    pub current_a: f64,
    /// Mean read resistance after the pulse over all runs, Ohm.
    pub r_mean_ohm: f64,
    /// Sample standard deviation of the read resistance, Ohm.
    pub r_std_ohm: f64,
    /// Mean read conductance after the pulse, S.
    pub g_mean_s: f64,
    /// Sample standard deviation of the read conductance, S.
    pub g_std_s: f64,
    /// Mean number of switched MTJs (f_AP >= 0.5) after the pulse.
    pub switched_mean: f64,
    /// Sample standard deviation of the switched count.
    pub switched_std: f64,
    /// Write energy of this pulse, I^2 R_wire integral s(t)^2 dt (J).
    pub energy_j: f64,
}

/// Per-MTJ nominal figures for the summary.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct MtjReport {
    /// MTJ number along the wire, counted from 1 as in every output a person reads.
    pub mtj: usize,
    /// MTJ centre along the wire, m.
    pub position_m: f64,
    /// Footprint area, m^2.
    pub area_m2: f64,
    /// Widest wire width under the footprint, m.
    pub critical_width_m: f64,
    /// Nominal athermal P -> AP threshold current density (threshold model), A/m^2.
    pub j_c_ap_a_per_m2: f64,
    /// 50 % switching current for the program's pulse (A); None if above breakdown.
    pub switching_current_a: Option<f64>,
    /// Write energy of the 50 % switching current's pulse, J; None where that current is None.
    pub switching_energy_j: Option<f64>,
    /// The bias field alone switches the MTJ to AP.
    pub field_switched: bool,
    /// The MTJ switches below breakdown (a switching current was found).
    pub reachable: bool,
}

/// The result of a pulse-program simulation: the transfer curve and per-MTJ figures.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Simulation {
    /// Transfer-curve points, sweep by sweep, pulse by pulse.
    pub points: Vec<TransferPoint>,
    /// Per-MTJ nominal figures, in wire order.
    pub mtjs: Vec<MtjReport>,
    /// Runs simulated (device instances times cycles).
    pub runs: usize,
    /// Resistance of the wire, Ohm.
    pub wire_resistance_ohm: f64,
    /// Fraction of the wire current flowing in the heavy metal.
    pub hm_fraction: f64,
    /// Sheet resistance of the bilayer, Ohm per square.
    pub sheet_resistance_ohm: f64,
    /// Breakdown current of the narrowest point, A (infinite if no limit is set).
    pub breakdown_current_a: f64,
    /// Read energy of one readout of the all-P state (J).
    pub read_energy_j: f64,
    /// Resistance levels seen per sweep (distinct rounded switched counts along the mean).
    pub levels: Vec<(String, usize)>,
    /// Resistance of the all-P state at the read current (Ohm).
    pub r_all_p_ohm: f64,
    /// Resistance of the all-AP state at the read current (Ohm).
    pub r_all_ap_ohm: f64,
    /// Mean STT energy of the resets and presets of one cycle, J (0 for field resets
    /// without presets).
    pub reset_energy_per_cycle_j: f64,
}

/// The energies of a simulated device.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct EnergySummary {
    /// Smallest switching energy of a reachable MTJ, J (None if none switches).
    pub min_switching_energy_j: Option<f64>,
    /// Largest switching energy of a reachable MTJ, J.
    pub max_switching_energy_j: Option<f64>,
    /// Energy of one read at the readout current, J.
    pub read_energy_j: f64,
    /// Integral of s(t)^2 over the pulse, s: the energy of a pulse is I^2 R times this.
    pub pulse_energy_duration_s: f64,
    /// Mean STT energy of the resets and presets of one cycle, J.
    pub reset_energy_per_cycle_j: f64,
}

/// A simulation in numbers, for people and scripts.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct SimulationSummary<'a> {
    /// Device name.
    pub device: &'a str,
    /// Device description.
    pub description: &'a str,
    /// Material name.
    pub material: &'a str,
    /// Simulated runs (cycles x devices).
    pub runs: usize,
    /// Cycles of the program per device.
    pub cycles: u32,
    /// Device instances (device-to-device draws).
    pub devices: u32,
    /// Seed of the Monte Carlo.
    pub seed: u64,
    /// Wire resistance, Ohm.
    pub wire_resistance_ohm: f64,
    /// Fraction of the wire current in the heavy metal.
    pub hm_current_fraction: f64,
    /// Sheet resistance of the stack, Ohm.
    pub sheet_resistance_ohm: f64,
    /// Breakdown current at the narrowest point, A.
    pub breakdown_current_a: f64,
    /// Read resistance with every MTJ parallel, Ohm.
    pub r_all_p_ohm: f64,
    /// Read resistance with every MTJ antiparallel, Ohm.
    pub r_all_ap_ohm: f64,
    /// Distinct resistance levels per sweep.
    pub levels: Vec<(String, usize)>,
    /// MTJs (numbered from 1) no current below breakdown switches.
    pub unreachable_mtjs: Vec<usize>,
    /// MTJs (numbered from 1) the bias field alone switches.
    pub field_switched_mtjs: Vec<usize>,
    /// Energies.
    pub energy: EnergySummary,
    /// Per-MTJ figures.
    pub mtjs: &'a [MtjReport],
}

/// The summary `dwmtj simulate --json` prints: the device, the run, levels, energies.
pub fn summary<'a>(device: &'a Device, program: &Program, sim: &'a Simulation) -> SimulationSummary<'a> {
    SimulationSummary {
        device: &device.name,
        description: &device.description,
        material: &device.material.name,
        runs: sim.runs,
        cycles: program.cycles,
        devices: program.devices,
        seed: program.seed,
        wire_resistance_ohm: sim.wire_resistance_ohm,
        hm_current_fraction: sim.hm_fraction,
        sheet_resistance_ohm: sim.sheet_resistance_ohm,
        breakdown_current_a: sim.breakdown_current_a,
        r_all_p_ohm: sim.r_all_p_ohm,
        r_all_ap_ohm: sim.r_all_ap_ohm,
        levels: sim.levels.clone(),
        // MTJ numbers as people count them (1 = the first along the wire), as everywhere else.
        unreachable_mtjs: sim.mtjs.iter().filter(|m| !m.reachable).map(|m| m.mtj).collect(),
        field_switched_mtjs: sim.mtjs.iter().filter(|m| m.field_switched).map(|m| m.mtj).collect(),
        energy: EnergySummary {
            min_switching_energy_j: sim.min_switching_energy(),
            max_switching_energy_j: sim.max_switching_energy(),
            read_energy_j: sim.read_energy_j,
            pulse_energy_duration_s: program.pulse.energy_duration(),
            reset_energy_per_cycle_j: sim.reset_energy_per_cycle_j,
        },
        mtjs: &sim.mtjs,
    }
}

impl Simulation {
    /// Smallest positive per-MTJ switching energy, J.
    pub fn min_switching_energy(&self) -> Option<f64> {
        self.mtjs
            .iter()
            .filter_map(|m| m.switching_energy_j)
            .filter(|&e| e > 0.0)
            .reduce(f64::min)
    }

    /// Largest per-MTJ switching energy, J.
    pub fn max_switching_energy(&self) -> Option<f64> {
        self.mtjs.iter().filter_map(|m| m.switching_energy_j).reduce(f64::max)
    }

    /// The transfer-curve points of the sweep labelled `label`.
    pub fn sweep_points<'a>(&'a self, label: &'a str) -> impl Iterator<Item = &'a TransferPoint> + 'a {
        self.points.iter().filter(move |p| p.sweep == label)
    }
}

/// One run's trace: (resistance, conductance, switched count) after every pulse.
type Trace = Vec<(f64, f64, f64)>;

/// The pulse model a device uses: the threshold (L0) model or the 1D wall model per MTJ.
enum Engine<'a> {
    Threshold(ThresholdModel<'a>),
    Dynamic(DynamicModel<'a>),
}

/// One device instance's quenched variation.
enum Draw {
    Thresholds(Vec<MtjThresholds>),
    PinFactors(Vec<f64>),
}

impl Engine<'_> {
    fn draw(&self, seed: u64, d: u64) -> Draw {
        let mut rng = stream(seed, d, u64::MAX);
        match self {
            Engine::Threshold(m) => Draw::Thresholds(m.draw_device(&mut rng)),
            Engine::Dynamic(m) => Draw::PinFactors(m.draw_device(&mut rng)),
        }
    }

    fn reset(&self, draw: &Draw) -> Vec<f64> {
        match (self, draw) {
            (Engine::Threshold(m), Draw::Thresholds(t)) => m.reset_state(t),
            (Engine::Dynamic(m), Draw::PinFactors(p)) => m.reset_state(p),
            _ => unreachable!("draw matches engine"),
        }
    }

    fn pulse(&self, draw: &Draw, state: &mut [f64], current: f64, program: &Program, rng: &mut rand_xoshiro::Xoshiro256PlusPlus) {
        match (self, draw) {
            (Engine::Threshold(m), Draw::Thresholds(t)) => m.apply_pulse(t, state, current, &program.pulse, rng),
            (Engine::Dynamic(m), Draw::PinFactors(p)) => m.apply_pulse(p, state, current, &program.pulse, rng),
            _ => unreachable!("draw matches engine"),
        }
    }
}

/// The state after a reset: all P, then the presets written to AP. Returns the STT energy of
/// the writes: for `reset_by = "stt"` one write per MTJ not already in its target state (a
/// partly switched footprint counts as one), plus one per preset; for a field reset only the
/// presets.
fn reset_state(engine: &Engine<'_>, device: &Device, program: &Program, draw: &Draw, old: Option<&[f64]>) -> (Vec<f64>, f64) {
    let mut state = engine.reset(draw);
    let mut energy = 0.0;
    for (i, m) in device.mtjs.iter().enumerate() {
        let preset = program.preset_ap.contains(&i);
        let was = old.map_or(0.0, |o| o[i]);
        let write = match program.reset_by {
            ResetMethod::Stt => (preset && was < 1.0) || (!preset && was > 0.0),
            ResetMethod::Field => preset,
        };
        if write {
            energy += program.stt.energy(m);
        }
        if preset {
            state[i] = 1.0;
        }
    }
    (state, energy)
}

fn run_one(engine: &Engine<'_>, device: &Device, program: &Program, draw: &Draw, seed: u64, device_index: u64, cycle: u64) -> (Trace, f64) {
    let mut rng = stream(seed, device_index, cycle);
    let (mut state, mut reset_energy) = reset_state(engine, device, program, draw, None);
    let mut trace = Vec::with_capacity(program.pulses_per_cycle());
    for (k, sweep) in program.sweeps.iter().enumerate() {
        if k > 0 && program.reset == ResetPolicy::EachSweep {
            let (s, e) = reset_state(engine, device, program, draw, Some(&state));
            state = s;
            reset_energy += e;
        }
        for &current in &sweep.currents {
            engine.pulse(draw, &mut state, current, program, &mut rng);
            let r = device.read(&state);
            let switched = state.iter().filter(|&&f| f >= 0.5).count() as f64;
            trace.push((r.resistance, r.conductance, switched));
        }
    }
    (trace, reset_energy)
}

/// Simulate `program` on `device`. `progress` is called with the number of finished runs.
pub fn simulate(device: &Device, program: &Program, progress: &(dyn Fn(u64) + Sync)) -> Result<Simulation, ConfigError> {
    let model = ThresholdModel::new(device, Some(program.pulse))?;
    let engine = match device.switching.source {
        ThresholdSource::Dynamic { pin_period } => Engine::Dynamic(DynamicModel::new(device, pin_period)?),
        _ => Engine::Threshold(model.clone()),
    };
    let draws: Vec<Draw> = (0..program.devices).map(|d| engine.draw(program.seed, u64::from(d))).collect();
    let runs = (program.devices as usize) * (program.cycles as usize);
    let pulses = program.pulses_per_cycle();
    // Runs are computed in parallel chunks and folded into running moments in index order, so
    // memory stays at one chunk of traces (at most ~64 MB, fixed by the sizes alone) and the
    // result depends neither on the thread count nor on the chunk size.
    let trace_bytes = pulses.max(1) * std::mem::size_of::<(f64, f64, f64)>();
    let chunk = ((64usize << 20) / trace_bytes).clamp(1, 1024);
    crate::resources::check_memory(
        "program",
        format!("{pulses} pulses per cycle"),
        (chunk * trace_bytes + pulses * (std::mem::size_of::<TransferPoint>() + 64)) as f64,
    )?;
    let done = std::sync::atomic::AtomicU64::new(0);
    let mut moments = vec![Moments::default(); pulses];
    let mut reset_energy_sum = 0.0;
    for start in (0..runs).step_by(chunk) {
        let traces: Vec<(Trace, f64)> = (start..(start + chunk).min(runs))
            .into_par_iter()
            .map(|k| {
                let d = k / program.cycles as usize;
                let c = k % program.cycles as usize;
                let t = run_one(&engine, device, program, &draws[d], program.seed, d as u64, c as u64);
                progress(done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1);
                t
            })
            .collect();
        for (t, e) in &traces {
            reset_energy_sum += e;
            for (m, x) in moments.iter_mut().zip(t) {
                m.add(*x);
            }
        }
    }

    let r_wire = device.wire_resistance();
    let e_dur = program.pulse.energy_duration();
    let mut points = Vec::new();
    let mut idx = 0;
    let mut levels = Vec::new();
    for sweep in &program.sweeps {
        let mut seen = std::collections::BTreeSet::new();
        for (k, &current) in sweep.currents.iter().enumerate() {
            let m = &moments[idx];
            let ((r_mean, r_std), (g_mean, g_std), (s_mean, s_std)) = (m.mean_std(0), m.mean_std(1), m.mean_std(2));
            seen.insert(s_mean.round() as i64);
            points.push(TransferPoint {
                sweep: sweep.label.clone(),
                index: k,
                current_a: current,
                r_mean_ohm: r_mean,
                r_std_ohm: r_std,
                g_mean_s: g_mean,
                g_std_s: g_std,
                switched_mean: s_mean,
                switched_std: s_std,
                energy_j: current * current * r_wire * e_dur,
            });
            idx += 1;
        }
        levels.push((sweep.label.clone(), seen.len()));
    }

    let i_bd = device.breakdown_current();
    let limit = if i_bd.is_finite() { i_bd } else { 1.0 };
    let mtjs = (0..device.mtjs.len())
        .map(|i| {
            let (ic, field_switched) = match &engine {
                Engine::Threshold(m) => (m.switching_current(i, &program.pulse, limit), m.nominal[i].j_c_ap <= 0.0),
                Engine::Dynamic(m) => (m.switching_current(i, &program.pulse, limit), m.field_switched(i)),
            };
            MtjReport {
                mtj: i + 1,
                position_m: device.mtjs[i].position,
                area_m2: device.mtjs[i].area(),
                critical_width_m: device.critical_width(i),
                j_c_ap_a_per_m2: model.nominal[i].j_c_ap,
                switching_current_a: ic,
                switching_energy_j: ic.map(|i| i * i * r_wire * e_dur),
                field_switched,
                reachable: ic.is_some(),
            }
        })
        .collect();
    let n = device.mtjs.len();
    let all_p = device.read(&vec![0.0; n]);
    let all_ap = device.read(&vec![1.0; n]);
    Ok(Simulation {
        points,
        mtjs,
        runs,
        wire_resistance_ohm: r_wire,
        hm_fraction: device.hm_fraction(),
        sheet_resistance_ohm: device.sheet_resistance(),
        breakdown_current_a: i_bd,
        read_energy_j: device.readout.current.powi(2) * all_p.resistance * device.readout.duration,
        levels,
        r_all_p_ohm: all_p.resistance,
        r_all_ap_ohm: all_ap.resistance,
        reset_energy_per_cycle_j: reset_energy_sum / runs as f64,
    })
}
