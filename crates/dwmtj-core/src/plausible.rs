//! Plausible ranges of physical quantities, checked where every quantity is converted to SI
//! ([`crate::quantity::RawQuantity::to_si`]): a value whose magnitude lies outside the range of
//! its dimension (zero is always allowed) is a likely slip (a bare `length = 14.5` is 14.5 m, a
//! field of 1e6 Oe is 100 T), so it is refused with the range and, for a bare number, the units
//! that would make it plausible.
//!
//! | dimension | plausible magnitude |
//! |---|---|
//! | length | 0.01 nm to 1 mm |
//! | time | 1 fs to 10 s |
//! | current | 1 pA to 1 A |
//! | current density | up to 1e14 A/m^2 |
//! | field H | up to 8e6 A/m (10 T) |
//! | flux density B | up to 10 T |
//! | resistance-area product | 1e-3 to 1e6 Ohm*um^2 |
//! | resistivity | 1e-2 to 1e6 uOhm*cm |
//! | resistance | 1 mOhm to 1 TOhm |
//! | voltage | up to 100 V |
//! | temperature | up to 10000 K |
//! | energy density | up to 1e8 J/m^3 |
//! | exchange stiffness | 1e-14 to 1e-9 J/m |
//! | surface energy (DMI) | up to 0.1 J/m^2 |
//! | velocity | up to 1e7 m/s (1e6 m/s stands for instant crossing) |
//!
//! Dimensionless quantities have per-field ranges where they are validated. A user who means a
//! value outside these ranges turns the check off for the process with [`set_enforced`]
//! (`dwmtj --allow-implausible ...`); the hard physical limits (signs, fractions) still hold.

use crate::error::ConfigError;
use crate::units::Dim;
use std::sync::atomic::{AtomicBool, Ordering};

static ENFORCED: AtomicBool = AtomicBool::new(true);

/// Turn the plausibility check on or off for this process (on by default).
pub fn set_enforced(on: bool) {
    ENFORCED.store(on, Ordering::Relaxed);
}

/// Whether values outside the plausible ranges are refused.
pub fn enforced() -> bool {
    ENFORCED.load(Ordering::Relaxed)
}

/// The plausible range of one dimension: smallest non-zero and largest magnitude, as text, and
/// the units a bare number was probably meant in.
struct Span {
    lo: f64,
    hi: f64,
    text: &'static str,
    units: &'static [(&'static str, f64)],
}

fn span(dim: Dim) -> Option<Span> {
    let s = |lo, hi, text, units| Some(Span { lo, hi, text, units });
    match dim {
        Dim::LENGTH => s(1e-11, 1e-3, "0.01 nm to 1 mm", &[("nm", 1e-9), ("um", 1e-6)]),
        Dim::TIME => s(1e-15, 10.0, "1 fs to 10 s", &[("ps", 1e-12), ("ns", 1e-9), ("us", 1e-6)]),
        Dim::CURRENT => s(1e-12, 1.0, "1 pA to 1 A", &[("uA", 1e-6), ("mA", 1e-3)]),
        Dim::CURRENT_DENSITY => s(0.0, 1e14, "up to 1e14 A/m^2", &[]),
        Dim::FIELD => s(0.0, 8e6, "up to 8e6 A/m (10 T)", &[("Oe", 1e3 / (4.0 * std::f64::consts::PI))]),
        Dim::FLUX_DENSITY => s(0.0, 10.0, "up to 10 T", &[("mT", 1e-3)]),
        Dim::RESISTANCE_AREA => s(1e-15, 1e-6, "1e-3 to 1e6 Ohm*um^2", &[("Ohm*um^2", 1e-12)]),
        Dim::RESISTIVITY => s(1e-10, 1e-2, "1e-2 to 1e6 uOhm*cm", &[("uOhm*cm", 1e-8)]),
        Dim::RESISTANCE => s(1e-3, 1e12, "1 mOhm to 1 TOhm", &[("kOhm", 1e3)]),
        Dim::VOLTAGE => s(0.0, 100.0, "up to 100 V", &[("mV", 1e-3)]),
        Dim::TEMPERATURE => s(0.0, 1e4, "up to 10000 K", &[]),
        Dim::ENERGY_DENSITY => s(0.0, 1e8, "up to 1e8 J/m^3", &[]),
        Dim::EXCHANGE => s(1e-14, 1e-9, "1e-14 to 1e-9 J/m", &[("pJ/m", 1e-12)]),
        Dim::SURFACE_ENERGY => s(0.0, 0.1, "up to 0.1 J/m^2", &[("mJ/m^2", 1e-3)]),
        Dim::VELOCITY => s(0.0, 1e7, "up to 1e7 m/s", &[]),
        _ => None,
    }
}

fn inside(sp: &Span, v: f64) -> bool {
    let a = v.abs();
    a == 0.0 || (a >= sp.lo && a <= sp.hi)
}

/// Refuse `value` (SI) of `field` if it is outside the plausible range of `dim`. `written` is
/// the value as the user wrote it; `bare` says it had no unit.
pub fn check(field: &str, written: &str, bare: bool, value: f64, dim: Dim) -> Result<(), ConfigError> {
    if !enforced() {
        return Ok(());
    }
    let Some(sp) = span(dim) else { return Ok(()) };
    if inside(&sp, value) {
        return Ok(());
    }
    let mut problem = format!("outside the plausible range of {} ({})", dim.describe(), sp.text);
    if bare {
        let guesses: Vec<String> = sp
            .units
            .iter()
            .filter(|(_, scale)| inside(&sp, value * scale))
            .map(|(u, _)| format!("\"{value} {u}\""))
            .collect();
        problem.push_str("; a bare number is in SI units");
        if !guesses.is_empty() {
            problem.push_str(&format!(": did you mean {}?", guesses.join(" or ")));
        }
    }
    problem.push_str(" (dwmtj --allow-implausible accepts it)");
    Err(ConfigError::field(field, written, problem))
}

/// A dimensionless ratio written as a bare number that was probably meant in percent (a TMR of
/// 44): refuse values above `max` and suggest "V %".
pub fn check_ratio(field: &str, written: &str, value: f64, max: f64) -> Result<(), ConfigError> {
    if !enforced() || value <= max {
        return Ok(());
    }
    let hint = if value * 0.01 <= max {
        format!("; did you mean \"{value} %\"?")
    } else {
        String::new()
    };
    Err(ConfigError::field(
        field,
        written,
        format!(
            "a ratio above {max} ({:.0} %) is implausible{hint} (dwmtj --allow-implausible accepts it)",
            max * 100.0
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slips_are_named_with_the_probable_unit() {
        let e = check("wire.length", "14.5", true, 14.5, Dim::LENGTH).unwrap_err().to_string();
        assert!(
            e.contains("\"14.5 nm\"") && e.contains("\"14.5 um\"") && e.contains("0.01 nm to 1 mm"),
            "{e}"
        );
        let e = check("bias.hz", "'-1e6 Oe'", false, -7.96e7, Dim::FIELD).unwrap_err().to_string();
        assert!(e.contains("10 T") && !e.contains("did you mean"), "{e}");
        let e = check_ratio("mtj.tmr", "44", 44.0, 10.0).unwrap_err().to_string();
        assert!(e.contains("\"44 %\""), "{e}");
        assert!(check("x", "0", true, 0.0, Dim::LENGTH).is_ok());
        assert!(check("x", "'415 nm'", false, 415e-9, Dim::LENGTH).is_ok());
        assert!(check("x", "3", true, 3.0, Dim::NONE).is_ok());
    }
}
