//! Discrete (multi-MTJ, Mode L) inverse design, docs/physics.md 6 and 7.1.
//!
//! The normalised output of N parallel MTJs is a staircase y(I) = sum_k a_k H(I - I_k) with
//! a_k = A_k / sum A (each MTJ's conductance step is proportional to its area). The design
//! chooses thresholds I_k and area fractions a_k to minimise the RMS distance to the target on a
//! dense grid, starting from the analytic design (equal areas, thresholds at the target's
//! quantiles I_k = y^-1((k - 1/2)/N)) and refining with Nelder-Mead (argmin). The geometry
//! follows: MTJ k's wider edge sits where the wire width is w_k = f_HM I_k / (J_th t_HM), the
//! wire is piecewise linear between those edges, and the MTJs are squares scaled so that each
//! fits in 80 % of the wire under it.
//!
//! Fabrication rules: minimum and maximum wire width, minimum MTJ side, MTJ spacing, the
//! breakdown density at the narrowest point, and the driver's maximum current. All current flows through the narrowest section
//! (at the first MTJ), so the threshold range is bounded: I_max / I_1 <= J_bd / J_th.

use crate::target::Target;
use crate::DesignError;
use argmin::core::{CostFunction, Executor, State};
use argmin::solver::neldermead::NelderMead;
use dwmtj_core::material::Material;

/// Fabrication limits (all SI).
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct FabRules {
    /// Narrowest allowed wire (m).
    pub min_wire_width: f64,
    /// Widest allowed wire (m).
    pub max_wire_width: f64,
    /// Smallest allowed MTJ side (m).
    pub min_mtj_side: f64,
    /// Largest allowed MTJ side (m).
    pub max_mtj_side: f64,
    /// Gap between neighbouring MTJ footprints along the wire (m).
    pub mtj_spacing: f64,
    /// Heavy-metal current density at which the wire breaks down (A/m^2).
    pub breakdown_current_density: f64,
    /// MTJ side as a fraction of the wire width under it, at most.
    pub fill: f64,
    /// Largest write current the driver can deliver (A).
    pub max_current: f64,
}

impl Default for FabRules {
    /// Electron-beam rules of the device paper's scale: wires 100 nm - 5 um, MTJs 50 - 600 nm,
    /// 200 nm gaps, breakdown at 3e11 A/m^2.
    fn default() -> Self {
        Self {
            min_wire_width: 100e-9,
            max_wire_width: 5e-6,
            min_mtj_side: 50e-9,
            max_mtj_side: 600e-9,
            mtj_spacing: 200e-9,
            breakdown_current_density: 3e11,
            fill: 0.8,
            max_current: 5e-3,
        }
    }
}

/// What to design.
#[derive(Clone, Debug)]
pub struct DesignSpec {
    /// The target transfer function.
    pub target: Target,
    /// Number of MTJs (1-64).
    pub mtjs: usize,
    /// The wire stack.
    pub material: Material,
    /// Switching threshold current density (50 %, at the design pulse) in the heavy metal (A/m^2).
    pub j_th: f64,
    /// Design pulse width (s): the pulse of the threshold and of the device's ramp program.
    pub pulse_width: f64,
    /// Resistance-area product of the MTJs (Ohm m^2).
    pub ra: f64,
    /// Tunnel magnetoresistance ratio (fraction: 0.44 is 44 %).
    pub tmr: f64,
    /// The fabrication rules.
    pub rules: FabRules,
}

/// A designed device.
#[derive(Clone, Debug, serde::Serialize)]
pub struct DiscreteDesign {
    /// Switching current I_k of each MTJ, ascending (A).
    pub thresholds_a: Vec<f64>,
    /// Each MTJ's share of the total MTJ area, a_k = A_k / sum A (sums to 1): its step of the output.
    pub area_fractions: Vec<f64>,
    /// RMS of staircase - target on the design grid (fraction of full scale).
    pub model_rms_error: f64,
    /// Centre of each MTJ along the wire (m).
    pub positions_m: Vec<f64>,
    /// Side of each (square) MTJ (m).
    pub sides_m: Vec<f64>,
    /// Wire width profile nodes (x m, w m).
    pub wire_nodes: Vec<(f64, f64)>,
    /// Wire length (m).
    pub wire_length_m: f64,
    /// The device file (usable by `dwmtj simulate`).
    pub device_toml: String,
}

