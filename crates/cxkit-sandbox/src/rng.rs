//! Deterministic values from (seed, index): the same seed gives the same data on every run
//! and every machine, and row `i` is computed without generating rows `0..i`.

/// SplitMix64: a fast, well-mixed hash of one 64-bit value.
pub fn mix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

/// A value for row `index` of stream `salt`, from `seed`.
pub fn at(seed: u64, salt: u64, index: u64) -> u64 {
    mix(seed ^ mix(salt.wrapping_mul(0x1000_0000_01B3) ^ index))
}

/// One of `items`, chosen by `value`.
pub fn pick<T: Copy>(items: &[T], value: u64) -> T {
    items[(value % items.len() as u64) as usize]
}

/// A float in `[0, 1)` from `value`.
pub fn unit(value: u64) -> f64 {
    (value >> 11) as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deterministic_and_spread() {
        assert_eq!(at(7, 1, 42), at(7, 1, 42));
        assert_ne!(at(7, 1, 42), at(8, 1, 42));
        let mean: f64 = (0..10_000).map(|i| unit(at(1, 2, i))).sum::<f64>() / 10_000.0;
        assert!((mean - 0.5).abs() < 0.02, "{mean}");
    }
}
