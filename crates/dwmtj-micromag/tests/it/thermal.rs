//! The thermal field against the Boltzmann distribution.

use super::norm_error;
use dwmtj_micromag::mesh::Mesh;
use dwmtj_micromag::solver::{Integrator, Method, SolverParams};
use dwmtj_micromag::system::{DemagMode, Params, System};

#[test]
fn thermal_field_gives_the_boltzmann_distribution() {
    // 4096 uncoupled macrospins (no exchange, DMI or demag), K_u V / k_B T = 7.7 at 300 K:
    // <sin^2 theta> must be the Boltzmann average over E = -K V cos^2 theta, with the
    // fixed-step Heun integrator and with adaptive RK45 (a thermal field per attempt).
    for solver in [
        SolverParams {
            method: Method::Heun,
            dt_init: 5e-14,
            ..SolverParams::default()
        },
        SolverParams::default(),
    ] {
        boltzmann_check(solver);
    }
}

fn boltzmann_check(solver: SolverParams) {
    let mesh = Mesh::rectangle(64, 64, 4e-9, 4e-9, 2e-9);
    let p = Params {
        a_ex: 1e-30,
        dmi: 0.0,
        ku: 1e6,
        ms: 1e6,
        alpha: 0.1,
        demag: DemagMode::None,
        temperature: 300.0,
        seed: 11,
        ..Params::default()
    };
    let sys = System::new(mesh, p.clone()).unwrap();
    let method = solver.method;
    let mut it = Integrator::new(sys.uniform([0.0, 0.0, 1.0]), solver);
    let zero = |_: f64| 0.0;
    it.run_until(&sys, 100e-12, &zero);
    let (mut sum, mut count) = (0.0, 0usize);
    for k in 1..=60 {
        it.run_until(&sys, 100e-12 + k as f64 * 5e-12, &zero);
        sum += it.m[2].iter().map(|mz| 1.0 - mz * mz).sum::<f64>();
        count += it.m[2].len();
    }
    let measured = sum / count as f64;
    let a = p.ku * 4e-9 * 4e-9 * 2e-9 / (dwmtj_core::material::KB * 300.0);
    // Boltzmann: integrate over u = cos theta in [0, 1] (both wells are mirror images).
    let n = 20000;
    let (mut num, mut den) = (0.0, 0.0);
    for i in 0..n {
        let u = (i as f64 + 0.5) / n as f64;
        let w = (a * u * u).exp();
        num += (1.0 - u * u) * w;
        den += w;
    }
    let expect = num / den;
    // 60 snapshots x 4096 spins, correlated over ~30 ps: the statistical error is ~1 %.
    eprintln!("{method:?}: <sin^2> {measured} vs Boltzmann {expect}, {} steps", it.stats.steps);
    assert!(
        (measured / expect - 1.0).abs() < 0.04,
        "{method:?}: <sin^2> {measured} vs Boltzmann {expect}"
    );
    assert!(norm_error(&it.m, &sys.mesh.mask) < 1e-12);
}
