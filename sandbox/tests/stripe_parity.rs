//! Requests as Stripe's official libraries encode them, and the places the sandbox used to
//! answer differently from Stripe (issue #9): booleans, list encodings, currencies,
//! metadata and `maxLength` limits, echoed input, `expand[]`, content types, search, URLs,
//! the authorization scheme, oversized requests and `Stripe-Version`.

mod common;

use common::{Api, Reply, TestResult, expect_status, start};
use serde_json::Value;

/// `POST` with a raw body and extra headers, for what [`Api::post`] does not vary.
async fn post_raw(
    api: &Api,
    path: &str,
    body: &str,
    headers: &[(&str, &str)],
) -> TestResult<Reply> {
    let mut request = api
        .http
        .post(format!("{}{path}", api.base))
        .bearer_auth(&api.key)
        .body(body.to_owned());
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    api.send(request).await
}

fn message(reply: &Reply) -> &str {
    reply.body["error"]["message"].as_str().unwrap_or_default()
}

/// A 400 `invalid_request_error` naming `param` (or none), whose message starts so.
fn expect_invalid(reply: &Reply, param: Option<&str>, starts: &str) -> TestResult {
    expect_status(reply, 400)?;
    let error = &reply.body["error"];
    assert_eq!(error["type"], "invalid_request_error", "{error}");
    assert_eq!(error["param"].as_str(), param, "{error}");
    assert!(message(reply).starts_with(starts), "{error}");
    Ok(())
}

#[tokio::test]
async fn requests_encoded_as_stripes_official_libraries_send_them() -> TestResult {
    let sandbox = start().await?;
    let api = Api::new(&sandbox);
    let customer = api.customer("email=libs@example.com").await?;
    // Booleans: lowercase (Ruby, Node, Go, Java, PHP) and capitalised (Python's `str()`).
    for (confirm, status) in [
        ("true", "succeeded"),
        ("True", "succeeded"),
        ("false", "requires_confirmation"),
        ("False", "requires_confirmation"),
    ] {
        let reply = api
            .post(
                "/v1/payment_intents",
                &format!("amount=100&currency=usd&payment_method=pm_card_visa&confirm={confirm}"),
            )
            .await?;
        expect_status(&reply, 200)?;
        assert_eq!(reply.body["status"], status, "confirm={confirm}");
    }
    for refused in ["TRUE", "1", "yes"] {
        let reply = api
            .post(
                "/v1/payment_intents",
                &format!("amount=100&currency=usd&confirm={refused}"),
            )
            .await?;
        expect_invalid(&reply, Some("confirm"), "Invalid boolean")?;
    }
    // Lists: `expand[]` (Ruby, PHP, Node) and `expand[0]` (Python, Go, Java), in order.
    for expand in [
        "expand[]=customer&expand[]=latest_charge",
        "expand[0]=customer&expand[1]=latest_charge",
    ] {
        let reply = api
            .post(
                "/v1/payment_intents",
                &format!("amount=100&currency=usd&customer={customer}&payment_method=pm_card_visa&confirm=True&{expand}"),
            )
            .await?;
        expect_status(&reply, 200)?;
        assert_eq!(
            reply.body["customer"]["email"], "libs@example.com",
            "{expand}"
        );
        assert_eq!(reply.body["latest_charge"]["object"], "charge", "{expand}");
    }
    // Integer-indexed arrays of strings and of hashes.
    let endpoint = api
        .post(
            "/v1/webhook_endpoints",
            "url=https://example.invalid/h&enabled_events[0]=charge.succeeded&enabled_events[1]=charge.refunded",
        )
        .await?;
    expect_status(&endpoint, 200)?;
    assert_eq!(
        endpoint.body["enabled_events"],
        serde_json::json!(["charge.succeeded", "charge.refunded"])
    );
    let price = api
        .post(
            "/v1/prices",
            "currency=usd&unit_amount=500&recurring[interval]=month&product_data[name]=Plan",
        )
        .await?;
    let subscription = api
        .post(
            "/v1/subscriptions",
            &format!(
                "customer={customer}&default_payment_method=pm_card_visa&items[0][price]={}&items[0][quantity]=2&trial_period_days=3&cancel_at_period_end=False",
                price.id()
            ),
        )
        .await?;
    expect_status(&subscription, 200)?;
    assert_eq!(subscription.body["items"]["data"][0]["quantity"], 2);
    assert_eq!(subscription.body["cancel_at_period_end"], false);
    Ok(())
}

