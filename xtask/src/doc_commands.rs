//! `cargo xtask doc-commands`: runs every `cargo run …` and `cargo xtask …` command the docs
//! give, in its `--help` form, so that a documented command cannot rot unnoticed. `cargo
//! xtask test` (and so CI) runs it after the workspace's tests.
//!
//! It scans README.md, ARCHITECTURE.md, BENCHMARKS.md, docs/*.md and */README.md: fenced
//! code blocks line by line (joining `\` continuations, and also finding a command in a `#`
//! comment) and inline code spans. Each command's own arguments are replaced by `--help`:
//!
//! - `cargo run -p payforge-sandbox -- --listen 127.0.0.1:0` runs as
//!   `cargo run -p payforge-sandbox -- --help` (cargo's own arguments, such as `--example`,
//!   stay, so a wrong package, binary or example still fails);
//! - `cargo xtask webhook verify --provider stripe …` runs as
//!   `cargo xtask webhook verify --help`: the task and the subcommands the xtask defines stay.
//!
//! Environment assignments in front of a command are dropped; `--help` needs no key. Each
//! distinct `--help` command runs once, in the workspace root, with the same target
//! directory as the rest of the build, and a failure names every file:line that gives it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use anyhow::{Context, bail};
use clap::CommandFactory;

/// Arguments of `doc-commands`.
#[derive(Debug, Default, clap::Args)]
pub struct DocCommandsArgs {
    /// Markdown files to check, relative to the workspace root [default: README.md,
    /// ARCHITECTURE.md, BENCHMARKS.md, docs/*.md, */README.md].
    #[arg(value_name = "FILE")]
    files: Vec<PathBuf>,
}

/// A command found in a document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DocCommand {
    /// The 1-based line it starts on.
    pub line: usize,
    /// Its words, from `cargo` on, with quotes removed.
    pub words: Vec<String>,
}

/// Runs the `--help` form of every documented command; fails naming each one that fails.
pub fn run(args: &DocCommandsArgs) -> anyhow::Result<ExitCode> {
    let files = if args.files.is_empty() {
        default_files(Path::new("."))?
    } else {
        args.files.clone()
    };
    let xtask = crate::Cli::command();
    // Each distinct `--help` command, with every place that documents it.
    let mut forms: BTreeMap<Vec<String>, Vec<String>> = BTreeMap::new();
    for file in &files {
        let text = std::fs::read_to_string(file)
            .with_context(|| format!("cannot read {}", file.display()))?;
        for command in find_commands(&text) {
            let place = format!(
                "{}:{}: `{}`",
                file.display(),
                command.line,
                command.words.join(" ")
            );
            forms
                .entry(help_form(&command.words, &xtask))
                .or_default()
                .push(place);
        }
    }
    let mut failures = 0;
    for (form, places) in &forms {
        println!("doc-commands: {}", form.join(" "));
        if let Err(why) = run_help(Path::new("."), form) {
            failures += places.len();
            for place in places {
                eprintln!("{place} fails: `{}` {why}", form.join(" "));
            }
        }
    }
    if failures > 0 {
        bail!("{failures} documented command(s) fail (listed above)");
    }
    println!(
        "doc-commands: {} commands in {} files work",
        forms.len(),
        files.len()
    );
    Ok(ExitCode::SUCCESS)
}

/// The documents whose commands are checked, sorted.
fn default_files(root: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let mut files: Vec<PathBuf> = ["README.md", "ARCHITECTURE.md", "BENCHMARKS.md"]
        .iter()
        .map(|name| root.join(name))
        .filter(|path| path.is_file())
        .collect();
    for entry in
        std::fs::read_dir(root).with_context(|| format!("cannot list {}", root.display()))?
    {
        let dir = entry?.path();
        if !dir.is_dir() || dir.file_name().is_some_and(|name| name == "target") {
            continue;
        }
        let readme = dir.join("README.md");
        if readme.is_file() {
            files.push(readme);
        }
        if dir.file_name().is_some_and(|name| name == "docs") {
            for doc in std::fs::read_dir(&dir)? {
                let doc = doc?.path();
                if doc.extension().is_some_and(|ext| ext == "md") {
                    files.push(doc);
                }
            }
        }
    }
    files.sort();
    Ok(files)
}

