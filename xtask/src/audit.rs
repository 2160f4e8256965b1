//! `cargo xtask audit [PATH]`: finds provider secrets committed to a tree: secret and
//! restricted keys (`sk_live_`, `rk_live_`, `sk_test_`, `rk_test_` followed by at least 10
//! key characters) and webhook secrets (`whsec_` and at least 20). Prints `file:line` with the
//! key masked and fails when it finds any, for use in CI.
//!
//! Skipped: `target/`, `.git/`, `node_modules/`, the plain names and `*.ext` patterns of the
//! root `.gitignore`, binary files, and lines marked `audit:allow` (fixtures that hold fake
//! keys on purpose). A relative PATH is relative to the workspace root (the xtask runs
//! there); the default is the whole workspace.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, bail};

/// A secret-looking prefix and the fewest key characters that must follow it.
const PATTERNS: &[(&str, usize)] = &[
    ("sk_live_", 10),
    ("rk_live_", 10),
    ("sk_test_", 10),
    ("rk_test_", 10),
    ("whsec_", 20),
];

/// The marker that exempts a line.
const ALLOW_MARKER: &str = "audit:allow";

/// Directories never scanned.
const SKIPPED_DIRS: &[&str] = &["target", ".git", "node_modules"];

/// Files larger than this are not source and are skipped.
const MAX_FILE_BYTES: u64 = 10 * 1024 * 1024;

/// One secret found.
#[derive(Debug, PartialEq, Eq)]
pub struct Finding {
    /// The file.
    pub path: PathBuf,
    /// The 1-based line.
    pub line: usize,
    /// The key with everything after its prefix masked.
    pub masked: String,
}

/// Arguments of `audit`.
#[derive(Debug, Default, clap::Args)]
pub struct AuditArgs {
    /// The tree to scan, relative to the workspace root [default: the workspace].
    #[arg(value_name = "PATH")]
    path: Option<PathBuf>,
}

/// Runs the task.
pub fn run(args: &AuditArgs) -> anyhow::Result<ExitCode> {
    let root = args.path.clone().unwrap_or_else(|| PathBuf::from("."));
    let findings = scan_tree(&root).with_context(|| format!("cannot scan {}", root.display()))?;
    for finding in &findings {
        println!(
            "{}:{}: {}",
            finding.path.display(),
            finding.line,
            finding.masked
        );
    }
    if !findings.is_empty() {
        bail!(
            "{} provider secret(s) found; move them to a secret store (or mark a fake fixture `{ALLOW_MARKER}`)",
            findings.len()
        );
    }
    println!("audit: no provider secrets under {}", root.display());
    Ok(ExitCode::SUCCESS)
}

/// Scans every text file under `root`.
pub fn scan_tree(root: &Path) -> std::io::Result<Vec<Finding>> {
    let ignored = ignored_patterns(root);
    let mut findings = Vec::new();
    let mut pending = vec![root.to_path_buf()];
    while let Some(path) = pending.pop() {
        let metadata = fs::symlink_metadata(&path)?;
        if metadata.is_dir() {
            let mut children: Vec<PathBuf> = fs::read_dir(&path)?
                .map(|entry| entry.map(|e| e.path()))
                .collect::<Result<_, _>>()?;
            children.retain(|child| !is_ignored(child, &ignored));
            // Reverse-sorted onto the stack, so files are reported in sorted order.
            children.sort_by(|a, b| b.cmp(a));
            pending.extend(children);
        } else if metadata.is_file() && metadata.len() <= MAX_FILE_BYTES {
            let bytes = fs::read(&path)?;
            if bytes.iter().take(8192).any(|b| *b == 0) {
                continue;
            }
            let text = String::from_utf8_lossy(&bytes);
            findings.extend(scan_text(&text).into_iter().map(|(line, masked)| Finding {
                path: path.clone(),
                line,
                masked,
            }));
        }
    }
    Ok(findings)
}

/// Finds secrets in a text: `(line, masked key)` pairs.
pub fn scan_text(text: &str) -> Vec<(usize, String)> {
    let mut found = Vec::new();
    for (index, line) in text.lines().enumerate() {
        if line.contains(ALLOW_MARKER) {
            continue;
        }
        for &(prefix, min_len) in PATTERNS {
            for (start, _) in line.match_indices(prefix) {
                let standalone = line[..start]
                    .chars()
                    .next_back()
                    .is_none_or(|c| !c.is_ascii_alphanumeric());
                let key_len = line[start + prefix.len()..]
                    .chars()
                    .take_while(|c| is_key_char(*c))
                    .count();
                if standalone && key_len >= min_len {
                    found.push((index + 1, format!("{prefix}[{key_len} characters masked]")));
                }
            }
        }
    }
    found
}

fn is_key_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '+' | '/' | '=')
}

/// Plain names and `*.ext` patterns of the root `.gitignore`, without their slashes.
fn ignored_patterns(root: &Path) -> Vec<String> {
    let Ok(text) = fs::read_to_string(root.join(".gitignore")) else {
        return Vec::new();
    };
    text.lines()
        .map(|line| line.trim().trim_matches('/').to_owned())
        .filter(|line| !line.is_empty() && !line.starts_with('#') && !line.starts_with('!'))
        .filter(|line| !line.contains('/') && (!line.contains('*') || line.starts_with("*.")))
        .collect()
}

