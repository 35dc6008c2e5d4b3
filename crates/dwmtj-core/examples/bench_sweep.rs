//! Benchmark: a wall run's sweep over 4096 current densities (0.5-1.5e11 A/m^2, 8 ns pulses,
//! Ta/CoFeB with D = 0.3 mJ/m^2), SIMD batches through `wall_run::run_sweep`: the Rust side of
//! the Python overhead measurement (scripts/bench_python_sweep.py runs the same problem through
//! `dwmtj.wall_sweep`). Prints the median of 7 runs.
//!
//! cargo run --release -p dwmtj-core --example bench_sweep
use dwmtj_core::wall_run::{run_sweep, RawWallRun};
use dwmtj_core::RawQuantity;
use std::time::Instant;

fn main() {
    let raw = RawWallRun {
        set: vec!["dmi=0.3e-3".into()],
        current_density: RawQuantity::Number(0.5e11),
        pulse: RawQuantity::Text("8 ns".into()),
        ..RawWallRun::default()
    };
    let mut spec = raw.validate("", None).expect("valid run");
    let n = 4096;
    spec.sweep = Some((0..n).map(|k| 0.5e11 + 1e11 * k as f64 / (n - 1) as f64).collect());
    let mut times = Vec::new();
    let mut checksum = 0.0;
    for _ in 0..7 {
        let t0 = Instant::now();
        let points = run_sweep(std::hint::black_box(&spec));
        times.push(t0.elapsed().as_secs_f64());
        checksum = points.iter().map(|p| p.displacement_m).sum::<f64>();
    }
    times.sort_by(f64::total_cmp);
    println!(
        "rust run_sweep: {n} pulses, median {:.4} s ({:.0} pulses/s), sum of displacements {checksum:e} m",
        times[3],
        n as f64 / times[3]
    );
}
