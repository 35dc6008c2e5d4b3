//! Materials library: heavy-metal / free-layer stacks with every parameter's unit, meaning and
//! source (docs/physics.md section 9), plus the derived wall quantities of docs/physics.md section 2.1:
//!
//! * wall width            Delta = sqrt(A / K_eff)
//! * shape anisotropy      H_K = N_x Ms,  N_x = t_F ln2 / (pi Delta)         (Tarasenko 1998)
//! * DMI field             H_D = D / (mu0 Ms Delta)
//! * DL-SOT efficiency     chi_SL = hbar theta_SH / (2 e mu0 Ms t_F)  [(A/m)/(A/m^2)]
//! * Neel threshold        D_c = 2 mu0 Ms^2 t_F ln2 / pi^2
//! * equilibrium angle     cos(phi_eq) = 1 (|D| > D_c), else pi H_D / (2 H_K)
//! * wall energy           sigma_w = 4 sqrt(A K_eff) - pi |D|
//!
//! Built-in materials can be extended from a TOML file of `[[material]]` tables, each optionally
//! starting from a built-in (`base = "ta-cofeb-mgo"`) and overriding any parameter with units.

use crate::error::ConfigError;
use crate::units::{Dim, MU0};
use crate::RawQuantity;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::f64::consts::{LN_2, PI};

/// Reduced Planck constant (J s).
pub const HBAR: f64 = 1.054_571_817e-34;
/// Elementary charge (C).
pub const E_CHARGE: f64 = 1.602_176_634e-19;
/// Gyromagnetic ratio of the electron (rad s^-1 T^-1).
pub const GAMMA: f64 = 1.760_859_63e11;
/// gamma0 = mu0 gamma (m A^-1 s^-1), so that gamma0 H (H in A/m) is an angular frequency.
pub const GAMMA0: f64 = GAMMA * MU0;
/// Boltzmann constant (J/K).
pub const KB: f64 = 1.380_649e-23;

/// Admissible range of a parameter.
#[derive(Clone, Copy, Debug)]
pub enum Range {
    /// v > 0.
    Positive,
    /// v >= 0.
    NonNegative,
    /// Any finite value.
    Any,
    /// Closed interval.
    Within(f64, f64),
}

impl Range {
    /// `Ok` if `v` is finite and within the range.
    pub fn check(self, v: f64) -> Result<(), OutOfRange> {
        let ok = match self {
            Range::Positive => v > 0.0,
            Range::NonNegative => v >= 0.0,
            Range::Any => true,
            Range::Within(a, b) => (a..=b).contains(&v),
        };
        if ok && v.is_finite() {
            Ok(())
        } else {
            Err(OutOfRange(self))
        }
    }
}

/// A value outside its [`Range`]; the message says what the range requires.
#[derive(Clone, Copy, Debug, thiserror::Error)]
#[error("{}", match self.0 {
    Range::Positive => "must be > 0".to_string(),
    Range::NonNegative => "must be >= 0".to_string(),
    Range::Any => "must be finite".to_string(),
    Range::Within(a, b) => format!("must be between {a} and {b}"),
})]
pub struct OutOfRange(pub Range);

/// Metadata of one material parameter.
pub struct ParamSpec {
    /// Key in material files and `--set` (the field name).
    pub key: &'static str,
    /// A material file without `base` must set it; others default to `default` (0 = off,
    /// NaN = not set: derived or required later by a model that needs it).
    pub required: bool,
    /// Value when not set (0 = off, NaN = not set).
    pub default: f64,
    /// Physical dimension, for unit parsing.
    pub dim: Dim,
    /// SI unit, as printed.
    pub unit: &'static str,
    /// Meaning, one sentence.
    pub doc: &'static str,
    /// Admissible range.
    pub range: Range,
    /// Reads the parameter from a material.
    pub get: fn(&Material) -> f64,
    /// Writes the parameter into a material.
    pub set: fn(&mut Material, f64),
}

