//! Fast Gaussian noise for the inner loops (device pulses, periphery outputs).

use rand::{Rng, RngCore};
use rand_distr::StandardNormal;
use rand_xoshiro::Xoshiro256PlusPlus;

/// 65536 standard normal deviates (drawn once with a fixed seed, then shifted and scaled to
/// zero mean and unit variance): per-coincidence cycle-to-cycle noise is drawn from this table
/// by a 16-bit random index, four draws per 64-bit random number (a pulse costs a few
/// nanoseconds; the noise keeps the normal shape to about 4 sigma).
pub fn normal_table() -> &'static [f32] {
    static TABLE: std::sync::OnceLock<Vec<f32>> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| {
        let mut rng = dwmtj_core::stream::stream(0x4E4F_524D, 0, 0);
        let v: Vec<f64> = (0..65536).map(|_| rng.sample::<f64, _>(StandardNormal)).collect();
        let mean = v.iter().sum::<f64>() / v.len() as f64;
        let sd = (v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / v.len() as f64).sqrt();
        v.iter().map(|x| ((x - mean) / sd) as f32).collect()
    })
}

/// Normal deviates from the table, four per 64-bit draw.
pub struct TableNormal<'a> {
    table: &'a [f32],
    bits: u64,
    left: u32,
}

impl<'a> TableNormal<'a> {
    /// A reader of the shared table, with no random bits buffered.
    pub fn new() -> Self {
        Self {
            table: normal_table(),
            bits: 0,
            left: 0,
        }
    }

    /// The next standard normal deviate (one 64-bit draw from `rng` every four calls).
    #[inline]
    pub fn draw(&mut self, rng: &mut Xoshiro256PlusPlus) -> f32 {
        if self.left == 0 {
            self.bits = rng.next_u64();
            self.left = 4;
        }
        let k = (self.bits & 0xFFFF) as usize;
        self.bits >>= 16;
        self.left -= 1;
        self.table[k]
    }
}

impl Default for TableNormal<'_> {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_draws_have_unit_variance_and_normal_tails() {
        let mut rng = dwmtj_core::stream::stream(1, 2, 3);
        let mut t = TableNormal::new();
        let n = 400_000;
        let v: Vec<f64> = (0..n).map(|_| f64::from(t.draw(&mut rng))).collect();
        let mean = v.iter().sum::<f64>() / n as f64;
        let var = v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n as f64;
        assert!(mean.abs() < 0.01 && (var - 1.0).abs() < 0.01, "{mean} {var}");
        // P(|x| > 2) = 4.55 % for a normal.
        let tail = v.iter().filter(|x| x.abs() > 2.0).count() as f64 / n as f64;
        assert!((tail - 0.0455).abs() < 0.002, "{tail}");
    }
}
