//! 1D collective-coordinate (q, phi) model of one domain wall in a PMA wire driven by spin-orbit
//! torque, fields and spin-transfer torque (docs/physics.md sections 2 and 3; Thiaville et al. EPL
//! 100, 57002 (2012); Martinez et al. JAP 115, 213909 (2014); ferrimagnet: Siddiqui et al. PRL
//! 121, 057701 (2018), Oh & Lee J. Magn. 23, 196 (2018)).
//!
//! Written in the two-sublattice force form of docs/physics.md 3 (A', B'), which reduces exactly to
//! equations (A), (B) of section 2.3 for a ferromagnet (s_net = s_tot = Ms/gamma):
//!
//! ```text
//! (A') alpha s_tot qdot/Delta + Q s_net phidot = F_A
//! (B') s_net qdot/Delta - alpha s_tot Q phidot = F_B
//! F_A = Q mu0 M_net H_z(q,t) + Q (pi/2) c_J cos(phi) + beta b_J / Delta - f_pin(q) - f_geo(q, phi) + F_A,th
//! F_B = Q [ -K_D sin(2 phi) - (pi/2) mu0 M_net (H_y cos(phi) - H_x sin(phi)) ] + (pi/2) (D/Delta) sin(phi)
//!       - Q (pi/2) r_FL c_J cos(phi) + b_J / Delta + F_B,th
//! qdot   = Delta (alpha s_tot F_A + s_net F_B) / (alpha^2 s_tot^2 + s_net^2)
//! phidot = Q (s_net F_A - alpha s_tot F_B) / (alpha^2 s_tot^2 + s_net^2)
//! ```
//! with c_J = hbar theta_SH J_HM / (2 |e| t_F) (so mu0 Ms H_SL = c_J), K_D = mu0 H_K |M_net| / 2
//! (H_K = N_x |M_net|, N_x = t_F ln2/(pi Delta) unless set), b_J = -hbar P J_FM / (2 |e|) the
//! adiabatic STT (u = g mu_B P J_FM/(2 e Ms) along the electron flow; J_FM = J_HM rho_HM/rho_FM),
//! the Oersted field H_y,Oe = -J_HM t_HM / 2 at the free layer above the heavy metal, the
//! field-like SOT as r_FL c_J, f_pin = V_pin'(q)/(2S), and the geometric taper force
//! f_geo = sigma(phi) w'(q) / (2 w(q)) (docs/physics.md 2.4). D > 0 puts the up/down (Q = +1) wall at
//! phi = 0.
//!
//! Thermal noise (docs/physics.md 2.5, fluctuation-dissipation with Gamma = 2 alpha s_tot S/Delta):
//! independent white forces with <F_i F_j> = alpha s_tot kB T / (S Delta) delta_ij delta(t-t').
//!
//! Evaluation: the model constants are folded once per run (`Folded`: forces and rates are
//! then multiplications and additions only), deterministic runs integrate (q, phi, cos phi,
//! sin phi) so that no trigonometric call is needed, and [`run_deterministic_many`] integrates
//! many drives side by side in SIMD lanes ([`crate::integrate::lanes`]), each result bitwise
//! that of the run alone (tested on every force path).
//!
//! Energy (uniform wire, no drive): E = S sigma(phi) - 2 mu0 M_net S Q H_z q + V_pin(q), with
//! sigma(phi) = 4 sqrt(A K_eff) + 2 K_D Delta cos^2 phi - Q pi D cos phi
//!              - pi mu0 M_net Delta (H_x cos phi + H_y sin phi),
//! and F_A = -dE/dq / (2S), F_B = Q dE/dphi / (2 S Delta), so dE/dt <= 0 without drive.

use crate::device::PulseShape;
use crate::geometry::WidthProfile;
use crate::integrate::lanes::{dopri45_lanes, LaneJob, LaneOutcome, LaneSystem};
use crate::integrate::{dopri45, heun_step, Tolerances};
use crate::material::{Material, E_CHARGE, GAMMA, HBAR, KB};
use crate::units::MU0;
use rand::Rng;
use rand_distr::StandardNormal;
use std::f64::consts::{LN_2, PI};

/// Bohr magneton (J/T).
const MU_B: f64 = 9.274_010_078_3e-24;

