//! Calibration from measurements (`dwmtj calibrate --velocity V.csv [--switching S.csv]`),
//! docs/physics.md 5.4: fit a material's DMI D, damping alpha, spin Hall angle theta_SH and film
//! depinning field H_dep, with standard errors, to a measured table of wall velocity against
//! heavy-metal current density and/or of switching current density against the assisting field.
//!
//! The model (1D wall of docs/physics.md 2.6 in a washboard of pinning):
//!
//! ```text
//! steady, pinning-free:  (pi/2) H_SL cos phi = alpha [(pi/2) H_D sin phi - (H_K/2) sin 2 phi],
//!                        v_free = (pi/2) gamma0 Delta H_SL cos phi / alpha,  H_SL = |chi_SL| J
//! with pinning:          v = v_free sqrt(1 - (J_dep/J)^2) for J > J_dep, else 0
//!                        (the mean speed of an overdamped coordinate in a tilted washboard)
//! switching:             J_sw(H) = (H_dep - H) / eps,  eps = (pi/2) |chi_SL| cos phi_eq,  J_dep = J_sw(0)
//! ```
//! The steady velocity depends on theta_SH and alpha only through theta_SH / alpha (the phi
//! balance) and the switching currents on theta_SH cos phi_eq (eps); so a velocity table alone
//! fits D, alpha and H_dep with theta_SH held at the base material's value, a switching table
//! alone fits theta_SH and H_dep, and both fit all four. Residuals are scaled by the given
//! standard deviations (a `*_std` column) or, without them, by each table's largest value with
//! the scale set from the fit's own scatter; Nelder-Mead on the logarithms of the parameters,
//! standard errors from the Gauss-Newton covariance (J^T J)^-1 of the scaled residuals.
//!
//! Limits (tested): the steady law equals the 1D model without pinning to 1e-4; with sinusoidal
//! pinning the 1D wall is faster than the overdamped washboard near depinning (its angle carries
//! it over the barriers: by a third at 1.5 J_dep) and within 8 % from 3 J_dep. The field-like
//! torque and STT are not in the law.

use crate::DesignError;
use argmin::core::{CostFunction, Executor, State};
use argmin::solver::neldermead::NelderMead;
use dwmtj_core::material::{Material, PARAMS};
use dwmtj_core::units::Dim;
use dwmtj_core::RawQuantity;
use serde::Serialize;
use std::path::Path;

/// One measured point: x, y and the standard deviation of y (None: not given).
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Point {
    /// Abscissa (A/m^2 for velocities, A/m for switching fields).
    pub x: f64,
    /// Measured value (m/s or A/m^2).
    pub y: f64,
    /// Standard deviation of y, if given.
    pub std: Option<f64>,
}

/// The measured tables and the wire they were taken on.
#[derive(Clone, Debug, Default)]
pub struct Measurements {
    /// |v| (m/s) against HM current density (A/m^2).
    pub velocity: Vec<Point>,
    /// Switching HM current density (A/m^2) against the field that assists the switching (A/m).
    pub switching: Vec<Point>,
    /// The walls were measured without pinning (micromagnetics of a clean strip): H_dep is held
    /// at 0 instead of fitted.
    pub unpinned: bool,
}

/// A fitted parameter.
#[derive(Clone, Debug, Serialize)]
pub struct Fitted {
    /// Material key.
    pub key: &'static str,
    /// Fitted value (SI, signed as the base material's).
    pub value: f64,
    /// Standard error (SI).
    pub std: f64,
    /// SI unit.
    pub unit: &'static str,
}