/// Every `cargo run` and `cargo xtask` command in fenced code blocks and inline code spans.
pub fn find_commands(markdown: &str) -> Vec<DocCommand> {
    let mut found = Vec::new();
    let mut in_fence = false;
    // A fenced line ending in `\` continues on the next: (start line, text so far).
    let mut pending: Option<(usize, String)> = None;
    for (index, line) in markdown.lines().enumerate() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            in_fence = !in_fence;
            pending = None;
            continue;
        }
        if in_fence {
            let (start, mut text) = pending.take().unwrap_or((index + 1, String::new()));
            match line.trim_end().strip_suffix('\\') {
                Some(head) => {
                    text.push_str(head);
                    text.push(' ');
                    pending = Some((start, text));
                }
                None => {
                    text.push_str(line);
                    found.extend(commands_in(&text, start));
                }
            }
        } else {
            // The odd pieces between backticks are inline code.
            for span in line.split('`').skip(1).step_by(2) {
                found.extend(commands_in(span, index + 1));
            }
        }
    }
    found
}

/// The commands in one line of shell: each `cargo run` or `cargo xtask` up to the end of
/// its shell command (`|`, `;`, `&&`, a redirection or a comment).
fn commands_in(text: &str, line: usize) -> Vec<DocCommand> {
    let words = shell_words(text);
    let mut found = Vec::new();
    for (start, word) in words.iter().enumerate() {
        let next = words.get(start + 1).map(String::as_str);
        if word != "cargo" || !matches!(next, Some("run" | "xtask")) {
            continue;
        }
        let command: Vec<String> = words[start..]
            .iter()
            .take_while(|word| !is_separator(word))
            .cloned()
            .collect();
        if names_a_kind_of_command(&command) {
            continue;
        }
        found.push(DocCommand {
            line,
            words: command,
        });
    }
    found
}

/// Whether the words are prose about commands rather than a command: a bare `cargo run`,
/// or one whose arguments are a placeholder (`cargo xtask …`, `cargo run <args>`).
fn names_a_kind_of_command(command: &[String]) -> bool {
    match command.get(2) {
        None => command[1] == "run",
        Some(word) => word.starts_with('…') || word.starts_with("...") || word.starts_with('<'),
    }
}

/// Whether a word ends a shell command (or starts a comment, whose text is scanned as
/// words of its own so that a command named in a comment is still found).
fn is_separator(word: &str) -> bool {
    matches!(
        word,
        "|" | "\\|" | "||" | "&&" | ";" | "&" | ">" | ">>" | "<" | "2>"
    ) || word.starts_with('#')
        || word.starts_with("2>")
}

/// Splits shell text into words: whitespace separates, quotes group, a backslash escapes.
fn shell_words(text: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word: Option<String> = None;
    let mut chars = text.chars();
    let mut quote: Option<char> = None;
    while let Some(c) = chars.next() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => word.get_or_insert_with(String::new).push(c),
            (None, '\'' | '"') => {
                quote = Some(c);
                word.get_or_insert_with(String::new);
            }
            (None, '\\') => {
                let current = word.get_or_insert_with(String::new);
                current.push('\\');
                current.extend(chars.next());
            }
            (None, c) if c.is_whitespace() => words.extend(word.take()),
            (None, c) => word.get_or_insert_with(String::new).push(c),
        }
    }
    words.extend(word);
    words
}

/// The command with its own arguments replaced by `--help`. `xtask` is the xtask's command
/// line definition, which says which words are subcommands.
pub fn help_form(words: &[String], xtask: &clap::Command) -> Vec<String> {
    let mut form: Vec<String> = words.iter().take(2).cloned().collect();
    if words.get(1).map(String::as_str) == Some("xtask") {
        let mut command = xtask;
        for (position, word) in words.iter().enumerate().skip(2) {
            // The task is kept even when the xtask does not know it, so that it fails.
            let known = command.find_subcommand(word);
            if known.is_none() && (position > 2 || word.starts_with('-')) {
                break;
            }
            form.push(word.clone());
            match known {
                Some(sub) => command = sub,
                None => break,
            }
        }
        form.push("--help".to_owned());
    } else {
        // `cargo run` and cargo's own arguments, up to the `--` before the program's.
        form.extend(
            words
                .iter()
                .skip(2)
                .take_while(|word| *word != "--")
                .cloned(),
        );
        form.extend(["--".to_owned(), "--help".to_owned()]);
    }
    form
}

