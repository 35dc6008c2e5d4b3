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
//! Wall tilt: the optional third coordinate chi of [`run_tilted`] (module `tilt`, Boulle et al.
//! 2013), which reduces to these equations with chi held at 0.
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

mod lanes;
mod model;
mod monte_carlo;
mod run;
mod tilt;

pub use model::{Drive, Pinning, RateConstants, StrayRegion, WallModel};
pub use monte_carlo::{monte_carlo, monte_carlo_from, MonteCarlo};
pub use run::{run_deterministic, run_deterministic_many, run_thermal, RunOptions, WallOutcome};
pub use tilt::{run_tilted, tilted_energy, tilted_rhs, TiltOutcome};

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

/// Problems integrated side by side by [`run_deterministic_many`] (SIMD lanes).
pub const WALL_LANES: usize = 16;
