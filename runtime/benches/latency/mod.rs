//! Latency samples of the client benchmarks, reported as p50 and p99, optionally against a
//! baseline case.

use std::time::Duration;

/// The `p` quantile (0 to 1) of `sorted`, nearest rank.
pub fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let index = ((sorted.len() as f64 * p).ceil() as usize)
        .saturating_sub(1)
        .min(sorted.len().saturating_sub(1));
    sorted.get(index).copied().unwrap_or_default()
}

/// Prints one case's p50 and p99 (samples sorted), and its difference from `baseline`.
pub fn report(case: &str, samples: &[Duration], baseline: Option<(&str, &[Duration])>) {
    let (p50, p99) = (percentile(samples, 0.50), percentile(samples, 0.99));
    let micros = |d: Duration| d.as_secs_f64() * 1e6;
    let delta = baseline.map_or(String::new(), |(name, base)| {
        let (b50, b99) = (percentile(base, 0.50), percentile(base, 0.99));
        format!(
            "   ({:+.1} µs p50, {:+.0} µs p99 over {name})",
            micros(p50) - micros(b50),
            micros(p99) - micros(b99)
        )
    });
    println!(
        "{case:<44} p50 {:>8.1} µs   p99 {:>8.0} µs{delta}",
        micros(p50),
        micros(p99)
    );
}
