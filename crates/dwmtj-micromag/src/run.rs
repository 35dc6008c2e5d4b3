//! Run a validated micromagnetic problem: optional relaxation, then integration with the drive
//! on, sampling a table (time, `<m>`, energies, wall position) and snapshots of m.

use crate::config::{Initial, RunSpec};
use crate::solver::{Integrator, IntegratorState, Stats};
use crate::system::{Energies, Field3, System};
pub use dwmtj_core::checkpoint::{Checkpoints, NoCheckpoints};

/// One table row: the state at time t.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Row {
    /// Time, s.
    pub t: f64,
    /// Average m over the magnetic cells.
    pub m: [f64; 3],
    /// Energies at t (applied field of time t included), J.
    pub energy: Energies,
    /// Up/down wall position from <m_z>, m.
    pub wall_position: f64,
    /// Average m of each region, in the order of the run file.
    pub regions: Vec<[f64; 3]>,
    /// Conductance (S) of each region that carries an MTJ (None for the others).
    pub conductance: Vec<Option<f64>>,
}

/// What a run produces: the table, the snapshots and the counters.
pub struct RunOutput {
    /// Table rows, the first at t = 0 (after the relaxation, if any).
    pub rows: Vec<Row>,
    /// (time, state) snapshots, the last one the final state.
    pub snapshots: Vec<(f64, Field3)>,
    /// The integrator's counters.
    pub stats: Stats,
    /// The largest torque |m x B| (T) when the relaxation stopped, if the run relaxed first.
    pub relax_torque: Option<f64>,
}

/// A run stopped after `samples_done` table rows: what it needs to continue to the same result.
#[derive(Clone, Debug, PartialEq)]
pub struct RunState {
    /// Table rows done after the one at t = 0.
    pub samples_done: usize,
    /// The integrator's state.
    pub integrator: IntegratorState,
    /// Table rows so far.
    pub rows: Vec<Row>,
    /// (time, state) snapshots so far.
    pub snapshots: Vec<(f64, Field3)>,
    /// The torque at the end of the relaxation (T), if the run relaxed first.
    pub relax_torque: Option<f64>,
}

/// A checkpoint that does not belong to the run it is resumed with.
#[derive(Debug, thiserror::Error)]
pub enum ResumeError {
    /// Not a checkpoint of this format, or damaged (the reason).
    #[error("the checkpoint is not a dwmtj micromagnetic checkpoint or is damaged: {0}")]
    Damaged(String),
    /// A checkpoint of a run of another size.
    #[error("the checkpoint holds {found} cells after {samples} of {expected_samples} samples; the run file has {cells} cells and {expected_samples_now} samples")]
    Mismatch {
        /// Cells in the checkpoint.
        found: usize,
        /// Table rows the checkpointed run had done.
        samples: usize,
        /// Table rows of the checkpointed run.
        expected_samples: usize,
        /// Cells of the run file's mesh.
        cells: usize,
        /// Table rows of the run file.
        expected_samples_now: usize,
    },
}

#[derive(serde::Serialize, serde::Deserialize)]
struct Header {
    format: String,
    samples_done: usize,
    samples_total: usize,
    cells: usize,
    t: f64,
    dt: f64,
    stats: Stats,
    has_fsal: bool,
    rows: Vec<Row>,
    snapshot_times: Vec<f64>,
    relax_torque: Option<f64>,
}

const FORMAT: &str = "dwmtj-micromag-checkpoint-1";

impl RunState {
    /// Bytes of a checkpoint: a length-prefixed JSON header (rows, counters; floats written
    /// exactly), then the fields as little-endian f64.
    pub fn to_bytes(&self, samples_total: usize) -> Vec<u8> {
        let i = &self.integrator;
        let header = Header {
            format: FORMAT.into(),
            samples_done: self.samples_done,
            samples_total,
            cells: i.m[0].len(),
            t: i.t,
            dt: i.dt,
            stats: i.stats,
            has_fsal: i.fsal.is_some(),
            rows: self.rows.clone(),
            snapshot_times: self.snapshots.iter().map(|s| s.0).collect(),
            relax_torque: self.relax_torque,
        };
        let json = serde_json::to_vec(&header).expect("serialisable header");
        let mut out = Vec::new();
        out.extend((json.len() as u64).to_le_bytes());
        out.extend(json);
        let fields = std::iter::once(&i.m).chain(&i.fsal).chain(self.snapshots.iter().map(|s| &s.1));
        for f in fields {
            for c in f {
                for v in c {
                    out.extend(v.to_le_bytes());
                }
            }
        }
        out
    }

