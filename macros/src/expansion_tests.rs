//! What the macros expand to, on small inputs: the shape of the generated impls
//! (snapshots, refreshed with `UPDATE_EXPECT=1`) and the collection of every error.

use expect_test::{Expect, expect};
use proc_macro2::TokenStream;
use quote::quote;

use crate::endpoint::{expand_endpoint, expand_idempotent};
use crate::provider_error::expand_provider_error;
use crate::string_enum::expand_string_enum;
use crate::webhook_event::expand_webhook_event;

/// Pretty-prints an expansion, or shows its errors one per line.
fn show(expansion: syn::Result<TokenStream>) -> String {
    match expansion {
        Ok(tokens) => match syn::parse2::<syn::File>(tokens.clone()) {
            Ok(file) => prettyplease::unparse(&file),
            Err(error) => format!("unparsable expansion ({error}): {tokens}"),
        },
        Err(errors) => errors
            .into_iter()
            .map(|error| format!("error: {error}\n"))
            .collect(),
    }
}

fn check(expansion: syn::Result<TokenStream>, expected: Expect) {
    expected.assert_eq(&show(expansion));
}

#[test]
fn an_endpoint_with_a_path_parameter() {
    let args = quote!(
        provider = crate::Stripe,
        method = POST,
        path = "/v1/refunds/{refund}",
        output = crate::Refund,
        idempotent
    );
    let item = quote! {
        #[derive(Serialize)]
        pub struct UpdateRefund {
            #[endpoint(path)]
            pub refund: String,
            pub metadata: Option<Metadata>,
        }
    };
    check(
        expand_endpoint(args, item),
        expect![[r##"
            #[derive(Serialize)]
            pub struct UpdateRefund {
                #[serde(skip)]
                pub refund: String,
                pub metadata: Option<Metadata>,
            }
            #[allow(deprecated)]
            impl ::payforge::Endpoint for UpdateRefund {
                type Provider = crate::Stripe;
                type Output = crate::Refund;
                const METHOD: ::payforge::__private::http::Method = ::payforge::__private::http::Method::POST;
                const PATH_TEMPLATE: &'static str = "/v1/refunds/{refund}";
                const IDEMPOTENT: bool = true;
                const ENCODING: ::payforge::BodyEncoding = ::payforge::BodyEncoding::Form;
                fn path(&self) -> ::std::borrow::Cow<'static, str> {
                    let mut path = ::std::string::String::new();
                    path.push_str("/v1/refunds/");
                    path.push_str(&::payforge::encode_path_value(&self.refund));
                    ::std::borrow::Cow::Owned(path)
                }
                fn encode(
                    &self,
                ) -> ::core::result::Result<::payforge::RequestBody, ::payforge::EncodeError> {
                    ::core::result::Result::Ok(
                        ::payforge::RequestBody::Form(::payforge::wire::form::to_string(self)?),
                    )
                }
            }
        "##]],
    );
}

#[test]
fn a_paginated_list_endpoint() {
    let args = quote!(provider = crate::Stripe, method = GET, path = "/v1/refunds", output = List<crate::Refund>, paginate = cursor);
    let item = quote! {
        pub struct ListRefunds {
            pub starting_after: Option<String>,
        }
    };
    check(
        expand_endpoint(args, item),
        expect![[r#"
            pub struct ListRefunds {
                pub starting_after: Option<String>,
            }
            #[allow(deprecated)]
            impl ::payforge::Endpoint for ListRefunds {
                type Provider = crate::Stripe;
                type Output = List<crate::Refund>;
                const METHOD: ::payforge::__private::http::Method = ::payforge::__private::http::Method::GET;
                const PATH_TEMPLATE: &'static str = "/v1/refunds";
                const IDEMPOTENT: bool = false;
                const ENCODING: ::payforge::BodyEncoding = ::payforge::BodyEncoding::Query;
                fn path(&self) -> ::std::borrow::Cow<'static, str> {
                    ::std::borrow::Cow::Borrowed("/v1/refunds")
                }
                fn encode(
                    &self,
                ) -> ::core::result::Result<::payforge::RequestBody, ::payforge::EncodeError> {
                    ::core::result::Result::Ok(
                        ::payforge::RequestBody::Query(::payforge::wire::form::to_string(self)?),
                    )
                }
            }
            #[allow(deprecated)]
            impl ::payforge::wire::Paginated for ListRefunds {
                type Item = <List<crate::Refund> as ::payforge::wire::CursorPage>::Item;
                fn split_page(
                    &self,
                    output: Self::Output,
                ) -> (
                    ::std::vec::Vec<Self::Item>,
                    ::core::option::Option<::payforge::wire::NextPage<Self>>,
                ) {
                    let (items, cursor) = <List<
                        crate::Refund,
                    > as ::payforge::wire::CursorPage>::into_page(output);
                    let next = cursor
                        .map(|cursor| {
                            let mut next = ::core::clone::Clone::clone(self);
                            next.starting_after = ::core::option::Option::Some(cursor);
                            ::payforge::wire::NextPage::Request(next)
                        });
                    (items, next)
                }
            }
        "#]],
    );
}

#[test]
fn a_list_paged_by_number_that_takes_a_return_preference() {
    let args = quote!(
        provider = crate::Paypal,
        method = GET,
        path = "/v1/billing/plans",
        output = crate::PlanCollection,
        paginate = pages,
        prefer
    );
    let item = quote! {
        pub struct ListPlans {
            pub page: Option<i64>,
            pub page_size: Option<i64>,
        }
    };
    check(
        expand_endpoint(args, item),
        expect![[r#"
            pub struct ListPlans {
                pub page: Option<i64>,
                pub page_size: Option<i64>,
            }
            #[allow(deprecated)]
            impl ::payforge::Endpoint for ListPlans {
                type Provider = crate::Paypal;
                type Output = crate::PlanCollection;
                const METHOD: ::payforge::__private::http::Method = ::payforge::__private::http::Method::GET;
                const PATH_TEMPLATE: &'static str = "/v1/billing/plans";
                const IDEMPOTENT: bool = false;
                const ENCODING: ::payforge::BodyEncoding = ::payforge::BodyEncoding::Query;
                fn path(&self) -> ::std::borrow::Cow<'static, str> {
                    ::std::borrow::Cow::Borrowed("/v1/billing/plans")
                }
                fn encode(
                    &self,
                ) -> ::core::result::Result<::payforge::RequestBody, ::payforge::EncodeError> {
                    ::core::result::Result::Ok(
                        ::payforge::RequestBody::Query(::payforge::wire::form::to_string(self)?),
                    )
                }
                fn headers(&self) -> ::std::vec::Vec<(&'static str, ::std::string::String)> {
                    let mut headers = ::std::vec::Vec::new();
                    headers
                        .push((
                            ::payforge::wire::PREFER_HEADER,
                            ::std::string::String::from(::payforge::wire::RETURN_REPRESENTATION),
                        ));
                    headers
                }
            }
            #[allow(deprecated)]
            impl ::payforge::wire::Paginated for ListPlans {
                type Item = <crate::PlanCollection as ::payforge::wire::ItemsPage>::Item;
                fn split_page(
                    &self,
                    output: Self::Output,
                ) -> (
                    ::std::vec::Vec<Self::Item>,
                    ::core::option::Option<::payforge::wire::NextPage<Self>>,
                ) {
                    let total_pages = <crate::PlanCollection as ::payforge::wire::ItemsPage>::total_pages(
                        &output,
                    );
                    let items = <crate::PlanCollection as ::payforge::wire::ItemsPage>::into_items(
                        output,
                    );
                    let next = ::payforge::wire::next_page_number(
                            self.page,
                            ::payforge::wire::page_count(&self.page_size),
                            total_pages,
                            items.len(),
                        )
                        .map(|page| {
                            let mut next = ::core::clone::Clone::clone(self);
                            next.page = ::core::option::Option::Some(page);
                            ::payforge::wire::NextPage::Request(next)
                        });
                    (items, next)
                }
            }
            #[allow(deprecated)]
            impl ::payforge::wire::PreferReturn for ListPlans {}
            #[allow(deprecated)]
            impl ListPlans {
                /// The same request asking for a minimal response (`Prefer: return=minimal`): the
                /// output is a `::payforge::wire::MinimalResponse` (id, status and links), not
                /// the full object.
                pub fn minimal(self) -> ::payforge::wire::Minimal<Self> {
                    ::payforge::wire::Minimal(self)
                }
            }
        "#]],
    );
}

#[test]
fn a_list_paged_by_next_link() {
    let args = quote!(
        provider = crate::Paypal,
        method = GET,
        path = "/v1/notifications/webhooks-events",
        output = crate::EventList,
        paginate = links
    );
    let item = quote! {
        pub struct ListWebhooksEvents {}
    };
    check(
        expand_endpoint(args, item),
        expect![[r#"
            pub struct ListWebhooksEvents {}
            #[allow(deprecated)]
            impl ::payforge::Endpoint for ListWebhooksEvents {
                type Provider = crate::Paypal;
                type Output = crate::EventList;
                const METHOD: ::payforge::__private::http::Method = ::payforge::__private::http::Method::GET;
                const PATH_TEMPLATE: &'static str = "/v1/notifications/webhooks-events";
                const IDEMPOTENT: bool = false;
                const ENCODING: ::payforge::BodyEncoding = ::payforge::BodyEncoding::Query;
                fn path(&self) -> ::std::borrow::Cow<'static, str> {
                    ::std::borrow::Cow::Borrowed("/v1/notifications/webhooks-events")
                }
                fn encode(
                    &self,
                ) -> ::core::result::Result<::payforge::RequestBody, ::payforge::EncodeError> {
                    ::core::result::Result::Ok(
                        ::payforge::RequestBody::Query(::payforge::wire::form::to_string(self)?),
                    )
                }
            }
            #[allow(deprecated)]
            impl ::payforge::wire::Paginated for ListWebhooksEvents {
                type Item = <crate::EventList as ::payforge::wire::ItemsPage>::Item;
                fn split_page(
                    &self,
                    output: Self::Output,
                ) -> (
                    ::std::vec::Vec<Self::Item>,
                    ::core::option::Option<::payforge::wire::NextPage<Self>>,
                ) {
                    let next = <crate::EventList as ::payforge::wire::ItemsPage>::next_link(&output)
                        .map(|href| ::payforge::wire::NextPage::Link(
                            ::std::borrow::ToOwned::to_owned(href),
                        ));
                    (<crate::EventList as ::payforge::wire::ItemsPage>::into_items(output), next)
                }
            }
        "#]],
    );
}

#[test]
fn every_mistake_is_reported_in_one_go_and_the_struct_is_kept() {
    let args = quote!(
        provider = Shop,
        method = FETCH,
        path = "/v1/x/{id}",
        colour = red,
        path = "/v1/y"
    );
    let item = quote! {
        struct Broken {
            #[endpoint(path)]
            other: Option<String>,
        }
    };
    check(
        expand_endpoint(args, item),
        expect![[r#"
            ::core::compile_error! {
                "unknown key `colour`; expected one of `provider`, `method`, `path`, `encoding`, `output`, `idempotent`, `paginate`, `server`, `retention_secs`, `prefer`"
            }
            ::core::compile_error! {
                "duplicate key `path`"
            }
            ::core::compile_error! {
                "missing `output = <the response type>` in `#[endpoint(...)]`"
            }
            ::core::compile_error! {
                "unknown method `FETCH`; expected GET, POST, DELETE, PUT or PATCH"
            }
            ::core::compile_error! {
                "the placeholder `{id}` has no field marked `#[endpoint(path)]`"
            }
            ::core::compile_error! {
                "`other` is marked `#[endpoint(path)]` but the path has no `{other}`"
            }
            ::core::compile_error! {
                "the path parameter `other` cannot be an `Option`: every path segment must be sent"
            }
            struct Broken {
                #[serde(skip)]
                other: Option<String>,
            }
        "#]],
    );
}

#[test]
fn idempotent_needs_an_endpoint_attribute() {
    let item = quote!(
        struct Lonely {
            a: i64,
        }
    );
    check(
        expand_idempotent(TokenStream::new(), item),
        expect![[r#"
        error: `#[idempotent]` marks an endpoint: write it together with `#[endpoint(...)]`
    "#]],
    );
}

#[test]
fn a_string_enum_is_two_matches_and_forwarding_impls() {
    let item = quote! {
        enum CaptureMethod {
            #[wire("automatic")]
            Automatic,
            Unknown(String),
        }
    };
    check(
        expand_string_enum(item),
        expect![[r#"
        impl ::payforge::wire::StringEnum for CaptureMethod {
            fn as_wire_str(&self) -> &str {
                match self {
                    Self::Automatic => "automatic",
                    Self::Unknown(wire) => wire,
                }
            }
            fn known(wire: &str) -> ::core::option::Option<Self> {
                match wire {
                    "automatic" => ::core::option::Option::Some(Self::Automatic),
                    _ => ::core::option::Option::None,
                }
            }
            fn unknown(wire: ::std::string::String) -> Self {
                Self::Unknown(wire)
            }
        }
        impl ::payforge::__private::serde::Serialize for CaptureMethod {
            fn serialize<S>(&self, serializer: S) -> ::core::result::Result<S::Ok, S::Error>
            where
                S: ::payforge::__private::serde::Serializer,
            {
                serializer.serialize_str(::payforge::wire::StringEnum::as_wire_str(self))
            }
        }
        impl<'de> ::payforge::__private::serde::Deserialize<'de> for CaptureMethod {
            fn deserialize<D>(deserializer: D) -> ::core::result::Result<Self, D::Error>
            where
                D: ::payforge::__private::serde::Deserializer<'de>,
            {
                ::payforge::wire::string_enum::deserialize(deserializer)
            }
        }
        impl CaptureMethod {
            /// The wire string of this value.
            pub fn as_str(&self) -> &str {
                ::payforge::wire::StringEnum::as_wire_str(self)
            }
        }
        impl ::core::fmt::Display for CaptureMethod {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                f.write_str(::payforge::wire::StringEnum::as_wire_str(self))
            }
        }
        impl ::core::str::FromStr for CaptureMethod {
            type Err = ::core::convert::Infallible;
            fn from_str(wire: &str) -> ::core::result::Result<Self, Self::Err> {
                ::core::result::Result::Ok(::payforge::wire::StringEnum::from_wire_str(wire))
            }
        }
    "#]],
    );
}

#[test]
fn a_webhook_event_enum() {
    let item = quote! {
        enum EventObject {
            #[event("refund.created")]
            RefundCreated(Refund),
            #[event(unknown)]
            Unknown { event_type: String, object: Value },
        }
    };
    check(
        expand_webhook_event(item),
        expect![[r#"
        impl ::payforge::webhook::EventPayload for EventObject {
            fn decode(
                event_type: &str,
                object: ::payforge::__private::serde_json::Value,
            ) -> ::core::result::Result<Self, ::payforge::__private::serde_json::Error> {
                match event_type {
                    "refund.created" => {
                        ::payforge::__private::serde_json::from_value::<Refund>(object)
                            .map(Self::RefundCreated)
                    }
                    _ => {
                        ::core::result::Result::Ok(Self::Unknown {
                            event_type: ::std::borrow::ToOwned::to_owned(event_type),
                            object,
                        })
                    }
                }
            }
            fn event_type(&self) -> &str {
                match self {
                    Self::RefundCreated(_) => "refund.created",
                    Self::Unknown { event_type, .. } => event_type,
                }
            }
            fn known_types() -> &'static [&'static str] {
                &["refund.created"]
            }
        }
    "#]],
    );
}

#[test]
fn a_catalogue_maps_codes_to_classes_and_messages() {
    let item = quote! {
        enum DeclineCode {
            #[provider_error(code = "insufficient_funds", class = card_decline, category = insufficient_funds, user_message = "Your card has insufficient funds.")]
            InsufficientFunds,
            Unknown(String),
        }
    };
    check(
        expand_provider_error(item),
        expect![[r#"
        impl ::payforge::wire::StringEnum for DeclineCode {
            fn as_wire_str(&self) -> &str {
                match self {
                    Self::InsufficientFunds => "insufficient_funds",
                    Self::Unknown(wire) => wire,
                }
            }
            fn known(wire: &str) -> ::core::option::Option<Self> {
                match wire {
                    "insufficient_funds" => ::core::option::Option::Some(Self::InsufficientFunds),
                    _ => ::core::option::Option::None,
                }
            }
            fn unknown(wire: ::std::string::String) -> Self {
                Self::Unknown(wire)
            }
        }
        impl ::payforge::__private::serde::Serialize for DeclineCode {
            fn serialize<S>(&self, serializer: S) -> ::core::result::Result<S::Ok, S::Error>
            where
                S: ::payforge::__private::serde::Serializer,
            {
                serializer.serialize_str(::payforge::wire::StringEnum::as_wire_str(self))
            }
        }
        impl<'de> ::payforge::__private::serde::Deserialize<'de> for DeclineCode {
            fn deserialize<D>(deserializer: D) -> ::core::result::Result<Self, D::Error>
            where
                D: ::payforge::__private::serde::Deserializer<'de>,
            {
                ::payforge::wire::string_enum::deserialize(deserializer)
            }
        }
        impl ::payforge::ErrorCatalogue for DeclineCode {
            fn class(&self) -> ::payforge::ErrorClass {
                match self {
                    Self::InsufficientFunds => ::payforge::ErrorClass::CardDecline,
                    Self::Unknown(_) => ::payforge::ErrorClass::Unknown,
                }
            }
            fn user_message(&self) -> ::core::option::Option<&'static str> {
                match self {
                    Self::InsufficientFunds => {
                        ::core::option::Option::Some("Your card has insufficient funds.")
                    }
                    Self::Unknown(_) => ::core::option::Option::None,
                }
            }
            fn decline_category(&self) -> ::core::option::Option<::payforge::DeclineCategory> {
                match self {
                    Self::InsufficientFunds => {
                        ::core::option::Option::Some(
                            ::payforge::DeclineCategory::InsufficientFunds,
                        )
                    }
                    Self::Unknown(_) => ::core::option::Option::None,
                }
            }
        }
        impl ::core::default::Default for DeclineCode {
            /// The empty unknown code: what a missing code decodes to.
            fn default() -> Self {
                Self::Unknown(::std::string::String::new())
            }
        }
        impl ::core::fmt::Display for DeclineCode {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                f.write_str(::payforge::wire::StringEnum::as_wire_str(self))
            }
        }
    "#]],
    );
}

#[test]
fn an_envelope_decodes_by_tag_field_by_field() {
    let item = quote! {
        #[provider_error(envelope = "error", tag = "type")]
        enum StripeError {
            #[provider_error(tag = "card_error", class = card_decline)]
            Card {
                #[provider_error(classify, decline, rename = "decline_code")]
                decline: Option<DeclineCode>,
                message: Option<String>,
                #[provider_error(rest)]
                details: Map<String, Value>,
            },
            #[provider_error(unknown)]
            Unknown { tag: String },
        }
    };
    check(
        expand_provider_error(item),
        expect![[r#"
        impl ::payforge::ApiError for StripeError {
            fn from_response(
                _status: ::payforge::__private::http::StatusCode,
                body: &[u8],
            ) -> ::core::option::Option<Self> {
                let mut object = ::payforge::catalogue::error_object(body, "error")?;
                let tag = ::payforge::catalogue::take_tag(&mut object, "type");
                let error = match tag.as_str() {
                    "card_error" => {
                        Self::Card {
                            decline: ::payforge::catalogue::take_field::<
                                Option<DeclineCode>,
                            >(&mut object, "decline_code")?,
                            message: ::payforge::catalogue::take_field::<
                                Option<String>,
                            >(&mut object, "message")?,
                            details: object,
                        }
                    }
                    _ => Self::Unknown { tag },
                };
                ::core::option::Option::Some(error)
            }
            fn class(&self) -> ::payforge::ErrorClass {
                match self {
                    Self::Card { decline: field_0, .. } => {
                        ::payforge::catalogue::refine_class(
                            ::payforge::ErrorClass::CardDecline,
                            &[::payforge::catalogue::CatalogueField::catalogue_class(field_0)],
                        )
                    }
                    Self::Unknown { .. } => {
                        ::payforge::catalogue::refine_class(::payforge::ErrorClass::Unknown, &[])
                    }
                }
            }
            fn decline(&self) -> ::core::option::Option<::payforge::Decline> {
                match self {
                    Self::Card { decline: field_0, message: field_1, .. } => {
                        ::payforge::catalogue::decline_view(
                            ::payforge::ApiError::class(self),
                            &[::payforge::catalogue::CatalogueField::decline_reason(field_0)],
                            ::payforge::catalogue::MessageField::message(field_1),
                        )
                    }
                    Self::Unknown { .. } => {
                        ::payforge::catalogue::decline_view(
                            ::payforge::ApiError::class(self),
                            &[],
                            ::core::option::Option::None,
                        )
                    }
                }
            }
        }
        impl ::core::fmt::Display for StripeError {
            fn fmt(&self, formatter: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                match self {
                    Self::Card { decline: field_0, message: field_1, .. } => {
                        formatter.write_str("card_error")?;
                        ::payforge::catalogue::write_code(formatter, "decline_code", field_0)?;
                        ::payforge::catalogue::write_message(formatter, field_1)?;
                        ::core::result::Result::Ok(())
                    }
                    Self::Unknown { tag: field_tag, .. } => {
                        formatter.write_str(field_tag)?;
                        ::core::result::Result::Ok(())
                    }
                }
            }
        }
        impl ::std::error::Error for StripeError {}
    "#]],
    );
}