fn staircase(th: &[f64], a: &[f64], i: f64) -> f64 {
    th.iter().zip(a).filter(|(t, _)| i >= **t).map(|(_, a)| a).sum()
}

struct Fit<'a> {
    target: &'a Target,
    grid: Vec<(f64, f64)>,
    n: usize,
    min_area_ratio: f64,
}

impl Fit<'_> {
    /// Parameters: n threshold positions (logistic-mapped into the range) and n log-areas.
    fn decode(&self, p: &[f64]) -> (Vec<f64>, Vec<f64>) {
        let (lo, hi) = (self.target.i_min, self.target.i_max);
        let mut th: Vec<f64> = p[..self.n].iter().map(|&u| lo + (hi - lo) / (1.0 + (-u).exp())).collect();
        th.sort_by(f64::total_cmp);
        let m = p[self.n..].iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let w: Vec<f64> = p[self.n..].iter().map(|&v| (v - m).exp()).collect();
        let s: f64 = w.iter().sum();
        (th, w.iter().map(|x| x / s).collect())
    }

    fn rms(&self, th: &[f64], a: &[f64]) -> f64 {
        let se: f64 = self.grid.iter().map(|&(i, y)| (staircase(th, a, i) - y).powi(2)).sum();
        (se / self.grid.len() as f64).sqrt()
    }
}

impl CostFunction for Fit<'_> {
    type Param = Vec<f64>;
    type Output = f64;

    fn cost(&self, p: &Self::Param) -> Result<f64, argmin::core::Error> {
        let (th, a) = self.decode(p);
        let amax = a.iter().copied().fold(0.0, f64::max);
        // MTJs below the minimum feature are not allowed: penalise small area ratios.
        let penalty: f64 = a.iter().map(|&x| (self.min_area_ratio - x / amax).max(0.0)).sum();
        Ok(self.rms(&th, &a) + penalty)
    }
}

fn logit(y: f64) -> f64 {
    let y = y.clamp(1e-9, 1.0 - 1e-9);
    (y / (1.0 - y)).ln()
}

/// Design a device for `spec` with the threshold model: every MTJ switches at the design
/// density `j_th` at its critical width.
pub fn design(spec: &DesignSpec) -> Result<DiscreteDesign, DesignError> {
    let (th, a, model_rms_error) = fit_staircase(spec)?;
    let j = vec![spec.j_th; th.len()];
    geometry(
        spec,
        th,
        a,
        model_rms_error,
        &j,
        spec.rules.max_mtj_side,
        &SwitchingSection::Calibrated,
    )
}

/// How the designed device file's `[switching]` table describes the device.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum SwitchingSection {
    /// The threshold model calibrated to `j_th` at the design pulse.
    Calibrated,
    /// The dynamic 1D model at 0 K with sinusoidal film pinning of this period (m).
    Dynamic {
        /// Pinning period, m.
        pin_period: f64,
    },
}

