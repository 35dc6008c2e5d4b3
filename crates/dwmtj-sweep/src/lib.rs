//! Parameter studies over any dwmtj run: a sweep file names a base run file (a device, a wall
//! run, a design target, a micromagnetic run or a training file) and axes over its keys
//! ([`spec`]); every point is the base with the axis values and a seed set, validated and run
//! through the base's own library ([`kind`]); the results become one table ([`table`]).
//!
//! Where the points run is the caller's choice: `dwmtj sweep` runs them on local threads or as
//! a Slurm job array and writes one run folder per point; the Python module runs them in
//! memory or hands them to Dask. A point's result depends only on the base, its axis values
//! and its seed, so every engine gives the same table.
//!
//! ```
//! use dwmtj_sweep::{spec::{RawSweep, Sweep}, table::{table, PointState}};
//! let base = "current_density = \"1e11 A/m^2\"\npulse = \"2 ns\"\n";
//! let raw = RawSweep::from_toml(
//!     "version = 1\nbase = \"wall.toml\"\n[[axis]]\nkey = \"current_density\"\n\
//!      range = { from = \"0.5e11 A/m^2\", to = \"1.5e11 A/m^2\", points = 3 }\n",
//!     "sweep.toml",
//! )
//! .unwrap();
//! let sweep = Sweep::new(&raw, "demo", "wall.toml".into(), base.into()).unwrap();
//! assert_eq!(sweep.points.len(), 3);
//! dwmtj_sweep::check(&sweep).unwrap();
//! let states: Vec<PointState> = (0..3)
//!     .map(|k| PointState::Done(dwmtj_sweep::run_point(&sweep, k, &|| {}).unwrap().1))
//!     .collect();
//! let t = table(&sweep, &states);
//! let d = t.columns.iter().position(|c| c == "displacement_m").unwrap();
//! let x: Vec<f64> = t.numbers(d).into_iter().map(|x| x.unwrap().abs()).collect();
//! assert!(x[0] < x[1] && x[1] < x[2], "{x:?}"); // walls go further at higher current
//! ```

#![warn(missing_docs)]

pub mod keys;
pub mod kind;
pub mod spec;
pub mod table;

use kind::{Outcome, PointError};
use spec::Sweep;

/// Points validated in full before a sweep runs: every one up to this count; beyond it these
/// first ones and, for each axis, each of its values with the other axes at point 0.
pub const CHECK_ALL_UP_TO: usize = 4096;

/// The text, origin and validated run of point `index`.
fn prepared(sweep: &Sweep, index: usize) -> Result<kind::Prepared, PointError> {
    let p = &sweep.points[index];
    let text = sweep.point_text(p).map_err(|e| PointError(e.to_string()))?;
    let origin = format!("{} (point {index})", sweep.base_path.display());
    kind::prepare(sweep.kind, &text, &origin, sweep.base_dir())
}

/// Validate the points of a sweep before anything runs (see [`CHECK_ALL_UP_TO`]); the error
/// names the point and the field.
pub fn check(sweep: &Sweep) -> Result<(), (usize, PointError)> {
    let n = sweep.points.len();
    let mut indices: Vec<usize> = (0..n.min(CHECK_ALL_UP_TO)).collect();
    if n > CHECK_ALL_UP_TO && sweep.mode == spec::Mode::Grid {
        // Point index of (axis j at value v, the others at 0): v * stride_j.
        let mut stride = 1usize;
        for a in sweep.axes.iter().rev() {
            indices.extend((0..a.values.len()).map(|v| v * stride));
            stride *= a.values.len();
        }
        indices.sort_unstable();
        indices.dedup();
    }
    for k in indices {
        prepared(sweep, k).map_err(|e| (k, e))?;
    }
    Ok(())
}

/// Run point `index`: its outcome (for the caller to write) and the text of its summary.json
/// (pretty JSON and a newline, as the single command writes it).
pub fn run_point(sweep: &Sweep, index: usize, tick: &(dyn Fn() + Sync)) -> Result<(Outcome, String), PointError> {
    let outcome = kind::run(prepared(sweep, index)?, tick)?;
    let summary = outcome.summary()?;
    let text = serde_json::to_string_pretty(&summary).map_err(|e| PointError(e.to_string()))? + "\n";
    Ok((outcome, text))
}
