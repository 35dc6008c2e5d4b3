//! Small fitting helpers for the reproductions: least-squares line with R^2, and a shifted
//! sigmoid y = a + b / (1 + exp(-(x - c)/s)) fitted by a (c, s) grid search with the linear
//! parameters (a, b) solved exactly at every grid point, then refined on a finer grid.

/// y = slope x + intercept, with the coefficient of determination.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub struct LineFit {
    /// Slope of the least-squares line.
    pub slope: f64,
    /// Intercept of the least-squares line.
    pub intercept: f64,
    /// Coefficient of determination R^2 (1 when y has no spread).
    pub r_squared: f64,
}

/// Least-squares line through the points (x, y).
pub fn fit_line(x: &[f64], y: &[f64]) -> LineFit {
    let n = x.len() as f64;
    let mx = x.iter().sum::<f64>() / n;
    let my = y.iter().sum::<f64>() / n;
    let sxx: f64 = x.iter().map(|a| (a - mx).powi(2)).sum();
    let sxy: f64 = x.iter().zip(y).map(|(a, b)| (a - mx) * (b - my)).sum();
    let syy: f64 = y.iter().map(|b| (b - my).powi(2)).sum();
    let slope = if sxx > 0.0 { sxy / sxx } else { 0.0 };
    let intercept = my - slope * mx;
    let sse: f64 = x.iter().zip(y).map(|(a, b)| (b - slope * a - intercept).powi(2)).sum();
    let r_squared = if syy > 0.0 { 1.0 - sse / syy } else { 1.0 };
    LineFit {
        slope,
        intercept,
        r_squared,
    }
}

/// The logistic function 1 / (1 + exp(-z)).
pub fn logistic(z: f64) -> f64 {
    1.0 / (1.0 + (-z).exp())
}

/// y = offset + amplitude / (1 + exp(-(x - center)/scale)), with the fit's RMS residual.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub struct SigmoidFit {
    /// Offset a.
    pub offset: f64,
    /// Amplitude b.
    pub amplitude: f64,
    /// Centre c (x units).
    pub center: f64,
    /// Scale s (x units).
    pub scale: f64,
    /// RMS residual of the fit (y units).
    pub rms: f64,
}

impl SigmoidFit {
    /// The fitted sigmoid at x.
    pub fn eval(&self, x: f64) -> f64 {
        self.offset + self.amplitude * logistic((x - self.center) / self.scale)
    }
}

fn linear_part(x: &[f64], y: &[f64], c: f64, s: f64) -> (f64, f64, f64) {
    let g: Vec<f64> = x.iter().map(|&v| logistic((v - c) / s)).collect();
    let fit = fit_line(&g, y);
    let sse: f64 = g.iter().zip(y).map(|(gi, yi)| (yi - fit.slope * gi - fit.intercept).powi(2)).sum();
    (fit.intercept, fit.slope, (sse / x.len() as f64).sqrt())
}

/// Fit the shifted sigmoid on x in [x_min, x_max].
pub fn fit_shifted_sigmoid(x: &[f64], y: &[f64]) -> SigmoidFit {
    let (lo, hi) = x.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| (a.min(v), b.max(v)));
    let span = hi - lo;
    let mut best = (f64::INFINITY, 0.0, 0.0, 0.0, 0.0);
    let (mut c_lo, mut c_hi, mut s_lo, mut s_hi) = (lo, hi, span * 0.01, span);
    for _round in 0..4 {
        let n = 60;
        for ic in 0..=n {
            let c = c_lo + (c_hi - c_lo) * f64::from(ic) / f64::from(n);
            for is in 0..=n {
                // Log-spaced scales.
                let s = s_lo * (s_hi / s_lo).powf(f64::from(is) / f64::from(n));
                let (a, b, rms) = linear_part(x, y, c, s);
                if rms < best.0 {
                    best = (rms, a, b, c, s);
                }
            }
        }
        let (dc, ds) = ((c_hi - c_lo) / 10.0, (s_hi / s_lo).powf(0.1));
        c_lo = best.3 - dc;
        c_hi = best.3 + dc;
        s_lo = best.4 / ds;
        s_hi = best.4 * ds;
    }
    SigmoidFit {
        rms: best.0,
        offset: best.1,
        amplitude: best.2,
        center: best.3,
        scale: best.4,
    }
}

/// Mean and sample standard deviation.
pub fn mean_std(xs: &[f64]) -> (f64, f64) {
    let n = xs.len() as f64;
    let mean = xs.iter().sum::<f64>() / n;
    if xs.len() < 2 {
        return (mean, 0.0);
    }
    let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
    (mean, var.sqrt())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_line() {
        let x = [1.0, 2.0, 3.0, 4.0];
        let y = [3.0, 5.0, 7.0, 9.0];
        let f = fit_line(&x, &y);
        assert!((f.slope - 2.0).abs() < 1e-12 && (f.intercept - 1.0).abs() < 1e-12 && (f.r_squared - 1.0).abs() < 1e-12);
    }

    #[test]
    fn staircase_r_squared_hand_value() {
        // y = floor(x) sampled densely over 8 steps: residual variance ~ 1/12, total ~ 64/12.
        let x: Vec<f64> = (0..8000).map(|k| f64::from(k) / 1000.0).collect();
        let y: Vec<f64> = x.iter().map(|v| v.floor()).collect();
        let f = fit_line(&x, &y);
        assert!((f.r_squared - (1.0 - 1.0 / 64.0)).abs() < 2e-3, "{}", f.r_squared);
    }

    #[test]
    fn recovers_sigmoid_parameters() {
        let x: Vec<f64> = (0..200).map(|k| f64::from(k) * 3e-6).collect();
        let truth = SigmoidFit {
            offset: 0.1,
            amplitude: 0.8,
            center: 3.1e-4,
            scale: 5e-5,
            rms: 0.0,
        };
        let y: Vec<f64> = x.iter().map(|&v| truth.eval(v)).collect();
        let f = fit_shifted_sigmoid(&x, &y);
        assert!(f.rms < 1e-4, "{f:?}");
        assert!(
            (f.center - truth.center).abs() < 2e-6 && (f.scale / truth.scale - 1.0).abs() < 0.02,
            "{f:?}"
        );
    }
}
