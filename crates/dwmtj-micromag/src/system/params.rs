//! The material and drive parameters and the demag mode.

use dwmtj_core::material::GAMMA;

/// How the demagnetising field is computed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub enum DemagMode {
    /// No demagnetising field.
    None,
    /// Thin-film local approximation: B = -mu0 Ms m_z z.
    Local,
    /// Newell tensor FFT convolution.
    Full,
}

/// Material and drive, uniform over the magnetic cells.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Params {
    /// Saturation magnetisation, A/m.
    pub ms: f64,
    /// Exchange stiffness, J/m.
    pub a_ex: f64,
    /// Uniaxial anisotropy K_u along z, J/m^3 (not K_eff: the demag term, when on, supplies
    /// the shape anisotropy).
    pub ku: f64,
    /// Interfacial DMI constant D, J/m^2 (D > 0: the up/down wall at phi = 0).
    pub dmi: f64,
    /// Gilbert damping.
    pub alpha: f64,
    /// Gyromagnetic ratio, rad/(s T).
    pub gamma: f64,
    /// Applied field (T).
    pub b_ext: [f64; 3],
    /// How the demagnetising field is computed.
    pub demag: DemagMode,
    /// Spin Hall angle of the heavy metal.
    pub theta_sh: f64,
    /// Field-like to damping-like SOT ratio.
    pub fl_ratio: f64,
    /// s_geom of docs/physics.md 2.3 (+1: sigma = +y for current along +x).
    pub sot_sign: f64,
    /// Heavy-metal current density along x (A/m^2) where the wire has width `j_ref_width`.
    pub current_density: f64,
    /// Width at which `current_density` holds (0: uniform current density).
    pub j_ref_width: f64,
    /// Temperature (K) of the thermal field (used by the Heun integrator).
    pub temperature: f64,
    /// Seed of the thermal field's random streams.
    pub seed: u64,
    /// Add the Oersted field of the heavy-metal current (-mu0 J t_HM / 2 along y).
    pub oersted: bool,
    /// Heavy-metal thickness (m), for the Oersted field.
    pub t_hm: f64,
    /// The demag convolution in single precision (FFTs and spectra in f32; the tensor is
    /// computed in f64 and the field accumulated in f64).
    pub demag_f32: bool,
    /// Film pinning as a modulated anisotropy, K_u(x) = K_u - pinning_ku cos(2 pi x / p) at each
    /// cell's centre (J/m^3; 0: none): wall-energy minima at x = 0, p, 2p, ...
    pub pinning_ku: f64,
    /// Period p of the anisotropy modulation, m (0: none).
    pub pinning_period: f64,
}

impl Default for Params {
    /// The benchmark strip's material (docs/micromag.md 6): Ms 1.1e6, A 1.5e-11, Ku 1e6, D 0.5e-3,
    /// alpha 0.1, full demag, no drive.
    fn default() -> Self {
        Self {
            ms: 1.1e6,
            a_ex: 1.5e-11,
            ku: 1.0e6,
            dmi: 0.5e-3,
            alpha: 0.1,
            gamma: GAMMA,
            b_ext: [0.0; 3],
            demag: DemagMode::Full,
            theta_sh: 0.1,
            fl_ratio: 0.0,
            sot_sign: 1.0,
            current_density: 0.0,
            j_ref_width: 0.0,
            temperature: 0.0,
            seed: 0,
            oersted: false,
            t_hm: 5e-9,
            demag_f32: false,
            pinning_ku: 0.0,
            pinning_period: 0.0,
        }
    }
}