/// The fitted material and the quality of the fit.
#[derive(Clone, Debug, Serialize)]
pub struct MaterialFit {
    /// The base material with the fitted values.
    #[serde(skip)]
    pub material: Material,
    /// Name of the base material.
    pub base: String,
    /// The fitted parameters with standard errors.
    pub fitted: Vec<Fitted>,
    /// Parameters the data cannot determine, held at the base material's values.
    pub held: Vec<&'static str>,
    /// (J A/m^2, measured |v|, fitted |v|) m/s.
    pub velocity: Vec<(f64, f64, f64)>,
    /// (H A/m, measured J, fitted J) A/m^2.
    pub switching: Vec<(f64, f64, f64)>,
    /// RMS velocity residual (m/s); None without a velocity table.
    pub velocity_rms_m_per_s: Option<f64>,
    /// RMS relative switching-density residual; None without a switching table.
    pub switching_rms_relative: Option<f64>,
    /// Reduced chi-square of the scaled residuals (about 1 when the given stds are right).
    pub reduced_chi_square: f64,
}

/// The steady pinning-free velocity (m/s) of the material's wall at HM density j (magnitudes).
pub fn free_velocity(m: &Material, j: f64) -> f64 {
    m.sot_driven_velocity(j)
}

/// The mean velocity (m/s) with film pinning: the washboard law above J_dep = H_dep / eps.
pub fn pinned_velocity(m: &Material, j: f64) -> f64 {
    if m.h_dep <= 0.0 {
        return free_velocity(m, j);
    }
    let j_dep = m.h_dep / m.sot_depinning_efficiency();
    let j = j.abs();
    if j <= j_dep {
        0.0
    } else {
        free_velocity(m, j) * (1.0 - (j_dep / j).powi(2)).sqrt()
    }
}

/// The quasi-static switching density (A/m^2) with an assisting field h (A/m).
pub fn switching_density(m: &Material, h: f64) -> f64 {
    (m.h_dep - h) / m.sot_depinning_efficiency()
}

/// The parameters a fit varies: index into (dmi, alpha, theta_sh, h_dep).
const KEYS: [&str; 4] = ["dmi", "alpha", "theta_sh", "h_dep"];
const UNITS: [&str; 4] = ["J/m^2", "", "", "A/m"];

fn get(m: &Material, k: usize) -> f64 {
    match k {
        0 => m.dmi,
        1 => m.alpha,
        2 => m.theta_sh,
        _ => m.h_dep,
    }
}

fn set(m: &mut Material, k: usize, v: f64) {
    match k {
        0 => m.dmi = v,
        1 => m.alpha = v,
        2 => m.theta_sh = v,
        _ => m.h_dep = v,
    }
}

#[derive(Clone)]
struct Problem<'a> {
    base: &'a Material,
    data: &'a Measurements,
    free: Vec<usize>,
    /// Residual scales per table when no stds are given.
    v_scale: f64,
    j_scale: f64,
}

impl Problem<'_> {
    fn material(&self, p: &[f64]) -> Material {
        let mut m = self.base.clone();
        for (&k, &lp) in self.free.iter().zip(p) {
            let sign = if get(self.base, k) < 0.0 { -1.0 } else { 1.0 };
            set(&mut m, k, sign * lp.exp());
        }
        m
    }

    fn residuals(&self, p: &[f64]) -> Vec<f64> {
        let m = self.material(p);
        let mut r = Vec::new();
        for pt in &self.data.velocity {
            r.push((pinned_velocity(&m, pt.x) - pt.y) / pt.std.unwrap_or(self.v_scale));
        }
        for pt in &self.data.switching {
            r.push((switching_density(&m, pt.x) - pt.y) / pt.std.unwrap_or(self.j_scale));
        }
        r
    }
}

impl CostFunction for Problem<'_> {
    type Param = Vec<f64>;
    type Output = f64;
    fn cost(&self, p: &Self::Param) -> Result<f64, argmin::core::Error> {
        let c: f64 = self.residuals(p).iter().map(|x| x * x).sum();
        Ok(if c.is_finite() { c } else { f64::MAX })
    }
}

