//! Three model levels on one device (`dwmtj reproduce consistency`, docs/physics.md 14): the
//! threshold (compact) model, the 1D (q, phi) wall and 2D micromagnetics, side by side, with
//! stated tolerances.
//!
//! The device: three MTJs on a strip of the benchmark material (docs/micromag.md 6) with film
//! pinning made by a modulated anisotropy, `K_u(x) = K_u - dK cos(2 pi x / p)` (micromagnetics:
//! `material.pinning_ku`, `pinning_period`). As in the threshold model's Mode L, each MTJ has its
//! own wall, pinned at rest at the left end of the pinning period its footprint occupies
//! ([p + g, 2p - g] in the MTJ's own strip of length 3p, the wall at rest near x = p); MTJ k's
//! reference layer adds a stray field s_k H_dep opposing the reversal over [p - p/8, 2p), so its
//! threshold is (1 + s_k) H_dep / eps. The damping-like SOT pushes the wall along +x; once past
//! the footprint it runs to the strip's end.
//!
//! The 1D model takes the micromagnetic landscape to first order: the wall's energy changes by
//! `S sum_i dK_i int_(cell i) sech^2((x - q)/Delta) dx` (anisotropy) and by the Zeeman energy of
//! its profile in the stray field, so its pinning field (a `Pinning::Random` profile) is
//! ```text
//! H_pin(q) = sum_i dK_i [sech^2((x_i - q)/Delta) - sech^2((x_(i+1) - q)/Delta)] / (2 mu0 Ms)
//!          + (H_s/2) [tanh((b - q)/Delta) - tanh((a - q)/Delta)]
//! ```
//! over the mesh's cell columns [x_i, x_(i+1)] and the stray field's extent [a, b] (for the
//! sinusoid alone H_dep = 2 Delta dK F k / (2 mu0 Ms), F = (pi k Delta/2)/sinh(pi k Delta/2),
//! k = 2 pi/p). The threshold model takes H_dep = max of the anisotropy part as the material's
//! depinning field and s_k H_dep as the MTJs' stray fields (`model = "material"`, bipolar: the
//! wall crosses the whole footprint; propagation fraction 1: the pinning acts inside the
//! footprints too).
//!
//! Compared: (1) the wall velocity against J in the strip without pinning; (2) each MTJ's
//! depinning threshold on a current ramp from rest (the density at which the wall passes the
//! footprint's centre; the threshold model's own kinematics on the same ramp, and its
//! quasi-static J_c); (3) the transfer curve: each footprint's switched fraction and the
//! device's resistance after each pulse of a program.

use crate::paper::{check, Check};
use dwmtj_core::device::PulseShape;
use dwmtj_core::error::ConfigError;
use dwmtj_core::material::Material;
use dwmtj_core::threshold::{ThresholdModel, VelocityLaw};
use dwmtj_core::units::MU0;
use dwmtj_core::wall::{run_deterministic, run_tilted, Drive, Pinning, RunOptions, WallModel};
use dwmtj_micromag::config::RunSpec;
use rayon::prelude::*;

/// The device and the protocols (SI units).
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct ConsistencyParams {
    /// Saturation magnetisation, A/m.
    pub ms: f64,
    /// Exchange stiffness, J/m.
    pub a_ex: f64,
    /// Mean uniaxial anisotropy K_u, J/m^3.
    pub ku: f64,
    /// Interfacial DMI, J/m^2.
    pub dmi: f64,
    /// Gilbert damping.
    pub alpha: f64,
    /// Spin Hall angle.
    pub theta_sh: f64,
    /// Free-layer thickness, m.
    pub thickness: f64,
    /// Heavy-metal thickness, m.
    pub t_hm: f64,
    /// Strip width, m.
    pub width: f64,
    /// Micromagnetic cell, m.
    pub cell: f64,
    /// Full Newell demag in micromagnetics (the 1D model then has the thin-film Neel-Bloch
    /// anisotropy); false: the local thin-film form, which the 1D model (K_D = 0) has exactly.
    pub full_demag: bool,
    /// Period p of the film pinning, m.
    pub pin_period: f64,
    /// Amplitude dK of the anisotropy modulation, J/m^3.
    pub pin_ku: f64,
    /// Stray field of each MTJ's reference layer, in units of H_dep (opposing the reversal).
    pub stray: [f64; 3],
    /// Inset g of each footprint from its pinning period's ends, m.
    pub inset: f64,
    /// Current densities of the velocity comparison, A/m^2.
    pub velocity_densities: Vec<f64>,
    /// Duration of each velocity run, s (velocity: slope over its last 40 %).
    pub velocity_time: f64,
    /// Duration of each MTJ's current ramp, s.
    pub ramp_time: f64,
    /// Current density at the ramp's end, in units of the MTJ's threshold J_c.
    pub ramp_top: f64,
    /// The program's pulse shape.
    pub pulse: PulseShape,
    /// Start-to-start spacing of the program's pulses, s.
    pub pulse_period: f64,
    /// The program's amplitudes, in units of the film's depinning density H_dep/eps.
    pub program: Vec<f64>,
}