/// The wall terms a run may set by name (`dwmtj dw --set KEY=VALUE`): sinusoidal pinning
/// (pin_field with pin_period), a random landscape (pin_rms with pin_correlation) and
/// self-affine edge roughness (roughness_rms, roughness_correlation, roughness_hurst).
pub const WALL_TERM_KEYS: [&str; 7] = [
    "pin_field",
    "pin_period",
    "pin_rms",
    "pin_correlation",
    "roughness_rms",
    "roughness_correlation",
    "roughness_hurst",
];

/// A pinning contribution, as an energy landscape V(q) entering through f_pin = V'(q) / (2S).
#[derive(Clone, Debug, PartialEq)]
pub enum Pinning {
    /// V = V0 sin^2(pi q / p), parameterised by its depinning field H_dep = pi V0/(2 mu0 M S p).
    Periodic { h_dep: f64, period: f64 },
    /// Harmonic well V = k q^2 / 2 (J/m^2), e.g. a notch; used for equipartition checks.
    Harmonic { stiffness: f64 },
    /// Quenched random landscape: an equivalent field profile H_r(q) (A/m) on a grid
    /// x_k = x0 + k dx, linearly interpolated; f_pin = -mu0 |M| H_r(q).
    Random { x0: f64, dx: f64, field: Vec<f64> },
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
    pub x0: f64,
    pub x1: f64,
    pub h: f64,
}

/// The wall's constants, resolved from a material and a wire.
#[derive(Clone, Debug, PartialEq)]
pub struct WallModel {
    /// Q = +1 (up/down) or -1 (down/up).
    pub q_sign: f64,
    pub delta: f64,
    pub alpha: f64,
    /// Net spin density s_net and total s_tot (J s/m^3).
    pub s_net: f64,
    pub s_tot: f64,
    /// Signed net magnetisation along the Neel vector (A/m).
    pub m_net: f64,
    pub k_d: f64,
    pub dmi: f64,
    pub sigma0: f64,
    pub t_fm: f64,
    pub t_hm: f64,
    /// c_J per unit HM current density (J/m^3 per A/m^2).
    pub c_j_per_j: f64,
    pub fl_ratio: f64,
    /// b_J per unit HM current density (J/m^2 per A/m^2).
    pub b_j_per_j: f64,
    pub beta: f64,
    /// Add the Oersted field of the heavy-metal current.
    pub oersted: bool,
    /// Wire width profile; S(q) = w(q) t_F and J_HM(q) scales as w_ref / w(q). Set with
    /// [`WallModel::set_width`].
    width: WidthProfile,
    /// Width at which the drive's current density is given.
    reference_width: f64,
    /// Some(w) when the wire is uniform: skips the profile lookups on the hot path.
    uniform: Option<f64>,
    /// Slopes at the profile's nodes (central differences), linearly interpolated so that the
    /// taper/edge force is continuous (a kinked force makes a pinned wall chatter).
    node_slopes: Vec<f64>,
    /// A heavy-metal width profile separate from the magnetic wire (the analog CoTb device
    /// shapes only the Pt): J_HM(q) = J_ref w_ref / w_HM(q), while S stays from `width`.
    hm_profile: Option<WidthProfile>,
    pub pinning: Vec<Pinning>,
    pub stray: Vec<StrayRegion>,
    pub temperature: f64,
}

