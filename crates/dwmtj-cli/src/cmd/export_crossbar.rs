//! `dwmtj export crossbar`: an ngspice deck of a crossbar of the device's synapse pairs, with
//! line resistance and the read periphery, and the column currents dwmtj expects in its header;
//! optionally the IR-drop study (error against array size and line resistance).

use crate::cmd::export::Args;
use crate::output::{check_target, write_file, Manifest, OutKind, RunDir};
use crate::plot::{write_chart, Chart, Mark, Series};
use anyhow::{bail, Context, Result};
use dwmtj_core::units::Dim;
use dwmtj_core::RawQuantity;
use dwmtj_nn::crossbar::{Lines, PairArray};
use std::path::PathBuf;
use std::process::ExitCode;

const SIGNATURE: &[u8] = b"* dwmtj export";

fn quantity(flag: &str, text: &str, dim: Dim) -> Result<f64> {
    let v = RawQuantity::Text(text.to_string()).to_si(dim, flag)?;
    if !(v >= 0.0 && v.is_finite()) {
        bail!("{flag} {text:?}: must be >= 0");
    }
    Ok(v)
}

pub fn run(a: &Args) -> Result<ExitCode> {
    let path = a.device.as_path();
    for (flag, n) in [("--rows", a.rows), ("--cols", a.cols)] {
        if n == 0 || n > 1024 {
            bail!("{flag} {n}: must be between 1 and 1024");
        }
    }
    let r_line = quantity("--line-resistance", &a.line_resistance, Dim::RESISTANCE)?;
    let v_max = quantity("--read-voltage", &a.read_voltage, Dim::VOLTAGE)?;
    let out = a.out.clone().unwrap_or_else(|| {
        PathBuf::from(format!("{}-crossbar", path.file_stem().unwrap_or_default().to_string_lossy())).with_extension("cir")
    });
    check_target(&out, a.force, OutKind::File { signature: SIGNATURE }, &[path])?;
    if let Some(dir) = &a.study {
        check_target(dir, a.force, OutKind::Folder, &[path])?;
    }
    let (_, device, program) = dwmtj_core::config::load_device(path)?;
    let pulse = program
        .map(|p| p.pulse)
        .with_context(|| format!("{}: the synapse's levels need the programming pulse of a [program]", path.display()))?;
    let synapse = dwmtj_nn::dwdevice::synapse(&device, &pulse)?;
    let lines = Lines { row: r_line, col: r_line };
    let (array, v) = PairArray::random(&synapse.conductance, a.rows, a.cols, v_max, a.seed);
    let ideal = array.read(&v, Lines::IDEAL).map_err(anyhow::Error::msg)?;
    let with_lines = array.read(&v, lines).map_err(anyhow::Error::msg)?;
    let plus = dwmtj_nn::crossbar::column_currents(&array.g_plus, a.rows, a.cols, &v, lines).map_err(anyhow::Error::msg)?;
    let minus = dwmtj_nn::crossbar::column_currents(&array.g_minus, a.rows, a.cols, &v, lines).map_err(anyhow::Error::msg)?;
    let mut deck = array.netlist(
        &v,
        lines,
        &format!(
            "dwmtj export crossbar: {} synapse pairs ({} levels, {:.3e} .. {:.3e} S), seed {}",
            device.name,
            synapse.conductance.len(),
            synapse.conductance.iter().cloned().fold(f64::INFINITY, f64::min),
            synapse.conductance.iter().cloned().fold(0.0, f64::max),
            a.seed
        ),
    );
    // The currents dwmtj's crossbar model gives, for comparison with ngspice's (the current
    // through each sense source from the bit line to ground).
    let mut expect = String::new();
    for j in 0..a.cols {
        expect.push_str(&format!("* dwmtj expects i(vsp{j}) = {:e} i(vsm{j}) = {:e}\n", plus[j], minus[j]));
    }
    deck = deck.replacen("\nvin0", &format!("\n{expect}vin0"), 1);
    write_file(&out, a.force, SIGNATURE, deck.as_bytes())?;
    let worst = with_lines.iter().zip(&ideal).map(|(w, i)| (w - i).abs()).fold(0.0, f64::max)
        / ideal.iter().map(|i| i.abs()).fold(0.0, f64::max).max(1e-300);
    println!(
        "wrote {} ({} x {} pairs of {}, {} Ohm per line segment: largest IR-drop error {:.3} % of the largest ideal output)",
        out.display(),
        a.rows,
        a.cols,
        device.name,
        r_line,
        100.0 * worst
    );
    if let Some(dir) = &a.study {
        study(dir, a, &synapse.conductance, v_max)?;
    }
    Ok(ExitCode::SUCCESS)
}

/// The IR-drop error against array size (square arrays) and line resistance.
fn study(dir: &std::path::Path, a: &Args, conductance: &[f64], v_max: f64) -> Result<()> {
    let run = RunDir::create(dir, a.force, &[a.device.as_path()])?;
    // The device as given, and with its levels scaled to 100 kOhm and 1 MOhm (a thicker MgO
    // barrier: the megaohm range crossbars need, docs/physics.md 12).
    let resistances = [1.0, 5.0];
    let devices = [None, Some(1e5), Some(1e6)];
    let points = dwmtj_nn::crossbar::ir_drop_study(conductance, &[8, 16, 32, 64, 128, 256], &resistances, &devices, v_max, a.seed)
        .map_err(anyhow::Error::msg)?;
    let csv = crate::output::Csv::records(&points)?;
    let mut series = Vec::new();
    for chunk in points.chunk_by(|p, q| {
        p.device_resistance_ohm.to_bits() == q.device_resistance_ohm.to_bits()
            && p.line_resistance_ohm.to_bits() == q.line_resistance_ohm.to_bits()
    }) {
        let (rd, rl) = (chunk[0].device_resistance_ohm, chunk[0].line_resistance_ohm);
        series.push(Series {
            label: format!("device {} Ohm, line {rl} Ohm per segment", crate::plot::short_label(rd)),
            points: chunk
                .iter()
                .map(|p| ((p.size as f64).log2(), (100.0 * p.max_error).max(1e-6).log10(), 0.0))
                .collect(),
            mark: Mark::Line,
        });
    }
    run.write_csv("ir_drop.csv", csv)?;
    write_chart(
        &run,
        "ir_drop",
        &Chart {
            title: "IR drop: differential column-current error vs array size".into(),
            x_label: "log2(rows = columns)".into(),
            y_label: "log10(largest error / % of the largest ideal output)".into(),
            series,
        },
    )?;
    Manifest::new(Some(a.seed)).write(&run, "")?;
    run.finish()?;
    println!("wrote {}", dir.display());
    Ok(())
}
