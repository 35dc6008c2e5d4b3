//! Wire geometry: the width profile w(x) of the heavy-metal/free-layer wire along its length.
//!
//! Profiles are piecewise linear (a constant and a linear taper are special cases), so the wire
//! resistance R = R_sq * integral_0^L dx / w(x) has the closed form per segment
//! dx * ln(w1/w0) / (w1 - w0) (docs/physics.md section 4), and the geometric taper force of
//! docs/physics.md 2.4 uses w'(x) exactly.

/// A piecewise-linear width profile on [0, L]. Nodes are strictly increasing in x, widths > 0.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct WidthProfile {
    x: Vec<f64>,
    w: Vec<f64>,
}

impl WidthProfile {
    /// A uniform wire of `width` (m) over [0, `length`] (m).
    pub fn constant(length: f64, width: f64) -> Self {
        Self {
            x: vec![0.0, length],
            w: vec![width, width],
        }
    }

    /// A linear taper over [0, `length`] from width `start` to width `end` (all m).
    pub fn linear(length: f64, start: f64, end: f64) -> Self {
        Self {
            x: vec![0.0, length],
            w: vec![start, end],
        }
    }

    /// Table of (x, w) nodes. The caller validates ordering and positivity.
    pub fn table(x: Vec<f64>, w: Vec<f64>) -> Self {
        Self { x, w }
    }

    /// Wire length L, m.
    pub fn length(&self) -> f64 {
        *self.x.last().expect("profile has nodes")
    }

    /// The (x, w) nodes in increasing x, m.
    pub fn nodes(&self) -> impl Iterator<Item = (f64, f64)> + '_ {
        self.x.iter().copied().zip(self.w.iter().copied())
    }

    fn segment(&self, x: f64) -> usize {
        let n = self.x.len();
        match self.x.partition_point(|&xi| xi <= x) {
            0 => 0,
            k if k >= n => n - 2,
            k => k - 1,
        }
    }

    /// Index of the segment containing x (clamped).
    pub fn segment_index(&self, x: f64) -> usize {
        self.segment(x.clamp(0.0, self.length()))
    }

    /// (x_k, x_{k+1}) of segment k.
    pub fn segment_bounds(&self, k: usize) -> (f64, f64) {
        (self.x[k], self.x[k + 1])
    }

    /// Width at x (clamped to the wire ends).
    pub fn width(&self, x: f64) -> f64 {
        let x = x.clamp(0.0, self.length());
        let k = self.segment(x);
        let (x0, x1, w0, w1) = (self.x[k], self.x[k + 1], self.w[k], self.w[k + 1]);
        w0 + (w1 - w0) * (x - x0) / (x1 - x0)
    }

    /// Slope dw/dx at x (right derivative at nodes).
    pub fn slope(&self, x: f64) -> f64 {
        let k = self.segment(x.clamp(0.0, self.length()));
        (self.w[k + 1] - self.w[k]) / (self.x[k + 1] - self.x[k])
    }

    /// Smallest node width (the narrowest point), m.
    pub fn min_width(&self) -> f64 {
        self.w.iter().copied().fold(f64::INFINITY, f64::min)
    }

    /// Largest node width (the widest point), m.
    pub fn max_width(&self) -> f64 {
        self.w.iter().copied().fold(0.0, f64::max)
    }

    /// Largest width on [a, b]: piecewise linear, so at an end or an interior node.
    pub fn max_width_on(&self, a: f64, b: f64) -> f64 {
        let inner = self.nodes().filter(|&(x, _)| x > a && x < b).map(|(_, w)| w);
        inner.chain([self.width(a), self.width(b)]).fold(0.0, f64::max)
    }

    /// Smallest width on [a, b].
    pub fn min_width_on(&self, a: f64, b: f64) -> f64 {
        let inner = self.nodes().filter(|&(x, _)| x > a && x < b).map(|(_, w)| w);
        inner.chain([self.width(a), self.width(b)]).fold(f64::INFINITY, f64::min)
    }

    /// integral_0^L dx / w(x) (1/m... dimensionless count of squares per unit sheet resistance).
    pub fn squares(&self) -> f64 {
        self.x
            .windows(2)
            .zip(self.w.windows(2))
            .map(|(xs, ws)| {
                let dx = xs[1] - xs[0];
                let (w0, w1) = (ws[0], ws[1]);
                if ((w1 - w0) / w0).abs() < 1e-9 {
                    dx / (0.5 * (w0 + w1))
                } else {
                    dx * (w1 / w0).ln() / (w1 - w0)
                }
            })
            .sum()
    }

    /// integral_a^b dx / w(x) (composite Simpson on 512 intervals; w is piecewise linear and > 0).
    pub fn squares_between(&self, a: f64, b: f64) -> f64 {
        if b <= a {
            return 0.0;
        }
        let n = 512;
        let h = (b - a) / f64::from(n);
        let f = |x: f64| 1.0 / self.width(x);
        let mut acc = f(a) + f(b);
        for k in 1..n {
            acc += f(a + f64::from(k) * h) * if k % 2 == 1 { 4.0 } else { 2.0 };
        }
        acc * h / 3.0
    }

    /// Wire footprint area integral_0^L w dx (m^2).
    pub fn area(&self) -> f64 {
        self.x
            .windows(2)
            .zip(self.w.windows(2))
            .map(|(xs, ws)| (xs[1] - xs[0]) * 0.5 * (ws[0] + ws[1]))
            .sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn linear_taper_resistance_matches_closed_form() {
        // docs/physics.md 7.3: 0.39 -> 1.43 um over 13.6 um at 307 Ohm/sq gives about 5.2 kOhm.
        let p = WidthProfile::linear(13.6e-6, 0.39e-6, 1.43e-6);
        let r = 307.0 * p.squares();
        assert!((r - 5216.0).abs() < 5.0, "{r}");
    }

    #[test]
    fn table_equals_refined_linear() {
        let lin = WidthProfile::linear(10e-6, 1e-6, 3e-6);
        let xs: Vec<f64> = (0..=10).map(|i| f64::from(i) * 1e-6).collect();
        let ws: Vec<f64> = xs.iter().map(|&x| lin.width(x)).collect();
        let tab = WidthProfile::table(xs, ws);
        assert!((tab.squares() - lin.squares()).abs() < 1e-9 * lin.squares());
        assert!((tab.width(3.3e-6) - lin.width(3.3e-6)).abs() < 1e-15);
        assert!((tab.slope(7.5e-6) - 0.2).abs() < 1e-12);
    }

    #[test]
    fn squares_between_matches_whole_wire() {
        let p = WidthProfile::linear(10e-6, 1e-6, 3e-6);
        let whole = p.squares();
        let parts = p.squares_between(0.0, 4e-6) + p.squares_between(4e-6, 10e-6);
        assert!((parts / whole - 1.0).abs() < 1e-9, "{parts} vs {whole}");
    }

    #[test]
    fn constant_profile_squares_is_length_over_width() {
        let p = WidthProfile::constant(5e-6, 1e-6);
        assert!((p.squares() - 5.0).abs() < 1e-12);
        assert!((p.area() - 5e-12).abs() < 1e-24);
    }
}