/// Time-dependent drive: HM current density (at the reference width) times a pulse shape, and
/// constant applied fields (A/m).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Drive {
    pub current_density: f64,
    pub pulse: PulseShape,
    pub hx: f64,
    pub hy: f64,
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

    pub fn width_profile(&self) -> &WidthProfile {
        &self.width
    }

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
    fn force_inputs(&self, t: f64, q: f64, cp: f64, sp: f64, drive: &Drive) -> ForceInputs {
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
    fn folded(&self) -> Folded {
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

/// The inputs of the forces at one (t, q): HM current density, fields, pinning and taper forces.
#[derive(Clone, Copy, Debug, Default)]
struct ForceInputs {
    j: f64,
    hx: f64,
    hy: f64,
    hz: f64,
    f_pin: f64,
    f_geo: f64,
}

/// The forces and rates of the module docs with every model constant folded in, so that an
/// evaluation is multiplications and additions only:
/// F_A = a_hz H_z + a_jc J cos + a_j J - f_pin - f_geo,
/// F_B = b_sc sin cos + b_h (H_y cos - H_x sin) + b_s sin + b_jc J cos + b_j J,
/// qdot = q_a F_A + q_b F_B, phidot = p_a F_A + p_b F_B.
#[derive(Clone, Copy, Debug)]
struct Folded {
    a_hz: f64,
    a_jc: f64,
    a_j: f64,
    b_sc: f64,
    b_h: f64,
    b_s: f64,
    b_jc: f64,
    b_j: f64,
    q_a: f64,
    q_b: f64,
    p_a: f64,
    p_b: f64,
}

impl Folded {
    /// (F_A, F_B) at HM current density j, fields (hx, hy, hz), pinning and taper forces.
    #[inline(always)]
    #[allow(clippy::too_many_arguments)] // the force inputs, kept scalar so lanes vectorise
    fn forces(&self, j: f64, hx: f64, hy: f64, hz: f64, f_pin: f64, f_geo: f64, cp: f64, sp: f64) -> (f64, f64) {
        let fa = self.a_hz * hz + self.a_jc * j * cp + self.a_j * j - f_pin - f_geo;
        let fb = self.b_sc * sp * cp + self.b_h * (hy * cp - hx * sp) + self.b_s * sp + self.b_jc * j * cp + self.b_j * j;
        (fa, fb)
    }

    #[inline(always)]
    fn forces_at(&self, x: &ForceInputs, cp: f64, sp: f64) -> (f64, f64) {
        self.forces(x.j, x.hx, x.hy, x.hz, x.f_pin, x.f_geo, cp, sp)
    }

    #[inline(always)]
    fn rates(&self, fa: f64, fb: f64) -> (f64, f64) {
        (self.q_a * fa + self.q_b * fb, self.p_a * fa + self.p_b * fb)
    }
}

/// One wall model under many drives, for [`dopri45_lanes`]: job k runs under `drives[k]`.
struct WallLanes<'a> {
    model: &'a WallModel,
    folded: Folded,
    drives: Vec<&'a Drive>,
    /// Uniform wire at the reference width without pinning, stray fields or a separate
    /// heavy-metal profile: the forces need no position lookup.
    plain: bool,
    /// Every pulse rectangular (no rise or fall): the shape is 1 on [0, duration], else 0.
    rectangular: bool,
    /// Plain, rectangular, and only the damping-like torque and DMI act (no applied or Oersted
    /// field, STT or field-like torque): equations (A), (B) of docs/physics.md 2.3 as they stand.
    bare: bool,
}

/// Lane parameters of a drive: amplitude (0 without a pulse), hx, hy, hz, and the pulse's
/// rise, plateau end, duration and fall, as [`PulseShape::shape`] uses them.
const DRIVE_PARAMS: usize = 8;

impl<'a> WallLanes<'a> {
    fn new(model: &'a WallModel, drives: Vec<&'a Drive>) -> Self {
        let plain = model.pinning.is_empty()
            && model.stray.is_empty()
            && model.hm_profile.is_none()
            && matches!(model.uniform, Some(w) if (w - model.reference_width).abs() <= 1e-15 * w);
        let rectangular = drives.iter().all(|d| d.pulse.rise <= 0.0 && d.pulse.fall <= 0.0);
        let folded = model.folded();
        let no_field = drives.iter().all(|d| d.hx == 0.0 && d.hy == 0.0 && d.hz == 0.0) && !model.oersted;
        let bare = plain && rectangular && no_field && folded.a_j == 0.0 && folded.b_j == 0.0 && folded.b_jc == 0.0;
        Self {
            model,
            folded,
            drives,
            plain,
            rectangular,
            bare,
        }
    }
}

impl LaneSystem<4, DRIVE_PARAMS> for WallLanes<'_> {
    /// phi is integrated for output only; q matters only where the wire is not plain.
    fn reads(&self, component: usize) -> bool {
        match component {
            0 => !self.plain,
            1 => false,
            _ => true,
        }
    }

    fn params(&self, job: usize) -> [f64; DRIVE_PARAMS] {
        let d = self.drives[job];
        let p = &d.pulse;
        let amplitude = if p.width <= 0.0 { 0.0 } else { d.current_density };
        [
            amplitude,
            d.hx,
            d.hy,
            d.hz,
            p.rise,
            p.rise + p.width - 0.5 * (p.rise + p.fall),
            p.duration(),
            p.fall,
        ]
    }

    #[inline(always)]
    fn rhs<const L: usize>(
        &self,
        job: &[usize; L],
        p: &[[f64; L]; DRIVE_PARAMS],
        t: &[f64; L],
        y: &[[f64; L]; 4],
        out: &mut [[f64; L]; 4],
    ) {
        let m = self.model;
        let k = &self.folded;
        let [amp, hx, hy0, hz, rise, plateau_end, duration, fall] = p;
        let (mut j, mut hy, mut hz, mut f_pin, mut f_geo) = ([0.0; L], [0.0; L], *hz, [0.0; L], [0.0; L]);
        if self.bare {
            // Folded::forces and rates with the zero terms dropped (x + 0 = x, so the results
            // are those of the full expressions).
            for l in 0..L {
                let (tl, cp, sp) = (t[l], y[2][l], y[3][l]);
                let s = if tl < 0.0 || tl > duration[l] { 0.0 } else { 1.0 };
                let fa = k.a_jc * (amp[l] * s) * cp;
                let fb = k.b_sc * sp * cp + k.b_s * sp;
                let (qd, pd) = k.rates(fa, fb);
                out[0][l] = qd;
                out[1][l] = pd;
                out[2][l] = -sp * pd;
                out[3][l] = cp * pd;
            }
            return;
        }
        if self.plain && self.rectangular {
            // PulseShape::shape with rise = fall = 0: the plateau ends at the duration.
            for l in 0..L {
                let tl = t[l];
                let s = if tl < 0.0 || tl > duration[l] { 0.0 } else { 1.0 };
                j[l] = amp[l] * s;
                hy[l] = hy0[l] + if m.oersted { -j[l] * m.t_hm / 2.0 } else { 0.0 };
            }
        } else if self.plain {
            // PulseShape::shape and force_inputs as selects, so that the lanes vectorise.
            for l in 0..L {
                let tl = t[l];
                let s = if tl < 0.0 || tl > duration[l] {
                    0.0
                } else if tl < rise[l] {
                    tl / rise[l]
                } else if tl <= plateau_end[l] {
                    1.0
                } else {
                    ((duration[l] - tl) / fall[l]).max(0.0)
                };
                j[l] = amp[l] * s;
                hy[l] = hy0[l] + if m.oersted { -j[l] * m.t_hm / 2.0 } else { 0.0 };
            }
        } else {
            for l in 0..L {
                let x = m.force_inputs(t[l], y[0][l], y[2][l], y[3][l], self.drives[job[l]]);
                (j[l], hy[l], hz[l], f_pin[l], f_geo[l]) = (x.j, x.hy, x.hz, x.f_pin, x.f_geo);
            }
        }
        for l in 0..L {
            let (cp, sp) = (y[2][l], y[3][l]);
            let (fa, fb) = k.forces(j[l], hx[l], hy[l], hz[l], f_pin[l], f_geo[l], cp, sp);
            let (qd, pd) = k.rates(fa, fb);
            out[0][l] = qd;
            out[1][l] = pd;
            out[2][l] = -sp * pd;
            out[3][l] = cp * pd;
        }
    }
}

