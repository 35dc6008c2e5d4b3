//! The wall's physics: pinning landscapes, stray-field regions, the resolved model constants,
//! the drive, and the forces, rates and energy of the (q, phi) equations.

use super::lanes::Folded;
use super::MU_B;
use crate::device::PulseShape;
use crate::geometry::WidthProfile;
use crate::material::{Material, E_CHARGE, GAMMA, HBAR, KB};
use crate::units::MU0;
use rand::Rng;
use rand_distr::StandardNormal;
use std::f64::consts::{LN_2, PI};

/// A pinning contribution, as an energy landscape V(q) entering through f_pin = V'(q) / (2S).
#[derive(Clone, Debug, PartialEq)]
pub enum Pinning {
    /// V = V0 sin^2(pi q / p), parameterised by its depinning field H_dep = pi V0/(2 mu0 M S p).
    Periodic {
        /// Depinning field H_dep, A/m.
        h_dep: f64,
        /// Period p, m.
        period: f64,
    },
    /// Harmonic well V = k q^2 / 2 (J/m^2), e.g. a notch; used for equipartition checks.
    Harmonic {
        /// Stiffness k, J/m^2.
        stiffness: f64,
    },
    /// Quenched random landscape: an equivalent field profile H_r(q) (A/m) on a grid
    /// x_k = x0 + k dx, linearly interpolated; f_pin = -mu0 |M| H_r(q).
    Random {
        /// Position of the first grid point, m.
        x0: f64,
        /// Grid spacing, m.
        dx: f64,
        /// Equivalent field H_r at each grid point, A/m.
        field: Vec<f64>,
    },
}

impl Pinning {
    /// A random landscape with rms field `rms` and correlation length `xi` over [0, length]:
    /// white noise smoothed by a Gaussian kernel of width xi, rescaled to the rms.
    pub fn random<R: Rng>(length: f64, rms: f64, xi: f64, rng: &mut R) -> Self {
        let dx = xi / 8.0;
        let pad = (4.0 * xi / dx).ceil() as usize;
        let n = (length / dx).ceil() as usize + 1;
        let white: Vec<f64> = (0..n + 2 * pad).map(|_| rng.sample(StandardNormal)).collect();
        let kernel: Vec<f64> = (0..=2 * pad)
            .map(|k| (-((k as f64 - pad as f64) * dx / xi).powi(2) / 2.0).exp())
            .collect();
        let mut field: Vec<f64> = (0..n)
            .map(|i| kernel.iter().enumerate().map(|(k, w)| w * white[i + k]).sum())
            .collect();
        let mean = field.iter().sum::<f64>() / n as f64;
        let var = field.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n as f64;
        let s = if var > 0.0 { rms / var.sqrt() } else { 0.0 };
        for v in &mut field {
            *v = (*v - mean) * s;
        }
        Pinning::Random { x0: 0.0, dx, field }
    }
}

/// A region of perpendicular stray field (an MTJ footprint): H_z += h on [x0, x1].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct StrayRegion {
    /// Start of the region, m.
    pub x0: f64,
    /// End of the region, m.
    pub x1: f64,
    /// Perpendicular field added on [x0, x1], A/m.
    pub h: f64,
}