impl Default for ConsistencyParams {
    /// The benchmark material in a 16 nm strip, 2 nm cells, local demag, pinning of period
    /// 40 nm with dK = 1.2e4 J/m^3 (H_dep about 7.6 mT), stray fields 0, 0.3 and 0.6 H_dep.
    fn default() -> Self {
        Self {
            ms: 1.1e6,
            a_ex: 1.5e-11,
            ku: 1.0e6,
            dmi: 0.5e-3,
            alpha: 0.1,
            theta_sh: 0.1,
            thickness: 1e-9,
            t_hm: 5e-9,
            width: 16e-9,
            cell: 2e-9,
            full_demag: false,
            pin_period: 40e-9,
            pin_ku: 1.2e4,
            stray: [0.0, 0.3, 0.6],
            inset: 8e-9,
            velocity_densities: vec![1e11, 2e11, 3e11],
            velocity_time: 1.5e-9,
            ramp_time: 8e-9,
            ramp_top: 1.5,
            pulse: PulseShape {
                width: 3e-9,
                rise: 1e-9,
                fall: 1e-9,
            },
            pulse_period: 5e-9,
            program: vec![0.85, 1.15, 1.45, 1.75],
        }
    }
}

/// One current density of the velocity comparison.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct VelocityRow {
    /// Heavy-metal current density, A/m^2.
    pub current_density_a_per_m2: f64,
    /// Micromagnetics, m/s.
    pub micromagnetic_m_per_s: f64,
    /// The 1D (q, phi) model, m/s.
    pub wall_1d_m_per_s: f64,
    /// The 1D model with tilt (q, phi, chi), m/s.
    pub wall_1d_tilted_m_per_s: f64,
    /// The 1D model's steady velocity (after 30 ns), m/s.
    pub wall_1d_steady_m_per_s: f64,
    /// The threshold model's velocity law (a steady velocity), m/s.
    pub threshold_m_per_s: f64,
}

/// One MTJ's depinning threshold.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct ThresholdRow {
    /// MTJ number, from 1.
    pub mtj: usize,
    /// Its stray field, A/m (opposing the reversal).
    pub stray_field_a_per_m: f64,
    /// The threshold model's quasi-static J_c, A/m^2.
    pub quasi_static_a_per_m2: f64,
    /// The density at which the wall passes the footprint's centre on the ramp, A/m^2: the
    /// threshold model's kinematics (depinning at J_c, then its velocity law).
    pub threshold_a_per_m2: Option<f64>,
    /// ... the 1D wall.
    pub wall_1d_a_per_m2: Option<f64>,
    /// ... micromagnetics.
    pub micromagnetic_a_per_m2: Option<f64>,
}

/// The state after one pulse of the program.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct TransferRow {
    /// Pulse number, from 1.
    pub pulse: usize,
    /// The pulse's current density, A/m^2.
    pub current_density_a_per_m2: f64,
    /// The pulse's wire current, A.
    pub current_a: f64,
    /// Switched fraction of each footprint: threshold model.
    pub threshold: Vec<f64>,
    /// ... the 1D wall (read through its profile).
    pub wall_1d: Vec<f64>,
    /// ... micromagnetics (the footprint's average m_z).
    pub micromagnetic: Vec<f64>,
    /// The device's read resistance from each level's fractions, Ohm: threshold, 1D,
    /// micromagnetic.
    pub resistance_ohm: [f64; 3],
}

/// A point of an MTJ's current ramp: (MTJ number, J / J_c, 1D wall position from the rest
/// site m, micromagnetic wall position from the rest site m).
pub type RampPoint = (usize, f64, f64, f64);

/// The three levels side by side.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Consistency {
    /// The device and protocols.
    pub params: ConsistencyParams,
    /// The film pinning's depinning field H_dep, A/m.
    pub h_dep_a_per_m: f64,
    /// SOT depinning efficiency eps, A/m per A/m^2.
    pub efficiency: f64,
    /// The velocity comparison.
    pub velocity: Vec<VelocityRow>,
    /// The thresholds.
    pub thresholds: Vec<ThresholdRow>,
    /// The ramps.
    pub ramp: Vec<RampPoint>,
    /// The transfer curve.
    pub transfer: Vec<TransferRow>,
    /// The threshold model's device file (TOML).
    pub device_toml: String,
    /// The micromagnetic run files (name, TOML).
    pub run_files: Vec<(String, String)>,
    /// The checks.
    pub checks: Vec<Check>,
}

