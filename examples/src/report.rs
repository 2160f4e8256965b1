//! How the example binaries report a failure: one line on stderr with every cause, never a
//! `Debug` print (which is hard to read, and which some error types end with a backtrace).

use std::error::Error;
use std::process::ExitCode;

/// The error and its causes on one line, each cause once: `cannot bind: address in use`.
/// A cause whose text the message already holds (as `#[error("…: {source}")]` writes it)
/// is not repeated.
pub fn one_line(error: &(dyn Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

/// Ends a binary: success, or `<program>: <error on one line>` on stderr and exit 1.
pub fn exit(program: &str, outcome: Result<(), Box<dyn Error + Send + Sync>>) -> ExitCode {
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("{program}: {}", one_line(error.as_ref()));
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, thiserror::Error)]
    enum Outer {
        #[error("cannot open the shop")]
        Open(#[source] std::io::Error),
        #[error("cannot bind: {0}")]
        Bind(#[source] std::io::Error),
    }

    #[test]
    fn causes_are_joined_once() {
        let io = || std::io::Error::other("address in use");
        assert_eq!(
            one_line(&Outer::Open(io())),
            "cannot open the shop: address in use"
        );
        assert_eq!(one_line(&Outer::Bind(io())), "cannot bind: address in use");
    }
}