/// The wall's constants, resolved from a material and a wire.
#[derive(Clone, Debug, PartialEq)]
pub struct WallModel {
    /// Q = +1 (up/down) or -1 (down/up).
    pub q_sign: f64,
    /// Wall-width parameter Delta, m.
    pub delta: f64,
    /// Gilbert damping alpha.
    pub alpha: f64,
    /// Net spin density s_net (J s/m^3).
    pub s_net: f64,
    /// Total spin density s_tot (J s/m^3).
    pub s_tot: f64,
    /// Signed net magnetisation along the Neel vector (A/m).
    pub m_net: f64,
    /// Neel-Bloch anisotropy energy density K_D = mu0 H_K |M_net| / 2, J/m^3.
    pub k_d: f64,
    /// Interfacial DMI constant D, J/m^2.
    pub dmi: f64,
    /// Wall energy density at rest without fields and DMI, 4 sqrt(A K_eff), J/m^2.
    pub sigma0: f64,
    /// Free-layer thickness t_F, m.
    pub t_fm: f64,
    /// Heavy-metal thickness t_HM, m.
    pub t_hm: f64,
    /// c_J per unit HM current density (J/m^3 per A/m^2).
    pub c_j_per_j: f64,
    /// Field-like / damping-like SOT ratio r_FL.
    pub fl_ratio: f64,
    /// b_J per unit HM current density (J/m^2 per A/m^2).
    pub b_j_per_j: f64,
    /// Non-adiabatic STT parameter beta.
    pub beta: f64,
    /// Add the Oersted field of the heavy-metal current.
    pub oersted: bool,
    /// Wire width profile; S(q) = w(q) t_F and J_HM(q) scales as w_ref / w(q). Set with
    /// [`WallModel::set_width`].
    width: WidthProfile,
    /// Width at which the drive's current density is given.
    pub(super) reference_width: f64,
    /// Some(w) when the wire is uniform: skips the profile lookups on the hot path.
    pub(super) uniform: Option<f64>,
    /// Slopes at the profile's nodes (central differences), linearly interpolated so that the
    /// taper/edge force is continuous (a kinked force makes a pinned wall chatter).
    node_slopes: Vec<f64>,
    /// A heavy-metal width profile separate from the magnetic wire (the analog CoTb device
    /// shapes only the Pt): J_HM(q) = J_ref w_ref / w_HM(q), while S stays from `width`.
    pub(super) hm_profile: Option<WidthProfile>,
    /// Pinning contributions, summed.
    pub pinning: Vec<Pinning>,
    /// Regions of perpendicular stray field.
    pub stray: Vec<StrayRegion>,
    /// Temperature, K (0 = no thermal noise).
    pub temperature: f64,
}

/// Time-dependent drive: HM current density (at the reference width) times a pulse shape, and
/// constant applied fields (A/m).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Drive {
    /// HM current density at the reference width at the pulse's plateau, A/m^2.
    pub current_density: f64,
    /// Shape of the current pulse.
    pub pulse: PulseShape,
    /// Applied in-plane field H_x (along the wire), A/m.
    pub hx: f64,
    /// Applied in-plane field H_y (across the wire), A/m.
    pub hy: f64,
    /// Applied perpendicular field H_z, A/m.
    pub hz: f64,
}

impl Drive {
    /// A current pulse with no applied fields.
    pub fn current(current_density: f64, pulse: PulseShape) -> Self {
        Self {
            current_density,
            pulse,
            hx: 0.0,
            hy: 0.0,
            hz: 0.0,
        }
    }

    /// HM current density at the reference width at time t (s), A/m^2; 0 when the pulse has no width.
    #[inline]
    pub fn j_at(&self, t: f64) -> f64 {
        if self.pulse.width <= 0.0 {
            0.0
        } else {
            self.current_density * self.pulse.shape(t)
        }
    }

    /// Times where the drive has kinks: integrate across them piecewise.
    pub fn breakpoints(&self) -> Vec<f64> {
        let p = &self.pulse;
        let plateau_end = p.rise + p.width - 0.5 * (p.rise + p.fall);
        let mut v = vec![p.rise, plateau_end, p.duration()];
        v.retain(|&t| t > 0.0);
        v.dedup_by(|a, b| (*a - *b).abs() < 1e-18);
        v
    }
}

