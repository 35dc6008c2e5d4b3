//! The paper's field-driven figures, reproduced with [`dwmtj_core::field_sweep`] and checked:
//!
//! * `fig1e`: a 1 um x 3 um MTJ's magnetoresistance loop: TMR ~44 %, the loop offset from zero
//!   by the reference layer's stray field (the offset equals it), a coercive field far above the
//!   film's 20 Oe.
//! * `fig2cd`: anomalous-Hall loops of the free layer under the MTJ and of the bare wire: the bare
//!   wire reverses near 20 Oe, centred on zero, as Sharrock's law predicts for its barrier; the
//!   region under the MTJ is offset by the stray field.
//! * `field-steps`: the 9-MTJ devices of Figs. 3f and 4c (their own device files, with a field
//!   program) swept in field: a staircase of nine steps each at its own field (fabrication
//!   spread), P -> AP and AP -> P asymmetric by twice the stray field, stochastic switching fields
//!   with Sharrock's median and its sweep-rate dependence, and the reference layer's reversal at
//!   1500 Oe when swept that far.
//!
//! The staircase programs (the paper gives none; each run writes its device file with them):
//! from +800 Oe (Fig. 3f device, reference up) or -600 Oe (Fig. 4c device, reference down) to the
//! opposite field and back in 1 Oe steps, 20 loops at 10 Oe/s (a quasi-static electromagnet
//! sweep) and the same fabrication draw (seed 21) at 1000 Oe/s; one loop to +-2000 Oe for the
//! reference layer. The calibrated thresholds refer to the files' 8 ns pulses
//! (`switching.at_pulse_width = "8 ns"`), and the footprints' field reversal follows from them
//! (docs/physics.md 11.6).

use crate::paper::{check, Check};
use dwmtj_core::config::{RawDevice, RawProgram};
use dwmtj_core::device::Device;
use dwmtj_core::error::ConfigError;
use dwmtj_core::field_sweep::{self, FieldLoops, FieldSweep, FieldSwitching, Hysteron, Region};
use dwmtj_core::RawQuantity;

/// 1 Oe in A/m.
pub const OE: f64 = 1e3 / (4.0 * std::f64::consts::PI);

/// One field-swept run: the device file as run, the model and the loops.
#[derive(Clone, Debug, serde::Serialize)]
pub struct FieldRun {
    /// Label of the run ("fig3f", "fig3f-fast", "fig3f-reference", ...).
    pub label: String,
    /// The device file text that was run (TOML).
    pub device_toml: String,
    /// The device.
    pub device: Device,
    /// Reversal parameters.
    pub switching: FieldSwitching,
    /// The field program.
    pub sweep: FieldSweep,
    /// The loops.
    pub loops: FieldLoops,
}

/// A reproduced field figure: its runs and checks.
#[derive(Clone, Debug, serde::Serialize)]
pub struct FieldFigure {
    /// "fig1e", "fig2cd" or "field-steps".
    pub id: String,
    /// The runs, the main one first.
    pub runs: Vec<FieldRun>,
    /// The checks.
    pub checks: Vec<Check>,
}

fn run_raw(label: &str, raw: &RawDevice, progress: &(dyn Fn(u64) + Sync)) -> Result<FieldRun, ConfigError> {
    let (device, _) = raw.validate(None)?;
    let (switching, sweep) = raw
        .field_sweep(&device)?
        .ok_or_else(|| ConfigError::field("program.kind", "not field-sweep", "a field figure needs a field program"))?;
    let loops = field_sweep::run(&device, &switching, &sweep, progress)?;
    let device_toml = toml::to_string(raw).map_err(|e| ConfigError::field("device", "", e.to_string()))?;
    Ok(FieldRun {
        label: label.into(),
        device_toml,
        device,
        switching,
        sweep,
        loops,
    })
}

fn parse(text: &str, origin: &str) -> Result<RawDevice, ConfigError> {
    toml::from_str(text).map_err(|e| ConfigError::Toml {
        origin: origin.into(),
        message: e.to_string(),
    })
}

