//! `dwmtj dw`: one wall, one pulse, with the 1D model.

use crate::output::Num;
use crate::output::{Manifest, RunDir};
use crate::plot::{write_chart, Chart, Mark, Series};
use crate::DwArgs;
use anyhow::{bail, Context, Result};
use dwmtj_core::device::PulseShape;
use dwmtj_core::material::{find_builtin, parse_material_file, Material, PARAMS};
use dwmtj_core::stream::stream;
use dwmtj_core::units::Dim;
use dwmtj_core::wall::{monte_carlo_from, run_deterministic, run_deterministic_many, run_thermal, Drive, Pinning, RunOptions, WallModel};
use dwmtj_core::RawQuantity;
use serde_json::json;
use std::path::Path;
use std::process::ExitCode;

fn q(text: &str, dim: Dim, flag: &str) -> Result<f64> {
    Ok(dwmtj_core::quantity::RawQuantity::Text(text.to_string()).to_si(dim, &format!("--{flag}"))?)
}

fn load_material(name: &str) -> Result<Material> {
    if let Some(m) = find_builtin(name) {
        return Ok(m);
    }
    let p = Path::new(name);
    if !p.exists() {
        bail!(
            "--material {name:?}: neither a built-in material ({}) nor a file",
            dwmtj_core::material::builtin_names()
        );
    }
    let text = std::fs::read_to_string(p).with_context(|| format!("cannot read {name}"))?;
    let mats = parse_material_file(&text, name)?;
    mats.into_iter().next().with_context(|| format!("{name} defines no [[material]]"))
}