impl WallModel {
    /// A wall in a uniform wire of width `width`, all terms from the material. Terms the
    /// material does not set (fl_dl_ratio, polarization, beta = 0; no pinning; T = 0) are off.
    pub fn from_material(m: &Material, width: f64, q_sign: f64) -> Self {
        let delta = m.wall_width();
        let (m_net, s_net, s_tot) = if m.is_ferrimagnet() {
            let gamma_tm = m.g_tm * MU_B / HBAR;
            let gamma_re = m.g_re * MU_B / HBAR;
            let (s_tm, s_re) = (m.ms_tm / gamma_tm, m.ms_re / gamma_re);
            (m.ms_tm - m.ms_re, s_tm - s_re, s_tm + s_re)
        } else {
            (m.ms, m.ms / GAMMA, m.ms / GAMMA)
        };
        let h_k = if m.h_k.is_finite() {
            m.h_k
        } else {
            m.t_fm * LN_2 / (PI * delta) * m_net.abs()
        };
        let j_fm_per_j = if m.polarization > 0.0 && m.rho_fm.is_finite() && m.rho_hm.is_finite() {
            m.rho_hm / m.rho_fm
        } else {
            0.0
        };
        WallModel {
            q_sign,
            delta,
            alpha: m.alpha,
            s_net,
            s_tot,
            m_net,
            k_d: MU0 * h_k * m_net.abs() / 2.0,
            dmi: m.dmi,
            sigma0: 4.0 * (m.a_ex * m.k_eff).sqrt(),
            t_fm: m.t_fm,
            t_hm: m.t_hm,
            c_j_per_j: HBAR * m.theta_sh / (2.0 * E_CHARGE * m.t_fm),
            fl_ratio: m.fl_dl_ratio,
            b_j_per_j: -HBAR * m.polarization * j_fm_per_j / (2.0 * E_CHARGE),
            beta: m.beta,
            oersted: false,
            width: WidthProfile::constant(1.0, width),
            reference_width: width,
            uniform: Some(width),
            node_slopes: vec![0.0, 0.0],
            hm_profile: None,
            pinning: Vec::new(),
            stray: Vec::new(),
            temperature: 0.0,
        }
    }

    /// Use a shaped wire: the drive's current density refers to `reference_width`.
    pub fn set_width(&mut self, profile: WidthProfile, reference_width: f64) {
        let uniform = profile.max_width() - profile.min_width() <= 1e-15 * profile.max_width();
        self.uniform = if uniform { Some(profile.min_width()) } else { None };
        let nodes: Vec<(f64, f64)> = profile.nodes().collect();
        let k = nodes.len();
        self.node_slopes = (0..k)
            .map(|i| {
                let (a, b) = (i.saturating_sub(1), (i + 1).min(k - 1));
                (nodes[b].1 - nodes[a].1) / (nodes[b].0 - nodes[a].0)
            })
            .collect();
        self.width = profile;
        self.reference_width = reference_width;
    }

    /// Shape only the heavy metal: J_HM(q) = J_ref * reference_width / w_HM(q); the magnetic
    /// wire (and so S and the geometric force) keeps its own width.
    pub fn set_hm_width(&mut self, profile: WidthProfile, reference_width: f64) {
        self.hm_profile = Some(profile);
        self.reference_width = reference_width;
    }

    /// The wire's width profile.
    pub fn width_profile(&self) -> &WidthProfile {
        &self.width
    }

    /// Width at which the drive's current density is given, m.
    pub fn reference_width(&self) -> f64 {
        self.reference_width
    }

    #[inline]
    fn width_at(&self, q: f64) -> f64 {
        match self.uniform {
            Some(w) => w,
            None => self.width.width(q),
        }
    }

    #[inline]
    fn slope_at(&self, q: f64) -> f64 {
        match self.uniform {
            Some(_) => 0.0,
            None => {
                // Linear interpolation of the nodal slopes: continuous in q.
                let n = self.node_slopes.len();
                let len = self.width.length();
                let q = q.clamp(0.0, len);
                let k = self.width.segment_index(q);
                let (x0, x1) = self.width.segment_bounds(k);
                let t = if x1 > x0 { (q - x0) / (x1 - x0) } else { 0.0 };
                let (s0, s1) = (self.node_slopes[k.min(n - 1)], self.node_slopes[(k + 1).min(n - 1)]);
                s0 + t * (s1 - s0)
            }
        }
    }

