//! Run a validated micromagnetic problem: optional relaxation, then integration with the drive
//! on, sampling a table (time, <m>, energies, wall position) and snapshots of m.

use crate::config::{Initial, RunSpec};
use crate::solver::{Integrator, Stats};
use crate::system::{Energies, Field3, System};

#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Row {
    pub t: f64,
    pub m: [f64; 3],
    pub energy: Energies,
    pub wall_position: f64,
    /// Average m of each region, in the order of the run file.
    pub regions: Vec<[f64; 3]>,
    /// Conductance (S) of each region that carries an MTJ (None for the others).
    pub conductance: Vec<Option<f64>>,
}

pub struct RunOutput {
    pub rows: Vec<Row>,
    /// (time, state) snapshots, the last one the final state.
    pub snapshots: Vec<(f64, Field3)>,
    pub stats: Stats,
    pub relax_torque: Option<f64>,
}

/// Run; `progress(fraction)` is called as time advances.
pub fn run(spec: &RunSpec, progress: &dyn Fn(f64)) -> RunOutput {
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
    );
    // The relaxed state does not depend on the damping; alpha = 1 gets there fastest.
    let relaxer = spec.relax.then(|| {
        let regions = spec
            .regions
            .iter()
            .map(|r| crate::system::Region { alpha: None, ..r.clone() })
            .collect();
        still.rebuild(
            crate::system::Params {
                alpha: 1.0,
                ..still.params.clone()
            },
            regions,
        )
    });
    let m0 = match spec.initial {
        Initial::NeelWall { x0 } => still.neel_wall(x0, 0.0),
        Initial::Uniform(d) => still.uniform(d),
        Initial::Skyrmion { radius } => still.skyrmion(radius),
    };
    let mut it = Integrator::new(m0, spec.solver.clone());
    let relax_torque = relaxer.map(|r| it.relax(&r, 1e-6, 20e-9));
    it.t = 0.0;
    let mut sys = if drive_params == still.params {
        still
    } else {
        still.rebuild(drive_params, spec.regions.clone())
    };
    sys.waveform = spec.waveform.clone();
    let drive = |t: f64| match &spec.current_pulse {
        Some((delay, shape)) => shape.shape(t - delay),
        None => 1.0,
    };
    let mut rows = Vec::with_capacity(spec.samples + 1);
    let mut snapshots = Vec::new();
    let row = |it: &Integrator| Row {
        t: it.t,
        m: sys.average(&it.m),
        energy: sys.energies_at(&it.m, it.t),
        wall_position: sys.wall_position(&it.m),
        regions: (0..sys.regions.len()).map(|r| sys.region_average(&it.m, r)).collect(),
        conductance: (0..sys.regions.len()).map(|r| sys.region_conductance(&it.m, r)).collect(),
    };
    rows.push(row(&it));
    let snap_every = spec.samples.checked_div(spec.snapshots).map_or(usize::MAX, |k| k.max(1));
    for k in 1..=spec.samples {
        let t = spec.duration * k as f64 / spec.samples as f64;
        it.run_until(&sys, t, &drive);
        rows.push(row(&it));
        if k % snap_every == 0 && k < spec.samples {
            snapshots.push((it.t, it.m.clone()));
        }
        progress(k as f64 / spec.samples as f64);
    }
    snapshots.push((it.t, it.m.clone()));
    RunOutput {
        rows,
        snapshots,
        stats: it.stats,
        relax_torque,
    }
}
