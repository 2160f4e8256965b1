//! The server of an operation: OpenAPI's operation-level `servers`, else its path item's,
//! else none (the provider's live base URL, from the profile).

use crate::spec::document::{Operation as SpecOperation, PathItem, Server};
use crate::spec::{LoadedSpec, SpecError, child};

/// The base URL an operation is sent to in production when it is not the profile's
/// `environments.production`, without a trailing slash. The first of several servers is the default
/// one (OpenAPI lists alternatives); a templated URL (`{region}`) is unsupported.
pub(crate) fn server_of(
    spec: &LoadedSpec,
    item: &PathItem,
    operation: &SpecOperation,
    operation_pointer: &str,
) -> Result<Option<String>, SpecError> {
    let (servers, pointer) = if operation.servers.is_empty() {
        let path_pointer = operation_pointer
            .rsplit_once('/')
            .map_or(operation_pointer, |(path, _)| path);
        (&item.servers, child(path_pointer, "servers"))
    } else {
        (&operation.servers, child(operation_pointer, "servers"))
    };
    let Some(Server { url }) = servers.first() else {
        return Ok(None);
    };
    let url_pointer = child(&child(&pointer, "0"), "url");
    let trimmed = url.trim_end_matches('/');
    let host = trimmed
        .strip_prefix("https://")
        .or_else(|| trimmed.strip_prefix("http://"));
    match host {
        Some(host) if !host.is_empty() && !host.contains(['{', '}', ' ']) => {}
        _ => {
            return Err(spec.unsupported(
                &url_pointer,
                format!("server `{url}` (an absolute http(s) URL without variables is supported)"),
            ));
        }
    }
    let live = spec.profile.environments.production.trim_end_matches('/');
    Ok((trimmed != live).then(|| trimmed.to_owned()))
}