    /// Heavy-metal current density at the wall position.
    pub fn j_hm(&self, q: f64, t: f64, drive: &Drive) -> f64 {
        if let Some(hm) = &self.hm_profile {
            return drive.j_at(t) * self.reference_width / hm.width(q);
        }
        match self.uniform {
            Some(w) if (w - self.reference_width).abs() <= 1e-15 * w => drive.j_at(t),
            _ => drive.j_at(t) * self.reference_width / self.width_at(q),
        }
    }

    /// sigma(phi) without the field terms' time dependence (fields passed in).
    pub fn sigma(&self, phi: f64, hx: f64, hy: f64) -> f64 {
        let (sp, cp) = phi.sin_cos();
        self.sigma_cs(cp, sp, hx, hy)
    }

    fn sigma_cs(&self, cp: f64, sp: f64, hx: f64, hy: f64) -> f64 {
        let q = self.q_sign;
        self.sigma0 + 2.0 * self.k_d * self.delta * cp * cp
            - q * PI * self.dmi * cp
            - PI * MU0 * self.m_net * self.delta * (hx * cp + hy * sp)
    }

    /// Right-hand side on the extended state (q, phi, cos phi, sin phi): phi is integrated for
    /// reporting (unwrapped), cos and sin follow d(cos)/dt = -sin phidot, d(sin)/dt = cos phidot,
    /// so the forces need no trigonometric call.
    #[inline]
    pub fn rhs_cs(&self, t: f64, y: &[f64; 4], drive: &Drive) -> [f64; 4] {
        let k = self.folded();
        let (fa, fb) = k.forces_at(&self.force_inputs(t, y[0], y[2], y[3], drive), y[2], y[3]);
        let (qd, pd) = k.rates(fa, fb);
        [qd, pd, -y[3] * pd, y[2] * pd]
    }

    /// Pinning energy V_pin(q) per 2S... returns (V(q), V'(q)) in J and J/m.
    fn pin_energy(&self, q: f64) -> (f64, f64) {
        let s = self.width_at(q) * self.t_fm;
        let m = self.m_net.abs();
        let mut v = (0.0, 0.0);
        for p in &self.pinning {
            match p {
                Pinning::Periodic { h_dep, period } => {
                    let v0 = 2.0 * MU0 * m * s * period * h_dep / PI;
                    v.0 += v0 * (PI * q / period).sin().powi(2);
                    v.1 += v0 * PI / period * (2.0 * PI * q / period).sin();
                }
                Pinning::Harmonic { stiffness } => {
                    v.0 += 0.5 * stiffness * q * q;
                    v.1 += stiffness * q;
                }
                Pinning::Random { x0, dx, field } => {
                    let u = ((q - x0) / dx).clamp(0.0, (field.len() - 1) as f64);
                    let k = (u.floor() as usize).min(field.len().saturating_sub(2));
                    let f = u - k as f64;
                    let h = field[k] * (1.0 - f) + field.get(k + 1).copied().unwrap_or(field[k]) * f;
                    // Force -mu0 |M| H_r per unit volume -> V' = 2 S mu0 |M| H_r.
                    v.1 += 2.0 * s * MU0 * m * h;
                }
            }
        }
        v
    }

    fn stray_field(&self, q: f64) -> f64 {
        self.stray.iter().filter(|r| q >= r.x0 && q <= r.x1).map(|r| r.h).sum()
    }

    /// Generalised forces (F_A, F_B) in J/m^3 at (t, q, phi).
    pub fn forces(&self, t: f64, q: f64, phi: f64, drive: &Drive) -> (f64, f64) {
        let (sp, cp) = phi.sin_cos();
        self.forces_cs(t, q, cp, sp, drive)
    }