macro_rules! material_params {
    ($( $key:ident : $dim:expr, $unit:literal, $range:expr, $req:expr, $def:expr, $doc:literal; )*) => {
        /// A heavy-metal / ferromagnet stack. All values SI.
        #[derive(Clone, Debug, PartialEq, serde::Serialize)]
        pub struct Material {
            /// Material name (a built-in name or the file's).
            pub name: String,
            /// Free-text description.
            pub description: String,
            $( #[doc = $doc] pub $key: f64, )*
            /// Source of each parameter, by key.
            #[serde(skip)]
            pub sources: BTreeMap<&'static str, &'static str>,
        }

        /// Every material parameter with its unit, range and meaning.
        pub const PARAMS: &[ParamSpec] = &[
            $( ParamSpec {
                key: stringify!($key), required: $req, default: $def, dim: $dim, unit: $unit, doc: $doc, range: $range,
                get: |m| m.$key, set: |m, v| m.$key = v,
            }, )*
        ];
    };
}

material_params! {
    ms: Dim::FIELD, "A/m", Range::Positive, true, 0.0, "Saturation magnetisation Ms of the free layer (ferromagnet).";
    a_ex: Dim::EXCHANGE, "J/m", Range::Positive, true, 0.0, "Exchange stiffness A.";
    k_eff: Dim::ENERGY_DENSITY, "J/m^3", Range::Positive, true, 0.0, "Effective perpendicular anisotropy K_eff = K_u - mu0 Ms^2/2.";
    alpha: Dim::NONE, "", Range::Within(1e-4, 1.0), true, 0.0, "Gilbert damping.";
    dmi: Dim::SURFACE_ENERGY, "J/m^2", Range::Any, true, 0.0, "Interfacial DMI D; D > 0 puts the up/down wall at phi = 0 (docs/physics.md 2.2). D_mumax = -D.";
    theta_sh: Dim::NONE, "", Range::Within(-1.0, 1.0), true, 0.0, "Damping-like SOT efficiency (spin Hall angle) of the heavy metal.";
    t_fm: Dim::LENGTH, "m", Range::Positive, true, 0.0, "Free-layer thickness t_F.";
    t_hm: Dim::LENGTH, "m", Range::Positive, true, 0.0, "Heavy-metal thickness t_HM.";
    fl_dl_ratio: Dim::NONE, "", Range::Within(-10.0, 10.0), false, 0.0, "Field-like / damping-like SOT ratio (0 = no field-like torque).";
    polarization: Dim::NONE, "", Range::Within(0.0, 1.0), false, 0.0, "Spin polarisation P of the current in the free layer (0 = no STT).";
    beta: Dim::NONE, "", Range::Within(0.0, 10.0), false, 0.0, "Non-adiabatic STT parameter beta.";
    rho_fm: Dim::RESISTIVITY, "Ohm*m", Range::Positive, false, f64::NAN, "Free-layer resistivity.";
    rho_hm: Dim::RESISTIVITY, "Ohm*m", Range::Positive, false, f64::NAN, "Heavy-metal resistivity.";
    h_dep: Dim::FIELD, "A/m", Range::NonNegative, false, 0.0, "Film depinning field H_dep of the wall (fit to devices).";
    h_k: Dim::FIELD, "A/m", Range::NonNegative, false, f64::NAN, "Neel-Bloch shape-anisotropy field H_K; not set = t_F ln2/(pi Delta) Ms; 0 = none (a local-demag micromagnetic wall).";
    ms_tm: Dim::FIELD, "A/m", Range::NonNegative, false, 0.0, "Ferrimagnet: transition-metal sublattice magnetisation (0 = ferromagnet).";
    ms_re: Dim::FIELD, "A/m", Range::NonNegative, false, 0.0, "Ferrimagnet: rare-earth sublattice magnetisation (0 = ferromagnet).";
    g_tm: Dim::NONE, "", Range::Within(0.5, 5.0), false, 2.2, "Ferrimagnet: Lande g of the transition-metal sublattice.";
    g_re: Dim::NONE, "", Range::Within(0.5, 5.0), false, 1.5, "Ferrimagnet: Lande g of the rare-earth sublattice.";
}

impl Material {
    /// Wall-width parameter Delta = sqrt(A/K_eff) (m).
    pub fn wall_width(&self) -> f64 {
        (self.a_ex / self.k_eff).sqrt()
    }

    /// Neel-Bloch shape-anisotropy field H_K = N_x Ms with N_x = t_F ln2 / (pi Delta) (A/m).
    pub fn h_k(&self) -> f64 {
        if self.h_k.is_finite() {
            self.h_k
        } else {
            self.t_fm * LN_2 / (PI * self.wall_width()) * self.ms
        }
    }

    /// DMI effective field H_D = D / (mu0 Ms Delta) (A/m), signed.
    pub fn h_d(&self) -> f64 {
        self.dmi / (MU0 * self.ms * self.wall_width())
    }

    /// Damping-like SOT field per heavy-metal current density, chi_SL (m), signed by theta_SH.
    pub fn chi_sl(&self) -> f64 {
        HBAR * self.theta_sh / (2.0 * E_CHARGE * MU0 * self.ms * self.t_fm)
    }

    /// DMI strength above which the wall is a pure Neel wall, D_c = 2 mu0 Ms^2 t_F ln2 / pi^2.
    pub fn d_c(&self) -> f64 {
        2.0 * MU0 * self.ms * self.ms * self.t_fm * LN_2 / (PI * PI)
    }

    /// |cos phi_eq| of a wall at rest: 1 for a Neel wall, pi H_D / (2 H_K) for an intermediate
    /// (Dzyaloshinskii) wall (docs/physics.md 2.2).
    pub fn cos_phi_eq(&self) -> f64 {
        let c = PI * self.h_d().abs() / (2.0 * self.h_k());
        c.min(1.0)
    }

    /// Wall surface energy sigma_w = 4 sqrt(A K_eff) - pi |D| (J/m^2), at phi_eq for a Neel wall.
    pub fn wall_energy(&self) -> f64 {
        4.0 * (self.a_ex * self.k_eff).sqrt() - PI * self.dmi.abs() * self.cos_phi_eq()
    }

    /// Equivalent perpendicular field of the damping-like SOT on a wall at rest per unit HM
    /// current density: eps = (pi/2) |chi_SL| |cos phi_eq| (A/m per A/m^2), docs/physics.md 5.1.
    pub fn sot_depinning_efficiency(&self) -> f64 {
        PI / 2.0 * self.chi_sl().abs() * self.cos_phi_eq()
    }

    /// True for a two-sublattice ferrimagnet (docs/physics.md 3).
    pub fn is_ferrimagnet(&self) -> bool {
        self.ms_re > 0.0
    }

    /// Fraction of a wire current that flows in the heavy metal (parallel conduction).
    pub fn hm_current_fraction(&self) -> f64 {
        let g_hm = self.t_hm / self.rho_hm;
        g_hm / (g_hm + self.t_fm / self.rho_fm)
    }

    /// Sheet resistance of the bilayer, 1 / sum(t_i / rho_i) (Ohm per square).
    pub fn sheet_resistance(&self) -> f64 {
        1.0 / (self.t_hm / self.rho_hm + self.t_fm / self.rho_fm)
    }

    /// Walker field H_W = alpha * max_phi [ (pi/2) H_D sin(phi) - (H_K/2) sin(2 phi) ] (A/m),
    /// docs/physics.md 2.6. With a = (pi/2)|H_D| and b = H_K/2 the stationary points solve
    /// 4 b c^2 - a c - 2 b = 0 for c = cos(phi); the maximum is at one of them.
    pub fn walker_field(&self) -> f64 {
        let (a, b) = (PI / 2.0 * self.h_d().abs(), self.h_k() / 2.0);
        let f = |c: f64| {
            let s = (1.0 - c * c).max(0.0).sqrt();
            a * s - 2.0 * b * s * c
        };
        let max = if b <= 0.0 {
            a
        } else {
            let disc = (a * a + 32.0 * b * b).sqrt();
            [(a + disc) / (8.0 * b), (a - disc) / (8.0 * b)]
                .into_iter()
                .filter(|c| (-1.0..=1.0).contains(c))
                .map(f)
                .fold(0.0, f64::max)
        };
        self.alpha * max
    }

    /// Time-averaged 1D wall velocity under a net perpendicular driving field h (A/m):
    /// v = gamma0 Delta h / alpha below Walker; above, the Schryer-Walker average
    /// `<v>` = gamma0 Delta/(1+alpha^2) [alpha h + (h - sqrt(h^2 - H_W^2))/alpha] (docs/physics.md 2.6).
    pub fn field_driven_velocity(&self, h: f64) -> f64 {
        field_driven_velocity(self.alpha, self.wall_width(), self.walker_field(), h)
    }

    /// Steady pinning-free velocity (m/s) of the wall driven by the damping-like SOT of heavy-metal
    /// density j alone (magnitudes; [`sot_driven_velocity`]).
    pub fn sot_driven_velocity(&self, j: f64) -> f64 {
        sot_driven_velocity(
            self.alpha,
            self.wall_width(),
            self.h_d().abs(),
            self.h_k(),
            -self.cos_phi_eq().acos(),
            self.chi_sl().abs() * j.abs(),
        )
    }

    /// Check every parameter's range; errors name the material and the key.
    pub fn validate(&self) -> Result<(), ConfigError> {
        for p in PARAMS {
            let v = (p.get)(self);
            if v.is_nan() && p.default.is_nan() {
                continue;
            }
            p.range.check(v).map_err(|problem| {
                ConfigError::field(
                    format!("material '{}'.{}", self.name, p.key),
                    format!("{v:e} {}", p.unit),
                    problem.to_string(),
                )
            })?;
        }
        Ok(())
    }

    /// Set a parameter from a raw (number or unit string) value.
    pub fn set_raw(&mut self, key: &str, value: &RawQuantity, context: &str) -> Result<(), ConfigError> {
        let spec = PARAMS.iter().find(|p| p.key == key).ok_or_else(|| {
            let keys: Vec<_> = PARAMS.iter().map(|p| p.key).collect();
            ConfigError::field(
                format!("{context}.{key}"),
                value.to_string(),
                format!("unknown material parameter; expected one of {}", keys.join(", ")),
            )
        })?;
        let v = value.to_si(spec.dim, &format!("{context}.{key}"))?;
        (spec.set)(self, v);
        Ok(())
    }
}

/// Steady velocity (m/s) of a wall driven by the damping-like SOT alone, no pinning or applied
/// field (docs/physics.md 2.6 and 5.4). Steady motion needs
/// `(pi/2) H_SL cos(phi) = alpha [(pi/2) H_D sin(phi) - (H_K/2) sin(2 phi)] =: alpha W(phi)`,
/// and `v = (pi/2) gamma0 Delta H_SL cos(phi)/alpha`. From rest at `phi_start` the angle turns
/// up (phidot = gamma0 ((pi/2) H_SL cos(phi) - alpha W(phi))/(1 + alpha^2) > 0) to the first
/// root: that is the state reached. `phi_start` is the 1D model's rest angle: 0 for a Neel wall,
/// -acos(pi H_D/(2 H_K)) for an intermediate one ([`crate::wall::WallModel::equilibrium_phi`]
/// picks that of the two degenerate chiralities, whose angle swings toward the Neel state and
/// moves faster at low drive). Linear in H_SL at low drive (for a Neel wall the field-driven law of
/// the equivalent field), it saturates at the DMI velocity (pi/2) gamma0 Delta H_D instead of
/// breaking down: SOT alone has no Walker breakdown. Arguments: damping, Delta (m), |H_D|, H_K
/// (A/m), phi_start (rad), H_SL >= 0 (A/m).
pub fn sot_driven_velocity(a: f64, d: f64, h_d: f64, h_k: f64, phi_start: f64, h_sl: f64) -> f64 {
    if h_sl <= 0.0 {
        return 0.0;
    }
    let phi = sot_steady_angle(a, h_d, h_k, phi_start, phi_start, h_sl);
    PI / 2.0 * GAMMA0 * d * h_sl * phi.cos() / a
}

/// The steady angle of [`sot_driven_velocity`]: the first root of
/// `alpha W(phi) - (pi/2) H_SL cos(phi)` above `phi_from`, scanned in steps of
/// (pi/2 - phi_start)/800 and refined by bisection. The root only moves up as H_SL grows, so a
/// table may start each scan from the previous root.
pub fn sot_steady_angle(a: f64, h_d: f64, h_k: f64, phi_start: f64, phi_from: f64, h_sl: f64) -> f64 {
    let g = |phi: f64| a * (PI / 2.0 * h_d * phi.sin() - 0.5 * h_k * (2.0 * phi).sin()) - PI / 2.0 * h_sl * phi.cos();
    let step = (PI / 2.0 - phi_start) / 800.0;
    let (mut lo, mut hi) = (phi_from, PI / 2.0);
    let mut prev = phi_from;
    let mut p = phi_from;
    while p < PI / 2.0 {
        p = (p + step).min(PI / 2.0);
        if g(p) >= 0.0 {
            (lo, hi) = (prev, p);
            break;
        }
        prev = p;
    }
    for _ in 0..40 {
        let mid = 0.5 * (lo + hi);
        if g(mid) >= 0.0 {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    0.5 * (lo + hi)
}

/// The 1D wall velocity law of [`Material::field_driven_velocity`] for given alpha, Delta and
/// Walker field, so callers can cache the material-derived constants.
pub fn field_driven_velocity(a: f64, d: f64, hw: f64, h: f64) -> f64 {
    let s = h.signum();
    let h = h.abs();
    let v = if h <= hw {
        GAMMA0 * d * h / a
    } else {
        GAMMA0 * d / (1.0 + a * a) * (a * h + (h - (h * h - hw * hw).sqrt()) / a)
    };
    s * v
}

const SRC_TACOFEB: &[(&str, &str)] = &[
    ("ms", "[K] docs/physics.md 9.1; 1.1e6 in the Hayashi 1D scripts"),
    ("a_ex", "[K] docs/physics.md 9.1"),
    ("k_eff", "[K] docs/physics.md 9.1"),
    ("alpha", "[K] docs/physics.md 9.1 (ultrathin, Ta-pumped)"),
    ("dmi", "[T] Tetienne 2015: near-Bloch walls in Ta/CoFeB/MgO; magnitude [K]"),
    ("theta_sh", "[T] Liu et al. Science 336, 555 (2012): beta-Ta, negative"),
    ("fl_dl_ratio", "[K] Kim 2013, Garello 2013"),
    ("polarization", "[K] docs/physics.md 9.1"),
    ("t_fm", "[B] device paper: CoFeB 1 nm"),
    ("t_hm", "[B] device paper: Ta 5 nm"),
    ("rho_fm", "[K] docs/physics.md 9.1"),
    ("rho_hm", "[K] Liu 2012 (beta-Ta)"),
    ("h_dep", "[K] docs/physics.md 9.1, fit to device"),
];

const SRC_PTCOTB: &[(&str, &str)] = &[
    ("ms", "[K] net M = ms_tm - ms_re, docs/physics.md 9.2 (0 to 4e5 A/m)"),
    ("ms_tm", "[K] docs/physics.md 3 example (M_TM = 6e5 A/m)"),
    (
        "ms_re",
        "[K] docs/physics.md 3 example (M_RE 3.5e5 A/m; angular compensation at 4.09e5)",
    ),
    ("g_tm", "[K] g_Co ~ 2.2, docs/physics.md 3"),
    ("g_re", "[K] g_Tb ~ 1.5 (Lande g_J of Tb3+), docs/physics.md 3"),
    ("a_ex", "[K] chosen with k_eff for Delta = 5 nm (docs/physics.md 9.2)"),
    ("k_eff", "[K] chosen with a_ex for Delta = 5 nm (docs/physics.md 9.2)"),
    ("alpha", "[K] docs/physics.md 9.2, fit"),
    (
        "dmi",
        "[K] docs/physics.md 9.2, fit; chirality fixed by sublattice (Siddiqui PRL 2018)",
    ),
    ("theta_sh", "[K] docs/physics.md 9.2 (Pt)"),
    ("fl_dl_ratio", "[K] assumed small for Pt"),
    ("polarization", "STT neglected: SOT-driven, Siddiqui PRL 121 (2018)"),
    ("t_fm", "[B] device paper: CoTb 2 nm"),
    ("t_hm", "[B] device paper: Pt 3 nm"),
    ("rho_fm", "[K] docs/physics.md 9.2"),
    ("rho_hm", "[K] docs/physics.md 9.2 (3-5 nm Pt)"),
    ("h_dep", "[K] CoTb pins more strongly (Tb orbital moment); fit to Kerr data"),
];

const SRC_PTCO: &[(&str, &str)] = &[
    ("ms", "[K] Pt/Co/AlOx, Miron et al. Nat. Mater. 10, 419 (2011)"),
    ("a_ex", "[K] typical Co"),
    ("k_eff", "[K] ultrathin Co with PMA"),
    ("alpha", "[K] Pt/Co ultrathin films, 0.1-0.5"),
    ("dmi", "[K] Pt/Co/AlOx, 1-2 mJ/m^2 (Belmeguenai 2015; Emori 2013)"),
    ("theta_sh", "[K] Liu PRL 106, 036601 (2011): 0.07"),
    ("fl_dl_ratio", "[K] assumed"),
    ("polarization", "[K] assumed"),
    ("t_fm", "[K] Co 0.6 nm"),
    ("t_hm", "[K] Pt 3 nm"),
    ("rho_fm", "[K] thin Co"),
    ("rho_hm", "[K] docs/physics.md 9.2"),
    ("h_dep", "[K] a few mT"),
];

fn make(name: &str, description: &str, values: &[(&str, f64)], sources: &[(&'static str, &'static str)]) -> Material {
    let mut m = Material {
        name: name.to_string(),
        description: description.to_string(),
        ms: 0.0,
        a_ex: 0.0,
        k_eff: 0.0,
        alpha: 0.0,
        dmi: 0.0,
        theta_sh: 0.0,
        t_fm: 0.0,
        t_hm: 0.0,
        fl_dl_ratio: 0.0,
        polarization: 0.0,
        beta: 0.0,
        rho_fm: 0.0,
        rho_hm: 0.0,
        h_dep: 0.0,
        h_k: 0.0,
        ms_tm: 0.0,
        ms_re: 0.0,
        g_tm: 0.0,
        g_re: 0.0,
        sources: sources.iter().copied().collect(),
    };
    for p in PARAMS {
        (p.set)(&mut m, p.default);
        m.sources.entry(p.key).or_insert(if p.default.is_nan() {
            "not set (derived or unused)"
        } else {
            "not set: default (off)"
        });
    }
    for (k, v) in values {
        let spec = PARAMS.iter().find(|p| p.key == *k).expect("built-in material key");
        (spec.set)(&mut m, *v);
    }
    m
}

/// Built-in materials. The first is the default.
pub fn builtin() -> Vec<Material> {
    let mt = 1e-3 / MU0; // 1 mT as H in A/m
    vec![
        make(
            "ta-cofeb-mgo",
            "Ta(5)/CoFeB(1)/MgO: the free layer of the device paper's multi-MTJ generators",
            &[
                ("ms", 1.1e6),
                ("a_ex", 1.5e-11),
                ("k_eff", 3.0e5),
                ("alpha", 0.02),
                ("dmi", 0.05e-3),
                ("theta_sh", -0.12),
                ("fl_dl_ratio", 1.0),
                ("polarization", 0.5),
                ("t_fm", 1e-9),
                ("t_hm", 5e-9),
                ("rho_fm", 160e-8),
                ("rho_hm", 190e-8),
                ("h_dep", 2.0 * mt),
            ],
            SRC_TACOFEB,
        ),
        make(
            "pt-cotb",
            "Pt(3)/CoTb(2)/SiNx: the analog single-wall generator of the device paper (two-sublattice ferrimagnet, TM-rich of angular-momentum compensation)",
            &[
                ("ms", 2.5e5),
                ("ms_tm", 6.0e5),
                ("ms_re", 3.5e5),
                ("g_tm", 2.2),
                ("g_re", 1.5),
                ("a_ex", 5e-12),
                ("k_eff", 2.0e5),
                ("alpha", 0.05),
                ("dmi", 0.2e-3),
                ("theta_sh", 0.1),
                ("fl_dl_ratio", 0.1),
                ("polarization", 0.0),
                ("t_fm", 2e-9),
                ("t_hm", 3e-9),
                ("rho_fm", 150e-8),
                ("rho_hm", 40e-8),
                ("h_dep", 5.0 * mt),
            ],
            SRC_PTCOTB,
        ),
        make(
            "pt-co",
            "Pt(3)/Co(0.6)/AlOx: strong-DMI Neel-wall reference stack",
            &[
                ("ms", 1.09e6),
                ("a_ex", 1.6e-11),
                ("k_eff", 5.0e5),
                ("alpha", 0.3),
                ("dmi", 1.5e-3),
                ("theta_sh", 0.07),
                ("fl_dl_ratio", 0.5),
                ("polarization", 0.5),
                ("t_fm", 0.6e-9),
                ("t_hm", 3e-9),
                ("rho_fm", 40e-8),
                ("rho_hm", 40e-8),
                ("h_dep", 3.0 * mt),
            ],
            SRC_PTCO,
        ),
    ]
}

/// The built-in material of this name, case-insensitive, `_`/`/` accepted for `-`.
pub fn find_builtin(name: &str) -> Option<Material> {
    let norm = |s: &str| s.to_ascii_lowercase().replace(['_', '/'], "-");
    builtin().into_iter().find(|m| norm(&m.name) == norm(name))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMaterialFile {
    version: u32,
    #[serde(default)]
    material: Vec<RawMaterial>,
}

// No deny_unknown_fields here: it does not combine with `flatten`; unknown keys are rejected by
// `Material::set_raw` with the list of valid ones.
#[derive(Deserialize)]
struct RawMaterial {
    name: String,
    #[serde(default)]
    description: String,
    base: Option<String>,
    #[serde(flatten)]
    values: BTreeMap<String, RawQuantity>,
}

/// The material `name`: a built-in one, or the first `[[material]]` of the material file at
/// `name` (relative to `base` when given). `field` names the setting in errors.
pub fn load_named(name: &str, base: Option<&std::path::Path>, field: &str) -> Result<Material, ConfigError> {
    if let Some(m) = find_builtin(name) {
        return Ok(m);
    }
    let p = base.map_or_else(|| std::path::Path::new(name).to_path_buf(), |b| b.join(name));
    if !p.is_file() {
        return Err(ConfigError::field(
            field,
            format!("{name:?}"),
            format!("neither a built-in material ({}) nor a material file", builtin_names()),
        ));
    }
    let text = std::fs::read_to_string(&p).map_err(|e| ConfigError::Io {
        path: p.display().to_string(),
        message: e.to_string(),
    })?;
    parse_material_file(&text, name)?
        .into_iter()
        .next()
        .ok_or_else(|| ConfigError::field(field, format!("{name:?}"), "the file defines no [[material]]"))
}

/// Materials defined in a TOML file. Each must name a `base` built-in or set every parameter.
pub fn parse_material_file(text: &str, origin: &str) -> Result<Vec<Material>, ConfigError> {
    let raw: RawMaterialFile = toml::from_str(text).map_err(|e| ConfigError::Toml {
        origin: origin.into(),
        message: e.to_string(),
    })?;
    if raw.version != 1 {
        return Err(ConfigError::field("version", raw.version.to_string(), "must be 1"));
    }
    let mut out = Vec::new();
    for (i, rm) in raw.material.into_iter().enumerate() {
        let ctx = format!("material[{i}]");
        let mut m = match &rm.base {
            Some(b) => find_builtin(b).ok_or_else(|| {
                ConfigError::field(
                    format!("{ctx}.base"),
                    b.clone(),
                    format!("not a built-in material; expected one of {}", builtin_names()),
                )
            })?,
            None => {
                let missing: Vec<_> = PARAMS
                    .iter()
                    .filter(|p| p.required && !rm.values.contains_key(p.key))
                    .map(|p| p.key)
                    .collect();
                if !missing.is_empty() {
                    return Err(ConfigError::field(
                        ctx,
                        rm.name.clone(),
                        format!("has no `base` and is missing {}", missing.join(", ")),
                    ));
                }
                make(&rm.name, "", &[], &[])
            }
        };
        m.name = rm.name.clone();
        m.description = rm.description.clone();
        for (k, v) in &rm.values {
            m.set_raw(k, v, &ctx)?;
            m.sources
                .insert(PARAMS.iter().find(|p| p.key == k).map(|p| p.key).unwrap_or("?"), "user file");
        }
        m.validate()?;
        out.push(m);
    }
    Ok(out)
}

/// The built-in material names, comma-separated.
pub fn builtin_names() -> String {
    builtin().iter().map(|m| m.name.clone()).collect::<Vec<_>>().join(", ")
}
/// One parameter of a material as listed by `dwmtj materials`.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct ParamValue {
    /// Key in material files.
    pub key: &'static str,
    /// Value in SI units (NaN when not set: derived or required later).
    pub value: f64,
    /// SI unit.
    pub unit: &'static str,
    /// Meaning.
    pub doc: &'static str,
    /// Where the value comes from (source tag and reference), empty if not recorded.
    pub source: &'static str,
}

/// The wall quantities a material implies (SI units).
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct DerivedQuantities {
    /// Wall-width parameter Delta = sqrt(A/K_eff), m.
    pub wall_width_m: f64,
    /// Neel-Bloch shape-anisotropy field H_K, A/m.
    pub h_k_a_per_m: f64,
    /// DMI field H_D, A/m.
    pub h_d_a_per_m: f64,
    /// Neel threshold D_c, J/m^2.
    pub d_c_j_per_m2: f64,
    /// |cos phi_eq| of the wall at rest.
    pub cos_phi_eq: f64,
    /// Spin-orbit field per current density chi_SL, m (H_SL = chi_SL J).
    pub chi_sl_m: f64,
    /// SOT depinning field per 1e11 A/m^2, A/m.
    pub sot_field_per_1e11_a_per_m: f64,
    /// Walker field H_W, A/m.
    pub walker_field_a_per_m: f64,
    /// Fraction of the wire current in the heavy metal.
    pub hm_current_fraction: f64,
    /// Sheet resistance of the stack, Ohm.
    pub sheet_resistance_ohm: f64,
    /// Wall energy per area, J/m^2.
    pub wall_energy_j_per_m2: f64,
}

/// A material with every parameter's unit, meaning and source, and its derived quantities.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct MaterialInfo {
    /// Name.
    pub name: String,
    /// Description.
    pub description: String,
    /// Every parameter of [`PARAMS`], in its order.
    pub parameters: Vec<ParamValue>,
    /// Derived wall quantities.
    pub derived: DerivedQuantities,
}

/// Describe `m` for listings (`dwmtj materials --json`, Python's `dwmtj.materials()`).
pub fn describe(m: &Material) -> MaterialInfo {
    MaterialInfo {
        name: m.name.clone(),
        description: m.description.clone(),
        parameters: PARAMS
            .iter()
            .map(|p| ParamValue {
                key: p.key,
                value: (p.get)(m),
                unit: p.unit,
                doc: p.doc,
                source: m.sources.get(p.key).copied().unwrap_or(""),
            })
            .collect(),
        derived: DerivedQuantities {
            wall_width_m: m.wall_width(),
            h_k_a_per_m: m.h_k(),
            h_d_a_per_m: m.h_d(),
            d_c_j_per_m2: m.d_c(),
            cos_phi_eq: m.cos_phi_eq(),
            chi_sl_m: m.chi_sl(),
            sot_field_per_1e11_a_per_m: m.sot_depinning_efficiency() * 1e11,
            walker_field_a_per_m: m.walker_field(),
            hm_current_fraction: m.hm_current_fraction(),
            sheet_resistance_ohm: m.sheet_resistance(),
            wall_energy_j_per_m2: m.wall_energy(),
        },
    }
}