/// Invert a small symmetric positive matrix (Gauss-Jordan); None if singular.
fn invert(a: &[Vec<f64>]) -> Option<Vec<Vec<f64>>> {
    let n = a.len();
    let mut m: Vec<Vec<f64>> = a
        .iter()
        .enumerate()
        .map(|(i, row)| {
            let mut r = row.clone();
            r.extend((0..n).map(|j| if i == j { 1.0 } else { 0.0 }));
            r
        })
        .collect();
    for c in 0..n {
        let piv = (c..n).max_by(|&x, &y| m[x][c].abs().total_cmp(&m[y][c].abs()))?;
        if m[piv][c].abs() < 1e-300 {
            return None;
        }
        m.swap(c, piv);
        let d = m[c][c];
        for v in &mut m[c] {
            *v /= d;
        }
        for r in 0..n {
            if r != c {
                let f = m[r][c];
                let pivot_row = m[c].clone();
                for (x, p) in m[r].iter_mut().zip(&pivot_row) {
                    *x -= f * p;
                }
            }
        }
    }
    Some(m.into_iter().map(|r| r[n..].to_vec()).collect())
}

/// Fit `base` to the measurements (see the module docs for which parameters each table fits).
pub fn fit_material(base: &Material, data: &Measurements) -> Result<MaterialFit, DesignError> {
    if base.is_ferrimagnet() {
        return Err(DesignError::Input(
            "calibration from measurements models a ferromagnetic wall; the base material is a ferrimagnet".into(),
        ));
    }
    if data.velocity.is_empty() && data.switching.is_empty() {
        return Err(DesignError::Input(
            "no measured points: give a velocity and/or a switching table".into(),
        ));
    }
    let mut free = Vec::new();
    if !data.velocity.is_empty() {
        free.extend([0, 1]);
    }
    if !data.switching.is_empty() {
        free.push(2);
    }
    if !data.unpinned {
        free.push(3);
    }
    let n_points = data.velocity.len() + data.switching.len();
    if n_points <= free.len() {
        return Err(DesignError::Input(format!(
            "{n_points} measured points cannot determine {} parameters ({}); give more points",
            free.len(),
            free.iter().map(|&k| KEYS[k]).collect::<Vec<_>>().join(", ")
        )));
    }
    for (k, v) in [(0usize, base.dmi), (2, base.theta_sh)] {
        if free.contains(&k) && v == 0.0 {
            return Err(DesignError::Input(format!(
                "the base material's {} is 0: give it a starting value (its sign is kept)",
                KEYS[k]
            )));
        }
    }
    let scale = |pts: &[Point]| pts.iter().map(|p| p.y.abs()).fold(0.0, f64::max).max(1e-300) * 0.05;
    let mut start = base.clone();
    if data.unpinned {
        start.h_dep = 0.0;
    } else if base.h_dep <= 0.0 {
        start.h_dep = 100.0;
    }
    let prob = Problem {
        base: &start,
        data,
        free: free.clone(),
        v_scale: scale(&data.velocity),
        j_scale: scale(&data.switching),
    };
    let p0: Vec<f64> = free.iter().map(|&k| get(&start, k).abs().ln()).collect();
    // Starts spread over a decade around the base (the cost has local minima where the
    // washboard's threshold passes a measured point), then restarts from the best point
    // (Nelder-Mead stalls on the kink at J_dep).
    let mut starts = vec![p0.clone()];
    for shift in [-1.5f64, -0.7, 0.7, 1.5] {
        for i in 0..p0.len() {
            let mut p = p0.clone();
            p[i] += shift;
            starts.push(p);
        }
    }
    let cost = |p: &[f64]| prob.residuals(p).iter().map(|x| x * x).sum::<f64>();
    let mut best = starts
        .into_iter()
        .map(|p| {
            let c = cost(&p);
            (p, if c.is_finite() { c } else { f64::MAX })
        })
        .min_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(p, _)| p)
        .unwrap_or(p0);
    for _ in 0..6 {
        let mut simplex = vec![best.clone()];
        for i in 0..best.len() {
            let mut p = best.clone();
            p[i] += 0.5;
            simplex.push(p);
        }
        let solver = NelderMead::new(simplex)
            .with_sd_tolerance(1e-12)
            .map_err(|e| DesignError::Input(e.to_string()))?;
        let res = Executor::new(prob.clone(), solver)
            .configure(|s| s.max_iters(4000))
            .run()
            .map_err(|e| DesignError::Input(format!("optimizer: {e}")))?;
        best = res.state().get_best_param().cloned().unwrap_or(best);
    }
    let r = prob.residuals(&best);
    let chi2: f64 = r.iter().map(|x| x * x).sum();
    let dof = (n_points - free.len()) as f64;
    let given = data.velocity.iter().chain(&data.switching).all(|p| p.std.is_some());
    // Gauss-Newton covariance in log parameters, by central differences.
    let h = 1e-5;
    let jac: Vec<Vec<f64>> = (0..free.len())
        .map(|i| {
            let (mut a, mut b) = (best.clone(), best.clone());
            a[i] += h;
            b[i] -= h;
            prob.residuals(&a)
                .iter()
                .zip(prob.residuals(&b))
                .map(|(x, y)| (x - y) / (2.0 * h))
                .collect()
        })
        .collect();
    let jtj: Vec<Vec<f64>> = (0..free.len())
        .map(|i| {
            (0..free.len())
                .map(|k| jac[i].iter().zip(&jac[k]).map(|(a, b)| a * b).sum())
                .collect()
        })
        .collect();
    let s2 = if given { 1.0 } else { chi2 / dof };
    let cov = invert(&jtj).ok_or_else(|| {
        DesignError::Infeasible(
            "the measurements do not determine the parameters (singular fit): widen the current range or add the other table".into(),
        )
    })?;
    if (0..free.len()).any(|i| cov[i][i] <= 0.0 || !cov[i][i].is_finite()) {
        return Err(DesignError::Infeasible(
            "the measurements do not determine the parameters (the fit's covariance is not positive): widen the current range or add the other table".into(),
        ));
    }
    let material = prob.material(&best);
    let fitted = free
        .iter()
        .enumerate()
        .map(|(i, &k)| {
            let v = get(&material, k);
            Fitted {
                key: KEYS[k],
                value: v,
                std: v.abs() * (cov[i][i] * s2).max(0.0).sqrt(),
                unit: UNITS[k],
            }
        })
        .collect();
    let velocity: Vec<(f64, f64, f64)> = data.velocity.iter().map(|p| (p.x, p.y, pinned_velocity(&material, p.x))).collect();
    let switching: Vec<(f64, f64, f64)> = data
        .switching
        .iter()
        .map(|p| (p.x, p.y, switching_density(&material, p.x)))
        .collect();
    let rms = |v: &[f64]| (v.iter().map(|x| x * x).sum::<f64>() / v.len() as f64).sqrt();
    Ok(MaterialFit {
        base: base.name.clone(),
        held: (0..4).filter(|k| !free.contains(k)).map(|k| KEYS[k]).collect(),
        fitted,
        velocity_rms_m_per_s: (!velocity.is_empty()).then(|| rms(&velocity.iter().map(|v| v.2 - v.1).collect::<Vec<_>>())),
        switching_rms_relative: (!switching.is_empty()).then(|| rms(&switching.iter().map(|v| v.2 / v.1 - 1.0).collect::<Vec<_>>())),
        velocity,
        switching,
        reduced_chi_square: chi2 / dof,
        material,
    })
}