    /// [`WallModel::forces`] with cos(phi) and sin(phi) given: no trigonometric call.
    pub fn forces_cs(&self, t: f64, q: f64, cp: f64, sp: f64, drive: &Drive) -> (f64, f64) {
        self.folded().forces_at(&self.force_inputs(t, q, cp, sp, drive), cp, sp)
    }

    /// The position- and time-dependent inputs of the forces (lookups and branches).
    #[inline]
    pub(super) fn force_inputs(&self, t: f64, q: f64, cp: f64, sp: f64, drive: &Drive) -> ForceInputs {
        let j = self.j_hm(q, t, drive);
        let hz = if self.stray.is_empty() {
            drive.hz
        } else {
            drive.hz + self.stray_field(q)
        };
        let hy = drive.hy + if self.oersted { -j * self.t_hm / 2.0 } else { 0.0 };
        let (f_pin, f_geo) = if self.uniform.is_some() && self.pinning.is_empty() {
            (0.0, 0.0)
        } else {
            let w = self.width_at(q);
            let dw = self.slope_at(q);
            let f_geo = if dw == 0.0 {
                0.0
            } else {
                self.sigma_cs(cp, sp, drive.hx, hy) * dw / (2.0 * w)
            };
            let f_pin = if self.pinning.is_empty() {
                0.0
            } else {
                let s = w * self.t_fm;
                self.pin_energy(q).1 / (2.0 * s)
            };
            (f_pin, f_geo)
        };
        ForceInputs {
            j,
            hx: drive.hx,
            hy,
            hz,
            f_pin,
            f_geo,
        }
    }

    /// The constants of the forces and rates folded together (see [`Folded`]).
    pub(super) fn folded(&self) -> Folded {
        let qs = self.q_sign;
        let (a, sn, st) = (self.alpha, self.s_net, self.s_tot);
        let den = a * a * st * st + sn * sn;
        Folded {
            a_hz: qs * MU0 * self.m_net,
            a_jc: qs * PI / 2.0 * self.c_j_per_j,
            a_j: self.beta * self.b_j_per_j / self.delta,
            b_sc: -2.0 * qs * self.k_d,
            b_h: -qs * PI / 2.0 * MU0 * self.m_net,
            b_s: PI / 2.0 * self.dmi / self.delta,
            b_jc: -qs * PI / 2.0 * self.fl_ratio * self.c_j_per_j,
            b_j: self.b_j_per_j / self.delta,
            q_a: self.delta * a * st / den,
            q_b: self.delta * sn / den,
            p_a: qs * sn / den,
            p_b: -qs * a * st / den,
        }
    }

    /// The equations' constants for a uniform wire, for writing the model into another solver
    /// (a circuit simulator): see [`RateConstants`].
    pub fn rate_constants(&self) -> RateConstants {
        let k = self.folded();
        RateConstants {
            a_hz: k.a_hz,
            a_jc: k.a_jc,
            a_j: k.a_j,
            b_sc: k.b_sc,
            b_h: k.b_h,
            b_s: k.b_s,
            b_jc: k.b_jc,
            b_j: k.b_j,
            q_a: k.q_a,
            q_b: k.q_b,
            p_a: k.p_a,
            p_b: k.p_b,
        }
    }

    /// (qdot, phidot) for forces (F_A, F_B).
    pub fn rates(&self, fa: f64, fb: f64) -> (f64, f64) {
        self.folded().rates(fa, fb)
    }

    /// Deterministic right-hand side.
    pub fn rhs(&self, t: f64, y: &[f64; 2], drive: &Drive) -> [f64; 2] {
        let k = self.folded();
        let (sp, cp) = y[1].sin_cos();
        let (fa, fb) = k.forces_at(&self.force_inputs(t, y[0], cp, sp, drive), cp, sp);
        let (qd, pd) = k.rates(fa, fb);
        [qd, pd]
    }

