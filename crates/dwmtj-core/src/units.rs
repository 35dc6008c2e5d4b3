//! Physical quantities with units, converted once to SI at the configuration boundary.
//!
//! A quantity is either a bare number (taken as SI) or a string `"<number> <unit>"`, for example
//! `"8 ns"`, `"-480 Oe"`, `"20 Ohm*um^2"`, `"190 uOhm*cm"`, `"0.7e11 A/m^2"`. The unit expression
//! is a product/quotient of unit symbols with optional SI prefixes and integer powers:
//! `sym[^n] ((*|/) sym[^n])*`, with parentheses allowed after `/`, e.g. `J/(m^2)`.
//!
//! Every unit is reduced to a dimension vector over (m, kg, s, A, K) and an SI factor; the parse
//! fails unless the dimension equals the one the field expects. Two field conventions are
//! accepted because magnetics uses both:
//! * magnetic fields are stored as H in A/m; a flux density (T, mT) is converted by H = B/mu0,
//!   and Oe is 1000/(4 pi) A/m;
//! * `%` is the dimensionless 0.01.

/// Vacuum permeability mu0 (T m/A), CODATA 2018.
pub const MU0: f64 = 1.256_637_062_12e-6;

/// Dimension exponents over (m, kg, s, A, K).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Dim(pub [i8; 5]);

impl Dim {
    /// Dimensionless.
    pub const NONE: Dim = Dim([0, 0, 0, 0, 0]);
    /// Length, m.
    pub const LENGTH: Dim = Dim([1, 0, 0, 0, 0]);
    /// Time, s.
    pub const TIME: Dim = Dim([0, 0, 1, 0, 0]);
    /// Electric current, A.
    pub const CURRENT: Dim = Dim([0, 0, 0, 1, 0]);
    /// Temperature, K.
    pub const TEMPERATURE: Dim = Dim([0, 0, 0, 0, 1]);
    /// Current density, A/m^2.
    pub const CURRENT_DENSITY: Dim = Dim([-2, 0, 0, 1, 0]);
    /// Magnetic field H, A/m.
    pub const FIELD: Dim = Dim([-1, 0, 0, 1, 0]);
    /// Magnetic flux density B, T.
    pub const FLUX_DENSITY: Dim = Dim([0, 1, -2, -1, 0]);
    /// Resistance, Ohm.
    pub const RESISTANCE: Dim = Dim([2, 1, -3, -2, 0]);
    /// Resistance-area product, Ohm m^2.
    pub const RESISTANCE_AREA: Dim = Dim([4, 1, -3, -2, 0]);
    /// Resistivity, Ohm m.
    pub const RESISTIVITY: Dim = Dim([3, 1, -3, -2, 0]);
    /// Energy, J.
    pub const ENERGY: Dim = Dim([2, 1, -2, 0, 0]);
    /// Power, W.
    pub const POWER: Dim = Dim([2, 1, -3, 0, 0]);
    /// Voltage, V.
    pub const VOLTAGE: Dim = Dim([2, 1, -3, -1, 0]);
    /// Exchange stiffness, J/m.
    pub const EXCHANGE: Dim = Dim([1, 1, -2, 0, 0]); // J/m
    /// Energy density, J/m^3.
    pub const ENERGY_DENSITY: Dim = Dim([-1, 1, -2, 0, 0]); // J/m^3
    /// Surface energy density, J/m^2.
    pub const SURFACE_ENERGY: Dim = Dim([0, 1, -2, 0, 0]); // J/m^2
    /// Velocity, m/s.
    pub const VELOCITY: Dim = Dim([1, 0, -1, 0, 0]);
    /// Area, m^2.
    pub const AREA: Dim = Dim([2, 0, 0, 0, 0]);
    /// Frequency, Hz.
    pub const FREQUENCY: Dim = Dim([0, 0, -1, 0, 0]);
    /// Field sweep rate, A/m per s (Oe/s; mT/s is read as B/mu0 per s).
    pub const FIELD_RATE: Dim = Dim([-1, 0, -1, 1, 0]);
    /// Flux-density rate, T/s (accepted where a field rate is expected).
    const FLUX_RATE: Dim = Dim([0, 1, -3, -1, 0]);

