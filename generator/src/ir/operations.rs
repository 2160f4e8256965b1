//! Paths -> operations: one [`Operation`] per method and path, with its parameters, body
//! encoding, output and pagination decided here once.

use heck::ToUpperCamelCase;

use super::names::{NameRegistry, field_name, type_name};
use super::operation_names::{PathIndex, operation_name};
use super::request;
use super::type_space::{Site, TypeSpace};
use super::types::{Scalar, TypeRef};
use crate::spec::document::Operation as SpecOperation;
use crate::spec::profile::PaginationStyle;
use crate::spec::{LoadedSpec, Schema, SpecError, child, escape_pointer_token};

/// An HTTP operation.
#[derive(Clone, Debug)]
pub struct Operation {
    /// The Rust name of its params struct (`CreatePaymentIntent`).
    pub name: String,
    /// The spec's operation id.
    pub operation_id: String,
    /// The HTTP method, uppercase.
    pub method: String,
    /// The path template (`/v1/payment_intents/{intent}`).
    pub path: String,
    /// The resource group, which is also its cargo feature and module.
    pub group: String,
    /// The summary line.
    pub summary: Option<String>,
    /// The description.
    pub description: Option<String>,
    /// How parameters travel.
    pub encoding: Encoding,
    /// Whether it carries an idempotency key.
    pub idempotent: bool,
    /// How long the provider keeps this operation's key when its API keeps keys for a time
    /// of its own (`[idempotency.groups]`).
    pub retention_secs: Option<u64>,
    /// Its parameters: path parameters in path order, then the others by name.
    pub params: Vec<Param>,
    /// The success output.
    pub output: TypeRef,
    /// How it pages, if it is a list.
    pub pagination: Option<Pagination>,
    /// Whether it takes the return preference header (`[headers] prefer`): the `prefer`
    /// flag instead of a parameter.
    pub prefer: bool,
    /// Whether the spec marks it deprecated.
    pub deprecated: bool,
    /// The server it is sent to when not the provider's live base URL (the spec's
    /// operation- or path-level `servers`), without a trailing slash.
    pub server: Option<String>,
}

/// How an operation's parameters are encoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    /// In the query string.
    Query,
    /// A form-encoded body.
    Form,
    /// A multipart body.
    Multipart,
    /// A JSON body (`application/json`).
    Json,
}

/// How a list operation pages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pagination {
    /// By the last item's id (`starting_after`).
    Cursor,
    /// By the `next_page` cursor (`page`).
    Search,
    /// By page number (`page`), up to the response's page count.
    Pages,
    /// By the response's HATEOAS `next` link.
    Links,
}

/// Where a parameter goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum ParamLocation {
    /// Substituted into the path.
    Path,
    /// The query string.
    Query,
    /// The body.
    Body,
    /// The whole JSON body, when it is not an object (a JSON Patch array).
    WholeBody,
    /// A request header (never the idempotency header, which the runtime sends).
    Header,
}

/// A parameter of an operation.
#[derive(Clone, Debug)]
pub struct Param {
    /// The name on the wire.
    pub wire_name: String,
    /// The Rust field name.
    pub rust_name: String,
    /// Where it goes.
    pub location: ParamLocation,
    /// Its type.
    pub ty: TypeRef,
    /// Whether it is required (a constructor argument).
    pub required: bool,
    /// Its doc text.
    pub doc: Option<String>,
}

/// The resource group of a path, as a feature/module name: the group its prefix names
/// (`[operations.groups]`), else its first segment after the profile's prefix
/// (`/v1/payment_intents/{intent}` -> `payment_intents`).
pub fn resource_group(spec: &LoadedSpec, path: &str) -> String {
    let rules = &spec.profile.operations;
    if let Some((_, group)) = rules.group_of(path) {
        return field_name(group);
    }
    let rest = path
        .strip_prefix(rules.path_prefix.as_str())
        .unwrap_or(path);
    field_name(rest.split('/').find(|s| !s.is_empty()).unwrap_or("root"))
}