/// Options of a wall run.
#[derive(Clone, Copy, Debug)]
pub struct RunOptions {
    /// End time (s); default the pulse duration.
    pub t_end: f64,
    pub rtol: f64,
    /// Absolute tolerances for q (m) and phi (rad).
    pub atol: [f64; 2],
    /// Fixed step of the stochastic Heun integrator (s).
    pub dt_thermal: f64,
    /// Samples of the trajectory to record (0 = none).
    pub samples: usize,
}

impl Default for RunOptions {
    fn default() -> Self {
        Self {
            t_end: f64::NAN,
            rtol: 1e-8,
            atol: [1e-18, 1e-12],
            dt_thermal: 1e-12,
            samples: 0,
        }
    }
}

/// Outcome of one wall run.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct WallOutcome {
    pub displacement_m: f64,
    /// q-dot at the end time, with the drive as it is just before that time (m/s).
    pub final_velocity_m_per_s: f64,
    pub phi_rad: f64,
    pub rhs_evals: usize,
    pub steps: usize,
    /// False if the adaptive integrator stopped at its step limit before the end time.
    pub completed: bool,
    /// (t, q, phi) samples.
    #[serde(skip)]
    pub trajectory: Vec<(f64, f64, f64)>,
}

/// Problems integrated side by side by [`run_deterministic_many`] (SIMD lanes).
pub const WALL_LANES: usize = 16;

