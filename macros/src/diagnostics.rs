//! Collects every error a macro input has, so one compile reports all of them at once.

use std::fmt::Display;

use quote::ToTokens;

/// The errors found so far in one macro input.
#[derive(Default)]
pub(crate) struct Diagnostics {
    combined: Option<syn::Error>,
}

impl Diagnostics {
    /// Records an error.
    pub(crate) fn push(&mut self, error: syn::Error) {
        match &mut self.combined {
            Some(combined) => combined.combine(error),
            None => self.combined = Some(error),
        }
    }

    /// Records an error spanning `tokens`.
    pub(crate) fn error_at(&mut self, tokens: impl ToTokens, message: impl Display) {
        self.push(syn::Error::new_spanned(tokens, message));
    }

    /// Records the error of a fallible step and returns its value, if any.
    pub(crate) fn capture<T>(&mut self, result: syn::Result<T>) -> Option<T> {
        result.map_err(|error| self.push(error)).ok()
    }

    /// `Ok(())` when nothing was recorded, otherwise every recorded error together.
    pub(crate) fn finish(self) -> syn::Result<()> {
        self.combined.map_or(Ok(()), Err)
    }
}