/// A material file (`dwmtj materials`, `--material`) holding the fitted material as `name`.
pub fn material_toml(fit: &MaterialFit, name: &str) -> String {
    let mut s = format!(
        "# Fitted by `dwmtj calibrate` from measurements (docs/physics.md 5.4), starting from '{}'.\n",
        fit.base
    );
    for f in &fit.fitted {
        s.push_str(&format!("#   {} = {:.6e} +- {:.2e} {}\n", f.key, f.value, f.std, f.unit));
    }
    if !fit.held.is_empty() {
        s.push_str(&format!("#   held at the base's values: {}\n", fit.held.join(", ")));
    }
    s.push_str("# The steady law has the damping-like SOT and DMI only: the field-like torque and STT keep\n# the base's values (set them to 0 in the base to fit them out).\n");
    s.push_str(&format!(
        "version = 1\n\n[[material]]\nname = \"{name}\"\ndescription = \"{} fitted to measured walls\"\n",
        fit.base
    ));
    for p in PARAMS {
        let v = (p.get)(&fit.material);
        if !v.is_nan() {
            s.push_str(&format!("{} = {:e}\n", p.key, v));
        }
    }
    s
}

/// Most rows a measured table may have.
const MAX_ROWS: usize = 100_000;

/// Split a header cell "name (unit)" or "name [unit]" into (name, unit).
fn header(cell: &str) -> (String, Option<String>) {
    let c = cell.trim();
    for (open, close) in [('(', ')'), ('[', ']')] {
        if let (Some(a), true) = (c.find(open), c.ends_with(close)) {
            return (c[..a].trim().to_string(), Some(c[a + 1..c.len() - 1].trim().to_string()));
        }
    }
    (c.to_string(), None)
}