/// The staircase fit: thresholds I_k (ascending, A), area fractions a_k and the RMS error of
/// the staircase on the design grid.
pub(crate) fn fit_staircase(spec: &DesignSpec) -> Result<(Vec<f64>, Vec<f64>, f64), DesignError> {
    let n = spec.mtjs;
    if !(1..=64).contains(&n) {
        return Err(DesignError::Input(format!("--mtjs {n}: between 1 and 64")));
    }
    let t = &spec.target;
    if !t.is_monotone() {
        return Err(DesignError::Input(
            "the target must not decrease: MTJs only add resistance as the current grows".into(),
        ));
    }
    let grid: Vec<(f64, f64)> = (0..=800)
        .map(|k| t.i_min + (t.i_max - t.i_min) * f64::from(k) / 800.0)
        .map(|i| (i, t.eval(i)))
        .collect();
    let r = &spec.rules;
    let fit = Fit {
        target: t,
        grid,
        n,
        min_area_ratio: (r.min_mtj_side / r.max_mtj_side).powi(2),
    };
    // Analytic start: equal areas at the target's quantiles.
    let start_th: Vec<f64> = (0..n).map(|k| t.inverse((k as f64 + 0.5) / n as f64)).collect();
    let mut p0: Vec<f64> = start_th.iter().map(|&i| logit((i - t.i_min) / (t.i_max - t.i_min))).collect();
    p0.extend(std::iter::repeat_n(0.0, n));
    let start_cost = fit.cost(&p0).map_err(|e| DesignError::Input(e.to_string()))?;
    let mut simplex = vec![p0.clone()];
    for k in 0..2 * n {
        let mut p = p0.clone();
        p[k] += 0.3;
        simplex.push(p);
    }
    let solver = NelderMead::new(simplex)
        .with_sd_tolerance(1e-10)
        .map_err(|e| DesignError::Input(e.to_string()))?;
    let res = Executor::new(fit, solver)
        .configure(|s| s.max_iters(4000 * n as u64))
        .run()
        .map_err(|e| DesignError::Input(format!("optimizer: {e}")))?;
    let best = res.state().get_best_param().cloned().unwrap_or(p0.clone());
    let fit = Fit {
        target: t,
        grid: (0..=800)
            .map(|k| t.i_min + (t.i_max - t.i_min) * f64::from(k) / 800.0)
            .map(|i| (i, t.eval(i)))
            .collect(),
        n,
        min_area_ratio: (r.min_mtj_side / r.max_mtj_side).powi(2),
    };
    let best = if fit.cost(&best).unwrap_or(f64::INFINITY) <= start_cost {
        best
    } else {
        p0
    };
    let (th, a) = fit.decode(&best);
    let model_rms_error = fit.rms(&th, &a);
    Ok((th, a, model_rms_error))
}

