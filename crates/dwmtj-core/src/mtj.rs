//! MTJ readout (physics.md section 6).
//!
//! Each MTJ i has area A_i = length x width and parallel resistance-area product RA_P. With a
//! switched (antiparallel) area fraction f_i, conduction through the P and AP parts is parallel:
//!
//! ```text
//! G_i(V) = (A_i / RA_P) * [ (1 - f_i) + f_i / (1 + TMR(V)) ],   TMR(V) = TMR0 / (1 + V^2 / V_h^2)
//! ```
//!
//! All MTJs are read in parallel at a read current I_read (100 nA in the paper): the common bias
//! V solves V * G_total(V) = I_read. V * G_total(V) is strictly increasing in V (TMR falls with
//! V, so G rises), hence bisection finds the unique root.

/// One MTJ on the wire. All SI.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Mtj {
    /// Centre along the wire (m).
    pub position: f64,
    /// Footprint extent along the wire, the distance a local wall must cross (m).
    pub length: f64,
    /// Footprint extent across the wire (m).
    pub width: f64,
    /// Parallel-state resistance-area product (Ohm m^2).
    pub ra: f64,
    /// Zero-bias TMR (R_AP - R_P) / R_P.
    pub tmr: f64,
    /// Bias at which the TMR halves (V).
    pub tmr_half_voltage: f64,
    /// Reference-layer stray field at the free layer (A/m), along the reference direction
    /// (positive favours the P state).
    pub stray_field: f64,
}

impl Mtj {
    pub fn area(&self) -> f64 {
        self.length * self.width
    }

    pub fn tmr_at(&self, v: f64) -> f64 {
        self.tmr / (1.0 + (v / self.tmr_half_voltage).powi(2))
    }

    /// Conductance with switched fraction `f_ap` at bias `v`.
    pub fn conductance(&self, f_ap: f64, v: f64) -> f64 {
        self.area() / self.ra * ((1.0 - f_ap) + f_ap / (1.0 + self.tmr_at(v)))
    }

    pub fn conductance_p(&self) -> f64 {
        self.area() / self.ra
    }
}

/// Readout of all MTJs in parallel.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub struct Reading {
    pub conductance: f64,
    pub resistance: f64,
    pub voltage: f64,
}

/// Read all MTJs in parallel at `read_current` with switched fractions `f_ap`.
pub fn read_parallel(mtjs: &[Mtj], f_ap: &[f64], read_current: f64) -> Reading {
    let g = |v: f64| -> f64 { mtjs.iter().zip(f_ap).map(|(m, &f)| m.conductance(f, v)).sum() };
    // Bracket: at V = I/G(0) the product is >= I because G(V) >= G(0).
    let (mut lo, mut hi) = (0.0, read_current / g(0.0));
    for _ in 0..100 {
        let mid = 0.5 * (lo + hi);
        if mid * g(mid) < read_current {
            lo = mid;
        } else {
            hi = mid;
        }
        if hi - lo <= 1e-15 * hi {
            break;
        }
    }
    let v = 0.5 * (lo + hi);
    let conductance = g(v);
    Reading {
        conductance,
        resistance: 1.0 / conductance,
        voltage: v,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mtj() -> Mtj {
        Mtj {
            position: 0.0,
            length: 200e-9,
            width: 400e-9,
            ra: 20e-12,
            tmr: 0.44,
            tmr_half_voltage: 0.5,
            stray_field: 0.0,
        }
    }

    #[test]
    fn hand_calculation_single_mtj() {
        // A = 0.08 um^2, RA = 20 Ohm um^2 -> R_P = 250 Ohm; R_AP = 250 * 1.44 = 360 Ohm at low bias.
        let m = mtj();
        let p = read_parallel(std::slice::from_ref(&m), &[0.0], 100e-9);
        assert!((p.resistance - 250.0).abs() < 1e-9, "{}", p.resistance);
        let ap = read_parallel(&[m], &[1.0], 100e-9);
        // At 36 uV the TMR reduction is (36e-6/0.5)^2 ~ 5e-9: negligible.
        assert!((ap.resistance - 360.0).abs() < 1e-5, "{}", ap.resistance);
    }

    #[test]
    fn bias_dependence_halves_tmr() {
        let m = mtj();
        assert!((m.tmr_at(0.5) - 0.22).abs() < 1e-15);
        // A read current large enough to put V_h across an AP junction of 250 Ohm P:
        // self-consistent V solves V = I R_AP(V) with TMR(V); check the fixed point.
        let r = read_parallel(std::slice::from_ref(&m), &[1.0], 2e-3);
        let want = 1.0 / m.conductance(1.0, r.voltage);
        assert!((r.resistance - want).abs() < 1e-9 * want);
        assert!((r.voltage - 2e-3 * r.resistance).abs() < 1e-12);
    }

    #[test]
    fn parallel_conductances_add() {
        let m = mtj();
        let r = read_parallel(&[m.clone(), m.clone(), m], &[0.0, 0.5, 1.0], 100e-9);
        let g = 1.0 / 250.0 + 0.5 / 250.0 + 0.5 / 360.0 + 1.0 / 360.0;
        assert!((r.conductance - g).abs() < 1e-9 * g);
    }
}