#[tokio::test]
async fn currencies_must_be_ones_stripe_supports() -> TestResult {
    let sandbox = start().await?;
    let api = Api::new(&sandbox);
    let refused = api
        .post("/v1/payment_intents", "amount=100&currency=xyz")
        .await?;
    expect_invalid(
        &refused,
        Some("currency"),
        "Invalid currency: xyz. Stripe currently supports these currencies: usd, aed, afn,",
    )?;
    let price = api
        .post(
            "/v1/prices",
            "currency=abc&unit_amount=5&product_data[name]=P",
        )
        .await?;
    expect_invalid(&price, Some("currency"), "Invalid currency: abc.")?;
    for accepted in ["usd", "EUR", "jpy"] {
        let reply = api
            .post(
                "/v1/payment_intents",
                &format!("amount=100&currency={accepted}"),
            )
            .await?;
        expect_status(&reply, 200)?;
        assert_eq!(reply.body["currency"], accepted.to_ascii_lowercase());
    }
    Ok(())
}

#[tokio::test]
async fn metadata_keys_over_40_and_values_over_500_characters_are_refused() -> TestResult {
    let sandbox = start().await?;
    let api = Api::new(&sandbox);
    let (key40, key41) = ("k".repeat(40), "k".repeat(41));
    let (value500, value501) = ("v".repeat(500), "v".repeat(501));
    let long_key = api
        .post("/v1/customers", &format!("metadata[{key41}]=x"))
        .await?;
    expect_invalid(
        &long_key,
        Some("metadata"),
        &format!("Invalid key: {key41} must be a string under 40 characters"),
    )?;
    let long_value = api
        .post("/v1/customers", &format!("metadata[k]={value501}"))
        .await?;
    expect_invalid(&long_value, Some("metadata"), "Invalid val: vvv")?;
    assert!(message(&long_value).ends_with("must be a string under 500 characters"));
    assert!(
        message(&long_value).len() < 300,
        "the value is echoed in part only"
    );
    let customer = api
        .customer(&format!("metadata[{key40}]={value500}"))
        .await?;
    let updated = api
        .post(
            &format!("/v1/customers/{customer}"),
            &format!("metadata[{key41}]=x"),
        )
        .await?;
    expect_status(&updated, 400)?;
    assert_eq!(
        api.get("/v1/customers").await?.body["data"]
            .as_array()
            .map(Vec::len),
        Some(1)
    );
    Ok(())
}

#[tokio::test]
async fn strings_longer_than_the_specs_max_length_are_refused_and_echoes_are_capped() -> TestResult
{
    let sandbox = start().await?;
    let api = Api::new(&sandbox);
    let name = "n".repeat(5_001);
    let refused = api.post("/v1/products", &format!("name={name}")).await?;
    expect_invalid(
        &refused,
        Some("name"),
        &format!(
            "Invalid string: {}...; must be at most 5000 characters",
            "n".repeat(100)
        ),
    )?;
    assert_eq!(
        api.get("/v1/products").await?.body["data"],
        serde_json::json!([])
    );
    let nested = api
        .post(
            "/v1/prices",
            &format!("currency=usd&unit_amount=5&product_data[name]={name}"),
        )
        .await?;
    expect_invalid(&nested, Some("product_data[name]"), "Invalid string: nnn")?;
    let exact = api
        .post("/v1/products", &format!("name={}", "n".repeat(5_000)))
        .await?;
    expect_status(&exact, 200)?;

    // However large the input, the error repeats a bounded part of it.
    let id = format!("cus_{}", "x".repeat(10_000));
    let missing = api.get(&format!("/v1/customers/{id}")).await?;
    expect_status(&missing, 404)?;
    assert!(
        message(&missing).starts_with("No such customer: 'cus_xxx"),
        "{}",
        message(&missing)
    );
    assert!(
        missing.body.to_string().len() < 1_000,
        "{}",
        missing.body.to_string().len()
    );
    let huge = "y".repeat(45_000);
    for body in [
        format!("customer={huge}"),
        format!("{huge}=1"),
        format!("amount={huge}"),
    ] {
        let reply = api.post("/v1/payment_intents", &body).await?;
        assert!((400..500).contains(&reply.status), "{}", reply.status);
        assert!(
            reply.body.to_string().len() < 1_000,
            "{}",
            &reply.body.to_string()[..200]
        );
    }
    Ok(())
}