    /// Read a checkpoint for `spec`, checking that it belongs to a run of that size.
    pub fn from_bytes(bytes: &[u8], spec: &RunSpec) -> Result<Self, ResumeError> {
        let damaged = |m: &str| ResumeError::Damaged(m.to_string());
        let len = bytes.get(..8).ok_or_else(|| damaged("too short"))?;
        let len = u64::from_le_bytes(len.try_into().expect("8 bytes")) as usize;
        let json = bytes.get(8..8 + len).ok_or_else(|| damaged("truncated header"))?;
        let h: Header = serde_json::from_slice(json).map_err(|e| damaged(&e.to_string()))?;
        if h.format != FORMAT {
            return Err(damaged(&format!("format {:?}", h.format)));
        }
        let cells = spec.mesh.cells();
        if h.cells != cells || h.samples_total != spec.samples || h.samples_done > spec.samples {
            return Err(ResumeError::Mismatch {
                found: h.cells,
                samples: h.samples_done,
                expected_samples: h.samples_total,
                cells,
                expected_samples_now: spec.samples,
            });
        }
        let count = 1 + usize::from(h.has_fsal) + h.snapshot_times.len();
        let body = &bytes[8 + len..];
        if body.len() != count * 3 * cells * 8 {
            return Err(damaged("field data of the wrong length"));
        }
        let mut fields = body.chunks_exact(3 * cells * 8).map(|f| {
            let comp = |a: usize| -> Vec<f64> {
                f[a * cells * 8..(a + 1) * cells * 8]
                    .chunks_exact(8)
                    .map(|b| f64::from_le_bytes(b.try_into().expect("8 bytes")))
                    .collect()
            };
            [comp(0), comp(1), comp(2)]
        });
        let m = fields.next().expect("m");
        let fsal = if h.has_fsal { fields.next() } else { None };
        let snapshots = h.snapshot_times.iter().copied().zip(fields).collect();
        Ok(RunState {
            samples_done: h.samples_done,
            integrator: IntegratorState {
                m,
                t: h.t,
                dt: h.dt,
                stats: h.stats,
                fsal,
            },
            rows: h.rows,
            snapshots,
            relax_torque: h.relax_torque,
        })
    }
}

/// Run; `progress(fraction)` is called as time advances.
pub fn run(spec: &RunSpec, progress: &dyn Fn(f64)) -> RunOutput {
    run_resumable(spec, progress, None, &mut NoCheckpoints)
}

/// Run from the start or from `resume`, offering `checkpoints` the state after every table row.
/// A resumed run ends with exactly the rows, snapshots and counters of an uninterrupted one.
pub fn run_resumable(
    spec: &RunSpec,
    progress: &dyn Fn(f64),
    resume: Option<RunState>,
    checkpoints: &mut dyn Checkpoints<RunState>,
) -> RunOutput {
    let drive_params = spec.params.clone();
    // Relaxation without drive.
    // Relaxation keeps the regions (their static stray fields too) but no applied drive.
    let still = System::with_regions(
        spec.mesh.clone(),
        crate::system::Params {
            current_density: 0.0,
            b_ext: [0.0; 3],
            ..drive_params.clone()
        },
        spec.regions.clone(),
    )
    .expect("a validated run spec builds its system");
    // The relaxed state does not depend on the damping; alpha = 1 gets there fastest.
    let relaxer = spec.relax.then(|| {
        let regions = spec
            .regions
            .iter()
            .map(|r| crate::system::Region { alpha: None, ..r.clone() })
            .collect();
        still
            .rebuild(
                crate::system::Params {
                    alpha: 1.0,
                    ..still.params.clone()
                },
                regions,
            )
            .expect("a validated run spec builds its system")
    });
    let m0 = match spec.initial {
        Initial::NeelWall { x0 } => still.neel_wall(x0, 0.0),
        Initial::Uniform(d) => still.uniform(d),
        Initial::Skyrmion { radius } => still.skyrmion(radius),
    };
    let mut it = Integrator::new(m0, spec.solver.clone());
    let (first, mut rows, mut snapshots, relax_torque) = match resume {
        Some(state) => {
            it.restore(state.integrator);
            (state.samples_done + 1, state.rows, state.snapshots, state.relax_torque)
        }
        None => {
            let relax_torque = relaxer.map(|r| it.relax(&r, 1e-6, 20e-9));
            it.t = 0.0;
            (1, Vec::with_capacity(spec.samples + 1), Vec::new(), relax_torque)
        }
    };
    let mut sys = if drive_params == still.params {
        still
    } else {
        still
            .rebuild(drive_params, spec.regions.clone())
            .expect("a validated run spec builds its system")
    };
    sys.waveform = spec.waveform.clone();
    let drive = |t: f64| match (&spec.pulse_train, &spec.current_pulse) {
        (Some(train), _) => train.at(t),
        (None, Some((delay, shape))) => shape.shape(t - delay),
        (None, None) => 1.0,
    };
    let row = |it: &Integrator| Row {
        t: it.t,
        m: sys.average(&it.m),
        energy: sys.energies_at(&it.m, it.t),
        wall_position: sys.wall_position(&it.m),
        regions: (0..sys.regions.len()).map(|r| sys.region_average(&it.m, r)).collect(),
        conductance: (0..sys.regions.len()).map(|r| sys.region_conductance(&it.m, r)).collect(),
    };
    if first == 1 {
        rows.push(row(&it));
    }
    let snap_every = spec.samples.checked_div(spec.snapshots).map_or(usize::MAX, |k| k.max(1));
    for k in first..=spec.samples {
        let t = spec.duration * k as f64 / spec.samples as f64;
        it.run_until(&sys, t, &drive);
        rows.push(row(&it));
        if k % snap_every == 0 && k < spec.samples {
            snapshots.push((it.t, it.m.clone()));
        }
        progress(k as f64 / spec.samples as f64);
        if k < spec.samples && checkpoints.due(k) {
            checkpoints.save(&RunState {
                samples_done: k,
                integrator: it.state(),
                rows: rows.clone(),
                snapshots: snapshots.clone(),
                relax_torque,
            });
        }
    }
    snapshots.push((it.t, it.m.clone()));
    RunOutput {
        rows,
        snapshots,
        stats: it.stats,
        relax_torque,
    }
}