fn oe(h: f64) -> f64 {
    h / OE
}

fn single_mtj(progress: &(dyn Fn(u64) + Sync)) -> Result<FieldRun, ConfigError> {
    let raw = parse(dwmtj_core::builtin::SINGLE_MTJ_FIELD_TOML, "configs/field/single-mtj.toml")?;
    run_raw("single-mtj", &raw, progress)
}

/// Fig. 1e: the single MTJ's magnetoresistance loop (`configs/field/single-mtj.toml`).
pub fn fig1e(progress: &(dyn Fn(u64) + Sync)) -> Result<FieldFigure, ConfigError> {
    let run = single_mtj(progress)?;
    let l = &run.loops;
    let stray = run.device.mtjs[0].stray_field;
    let mtj = l.region(Region::Mtj(1)).expect("one MTJ");
    let wire = l.region(Region::Wire).expect("the wire");
    let (lo, hi) = l.readings.iter().fold((f64::INFINITY, 0.0f64), |(a, b), r| {
        (a.min(r.resistance_ohm), b.max(r.resistance_ohm))
    });
    let tmr = hi / lo - 1.0;
    let checks = vec![
        check(
            "fig1e_tmr",
            "TMR ~44 % from the two-terminal loop",
            format!(
                "R_P = {lo:.2} Ohm, R_AP = {hi:.2} Ohm: TMR = {:.1} % at the 100 nA read",
                tmr * 100.0
            ),
            (tmr - 0.44).abs() <= 0.02,
        ),
        check(
            "fig1e_offset",
            "the free layer's minor loop is not centred at zero field: the reference layer's stray field offsets it",
            format!(
                "loop centre {:.1} Oe for a stray field of {:.0} Oe favouring P (offset = -stray within 5 %); {} loops",
                oe(mtj.offset_a_per_m),
                oe(stray),
                run.sweep.loops
            ),
            (mtj.offset_a_per_m + stray).abs() <= 0.05 * stray && mtj.offset_a_per_m.abs() > 0.1 * mtj.coercivity_a_per_m,
        ),
        check(
            "fig1e_coercivity",
            "the patterned free layer's coercive field is much larger than the film's 20 Oe",
            format!(
                "footprint half width {:.0} Oe; bare wire {:.1} Oe",
                oe(mtj.coercivity_a_per_m),
                oe(wire.coercivity_a_per_m)
            ),
            mtj.coercivity_a_per_m >= 3.0 * wire.coercivity_a_per_m,
        ),
    ];
    Ok(FieldFigure {
        id: "fig1e".into(),
        runs: vec![run],
        checks,
    })
}

/// Fig. 2c-d: anomalous-Hall loops of the free layer under the MTJ and of the bare wire.
pub fn fig2cd(progress: &(dyn Fn(u64) + Sync)) -> Result<FieldFigure, ConfigError> {
    let run = single_mtj(progress)?;
    let l = &run.loops;
    let stray = run.device.mtjs[0].stray_field;
    let mtj = l.region(Region::Mtj(1)).expect("one MTJ");
    let wire = l.region(Region::Wire).expect("the wire");
    let sharrock = wire.to_up.sharrock_median_a_per_m.unwrap_or(f64::NAN);
    let checks = vec![
        check(
            "fig2cd_bare_wire",
            "outside the MTJ the free layer switches near 20 Oe, the unpatterned film's value (Fig. 2d)",
            format!(
                "bare-wire loop: half width {:.1} Oe, centre {:.2} Oe; loop-to-loop spread {:.2} Oe",
                oe(wire.coercivity_a_per_m),
                oe(wire.offset_a_per_m),
                oe(wire.to_up.std_a_per_m)
            ),
            (oe(wire.coercivity_a_per_m) - 20.0).abs() <= 4.0 && oe(wire.offset_a_per_m).abs() <= 2.0,
        ),
        check(
            "fig2cd_sharrock",
            "thermally activated reversal: the bare wire's switching field follows Sharrock's law for the sweep rate",
            format!(
                "median {:.2} Oe, Sharrock {:.2} Oe at {:.0} Oe/s (athermal field {:.0} Oe)",
                oe(wire.to_up.median_a_per_m),
                oe(sharrock),
                oe(run.sweep.rate),
                oe(run.switching.wire_switching_field)
            ),
            (wire.to_up.median_a_per_m / sharrock - 1.0).abs() <= 0.03,
        ),
        check(
            "fig2cd_under_mtj",
            "under the MTJ the loop is offset from zero by the reference layer's stray field, at a much larger field (Fig. 2c)",
            format!(
                "under the MTJ: centre {:.1} Oe (stray field {:.0} Oe), half width {:.0} Oe",
                oe(mtj.offset_a_per_m),
                oe(stray),
                oe(mtj.coercivity_a_per_m)
            ),
            (mtj.offset_a_per_m + stray).abs() <= 0.05 * stray && mtj.coercivity_a_per_m >= 3.0 * wire.coercivity_a_per_m,
        ),
    ];
    Ok(FieldFigure {
        id: "fig2cd".into(),
        runs: vec![run],
        checks,
    })
}

