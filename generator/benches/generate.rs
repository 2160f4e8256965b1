//! Whole-SDK generation time (YAML parsing included) and peak memory, for every provider
//! profile under `specs/`: `cargo bench -p payforge-generator --bench generate [-- RUNS]`
//! (also `cargo xtask bench generate`). Criterion-free: it times RUNS runs (default 10)
//! and prints the min and median.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use payforge_generator::emit::summary_line;
use payforge_generator::{Layout, spec::SPECS_DIR_ENV};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let runs: usize = std::env::args()
        .skip(1)
        .find_map(|arg| arg.parse().ok())
        .unwrap_or(10)
        .max(1);
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let specs =
        PathBuf::from(std::env::var_os(SPECS_DIR_ENV).ok_or("PAYFORGE_SPECS_DIR is not set")?);
    let out = std::env::temp_dir().join(format!("payforge-bench-{}", std::process::id()));
    let mut profiles: Vec<PathBuf> = std::fs::read_dir(root.join("specs"))?
        .filter_map(|entry| entry.ok().map(|e| e.path().join("provider.toml")))
        .filter(|path| path.is_file())
        .collect();
    profiles.sort();
    for profile in profiles {
        let mut times: Vec<Duration> = Vec::with_capacity(runs);
        let mut cpu: Vec<f64> = Vec::with_capacity(runs);
        let mut summary = String::new();
        for _ in 0..runs {
            // A fresh directory each run, so every file is really written.
            let _ = std::fs::remove_dir_all(&out);
            let (start, cpu_start) = (Instant::now(), cpu_seconds());
            let generated =
                payforge_generator::generate(&profile, &specs, &out, Layout::BuildScript)?;
            times.push(start.elapsed());
            cpu.push(cpu_seconds() - cpu_start);
            summary = summary_line(&generated.ir);
        }
        times.sort();
        cpu.sort_by(f64::total_cmp);
        let (files, lines) = count(&out)?;
        println!(
            "{summary}\n  generate x{runs}: wall min {:.3} s, median {:.3} s; CPU (all threads) min {:.3} s, median {:.3} s; {files} files, {lines} lines of generated Rust",
            times[0].as_secs_f64(),
            times[runs / 2].as_secs_f64(),
            cpu[0],
            cpu[runs / 2],
        );
    }
    if std::env::var_os("PAYFORGE_BENCH_PHASES").is_some() {
        phases(&root.join("specs/stripe/provider.toml"), &specs, &out)?;
    }
    if let Some(peak) = peak_rss_kib() {
        println!(
            "  peak RSS of this process: {:.1} MiB",
            peak as f64 / 1024.0
        );
    }
    let _ = std::fs::remove_dir_all(&out);
    Ok(())
}

/// The number of files and lines in a directory.
fn count(dir: &Path) -> Result<(usize, usize), std::io::Error> {
    let mut files = 0;
    let mut lines = 0;
    for entry in std::fs::read_dir(dir)? {
        files += 1;
        lines += std::fs::read_to_string(entry?.path())?.lines().count();
    }
    Ok((files, lines))
}

/// The process's peak resident set size (Linux `VmHWM`), in KiB.
fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|line| line.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Times each stage once (set `PAYFORGE_BENCH_PHASES=1`).
fn phases(profile: &Path, specs: &Path, out: &Path) -> Result<(), Box<dyn std::error::Error>> {
    let start = Instant::now();
    let spec = payforge_generator::LoadedSpec::load(profile, specs)?;
    let loaded = start.elapsed();
    let ir = payforge_generator::Ir::build(&spec)?;
    let built = start.elapsed();
    payforge_generator::emit::write_sdk(&ir, out, Layout::BuildScript)?;
    let emitted = start.elapsed();
    println!(
        "  phases: load {:.3} s, IR {:.3} s, emit {:.3} s",
        loaded.as_secs_f64(),
        (built - loaded).as_secs_f64(),
        (emitted - built).as_secs_f64()
    );
    Ok(())
}

/// CPU time (user + system, every thread) this process has used, in seconds (Linux
/// `/proc/self/stat`, in clock ticks of 1/100 s). The wall clock of a shared machine says
/// as much about its other load as about the generator; CPU time does not.
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the parenthesised command name; utime and stime are the 12th and 13th.
    let fields: Vec<&str> = stat
        .rsplit(')')
        .next()
        .unwrap_or_default()
        .split_whitespace()
        .collect();
    let ticks = |index: usize| {
        fields
            .get(index)
            .and_then(|f| f.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    (ticks(11) + ticks(12)) / 100.0
}