/// MTJ k's strip: the wall's rest site, the footprint and the stray field's extent (m).
struct Strip {
    rest: f64,
    footprint: (f64, f64),
    stray: (f64, f64),
    length: f64,
}

fn strip(p: &ConsistencyParams) -> Strip {
    let rest = p.pin_period;
    Strip {
        rest,
        footprint: (rest + p.inset, rest + p.pin_period - p.inset),
        stray: (rest - p.pin_period / 8.0, rest + p.pin_period),
        length: 3.0 * p.pin_period,
    }
}

fn nm(v: f64) -> String {
    // Rounded to 1e-6 nm: no binary noise in the written files.
    format!("\"{} nm\"", (v * 1e15).round() / 1e6)
}

/// A micromagnetic run file. `drive` is the `[drive]` table's body; `stray` (T along z) adds the
/// film pinning, the stray-field region and the footprint (None: a clean strip).
fn run_file(p: &ConsistencyParams, name: &str, length: f64, x0: f64, drive: &str, run: &str, stray: Option<f64>) -> String {
    let mut s = format!(
        "# dwmtj reproduce consistency: {name}\nname = \"{name}\"\n[mesh]\nlength = {}\nwidth = {}\nthickness = {}\ncell = {}\n[material]\nms = \"{:e} A/m\"\na_ex = \"{:e} J/m\"\nku = \"{:e} J/m^3\"\ndmi = \"{:e} J/m^2\"\nalpha = {}\ntheta_sh = {}\nt_hm = {}\n",
        nm(length),
        nm(p.width),
        nm(p.thickness),
        nm(p.cell),
        p.ms,
        p.a_ex,
        p.ku,
        p.dmi,
        p.alpha,
        p.theta_sh,
        nm(p.t_hm)
    );
    if stray.is_some() {
        s.push_str(&format!(
            "pinning_ku = \"{:e} J/m^3\"\npinning_period = {}\n",
            p.pin_ku,
            nm(p.pin_period)
        ));
    }
    s.push_str(&format!(
        "[drive]\n{drive}[initial]\nstate = \"neel-wall\"\nx0 = {}\n[run]\ndemag = \"{}\"\n{run}",
        nm(x0),
        if p.full_demag { "full" } else { "local" }
    ));
    if let Some(b) = stray {
        let st = strip(p);
        // The reversed domain (behind the wall) is up: the stray field points down.
        s.push_str(&format!(
            "[[region]]\nname = \"stray\"\nx = [{}, {}]\nb = [\"0 T\", \"0 T\", \"{:e} T\"]\n",
            nm(st.stray.0),
            nm(st.stray.1),
            -b
        ));
        s.push_str(&format!(
            "[[region]]\nname = \"footprint\"\nx = [{}, {}]\n",
            nm(st.footprint.0),
            nm(st.footprint.1)
        ));
    }
    s
}

fn parse(text: &str, name: &str) -> Result<RunSpec, ConfigError> {
    Ok(dwmtj_micromag::config::parse(text, name)?.1)
}

fn sech2(u: f64) -> f64 {
    let c = u.cosh();
    if c.is_finite() {
        1.0 / (c * c)
    } else {
        0.0
    }
}

/// The 1D pinning field of the micromagnetic anisotropy modulation (`pin_ku`, `pin_period`) on
/// `nx` cell columns of width `dx`, sampled every `grid` from 0, for a wall of width `delta` and
/// magnetisation `ms` (module docs).
pub fn modulation_field(pin_ku: f64, pin_period: f64, ms: f64, nx: usize, dx: f64, delta: f64, grid: f64) -> Vec<f64> {
    let d_k: Vec<f64> = (0..nx)
        .map(|i| -pin_ku * (2.0 * std::f64::consts::PI * (i as f64 + 0.5) * dx / pin_period).cos())
        .collect();
    let points = ((nx as f64 * dx) / grid).ceil() as usize + 1;
    (0..points)
        .map(|g| {
            let q = g as f64 * grid;
            d_k.iter()
                .enumerate()
                .map(|(i, dk)| dk * (sech2((i as f64 * dx - q) / delta) - sech2(((i + 1) as f64 * dx - q) / delta)))
                .sum::<f64>()
                / (2.0 * MU0 * ms)
        })
        .collect()
}

