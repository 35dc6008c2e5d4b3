//! Seeded random streams. Every random number of every crate comes from an independent
//! xoshiro256++ stream keyed by (seed, a, b) and seeded through a SplitMix64 hash, so a result
//! depends on the seed and on what the number is for, never on the thread count, the order in
//! which work is scheduled, or how it is split into chunks.
//!
//! | stream (seed, a, b) | draws | where |
//! |---|---|---|
//! | (seed, d, u64::MAX) | device d's device-to-device variation | `simulate` |
//! | (seed, d, c) | run (device d, cycle c): cycle-to-cycle noise, thermal escape | `simulate` |
//! | (seed, k, 0) | wall Monte Carlo trial k (thermal Heun) | `wall::monte_carlo` |
//! | (seed, u64::MAX, 1) / (seed, u64::MAX, 2) / (seed, 0, 0) | `dwmtj dw`: random pinning landscape / edge roughness / the single thermal run | dwmtj-cli `dw` |
//! | (seed, steps, 0x7E + (rejected << 8)) | micromagnetic thermal field of one attempted step | dwmtj-micromag `solver` |
//! | (seed, 0xDA7A, epoch) | training: the epoch's shuffle | dwmtj-nn `network` |
//! | (seed, id(epoch, step, layer, tag), row) | training: tile forward (tag 1), activation noise (2), backward (3), update (4) of one batch row | dwmtj-nn `network`, `tile`, `update` |
//! | (0x4E4F_524D, 0, 0) | the fixed table of normals of the inner loops | dwmtj-nn `noise` |
//! | (seed, k, 0x5EED_5EED) | sweep point k's seed (first draw >> 1) | dwmtj-sweep `spec` |
//! | (seed, j, 0x1A71_4C0B) | Latin hypercube: axis j's strata permutation and positions | dwmtj-sweep `spec` |
//!
//! id(epoch, step, layer, tag) = epoch << 44 ^ step << 12 ^ layer << 4 ^ tag.

use rand::SeedableRng;
use rand_xoshiro::Xoshiro256PlusPlus;

/// SplitMix64 finaliser, used to derive independent stream seeds.
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// An independent random stream for (seed, a, b).
pub fn stream(seed: u64, a: u64, b: u64) -> Xoshiro256PlusPlus {
    Xoshiro256PlusPlus::seed_from_u64(mix(mix(mix(seed) ^ a) ^ b))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::Rng;

    #[test]
    fn streams_are_reproducible_and_distinct() {
        let draw = |s: u64, a: u64, b: u64| -> u64 { stream(s, a, b).gen() };
        assert_eq!(draw(1, 2, 3), draw(1, 2, 3));
        assert_ne!(draw(1, 2, 3), draw(1, 3, 2));
        assert_ne!(draw(1, 2, 3), draw(2, 2, 3));
    }
}
