//! `dwmtj compare`: the same network trained with several devices, side by side.

use crate::cmd::train::{inputs, load, run_one, Args};
use crate::output::{Csv, Manifest, Num, RunDir};
use crate::plot::{write_bars, Bars};
use crate::write::training::{write_common, write_metrics};
use anyhow::Result;
use dwmtj_nn::network::TrainResult;
use dwmtj_nn::run::{summary, TrainRun};
use serde_json::json;
use std::process::ExitCode;

/// Train every device of the config's `[compare]` list (or only --device) and tabulate them.
pub fn run(args: &Args) -> Result<ExitCode> {
    if args.resume {
        anyhow::bail!("--resume: compare does not keep checkpoints; run `dwmtj train --device NAME --resume` per device instead");
    }
    let prepared = load(args)?;
    let TrainRun {
        raw, config: cfg, data, ..
    } = &prepared;
    let names = match &args.device {
        Some(d) => vec![d.clone()],
        None => cfg.compare.clone(),
    };
    let run = RunDir::create(&args.out, args.force, &inputs(args))?;
    let mut rows = Vec::new();
    let mut results = Vec::new();
    let several = cfg.compare_schemes.len() > 1;
    for name in &names {
        for scheme in &cfg.compare_schemes {
            let device = cfg.entry_with_scheme(name, scheme.as_deref())?;
            let r = run_one(&prepared, &device, None, &mut dwmtj_core::checkpoint::NoCheckpoints)?;
            let folder = if several {
                format!("devices/{name}/{}/", scheme.as_deref().unwrap_or("default"))
            } else {
                format!("devices/{name}/")
            };
            write_metrics(&run, &folder, &r)?;
            rows.push(serde_json::to_value(summary(&r, cfg, data))?);
            if !args.json {
                eprintln!(
                    "{name:>14} ({:>15}): test {:6.2} %  training {:.3e} J  inference {:.3e} J/image",
                    r.scheme,
                    100.0 * r.test_accuracy,
                    r.training.total_j(),
                    r.inference.total_j()
                );
            }
            results.push(r);
        }
    }
    let mut w = Csv::with_header([
        "device",
        "scheme",
        "test_accuracy",
        "training_energy_j",
        "energy_per_epoch_j",
        "device_write_j",
        "training_latency_s",
        "inference_energy_j",
        "inference_latency_s",
        "device_pulses",
    ])?;
    for (r, j) in results.iter().zip(&rows) {
        w.row([
            r.device.clone(),
            r.scheme.clone(),
            r.test_accuracy.num(),
            r.training.total_j().num(),
            j["energy_per_epoch_j"].to_string(),
            r.training.device_write_j.num(),
            r.training.latency_s().num(),
            r.inference.total_j().num(),
            r.inference.latency_s().num(),
            j["device_pulses"].to_string(),
        ])?;
    }
    run.write_csv("comparison.csv", w)?;
    let bars = |title: &str, y: &str, log: bool, f: &dyn Fn(&TrainResult) -> f64| Bars {
        title: title.to_string(),
        y_label: y.to_string(),
        bars: results
            .iter()
            .map(|r| {
                (
                    if several {
                        format!("{} {}", r.device, r.scheme)
                    } else {
                        r.device.clone()
                    },
                    f(r),
                )
            })
            .collect(),
        log,
    };
    write_bars(&run, "accuracy", &bars("Test accuracy", "accuracy", false, &|r| r.test_accuracy))?;
    write_bars(
        &run,
        "training_energy",
        &bars("Training energy", "J", true, &|r| r.training.total_j()),
    )?;
    write_bars(
        &run,
        "training_latency",
        &bars("Training latency", "s", true, &|r| r.training.latency_s()),
    )?;
    write_bars(
        &run,
        "inference_energy",
        &bars("Energy per inference", "J", true, &|r| r.inference.total_j()),
    )?;
    write_common(&run, raw, cfg)?;
    let summary = json!({ "config": cfg.name, "devices": rows });
    run.write_json("summary.json", &summary)?;
    Manifest::new(Some(cfg.params.seed)).write(&run, "")?;
    let dir = run.finish()?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&summary)?);
    } else {
        println!(
            "{:>14} {:>16} {:>9} {:>12} {:>12} {:>12}",
            "device", "scheme", "test acc", "train E (J)", "latency (s)", "E/infer (J)"
        );
        for r in &results {
            println!(
                "{:>14} {:>16} {:>8.2}% {:>12.3e} {:>12.3e} {:>12.3e}",
                r.device,
                r.scheme,
                100.0 * r.test_accuracy,
                r.training.total_j(),
                r.training.latency_s(),
                r.inference.total_j()
            );
        }
        println!("wrote {}", dir.display());
    }
    Ok(ExitCode::SUCCESS)
}
