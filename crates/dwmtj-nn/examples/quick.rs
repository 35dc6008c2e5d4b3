use dwmtj_nn::*;
fn main() {
    let a: Vec<String> = std::env::args().collect();
    let dev = &a[1];
    let epochs: usize = a[2].parse().unwrap();
    let lr: f32 = a[3].parse().unwrap();
    let batch: usize = a[4].parse().unwrap();
    let act = a.get(5).map(|s| s.as_str()).unwrap_or("sigmoid");
    let crop: Option<usize> = a.get(6).and_then(|s| s.parse().ok());
    let hidden: Vec<usize> = a
        .get(7)
        .map(|s| s.split(',').map(|v| v.parse().unwrap()).collect())
        .unwrap_or(vec![256, 128]);
    let ds = idx::vendored_dataset().unwrap();
    let data = network::Data::from_dataset(&ds, crop, None, None).unwrap();
    let (_, d, p) = dwmtj_core::config::parse_device(include_str!("../../../configs/fig3f.toml"), "f", None).unwrap();
    let syn = dwdevice::synapse(&d, &p.unwrap().pulse).unwrap();
    let mut entry = catalog::lookup(dev, Some(&syn)).unwrap();
    match std::env::var("SCHEME").as_deref() {
        Ok("mp") => entry.scheme = update::UpdateScheme::MixedPrecision { max_pulses: 100 },
        Ok("pc") => entry.scheme = update::UpdateScheme::PulseCount { max_pulses: 100 },
        Ok("st") => entry.scheme = update::UpdateScheme::stochastic_default(),
        _ => {}
    }
    if let Ok(v) = std::env::var("LIN") {
        entry.model = devices::DeviceModel::ConstantStep {
            dw_min: 2.0 / v.parse::<f64>().unwrap(),
            b_min: -1.0,
            b_max: 1.0,
            c2c: 0.0,
        };
    }
    if let Ok(v) = std::env::var("C2C") {
        if let devices::DeviceModel::NeuroSim { c2c, .. } = &mut entry.model {
            *c2c = v.parse().unwrap();
        }
    }
    let activation = match act {
        "relu" => activation::Activation::Relu,
        "dw" => {
            let (_, d, p) = dwmtj_core::config::parse_device(include_str!("../../../configs/fig4c.toml"), "f", None).unwrap();
            activation::Activation::DwSigmoid(std::sync::Arc::new(dwdevice::activation(&d, &p.unwrap().pulse).unwrap()))
        }
        _ => activation::Activation::Sigmoid,
    };
    let io = if std::env::var("IDEAL").is_ok() {
        tile::IoParams::ideal()
    } else {
        tile::IoParams::default()
    };
    let wr: f32 = std::env::var("WR").ok().and_then(|v| v.parse().ok()).unwrap_or(4.0);
    let spec = network::NetworkSpec {
        hidden,
        activation,
        fwd: io.clone(),
        bwd: io,
        weight_range: wr,
    };
    let params = network::TrainParams {
        epochs,
        batch,
        lr,
        lr_decay: std::env::var("DECAY").ok().and_then(|v| v.parse().ok()).unwrap_or(1.0),
        seed: std::env::var("SEED").ok().and_then(|v| v.parse().ok()).unwrap_or(1),
    };
    let t = std::time::Instant::now();
    let r = network::train(&spec, &entry, &params, &data, &energy::CircuitParams::default(), &|_, _| {});
    for e in &r.epochs {
        println!(
            "ep {} train {:.3} loss {:.3} test {:.4} pulses {} E {:.3e}",
            e.epoch,
            e.train_accuracy,
            e.train_loss,
            e.test_accuracy,
            e.device_pulses,
            e.energy.total_j()
        );
    }
    println!(
        "{:.1}s inference E {:.3e} lat {:.3e}",
        t.elapsed().as_secs_f64(),
        r.inference.total_j(),
        r.inference.latency_s()
    );
}
