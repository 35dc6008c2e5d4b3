//! Checkpoints of long runs (micromagnetics, training): the library offers its state at natural
//! boundaries (after a table row, after an epoch) and the caller decides when to keep one and
//! where. A run resumed from a checkpoint ends with exactly the result of an uninterrupted run.

/// Where a run saves its state `S`: asked after every unit of work (`done` units finished)
/// whether a checkpoint is due, then handed the state.
pub trait Checkpoints<S> {
    /// Whether a checkpoint is due now that `done` units of work are finished.
    fn due(&mut self, done: usize) -> bool;
    /// Keep `state` as a checkpoint.
    fn save(&mut self, state: &S);
}

/// No checkpoints.
pub struct NoCheckpoints;

impl<S> Checkpoints<S> for NoCheckpoints {
    fn due(&mut self, _: usize) -> bool {
        false
    }
    fn save(&mut self, _: &S) {}
}

/// Little-endian bytes of `values`, appended to `out`.
pub fn push_f64s(out: &mut Vec<u8>, values: &[f64]) {
    for v in values {
        out.extend(v.to_le_bytes());
    }
}

/// Little-endian bytes of `values`, appended to `out` (bit-exact).
pub fn push_f32s(out: &mut Vec<u8>, values: &[f32]) {
    for v in values {
        out.extend(v.to_le_bytes());
    }
}

/// Reads little-endian numbers from a byte slice, front to back.
pub struct Reader<'a> {
    bytes: &'a [u8],
}

impl<'a> Reader<'a> {
    /// A reader at the start of `bytes`.
    pub fn new(bytes: &'a [u8]) -> Self {
        Self { bytes }
    }

    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        if self.bytes.len() < n {
            return None;
        }
        let (a, b) = self.bytes.split_at(n);
        self.bytes = b;
        Some(a)
    }

    /// The next `n` little-endian f64 values; None if fewer bytes remain.
    pub fn f64s(&mut self, n: usize) -> Option<Vec<f64>> {
        let b = self.take(n.checked_mul(8)?)?;
        Some(
            b.chunks_exact(8)
                .map(|c| f64::from_le_bytes(c.try_into().expect("8 bytes")))
                .collect(),
        )
    }

    /// The next `n` little-endian f32 values; None if fewer bytes remain.
    pub fn f32s(&mut self, n: usize) -> Option<Vec<f32>> {
        let b = self.take(n.checked_mul(4)?)?;
        Some(
            b.chunks_exact(4)
                .map(|c| f32::from_le_bytes(c.try_into().expect("4 bytes")))
                .collect(),
        )
    }

    /// A length-prefixed block (u64 length, then the bytes).
    pub fn block(&mut self) -> Option<&'a [u8]> {
        let n = u64::from_le_bytes(self.take(8)?.try_into().expect("8 bytes"));
        self.take(usize::try_from(n).ok()?)
    }

    /// True when every byte has been read.
    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }
}

/// Append a length-prefixed block.
pub fn push_block(out: &mut Vec<u8>, block: &[u8]) {
    out.extend((block.len() as u64).to_le_bytes());
    out.extend(block);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_blocks_round_trip_bit_for_bit() {
        let mut b = Vec::new();
        push_block(&mut b, b"{\"a\":1}");
        push_f64s(&mut b, &[0.1, -0.0, f64::MIN_POSITIVE, 1e300]);
        push_f32s(&mut b, &[0.1, f32::NAN]);
        let mut r = Reader::new(&b);
        assert_eq!(r.block(), Some(&b"{\"a\":1}"[..]));
        let f = r.f64s(4).unwrap();
        assert_eq!(
            f.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
            [0.1f64, -0.0, f64::MIN_POSITIVE, 1e300].map(f64::to_bits)
        );
        let g = r.f32s(2).unwrap();
        assert_eq!(g[0].to_bits(), 0.1f32.to_bits());
        assert!(g[1].is_nan() && r.is_empty());
        assert!(r.f64s(1).is_none());
    }
}