/// The switched fraction of footprint [a, b] for a wall at q (up behind it), read through the
/// wall's profile m_z = -tanh((x - q)/Delta).
fn profile_fraction(q: f64, a: f64, b: f64, delta: f64) -> f64 {
    // int (1 - tanh((x - q)/Delta))/2 dx = (x - Delta ln cosh((x - q)/Delta))/2
    let lncosh = |u: f64| u.abs() + (-2.0 * u.abs()).exp().ln_1p() - std::f64::consts::LN_2;
    let f = |x: f64| 0.5 * (x - delta * lncosh((x - q) / delta));
    ((f(b) - f(a)) / (b - a)).clamp(0.0, 1.0)
}

/// Slope of (t, x) over the last 40 % of the run (least squares).
fn tail_slope(points: &[(f64, f64)]) -> f64 {
    let t_end = points.last().map_or(0.0, |p| p.0);
    let tail: Vec<&(f64, f64)> = points.iter().filter(|p| p.0 >= 0.6 * t_end).collect();
    if tail.len() < 2 {
        return 0.0;
    }
    dwmtj_core::fit::fit_line(
        &tail.iter().map(|p| p.0).collect::<Vec<_>>(),
        &tail.iter().map(|p| p.1).collect::<Vec<_>>(),
    )
    .slope
}

/// The threshold model's device file: the three MTJs on one wire, one pinning period apart.
fn device_toml(p: &ConsistencyParams, m: &Material) -> String {
    let st = strip(p);
    let mut s = format!(
        "# dwmtj reproduce consistency: the device's threshold model (3 MTJs, stray fields opposing the reversal)\nversion = 1\nname = \"consistency-3mtj\"\nmaterial = \"ta-cofeb-mgo\"\n[material_overrides]\nms = \"{:e} A/m\"\na_ex = \"{:e} J/m\"\nk_eff = \"{:e} J/m^3\"\ndmi = \"{:e} J/m^2\"\nalpha = {}\ntheta_sh = {}\nt_fm = \"{:e} m\"\nt_hm = \"{:e} m\"\nh_dep = \"{:e} A/m\"\nh_k = \"{:e} A/m\"\nfl_dl_ratio = 0\npolarization = 0\nbeta = 0\n[wire]\nlength = \"{:e} m\"\nwidth = {{ kind = \"constant\", value = \"{:e} m\" }}\n[mtj_defaults]\nlength = \"{:e} m\"\nwidth = \"{:e} m\"\nra = \"10 Ohm*um^2\"\ntmr = \"150 %\"\n",
        m.ms,
        m.a_ex,
        m.k_eff,
        m.dmi,
        m.alpha,
        m.theta_sh,
        m.t_fm,
        m.t_hm,
        m.h_dep,
        m.h_k(),
        6.0 * p.pin_period,
        p.width,
        st.footprint.1 - st.footprint.0,
        p.width
    );
    for k in 0..3 {
        s.push_str(&format!(
            "[[mtj]]\nposition = \"{:e} m\"\nstray_field = \"{:e} A/m\"\n",
            (2 * k + 1) as f64 * p.pin_period + 0.5 * (st.footprint.0 + st.footprint.1 - 2.0 * st.rest),
            p.stray[k] * m.h_dep
        ));
    }
    s.push_str("[switching]\nmodel = \"material\"\npolarity = \"bipolar\"\npropagation_fraction = 1.0\ntemperature = \"0 K\"\n");
    s
}

/// What one MTJ's strip gives: the ramp (t, 1D q, micromagnetic q) and the fractions after each
/// program pulse (1D, micromagnetic).
struct StripResult {
    ramp_1d: Vec<(f64, f64)>,
    ramp_mm: Vec<(f64, f64)>,
    program_1d: Vec<f64>,
    program_mm: Vec<f64>,
}

