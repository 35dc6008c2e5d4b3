//! Validation of the micromagnetic solver: conservation laws, the DMI standard problem's edge
//! canting, field- and SOT-driven walls against the 1D model, cell-size convergence; run files.
//! One test binary, a module per topic.

#![allow(clippy::needless_range_loop)] // component loops index several fields by the same (a, k)

mod demag;
mod energy;
mod integrators;
mod layers;
mod run_files;
mod standard_problems;
mod thermal;
mod walls;

use dwmtj_micromag::solver::{Integrator, SolverParams};
use dwmtj_micromag::system::System;

fn norm_error(m: &dwmtj_micromag::system::Field3, mask: &[bool]) -> f64 {
    (0..mask.len())
        .filter(|&i| mask[i])
        .map(|i| ((m[0][i] * m[0][i] + m[1][i] * m[1][i] + m[2][i] * m[2][i]).sqrt() - 1.0).abs())
        .fold(0.0, f64::max)
}

/// Integrate `steps` attempts without drive and check that every accepted step lowers the
/// total energy.
fn assert_energy_falls(sys: &System, m: dwmtj_micromag::system::Field3, steps: usize) -> Integrator {
    let mut it = Integrator::new(m, SolverParams::default());
    let mut e = sys.energies(&it.m).total();
    let zero = |_: f64| 0.0;
    for _ in 0..steps {
        if it.step(sys, &zero) {
            let e2 = sys.energies(&it.m).total();
            assert!(e2 <= e + 1e-12 * e.abs(), "energy rose: {e} -> {e2} at t = {}", it.t);
            e = e2;
        }
    }
    it
}
