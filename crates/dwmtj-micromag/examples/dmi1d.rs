use dwmtj_micromag::mesh::Mesh;
use dwmtj_micromag::solver::{Integrator, SolverParams};
use dwmtj_micromag::system::{DemagMode, Params, System};
fn main() {
    let dx: f64 = std::env::args().nth(1).map(|s| s.parse().unwrap()).unwrap_or(0.5e-9);
    let n = (100e-9 / dx).round() as usize;
    let p = Params {
        ms: 0.86e6,
        a_ex: 13e-12,
        ku: 0.4e6,
        dmi: 3e-3,
        alpha: 1.0,
        demag: DemagMode::None,
        ..Params::default()
    };
    let sys = System::new(Mesh::rectangle(n, 1, dx, 1e-9, 1e-9).periodic_in_y(), p.clone());
    let mut it = Integrator::new(sys.uniform([0.0, 0.0, 1.0]), SolverParams::default());
    let zero = |_: f64| 0.0;
    for k in 0..20 {
        it.run_until(&sys, (k + 1) as f64 * 50e-12, &zero);
        let tq = it.max_torque(&sys);
        println!(
            "t {:.2e} torque {:.3e} mx_edge {:.5} {:.5} mz_edge {:.4} E {:.4e} dt {:.2e} steps {}",
            it.t,
            tq,
            it.m[0][n - 1],
            it.m[0][0],
            it.m[2][n - 1],
            sys.energies(&it.m).total(),
            it.dt,
            it.stats.steps
        );
    }
}