fn end_time(drive: &Drive, opts: &RunOptions) -> f64 {
    if opts.t_end.is_finite() {
        opts.t_end
    } else {
        drive.pulse.duration()
    }
}

fn deterministic_tolerances(opts: &RunOptions) -> Tolerances<4> {
    Tolerances {
        rtol: opts.rtol,
        atol: [opts.atol[0], opts.atol[1], opts.atol[1], opts.atol[1]],
        h_max: f64::INFINITY,
        max_steps: 10_000_000,
        // (cos, sin) are functions of the controlled phi.
        controlled: 2,
    }
}

/// Segment ends: the pulse's kinks before the end time, then the end time.
fn segment_marks(drive: &Drive, t_end: f64) -> Vec<f64> {
    let mut marks: Vec<f64> = drive.breakpoints().into_iter().filter(|&t| t < t_end).collect();
    marks.push(t_end);
    marks
}

/// Keep (cos, sin) on the unit circle between segments.
fn renormalise(y: &mut [f64; 4]) {
    let r = y[2].hypot(y[3]);
    y[2] /= r;
    y[3] /= r;
}

/// The outcome of a run that ended in state `end` at t_end.
fn outcome(model: &WallModel, drive: &Drive, q0: f64, t_end: f64, end: &LaneOutcome<4>) -> WallOutcome {
    let y = [end.y[0], end.y[1]];
    // Velocity with the drive just before t_end (left limit at a pulse edge).
    let v = model.rhs(t_end * (1.0 - 1e-12), &y, drive)[0];
    WallOutcome {
        displacement_m: y[0] - q0,
        final_velocity_m_per_s: v,
        phi_rad: y[1],
        rhs_evals: end.rhs_evals,
        steps: end.steps,
        completed: end.completed,
        trajectory: Vec::new(),
    }
}

/// [`dopri45_lanes`] on the wall system, one lane for a single run, [`WALL_LANES`] otherwise;
/// compiled a second time for AVX2 and used where the CPU has it. Both builds do the same
/// IEEE operations in the same order (Rust never fuses a multiply and an add on its own), so
/// the results do not depend on the CPU (tested).
fn solve_lanes(system: &WallLanes<'_>, jobs: &[LaneJob<4>], tol: &Tolerances<4>) -> Vec<LaneOutcome<4>> {
    #[cfg(target_arch = "x86_64")]
    if std::is_x86_feature_detected!("avx2") {
        // SAFETY: the CPU has just been found to support AVX2.
        return unsafe { solve_lanes_avx2(system, jobs, tol) };
    }
    solve_lanes_portable(system, jobs, tol)
}

