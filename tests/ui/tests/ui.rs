//! The macros' compile-time contract: every `pass` case compiles, every `fail` case fails
//! with exactly the diagnostics in its `.stderr` (regenerate with `TRYBUILD=overwrite`,
//! then read each one: the span must point at the offending token).

#[test]
fn ui() {
    let cases = trybuild::TestCases::new();
    for declared in ["string_enum", "endpoint", "provider_error", "webhook_event"] {
        cases.pass(format!("{declared}/pass/*.rs"));
        cases.compile_fail(format!("{declared}/fail/*.rs"));
    }
}
