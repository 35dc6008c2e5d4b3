//! The scaled device of the device paper's Discussion: tunnel-barrier resistance against MgO
//! thickness, and the retention of a scaled free-layer footprint (docs/physics.md 12).
//!
//! Tunnelling through a barrier of thickness t decays exponentially (Simmons; the WKB decay
//! constant of MgO): RA(t) = RA_ref exp((t - t_ref)/lambda). Two measured points fix RA_ref and
//! lambda; a junction of area A reads R = RA/A, and the thickness for a resistance R is
//! t = t_ref + lambda ln(R A / RA_ref).
//!
//! Retention: the stored state is lost when the footprint's free layer reverses over its
//! energy barrier E_b, at the Neel-Arrhenius rate exp(-Delta)/tau_0 with Delta = E_b / kB T.
//! A footprint of length L along a wire of width w and free-layer thickness t_F reverses either
//! coherently, E_coh = K_eff L w t_F, or through a wall across it, E_wall = sigma_w min(L, w) t_F
//! (sigma_w = 4 sqrt(A K_eff) - pi |D| cos phi, the wall energy); the lower barrier wins:
//! E_b = min(E_coh, E_wall). The mean retention time is tau_0 exp(Delta); ten years at tau_0 = 1 ns
//! needs Delta = ln(3.156e17) = 40.3.

use crate::material::{Material, KB};

/// Ten years, s (the MRAM retention benchmark).
pub const TEN_YEARS_S: f64 = 10.0 * 365.25 * 86400.0;

/// RA(t) = RA_ref exp((t - t_ref)/lambda), SI (Ohm m^2, m).
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub struct TunnelBarrier {
    /// Reference thickness, m.
    pub t_ref: f64,
    /// RA at the reference thickness, Ohm m^2.
    pub ra_ref: f64,
    /// Decay length lambda, m.
    pub decay: f64,
}

impl TunnelBarrier {
    /// The exponential through two measured points (t1, RA1), (t2, RA2), t2 > t1.
    pub fn from_points(t1: f64, ra1: f64, t2: f64, ra2: f64) -> Self {
        Self {
            t_ref: t1,
            ra_ref: ra1,
            decay: (t2 - t1) / (ra2 / ra1).ln(),
        }
    }

    /// CoFeB/MgO: 10 Ohm um^2 at 1.0 nm (the usual STT-MRAM barrier, an assumed anchor) and
    /// 176 kOhm um^2 at 2.8 nm (CoFeB/MgO junctions for electric-field switching with a 2.8 nm
    /// barrier, measured): lambda = 0.184 nm, a decade per 0.42 nm.
    pub fn cofeb_mgo() -> Self {
        Self::from_points(1.0e-9, 10e-12, 2.8e-9, 176e3 * 1e-12)
    }

    /// RA at thickness t, Ohm m^2.
    pub fn ra(&self, t: f64) -> f64 {
        self.ra_ref * ((t - self.t_ref) / self.decay).exp()
    }

    /// P-state resistance of a junction of area `area` at thickness t, Ohm.
    pub fn resistance(&self, t: f64, area: f64) -> f64 {
        self.ra(t) / area
    }

    /// Thickness that gives resistance r for a junction of area `area`, m.
    pub fn thickness_for(&self, r: f64, area: f64) -> f64 {
        self.t_ref + self.decay * (r * area / self.ra_ref).ln()
    }
}

/// The thermal stability of a footprint.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub struct Retention {
    /// Coherent-reversal barrier K_eff L w t_F, J.
    pub coherent_barrier_j: f64,
    /// Wall-mediated barrier sigma_w min(L, w) t_F, J.
    pub wall_barrier_j: f64,
    /// Delta = min(barriers) / kB T.
    pub delta: f64,
    /// Mean retention time tau_0 exp(Delta), s.
    pub time_s: f64,
    /// Whether the retention time reaches ten years.
    pub ten_years: bool,
}

/// Retention of a footprint of `length` x `width` of `material`'s free layer at `temperature`.
pub fn retention(material: &Material, length: f64, width: f64, temperature: f64, attempt_time: f64) -> Retention {
    let t_f = material.t_fm;
    let coherent = material.k_eff * length * width * t_f;
    let wall = material.wall_energy().max(0.0) * length.min(width) * t_f;
    let delta = coherent.min(wall) / (KB * temperature);
    let time = attempt_time * delta.exp();
    Retention {
        coherent_barrier_j: coherent,
        wall_barrier_j: wall,
        delta,
        time_s: time,
        ten_years: time >= TEN_YEARS_S,
    }
}

/// Delta needed for a mean retention time `time` at attempt time `attempt_time`.
pub fn delta_for(time: f64, attempt_time: f64) -> f64 {
    (time / attempt_time).ln()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::material::find_builtin;

    #[test]
    fn barrier_passes_through_its_anchors_and_inverts() {
        let b = TunnelBarrier::cofeb_mgo();
        assert!((b.ra(1.0e-9) / 10e-12 - 1.0).abs() < 1e-12);
        assert!((b.ra(2.8e-9) / 176e-9 - 1.0).abs() < 1e-12);
        assert!((b.decay - 0.1841e-9).abs() < 0.0005e-9, "{}", b.decay);
        let area = 20e-9 * 10e-9;
        for t in [1.2e-9, 1.6e-9, 1.8e-9] {
            assert!((b.thickness_for(b.resistance(t, area), area) - t).abs() < 1e-20);
        }
    }

    #[test]
    fn delta_is_the_lower_barrier_over_kt() {
        // Ta/CoFeB: K_eff 3e5 J/m^3, t_F 1 nm. A 20 x 25 nm footprint: K V = 1.5e-19 J, sigma_w
        // 20 nm 1 nm = 8.5e-3 * 2e-17 = 1.7e-19 J; the coherent barrier is lower: Delta = 36.2.
        let m = find_builtin("ta-cofeb-mgo").unwrap();
        let r = retention(&m, 20e-9, 25e-9, 300.0, 1e-9);
        let kv = m.k_eff * 20e-9 * 25e-9 * m.t_fm;
        assert!((r.coherent_barrier_j - kv).abs() < 1e-30);
        assert!((r.delta - r.coherent_barrier_j.min(r.wall_barrier_j) / (KB * 300.0)).abs() < 1e-9);
        assert!((r.time_s - 1e-9 * r.delta.exp()).abs() <= 1e-12 * r.time_s);
        // Wide footprints switch through a wall: the barrier stops growing with the area.
        let wide = retention(&m, 200e-9, 400e-9, 300.0, 1e-9);
        assert!(wide.wall_barrier_j < wide.coherent_barrier_j);
        assert!((delta_for(TEN_YEARS_S, 1e-9) - 40.29).abs() < 0.01);
    }
}
