//! dwmtj-design: inverse design of DW-MTJ function generators for a target transfer function
//! within fabrication rules, verified by simulating the design back (docs/physics.md 6-7).
//!
//! ```text
//! Target (named function or table) + DesignSpec (N MTJs, material, J_th, rules)
//!   --discrete::design--> DiscreteDesign (thresholds, areas, wire profile, device TOML)
//!   --verify::verify-->   Verification (achieved vs target, RMS/max error, levels, energy)
//! ```
//!
//! A 9-MTJ sigmoid activation over 150-600 uA, designed and verified:
//!
//! ```
//! use dwmtj_core::material::find_builtin;
//! use dwmtj_design::discrete::{design, DesignSpec, FabRules};
//! use dwmtj_design::target::Target;
//! use dwmtj_design::verify::verify;
//!
//! let target = Target::named("sigmoid", 150e-6, 600e-6, None, None)?;
//! let spec = DesignSpec {
//!     target: target.clone(),
//!     mtjs: 9,
//!     material: find_builtin("ta-cofeb-mgo").unwrap(),
//!     j_th: 0.7e11,
//!     pulse_width: 8e-9,
//!     ra: 20e-12,
//!     tmr: 0.44,
//!     rules: FabRules::default(),
//! };
//! let d = design(&spec)?;
//! let v = verify(&d, &target)?;
//! assert!(v.rms_error < 0.05, "RMS error {}", v.rms_error);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![deny(clippy::float_cmp)]
#![warn(missing_docs)]

pub mod analog;
pub mod config;
pub mod consistency;
pub mod discrete;
pub mod dynamic_design;
pub mod export;
pub mod from_micromag;
pub mod kinematic;
pub mod layout;
pub mod measured;
pub mod paper;
pub mod paper_field;
pub mod paper_scaling;
pub mod retarget;
pub mod run;
pub mod spice;
pub mod target;
pub mod verify;
pub mod wall_spice;

/// Why a design could not be made.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DesignError {
    /// The request itself is invalid (bad parameters, a decreasing target, ...).
    #[error("{0}")]
    Input(String),
    /// The request is valid, but the fabrication rules or the physics do not allow the design.
    #[error("infeasible: {0}")]
    Infeasible(String),
}

#[cfg(test)]
mod tests {
    use super::discrete::{design, DesignSpec, FabRules};
    use super::target::Target;
    use super::verify::verify;
    use dwmtj_core::material::find_builtin;

    fn spec(t: Target, n: usize) -> DesignSpec {
        DesignSpec {
            target: t,
            mtjs: n,
            material: find_builtin("ta-cofeb-mgo").unwrap(),
            j_th: 0.7e11,
            pulse_width: 8e-9,
            ra: 20e-12,
            tmr: 0.44,
            rules: FabRules::default(),
        }
    }

    #[test]
    fn smooth_targets_within_five_percent_with_nine_mtjs() {
        for name in ["linear", "sigmoid", "tanh", "gaussian-cdf", "softplus"] {
            let t = Target::named(name, 150e-6, 600e-6, None, None).unwrap();
            let d = design(&spec(t.clone(), 9)).unwrap_or_else(|e| panic!("{name}: {e}"));
            let v = verify(&d, &t).unwrap();
            assert!(
                v.rms_error <= 0.05,
                "{name}: RMS {:.4} (model {:.4})",
                v.rms_error,
                d.model_rms_error
            );
            assert_eq!(v.levels, 10, "{name}");
        }
    }

    #[test]
    fn analog_static_and_dynamic_designs_verify() {
        use super::analog::{design_analog, AnalogKind, AnalogSpec};
        let material = find_builtin("pt-cotb").unwrap();
        for (kind, pulse, tol) in [(AnalogKind::Static, 2e-6, 0.02), (AnalogKind::Dynamic, 300e-9, 0.02)] {
            for name in ["sigmoid", "linear", "tanh"] {
                let t = Target::named(name, 1e-3, 3e-3, None, None).unwrap();
                let spec = AnalogSpec {
                    target: t,
                    kind,
                    material: material.clone(),
                    length: 8e-6,
                    magnetic_width: 0.8e-6,
                    pulse_width: pulse,
                    pin_period: 20e-9,
                };
                let d = design_analog(&spec).unwrap_or_else(|e| panic!("{kind:?} {name}: {e}"));
                assert!(
                    d.rms_error <= tol,
                    "{kind:?} {name}: RMS {:.4}, max {:.4}",
                    d.rms_error,
                    d.max_error
                );
            }
        }
    }

    #[test]
    fn monte_carlo_verification_degrades_with_variation() {
        let t = Target::named("sigmoid", 150e-6, 600e-6, None, None).unwrap();
        let d = design(&spec(t.clone(), 9)).unwrap();
        let nominal = verify(&d, &t).unwrap().rms_error;
        let clean = super::verify::monte_carlo(&d, &t, 4, 0.0, 0.0, 0.05, 3).unwrap();
        // No variation: every instance is the nominal design (thermal spread only).
        assert!((clean.rms_mean - nominal).abs() < 0.005, "{} vs {nominal}", clean.rms_mean);
        assert!((clean.yield_fraction - 1.0).abs() < 1e-12);
        let noisy = super::verify::monte_carlo(&d, &t, 12, 0.10, 0.02, 0.05, 3).unwrap();
        assert!(noisy.rms_mean > clean.rms_mean && noisy.yield_fraction < 1.0, "{noisy:?}");
    }

    #[test]
    fn dynamic_verification_shows_the_pulse_length_limit() {
        let t = Target::named("sigmoid", 150e-6, 600e-6, None, None).unwrap();
        let mut sp = spec(t.clone(), 9);
        sp.material = find_builtin("pt-co").unwrap();
        // 8 ns: the walls cannot cross the larger footprints at the designed currents.
        let short = super::verify::verify_dynamic(&design(&sp).unwrap(), &t).unwrap();
        assert_eq!(short.calibration_reached, Some(false));
        assert!(short.rms_error > 0.2);
        // 40 ns: the dynamic model follows the design.
        sp.pulse_width = 40e-9;
        let long = super::verify::verify_dynamic(&design(&sp).unwrap(), &t).unwrap();
        assert_eq!(long.calibration_reached, Some(true));
        assert!(long.rms_error < 0.08, "{}", long.rms_error);
    }

    #[test]
    fn breakdown_limits_the_dynamic_range() {
        let t = Target::named("linear", 20e-6, 600e-6, None, None).unwrap();
        let e = design(&spec(t, 9)).unwrap_err();
        assert!(e.to_string().contains("breakdown"), "{e}");
    }
}