/// The field program the staircases use: from `from` to -`from`, 1 Oe steps.
fn field_program(from_oe: f64, rate_oe_s: f64, loops: u32, seed: u64) -> RawProgram {
    let q = |s: String| Some(RawQuantity::Text(s));
    RawProgram {
        kind: "field-sweep".into(),
        from: q(format!("{from_oe} Oe")),
        to: q(format!("{} Oe", -from_oe)),
        rate: q(format!("{rate_oe_s} Oe/s")),
        loops: Some(loops),
        step: q("1 Oe".into()),
        start: None,
        stop: None,
        currents: None,
        polarities: None,
        sweep: None,
        pulse_width: None,
        rise: None,
        fall: None,
        cycles: None,
        devices: None,
        seed: Some(seed),
        reset: None,
        reset_by: None,
        stt_current_density: None,
        stt_pulse: None,
        preset_ap: None,
    }
}

/// A staircase device: the figure's own device file with a field program. The calibrated
/// threshold refers to the file's 8 ns pulse, which the field program does not have, so it is
/// named (`switching.at_pulse_width`).
fn staircase_raw(text: &str, origin: &str, program: RawProgram) -> Result<RawDevice, ConfigError> {
    let mut raw = parse(text, origin)?;
    raw.switching.at_pulse_width = Some(RawQuantity::Text("8 ns".into()));
    raw.program = Some(program);
    Ok(raw)
}

/// The 9-MTJ staircases of the Fig. 3f and Fig. 4c devices in field, with their checks.
pub fn field_steps(progress: &(dyn Fn(&str, u64, u64) + Sync)) -> Result<FieldFigure, ConfigError> {
    let mut runs = Vec::new();
    let mut checks = Vec::new();
    // (id, file, starting field: along P, so that the sweep's first half writes AP).
    for (id, text, origin, from) in [
        ("fig3f", dwmtj_core::builtin::FIG3F_TOML, "configs/fig3f.toml", 800.0),
        ("fig4c", dwmtj_core::builtin::FIG4C_TOML, "configs/fig4c.toml", -600.0),
    ] {
        let loops = 20;
        let slow = staircase_raw(text, origin, field_program(from, 10.0, loops, 21))?;
        let run = run_raw(id, &slow, &|n| progress(id, n, u64::from(loops)))?;
        let fast_label = format!("{id}-fast");
        // The same seed: the same fabrication draw, swept 100x faster.
        let fast = staircase_raw(text, origin, field_program(from, 1000.0, loops, 21))?;
        let fast = run_raw(&fast_label, &fast, &|n| progress(&fast_label, n, u64::from(loops)))?;
        checks.extend(staircase_checks(id, &run, &fast));
        runs.push(run);
        runs.push(fast);
    }
    // The Fig. 3f device swept past the reference layer's reversal.
    let wide = staircase_raw(
        dwmtj_core::builtin::FIG3F_TOML,
        "configs/fig3f.toml",
        field_program(2000.0, 10.0, 1, 23),
    )?;
    let wide = run_raw("fig3f-reference", &wide, &|n| progress("fig3f-reference", n, 1))?;
    let reference = wide.loops.region(Region::Reference).expect("reference");
    let at = |h_oe: f64| {
        wide.loops
            .readings
            .iter()
            .find(|r| (oe(r.field_a_per_m) - h_oe).abs() < 0.5)
            .map_or(usize::MAX, |r| r.ap_count)
    };
    checks.push(check(
        "field_steps_reference_reversal",
        "the reference CoFeB and the SAF reverse near 1500 Oe (Fig. 1b): the outer limit of the field loops",
        format!(
            "reference reverses at {:.0} and {:.0} Oe; MTJs in AP at -1000 Oe: {}, at -2000 Oe (free and reference layers both down): {}",
            oe(reference.to_down.mean_a_per_m),
            oe(reference.to_up.mean_a_per_m),
            at(-1000.0),
            at(-2000.0)
        ),
        (oe(reference.to_down.mean_a_per_m) + 1500.0).abs() < 1.0
            && (oe(reference.to_up.mean_a_per_m) - 1500.0).abs() < 1.0
            && at(-1000.0) == 9
            && at(-2000.0) == 0,
    ));
    runs.push(wide);
    Ok(FieldFigure {
        id: "field-steps".into(),
        runs,
        checks,
    })
}

