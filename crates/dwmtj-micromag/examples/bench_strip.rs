//! The issue-6 benchmark problem: 1024 x 128 x 1 nm strip in 2 nm cells, Ms 1.1e6, A 1.5e-11,
//! Ku 1e6, D 0.5e-3, alpha 0.1, centred Neel wall, full demag, DL-SOT 1e11 A/m^2 (theta 0.1),
//! adaptive RK45. Prints JSON: wall displacement, wall time, RHS evaluations, ns per cell-eval.
use dwmtj_micromag::mesh::Mesh;
use dwmtj_micromag::solver::{Integrator, SolverParams};
use dwmtj_micromag::system::{Params, System};
fn main() {
    // On a pool worker: the main thread would otherwise hand every parallel stage to the
    // workers and wait (a cross-thread wake-up per stage).
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(rayon::current_num_threads())
        .build()
        .unwrap();
    pool.install(body);
}

fn body() {
    let t_end: f64 = std::env::args().nth(1).map(|s| s.parse().unwrap()).unwrap_or(1e-9);
    let mesh = Mesh::rectangle(512, 64, 2e-9, 2e-9, 1e-9);
    // Further arguments: `f32` (the demag convolution in single precision), `rkf45` (Fehlberg
    // instead of Dormand-Prince).
    let f32 = std::env::args().skip(2).any(|a| a == "f32");
    let rkf45 = std::env::args().skip(2).any(|a| a == "rkf45");
    let p = Params {
        current_density: 1e11,
        demag_f32: f32,
        ..Params::default()
    };
    let t0 = std::time::Instant::now();
    let sys = System::new(mesh, p).expect("the benchmark strip is not periodic");
    let setup = t0.elapsed().as_secs_f64();
    let m0 = sys.neel_wall(512e-9, 0.0);
    let q0 = sys.wall_position(&m0);
    // magnum.np's RKF45 tolerances: atol = rtol = 1e-5 per component.
    let mut it = Integrator::new(
        m0,
        SolverParams {
            rel_err: 1e-5,
            method: if rkf45 {
                dwmtj_micromag::solver::Method::Rkf45
            } else {
                dwmtj_micromag::solver::Method::Rk45
            },
            ..SolverParams::default()
        },
    );
    let one = |_: f64| 1.0;
    let t1 = std::time::Instant::now();
    it.run_until(&sys, t_end, &one);
    let wall = t1.elapsed().as_secs_f64();
    let q = sys.wall_position(&it.m);
    let cells = 512.0 * 64.0;
    println!(
        "{{\"code\": \"dwmtj\", \"t_end_s\": {t_end}, \"displacement_nm\": {}, \"wall_s\": {wall}, \"setup_s\": {setup}, \"steps\": {}, \"rejected\": {}, \"rhs_evals\": {}, \"ns_per_cell_eval\": {}, \"threads\": {}, \"demag\": \"{}\", \"method\": \"{}\"}}",
        (q - q0) * 1e9,
        it.stats.steps,
        it.stats.rejected,
        it.stats.rhs_evals,
        wall / (it.stats.rhs_evals as f64 * cells) * 1e9,
        rayon::current_num_threads(),
        if f32 { "f32" } else { "f64" },
        if rkf45 { "rkf45" } else { "rk45" }
    );
}
