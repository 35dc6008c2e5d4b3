//! Write energy (docs/physics.md section 4).
//!
//! * A pulse of amplitude I and shape s(t) through the wire dissipates E = I^2 R_wire int s^2 dt;
//!   for a rectangular pulse of width tau, E = I^2 R tau = P tau.
//! * Scaled devices: I = J w t / f_HM through R = rho_eff L / (w t) gives
//!   E = (J/f_HM)^2 w t rho_eff L tau with rho_eff the parallel resistivity of the stack, i.e.
//!   E = J_eff^2 * volume * rho_eff * tau where J_eff is the mean density over the stack.
//!
//! The paper's "18-36 fJ" for 20 nm devices rises linearly from 2x to 4x the prototype current
//! density. E scales as J^2 at a fixed pulse, so the linear rise needs the pulse to shorten as
//! 1/J (fixed wall travel at velocity proportional to J); `project` reports both assumptions.

use crate::error::ConfigError;
use crate::units::Dim;
use crate::RawQuantity;

/// Energy of a rectangular pulse of power P through the wire: E = P tau.
pub fn energy_from_power(power: f64, width: f64) -> f64 {
    power * width
}

/// Current that dissipates `power` in `resistance`.
pub fn current_from_power(power: f64, resistance: f64) -> f64 {
    (power / resistance).sqrt()
}

/// Assumptions of a scaled-device projection (all SI).
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct ScalingAssumptions {
    /// Wire width, m.
    pub wire_width: f64,
    /// Total conducting thickness (HM + FM).
    pub thickness: f64,
    /// Effective (parallel) resistivity of the stack.
    pub resistivity: f64,
    /// Length of wire the write current flows through.
    pub length: f64,
    /// Prototype threshold current density (mean over the stack).
    pub base_current_density: f64,
    /// Multipliers of the threshold current density in the scaled wire.
    pub multipliers: Vec<f64>,
    /// Pulse width at the first multiplier.
    pub pulse_width: f64,
}

impl Default for ScalingAssumptions {
    /// docs/physics.md section 4: 25 nm wide, Ta 5 nm + CoFeB 1 nm (rho_eff 184 uOhm cm), nine MTJs
    /// at 46 nm pitch (L = 415 nm), J_th 0.7e11 A/m^2, 8 ns at 2x.
    fn default() -> Self {
        Self {
            wire_width: 25e-9,
            thickness: 6e-9,
            resistivity: 184e-8,
            length: 415e-9,
            base_current_density: 0.7e11,
            multipliers: vec![2.0, 4.0],
            pulse_width: 8e-9,
        }
    }
}

/// A projection as written (quantities with units); [`RawScaling::validate`] gives the
/// [`ScalingAssumptions`].
#[derive(Clone, Debug, serde::Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawScaling {
    /// Wire width (a length).
    pub width: RawQuantity,
    /// Total conducting thickness (HM + FM), a length.
    pub thickness: RawQuantity,
    /// Effective (parallel) resistivity of the stack.
    pub resistivity: RawQuantity,
    /// Length of wire the write current flows through.
    pub length: RawQuantity,
    /// Prototype threshold current density (mean over the stack).
    pub j_th: RawQuantity,
    /// Multipliers of the threshold current density in the scaled wire.
    pub multipliers: Vec<f64>,
    /// Pulse width at the first multiplier (a time).
    pub pulse: RawQuantity,
}

impl Default for RawScaling {
    fn default() -> Self {
        let q = |s: &str| RawQuantity::Text(s.into());
        Self {
            width: q("25 nm"),
            thickness: q("6 nm"),
            resistivity: q("184 uOhm*cm"),
            length: q("415 nm"),
            j_th: q("0.7e11 A/m^2"),
            multipliers: vec![2.0, 4.0],
            pulse: q("8 ns"),
        }
    }
}