/// Converts every operation of the spec, in path order. An operation that uses a construct
/// the generator does not support is skipped, with the error as the reason, so one odd
/// endpoint does not cost the whole SDK; the coverage report lists it.
pub(crate) fn operations(
    spec: &LoadedSpec,
    space: &mut TypeSpace<'_>,
    skipped: &mut Vec<(String, String)>,
) -> Vec<Operation> {
    let mut paths: Vec<(&String, _)> = spec.document.paths.iter().collect();
    paths.sort_by(|a, b| a.0.cmp(b.0));
    let all_paths = PathIndex {
        all: paths.iter().map(|(p, _)| p.as_str()).collect(),
        singletons: paths
            .iter()
            .filter(|(_, item)| {
                item.operations().any(|(method, op)| {
                    method == "get" && output_kind(spec, op) == OutputKind::Other
                })
            })
            .map(|(p, _)| p.as_str())
            .collect(),
    };
    // Every operation's name is taken before any type is converted, so that a parameter's
    // type (`CreateAccount` + `bank_account`) never takes an operation's name
    // (`POST /v1/accounts/{account}/bank_accounts`, `CreateAccountBankAccount`).
    let mut names = Vec::new();
    for (path, item) in &paths {
        for (method, operation) in item.operations() {
            let rest_name = spec
                .profile
                .operations
                .names
                .get(&format!("{} {path}", method.to_ascii_uppercase()))
                .cloned()
                .unwrap_or_else(|| {
                    let kind = output_kind(spec, operation);
                    let prefix = spec.profile.operations.prefix_of(path);
                    operation_name(method, path, &kind, &all_paths, prefix)
                });
            let operation_id = operation_id_of(operation, method, path);
            names.push(
                space
                    .names
                    .claim(&[rest_name, operation_id.to_upper_camel_case()]),
            );
        }
    }
    let mut names = names.into_iter();
    let mut out = Vec::new();
    for (path, item) in paths {
        for (method, operation) in item.operations() {
            let pointer = format!("/paths/{}/{method}", escape_pointer_token(path));
            let name = names.next().unwrap_or_default();
            let converted = operation_of(spec, space, (path, method, name), operation, &pointer)
                .and_then(|op| {
                    let server = super::servers::server_of(spec, item, operation, &pointer)?;
                    Ok(Operation { server, ..op })
                });
            match converted {
                Ok(op) => out.push(op),
                Err(error) => skipped.push((
                    format!("operation `{} {path}`", method.to_ascii_uppercase()),
                    error.to_string(),
                )),
            }
        }
    }
    out
}

/// The spec's operation id, or one made of the method and path.
fn operation_id_of(operation: &SpecOperation, method: &str, path: &str) -> String {
    operation
        .operation_id
        .clone()
        .unwrap_or_else(|| format!("{method}{path}"))
}

/// Converts one operation, named `name` (claimed beforehand).
fn operation_of(
    spec: &LoadedSpec,
    space: &mut TypeSpace<'_>,
    (path, method, name): (&str, &str, String),
    operation: &SpecOperation,
    pointer: &str,
) -> Result<Operation, SpecError> {
    if let Some(refusal) = operation.refusal.as_deref() {
        return Err(spec.unsupported(pointer, refusal));
    }
    let group = resource_group(spec, path);
    let operation_id = operation_id_of(operation, method, path);
    let (output, _) = output_of(spec, space, operation, pointer, &group, &operation_id)?;
    let body = request::body_of(spec, operation, pointer)?;
    let (idempotent, retention_secs) = spec
        .profile
        .idempotency
        .of(&group, &method.to_ascii_uppercase());
    let encoding = match (&body, method) {
        (Some(body), _) if body.encoding != Encoding::Form => body.encoding,
        (_, "get" | "delete") => Encoding::Query,
        _ => Encoding::Form,
    };
    let mut params = Vec::new();
    let mut names = NameRegistry::default();
    names.claim(&["new".to_owned()]);
    let site = |pointer: String, wire: &str| Site {
        pointer,
        hint: format!("{name}{}", type_name(wire)),
        module: group.clone(),
        request: true,
        field: Some(wire.to_owned()),
    };
    let prefer = declared_params(
        spec,
        space,
        operation,
        pointer,
        &site,
        &mut names,
        &mut params,
    )?;
    if let Some(body) = &body {
        params.extend(request::body_params(spec, space, body, &mut names, &site)?);
    }
    sort_params(&mut params, path);
    let pagination = super::paging::pagination_of(spec, space, method, &output, &params);
    Ok(Operation {
        name,
        operation_id,
        method: method.to_ascii_uppercase(),
        path: path.to_owned(),
        group,
        summary: operation.summary.clone(),
        description: operation.description.clone(),
        encoding,
        idempotent,
        retention_secs,
        params,
        output,
        pagination,
        prefer,
        deprecated: operation.deprecated,
        server: None,
    })
}