fn staircase_checks(id: &str, run: &FieldRun, fast: &FieldRun) -> Vec<Check> {
    let l = &run.loops;
    let n = run.device.mtjs.len();
    let thermal = run.switching.thermal();
    let ap_sign = if run.device.reference_up { -1 } else { 1 };
    let to_ap = |r: &field_sweep::RegionLoop| if ap_sign < 0 { r.to_down } else { r.to_up };
    let to_p = |r: &field_sweep::RegionLoop| if ap_sign < 0 { r.to_up } else { r.to_down };
    let mtjs: Vec<&field_sweep::RegionLoop> = (1..=n).map(|i| l.region(Region::Mtj(i)).expect("MTJ")).collect();
    let fast_mtjs: Vec<&field_sweep::RegionLoop> = (1..=n).map(|i| fast.loops.region(Region::Mtj(i)).expect("MTJ")).collect();
    let loops = run.sweep.loops as usize;
    let every_loop = mtjs.iter().all(|m| to_ap(m).count == loops && to_p(m).count == loops);
    // Each MTJ at its own field: the spread of the nine mean fields against the loop-to-loop noise.
    let means: Vec<f64> = mtjs.iter().map(|m| to_ap(m).mean_a_per_m).collect();
    let noise = mtjs.iter().map(|m| to_ap(m).std_a_per_m).fold(0.0f64, f64::max);
    let mut sorted = means.clone();
    sorted.sort_by(f64::total_cmp);
    let spread = sorted[n - 1] - sorted[0];
    let mut ap_levels: Vec<usize> = l.readings.iter().map(|r| r.ap_count).collect();
    ap_levels.sort_unstable();
    ap_levels.dedup();
    let mut out = vec![check(
        &format!("field_steps_{id}_staircase"),
        "resistance against field steps as the nine MTJs switch P -> AP one by one, each at its own field (fabrication inhomogeneity)",
        format!(
            "all 9 switch in each of {loops} loops; {} of 10 levels seen; mean P->AP fields {:.0} .. {:.0} Oe (spread {:.1} Oe, {:.0}x the loop-to-loop std {:.2} Oe)",
            ap_levels.len(),
            oe(sorted[0]),
            oe(sorted[n - 1]),
            oe(spread),
            spread / noise.max(1e-30),
            oe(noise)
        ),
        every_loop && spread > 3.0 * noise && ap_levels.len() >= 8,
    )];
    // Asymmetry: |H(P->AP)| - |H(AP->P)| = 2 S (the loops are centred on -S along the reference).
    let mean_abs = |v: Vec<f64>| v.iter().map(|h| h.abs()).sum::<f64>() / v.len() as f64;
    let h_ap = mean_abs(mtjs.iter().map(|m| to_ap(m).mean_a_per_m).collect());
    let h_p = mean_abs(mtjs.iter().map(|m| to_p(m).mean_a_per_m).collect());
    let stray = run.device.mtjs.iter().map(|m| m.stray_field).sum::<f64>() / n as f64;
    out.push(check(
        &format!("field_steps_{id}_asymmetry"),
        "P -> AP and AP -> P switch asymmetrically in field (magnetostatic interaction with the reference layer)",
        format!(
            "mean |H| P->AP {:.0} Oe, AP->P {:.0} Oe: difference {:.0} Oe = 2 x the {:.0} Oe mean stray field within 10 %",
            oe(h_ap),
            oe(h_p),
            oe(h_ap - h_p),
            oe(stray)
        ),
        ((h_ap - h_p) / (2.0 * stray) - 1.0).abs() <= 0.1,
    ));
    // Stochastic switching fields: the median of each MTJ against Sharrock for its drawn H_k.
    let drawn = &l.drawn_switching_fields[0];
    let sharrock_ap = |i: usize, rate: f64, hk: f64| -> f64 {
        let hy = Hysteron {
            switching_field: hk,
            barrier: run.switching.mtj_barrier[i],
        };
        let h = thermal.sharrock_median(&hy, rate).unwrap_or(f64::NAN);
        // Applied field: along AP, less the stray field along the reference.
        let rho = if run.device.reference_up { 1.0 } else { -1.0 };
        f64::from(ap_sign) * h - rho * run.device.mtjs[i].stray_field
    };
    let worst = (0..n)
        .map(|i| (to_ap(mtjs[i]).median_a_per_m / sharrock_ap(i, run.sweep.rate, drawn[i]) - 1.0).abs())
        .fold(0.0f64, f64::max);
    let min_std = mtjs.iter().map(|m| to_ap(m).std_a_per_m).fold(f64::INFINITY, f64::min);
    out.push(check(
        &format!("field_steps_{id}_stochastic"),
        "the switching fields are stochastic over repeated loops (thermally activated)",
        format!(
            "loop-to-loop std {:.2} .. {:.2} Oe; every MTJ's median within {:.2} % of Sharrock's law for its own H_k",
            oe(min_std),
            oe(noise),
            worst * 100.0
        ),
        min_std > 0.0 && worst <= 0.01,
    ));
    // Sweep-rate dependence: 100x faster sweeps switch at larger |H| by Sharrock's shift.
    let fast_drawn = &fast.loops.drawn_switching_fields[0];
    let observed: f64 = (0..n)
        .map(|i| (to_ap(fast_mtjs[i]).median_a_per_m - sharrock_ap(i, fast.sweep.rate, fast_drawn[i])).abs())
        .fold(0.0, f64::max);
    let shift = (0..n)
        .map(|i| to_ap(fast_mtjs[i]).mean_a_per_m.abs() - to_ap(mtjs[i]).mean_a_per_m.abs())
        .sum::<f64>()
        / n as f64;
    let predicted = (0..n)
        .map(|i| sharrock_ap(i, fast.sweep.rate, drawn[i]).abs() - sharrock_ap(i, run.sweep.rate, drawn[i]).abs())
        .sum::<f64>()
        / n as f64;
    out.push(check(
        &format!("field_steps_{id}_sweep_rate"),
        "switching fields depend on the sweep rate (Sharrock): faster sweeps switch at larger fields",
        format!(
            "{:.0} -> {:.0} Oe/s raises the mean |H(P->AP)| by {:.2} Oe (Sharrock predicts {:.2} Oe for the same draws; fast medians within {:.2} Oe of the law)",
            oe(run.sweep.rate),
            oe(fast.sweep.rate),
            oe(shift),
            oe(predicted),
            oe(observed)
        ),
        shift > 0.0 && (shift - predicted).abs() <= 0.25 * predicted.abs() + 0.2 * OE && observed <= 0.01 * h_ap,
    ));
    out
}