/// The wire and the MTJs for thresholds `th` and area fractions `a`: MTJ k's wider edge where
/// the wire is w_k = f_HM I_k / (j_sw[k] t_HM) wide, MTJ sides at most `side_cap`.
pub(crate) fn geometry(
    spec: &DesignSpec,
    th: Vec<f64>,
    a: Vec<f64>,
    model_rms_error: f64,
    j_sw: &[f64],
    side_cap: f64,
    switching: &SwitchingSection,
) -> Result<DiscreteDesign, DesignError> {
    let m = &spec.material;
    let r = &spec.rules;
    let f = m.hm_current_fraction();
    let width_for = |k: usize| f * th[k] / (j_sw[k] * m.t_hm);
    let (i_first, i_last) = (th[0], th[th.len() - 1]);
    let i_top = spec.target.i_max.max(i_last);
    if i_first <= 0.0 {
        return Err(DesignError::Infeasible(
            "a threshold at zero current: raise the range's lower end".into(),
        ));
    }
    if i_top > r.max_current {
        return Err(DesignError::Infeasible(format!(
            "the range reaches {:.1} uA, above the driver's maximum current {:.1} uA",
            i_top * 1e6,
            r.max_current * 1e6
        )));
    }
    // Dynamic designs put every footprint on a plateau of its own width (the wall crosses it
    // without a taper force; the transitions sit in the gaps), so the widths need not grow
    // along the wire. Threshold designs taper linearly from edge to edge.
    let plateaus = matches!(switching, SwitchingSection::Dynamic { .. });
    let widths: Vec<f64> = (0..th.len()).map(width_for).collect();
    let w_need = f * i_top / (r.breakdown_current_density * m.t_hm);
    let (k_min, w_min) = widths
        .iter()
        .copied()
        .enumerate()
        .fold((0, f64::INFINITY), |b, (k, w)| if w < b.1 { (k, w) } else { b });
    if plateaus && w_min < w_need {
        return Err(DesignError::Infeasible(format!(
            "MTJ {} needs {:.3e} A/m^2 at its {:.1} uA threshold, so its section would be {:.0} nm wide, but the {:.1} uA ramp top needs {:.0} nm there against breakdown ({:.3e} A/m^2); raise the range's lower end or J_bd",
            k_min + 1,
            j_sw[k_min],
            th[k_min] * 1e6,
            w_min * 1e9,
            i_top * 1e6,
            w_need * 1e9,
            r.breakdown_current_density
        )));
    }
    let ratio_limit = r.breakdown_current_density / j_sw[0];
    if !plateaus && i_top / i_first > ratio_limit {
        return Err(DesignError::Infeasible(format!(
            "thresholds from {:.1} uA to a {:.1} uA ramp top span a ratio of {:.2}, but all current crosses the narrowest section (the first MTJ's), so breakdown allows at most J_bd/J_1 = {:.2} (J_1 = {:.3e} A/m^2, the first MTJ's switching density); raise the range's lower end or J_bd",
            i_first * 1e6,
            i_top * 1e6,
            i_top / i_first,
            ratio_limit,
            j_sw[0]
        )));
    }
    if let Some(k) = (1..widths.len()).find(|&k| !plateaus && widths[k] < widths[k - 1]) {
        return Err(DesignError::Infeasible(format!(
            "MTJ {} would need a narrower wire ({:.0} nm) than MTJ {} before it ({:.0} nm): its wall needs {:.3e} A/m^2 against {:.3e}; use fewer MTJs or a longer pulse",
            k + 1,
            widths[k] * 1e9,
            k,
            widths[k - 1] * 1e9,
            j_sw[k],
            j_sw[k - 1]
        )));
    }
    let w_max = widths.iter().copied().fold(0.0, f64::max);
    if w_min < r.min_wire_width || w_max > r.max_wire_width {
        return Err(DesignError::Infeasible(format!(
            "the wire would run from {:.0} nm to {:.0} nm wide, outside the rules [{:.0}, {:.0}] nm",
            w_min * 1e9,
            w_max * 1e9,
            r.min_wire_width * 1e9,
            r.max_wire_width * 1e9
        )));
    }
    let amax = a.iter().copied().fold(0.0, f64::max);
    let mut scale = side_cap.min(r.max_mtj_side);
    let margin = 500e-9;
    let mut layout = (Vec::new(), Vec::new(), Vec::new(), 0.0);
    for _ in 0..6 {
        let sides: Vec<f64> = a.iter().map(|&x| scale * (x / amax).sqrt()).collect();
        // Right (wider) edges e_k at the critical widths; the profile is linear between them.
        let mut edges = Vec::new();
        let mut x = margin;
        for s in &sides {
            x += s;
            edges.push(x);
            x += r.mtj_spacing;
        }
        let length = x - r.mtj_spacing + margin;
        // The narrow end: slightly narrower than the first MTJ's edge, never below what the ramp
        // top needs against breakdown (the feasibility check above guarantees room).
        let w_start = (0.98 * widths[0]).max(w_need).min(widths[0]);
        let mut nodes = vec![(0.0, w_start)];
        for ((&e, &w), &s) in edges.iter().zip(&widths).zip(&sides) {
            if plateaus {
                nodes.push((e - s, w));
            }
            nodes.push((e, w));
        }
        nodes.push((length, widths[widths.len() - 1]));
        // Width at each MTJ's narrow (left) edge, by interpolation.
        let w_at = |xq: f64| {
            let k = nodes.partition_point(|p| p.0 <= xq).clamp(1, nodes.len() - 1);
            let (p, q) = (nodes[k - 1], nodes[k]);
            p.1 + (q.1 - p.1) * (xq - p.0) / (q.0 - p.0)
        };
        let worst = edges
            .iter()
            .zip(&sides)
            .map(|(&e, &s)| r.fill * w_at(e - s) / s)
            .fold(f64::INFINITY, f64::min);
        layout = (sides, edges, nodes, length);
        if worst >= 1.0 - 1e-9 {
            break;
        }
        scale *= worst * (1.0 - 1e-6);
    }
    let (sides, edges, nodes, length) = layout;
    if let Some((k, s)) = sides.iter().enumerate().find(|(_, &s)| s < r.min_mtj_side) {
        return Err(DesignError::Infeasible(format!(
            "MTJ {} would be {:.0} nm wide, below the {:.0} nm minimum feature: the target asks for too small a step; use fewer MTJs or a wider wire",
            k + 1,
            s * 1e9,
            r.min_mtj_side * 1e9
        )));
    }
    let positions: Vec<f64> = edges.iter().zip(&sides).map(|(e, s)| e - s / 2.0).collect();
    let device_toml = device_toml(spec, &nodes, length, &positions, &sides, switching);
    Ok(DiscreteDesign {
        thresholds_a: th,
        area_fractions: a,
        model_rms_error,
        positions_m: positions,
        sides_m: sides,
        wire_nodes: nodes,
        wire_length_m: length,
        device_toml,
    })
}

