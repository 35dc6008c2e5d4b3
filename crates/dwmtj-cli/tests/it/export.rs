//! `dwmtj export`: GDSII read back by gdstk, SPICE run in ngspice, the external tools CI installs.

#[allow(unused_imports)]
use super::*;

/// Under CI=true every external reader must be there (a missing one is a failure, not a skip).
#[test]
fn external_tools_are_present_in_ci() {
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        // Found by build.rs when the tests were built.
        let found = [
            (cfg!(dwmtj_has_ngspice), "ngspice"),
            (cfg!(dwmtj_has_gdstk), "a Python with gdstk in DWMTJ_PYTHON"),
            (cfg!(dwmtj_has_ovf), "a Python with ovf and numpy in DWMTJ_PYTHON"),
            (cfg!(dwmtj_has_slurm), "Slurm (slurm-wlm and munge)"),
        ];
        let missing: Vec<&str> = found.iter().filter(|(ok, _)| !ok).map(|(_, what)| *what).collect();
        assert!(missing.is_empty(), "CI must provide {missing:?} (see .ci/run)");
    }
}

/// The GDS read back by an independent reader (gdstk) matches the device geometry.
#[test]
#[cfg_attr(not(dwmtj_has_gdstk), ignore = "no Python with gdstk: set DWMTJ_PYTHON (.ci/run installs one)")]
fn gds_export_read_back_by_gdstk() {
    let py = gdstk_python().expect("a Python with gdstk (found when the tests were built)");
    let tmp = tempfile::tempdir().unwrap();
    let gds = tmp.path().join("fig3f.gds");
    let cfg = repo().join("configs/fig3f.toml");
    let o = dwmtj(&["export", "gds", cfg.to_str().unwrap(), "--out", gds.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let script = format!(
        "import gdstk, json\nlib = gdstk.read_gds({:?})\nc = lib.top_level()[0]\nprint(json.dumps({{'unit': lib.unit, 'precision': lib.precision, 'name': c.name, 'polys': [[p.layer, list(p.bounding_box()[0]), list(p.bounding_box()[1])] for p in c.polygons]}}))",
        gds.to_str().unwrap()
    );
    let out = Command::new(&py).args(["-c", &script]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!((v["unit"].as_f64().unwrap() - 1e-6).abs() < 1e-18 && (v["precision"].as_f64().unwrap() - 1e-9).abs() < 1e-21);
    let polys = v["polys"].as_array().unwrap();
    let on = |layer: i64| polys.iter().filter(|p| p[0] == layer).collect::<Vec<_>>();
    // Wire: 14.5 um long, 0.45 -> 1.45 um wide, centred on y = 0 (values in um).
    let wire = on(1);
    assert_eq!(wire.len(), 1);
    // Coordinates snap to the 1 nm database grid.
    let close = |a: &serde_json::Value, b: f64| (a.as_f64().unwrap() - b).abs() <= 0.5e-3 + 1e-9;
    assert!(
        close(&wire[0][1][0], 0.0) && close(&wire[0][2][0], 14.5) && close(&wire[0][1][1], -0.725) && close(&wire[0][2][1], 0.725),
        "{:?}",
        wire[0]
    );
    // Nine 200 nm x 400 nm MTJs at the array positions 0.8056 ... 13.6944 um.
    let mtjs = on(2);
    assert_eq!(mtjs.len(), 9);
    for (k, m) in mtjs.iter().enumerate() {
        let centre = 0.8056 + (13.6944 - 0.8056) * k as f64 / 8.0;
        assert!(close(&m[1][0], centre - 0.1) && close(&m[2][0], centre + 0.1), "MTJ {k}: {m:?}");
        assert!(close(&m[1][1], -0.2) && close(&m[2][1], 0.2));
    }
    assert_eq!(on(3).len(), 2, "two wire contacts");
    assert!(!on(4).is_empty(), "top electrode");
}

/// The SPICE subcircuit, run in the real ngspice on a pulse program, gives the same resistance
/// after every pulse as dwmtj's own simulation of the device.
#[test]
#[cfg_attr(not(dwmtj_has_ngspice), ignore = "ngspice is not installed (.ci/run installs it)")]
fn spice_export_matches_dwmtj_in_ngspice() {
    let tmp = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(repo().join("configs/fig3f.toml")).unwrap();
    let (_, device, program) = dwmtj_core::config::parse_device(&text, "fig3f", None).unwrap();
    let program = program.unwrap();
    // Pulses between the thresholds (222, 270, 318, 366, 414, 463, 511 uA), both signs.
    let currents: Vec<f64> = [200.0, 246.0, 294.0, 342.0, 390.0, 438.0, 487.0, 530.0, -530.0]
        .iter()
        .map(|u| u * 1e-6)
        .collect();
    let data = tmp.path().join("out.txt");
    let (net, samples) = dwmtj_design::spice::testbench(&device, &program.pulse, &currents, 20e-9, data.to_str().unwrap()).unwrap();
    let cir = tmp.path().join("tb.cir");
    std::fs::write(&cir, net).unwrap();
    // ngspice -b exits 1 after a .control run ("no .plot lines"); judge by its data file.
    let o = Command::new("ngspice").args(["-b", cir.to_str().unwrap()]).output().unwrap();
    let rows3: Vec<(f64, f64, f64)> = std::fs::read_to_string(&data)
        .unwrap_or_else(|_| panic!("ngspice wrote no data: {}", String::from_utf8_lossy(&o.stdout)))
        .lines()
        .map(|l| {
            let mut it = l.split_whitespace().map(|v| v.parse::<f64>().unwrap());
            (it.next().unwrap(), it.next().unwrap(), it.next().unwrap())
        })
        .collect();
    let rows: Vec<(f64, f64)> = rows3.iter().map(|r| (r.0, r.1)).collect();
    let r_spice: Vec<f64> = samples
        .iter()
        .map(|&t| rows.iter().min_by(|a, b| (a.0 - t).abs().total_cmp(&(b.0 - t).abs())).unwrap().1 / device.readout.current)
        .collect();
    // dwmtj: the same pulses as one list program, one cycle.
    let mut p = program.clone();
    p.sweeps = vec![dwmtj_core::device::Sweep {
        label: "positive".into(),
        currents: currents.clone(),
    }];
    p.cycles = 1;
    let sim = dwmtj_core::simulate::simulate(&device, &p, &|_| {}).unwrap();
    for (k, (pt, rs)) in sim.points.iter().zip(&r_spice).enumerate() {
        assert!(
            (pt.r_mean_ohm / rs - 1.0).abs() < 1e-4,
            "pulse {k} ({:.0} uA): dwmtj {} vs ngspice {}",
            currents[k] * 1e6,
            pt.r_mean_ohm,
            rs
        );
    }
    // 7 MTJs switched: the last level is the all-but-two-AP resistance.
    assert!(r_spice[7] > r_spice[0] * 1.25);
    // The write energy of each pulse, integral of v(in)^2 / R_wire over the transient between
    // the samples around it, against dwmtj's I^2 R_wire integral s(t)^2 dt: within 2 %.
    let r_wire = device.wire_resistance();
    for (k, pt) in sim.points.iter().enumerate() {
        let (from, to) = (if k == 0 { 0.0 } else { samples[k - 1] }, samples[k]);
        let e_spice: f64 = rows3
            .windows(2)
            .filter(|w| w[0].0 >= from && w[1].0 <= to)
            .map(|w| 0.5 * (w[0].2 * w[0].2 + w[1].2 * w[1].2) / r_wire * (w[1].0 - w[0].0))
            .sum();
        assert!(
            (e_spice / pt.energy_j - 1.0).abs() < 0.02,
            "pulse {k}: ngspice {e_spice:e} J vs dwmtj {:e} J",
            pt.energy_j
        );
    }
}

/// The crossbar deck, run in the real ngspice, gives the column currents of dwmtj's crossbar
/// model with line resistance (written into the deck's header) within 1e-3 relative, and the
/// IR-drop study is written.
#[test]
#[cfg_attr(not(dwmtj_has_ngspice), ignore = "ngspice is not installed (.ci/run installs it)")]
fn crossbar_deck_matches_the_tile_model_in_ngspice() {
    let tmp = tempfile::tempdir().unwrap();
    let cir = tmp.path().join("xb.cir");
    let dev = repo().join("configs/fig3f.toml");
    let o = dwmtj(&[
        "export",
        "crossbar",
        dev.to_str().unwrap(),
        "--rows",
        "16",
        "--cols",
        "16",
        "--line-resistance",
        "2 Ohm",
        "--out",
        cir.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let deck = std::fs::read_to_string(&cir).unwrap();
    let mut expected = std::collections::BTreeMap::new();
    for l in deck.lines().filter(|l| l.starts_with("* dwmtj expects")) {
        let f: Vec<&str> = l.split_whitespace().collect();
        expected.insert(f[3].to_string(), f[5].parse::<f64>().unwrap());
        expected.insert(f[6].to_string(), f[8].parse::<f64>().unwrap());
    }
    assert_eq!(expected.len(), 32);
    let out = Command::new("ngspice").args(["-b", cir.to_str().unwrap()]).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let mut seen = 0;
    for l in text.lines() {
        let f: Vec<&str> = l.split_whitespace().collect();
        if f.len() == 3 && f[1] == "=" && f[0].starts_with("i(vs") {
            let got: f64 = f[2].parse().unwrap();
            let want = expected[f[0]];
            assert!((got / want - 1.0).abs() < 1e-3, "{}: ngspice {got} vs dwmtj {want}", f[0]);
            seen += 1;
        }
    }
    assert_eq!(seen, 32, "{text}");
    // The study: larger arrays and lines lose more; megaohm devices lose far less.
    let study = tmp.path().join("study");
    let o = dwmtj(&[
        "export",
        "crossbar",
        dev.to_str().unwrap(),
        "--out",
        tmp.path().join("b.cir").to_str().unwrap(),
        "--study",
        study.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let csv = std::fs::read_to_string(study.join("ir_drop.csv")).unwrap();
    let rows: Vec<Vec<f64>> = csv
        .lines()
        .skip(1)
        .map(|l| l.split(',').map(|v| v.parse().unwrap()).collect())
        .collect();
    let err = |size: f64, dev: f64, line: f64| {
        rows.iter()
            .find(|r| (r[0] - size).abs() < 0.5 && (r[1] / dev - 1.0).abs() < 1e-6 && (r[2] - line).abs() < 1e-9)
            .unwrap()[3]
    };
    assert!(err(64.0, 1e6, 1.0) > err(16.0, 1e6, 1.0));
    assert!(err(16.0, 1e6, 5.0) > err(16.0, 1e6, 1.0));
    assert!(err(16.0, 1e6, 1.0) < 0.01 * err(16.0, 1e5, 1.0) * 100.0);
    assert!(study.join("ir_drop.png").is_file() && study.join("ir_drop.svg").is_file());
}

/// The kinematic compact model in ngspice against dwmtj's threshold model at T = 0 (the same
/// equations): pulses 2, 5, 10 and 20 ns wide at 0.5 to 1.5 times the 4th MTJ's athermal
/// threshold, the resistance after each within 3 % of the resistance range; and the write
/// energy of each pulse within 2 %.
#[test]
#[cfg_attr(not(dwmtj_has_ngspice), ignore = "ngspice is not installed (.ci/run installs it)")]
fn kinematic_spice_model_follows_pulse_width_and_amplitude() {
    kinematic_against_threshold_model("configs/fig3f.toml", false);
}

/// Bipolar reset and the initial-state parameters: the bipolar synapse's subcircuit instantiated
/// all-AP (x0_k = 1) and written back toward P by negative pulses, against the threshold model.
#[test]
#[cfg_attr(not(dwmtj_has_ngspice), ignore = "ngspice is not installed (.ci/run installs it)")]
fn kinematic_spice_model_resets_a_bipolar_synapse_from_its_initial_state() {
    kinematic_against_threshold_model("configs/bipolar-synapse.toml", true);
}

#[allow(clippy::needless_range_loop)]
fn kinematic_against_threshold_model(config: &str, reset: bool) {
    use dwmtj_core::device::PulseShape;
    use dwmtj_core::threshold::ThresholdModel;
    let tmp = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(repo().join(config)).unwrap();
    let (_, device, program) = dwmtj_core::config::parse_device(&text, "device", None).unwrap();
    let program = program.unwrap();
    let model = ThresholdModel::new(&device, Some(program.pulse)).unwrap();
    let n = device.mtjs.len();
    let (j_ref, sign) = if reset {
        (model.nominal[3].j_c_p, -1.0)
    } else {
        (model.nominal[3].j_c_ap, 1.0)
    };
    let i_ref = device.current_for_density(3, j_ref);
    let mut pulses = Vec::new();
    for width in [2e-9, 5e-9, 10e-9, 20e-9] {
        // (Exactly 1.0 is a knife edge: the peak density equals J_c to rounding.)
        for scale in [0.5, 0.75, 1.05, 1.25, 1.5] {
            pulses.push((sign * scale * i_ref, PulseShape::new(width, 0.5e-9, 0.5e-9).unwrap()));
        }
    }
    // dwmtj at T = 0: the threshold model's pulse with no thermal escape.
    let mut f: Vec<f64> = if reset {
        vec![1.0; n]
    } else {
        model.nominal.iter().map(|t| if t.j_c_ap <= 0.0 { 1.0 } else { 0.0 }).collect()
    };
    let data = tmp.path().join("kin.txt");
    let initial = f.clone();
    let (net, samples) =
        dwmtj_design::kinematic::testbench(&device, &program.pulse, &pulses, 10e-9, Some(&initial), data.to_str().unwrap()).unwrap();
    let cir = tmp.path().join("kin.cir");
    std::fs::write(&cir, net).unwrap();
    let o = Command::new("ngspice").args(["-b", cir.to_str().unwrap()]).output().unwrap();
    let rows: Vec<(f64, f64, f64)> = std::fs::read_to_string(&data)
        .unwrap_or_else(|_| panic!("ngspice wrote no data: {}", String::from_utf8_lossy(&o.stdout)))
        .lines()
        .map(|l| {
            let mut it = l.split_whitespace().map(|v| v.parse::<f64>().unwrap());
            (it.next().unwrap(), it.next().unwrap(), it.next().unwrap())
        })
        .collect();
    let (r_p, r_ap) = (device.read(&vec![0.0; n]).resistance, device.read(&vec![1.0; n]).resistance);
    let r_wire = device.wire_resistance();
    let mut partial = 0;
    let (mut worst_r, mut worst_e) = (0.0f64, 0.0f64);
    for (k, &(current, shape)) in pulses.iter().enumerate() {
        for i in 0..n {
            let (done, j_c, pinned) = if reset {
                (f[i] <= 0.0, model.nominal[i].j_c_p, f[i] >= 1.0)
            } else {
                (f[i] >= 1.0, model.nominal[i].j_c_ap, f[i] <= 0.0)
            };
            if done {
                continue;
            }
            let j = device.density_at_mtj(i, current).abs();
            let out = model.pulse(j, j_c, &shape, pinned, f64::INFINITY);
            if out.depinned {
                let df = out.travel / device.crossing_length(i);
                f[i] = if reset { (f[i] - df).max(0.0) } else { (f[i] + df).min(1.0) };
            }
        }
        partial += f.iter().filter(|&&x| x > 0.0 && x < 1.0).count();
        let r_dwmtj = device.read(&f).resistance;
        let r_spice = rows
            .iter()
            .min_by(|a, b| (a.0 - samples[k]).abs().total_cmp(&(b.0 - samples[k]).abs()))
            .unwrap()
            .1
            / device.readout.current;
        worst_r = worst_r.max((r_spice - r_dwmtj).abs() / (r_ap - r_p));
        assert!(
            (r_spice - r_dwmtj).abs() <= 0.03 * (r_ap - r_p),
            "pulse {k} ({:.0} ns, {:.0} uA): ngspice {r_spice} vs dwmtj {r_dwmtj} Ohm",
            shape.width * 1e9,
            current * 1e6
        );
        let (from, to) = (if k == 0 { 0.0 } else { samples[k - 1] }, samples[k]);
        let e_spice: f64 = rows
            .windows(2)
            .filter(|w| w[0].0 >= from && w[1].0 <= to)
            .map(|w| 0.5 * (w[0].2 * w[0].2 + w[1].2 * w[1].2) / r_wire * (w[1].0 - w[0].0))
            .sum();
        let e_dwmtj = current * current * r_wire * shape.energy_duration();
        worst_e = worst_e.max((e_spice / e_dwmtj - 1.0).abs());
        assert!(
            (e_spice / e_dwmtj - 1.0).abs() < 0.02,
            "pulse {k}: energy {e_spice:e} vs {e_dwmtj:e} J"
        );
    }
    // The program exercises partial footprints (pulse width matters), not only full switches,
    // and ends far from where it started.
    assert!(partial > 0, "no pulse left a wall inside a footprint");
    let moved: f64 = f.iter().zip(&initial).map(|(a, b)| (a - b).abs()).sum();
    assert!(moved > 2.0, "the program switched only {moved} footprints");
    eprintln!(
        "kinematic model ({config}): worst resistance deviation {:.3} % of the range, worst energy {:.3} %",
        100.0 * worst_r,
        100.0 * worst_e
    );
}

/// Seeded stochastic depinning in SPICE: 32 Monte Carlo instances of the bipolar synapse
/// (`monte_carlo_library`, 300 K, its 2 % device-to-device spread; no cycle-to-cycle noise, which
/// SPICE does not model) take two 5 ns pulses at the current where one switches the 4th MTJ with probability 0.3. Each
/// instance's final resistance in ngspice equals dwmtj's threshold model run with the same
/// draws (thresholds, and the Exp(1) hazards spent across both pulses), and the 4th MTJ switches
/// in some instances and not in others, some of them by thermal escape below their threshold.
#[test]
#[cfg_attr(not(dwmtj_has_ngspice), ignore = "ngspice is not installed (.ci/run installs it)")]
#[allow(clippy::needless_range_loop)]
fn kinematic_spice_monte_carlo_reproduces_seeded_thermal_depinning() {
    use dwmtj_core::device::PulseShape;
    use dwmtj_core::threshold::ThresholdModel;
    let tmp = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(repo().join("configs/bipolar-synapse.toml")).unwrap();
    let (_, mut device, program) = dwmtj_core::config::parse_device(&text, "device", None).unwrap();
    device.variation.c2c = 0.0;
    let program = program.unwrap();
    let model = ThresholdModel::new(&device, Some(program.pulse)).unwrap();
    let n = device.mtjs.len();
    let shape = PulseShape::new(5e-9, 0.5e-9, 0.5e-9).unwrap();
    // Where one pulse switches the 4th MTJ with probability 0.3 (about half after two).
    let (mut lo, mut hi) = (0.5 * model.switching_current(3, &shape, 5e-3).unwrap(), 5e-3);
    for _ in 0..60 {
        let mid = 0.5 * (lo + hi);
        if model.switching_probability(3, mid, &shape) < 0.3 {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    let current = lo;
    let count = 32;
    let draws = dwmtj_design::kinematic::draw_instances(&device, &program.pulse, count, 7).unwrap();
    assert_eq!(
        draws[5],
        dwmtj_design::kinematic::draw_instances(&device, &program.pulse, 9, 7).unwrap()[5]
    );
    let (name, lib) = dwmtj_design::kinematic::monte_carlo_library(&device, &program.pulse, &draws).unwrap();
    let starts = [10e-9, 30e-9];
    let pwl: Vec<String> = std::iter::once("0 0".to_string())
        .chain(starts.iter().flat_map(|&t| {
            [(t, 0.0), (t + 0.5e-9, current), (t + 5e-9, current), (t + 5.5e-9, 0.0)].map(|(t, i)| format!("{t:.6e} {i:.6e}"))
        }))
        .collect();
    let mut net = format!("* dwmtj Monte Carlo test\n{lib}");
    let mut outs = Vec::new();
    for m in 1..=count {
        net.push_str(&format!(
            "Iin{m} 0 in{m} PWL({})\nX{m} in{m} 0 out{m} 0 {name}_mc{m}\nIread{m} 0 out{m} DC {:.6e}\n",
            pwl.join(" "),
            device.readout.current
        ));
        outs.push(format!("v(out{m})"));
    }
    let data = tmp.path().join("mc.txt");
    net.push_str(&format!(
        ".tran 1e-10 4e-8 uic\n.options noacct\n.control\nset filetype=ascii\nset wr_singlescale\nrun\nwrdata {} {}\n.endc\n.end\n",
        data.display(),
        outs.join(" ")
    ));
    let cir = tmp.path().join("mc.cir");
    std::fs::write(&cir, net).unwrap();
    let o = Command::new("ngspice").args(["-b", cir.to_str().unwrap()]).output().unwrap();
    let last: Vec<f64> = std::fs::read_to_string(&data)
        .unwrap_or_else(|_| panic!("ngspice wrote no data: {}", String::from_utf8_lossy(&o.stdout)))
        .lines()
        .last()
        .unwrap()
        .split_whitespace()
        .map(|v| v.parse().unwrap())
        .collect();
    let (r_p, r_ap) = (device.read(&vec![0.0; n]).resistance, device.read(&vec![1.0; n]).resistance);
    let (mut agree, mut switched, mut thermal) = (0, 0, 0);
    for (m, d) in draws.iter().enumerate() {
        let mut f = vec![0.0; n];
        for i in 0..n {
            let j_c = model.nominal[i].j_c_ap * d.threshold_factor[i];
            if j_c <= 0.0 {
                f[i] = 1.0;
                continue;
            }
            let j = device.density_at_mtj(i, current);
            let mut residual = d.escape_ap[i];
            for _ in &starts {
                let pinned = f[i] <= 0.0;
                let out = model.pulse(j, j_c, &shape, pinned, residual);
                if out.depinned {
                    f[i] = (f[i] + out.travel / device.crossing_length(i)).min(1.0);
                    if i == 3 && pinned && j < j_c {
                        thermal += 1;
                    }
                } else {
                    // The hazard this pulse spent (trapezoid on a fine grid).
                    let steps = 4000;
                    let dt = shape.duration() / f64::from(steps);
                    let rate = |k: u32| model.escape_rate(j * shape.shape(f64::from(k) * dt), j_c);
                    residual -= (0..steps).map(|k| 0.5 * (rate(k) + rate(k + 1)) * dt).sum::<f64>();
                }
            }
        }
        if f[3] > 0.5 {
            switched += 1;
        }
        let r_dwmtj = device.read(&f).resistance;
        let r_spice = last[m + 1] / device.readout.current;
        if (r_spice - r_dwmtj).abs() <= 0.03 * (r_ap - r_p) {
            agree += 1;
        } else {
            eprintln!("instance {}: ngspice {r_spice:.1} vs dwmtj {r_dwmtj:.1} Ohm", m + 1);
        }
    }
    eprintln!("Monte Carlo: {agree}/{count} instances agree, the 4th MTJ switched in {switched} ({thermal} by thermal escape below J_c)");
    assert!(agree >= count - 2, "only {agree} of {count} instances agree");
    assert!(switched > 0 && switched < count, "the 4th MTJ switched in {switched} of {count}");
    assert!(thermal > 0, "no instance escaped thermally below its threshold");
}

/// The 1D wall model as circuit states (`export spice --model wall`) in ngspice against dwmtj's
/// dynamic device model at T = 0 (`DynamicModel::apply_pulse`, the 1D (q, phi) wall of every
/// footprint over the real pulse and 2 ns of relaxation): pulses 2, 5, 10 and 20 ns wide at 0.5
/// to 1.5 times the 4th MTJ's 1D switching current for the file's pulse, the resistance after
/// each within 3 % of the resistance range; symmetric (Pt/Co synapse) and bipolar writing.
#[test]
#[cfg_attr(not(dwmtj_has_ngspice), ignore = "ngspice is not installed (.ci/run installs it)")]
fn wall_spice_model_matches_the_dynamic_device_model() {
    wall_against_dynamic_model("symmetric");
    wall_against_dynamic_model("bipolar");
    // The CLI writes the same subcircuit.
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("wall.cir");
    let config = repo().join("configs/dynamic-synapse.toml");
    let o = dwmtj(&[
        "export",
        "spice",
        config.to_str().unwrap(),
        "--model",
        "wall",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = std::fs::read_to_string(config).unwrap();
    let (_, device, _) = dwmtj_core::config::parse_device(&text, "device", None).unwrap();
    assert_eq!(
        std::fs::read_to_string(out).unwrap(),
        dwmtj_design::wall_spice::subcircuit(&device).unwrap().1
    );
}

#[allow(clippy::needless_range_loop)]
fn wall_against_dynamic_model(polarity: &str) {
    use dwmtj_core::device::PulseShape;
    use dwmtj_core::dynamic::{DynamicModel, RELAX};
    let tmp = tempfile::tempdir().unwrap();
    let mut text = std::fs::read_to_string(repo().join("configs/dynamic-synapse.toml")).unwrap();
    if polarity == "bipolar" {
        text = text.replace("[switching]\n", "[switching]\npolarity = \"bipolar\"\n");
    }
    let (_, device, _) = dwmtj_core::config::parse_device(&text, "device", None).unwrap();
    let pin_period = dwmtj_design::wall_spice::pin_period(&device).unwrap();
    let model = DynamicModel::new(&device, pin_period).unwrap();
    let n = device.mtjs.len();
    let (r_p, r_ap) = (device.read(&vec![0.0; n]).resistance, device.read(&vec![1.0; n]).resistance);
    let mut rng = dwmtj_core::stream::stream(1, 0, 0);
    let (mut partial, mut worst, mut count) = (0, 0.0f64, 0);
    // One program per pulse width, from the reset state: 0.5 to 1.5 times the 4th MTJ's 1D
    // switching current for that pulse (and, bipolar, back toward P).
    for width in [2e-9, 5e-9, 10e-9, 20e-9] {
        let shape = PulseShape::new(width, 0.5e-9, 0.5e-9).unwrap();
        let i_ref = model.switching_current(3, &shape, 20e-3).unwrap();
        let mut pulses: Vec<(f64, PulseShape)> = [0.5, 0.75, 1.05, 1.25, 1.5].iter().map(|s| (s * i_ref, shape)).collect();
        if polarity == "bipolar" {
            let back: Vec<_> = pulses.iter().map(|&(i, p)| (-i, p)).collect();
            pulses.extend(back);
        }
        let mut f = model.reset_state(&vec![1.0; n]);
        let initial = f.clone();
        let data = tmp.path().join("wall.txt");
        let (net, samples) =
            dwmtj_design::wall_spice::testbench(&device, &pulses, 2.0 * RELAX, Some(&initial), data.to_str().unwrap()).unwrap();
        let cir = tmp.path().join("wall.cir");
        std::fs::write(&cir, net).unwrap();
        let o = Command::new("ngspice").args(["-b", cir.to_str().unwrap()]).output().unwrap();
        let rows: Vec<(f64, f64)> = std::fs::read_to_string(&data)
            .unwrap_or_else(|_| panic!("ngspice wrote no data: {}", String::from_utf8_lossy(&o.stdout)))
            .lines()
            .map(|l| {
                let mut it = l.split_whitespace().map(|v| v.parse::<f64>().unwrap());
                (it.next().unwrap(), it.next().unwrap())
            })
            .collect();
        let mut reached_ap = 0.0f64;
        for (k, &(current, shape)) in pulses.iter().enumerate() {
            model.apply_pulse(&vec![1.0; n], &mut f, current, &shape, &mut rng);
            partial += f.iter().filter(|&&x| x > 0.01 && x < 0.99).count();
            reached_ap = reached_ap.max(f.iter().sum::<f64>());
            let r_dwmtj = device.read(&f).resistance;
            let r_spice = rows
                .iter()
                .min_by(|a, b| (a.0 - samples[k]).abs().total_cmp(&(b.0 - samples[k]).abs()))
                .unwrap()
                .1
                / device.readout.current;
            worst = worst.max((r_spice - r_dwmtj).abs() / (r_ap - r_p));
            count += 1;
            assert!(
                (r_spice - r_dwmtj).abs() <= 0.03 * (r_ap - r_p),
                "{polarity}, pulse {k} ({:.0} ns, {:.0} uA): ngspice {r_spice} vs dwmtj {r_dwmtj} Ohm (state {f:?})",
                width * 1e9,
                current * 1e6
            );
        }
        // Each program switches most of the device (and, bipolar, writes it back).
        assert!(reached_ap > 3.0, "{width:e} s: the program switched only {reached_ap} footprints");
        if polarity == "bipolar" {
            assert!(
                f.iter().sum::<f64>() < reached_ap - 2.0,
                "the negative pulses wrote nothing back: {f:?}"
            );
        }
    }
    // Pulses leave walls inside footprints: pulse width and amplitude count, not a threshold.
    assert!(partial > 5, "only {partial} partial footprints");
    eprintln!(
        "wall model ({polarity}): worst resistance deviation {:.3} % of the range over {count} pulses, {partial} partial footprints",
        100.0 * worst
    );
}
