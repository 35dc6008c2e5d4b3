//! Target transfer functions y(I) on a current range [i_min, i_max], normalised to
//! y(i_min) = 0 and y(i_max) = 1 (full scale), as the shifted functions of docs/physics.md 7.1.

use crate::DesignError;

/// A named function or a measured table.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub enum Shape {
    /// Linear in I.
    Linear,
    /// Logistic 1 / (1 + exp(-(I - center)/scale)).
    Sigmoid {
        /// Centre current (A).
        center: f64,
        /// Scale current (A).
        scale: f64,
    },
    /// tanh((I - center)/scale).
    Tanh {
        /// Centre current (A).
        center: f64,
        /// Scale current (A).
        scale: f64,
    },
    /// ReLU-like: scale ln(1 + exp((I - center)/scale)).
    Softplus {
        /// Centre current (A).
        center: f64,
        /// Scale current (A).
        scale: f64,
    },
    /// Smooth step of width `scale` at `center` (a logistic with a small scale).
    Step {
        /// Step current (A).
        center: f64,
        /// Width of the step (A).
        scale: f64,
    },
    /// Gaussian CDF with mean `center` and standard deviation `scale`.
    GaussianCdf {
        /// Mean current (A).
        center: f64,
        /// Standard deviation (A).
        scale: f64,
    },
    /// Piecewise-linear table of (current A, output); outputs are renormalised.
    Table(Vec<(f64, f64)>),
}

/// A target transfer function y(I) on [i_min, i_max], normalised to 0 at i_min and 1 at i_max.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Target {
    /// The function before normalisation.
    pub shape: Shape,
    /// Low end of the current range (A).
    pub i_min: f64,
    /// High end of the current range (A).
    pub i_max: f64,
}

fn erf(x: f64) -> f64 {
    // Abramowitz-Stegun 7.1.26 is too coarse for a design target; use the complementary
    // error function's continued-fraction-free series via the regularised gamma relation:
    // erf(x) = sign(x) * P(1/2, x^2), computed by its series (converges for all x used here).
    let s = x.signum();
    let z = x * x;
    if z > 30.0 {
        return s;
    }
    // P(a, z) = z^a e^-z / Gamma(a+1) * sum z^n / ((a+1)...(a+n)).
    let a = 0.5;
    let (mut term, mut sum) = (1.0 / a, 1.0 / a);
    for n in 1..500 {
        term *= z / (a + n as f64);
        sum += term;
        if term < 1e-17 * sum {
            break;
        }
    }
    // Gamma(1/2) = sqrt(pi).
    s * sum * (-z).exp() * z.sqrt() / std::f64::consts::PI.sqrt()
}

impl Target {
    /// Build a named target; `center` and `scale` default to the middle and 1/8 of the range.
    pub fn named(name: &str, i_min: f64, i_max: f64, center: Option<f64>, scale: Option<f64>) -> Result<Self, DesignError> {
        if !(i_max > i_min && i_min >= 0.0 && i_max.is_finite()) {
            return Err(DesignError::Input(format!(
                "current range {i_min:e}..{i_max:e} A: need 0 <= MIN < MAX"
            )));
        }
        let c = center.unwrap_or(0.5 * (i_min + i_max));
        let s = scale.unwrap_or((i_max - i_min) / 8.0);
        if s <= 0.0 {
            return Err(DesignError::Input(format!("scale {s:e} A: must be > 0")));
        }
        let shape = match name {
            "linear" => Shape::Linear,
            "sigmoid" => Shape::Sigmoid { center: c, scale: s },
            "tanh" => Shape::Tanh { center: c, scale: s },
            "softplus" | "relu" => Shape::Softplus { center: c, scale: s },
            "step" => Shape::Step {
                center: c,
                scale: scale.unwrap_or((i_max - i_min) / 100.0),
            },
            "gaussian-cdf" | "gaussian_cdf" | "erf" => Shape::GaussianCdf { center: c, scale: s },
            _ => {
                return Err(DesignError::Input(format!(
                    "unknown function '{name}'; expected linear, sigmoid, tanh, softplus (relu), step, gaussian-cdf"
                )))
            }
        };
        Ok(Self { shape, i_min, i_max })
    }

    /// A table target from a CSV file with the columns `current_a,output`.
    pub fn read_csv(path: &std::path::Path) -> Result<Self, DesignError> {
        let shown = path.display();
        if path.is_dir() {
            return Err(DesignError::Input(format!(
                "{shown} is a folder; expected a CSV file with columns current_a,output"
            )));
        }
        let mut rdr = csv::Reader::from_path(path).map_err(|e| DesignError::Input(format!("cannot read {shown}: {e}")))?;
        let headers = rdr.headers().map_err(|e| DesignError::Input(format!("{shown}: {e}")))?.clone();
        if headers.iter().collect::<Vec<_>>() != ["current_a", "output"] {
            return Err(DesignError::Input(format!(
                "{shown}: expected the columns current_a,output, found {:?}",
                headers.iter().collect::<Vec<_>>()
            )));
        }
        let mut rows = Vec::new();
        for (k, rec) in rdr.records().enumerate() {
            let rec = rec.map_err(|e| DesignError::Input(format!("{shown}: {e}")))?;
            let number = |i: usize| -> Result<f64, DesignError> {
                let text = rec.get(i).unwrap_or("");
                match text.trim().parse::<f64>() {
                    Ok(v) if v.is_finite() => Ok(v),
                    Ok(v) => Err(DesignError::Input(format!("{shown} row {}: {v} is not finite", k + 2))),
                    Err(_) => Err(DesignError::Input(format!("{shown} row {}: {text:?} is not a number", k + 2))),
                }
            };
            rows.push((number(0)?, number(1)?));
        }
        Self::table(rows).map_err(|e| DesignError::Input(format!("{shown}: {e}")))
    }