#[tokio::test]
async fn expand_paths_the_response_does_not_allow_are_refused() -> TestResult {
    let sandbox = start().await?;
    let api = Api::new(&sandbox);
    let customer = api.customer("email=e@example.com").await?;
    let bogus = api
        .get(&format!("/v1/customers/{customer}?expand[]=bogus"))
        .await?;
    expect_invalid(&bogus, None, "This property cannot be expanded (bogus).")?;
    let scalar = api
        .get(&format!("/v1/customers/{customer}?expand[]=email"))
        .await?;
    expect_invalid(&scalar, None, "This property cannot be expanded (email).")?;
    let list = api.get("/v1/payment_intents?expand[]=customer").await?;
    expect_invalid(
        &list,
        None,
        "This property cannot be expanded (customer). You may want to try expanding 'data.customer' instead.",
    )?;
    expect_status(
        &api.get("/v1/payment_intents?expand[]=data.customer")
            .await?,
        200,
    )?;
    // A refused create creates nothing.
    let create = api
        .post(
            "/v1/payment_intents",
            "amount=100&currency=usd&expand[]=bogus",
        )
        .await?;
    expect_invalid(&create, None, "This property cannot be expanded (bogus).")?;
    assert_eq!(
        api.get("/v1/payment_intents").await?.body["data"],
        serde_json::json!([])
    );
    Ok(())
}

#[tokio::test]
async fn bodies_that_are_not_form_encoded_are_refused() -> TestResult {
    let sandbox = start().await?;
    let api = Api::new(&sandbox);
    let json = post_raw(
        &api,
        "/v1/customers",
        r#"{"email":"json@example.com"}"#,
        &[("Content-Type", "application/json")],
    )
    .await?;
    expect_invalid(
        &json,
        None,
        "Invalid request: the request body must be form-encoded",
    )?;
    let untyped = post_raw(&api, "/v1/customers", "email=a@example.com", &[]).await?;
    expect_invalid(
        &untyped,
        None,
        "Invalid request: the request body must be form-encoded",
    )?;
    assert_eq!(
        api.get("/v1/customers").await?.body["data"],
        serde_json::json!([])
    );
    // An empty body needs no content type; a charset parameter is fine.
    expect_status(&post_raw(&api, "/v1/customers", "", &[]).await?, 200)?;
    let charset = post_raw(
        &api,
        "/v1/customers",
        "email=c@example.com",
        &[(
            "Content-Type",
            "application/x-www-form-urlencoded; charset=utf-8",
        )],
    )
    .await?;
    expect_status(&charset, 200)?;
    Ok(())
}