/// The operation's own (path, query and header) parameters, appended to `params`; returns
/// whether it declares the profile's return-preference header, which the runtime owns.
fn declared_params(
    spec: &LoadedSpec,
    space: &mut TypeSpace<'_>,
    operation: &SpecOperation,
    pointer: &str,
    site: &dyn Fn(String, &str) -> Site,
    names: &mut NameRegistry,
    params: &mut Vec<Param>,
) -> Result<bool, SpecError> {
    let mut prefer = false;
    for (index, param) in operation.parameters.iter().enumerate() {
        let param_pointer = child(&child(pointer, "parameters"), &index.to_string());
        if param.reference.is_some() {
            return Err(spec.unsupported(&param_pointer, "a $ref parameter"));
        }
        let location = match param.location.as_str() {
            "path" => ParamLocation::Path,
            "query" => ParamLocation::Query,
            "header" if request::is_runtime_header(spec, &param.name) => continue,
            "header" if is_prefer_header(spec, &param.name) => {
                prefer = true;
                continue;
            }
            "header" => ParamLocation::Header,
            other => {
                return Err(spec.unsupported(&param_pointer, format!("a parameter in `{other}`")));
            }
        };
        let schema = param
            .schema
            .as_ref()
            .ok_or_else(|| spec.unsupported(&param_pointer, "a parameter without a schema"))?;
        let ty = space
            .convert(schema, &site(child(&param_pointer, "schema"), &param.name))?
            .0;
        // Header names are case-insensitive: `PayPal-Request-Id` is `paypal_request_id`,
        // not `pay_pal_request_id`.
        let rust_name = match location {
            ParamLocation::Header => field_name(&param.name.to_ascii_lowercase()),
            _ => field_name(&param.name),
        };
        params.push(Param {
            wire_name: param.name.clone(),
            rust_name: names.claim(&[rust_name]),
            location,
            ty,
            required: param.required || location == ParamLocation::Path,
            doc: param.description.clone(),
        });
    }
    Ok(prefer)
}

/// Path parameters first, in path order, then the rest by wire name.
fn sort_params(params: &mut [Param], path: &str) {
    params.sort_by(|a, b| {
        let path_index = |p: &Param| {
            if p.location == ParamLocation::Path {
                path.find(&format!("{{{}}}", p.wire_name)).unwrap_or(0)
            } else {
                0
            }
        };
        (
            a.location != ParamLocation::Path,
            path_index(a),
            &a.wire_name,
        )
            .cmp(&(
                b.location != ParamLocation::Path,
                path_index(b),
                &b.wire_name,
            ))
    });
}

/// Whether a header parameter is the profile's return preference (`[headers] prefer`).
fn is_prefer_header(spec: &LoadedSpec, name: &str) -> bool {
    spec.profile
        .headers
        .prefer
        .as_deref()
        .is_some_and(|prefer| prefer.eq_ignore_ascii_case(name))
}

/// Whether an operation's success response is a list, a search page or something else.
fn output_kind(spec: &LoadedSpec, operation: &SpecOperation) -> OutputKind {
    operation
        .responses
        .iter()
        .find(|(status, _)| status.starts_with('2'))
        .and_then(|(_, response)| response.content.get("application/json"))
        .and_then(|media| media.schema.as_ref())
        .and_then(|schema| page_items(spec, schema))
        .map_or_else(|| paged_by_parameters(spec, operation), |(_, kind)| kind)
}