#[inline(always)]
fn solve_lanes_portable(system: &WallLanes<'_>, jobs: &[LaneJob<4>], tol: &Tolerances<4>) -> Vec<LaneOutcome<4>> {
    if jobs.len() == 1 {
        dopri45_lanes::<4, DRIVE_PARAMS, 1, _>(system, jobs, tol, renormalise)
    } else {
        dopri45_lanes::<4, DRIVE_PARAMS, WALL_LANES, _>(system, jobs, tol, renormalise)
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn solve_lanes_avx2(system: &WallLanes<'_>, jobs: &[LaneJob<4>], tol: &Tolerances<4>) -> Vec<LaneOutcome<4>> {
    solve_lanes_portable(system, jobs, tol)
}

/// Deterministic run (T ignored) with adaptive RK45, piecewise across the pulse's kinks.
pub fn run_deterministic(model: &WallModel, drive: &Drive, q0: f64, phi0: f64, opts: &RunOptions) -> WallOutcome {
    if opts.samples == 0 {
        return run_deterministic_many(model, &[(*drive, q0, phi0)], opts).remove(0);
    }
    let t_end = end_time(drive, opts);
    let tol = deterministic_tolerances(opts);
    let (s0, c0) = phi0.sin_cos();
    let mut y = [q0, phi0, c0, s0];
    let (mut t, mut nfev, mut steps) = (0.0, 0, 0);
    let mut record: Vec<(f64, [f64; 4])> = Vec::new();
    let mut completed = true;
    for tb in segment_marks(drive, t_end) {
        if tb <= t {
            continue;
        }
        let s = dopri45(|tt, yy| model.rhs_cs(tt, yy, drive), t, y, tb, &tol, None, Some(&mut record));
        nfev += s.rhs_evals;
        steps += s.steps;
        y = s.y;
        renormalise(&mut y);
        if s.t < tb {
            completed = false;
            break;
        }
        t = tb;
    }
    let end = LaneOutcome {
        t,
        y,
        rhs_evals: nfev,
        steps,
        completed,
    };
    let mut out = outcome(model, drive, q0, t_end, &end);
    out.trajectory = std::iter::once((0.0, q0, phi0))
        .chain(record.iter().map(|(t, y)| (*t, y[0], y[1])))
        .collect();
    out
}

/// Many deterministic runs of one model, each `(drive, q0, phi0)` with the options' tolerances
/// (no trajectories recorded): [`WALL_LANES`] at a time in lock-step, each result bitwise that
/// of [`run_deterministic`] on its own.
pub fn run_deterministic_many(model: &WallModel, runs: &[(Drive, f64, f64)], opts: &RunOptions) -> Vec<WallOutcome> {
    let jobs: Vec<LaneJob<4>> = runs
        .iter()
        .map(|(drive, q0, phi0)| {
            let (s0, c0) = phi0.sin_cos();
            LaneJob {
                t0: 0.0,
                y0: [*q0, *phi0, c0, s0],
                marks: segment_marks(drive, end_time(drive, opts)),
            }
        })
        .collect();
    let system = WallLanes::new(model, runs.iter().map(|r| &r.0).collect());
    let solved = solve_lanes(&system, &jobs, &deterministic_tolerances(opts));
    solved
        .iter()
        .zip(runs)
        .map(|(s, (drive, q0, _))| outcome(model, drive, *q0, end_time(drive, opts), s))
        .collect()
}

/// Thermal run with stochastic Heun at fixed dt (noise drawn from `rng`).
pub fn run_thermal<R: Rng>(model: &WallModel, drive: &Drive, q0: f64, phi0: f64, opts: &RunOptions, rng: &mut R) -> WallOutcome {
    let t_end = if opts.t_end.is_finite() {
        opts.t_end
    } else {
        drive.pulse.duration()
    };
    let n = (t_end / opts.dt_thermal).ceil().max(1.0) as usize;
    let dt = t_end / n as f64;
    let mut y = [q0, phi0];
    let every = n.checked_div(opts.samples).map_or(usize::MAX, |k| k.max(1));
    let mut traj = vec![(0.0, q0, phi0)];
    let k = model.folded();
    for step in 0..n {
        let t = step as f64 * dt;
        let sd = model.thermal_force_std(y[0], dt);
        let (na, nb): (f64, f64) = (rng.sample(StandardNormal), rng.sample(StandardNormal));
        let (fa_th, fb_th) = (sd * na, sd * nb);
        let mut f = |tt: f64, yy: &[f64; 2]| {
            let (sp, cp) = yy[1].sin_cos();
            let (fa, fb) = k.forces_at(&model.force_inputs(tt, yy[0], cp, sp, drive), cp, sp);
            let (qd, pd) = k.rates(fa + fa_th, fb + fb_th);
            [qd, pd]
        };
        y = heun_step(&mut f, t, &y, dt);
        if (step + 1) % every == 0 {
            traj.push(((step + 1) as f64 * dt, y[0], y[1]));
        }
    }
    let v = model.rhs(t_end * (1.0 - 1e-12), &y, drive)[0];
    WallOutcome {
        displacement_m: y[0] - q0,
        final_velocity_m_per_s: v,
        phi_rad: y[1],
        rhs_evals: 2 * n,
        steps: n,
        completed: true,
        trajectory: traj,
    }
}

/// Monte Carlo statistics of a thermal wall run.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct MonteCarlo {
    pub trials: usize,
    pub displacement_mean_m: f64,
    pub displacement_std_m: f64,
    pub final_velocity_mean_m_per_s: f64,
    pub final_velocity_std_m_per_s: f64,
    pub phi_mean_rad: f64,
    pub phi_std_rad: f64,
    /// Fraction of trials whose wall moved at least `target_m` along +x.
    pub switching_probability: f64,
    pub target_m: f64,
    /// Every trial's (displacement, final velocity, phi).
    #[serde(skip)]
    pub outcomes: Vec<(f64, f64, f64)>,
}

/// `trials` independent thermal runs; trial k draws from stream (seed, k, 0), so the result is
/// the same on any number of threads.
pub fn monte_carlo(model: &WallModel, drive: &Drive, phi0: f64, opts: &RunOptions, trials: usize, seed: u64, target: f64) -> MonteCarlo {
    monte_carlo_from(model, drive, 0.0, phi0, opts, trials, seed, target)
}

/// [`monte_carlo`] with the wall starting at q0.
#[allow(clippy::too_many_arguments)] // mirrors monte_carlo plus the start position
pub fn monte_carlo_from(
    model: &WallModel,
    drive: &Drive,
    q0: f64,
    phi0: f64,
    opts: &RunOptions,
    trials: usize,
    seed: u64,
    target: f64,
) -> MonteCarlo {
    use rayon::prelude::*;
    let opts = RunOptions { samples: 0, ..*opts };
    let outcomes: Vec<(f64, f64, f64)> = if model.temperature > 0.0 {
        (0..trials)
            .into_par_iter()
            .map(|k| {
                let mut rng = crate::stream::stream(seed, k as u64, 0);
                let o = run_thermal(model, drive, q0, phi0, &opts, &mut rng);
                (o.displacement_m, o.final_velocity_m_per_s, o.phi_rad)
            })
            .collect()
    } else {
        // Without noise every trial is the same run.
        let o = run_deterministic(model, drive, q0, phi0, &opts);
        vec![(o.displacement_m, o.final_velocity_m_per_s, o.phi_rad); trials]
    };
    let col = |f: fn(&(f64, f64, f64)) -> f64| crate::fit::mean_std(&outcomes.iter().map(f).collect::<Vec<_>>());
    let (dm, ds) = col(|o| o.0);
    let (vm, vs) = col(|o| o.1);
    let (pm, ps) = col(|o| o.2);
    let switched = outcomes.iter().filter(|o| o.0 >= target).count();
    MonteCarlo {
        trials,
        displacement_mean_m: dm,
        displacement_std_m: ds,
        final_velocity_mean_m_per_s: vm,
        final_velocity_std_m_per_s: vs,
        phi_mean_rad: pm,
        phi_std_rad: ps,
        switching_probability: switched as f64 / trials.max(1) as f64,
        target_m: target,
        outcomes,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::material::find_builtin;

    /// The AVX2 build of the lane integrator (where the CPU has it) and the portable build give
    /// the same bits: results do not depend on the machine's vector width.
    #[test]
    fn vector_builds_agree_bit_for_bit() {
        let model = WallModel::from_material(&find_builtin("ta-cofeb-mgo").unwrap(), 1e-6, 1.0);
        let drives: Vec<Drive> = (0..37)
            .map(|k| Drive {
                hz: 100.0 * f64::from(k % 5),
                ..Drive::current(2e10 + 3e9 * f64::from(k), PulseShape::rectangular(5e-9))
            })
            .collect();
        let jobs: Vec<LaneJob<4>> = drives
            .iter()
            .map(|d| LaneJob {
                t0: 0.0,
                y0: [0.0, 0.1, 0.1f64.cos(), 0.1f64.sin()],
                marks: segment_marks(d, 6e-9),
            })
            .collect();
        let system = WallLanes::new(&model, drives.iter().collect());
        let tol = deterministic_tolerances(&RunOptions::default());
        let dispatched = solve_lanes(&system, &jobs, &tol);
        let portable = solve_lanes_portable(&system, &jobs, &tol);
        for (a, b) in dispatched.iter().zip(&portable) {
            assert_eq!(a.y.map(f64::to_bits), b.y.map(f64::to_bits));
            assert_eq!(a.rhs_evals, b.rhs_evals);
        }
    }
}