    /// A table target; currents must increase and outputs lie in [0, 1].
    pub fn table(points: Vec<(f64, f64)>) -> Result<Self, DesignError> {
        if points.len() < 2 {
            return Err(DesignError::Input("the table needs at least two rows".into()));
        }
        for (k, w) in points.windows(2).enumerate() {
            if w[1].0 <= w[0].0 {
                return Err(DesignError::Input(format!(
                    "row {}: current_a {:e} does not increase",
                    k + 2,
                    w[1].0
                )));
            }
        }
        for (k, p) in points.iter().enumerate() {
            if !(0.0..=1.0).contains(&p.1) || !p.0.is_finite() || p.0 < 0.0 {
                return Err(DesignError::Input(format!(
                    "row {}: ({:e}, {}) needs current_a >= 0 and 0 <= output <= 1",
                    k + 1,
                    p.0,
                    p.1
                )));
            }
        }
        let (i_min, i_max) = (points[0].0, points[points.len() - 1].0);
        Ok(Self {
            shape: Shape::Table(points),
            i_min,
            i_max,
        })
    }

    fn raw(&self, i: f64) -> f64 {
        let logistic = |z: f64| 1.0 / (1.0 + (-z).exp());
        match &self.shape {
            Shape::Linear => i,
            Shape::Sigmoid { center, scale } | Shape::Step { center, scale } => logistic((i - center) / scale),
            Shape::Tanh { center, scale } => ((i - center) / scale).tanh(),
            Shape::Softplus { center, scale } => scale * ((i - center) / scale).exp().ln_1p(),
            Shape::GaussianCdf { center, scale } => 0.5 * (1.0 + erf((i - center) / (scale * std::f64::consts::SQRT_2))),
            Shape::Table(p) => {
                let k = p.partition_point(|q| q.0 <= i).clamp(1, p.len() - 1);
                let (a, b) = (p[k - 1], p[k]);
                let t = ((i - a.0) / (b.0 - a.0)).clamp(0.0, 1.0);
                a.1 + t * (b.1 - a.1)
            }
        }
    }

    /// Normalised target y(I) in [0, 1].
    pub fn eval(&self, i: f64) -> f64 {
        let (lo, hi) = (self.raw(self.i_min), self.raw(self.i_max));
        ((self.raw(i.clamp(self.i_min, self.i_max)) - lo) / (hi - lo)).clamp(0.0, 1.0)
    }

    /// The smallest current where y reaches `level` (bisection; y is monotone for the named
    /// shapes and for monotone tables).
    pub fn inverse(&self, level: f64) -> f64 {
        let (mut a, mut b) = (self.i_min, self.i_max);
        for _ in 0..100 {
            let m = 0.5 * (a + b);
            if self.eval(m) < level {
                a = m;
            } else {
                b = m;
            }
        }
        0.5 * (a + b)
    }

    /// True if y never decreases on a fine grid.
    pub fn is_monotone(&self) -> bool {
        let ys: Vec<f64> = (0..=1000)
            .map(|k| self.eval(self.i_min + (self.i_max - self.i_min) * f64::from(k) / 1000.0))
            .collect();
        ys.windows(2).all(|w| w[1] >= w[0] - 1e-12)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn erf_reference_values() {
        for (x, want) in [
            (0.5, 0.520_499_877_813_046_5),
            (1.0, 0.842_700_792_949_714_9),
            (2.0, 0.995_322_265_018_952_7),
            (-1.0, -0.842_700_792_949_714_9),
        ] {
            assert!((erf(x) - want).abs() < 1e-13, "erf({x})");
        }
    }

    #[test]
    fn normalised_ends_and_inverse() {
        for name in ["linear", "sigmoid", "tanh", "softplus", "step", "gaussian-cdf"] {
            let t = Target::named(name, 100e-6, 600e-6, None, None).unwrap();
            assert!(t.eval(100e-6).abs() < 1e-12 && (t.eval(600e-6) - 1.0).abs() < 1e-12, "{name}");
            assert!(t.is_monotone(), "{name}");
            let i = t.inverse(0.3);
            assert!((t.eval(i) - 0.3).abs() < 1e-6, "{name}");
        }
        assert!(Target::named("cubic", 0.0, 1.0, None, None).is_err());
        assert!(Target::named("linear", 1.0, 0.5, None, None).is_err());
    }
}