/// A list paged by number or by `next` link, named like one (`ListPlans`): an operation
/// taking the profile's page parameter (`page_number`) or page size parameter
/// (`next_link`). Whether it pages is decided once its output is converted.
fn paged_by_parameters(spec: &LoadedSpec, operation: &SpecOperation) -> OutputKind {
    let rules = &spec.profile.operations;
    let styles = &spec.profile.pagination;
    let takes = |wire: &Option<String>| {
        operation
            .parameters
            .iter()
            .any(|p| p.location == "query" && Some(&p.name) == wire.as_ref())
    };
    if (styles.uses(PaginationStyle::PageNumber) && takes(&rules.page_param))
        || (styles.uses(PaginationStyle::NextLink) && takes(&rules.page_size_param))
    {
        OutputKind::List
    } else {
        OutputKind::Other
    }
}

/// What an output is, for naming the operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum OutputKind {
    /// A cursor-paged list.
    List,
    /// A search page.
    Search,
    /// Anything else.
    Other,
}

/// The success output: `List<T>`, `SearchList<T>`, `Binary` for a non-JSON body, or the
/// converted schema.
fn output_of(
    spec: &LoadedSpec,
    space: &mut TypeSpace<'_>,
    operation: &SpecOperation,
    pointer: &str,
    group: &str,
    operation_id: &str,
) -> Result<(TypeRef, OutputKind), SpecError> {
    let success = operation
        .responses
        .iter()
        .find(|(status, _)| status.starts_with('2'))
        .ok_or_else(|| spec.unsupported(pointer, "an operation without a 2xx response"))?;
    let response_pointer = child(&child(pointer, "responses"), success.0);
    let Some((media, body)) = success.1.content.iter().next() else {
        return Ok((TypeRef::Scalar(Scalar::Json), OutputKind::Other));
    };
    if media != "application/json" {
        return Ok((TypeRef::Scalar(Scalar::Binary), OutputKind::Other));
    }
    let schema_pointer = child(
        &child(&child(&response_pointer, "content"), media),
        "schema",
    );
    let Some(schema) = &body.schema else {
        return Ok((TypeRef::Scalar(Scalar::Json), OutputKind::Other));
    };
    let site = Site {
        pointer: schema_pointer.clone(),
        hint: format!("{}Output", operation_id.to_upper_camel_case()),
        module: group.to_owned(),
        request: false,
        field: None,
    };
    if let Some((items, kind)) = page_items(spec, schema) {
        let item_site = Site {
            pointer: child(
                &child(&child(&schema_pointer, "properties"), "data"),
                "items",
            ),
            ..site
        };
        let item = space.convert(items, &item_site)?.0;
        return Ok(match kind {
            OutputKind::Search => (TypeRef::SearchPage(Box::new(item)), kind),
            _ => (TypeRef::Page(Box::new(item)), kind),
        });
    }
    Ok((space.convert(schema, &site)?.0, OutputKind::Other))
}

/// The item schema of a list or search page (`object` constant and a `data` array).
fn page_items<'a>(spec: &LoadedSpec, schema: &'a Schema) -> Option<(&'a Schema, OutputKind)> {
    let properties = schema.properties.as_ref()?;
    let object = properties.get(spec.profile.types.object_tag.as_str())?;
    let [serde_json::Value::String(constant)] = object.values.as_deref()? else {
        return None;
    };
    let pagination = &spec.profile.pagination;
    let rules = &spec.profile.operations;
    let kind = if rules.list_object.as_ref() == Some(constant)
        && pagination.uses(crate::spec::profile::PaginationStyle::CursorList)
    {
        OutputKind::List
    } else if rules.search_object.as_ref() == Some(constant)
        && pagination.uses(crate::spec::profile::PaginationStyle::SearchPage)
    {
        OutputKind::Search
    } else {
        return None;
    };
    Some((properties.get("data")?.items.as_deref()?, kind))
}