    fn mul(self, other: Dim, power: i8) -> Dim {
        let mut d = self.0;
        for (a, b) in d.iter_mut().zip(other.0) {
            *a += b * power;
        }
        Dim(d)
    }

    /// Human name and example units for error messages.
    pub fn describe(self) -> &'static str {
        match self {
            Dim::NONE => "a dimensionless number (bare, or with %)",
            Dim::LENGTH => "a length (nm, um, mm, m)",
            Dim::TIME => "a time (ps, ns, us, s)",
            Dim::CURRENT => "a current (nA, uA, mA, A)",
            Dim::TEMPERATURE => "a temperature (K)",
            Dim::CURRENT_DENSITY => "a current density (A/m^2)",
            Dim::FIELD => "a magnetic field (A/m, Oe, mT, T)",
            Dim::FLUX_DENSITY => "a flux density (T, mT)",
            Dim::RESISTANCE => "a resistance (Ohm, kOhm)",
            Dim::RESISTANCE_AREA => "a resistance-area product (Ohm*um^2)",
            Dim::RESISTIVITY => "a resistivity (uOhm*cm, Ohm*m)",
            Dim::ENERGY => "an energy (J, pJ, fJ, aJ, eV)",
            Dim::POWER => "a power (W, mW, uW)",
            Dim::VOLTAGE => "a voltage (V, mV)",
            Dim::EXCHANGE => "an exchange stiffness (J/m, pJ/m)",
            Dim::ENERGY_DENSITY => "an energy density (J/m^3)",
            Dim::SURFACE_ENERGY => "a surface energy density (J/m^2, mJ/m^2)",
            Dim::VELOCITY => "a velocity (m/s)",
            Dim::AREA => "an area (um^2, nm^2)",
            Dim::FREQUENCY => "a frequency (Hz, MHz, GHz)",
            Dim::FIELD_RATE => "a field sweep rate (Oe/s, A/m/s, mT/s)",
            _ => "a quantity of another dimension",
        }
    }
}

/// Why a quantity could not be read.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum UnitError {
    /// The text is not a number followed by a unit (the text).
    #[error("'{0}' is not a number followed by a unit")]
    Syntax(String),
    /// A unit symbol is not known.
    #[error("unknown unit '{unit}' in '{text}'")]
    UnknownUnit {
        /// The unknown symbol.
        unit: String,
        /// The whole quantity text.
        text: String,
    },
    /// The unit has another dimension than the field expects.
    #[error("'{text}' is {got}, expected {expected}")]
    WrongDimension {
        /// The quantity text.
        text: String,
        /// Description of the dimension given.
        got: &'static str,
        /// Description of the dimension expected.
        expected: &'static str,
    },
    /// The number is not finite (the text).
    #[error("'{0}' is not a finite number")]
    NotFinite(String),
}

/// Base units: symbol, SI factor, dimension.
const BASE_UNITS: &[(&str, f64, Dim)] = &[
    ("m", 1.0, Dim::LENGTH),
    ("g", 1e-3, Dim([0, 1, 0, 0, 0])),
    ("s", 1.0, Dim::TIME),
    ("A", 1.0, Dim::CURRENT),
    ("K", 1.0, Dim::TEMPERATURE),
    ("Ohm", 1.0, Dim::RESISTANCE),
    ("ohm", 1.0, Dim::RESISTANCE),
    ("Ω", 1.0, Dim::RESISTANCE),
    ("V", 1.0, Dim::VOLTAGE),
    ("W", 1.0, Dim::POWER),
    ("J", 1.0, Dim::ENERGY),
    ("eV", 1.602_176_634e-19, Dim::ENERGY),
    ("T", 1.0, Dim::FLUX_DENSITY),
    ("Oe", 1000.0 / (4.0 * std::f64::consts::PI), Dim::FIELD),
    ("Hz", 1.0, Dim::FREQUENCY),
    ("N", 1.0, Dim([1, 1, -2, 0, 0])),
];

