//! The integrators against each other.

use dwmtj_micromag::mesh::Mesh;
use dwmtj_micromag::solver::{Integrator, Method, SolverParams};
use dwmtj_micromag::system::{Params, System};

/// A 40 ps SOT-driven run of a canted wall (256 x 32 nm, 4 nm cells, full demag): classical
/// RK4 at a fixed 25 fs step, an integrator with no error control and no shared code path with
/// the adaptive tableaux, and Runge-Kutta-Fehlberg land on Dormand-Prince's state at a tight
/// tolerance.
#[test]
fn fixed_step_rk4_agrees_with_adaptive_rk45() {
    let mesh = Mesh::rectangle(64, 8, 4e-9, 4e-9, 1e-9);
    let sys = System::new(
        mesh,
        Params {
            current_density: 2e11,
            ..Params::default()
        },
    )
    .unwrap();
    let m0 = sys.neel_wall(128e-9, 0.3);
    let one = |_: f64| 1.0;
    let run = |params: SolverParams| {
        let mut it = Integrator::new(m0.clone(), params);
        it.run_until(&sys, 40e-12, &one);
        it
    };
    let dp = run(SolverParams {
        max_err: 1e-9,
        ..SolverParams::default()
    });
    let rk4 = run(SolverParams {
        method: Method::Rk4,
        dt_init: 25e-15,
        ..SolverParams::default()
    });
    assert_eq!(rk4.stats.steps, 1600);
    let mut worst: f64 = 0.0;
    let mut moved: f64 = 0.0;
    for a in 0..3 {
        for ((d, r), s) in dp.m[a].iter().zip(&rk4.m[a]).zip(&m0[a]) {
            worst = worst.max((d - r).abs());
            moved = moved.max((d - s).abs());
        }
    }
    assert!(moved > 0.05 && worst < 1e-6, "RK4 vs RK45: {worst:e} (state moved by {moved})");
    // Fehlberg 4(5), another embedded pair with its own stages and no FSAL.
    let rkf = run(SolverParams {
        method: Method::Rkf45,
        max_err: 1e-9,
        ..SolverParams::default()
    });
    let worst = (0..3)
        .flat_map(|a| dp.m[a].iter().zip(&rkf.m[a]).map(|(d, r)| (d - r).abs()))
        .fold(0.0f64, f64::max);
    assert!(worst < 1e-6, "RKF45 vs RK45: {worst:e}");
}
