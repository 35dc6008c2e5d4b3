//! The paper's figures and numbers: every check passes on the built-in configs, and the Fig. 3f
//! conclusions hold for other seeds too (they are not an accident of one random stream).

use crate::device_from;
use dwmtj_core::fit::fit_line;
use dwmtj_core::simulate::simulate;
use dwmtj_design::paper;

#[test]
fn all_paper_checks_pass() {
    let f3 = paper::fig3f(&|_| {}).unwrap();
    let f4 = paper::fig4c(&|_| {}).unwrap();
    let e = paper::energy(&[&f3, &f4]);
    let checks: Vec<_> = f3.checks.iter().chain(&f4.checks).chain(&e.checks).collect();
    assert!(checks.len() >= 12);
    for c in checks {
        assert!(c.pass, "{}: paper {} / ours {}", c.name, c.paper, c.ours);
    }
}

#[test]
fn fig3f_holds_across_seeds() {
    let (d, p) = device_from(paper::FIG3F_TOML);
    let mut p = p.unwrap();
    for seed in 100..110 {
        p.seed = seed;
        let sim = simulate(&d, &p, &|_| {}).unwrap();
        for sweep in &p.sweeps {
            let pts: Vec<_> = sim.sweep_points(&sweep.label).collect();
            let x: Vec<f64> = pts.iter().map(|q| q.current_a).collect();
            let y: Vec<f64> = pts.iter().map(|q| q.r_mean_ohm).collect();
            let dense = fit_line(&x, &y);
            assert!(
                dense.r_squared >= 0.97,
                "seed {seed} {}: dense R^2 {}",
                sweep.label,
                dense.r_squared
            );
            let (lx, ly): (Vec<f64>, Vec<f64>) = paper::level_points(&pts).into_iter().unzip();
            assert_eq!(lx.len(), 7, "seed {seed}: levels reached by current");
            let fit = fit_line(&lx, &ly);
            assert!(fit.r_squared >= 0.98, "seed {seed} {}: level R^2 {}", sweep.label, fit.r_squared);
            let last = pts.last().unwrap().switched_mean;
            assert!((last - 7.0).abs() < 0.5, "seed {seed}: {last} switched");
        }
    }
}

#[test]
fn energy_numbers() {
    let e = paper::energy(&[]);
    let (p1, p2) = (e.prototype[0], e.prototype[1]);
    assert!((p1.2 - 1.2e-12).abs() < 0.02 * 1.2e-12);
    assert!((p2.2 - 16e-12).abs() < 0.02 * 16e-12);
}

#[test]
fn fig3b_and_fig5b_checks_pass() {
    let b = paper::fig3b().unwrap();
    for c in &b.checks {
        assert!(c.pass, "{}: {}", c.name, c.ours);
    }
    let a = paper::fig5b(6, &|_| {}).unwrap();
    for c in &a.checks {
        assert!(c.pass, "{}: {}", c.name, c.ours);
    }
    assert!(a.r_squared >= 0.98);
    // Monte Carlo error bars are real: thermal noise spreads the travel.
    assert!(a.points.iter().any(|p| p.travel_std_m > 1e-9));
}