/// Read a measured table: columns `x_name (unit)`, `y_name (unit)` and optionally
/// `y_name_std (unit)`, in any order, units in the header.
pub fn read_table(path: &Path, x: (&str, Dim), y: (&str, Dim)) -> Result<Vec<Point>, DesignError> {
    let shown = path.display().to_string();
    let bad = |m: String| DesignError::Input(format!("{shown}: {m}"));
    let mut rdr = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .comment(Some(b'#'))
        .from_path(path)
        .map_err(|e| bad(e.to_string()))?;
    let heads: Vec<(String, Option<String>)> = rdr.headers().map_err(|e| bad(e.to_string()))?.iter().map(header).collect();
    let std_name = format!("{}_std", y.0);
    let col = |name: &str, dim: Dim, required: bool| -> Result<Option<(usize, String)>, DesignError> {
        match heads.iter().position(|h| h.0 == name) {
            Some(i) => match &heads[i].1 {
                Some(u) => Ok(Some((i, u.clone()))),
                None => Err(bad(format!(
                    "column `{name}` has no unit: write it as `{name} ({})`",
                    match dim {
                        d if d == Dim::CURRENT_DENSITY => "A/m^2",
                        d if d == Dim::VELOCITY => "m/s",
                        _ => "Oe",
                    }
                ))),
            },
            None if required => Err(bad(format!(
                "no column `{name}`; the columns are {}",
                heads.iter().map(|h| h.0.as_str()).collect::<Vec<_>>().join(", ")
            ))),
            None => Ok(None),
        }
    };
    let (xi, xu) = col(x.0, x.1, true)?.expect("required");
    let (yi, yu) = col(y.0, y.1, true)?.expect("required");
    let si = col(&std_name, y.1, false)?;
    let mut pts = Vec::new();
    for (row, rec) in rdr.records().enumerate() {
        let rec = rec.map_err(|e| bad(e.to_string()))?;
        if row >= MAX_ROWS {
            return Err(bad(format!(
                "more than {MAX_ROWS} rows: a measured table this long is not plausible"
            )));
        }
        let value = |i: usize, unit: &str, name: &str, dim: Dim| -> Result<f64, DesignError> {
            let cell = rec.get(i).unwrap_or("").trim();
            let v = RawQuantity::Text(format!("{cell} {unit}"))
                .to_si(dim, &format!("{shown} row {} `{name}`", row + 1))
                .map_err(|e| DesignError::Input(e.to_string()))?;
            if v.is_finite() {
                Ok(v)
            } else {
                Err(bad(format!("row {} `{name}` = {cell}: not a finite number", row + 1)))
            }
        };
        let xv = value(xi, &xu, x.0, x.1)?;
        let yv = value(yi, &yu, y.0, y.1)?;
        let sv = match &si {
            Some((i, u)) => {
                let s = value(*i, u, &std_name, y.1)?;
                if s <= 0.0 {
                    return Err(bad(format!("row {} `{std_name}` = {s}: must be > 0", row + 1)));
                }
                Some(s)
            }
            None => None,
        };
        pts.push(Point { x: xv, y: yv, std: sv });
    }
    if pts.len() < 2 {
        return Err(bad(format!("{} data rows; at least 2 are needed", pts.len())));
    }
    Ok(pts)
}
