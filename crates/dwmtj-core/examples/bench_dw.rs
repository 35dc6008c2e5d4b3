//! Benchmark: wall-pulse simulations per second on one thread, on the problem of
//! the SciPy peer of bench/dw_vs_scipy.sh (scipy_dw_peer.py) (equations (A), (B) with damping-like SOT and DMI, Q = +1,
//! a rectangular pulse, the wall starting at rest at its equilibrium angle, RK45 with the same
//! tolerances), plus the same pulse at 300 K with stochastic Heun (dt = 1 ps).
//!
//! cargo run --release -p dwmtj-core --example bench_dw -- [--dmi 0.3e-3] [--j 1e11] [--pulse 8e-9] [--rtol 1e-8] [--atol 1e-12]
use dwmtj_core::device::PulseShape;
use dwmtj_core::material::find_builtin;
use dwmtj_core::stream::stream;
use dwmtj_core::wall::{run_deterministic, run_deterministic_many, run_thermal, Drive, RunOptions, WallModel};
use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let get = |k: &str, d: f64| {
        args.iter()
            .position(|a| a == k)
            .and_then(|i| args.get(i + 1))
            .map_or(d, |v| v.parse().expect("number"))
    };
    let mut m = find_builtin("ta-cofeb-mgo").unwrap();
    m.ms = get("--ms", 1.1e6);
    m.a_ex = get("--a-ex", 1.5e-11);
    m.k_eff = get("--k-eff", 3e5);
    m.t_fm = get("--t-fm", 1e-9);
    m.alpha = get("--alpha", 0.02);
    m.dmi = get("--dmi", 0.3e-3);
    m.theta_sh = get("--theta-sh", 0.12);
    m.fl_dl_ratio = 0.0;
    m.polarization = 0.0;
    let (j, pulse, rtol, atol) = (get("--j", 1e11), get("--pulse", 8e-9), get("--rtol", 1e-8), get("--atol", 1e-12));
    let model = WallModel::from_material(&m, 1e-6, 1.0);
    let drive = Drive {
        current_density: j,
        pulse: PulseShape::rectangular(pulse),
        hx: 0.0,
        hy: 0.0,
        hz: 0.0,
    };
    let phi0 = model.equilibrium_phi(0.0, 0.0);
    let opts = RunOptions {
        rtol,
        atol: [atol * 1e-6, atol],
        ..RunOptions::default()
    };
    let mut out = run_deterministic(&model, &drive, 0.0, phi0, &opts);
    let n = get("--single-reps", 20_000.0) as u32;
    let t0 = Instant::now();
    for _ in 0..n {
        out = run_deterministic(&model, &drive, 0.0, std::hint::black_box(phi0), &opts);
    }
    let det = t0.elapsed().as_secs_f64() / f64::from(n);
    // Batches: the same pulse many times (lanes in lock-step), and a sweep of 0.5-1.5 J
    // (lanes of different step counts, refilled as they finish).
    let batch = 4096;
    let same: Vec<(Drive, f64, f64)> = vec![(drive, 0.0, phi0); batch];
    let sweep: Vec<(Drive, f64, f64)> = (0..batch)
        .map(|k| {
            (
                Drive {
                    current_density: j * (0.5 + k as f64 / batch as f64),
                    ..drive
                },
                0.0,
                phi0,
            )
        })
        .collect();
    let time_batch = |runs: &[(Drive, f64, f64)]| {
        let reps = get("--batch-reps", 5.0) as u32;
        let t0 = Instant::now();
        let mut check = 0.0;
        for _ in 0..reps {
            check += run_deterministic_many(&model, std::hint::black_box(runs), &opts)[batch / 2].displacement_m;
        }
        (t0.elapsed().as_secs_f64() / f64::from(reps * batch as u32), check)
    };
    let (batch_same, _) = time_batch(&same);
    let (batch_sweep, _) = time_batch(&sweep);
    assert_eq!(
        run_deterministic_many(&model, &same[..3], &opts)[2],
        out,
        "lanes differ from the single run"
    );
    let mut thermal = model.clone();
    thermal.temperature = 300.0;
    let topts = RunOptions { dt_thermal: 1e-12, ..opts };
    let mut rng = stream(1, 0, 0);
    let m_th = if args.iter().any(|a| a == "--no-thermal") { 1 } else { 50 };
    let t1 = Instant::now();
    let mut acc = 0.0;
    for _ in 0..m_th {
        acc += run_thermal(&thermal, &drive, 0.0, phi0, &topts, &mut rng).displacement_m;
    }
    let th = t1.elapsed().as_secs_f64() / f64::from(m_th);
    println!(
        "{{\"displacement_m\": {:e}, \"final_velocity_m_per_s\": {}, \"phi_rad\": {}, \"rhs_evals\": {}, \"seconds_per_pulse\": {:e}, \"pulses_per_s\": {:.1}, \"batch_pulses_per_s\": {:.1}, \"batch_sweep_pulses_per_s\": {:.1}, \"thermal_seconds_per_pulse\": {:e}, \"thermal_pulses_per_s\": {:.1}, \"thermal_mean_displacement_m\": {:e}}}",
        out.displacement_m, out.final_velocity_m_per_s, out.phi_rad, out.rhs_evals, det, 1.0 / det, 1.0 / batch_same, 1.0 / batch_sweep, th, 1.0 / th, acc / f64::from(m_th)
    );
}