    /// Wall energy E(q, phi) (J) for a uniform wire at fields (hx, hy, hz), docs/physics.md 2.2.
    pub fn energy(&self, q: f64, phi: f64, hx: f64, hy: f64, hz: f64) -> f64 {
        let s = self.reference_width * self.t_fm;
        s * self.sigma(phi, hx, hy) - 2.0 * MU0 * self.m_net * s * self.q_sign * hz * q + self.pin_energy(q).0
    }

    /// Standard deviation of each thermal force for a step dt (J/m^3).
    pub fn thermal_force_std(&self, q: f64, dt: f64) -> f64 {
        if self.temperature <= 0.0 {
            return 0.0;
        }
        let s = self.width_at(q) * self.t_fm;
        (self.alpha * self.s_tot * KB * self.temperature / (s * self.delta * dt)).sqrt()
    }

    /// Equilibrium angle at rest without current: the minimum of sigma(phi) at (hx, hy).
    pub fn equilibrium_phi(&self, hx: f64, hy: f64) -> f64 {
        let n = 7200;
        let (mut best, mut phi0) = (f64::INFINITY, 0.0);
        for k in 0..n {
            let p = -PI + 2.0 * PI * f64::from(k) / f64::from(n);
            let e = self.sigma(p, hx, hy);
            if e < best - 1e-300 {
                best = e;
                phi0 = p;
            }
        }
        // Newton on d sigma / d phi with numerical derivatives, from the grid minimum.
        let mut p = phi0;
        let h = 1e-5;
        for _ in 0..50 {
            let d1 = (self.sigma(p + h, hx, hy) - self.sigma(p - h, hx, hy)) / (2.0 * h);
            let d2 = (self.sigma(p + h, hx, hy) - 2.0 * self.sigma(p, hx, hy) + self.sigma(p - h, hx, hy)) / (h * h);
            if d2 <= 0.0 {
                break;
            }
            let step = d1 / d2;
            p -= step;
            if step.abs() < 1e-14 {
                break;
            }
        }
        p
    }
}

/// The (q, phi) equations of a wall in a uniform wire with every model constant folded in (SI):
/// ```text
/// F_A = a_hz H_z + a_jc J cos(phi) + a_j J - f_pin(q)
/// F_B = b_sc sin(phi) cos(phi) + b_h (H_y cos(phi) - H_x sin(phi)) + b_s sin(phi) + b_jc J cos(phi) + b_j J
/// qdot = q_a F_A + q_b F_B,   phidot = p_a F_A + p_b F_B
/// ```
/// with J the heavy-metal current density (A/m^2), fields in A/m, f_pin = V_pin'(q)/(2S) (J/m^3);
/// exactly what [`WallModel::rhs`] evaluates for a uniform wire without the Oersted field.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub struct RateConstants {
    /// F_A per H_z (J/m^3 per A/m).
    pub a_hz: f64,
    /// F_A per J cos(phi): the damping-like SOT.
    pub a_jc: f64,
    /// F_A per J: the non-adiabatic STT.
    pub a_j: f64,
    /// F_B per sin(phi) cos(phi): the Neel-Bloch anisotropy.
    pub b_sc: f64,
    /// F_B per (H_y cos(phi) - H_x sin(phi)).
    pub b_h: f64,
    /// F_B per sin(phi): the DMI.
    pub b_s: f64,
    /// F_B per J cos(phi): the field-like SOT.
    pub b_jc: f64,
    /// F_B per J: the adiabatic STT.
    pub b_j: f64,
    /// qdot per F_A (m/s per J/m^3).
    pub q_a: f64,
    /// qdot per F_B.
    pub q_b: f64,
    /// phidot per F_A (rad/s per J/m^3).
    pub p_a: f64,
    /// phidot per F_B.
    pub p_b: f64,
}

/// The inputs of the forces at one (t, q): HM current density, fields, pinning and taper forces.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct ForceInputs {
    pub(super) j: f64,
    pub(super) hx: f64,
    pub(super) hy: f64,
    pub(super) hz: f64,
    pub(super) f_pin: f64,
    pub(super) f_geo: f64,
}