/// One region's state at the end of a run.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct RegionSummary {
    /// The region's name.
    pub name: String,
    /// Average m over the region at the end.
    pub m: [f64; 3],
    /// Conductance (S) where the region carries an MTJ.
    pub conductance_s: Option<f64>,
}

/// A finished run in numbers. `wall_time_s` and `ns_per_cell_eval` are wall-clock
/// measurements, not results.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Summary {
    /// The run's name.
    pub name: String,
    /// Cells of the mesh (all layers, magnetic or not).
    pub cells: usize,
    /// Magnetic cells of the mesh.
    pub magnetic_cells: usize,
    /// Simulated time, s.
    pub duration_s: f64,
    /// Average m at the end.
    pub final_m: [f64; 3],
    /// Each region's state at the end.
    pub final_region_m: Vec<RegionSummary>,
    /// Total energy at the end, J.
    pub final_energy_j: f64,
    /// Wall displacement over the run (from the `<m_z>` wall position).
    pub wall_displacement_m: f64,
    /// Mean wall velocity over the last fifth of the run.
    pub wall_velocity_m_per_s: f64,
    /// Accepted integrator steps (relaxation included).
    pub steps: u64,
    /// Rejected integrator steps (relaxation included).
    pub rejected_steps: u64,
    /// Evaluations of the LLG right-hand side (relaxation included).
    pub rhs_evals: u64,
    /// The largest torque |m x H| (T) when the relaxation stopped, if the run relaxed first.
    pub relax_torque_t: Option<f64>,
    /// Wall-clock time of the run, s.
    pub wall_time_s: f64,
    /// Wall-clock nanoseconds per cell and right-hand-side evaluation.
    pub ns_per_cell_eval: f64,
}

impl RunOutput {
    /// Summarise the run of `spec` that took `wall_time_s` seconds.
    pub fn summary(&self, spec: &RunSpec, wall_time_s: f64) -> Summary {
        let first = &self.rows[0];
        let last = self.rows.last().expect("a run has rows");
        let k = self.rows.len().saturating_sub(1 + self.rows.len() / 5);
        let late = &self.rows[k];
        Summary {
            name: spec.name.clone(),
            cells: spec.mesh.cells(),
            magnetic_cells: spec.mesh.magnetic_cells(),
            duration_s: spec.duration,
            final_m: last.m,
            final_region_m: spec
                .regions
                .iter()
                .zip(&last.regions)
                .zip(&last.conductance)
                .map(|((r, m), g)| RegionSummary {
                    name: r.name.clone(),
                    m: *m,
                    conductance_s: *g,
                })
                .collect(),
            final_energy_j: last.energy.total(),
            wall_displacement_m: last.wall_position - first.wall_position,
            wall_velocity_m_per_s: if last.t > late.t {
                (last.wall_position - late.wall_position) / (last.t - late.t)
            } else {
                0.0
            },
            steps: self.stats.steps,
            rejected_steps: self.stats.rejected,
            rhs_evals: self.stats.rhs_evals,
            relax_torque_t: self.relax_torque,
            wall_time_s,
            ns_per_cell_eval: wall_time_s / (self.stats.rhs_evals.max(1) as f64 * spec.mesh.cells() as f64) * 1e9,
        }
    }
}