fn is_ignored(path: &Path, patterns: &[String]) -> bool {
    let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
        return false;
    };
    SKIPPED_DIRS.contains(&name)
        || patterns
            .iter()
            .any(|pattern| match pattern.strip_prefix('*') {
                Some(extension) => name.ends_with(extension),
                None => name == pattern,
            })
}

#[cfg(test)]
mod tests {
    use super::*;

    // The fixtures are assembled at run time so that this file does not itself hold a key.
    fn key(prefix: &str, len: usize) -> String {
        format!(
            "{prefix}{}",
            "aB3".repeat(len).chars().take(len).collect::<String>()
        )
    }

    #[test]
    fn keys_are_found_by_prefix_and_length() {
        let cases = [
            (
                format!("let k = \"{}\";", key("sk_live_", 24)),
                vec![(1, "sk_live_[24 characters masked]")],
            ),
            (
                format!("KEY={}", key("rk_test_", 10)),
                vec![(1, "rk_test_[10 characters masked]")],
            ),
            (
                format!("x\nsecret: {}", key("whsec_", 32)),
                vec![(2, "whsec_[32 characters masked]")],
            ),
            (format!("too short {}", key("sk_test_", 9)), vec![]),
            (format!("short whsec {}", key("whsec_", 19)), vec![]),
            (format!("inside a word: ta{}", key("sk_test_", 20)), vec![]),
            (format!("{} // audit:allow", key("sk_test_", 20)), vec![]),
            ("publishable pk_live_0123456789abcdef".to_owned(), vec![]),
        ];
        for (text, expected) in cases {
            let found = scan_text(&text);
            let found: Vec<(usize, &str)> = found.iter().map(|(l, m)| (*l, m.as_str())).collect();
            assert_eq!(found, expected, "{text}");
        }
    }

    #[test]
    fn the_masked_output_never_holds_the_key() {
        let secret = key("sk_live_", 30);
        let found = scan_text(&secret);
        assert_eq!(found.len(), 1);
        assert!(!found[0].1.contains(&secret["sk_live_".len()..]));
    }

    /// A directory under the system temp dir, removed on drop.
    struct Scratch(PathBuf);

    impl Scratch {
        fn new(name: &str) -> std::io::Result<Self> {
            let dir =
                std::env::temp_dir().join(format!("payforge-audit-{name}-{}", std::process::id()));
            let _ = fs::remove_dir_all(&dir);
            fs::create_dir_all(&dir)?;
            Ok(Self(dir))
        }

        fn write(&self, relative: &str, contents: &[u8]) -> std::io::Result<()> {
            let path = self.0.join(relative);
            if let Some(parent) = path.parent() {
                fs::create_dir_all(parent)?;
            }
            fs::write(path, contents)
        }
    }

    impl Drop for Scratch {
        fn drop(&mut self) {
            let _ = fs::remove_dir_all(&self.0);
        }
    }

    #[test]
    fn a_tree_is_scanned_except_build_output_ignored_and_binary_files() -> std::io::Result<()> {
        let tree = Scratch::new("tree")?;
        let live = key("sk_live_", 24);
        tree.write(
            "src/config.rs",
            format!("fn main() {{}}\nconst KEY: &str = \"{live}\";\n").as_bytes(),
        )?;
        tree.write(
            ".env",
            format!("WEBHOOK={}\n", key("whsec_", 32)).as_bytes(),
        )?;
        tree.write("target/debug/build.log", live.as_bytes())?;
        tree.write(".git/objects/x", live.as_bytes())?;
        tree.write("dumps/local.sql", live.as_bytes())?;
        tree.write("notes.log", live.as_bytes())?;
        tree.write("image.bin", &[&[0u8, 1, 2][..], live.as_bytes()].concat())?;
        tree.write(".gitignore", b"# local files\n/dumps/\n*.log\n")?;

        let findings = scan_tree(&tree.0)?;

        let found: Vec<(String, usize)> = findings
            .iter()
            .map(|f| {
                (
                    f.path
                        .strip_prefix(&tree.0)
                        .unwrap_or(&f.path)
                        .display()
                        .to_string(),
                    f.line,
                )
            })
            .collect();
        assert_eq!(
            found,
            [(".env".to_owned(), 1), ("src/config.rs".to_owned(), 2)]
        );
        Ok(())
    }

    #[test]
    fn the_task_fails_on_findings_and_passes_on_a_clean_tree() -> std::io::Result<()> {
        let tree = Scratch::new("task")?;
        tree.write("README.md", b"Set STRIPE_SECRET_KEY in your environment.\n")?;
        let arg = AuditArgs {
            path: Some(tree.0.clone()),
        };
        assert!(run(&arg).is_ok());
        tree.write(
            "deploy.yaml",
            format!("key: {}\n", key("rk_live_", 40)).as_bytes(),
        )?;
        assert!(run(&arg).is_err());
        Ok(())
    }
}