#[tokio::test]
async fn customers_are_searched_with_stripes_query_language() -> TestResult {
    let sandbox = start().await?;
    let api = Api::new(&sandbox);
    let jenny = api
        .customer("email=jenny@example.com&name=Jenny+Rosen&metadata[plan]=gold")
        .await?;
    let other = api.customer("email=other@example.com&name=Other").await?;
    let search = |query: &str| {
        let query = percent_encode(query);
        let api = api.clone();
        async move {
            api.get(&format!("/v1/customers/search?query={query}"))
                .await
        }
    };
    let found = search("email:'jenny@example.com'").await?;
    expect_status(&found, 200)?;
    assert_eq!(found.body["object"], "search_result");
    assert_eq!(found.body["url"], "/v1/customers/search");
    assert_eq!(ids(&found), std::slice::from_ref(&jenny));
    assert_eq!(
        ids(&search("metadata['plan']:'gold' OR name:'other'").await?),
        [other.clone(), jenny.clone()]
    );
    assert_eq!(
        ids(&search("name~'rose' AND -email:'x@example.com'").await?),
        std::slice::from_ref(&jenny)
    );
    let paged = api
        .get("/v1/customers/search?query=email~%27example%27&limit=1")
        .await?;
    assert_eq!(
        (ids(&paged), paged.body["has_more"].clone()),
        (vec![other], Value::Bool(true))
    );
    let page = paged.body["next_page"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let next = api
        .get(&format!(
            "/v1/customers/search?query=email~%27example%27&limit=1&page={page}"
        ))
        .await?;
    assert_eq!(ids(&next), [jenny]);
    let missing = api.get("/v1/customers/search").await?;
    expect_status(&missing, 400)?;
    assert_eq!(missing.body["error"]["code"], "parameter_missing");
    expect_invalid(
        &search("colour:'red'").await?,
        Some("query"),
        "Invalid search query",
    )?;
    Ok(())
}

fn ids(reply: &Reply) -> Vec<String> {
    reply.body["data"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|item| item["id"].as_str().map(str::to_owned))
        .collect()
}

fn percent_encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'_' | b'.' | b'-' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[tokio::test]
async fn an_empty_id_segment_is_an_unrecognized_url_in_stripes_words() -> TestResult {
    let sandbox = start().await?;
    let api = Api::new(&sandbox);
    for (method, path) in [
        ("GET", "/v1/customers/"),
        ("POST", "/v1/payment_intents//confirm"),
    ] {
        let reply = if method == "GET" {
            api.get(path).await?
        } else {
            api.post(path, "").await?
        };
        expect_status(&reply, 404)?;
        assert_eq!(
            message(&reply),
            format!(
                "Unrecognized request URL ({method}: {path}). Please see https://stripe.com/docs or we can help at https://support.stripe.com/."
            )
        );
    }
    Ok(())
}

#[tokio::test]
async fn the_authorization_scheme_is_case_insensitive() -> TestResult {
    let sandbox = start().await?;
    let api = Api::new(&sandbox);
    let basic = {
        use base64::Engine;
        base64::engine::general_purpose::STANDARD.encode(format!("{}:", api.key))
    };
    for authorization in [
        format!("bearer {}", api.key),
        format!("BEARER {}", api.key),
        format!("Bearer {}", api.key),
        format!("basic {basic}"),
    ] {
        let reply = api
            .send(
                api.http
                    .get(format!("{}/v1/customers", api.base))
                    .header("Authorization", &authorization),
            )
            .await?;
        expect_status(&reply, 200).map_err(|error| format!("{authorization}: {error}"))?;
    }
    Ok(())
}

#[tokio::test]
async fn oversized_requests_get_stripe_shaped_errors() -> TestResult {
    let sandbox = start().await?;
    let api = Api::new(&sandbox);
    let long_url = api
        .get(&format!("/v1/customers?email={}", "a".repeat(20_000)))
        .await?;
    let big_header = api
        .send(
            api.http
                .get(format!("{}/v1/customers", api.base))
                .bearer_auth(&api.key)
                .header("X-Padding", "p".repeat(40_000)),
        )
        .await?;
    let mut many = api
        .http
        .get(format!("{}/v1/customers", api.base))
        .bearer_auth(&api.key);
    for n in 0..150 {
        many = many.header(format!("X-Header-{n}"), "1");
    }
    let many_headers = api.send(many).await?;
    for (reply, status) in [(long_url, 414), (big_header, 431), (many_headers, 431)] {
        expect_status(&reply, status)?;
        assert_eq!(reply.body["error"]["type"], "invalid_request_error");
        assert!(
            reply
                .header("request-id")
                .is_some_and(|id| id.starts_with("req_"))
        );
    }
    Ok(())
}

#[tokio::test]
async fn stripe_version_must_be_an_api_version() -> TestResult {
    let sandbox = start().await?;
    let api = Api::new(&sandbox);
    let with_version = |version: &str| {
        api.http
            .get(format!("{}/v1/customers", api.base))
            .bearer_auth(&api.key)
            .header("Stripe-Version", version)
    };
    let garbage = api.send(with_version("garbage")).await?;
    expect_invalid(&garbage, None, "Invalid Stripe API version: garbage")?;
    for refused in ["2023-13-01", "2023-08-16.", "23-08-16", "2023-08-16.Acacia"] {
        expect_status(&api.send(with_version(refused)).await?, 400)?;
    }
    for accepted in [
        "2023-08-16",
        "2024-09-30.acacia",
        "2023-08-16; embedded_connect_beta=v2",
    ] {
        let reply = api.send(with_version(accepted)).await?;
        expect_status(&reply, 200)?;
        assert_eq!(reply.header("stripe-version"), Some(accepted));
    }
    Ok(())
}