fn device_toml(
    spec: &DesignSpec,
    nodes: &[(f64, f64)],
    length: f64,
    positions: &[f64],
    sides: &[f64],
    switching: &SwitchingSection,
) -> String {
    let t = &spec.target;
    let mut s = String::new();
    s.push_str("# Designed by `dwmtj design`: thresholds and MTJ areas fitted to the target, wire width\n");
    s.push_str(match switching {
        SwitchingSection::Calibrated => {
            "# w = f_HM I_k / (J_th t_HM) at each MTJ's wider edge (docs/physics.md 7.1), piecewise linear.\n"
        }
        SwitchingSection::Dynamic { .. } => {
            "# w = f_HM I_k / (J_k t_HM) at each MTJ's wider edge, J_k the density at which the 1D model's wall\n# crosses the footprint by I_k of the ramp (docs/physics.md 7.5), piecewise linear.\n"
        }
    });
    s.push_str("version = 1\nname = \"designed-device\"\n");
    s.push_str(&format!(
        "material = \"{}\"\n\n",
        if dwmtj_core::material::find_builtin(&spec.material.name).is_some() {
            spec.material.name.as_str()
        } else {
            "ta-cofeb-mgo"
        }
    ));
    s.push_str("[material_overrides]\n");
    for p in dwmtj_core::material::PARAMS {
        let v = (p.get)(&spec.material);
        if !v.is_nan() {
            s.push_str(&format!("{} = {:e}\n", p.key, v));
        }
    }
    s.push_str(&format!("\n[wire]\nlength = {length:e}\n"));
    let xs: Vec<String> = nodes.iter().map(|n| format!("{:e}", n.0.min(length))).collect();
    let ws: Vec<String> = nodes.iter().map(|n| format!("{:e}", n.1)).collect();
    s.push_str(&format!(
        "width = {{ kind = \"table\", x = [{}], w = [{}] }}\n",
        xs.join(", "),
        ws.join(", ")
    ));
    s.push_str(&format!(
        "breakdown_current_density = {:e}\n\n",
        spec.rules.breakdown_current_density
    ));
    s.push_str(&format!(
        "[mtj_defaults]\nra = {:e}\ntmr = {:e}\nreference = \"up\"\n\n",
        spec.ra, spec.tmr
    ));
    for (x, a) in positions.iter().zip(sides) {
        s.push_str(&format!("[[mtj]]\nposition = {x:e}\nlength = {a:e}\nwidth = {a:e}\n\n"));
    }
    match switching {
        SwitchingSection::Calibrated => s.push_str(&format!(
            "[switching]\nmodel = \"calibrated\"\nj_th = {:e}\nat_bias = 0\nat_pulse_width = {:e}\npropagation_fraction = 0.3\nflow_velocity = \"100 m/s\"\nflow_overdrive = \"1e11 A/m^2\"\nbarrier_energy = \"4.142 aJ\"\n\n",
            spec.j_th, spec.pulse_width
        )),
        // The design is exact for the athermal 1D model; raise the temperature to see thermal
        // spread (stochastic Heun, slower).
        SwitchingSection::Dynamic { pin_period } => s.push_str(&format!(
            "[switching]\nmodel = \"dynamic\"\npin_period = {pin_period:e}\ntemperature = \"0 K\"\n\n"
        )),
    }
    let step = (t.i_max - t.i_min) / 200.0;
    s.push_str(&format!(
        "[program]\nkind = \"ramp\"\nstart = {:e}\nstop = {:e}\nstep = {:e}\npulse_width = {:e}\ncycles = 1\nseed = 1\n",
        t.i_min, t.i_max, step, spec.pulse_width
    ));
    s
}