/// Runs one `--help` command in `root`; on failure, says how it failed.
pub fn run_help(root: &Path, form: &[String]) -> Result<(), String> {
    let output = Command::new(crate::cargo())
        .args(form.iter().skip(1))
        .current_dir(root)
        .output()
        .map_err(|error| format!("cannot be started: {error}"))?;
    if output.status.success() {
        return Ok(());
    }
    let stderr = String::from_utf8_lossy(&output.stderr);
    let last = stderr
        .lines()
        .filter(|line| !line.trim().is_empty())
        .find(|line| line.trim_start().starts_with("error"))
        .or_else(|| stderr.lines().rev().find(|line| !line.trim().is_empty()))
        .unwrap_or("(nothing on stderr)");
    Err(format!("exited with {}: {}", output.status, last.trim()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = r#"# A guide

Start it with `cargo run -p payforge-sandbox -- --listen 127.0.0.1:0`, or:

```sh
STRIPE_SECRET_KEY=sk_test_x cargo run -p payforge-examples --example hand_declared
cargo xtask webhook verify --provider stripe --secret-env S \
    --header 't=1,v1=00' --payload body.json
cargo bench -p payforge-generator -- 10     # also: cargo xtask bench generate 10
cargo xtask sandbox bench --payments 10 | tee out.txt
```

| task | what |
|---|---|
| `xtask/` | `cargo xtask generate \| test` |

`cargo test` is not a run command; neither is `cargo build -p x`. Prose that speaks of
`cargo run`, of `cargo run …` or of `cargo xtask <task>` names no command.
"#;

    fn words(text: &str) -> Vec<String> {
        text.split(' ').map(str::to_owned).collect()
    }

    #[test]
    fn commands_are_found_in_code_blocks_and_inline_code() {
        let found: Vec<(usize, String)> = find_commands(SAMPLE)
            .into_iter()
            .map(|command| (command.line, command.words.join(" ")))
            .collect();
        let expected = [
            (3, "cargo run -p payforge-sandbox -- --listen 127.0.0.1:0"),
            (6, "cargo run -p payforge-examples --example hand_declared"),
            (
                7,
                "cargo xtask webhook verify --provider stripe --secret-env S --header t=1,v1=00 --payload body.json",
            ),
            (9, "cargo xtask bench generate 10"),
            (10, "cargo xtask sandbox bench --payments 10"),
            (15, "cargo xtask generate"),
        ];
        let expected: Vec<(usize, String)> = expected
            .iter()
            .map(|(line, text)| (*line, (*text).to_owned()))
            .collect();
        assert_eq!(found, expected);
    }

    #[test]
    fn the_help_form_keeps_cargo_arguments_and_xtask_subcommands() {
        let xtask = crate::Cli::command();
        let cases = [
            (
                "cargo run -p payforge-sandbox -- --listen 127.0.0.1:0",
                "cargo run -p payforge-sandbox -- --help",
            ),
            (
                "cargo run -p payforge-examples --example hand_declared",
                "cargo run -p payforge-examples --example hand_declared -- --help",
            ),
            (
                "cargo xtask webhook verify --provider stripe",
                "cargo xtask webhook verify --help",
            ),
            (
                "cargo xtask bench generate 10",
                "cargo xtask bench generate --help",
            ),
            (
                "cargo xtask sandbox bench --payments 10",
                "cargo xtask sandbox bench --help",
            ),
            (
                "cargo xtask sandbox --listen 127.0.0.1:0",
                "cargo xtask sandbox --help",
            ),
            ("cargo xtask audit PATH", "cargo xtask audit --help"),
            (
                "cargo xtask generate --provider x",
                "cargo xtask generate --help",
            ),
            (
                "cargo xtask genrate --provider x",
                "cargo xtask genrate --help",
            ),
            ("cargo xtask", "cargo xtask --help"),
        ];
        for (written, expected) in cases {
            assert_eq!(
                help_form(&words(written), &xtask),
                words(expected),
                "{written}"
            );
        }
    }

    #[test]
    fn a_command_naming_a_binary_that_does_not_exist_fails() {
        let root = crate::workspace_root();
        let form = words("cargo run -p payforge-sandbox --bin no-such-binary -- --help");
        let why = run_help(&root, &form).err().unwrap_or_default();
        assert!(why.contains("no-such-binary"), "{why}");
        let form = words("cargo run -p no-such-package -- --help");
        assert!(run_help(&root, &form).is_err());
    }

    /// `cargo run -p <package>` fails when the package has several binaries and no
    /// `default-run`; the documents run the sandbox that way.
    #[test]
    fn every_package_with_several_binaries_names_the_one_cargo_run_runs() -> anyhow::Result<()> {
        let output = Command::new(crate::cargo())
            .args(["metadata", "--no-deps", "--format-version", "1"])
            .current_dir(crate::workspace_root())
            .output()?;
        assert!(output.status.success(), "{output:?}");
        let metadata: serde_json::Value = serde_json::from_slice(&output.stdout)?;
        let packages = metadata["packages"].as_array().cloned().unwrap_or_default();
        assert!(!packages.is_empty());
        for package in packages {
            let targets = package["targets"].as_array().cloned().unwrap_or_default();
            let binaries = targets
                .iter()
                .filter(|target| {
                    target["kind"]
                        .as_array()
                        .is_some_and(|kinds| kinds.iter().any(|kind| kind == "bin"))
                })
                .count();
            if binaries > 1 {
                assert!(
                    package["default_run"].is_string(),
                    "{} has {binaries} binaries and no default-run",
                    package["name"]
                );
            }
        }
        Ok(())
    }
}