const PREFIXES: &[(&str, f64)] = &[
    ("z", 1e-21),
    ("a", 1e-18),
    ("f", 1e-15),
    ("p", 1e-12),
    ("n", 1e-9),
    ("u", 1e-6),
    ("µ", 1e-6),
    ("μ", 1e-6),
    ("m", 1e-3),
    ("c", 1e-2),
    ("k", 1e3),
    ("M", 1e6),
    ("G", 1e9),
];

fn lookup_symbol(sym: &str) -> Option<(f64, Dim)> {
    if let Some(&(_, f, d)) = BASE_UNITS.iter().find(|(s, _, _)| *s == sym) {
        return Some((f, d));
    }
    for (p, pf) in PREFIXES {
        if let Some(rest) = sym.strip_prefix(p) {
            if let Some(&(_, f, d)) = BASE_UNITS.iter().find(|(s, _, _)| *s == rest) {
                return Some((pf * f, d));
            }
        }
    }
    None
}

/// A parsed unit expression: SI factor and dimension.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Unit {
    /// Factor to SI: value_SI = factor * value.
    pub factor: f64,
    /// Dimension of the unit.
    pub dim: Dim,
}

struct UnitParser<'a> {
    chars: Vec<char>,
    pos: usize,
    text: &'a str,
}

impl UnitParser<'_> {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn skip_ws(&mut self) {
        while self.peek().is_some_and(char::is_whitespace) {
            self.pos += 1;
        }
    }

    fn syntax(&self) -> UnitError {
        UnitError::Syntax(self.text.to_string())
    }

    /// product := factor ((*|/) factor)*
    fn product(&mut self) -> Result<Unit, UnitError> {
        let mut acc = self.factor()?;
        loop {
            self.skip_ws();
            match self.peek() {
                Some('*') | Some('·') => {
                    self.pos += 1;
                    let u = self.factor()?;
                    acc = Unit {
                        factor: acc.factor * u.factor,
                        dim: acc.dim.mul(u.dim, 1),
                    };
                }
                Some('/') => {
                    self.pos += 1;
                    let u = self.factor()?;
                    acc = Unit {
                        factor: acc.factor / u.factor,
                        dim: acc.dim.mul(u.dim, -1),
                    };
                }
                _ => return Ok(acc),
            }
        }
    }

    /// factor := (symbol | '(' product ')') ('^' int)?
    fn factor(&mut self) -> Result<Unit, UnitError> {
        self.skip_ws();
        let base = if self.peek() == Some('(') {
            self.pos += 1;
            let u = self.product()?;
            self.skip_ws();
            if self.peek() != Some(')') {
                return Err(self.syntax());
            }
            self.pos += 1;
            u
        } else {
            let start = self.pos;
            while self.peek().is_some_and(|c| c.is_alphabetic() || c == '%') {
                self.pos += 1;
            }
            let sym: String = self.chars[start..self.pos].iter().collect();
            if sym.is_empty() {
                return Err(self.syntax());
            }
            if sym == "%" {
                Unit {
                    factor: 0.01,
                    dim: Dim::NONE,
                }
            } else {
                let (factor, dim) = lookup_symbol(&sym).ok_or_else(|| UnitError::UnknownUnit {
                    unit: sym.clone(),
                    text: self.text.to_string(),
                })?;
                Unit { factor, dim }
            }
        };
        self.skip_ws();
        if self.peek() == Some('^') {
            self.pos += 1;
            self.skip_ws();
            let start = self.pos;
            if self.peek() == Some('-') {
                self.pos += 1;
            }
            while self.peek().is_some_and(|c| c.is_ascii_digit()) {
                self.pos += 1;
            }
            let s: String = self.chars[start..self.pos].iter().collect();
            let p: i8 = s.parse().map_err(|_| self.syntax())?;
            if !(-6..=6).contains(&p) {
                return Err(self.syntax());
            }
            return Ok(Unit {
                factor: base.factor.powi(i32::from(p)),
                dim: Dim::NONE.mul(base.dim, p),
            });
        }
        Ok(base)
    }
}

