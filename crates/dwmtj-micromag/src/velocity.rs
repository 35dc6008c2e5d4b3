//! Wall velocity against current density from micromagnetics (`dwmtj calibrate
//! --from-micromag`): the run file's problem repeated at each current density, the velocity the
//! slope of the wall position over the last 40 % of the run (least squares over the table rows),
//! and the wall's tilt and angle at the end ([`System::wall_shape`]).

use crate::config::RunSpec;
use crate::run::run;
use crate::system::System;
use serde::Serialize;

/// One current density's micromagnetic wall.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct VelocityPoint {
    /// Heavy-metal current density, A/m^2.
    pub current_density_a_per_m2: f64,
    /// Wall velocity over the last 40 % of the run, m/s (along +x).
    pub velocity_m_per_s: f64,
    /// Wall travel over the whole run, m.
    pub displacement_m: f64,
    /// Tilt of the wall's normal at the end, rad (None without a wall crossing).
    pub tilt_rad: Option<f64>,
    /// In-plane angle of m at the wall's centre at the end, rad.
    pub phi_rad: Option<f64>,
}

/// Run `spec` at each current density of `currents` (its own current replaced), one after the
/// other (each run uses every thread). `progress(k, total)` after each.
pub fn velocity_sweep(spec: &RunSpec, currents: &[f64], progress: &dyn Fn(usize, usize)) -> Vec<VelocityPoint> {
    currents
        .iter()
        .enumerate()
        .map(|(k, &j)| {
            let mut s = spec.clone();
            s.params.current_density = j;
            let out = run(&s, &|_| {});
            let rows = &out.rows;
            let t_end = rows.last().map_or(0.0, |r| r.t);
            let tail: Vec<(f64, f64)> = rows.iter().filter(|r| r.t >= 0.6 * t_end).map(|r| (r.t, r.wall_position)).collect();
            let fit = dwmtj_core::fit::fit_line(
                &tail.iter().map(|p| p.0).collect::<Vec<_>>(),
                &tail.iter().map(|p| p.1).collect::<Vec<_>>(),
            );
            let shape = out
                .snapshots
                .last()
                .and_then(|(_, m)| System::new(s.mesh.clone(), s.params.clone()).ok().and_then(|sys| sys.wall_shape(m)));
            progress(k + 1, currents.len());
            VelocityPoint {
                current_density_a_per_m2: j,
                velocity_m_per_s: if tail.len() >= 2 { fit.slope } else { 0.0 },
                displacement_m: rows.last().map_or(0.0, |r| r.wall_position) - rows.first().map_or(0.0, |r| r.wall_position),
                tilt_rad: shape.map(|w| w.tilt_rad),
                phi_rad: shape.map(|w| w.phi_rad),
            }
        })
        .collect()
}