pub fn cmd_dw(a: &DwArgs) -> Result<ExitCode> {
    let material_file = std::path::Path::new(&a.material);
    let inputs: Vec<&std::path::Path> = if material_file.exists() { vec![material_file] } else { vec![] };
    if !(a.rtol > 0.0 && a.rtol <= 0.1) {
        bail!("--rtol {}: expected a relative tolerance in (0, 0.1], e.g. 1e-8", a.rtol);
    }
    if let Some(out) = &a.out {
        crate::output::check_target(out, a.force, crate::output::OutKind::Folder, &inputs)?;
    }
    let mut material = load_material(&a.material)?;
    let mut wall_keys: Vec<(String, String)> = Vec::new();
    for kv in &a.set {
        let (k, v) = kv.split_once('=').with_context(|| format!("--set {kv:?}: expected KEY=VALUE"))?;
        let (k, v) = (k.trim(), v.trim());
        if PARAMS.iter().any(|p| p.key == k) {
            let raw = match v.parse::<f64>() {
                Ok(x) => RawQuantity::Number(x),
                Err(_) => RawQuantity::Text(v.to_string()),
            };
            material.set_raw(k, &raw, "--set")?;
        } else if [
            "pin_field",
            "pin_period",
            "pin_rms",
            "pin_correlation",
            "roughness_rms",
            "roughness_correlation",
            "roughness_hurst",
        ]
        .contains(&k)
        {
            wall_keys.push((k.to_string(), v.to_string()));
        } else {
            bail!(
                "--set {k}: unknown key; expected a material parameter ({}) or pin_field, pin_period, pin_rms, pin_correlation, roughness_rms, roughness_correlation, roughness_hurst",
                PARAMS.iter().map(|p| p.key).collect::<Vec<_>>().join(", ")
            );
        }
    }
    material.validate()?;
    let width = q(&a.width, Dim::LENGTH, "width")?;
    if width <= 0.0 {
        bail!("--width must be > 0");
    }
    let q_sign = if a.wall == "up-down" { 1.0 } else { -1.0 };
    let mut model = WallModel::from_material(&material, width, q_sign);
    model.oersted = a.oersted;
    let temperature = q(&a.temperature, Dim::TEMPERATURE, "temperature")?;
    if temperature < 0.0 {
        bail!("--temperature must be >= 0 K");
    }
    model.temperature = temperature;
    let get = |k: &str, dim: Dim| -> Result<Option<f64>> {
        wall_keys
            .iter()
            .find(|(kk, _)| kk == k)
            .map(|(_, v)| q(v, dim, &format!("set {k}")))
            .transpose()
    };
    match (get("pin_field", Dim::FIELD)?, get("pin_period", Dim::LENGTH)?) {
        (Some(h), Some(p)) if p > 0.0 => model.pinning.push(Pinning::Periodic { h_dep: h, period: p }),
        (None, None) => {}
        _ => bail!("--set pin_field and pin_period go together (pin_period > 0)"),
    }
    let pulse_w = q(&a.pulse, Dim::TIME, "pulse")?;
    let rise = q(&a.rise, Dim::TIME, "rise")?;
    let fall = a.fall.as_deref().map_or(Ok(rise), |f| q(f, Dim::TIME, "fall"))?;
    for (flag, text, v) in [
        ("pulse", a.pulse.as_str(), pulse_w),
        ("rise", a.rise.as_str(), rise),
        ("fall", a.fall.as_deref().unwrap_or(&a.rise), fall),
    ] {
        if v < 0.0 {
            bail!("--{flag} {text:?}: must be >= 0 (a duration)");
        }
    }
    if 0.5 * (rise + fall) > pulse_w {
        bail!(
            "--rise/--fall: (rise + fall)/2 = {:e} s exceeds the pulse width (FWHM) {:e} s",
            0.5 * (rise + fall),
            pulse_w
        );
    }
    let drive = Drive {
        current_density: q(&a.current_density, Dim::CURRENT_DENSITY, "current-density")?,
        pulse: PulseShape {
            width: pulse_w,
            rise,
            fall,
        },
        hx: q(&a.hx, Dim::FIELD, "hx")?,
        hy: q(&a.hy, Dim::FIELD, "hy")?,
        hz: q(&a.hz, Dim::FIELD, "hz")?,
    };
    let t_end = match &a.duration {
        Some(d) => q(d, Dim::TIME, "duration")?,
        None => drive.pulse.duration(),
    };
    if t_end <= 0.0 {
        bail!("nothing to simulate: the pulse and --duration are both zero");
    }
    let dt = q(&a.dt, Dim::TIME, "dt")?;
    if !(dt > 0.0 && dt <= t_end) {
        bail!("--dt must be > 0 and at most the simulated time");
    }
    let target = q(&a.target, Dim::LENGTH, "target")?;
    if a.trials == 0 {
        bail!("--trials must be at least 1");
    }
    // Each trial keeps its (displacement, velocity, phi) for trials.csv and the statistics.
    dwmtj_core::resources::check_memory("--trials", a.trials, a.trials as f64 * 64.0)?;
    if let Some(n) = a.sweep_points {
        dwmtj_core::resources::check_memory("--sweep-points", n, n as f64 * 512.0)?;
    }
    if let (Some(rms), Some(xi)) = (get("pin_rms", Dim::FIELD)?, get("pin_correlation", Dim::LENGTH)?) {
        // A landscape long enough for any plausible travel: 10 um or 2x the flow distance.
        let span = 10e-6f64.max(4.0 * t_end * 1e3);
        model.pinning.push(Pinning::random(span, rms, xi, &mut stream(a.seed, u64::MAX, 1)));
        if let Pinning::Random { x0, .. } = model.pinning.last_mut().unwrap() {
            *x0 = -span / 2.0;
        }
    }
    // Self-affine edge roughness: the wall sits mid-way along a rough 20 um wire.
    let mut q0 = 0.0;
    if let Some(rms) = get("roughness_rms", Dim::LENGTH)? {
        let xi = get("roughness_correlation", Dim::LENGTH)?.context("--set roughness_rms needs roughness_correlation")?;
        let hurst = wall_keys.iter().find(|(k, _)| k == "roughness_hurst").map_or(Ok(0.5), |(_, v)| {
            v.parse::<f64>().with_context(|| format!("--set roughness_hurst={v}"))
        })?;
        if !(rms >= 0.0 && xi > 0.0 && hurst > 0.0 && hurst <= 1.0) {
            bail!("--set roughness_*: need rms >= 0, correlation > 0 and 0 < hurst <= 1");
        }
        let span = 20e-6;
        let r = dwmtj_core::roughness::Roughness {
            rms,
            correlation: xi,
            hurst,
        };
        let base = dwmtj_core::geometry::WidthProfile::constant(span, width);
        let dx = (xi / 4.0).min(model.delta / 2.0);
        let rough = dwmtj_core::roughness::rough_width(&base, &r, model.delta, dx, &mut stream(a.seed, u64::MAX, 2));
        model.set_width(rough, width);
        q0 = span / 2.0;
    }
    let phi0 = model.equilibrium_phi(drive.hx, drive.hy);
    let opts = RunOptions {
        t_end,
        rtol: a.rtol,
        dt_thermal: dt,
        samples: 500,
        ..RunOptions::default()
    };
    let thermal = temperature > 0.0;
    let single = if thermal {
        run_thermal(&model, &drive, q0, phi0, &opts, &mut stream(a.seed, 0, 0))
    } else {
        run_deterministic(&model, &drive, q0, phi0, &opts)
    };
    let mc = (a.trials > 1).then(|| monte_carlo_from(&model, &drive, q0, phi0, &opts, a.trials, a.seed, target));
    // Travel against current: (J, displacement, its std, final velocity, phi).
    let sweep: Option<Vec<[f64; 5]>> = match (&a.sweep_to, a.sweep_points) {
        (Some(to), Some(n)) => {
            let j1 = q(to, Dim::CURRENT_DENSITY, "sweep-to")?;
            if n < 2 {
                bail!("--sweep-points {n}: expected at least 2");
            }
            let j0 = drive.current_density;
            let js: Vec<f64> = (0..n).map(|k| j0 + (j1 - j0) * k as f64 / (n - 1) as f64).collect();
            let drives: Vec<Drive> = js
                .iter()
                .map(|&j| Drive {
                    current_density: j,
                    ..drive
                })
                .collect();
            Some(if thermal {
                drives
                    .iter()
                    .enumerate()
                    .map(|(k, d)| {
                        let m = monte_carlo_from(&model, d, q0, phi0, &opts, a.trials, a.seed.wrapping_add(k as u64), target);
                        [
                            d.current_density,
                            m.displacement_mean_m,
                            m.displacement_std_m,
                            m.final_velocity_mean_m_per_s,
                            m.phi_mean_rad,
                        ]
                    })
                    .collect()
            } else {
                let runs: Vec<(Drive, f64, f64)> = drives.iter().map(|d| (*d, q0, phi0)).collect();
                let plain = RunOptions { samples: 0, ..opts };
                run_deterministic_many(&model, &runs, &plain)
                    .iter()
                    .zip(&js)
                    .map(|(o, &j)| [j, o.displacement_m, 0.0, o.final_velocity_m_per_s, o.phi_rad])
                    .collect()
            })
        }
        _ => None,
    };
    let terms = json!({
        "damping_like_sot": material.theta_sh != 0.0,
        "dmi": material.dmi != 0.0,
        "field_like_sot": material.fl_dl_ratio != 0.0,
        "stt": model.b_j_per_j != 0.0,
        "oersted": a.oersted,
        "pinning": !model.pinning.is_empty(),
        "edge_roughness": q0 > 0.0,
        "thermal": thermal,
        "ferrimagnet": material.is_ferrimagnet(),
    });
    let (disp, vel, phi) = match &mc {
        Some(m) => (m.displacement_mean_m, m.final_velocity_mean_m_per_s, m.phi_mean_rad),
        None => (single.displacement_m, single.final_velocity_m_per_s, single.phi_rad),
    };
    let mut summary = json!({
        "material": material.name,
        "wall": a.wall,
        "terms": terms,
        "current_density_a_per_m2": drive.current_density,
        "pulse_s": pulse_w, "rise_s": rise, "fall_s": fall, "duration_s": t_end,
        "hz_a_per_m": drive.hz, "hx_a_per_m": drive.hx, "hy_a_per_m": drive.hy,
        "temperature_k": temperature,
        "width_m": width,
        "initial_phi_rad": phi0,
        "wall_width_m": model.delta,
        "displacement_m": disp,
        "final_velocity_m_per_s": vel,
        "phi_rad": phi,
        "integrator": if thermal { "stochastic Heun" } else { "Dormand-Prince RK45" },
        "rhs_evals": single.rhs_evals,
        "completed": single.completed,
        "trials": a.trials,
        "seed": a.seed,
    });
    if let Some(m) = &mc {
        let o = summary.as_object_mut().unwrap();
        o.insert("displacement_std_m".into(), json!(m.displacement_std_m));
        o.insert("final_velocity_std_m_per_s".into(), json!(m.final_velocity_std_m_per_s));
        o.insert("phi_std_rad".into(), json!(m.phi_std_rad));
        o.insert("switching_probability".into(), json!(m.switching_probability));
        o.insert("target_m".into(), json!(m.target_m));
    }
    if let Some(sw) = &sweep {
        let rows: Vec<_> = sw
            .iter()
            .map(|r| json!({"current_density_a_per_m2": r[0], "displacement_m": r[1], "displacement_std_m": r[2], "final_velocity_m_per_s": r[3], "phi_rad": r[4]}))
            .collect();
        summary.as_object_mut().unwrap().insert("sweep".into(), json!(rows));
    }
    if !single.completed {
        let reached = single.trajectory.last().map_or(0.0, |p| p.0);
        bail!(
            "the adaptive integrator hit its step limit at t = {reached:.3e} s of {t_end:.3e} s ({} right-hand-side evaluations); \
             simulate a shorter time (--pulse, --duration) or loosen --rtol",
            single.rhs_evals
        );
    }
    if let Some(out) = &a.out {
        let run = RunDir::create(out, a.force, &inputs)?;
        let mut w = csv::Writer::from_path(run.path().join("trajectory.csv"))?;
        w.write_record(["t_s", "q_m", "phi_rad"])?;
        for &(t, qq, p) in &single.trajectory {
            w.write_record([t.num(), qq.num(), p.num()])?;
        }
        w.flush()?;
        if let Some(m) = &mc {
            let mut w = csv::Writer::from_path(run.path().join("trials.csv"))?;
            w.write_record(["trial", "displacement_m", "final_velocity_m_per_s", "phi_rad"])?;
            for (k, o) in m.outcomes.iter().enumerate() {
                w.write_record([k.to_string(), o.0.num(), o.1.num(), o.2.num()])?;
            }
            w.flush()?;
        }
        let pts = |f: fn(&(f64, f64, f64)) -> f64| single.trajectory.iter().map(|p| (p.0 * 1e9, f(p), 0.0)).collect::<Vec<_>>();
        write_chart(
            run.path(),
            "trajectory",
            &Chart {
                title: format!("wall position, J = {:.3e} A/m^2", drive.current_density),
                x_label: "time (ns)".into(),
                y_label: "position q (nm)".into(),
                series: vec![Series {
                    label: "q(t)".into(),
                    points: pts(|p| p.1 * 1e9),
                    mark: Mark::Line,
                }],
            },
        )?;
        write_chart(
            run.path(),
            "angle",
            &Chart {
                title: "wall angle".into(),
                x_label: "time (ns)".into(),
                y_label: "phi (rad)".into(),
                series: vec![Series {
                    label: "phi(t)".into(),
                    points: pts(|p| p.2),
                    mark: Mark::Line,
                }],
            },
        )?;
        if let Some(sw) = &sweep {
            let mut w = csv::Writer::from_path(run.path().join("sweep.csv"))?;
            w.write_record([
                "current_density_a_per_m2",
                "displacement_m",
                "displacement_std_m",
                "final_velocity_m_per_s",
                "phi_rad",
            ])?;
            for r in sw {
                w.write_record(r.map(|v| v.num()))?;
            }
            w.flush()?;
            write_chart(
                run.path(),
                "sweep",
                &Chart {
                    title: format!("travel in one {:.3} ns pulse", pulse_w * 1e9),
                    x_label: "current density (1e11 A/m^2)".into(),
                    y_label: "displacement (nm)".into(),
                    series: vec![Series {
                        label: if thermal {
                            format!("mean of {} trials", a.trials)
                        } else {
                            "deterministic".into()
                        },
                        points: sw.iter().map(|r| (r[0] * 1e-11, r[1] * 1e9, r[2] * 1e9)).collect(),
                        mark: if thermal { Mark::PointsWithErrors } else { Mark::Line },
                    }],
                },
            )?;
        }
        run.write_json("summary.json", &summary)?;
        Manifest::new(Some(a.seed)).write(&run, "")?;
        run.finish()?;
    }
    if a.json {
        println!("{}", serde_json::to_string_pretty(&summary)?);
    } else {
        println!(
            "{} wall in {}: displacement {:.4} nm, final velocity {:.4} m/s, phi {:.4} rad{}",
            a.wall,
            material.name,
            disp * 1e9,
            vel,
            phi,
            mc.as_ref().map_or(String::new(), |m| format!(
                " (mean of {} trials; std {:.3} nm; P(>= {:.0} nm) = {:.3})",
                m.trials,
                m.displacement_std_m * 1e9,
                m.target_m * 1e9,
                m.switching_probability
            ))
        );
    }
    Ok(ExitCode::SUCCESS)
}