/// Parse a unit expression such as `"Ohm*um^2"` into its SI factor and dimension.
pub fn parse_unit(text: &str) -> Result<Unit, UnitError> {
    let mut p = UnitParser {
        chars: text.chars().collect(),
        pos: 0,
        text,
    };
    let u = p.product()?;
    p.skip_ws();
    if p.pos != p.chars.len() {
        return Err(p.syntax());
    }
    Ok(u)
}

/// Split `"<number> <unit>"` into the number and the (possibly empty) unit text.
pub fn split_number(text: &str) -> Result<(f64, &str), UnitError> {
    let t = text.trim();
    // The longest prefix that parses as a float ends the number. Scan candidate end positions
    // from the longest down so that "1e-9 m" keeps its exponent.
    let boundary = t
        .char_indices()
        .map(|(i, _)| i)
        .chain(std::iter::once(t.len()))
        .filter(|&i| i > 0)
        .rev()
        .find(|&i| {
            let head = &t[..i];
            // Reject things Rust parses but a user would not mean as a number, like "inf".
            head.chars().all(|c| c.is_ascii_digit() || matches!(c, '.' | '-' | '+' | 'e' | 'E')) && head.parse::<f64>().is_ok()
        })
        .ok_or_else(|| UnitError::Syntax(text.to_string()))?;
    let value: f64 = t[..boundary].parse().map_err(|_| UnitError::Syntax(text.to_string()))?;
    Ok((value, t[boundary..].trim()))
}