/// Run the three levels; `progress(stage, done, total)` after each micromagnetic run.
pub fn consistency(p: &ConsistencyParams, progress: &(dyn Fn(&str, u64, u64) + Sync)) -> Result<Consistency, ConfigError> {
    let st = strip(p);
    // The micromagnetic problem first: its mesh fixes the columns the landscape is built from.
    let probe = parse(
        &run_file(p, "probe", st.length, st.rest, "", "duration = \"0.1 ns\"\n", Some(0.0)),
        "probe",
    )?;
    let mut material = dwmtj_micromag::config::wall_material(&probe);
    let delta = material.wall_width();
    let grid = probe.mesh.dx / 8.0;
    let modulation = modulation_field(p.pin_ku, p.pin_period, p.ms, probe.mesh.nx, probe.mesh.dx, delta, grid);
    // H_dep over the interior periods (the ends see a truncated landscape).
    let h_dep = modulation
        .iter()
        .enumerate()
        .filter(|(g, _)| (0.5 * p.pin_period..st.length - 0.5 * p.pin_period).contains(&(*g as f64 * grid)))
        .map(|(_, h)| h.abs())
        .fold(0.0, f64::max);
    material.h_dep = h_dep;
    // The threshold model.
    let device_text = device_toml(p, &material);
    let (_, device, _) = dwmtj_core::config::parse_device(&device_text, "consistency device", None)?;
    let model = ThresholdModel::new(&device, Some(p.pulse))?;
    let eps = device.switching.efficiency;
    let j_dep = h_dep / eps;
    let j_c: Vec<f64> = (0..3).map(|k| model.nominal[k].j_c_ap).collect();

    // Micromagnetic run files: velocity (clean strip), and per MTJ a ramp and the program.
    let v_length = 8.0 * p.pin_period;
    let velocity_text = run_file(
        p,
        "consistency-velocity",
        v_length,
        1.5 * p.pin_period,
        &format!(
            "current_density = \"{:e} A/m^2\"\n",
            p.velocity_densities.first().copied().unwrap_or(1e11)
        ),
        &format!("duration = \"{:e} s\"\nsamples = 40\nsnapshots = 0\n", p.velocity_time),
        None,
    );
    let ramp_shape = PulseShape {
        width: p.ramp_time,
        rise: p.ramp_time,
        fall: 0.0,
    };
    let ramp_samples = 400;
    let program_samples_per_pulse = 4;
    let scales: Vec<String> = p.program.iter().map(|s| format!("{s}")).collect();
    let mut files = vec![("velocity.toml".to_string(), velocity_text.clone())];
    for (k, &j_ck) in j_c.iter().enumerate() {
        let b = MU0 * p.stray[k] * h_dep;
        files.push((
            format!("ramp-mtj{}.toml", k + 1),
            run_file(
                p,
                &format!("consistency-ramp-mtj{}", k + 1),
                st.length,
                st.rest,
                &format!(
                    "current_density = \"{:e} A/m^2\"\n[drive.current_pulse]\ndelay = \"0 ns\"\nrise = \"{:e} s\"\nwidth = \"{:e} s\"\nfall = \"0 s\"\n",
                    p.ramp_top * j_ck,
                    p.ramp_time,
                    p.ramp_time
                ),
                &format!("duration = \"{:e} s\"\nrelax = true\nsamples = {ramp_samples}\nsnapshots = 0\n", p.ramp_time),
                Some(b),
            ),
        ));
        files.push((
            format!("program-mtj{}.toml", k + 1),
            run_file(
                p,
                &format!("consistency-program-mtj{}", k + 1),
                st.length,
                st.rest,
                &format!(
                    "current_density = \"{j_dep:e} A/m^2\"\n[drive.pulse_train]\nscales = [{}]\nperiod = \"{:e} s\"\nwidth = \"{:e} s\"\nrise = \"{:e} s\"\nfall = \"{:e} s\"\n",
                    scales.join(", "),
                    p.pulse_period,
                    p.pulse.width,
                    p.pulse.rise,
                    p.pulse.fall
                ),
                &format!(
                    "duration = \"{:e} s\"\nrelax = true\nsamples = {}\nsnapshots = 0\n",
                    p.pulse_period * p.program.len() as f64,
                    program_samples_per_pulse * p.program.len()
                ),
                Some(b),
            ),
        ));
    }
    let specs: Vec<RunSpec> = files.iter().map(|(n, t)| parse(t, n)).collect::<Result<_, _>>()?;
    let total = (p.velocity_densities.len() + 6) as u64;
    let done = std::sync::atomic::AtomicU64::new(0);
    let tick = || {
        progress(
            "micromagnetic runs",
            done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1,
            total,
        )
    };

    // (1) Velocity in the strip without pinning.
    let free = {
        let mut w = WallModel::from_material(&material, p.width, 1.0);
        w.pinning.clear();
        w
    };
    let phi0 = free.equilibrium_phi(0.0, 0.0);
    let law = VelocityLaw::for_device(&device);
    // Micromagnetic runs side by side (each small mesh gains little from more threads).
    let velocity_mm: Vec<f64> = p
        .velocity_densities
        .par_iter()
        .map(|&j| {
            let v = dwmtj_micromag::velocity::velocity_sweep(&specs[0], &[j], &|_, _| {})[0].velocity_m_per_s;
            tick();
            v
        })
        .collect();
    let velocity = p
        .velocity_densities
        .iter()
        .zip(&velocity_mm)
        .map(|(&j, &v_mm)| {
            let pulse = PulseShape {
                width: 2.0 * p.velocity_time,
                rise: 0.0,
                fall: 0.0,
            };
            let opts = RunOptions {
                t_end: p.velocity_time,
                samples: 200,
                ..RunOptions::default()
            };
            let straight = run_deterministic(&free, &Drive::current(j, pulse), 0.0, phi0, &opts);
            let tilted = run_tilted(&free, &Drive::current(j, pulse), 0.0, phi0, 0.0, false, &opts);
            let long = PulseShape {
                width: 40e-9,
                rise: 0.0,
                fall: 0.0,
            };
            let steady = run_deterministic(
                &free,
                &Drive::current(j, long),
                0.0,
                phi0,
                &RunOptions {
                    t_end: 30e-9,
                    ..RunOptions::default()
                },
            );
            VelocityRow {
                current_density_a_per_m2: j,
                micromagnetic_m_per_s: v_mm,
                wall_1d_m_per_s: tail_slope(&straight.trajectory.iter().map(|s| (s.0, s.1)).collect::<Vec<_>>()),
                wall_1d_tilted_m_per_s: tail_slope(&tilted.trajectory.iter().map(|s| (s.0, s.1)).collect::<Vec<_>>()),
                wall_1d_steady_m_per_s: steady.final_velocity_m_per_s,
                threshold_m_per_s: law.velocity(j),
            }
        })
        .collect::<Vec<_>>();

    // (2, 3) Each MTJ's strip: its 1D wall and its micromagnetic runs.
    let strips: Vec<StripResult> = (0..3)
        .into_par_iter()
        .map(|k| {
            let h_s = p.stray[k] * h_dep;
            let mut field = modulation.clone();
            for (g, h) in field.iter_mut().enumerate() {
                let q = g as f64 * grid;
                *h += 0.5 * h_s * (((st.stray.1 - q) / delta).tanh() - ((st.stray.0 - q) / delta).tanh());
            }
            let mut wall = WallModel::from_material(&material, p.width, 1.0);
            wall.pinning = vec![Pinning::Random { x0: 0.0, dx: grid, field }];
            // At rest first (the micromagnetic runs relax too).
            let still = PulseShape {
                width: 0.0,
                rise: 0.0,
                fall: 0.0,
            };
            let settle = run_deterministic(
                &wall,
                &Drive::current(0.0, still),
                st.rest,
                phi0,
                &RunOptions {
                    t_end: 5e-9,
                    ..RunOptions::default()
                },
            );
            let (q0, phi_rest) = (st.rest + settle.displacement_m, settle.phi_rad);
            let ramp = run_deterministic(
                &wall,
                &Drive::current(p.ramp_top * j_c[k], ramp_shape),
                q0,
                phi_rest,
                &RunOptions {
                    t_end: p.ramp_time,
                    samples: ramp_samples,
                    ..RunOptions::default()
                },
            );
            let (mut q, mut phi) = (q0, phi_rest);
            let program_1d = p
                .program
                .iter()
                .map(|&scale| {
                    let out = run_deterministic(
                        &wall,
                        &Drive::current(scale * j_dep, p.pulse),
                        q,
                        phi,
                        &RunOptions {
                            t_end: p.pulse_period,
                            ..RunOptions::default()
                        },
                    );
                    q += out.displacement_m;
                    phi = out.phi_rad;
                    profile_fraction(q, st.footprint.0, st.footprint.1, delta)
                })
                .collect();
            let ramp_mm = dwmtj_micromag::run::run(&specs[1 + 2 * k], &|_| {});
            tick();
            let program_mm = dwmtj_micromag::run::run(&specs[2 + 2 * k], &|_| {});
            tick();
            StripResult {
                ramp_1d: ramp.trajectory.iter().map(|s| (s.0, s.1)).collect(),
                ramp_mm: ramp_mm.rows.iter().map(|r| (r.t, r.wall_position)).collect(),
                program_1d,
                program_mm: (1..=p.program.len())
                    .map(|n| 0.5 * (1.0 + program_mm.rows[program_samples_per_pulse * n].regions[1][2]))
                    .collect(),
            }
        })
        .collect();

    // The ramps: the density when each level's wall passes the footprint's centre.
    let centre = 0.5 * (st.footprint.0 + st.footprint.1);
    let crossing = |trace: &[(f64, f64)], top: f64| trace.iter().find(|s| s.1 >= centre).map(|s| top * (s.0 / p.ramp_time).min(1.0));
    let thresholds = (0..3)
        .map(|k| {
            let top = p.ramp_top * j_c[k];
            ThresholdRow {
                mtj: k + 1,
                stray_field_a_per_m: p.stray[k] * h_dep,
                quasi_static_a_per_m2: j_c[k],
                threshold_a_per_m2: threshold_ramp_crossing(&model, &law, j_c[k], top, p.ramp_time, centre - st.rest),
                wall_1d_a_per_m2: crossing(&strips[k].ramp_1d, top),
                micromagnetic_a_per_m2: crossing(&strips[k].ramp_mm, top),
            }
        })
        .collect::<Vec<_>>();
    let mut ramp = Vec::new();
    for (k, s) in strips.iter().enumerate() {
        for &(t, x_mm) in &s.ramp_mm {
            let i = s.ramp_1d.partition_point(|r| r.0 < t).min(s.ramp_1d.len() - 1);
            ramp.push((
                k + 1,
                p.ramp_top * (t / p.ramp_time).min(1.0),
                s.ramp_1d[i].1 - st.rest,
                x_mm - st.rest,
            ));
        }
    }

    // The program: the threshold model's Mode L walls, one per MTJ.
    let mut f_thr = vec![0.0; 3];
    let transfer = p
        .program
        .iter()
        .enumerate()
        .map(|(n, &scale)| {
            let j = scale * j_dep;
            for (k, f) in f_thr.iter_mut().enumerate() {
                if *f >= 1.0 {
                    continue;
                }
                let o = model.pulse(j, j_c[k], &p.pulse, *f <= 0.0, f64::INFINITY);
                if o.depinned {
                    *f = (*f + o.travel / device.crossing_length(k)).min(1.0);
                }
            }
            let f_1d: Vec<f64> = strips.iter().map(|s| s.program_1d[n]).collect();
            let f_mm: Vec<f64> = strips.iter().map(|s| s.program_mm[n]).collect();
            TransferRow {
                pulse: n + 1,
                current_density_a_per_m2: j,
                current_a: device.current_for_density(0, j),
                resistance_ohm: [
                    device.read(&f_thr).resistance,
                    device.read(&f_1d).resistance,
                    device.read(&f_mm).resistance,
                ],
                threshold: f_thr.clone(),
                wall_1d: f_1d,
                micromagnetic: f_mm,
            }
        })
        .collect::<Vec<_>>();
    let checks = checks(&velocity, &thresholds, &transfer);
    Ok(Consistency {
        params: p.clone(),
        h_dep_a_per_m: h_dep,
        efficiency: eps,
        velocity,
        thresholds,
        ramp,
        transfer,
        device_toml: device_text,
        run_files: files,
        checks,
    })
}

