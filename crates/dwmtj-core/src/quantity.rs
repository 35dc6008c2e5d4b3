//! The raw form of a quantity in a configuration file: a bare SI number or a string with a unit.

use crate::error::ConfigError;
use crate::units::{parse_quantity, Dim};
use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// A number for messages and files: the shortest digits that read back to the same value, in
/// exponent form outside 1e-4 .. 1e15 (`14.5`, `8e-9`, `1e-300`, never 300 digits).
pub fn short(v: f64) -> String {
    let a = v.abs();
    if a == 0.0 || !a.is_finite() || (1e-4..1e15).contains(&a) {
        format!("{v}")
    } else {
        format!("{v:e}")
    }
}

/// A quantity as written by the user, before unit conversion.
#[derive(Clone, Debug, PartialEq)]
pub enum RawQuantity {
    /// A bare number, taken as SI.
    Number(f64),
    /// A number with a unit, e.g. "8 ns".
    Text(String),
}

impl RawQuantity {
    /// Convert to SI, checking the dimension; errors name `field`.
    pub fn to_si(&self, dim: Dim, field: &str) -> Result<f64, ConfigError> {
        let v = match self {
            RawQuantity::Number(v) if v.is_finite() => *v,
            RawQuantity::Number(v) => {
                return Err(ConfigError::field(
                    field,
                    v.to_string(),
                    format!("not a finite number; expected {}", dim.describe()),
                ))
            }
            RawQuantity::Text(t) => parse_quantity(t, dim).map_err(|e| ConfigError::field(field, format!("'{t}'"), e.to_string()))?,
        };
        crate::plausible::check(field, &self.to_string(), matches!(self, RawQuantity::Number(_)), v, dim)?;
        Ok(v)
    }
}

impl fmt::Display for RawQuantity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RawQuantity::Number(v) => f.write_str(&short(*v)),
            RawQuantity::Text(t) => write!(f, "'{t}'"),
        }
    }
}

impl Serialize for RawQuantity {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            RawQuantity::Number(v) => s.serialize_f64(*v),
            RawQuantity::Text(t) => s.serialize_str(t),
        }
    }
}

struct QuantityVisitor;

impl Visitor<'_> for QuantityVisitor {
    type Value = RawQuantity;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a number in SI units or a string with a unit, such as \"8 ns\" or \"-480 Oe\"")
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<RawQuantity, E> {
        Ok(RawQuantity::Number(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<RawQuantity, E> {
        Ok(RawQuantity::Number(v as f64))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<RawQuantity, E> {
        Ok(RawQuantity::Number(v as f64))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<RawQuantity, E> {
        Ok(RawQuantity::Text(v.to_string()))
    }
}

impl<'de> Deserialize<'de> for RawQuantity {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(QuantityVisitor)
    }
}

/// Convert an optional raw quantity, falling back to `default`.
pub fn opt_si(q: &Option<RawQuantity>, dim: Dim, field: &str, default: f64) -> Result<f64, ConfigError> {
    q.as_ref().map_or(Ok(default), |q| q.to_si(dim, field))
}
