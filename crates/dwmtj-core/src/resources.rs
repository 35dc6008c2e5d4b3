//! Memory estimates checked before a run allocates: every size a user can set (Monte Carlo
//! trials, sweep points, network layers, mesh cells and layers) is turned into an estimate of
//! the bytes the run will hold, and the run is refused at once, naming the setting, when the
//! estimate exceeds the memory available (Linux `MemAvailable`, else 8 GiB assumed).
//!
//! `DWMTJ_MEMORY_LIMIT` (bytes, or with a suffix: "512M", "4G") replaces the available memory,
//! for shared machines and for tests.

use crate::error::ConfigError;

/// The memory a run may use, in bytes.
pub fn available_memory() -> u64 {
    if let Some(limit) = std::env::var("DWMTJ_MEMORY_LIMIT").ok().and_then(|s| parse_bytes(&s)) {
        return limit;
    }
    std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|t| {
            t.lines()
                .find(|l| l.starts_with("MemAvailable:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<u64>().ok())
                .map(|kb| kb * 1024)
        })
        .unwrap_or(8 << 30)
}

fn parse_bytes(s: &str) -> Option<u64> {
    let s = s.trim();
    let (num, mult) = match s.chars().last()? {
        'k' | 'K' => (&s[..s.len() - 1], 1u64 << 10),
        'm' | 'M' => (&s[..s.len() - 1], 1 << 20),
        'g' | 'G' => (&s[..s.len() - 1], 1 << 30),
        't' | 'T' => (&s[..s.len() - 1], 1 << 40),
        _ => (s, 1),
    };
    let v: f64 = num.trim().parse().ok()?;
    (v.is_finite() && v > 0.0).then_some((v * mult as f64) as u64)
}

/// A byte count for people: "3.2 GB".
pub fn human_bytes(bytes: f64) -> String {
    let units = ["B", "kB", "MB", "GB", "TB", "PB"];
    let mut v = bytes;
    let mut k = 0;
    while v >= 1000.0 && k + 1 < units.len() {
        v /= 1000.0;
        k += 1;
    }
    if k + 1 == units.len() && v >= 1000.0 {
        return format!("{bytes:.1e} B");
    }
    format!("{v:.1} {}", units[k])
}

/// Refuse `setting` = `value` if the run would need more than `estimate_bytes` of the memory
/// available (leaving a quarter of it to the rest of the machine).
pub fn check_memory(setting: &str, value: impl ToString, estimate_bytes: f64) -> Result<(), ConfigError> {
    let available = available_memory() as f64;
    if estimate_bytes.is_finite() && estimate_bytes <= 0.75 * available {
        return Ok(());
    }
    Err(ConfigError::field(
        setting,
        value.to_string(),
        format!(
            "the run would need about {} of memory, more than the {} available (DWMTJ_MEMORY_LIMIT sets the limit); use a smaller value",
            human_bytes(estimate_bytes),
            human_bytes(available)
        ),
    ))
}

/// Run `work` on a worker of a fresh rayon pool of the current size, so that the sequential
/// parts of a long run do not compete with the pool's workers from a third thread (2-core
/// machines lose ~20 % to wake-ups otherwise). Falls back to the calling thread. On a worker of
/// a pool already (a point of a sweep run on `--jobs` threads), it runs there: a pool per
/// point would make jobs^2 threads.
pub fn on_worker_pool<R: Send>(work: impl FnOnce() -> R + Send) -> R {
    if rayon::current_thread_index().is_some() {
        return work();
    }
    match rayon::ThreadPoolBuilder::new().num_threads(rayon::current_num_threads()).build() {
        Ok(pool) => pool.install(work),
        Err(_) => work(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn byte_sizes_parse_and_print() {
        assert_eq!(parse_bytes("512M"), Some(512 << 20));
        assert_eq!(parse_bytes("2g"), Some(2 << 30));
        assert_eq!(parse_bytes("1000"), Some(1000));
        assert_eq!(parse_bytes("-1G"), None);
        assert_eq!(parse_bytes("lots"), None);
        assert_eq!(human_bytes(3.2e9), "3.2 GB");
        assert_eq!(human_bytes(12.0), "12.0 B");
    }

    #[test]
    fn absurd_estimates_are_refused_and_small_ones_pass() {
        assert!(check_memory("x", 1, 1e3).is_ok());
        let e = check_memory("trials", "1e12", 1e20).unwrap_err().to_string();
        assert!(e.contains("trials") && e.contains("memory"), "{e}");
        assert!(check_memory("x", 1, f64::NAN).is_err());
    }
}
