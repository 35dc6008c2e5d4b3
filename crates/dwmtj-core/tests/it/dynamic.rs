//! The dynamic device mode and the calibration of the threshold model to it.

use crate::device_from;
use dwmtj_core::calibrate::calibrate;
use dwmtj_core::simulate::simulate;

const DYNAMIC: &str = include_str!("../../../../configs/dynamic-synapse.toml");

#[test]
fn calibrated_threshold_model_matches_the_dynamic_model() {
    let (d, p) = device_from(DYNAMIC);
    let p = p.unwrap();
    let cal = calibrate(&d, &p.pulse, d.breakdown_current()).unwrap();
    assert_eq!(cal.points.len(), 5);
    for pt in &cal.points {
        let (dy, th) = (pt.dynamic_a.unwrap(), pt.threshold_a.unwrap());
        assert!((th / dy - 1.0).abs() < 0.02, "MTJ {}: threshold {th} vs dynamic {dy}", pt.mtj);
        // A 4 ns pulse needs more than the quasi-static current: the wall must also cross.
        assert!(pt.quasi_static_a < dy);
    }
    // Wider footprints (larger critical width) need more current in both models.
    for w in cal.points.windows(2) {
        assert!(w[1].dynamic_a.unwrap() > w[0].dynamic_a.unwrap());
    }
}

#[test]
fn pulse_width_matters_in_the_dynamic_mode() {
    let (d, p) = device_from(DYNAMIC);
    let mut p = p.unwrap();
    let short = calibrate(&d, &p.pulse, d.breakdown_current()).unwrap();
    p.pulse.width *= 3.0;
    let long = calibrate(&d, &p.pulse, d.breakdown_current()).unwrap();
    for (a, b) in short.points.iter().zip(&long.points) {
        assert!(
            b.dynamic_a.unwrap() < a.dynamic_a.unwrap(),
            "a longer pulse must switch at a lower current"
        );
    }
}

#[test]
fn dynamic_transfer_curve_is_monotone_and_reaches_all_ap() {
    let (d, p) = device_from(DYNAMIC);
    let sim = simulate(&d, &p.unwrap(), &|_| {}).unwrap();
    let pts: Vec<_> = sim.sweep_points("positive").collect();
    for w in pts.windows(2) {
        assert!(w[1].r_mean_ohm >= w[0].r_mean_ohm - 1e-9);
    }
    assert!((pts.last().unwrap().switched_mean - 5.0).abs() < 1e-9);
    assert!((pts[0].switched_mean).abs() < 1e-9);
}