/// The threshold model on a ramp J = top t / T: the wall leaves its rest site when J reaches
/// J_c and then moves at the device's velocity law of the overdrive J - J_c (propagation
/// fraction 1); the density when it has moved `distance`.
fn threshold_ramp_crossing(
    model: &ThresholdModel<'_>,
    law: &VelocityLaw,
    j_c: f64,
    top: f64,
    ramp_time: f64,
    distance: f64,
) -> Option<f64> {
    let p = model.device.switching.propagation_fraction;
    let steps = 20_000;
    let dt = ramp_time / f64::from(steps);
    let mut x = 0.0;
    for i in 0..steps {
        let j = top * (f64::from(i) + 0.5) / f64::from(steps);
        if j >= j_c {
            x += law.velocity(j - p * j_c) * dt;
            if x >= distance {
                return Some(top * f64::from(i + 1) / f64::from(steps));
            }
        }
    }
    None
}

/// Tolerances (docs/physics.md 14).
fn checks(velocity: &[VelocityRow], thresholds: &[ThresholdRow], transfer: &[TransferRow]) -> Vec<Check> {
    let worst = |pairs: &mut dyn Iterator<Item = (Option<f64>, Option<f64>)>| {
        pairs
            .map(|(a, b)| match (a, b) {
                (Some(a), Some(b)) => (a / b - 1.0).abs(),
                _ => f64::INFINITY,
            })
            .fold(0.0, f64::max)
    };
    let v_1d = worst(&mut velocity.iter().map(|r| (Some(r.wall_1d_m_per_s), Some(r.micromagnetic_m_per_s))));
    let v_tilt = worst(
        &mut velocity
            .iter()
            .map(|r| (Some(r.wall_1d_tilted_m_per_s), Some(r.micromagnetic_m_per_s))),
    );
    let v_thr = worst(&mut velocity.iter().map(|r| (Some(r.threshold_m_per_s), Some(r.wall_1d_steady_m_per_s))));
    let t_1d = worst(&mut thresholds.iter().map(|r| (r.wall_1d_a_per_m2, r.micromagnetic_a_per_m2)));
    let t_thr = worst(&mut thresholds.iter().map(|r| (r.threshold_a_per_m2, r.wall_1d_a_per_m2)));
    let diff = |a: &dyn Fn(&TransferRow) -> &Vec<f64>, b: &dyn Fn(&TransferRow) -> &Vec<f64>| {
        transfer
            .iter()
            .flat_map(|r| a(r).iter().zip(b(r)).map(|(x, y)| (x - y).abs()))
            .fold(0.0, f64::max)
    };
    let f_1d = diff(&|r| &r.wall_1d, &|r| &r.micromagnetic);
    let f_thr = diff(&|r| &r.threshold, &|r| &r.wall_1d);
    let levels: Vec<String> = transfer
        .iter()
        .map(|r| format!("{:.0}", r.micromagnetic.iter().sum::<f64>()))
        .collect();
    let staircase = transfer
        .iter()
        .enumerate()
        .all(|(n, r)| (r.micromagnetic.iter().sum::<f64>() - n as f64).abs() < 0.3);
    vec![
        check(
            "consistency_velocity_1d",
            "1D wall within 10 % of micromagnetics (no pinning)",
            format!("worst {:.1} %", 100.0 * v_1d),
            v_1d <= 0.10,
        ),
        check(
            "consistency_velocity_tilted",
            "1D wall with tilt within 5 % of micromagnetics",
            format!("worst {:.1} %", 100.0 * v_tilt),
            v_tilt <= 0.05,
        ),
        check(
            "consistency_velocity_threshold",
            "threshold model's velocity law within 1 % of the 1D wall's steady velocity",
            format!("worst {:.2} %", 100.0 * v_thr),
            v_thr <= 0.01,
        ),
        check(
            "consistency_depinning_1d",
            "1D ramp thresholds within 10 % of micromagnetics",
            format!("worst {:.1} %", 100.0 * t_1d),
            t_1d <= 0.10,
        ),
        check(
            "consistency_depinning_threshold",
            "threshold model's ramp thresholds within 10 % of the 1D wall's",
            format!("worst {:.1} %", 100.0 * t_thr),
            t_thr <= 0.10,
        ),
        check(
            "consistency_transfer_1d",
            "footprint fractions within 0.1 of micromagnetics after every pulse",
            format!("worst {f_1d:.3}"),
            f_1d <= 0.10,
        ),
        check(
            "consistency_transfer_threshold",
            "threshold model's fractions within 0.1 of the 1D wall after every pulse",
            format!("worst {f_thr:.3}"),
            f_thr <= 0.10,
        ),
        check(
            "consistency_levels",
            "micromagnetics switches 0, 1, 2, 3 MTJs over the program (one more per pulse)",
            levels.join(", "),
            staircase,
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The column sum of the landscape equals the closed form of a sinusoidal modulation,
    /// H(q) = dK Delta F k sin(k q)/(mu0 Ms), F = (pi k Delta/2)/sinh(pi k Delta/2), once the cells
    /// are fine (the sum is exact per cell; the closed form is its continuum limit).
    #[test]
    fn the_landscape_of_a_fine_modulation_is_the_closed_form() {
        let (dk, p, ms, delta) = (1.2e4, 40e-9, 1.1e6, 7.9e-9);
        let dx = 0.05e-9;
        let nx = (240e-9 / dx) as usize;
        let grid = 1e-9;
        let h = modulation_field(dk, p, ms, nx, dx, delta, grid);
        let k = 2.0 * std::f64::consts::PI / p;
        let x = std::f64::consts::PI * k * delta / 2.0;
        let amp = dk * delta * (x / x.sinh()) * k / (MU0 * ms);
        for (g, v) in h.iter().enumerate() {
            let q = g as f64 * grid;
            if (60e-9..180e-9).contains(&q) {
                let want = amp * (k * q).sin();
                assert!((v - want).abs() < 2e-3 * amp, "q = {q:e}: {v} vs {want}");
            }
        }
    }

    /// A wall far to the right of a footprint has switched it, far to the left not; at the centre
    /// half of it; across the footprint the fraction rises monotonically.
    #[test]
    fn the_profile_readout_of_a_footprint() {
        let (a, b, d) = (48e-9, 72e-9, 7.9e-9);
        assert!(profile_fraction(200e-9, a, b, d) > 0.999_999);
        assert!(profile_fraction(-100e-9, a, b, d) < 1e-6);
        assert!((profile_fraction(60e-9, a, b, d) - 0.5).abs() < 1e-12);
        let mut last = -1.0;
        for k in 0..100 {
            let f = profile_fraction(30e-9 + k as f64 * 0.6e-9, a, b, d);
            assert!(f >= last);
            last = f;
        }
    }
}