/// Parse `text` as a quantity of dimension `expected` and return its SI value.
///
/// A unitless string is taken as SI, like a bare TOML number. Fields accept flux-density units
/// (H = B/mu0).
pub fn parse_quantity(text: &str, expected: Dim) -> Result<f64, UnitError> {
    let (value, unit_text) = split_number(text)?;
    if !value.is_finite() {
        return Err(UnitError::NotFinite(text.to_string()));
    }
    if unit_text.is_empty() {
        return Ok(value);
    }
    let unit = parse_unit(unit_text)?;
    let si = if unit.dim == expected {
        value * unit.factor
    } else if (expected == Dim::FIELD && unit.dim == Dim::FLUX_DENSITY) || (expected == Dim::FIELD_RATE && unit.dim == Dim::FLUX_RATE) {
        value * unit.factor / MU0
    } else {
        return Err(UnitError::WrongDimension {
            text: text.to_string(),
            got: unit.dim.describe(),
            expected: expected.describe(),
        });
    };
    if si.is_finite() {
        Ok(si)
    } else {
        Err(UnitError::NotFinite(text.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() <= 1e-12 * a.abs().max(b.abs())
    }

    #[test]
    fn table_of_units() {
        let cases: &[(&str, Dim, f64)] = &[
            ("5 nm", Dim::LENGTH, 5e-9),
            ("1.43 um", Dim::LENGTH, 1.43e-6),
            ("2 mm", Dim::LENGTH, 2e-3),
            ("3 m", Dim::LENGTH, 3.0),
            ("0.7e11 A/m^2", Dim::CURRENT_DENSITY, 0.7e11),
            ("1000 A/m", Dim::FIELD, 1000.0),
            ("-480 Oe", Dim::FIELD, -480.0 * 1000.0 / (4.0 * std::f64::consts::PI)),
            ("10 mT", Dim::FIELD, 0.01 / MU0),
            ("1 T", Dim::FIELD, 1.0 / MU0),
            ("620 uA", Dim::CURRENT, 620e-6),
            ("1 mA", Dim::CURRENT, 1e-3),
            ("2 A", Dim::CURRENT, 2.0),
            ("100 nA", Dim::CURRENT, 100e-9),
            ("8 ns", Dim::TIME, 8e-9),
            ("500 ps", Dim::TIME, 500e-12),
            ("3 us", Dim::TIME, 3e-6),
            ("1 s", Dim::TIME, 1.0),
            ("300 K", Dim::TEMPERATURE, 300.0),
            ("5.2 kOhm", Dim::RESISTANCE, 5200.0),
            ("50 Ohm", Dim::RESISTANCE, 50.0),
            ("20 Ohm*um^2", Dim::RESISTANCE_AREA, 20e-12),
            ("190 uOhm*cm", Dim::RESISTIVITY, 190e-8),
            ("1.9e-6 Ohm*m", Dim::RESISTIVITY, 1.9e-6),
            ("1.5e-11 J/m", Dim::EXCHANGE, 1.5e-11),
            ("3e5 J/m^3", Dim::ENERGY_DENSITY, 3e5),
            ("0.05 mJ/m^2", Dim::SURFACE_ENERGY, 0.05e-3),
            ("2 mW", Dim::POWER, 2e-3),
            ("16 pJ", Dim::ENERGY, 16e-12),
            ("18 fJ", Dim::ENERGY, 18e-15),
            ("1 eV", Dim::ENERGY, 1.602_176_634e-19),
            ("44 %", Dim::NONE, 0.44),
            ("0.5 V", Dim::VOLTAGE, 0.5),
            ("40 m/s", Dim::VELOCITY, 40.0),
            ("1e-9", Dim::LENGTH, 1e-9),
            ("2 J/(m^2)", Dim::SURFACE_ENERGY, 2.0),
            ("1 kg*m^2/s^2", Dim::ENERGY, 1.0),
        ];
        for &(text, dim, want) in cases {
            let got = parse_quantity(text, dim).unwrap_or_else(|e| panic!("{text}: {e}"));
            assert!(close(got, want), "{text}: got {got}, want {want}");
        }
    }

    #[test]
    fn wrong_dimension_names_both_sides() {
        let err = parse_quantity("200 Oe", Dim::LENGTH).unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("200 Oe") && msg.contains("length") && msg.contains("field"), "{msg}");
    }

    #[test]
    fn rejects_garbage() {
        assert!(matches!(parse_quantity("abc", Dim::LENGTH), Err(UnitError::Syntax(_))));
        assert!(matches!(
            parse_quantity("5 parsecs", Dim::LENGTH),
            Err(UnitError::UnknownUnit { .. })
        ));
        assert!(parse_quantity("NaN nm", Dim::LENGTH).is_err());
        assert!(parse_quantity("inf", Dim::LENGTH).is_err());
        assert!(parse_quantity("1e400 m", Dim::LENGTH).is_err());
        assert!(parse_quantity("5 nm nm", Dim::LENGTH).is_err());
        assert!(parse_quantity("", Dim::LENGTH).is_err());
    }

    proptest::proptest! {
        #[test]
        fn parser_never_panics(s in "\\PC{0,24}") {
            let _ = parse_quantity(&s, Dim::LENGTH);
        }

        #[test]
        fn roundtrip_nanometres(v in -1e6f64..1e6) {
            let text = format!("{v:e} nm");
            let got = parse_quantity(&text, Dim::LENGTH).unwrap();
            proptest::prop_assert!((got - v * 1e-9).abs() <= 1e-12 * (v * 1e-9).abs() + 1e-300);
        }

        #[test]
        fn prefixed_units_scale(v in 1e-3f64..1e3, idx in 0usize..4) {
            let (sym, f) = [("pJ", 1e-12), ("fJ", 1e-15), ("nJ", 1e-9), ("mJ", 1e-3)][idx];
            let got = parse_quantity(&format!("{v} {sym}"), Dim::ENERGY).unwrap();
            proptest::prop_assert!((got - v * f).abs() <= 1e-12 * v * f);
        }
    }
}
