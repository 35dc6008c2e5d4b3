//! Self-affine line-edge roughness (docs/physics.md 2.4; Dutta et al., AIP Adv. 5, 127206 (2015) and
//! Nano Lett. 17, 5869 (2017)).
//!
//! Each wire edge is displaced by an independent Gaussian profile with autocorrelation
//! C(r) = sigma^2 exp[-(|r|/xi)^(2 alpha_H)], generated spectrally: on a periodic grid the power
//! spectrum is the FFT of C (negative parts clipped), and white complex noise filtered by its
//! square root gives a field with that autocorrelation. The rough width w_r(x) = w(x) + d1 - d2
//! is averaged over the wall profile, w~(q) = integral w_r(x) sech^2((x - q)/Delta) dx / (2 Delta),
//! and w~ feeds the 1D model as its width: the edge force -sigma_w w~'/(2 w~) and J(q) ~ 1/w~.

use crate::geometry::WidthProfile;
use rand::Rng;
use rand_distr::StandardNormal;
use rustfft::num_complex::Complex;
use rustfft::FftPlanner;

/// Roughness statistics of one edge.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub struct Roughness {
    /// rms edge displacement sigma_LER (m).
    pub rms: f64,
    /// Correlation length xi (m).
    pub correlation: f64,
    /// Roughness (Hurst) exponent alpha_H in (0, 1].
    pub hurst: f64,
}

/// One edge profile of `n` points at spacing `dx` with the given statistics.
pub fn edge_profile<R: Rng>(r: &Roughness, n: usize, dx: f64, rng: &mut R) -> Vec<f64> {
    // Periodic grid twice as long as needed, so wrap-around correlations do not reach the part used.
    let m = (2 * n).next_power_of_two();
    let mut corr: Vec<Complex<f64>> = (0..m)
        .map(|k| {
            let lag = (k.min(m - k)) as f64 * dx;
            Complex::new(r.rms * r.rms * (-(lag / r.correlation).powf(2.0 * r.hurst)).exp(), 0.0)
        })
        .collect();
    let mut planner = FftPlanner::new();
    let fft = planner.plan_fft_forward(m);
    fft.process(&mut corr);
    // corr now holds the (real, symmetric) power spectrum S_k, scaled so that a field with
    // Fourier amplitudes sqrt(S_k) * (unit complex Gaussian) has autocorrelation C.
    let mut field: Vec<Complex<f64>> = corr
        .iter()
        .map(|s| {
            let amp = s.re.max(0.0).sqrt();
            let (a, b): (f64, f64) = (rng.sample(StandardNormal), rng.sample(StandardNormal));
            Complex::new(a, b) * (amp / (2.0f64).sqrt())
        })
        .collect();
    let ifft = planner.plan_fft_inverse(m);
    ifft.process(&mut field);
    // Real part: variance sum_k S_k / (2 m) * ... normalise to the exact target variance of the
    // construction, sum S_k / m = C(0) = sigma^2, times m from the unnormalised inverse.
    let scale = 1.0 / (m as f64).sqrt();
    field.iter().take(n).map(|c| c.re * scale * std::f64::consts::SQRT_2).collect()
}

/// The wall-averaged width of a rough wire: returns a profile sampled at spacing dx.
pub fn rough_width<R: Rng>(base: &WidthProfile, r: &Roughness, wall_width: f64, dx: f64, rng: &mut R) -> WidthProfile {
    let length = base.length();
    let n = (length / dx).ceil() as usize + 1;
    let d1 = edge_profile(r, n, dx, rng);
    let d2 = edge_profile(r, n, dx, rng);
    let xs: Vec<f64> = (0..n).map(|k| (k as f64 * dx).min(length)).collect();
    let raw: Vec<f64> = xs
        .iter()
        .zip(d1.iter().zip(&d2))
        .map(|(&x, (a, b))| (base.width(x) + a - b).max(0.05 * base.width(x)))
        .collect();
    // Average over sech^2((x - q)/Delta)/(2 Delta), truncated at 6 Delta, renormalised at the ends.
    let half = ((6.0 * wall_width) / dx).ceil() as isize;
    let kernel: Vec<f64> = (-half..=half)
        .map(|k| 1.0 / ((k as f64 * dx / wall_width).cosh().powi(2)))
        .collect();
    let avg: Vec<f64> = (0..n as isize)
        .map(|i| {
            let (mut acc, mut norm) = (0.0, 0.0);
            for (kk, w) in kernel.iter().enumerate() {
                let j = i + kk as isize - half;
                if j >= 0 && (j as usize) < n {
                    acc += w * raw[j as usize];
                    norm += w;
                }
            }
            acc / norm
        })
        .collect();
    let mut xs = xs;
    xs.dedup_by(|a, b| (*a - *b).abs() < 1e-18);
    let avg = avg[..xs.len()].to_vec();
    WidthProfile::table(xs, avg)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stream::stream;

    #[test]
    fn edge_statistics_match_the_target() {
        // Over many realisations: variance sigma^2 and C(xi) = sigma^2 / e.
        let r = Roughness {
            rms: 2e-9,
            correlation: 20e-9,
            hurst: 0.5,
        };
        let dx = 1e-9;
        let (mut var, mut c_xi, mut count) = (0.0, 0.0, 0.0);
        for s in 0..200 {
            let e = edge_profile(&r, 1024, dx, &mut stream(7, s, 0));
            for i in 0..1024 - 20 {
                var += e[i] * e[i];
                c_xi += e[i] * e[i + 20];
                count += 1.0;
            }
        }
        let (var, c_xi) = (var / count, c_xi / count);
        assert!((var.sqrt() / 2e-9 - 1.0).abs() < 0.05, "rms {}", var.sqrt());
        assert!((c_xi / var - (-1.0f64).exp()).abs() < 0.05, "C(xi)/C(0) = {}", c_xi / var);
    }
}