impl RawScaling {
    /// Convert to SI and check every value is positive; field names are prefixed with `prefix`
    /// (`"--"` for command-line flags).
    pub fn validate(&self, prefix: &str) -> Result<ScalingAssumptions, ConfigError> {
        let q = |v: &RawQuantity, dim: Dim, name: &str| -> Result<f64, ConfigError> {
            let field = format!("{prefix}{}", name.replace('_', if prefix == "--" { "-" } else { "_" }));
            let x = v.to_si(dim, &field)?;
            if x > 0.0 {
                Ok(x)
            } else {
                Err(ConfigError::field(field, v.to_string(), "must be > 0"))
            }
        };
        if self.multipliers.is_empty() || self.multipliers.iter().any(|m| !(m.is_finite() && *m > 0.0)) {
            return Err(ConfigError::field(
                format!("{prefix}multipliers"),
                format!("{:?}", self.multipliers),
                "must be positive numbers, e.g. 2,4",
            ));
        }
        Ok(ScalingAssumptions {
            wire_width: q(&self.width, Dim::LENGTH, "width")?,
            thickness: q(&self.thickness, Dim::LENGTH, "thickness")?,
            resistivity: q(&self.resistivity, Dim::RESISTIVITY, "resistivity")?,
            length: q(&self.length, Dim::LENGTH, "length")?,
            base_current_density: q(&self.j_th, Dim::CURRENT_DENSITY, "j_th")?,
            multipliers: self.multipliers.clone(),
            pulse_width: q(&self.pulse, Dim::TIME, "pulse")?,
        })
    }
}

/// A projection: its assumptions and one row per current-density multiplier.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct ScalingReport {
    /// The assumptions projected.
    pub assumptions: ScalingAssumptions,
    /// One row per current-density multiplier, in the given order.
    pub scaled: Vec<ScaledEnergy>,
}

/// Project the write energy of the scaled device ([`project`]) into a report.
pub fn run(a: &ScalingAssumptions) -> ScalingReport {
    ScalingReport {
        assumptions: a.clone(),
        scaled: project(a),
    }
}

/// The write energy at one current-density multiplier.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct ScaledEnergy {
    /// Multiplier of the base threshold current density.
    pub multiplier: f64,
    /// Write current I = multiplier J_th w t, A.
    pub current_a: f64,
    /// Wire resistance rho_eff L / (w t), Ohm.
    pub resistance_ohm: f64,
    /// Same pulse width for every multiplier.
    pub energy_fixed_pulse_j: f64,
    /// Pulse shortened as 1/J (fixed wall travel), width at the first multiplier as given.
    pub pulse_scaled_s: f64,
    /// Energy with the shortened pulse, J.
    pub energy_scaled_pulse_j: f64,
}

/// Write current, resistance and energy at every multiplier, with the pulse fixed and with it
/// shortened as 1/J.
pub fn project(a: &ScalingAssumptions) -> Vec<ScaledEnergy> {
    let area = a.wire_width * a.thickness;
    let r = a.resistivity * a.length / area;
    let m0 = a.multipliers.first().copied().unwrap_or(1.0);
    a.multipliers
        .iter()
        .map(|&m| {
            let i = m * a.base_current_density * area;
            let tau_scaled = a.pulse_width * m0 / m;
            ScaledEnergy {
                multiplier: m,
                current_a: i,
                resistance_ohm: r,
                energy_fixed_pulse_j: i * i * r * a.pulse_width,
                pulse_scaled_s: tau_scaled,
                energy_scaled_pulse_j: i * i * r * tau_scaled,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paper_prototype_energies() {
        // docs/physics.md 4: 0.15 mW -> 0.170 mA, 1.20 pJ; 2.0 mW -> 0.620 mA, 16.0 pJ at 5.2 kOhm, 8 ns.
        assert!((current_from_power(0.15e-3, 5200.0) - 0.170e-3).abs() < 0.001e-3);
        assert!((current_from_power(2.0e-3, 5200.0) - 0.620e-3).abs() < 0.001e-3);
        assert!((energy_from_power(0.15e-3, 8e-9) - 1.2e-12).abs() < 1e-18);
        assert!((energy_from_power(2.0e-3, 8e-9) - 16e-12).abs() < 1e-18);
    }

    #[test]
    fn scaled_hand_calculation() {
        // E = J^2 w t rho L tau: (1.4e11)^2 * 25e-9 * 6e-9 * 184e-8 * 415e-9 * 8e-9.
        let p = project(&ScalingAssumptions::default());
        let want = (1.4e11f64).powi(2) * 25e-9 * 6e-9 * 184e-8 * 415e-9 * 8e-9;
        assert!((p[0].energy_fixed_pulse_j - want).abs() < 1e-9 * want);
        assert!((p[1].energy_fixed_pulse_j / p[0].energy_fixed_pulse_j - 4.0).abs() < 1e-12);
        assert!((p[1].energy_scaled_pulse_j / p[0].energy_scaled_pulse_j - 2.0).abs() < 1e-12);
    }
}
