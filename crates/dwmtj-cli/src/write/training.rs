//! A training run's files: metrics.csv, energy_breakdown.csv, the accuracy and loss plots, the
//! summary's JSON and the resolved configuration.

use crate::output::{Csv, Num, RunDir};
use crate::plot::{write_chart, Chart, Mark, Series};
use anyhow::Result;
use dwmtj_nn::config::{self, RawTrainConfig, TrainConfig};
use dwmtj_nn::network::TrainResult;
use serde_json::json;

/// Write the per-epoch metrics, the energy breakdown and the plots into `sub` (empty or ending in `/`).
pub fn write_metrics(run: &RunDir, sub: &str, r: &TrainResult) -> Result<()> {
    let mut w = Csv::with_header([
        "epoch",
        "lr",
        "train_loss",
        "train_accuracy",
        "test_loss",
        "test_accuracy",
        "device_pulses",
        "energy_j",
        "array_read_j",
        "adc_j",
        "dac_j",
        "device_write_j",
        "digital_j",
        "activation_j",
        "latency_s",
    ])?;
    for e in &r.epochs {
        let b = &e.energy;
        w.row([
            e.epoch.to_string(),
            e.lr.num(),
            e.train_loss.num(),
            e.train_accuracy.num(),
            e.test_loss.num(),
            e.test_accuracy.num(),
            e.device_pulses.to_string(),
            b.total_j().num(),
            b.array_read_j.num(),
            b.adc_j.num(),
            b.dac_j.num(),
            b.device_write_j.num(),
            b.digital_j.num(),
            b.activation_j.num(),
            b.latency_s().num(),
        ])?;
    }
    run.write_csv(&format!("{sub}metrics.csv"), w)?;
    let mut w = Csv::with_header(["component", "training_total", "per_inference", "unit"])?;
    let (t, i) = (&r.training, &r.inference);
    for (name, a, b, unit) in [
        ("array_read", t.array_read_j, i.array_read_j, "J"),
        ("adc", t.adc_j, i.adc_j, "J"),
        ("dac", t.dac_j, i.dac_j, "J"),
        ("device_write", t.device_write_j, i.device_write_j, "J"),
        ("digital", t.digital_j, i.digital_j, "J"),
        ("activation", t.activation_j, i.activation_j, "J"),
        ("total", t.total_j(), i.total_j(), "J"),
        ("read_latency", t.read_latency_s, i.read_latency_s, "s"),
        ("write_latency", t.write_latency_s, i.write_latency_s, "s"),
        ("digital_latency", t.digital_latency_s, i.digital_latency_s, "s"),
        ("latency", t.latency_s(), i.latency_s(), "s"),
    ] {
        w.row([name.to_string(), a.to_string(), b.to_string(), unit.to_string()])?;
    }
    run.write_csv(&format!("{sub}energy_breakdown.csv"), w)?;
    let series = |label: &str, f: &dyn Fn(&dwmtj_nn::network::EpochMetrics) -> f64| Series {
        label: label.to_string(),
        points: r.epochs.iter().map(|e| (e.epoch as f64, f(e), 0.0)).collect(),
        mark: Mark::Line,
    };
    write_chart(
        run,
        &format!("{sub}accuracy"),
        &Chart {
            title: format!("{} ({}): accuracy", r.device, r.scheme),
            x_label: "epoch".into(),
            y_label: "accuracy".into(),
            series: vec![series("train", &|e| e.train_accuracy), series("test", &|e| e.test_accuracy)],
        },
    )?;
    write_chart(
        run,
        &format!("{sub}loss"),
        &Chart {
            title: format!("{} ({}): cross-entropy loss", r.device, r.scheme),
            x_label: "epoch".into(),
            y_label: "loss".into(),
            series: vec![series("train", &|e| e.train_loss), series("test", &|e| e.test_loss)],
        },
    )?;
    Ok(())
}

pub fn write_common(run: &RunDir, raw: &RawTrainConfig, cfg: &TrainConfig) -> Result<()> {
    let resolved = config::resolved(raw, cfg);
    run.write_text("config.resolved.toml", &toml::to_string_pretty(&resolved)?)?;
    if let Some(s) = &cfg.synapse {
        run.write_json("synapse.json", s.as_ref())?;
    }
    if let dwmtj_nn::activation::Activation::DwSigmoid(a) = &cfg.spec.activation {
        run.write_json(
            "activation.json",
            &json!({
                "centre_a": a.centre, "scale_a": a.scale, "fit_rms": a.fit_rms,
                "mtj_weights": a.weight, "energy_at_centre_j": a.energy_at_centre,
            }),
        )?;
    }
    Ok(())
}
