//! The wire protocol: authentication, errors, form parsing, pagination, expansion.

mod common;

use base64::Engine;
use common::{Api, TestResult, expect_status, start};

#[tokio::test]
async fn authentication_accepts_test_keys_and_refuses_everything_else() -> TestResult {
    let sandbox = start().await?;
    let api = Api::new(&sandbox);
    let url = format!("{}/v1/customers", api.base);
    let basic = base64::engine::general_purpose::STANDARD.encode("sk_test_basic:");
    let cases: [(Option<String>, u16, &str); 7] = [
        (None, 401, "did not provide an API key"),
        (
            Some("Bearer sk_live_abcdef".into()),
            401,
            "refuses live-mode API keys",
        ),
        (
            Some("Bearer rk_live_abcdef".into()),
            401,
            "refuses live-mode API keys",
        ),
        (
            Some("Bearer pk_test_abcdef".into()),
            401,
            "Invalid API Key provided: ****cdef",
        ),
        (
            Some("Token sk_test_abc".into()),
            401,
            "Invalid Authorization header",
        ),
        (Some("Bearer sk_test_abcdef".into()), 200, ""),
        (Some(format!("Basic {basic}")), 200, ""),
    ];
    for (authorization, status, message) in cases {
        let mut request = api.http.get(&url);
        if let Some(value) = &authorization {
            request = request.header("Authorization", value);
        }
        let reply = api.send(request).await?;
        assert_eq!(reply.status, status, "{authorization:?}: {}", reply.body);
        if status == 401 {
            assert_eq!(reply.body["error"]["type"], "invalid_request_error");
            let text = reply.body["error"]["message"].as_str().unwrap_or_default();
            assert!(text.contains(message), "{authorization:?}: {text}");
        }
        assert!(
            reply
                .header("request-id")
                .is_some_and(|id| id.starts_with("req_"))
        );
    }
    Ok(())
}

#[tokio::test]
async fn malformed_requests_get_stripe_shaped_400s_and_unknown_urls_404() -> TestResult {
    let sandbox = start().await?;
    let api = Api::new(&sandbox);
    let cases = [
        (
            "/v1/customers",
            "email=a@b.c&bogus=1",
            400,
            Some("parameter_unknown"),
            Some("bogus"),
        ),
        (
            "/v1/customers",
            "invoice_settings[colour]=red",
            400,
            Some("parameter_unknown"),
            Some("invoice_settings[colour]"),
        ),
        ("/v1/customers", "metadata[k=1", 400, None, None),
        ("/v1/customers", "name=%FF%FE", 400, None, None),
        ("/v1/customers", "name[]=a&name[x]=b", 400, None, None),
        (
            "/v1/payment_intents",
            "currency=usd",
            400,
            Some("parameter_missing"),
            Some("amount"),
        ),
        (
            "/v1/payment_intents",
            "amount=12x&currency=usd",
            400,
            Some("parameter_invalid_integer"),
            Some("amount"),
        ),
        (
            "/v1/payment_intents",
            "amount=99999999999999999999999&currency=usd",
            400,
            Some("parameter_invalid_integer"),
            Some("amount"),
        ),
        (
            "/v1/payment_intents",
            "amount=100000000&currency=usd",
            400,
            Some("amount_too_large"),
            Some("amount"),
        ),
        (
            "/v1/payment_intents",
            "amount=100&currency=usd&confirm=yes",
            400,
            None, // Stripe documents no code for a malformed boolean.
            Some("confirm"),
        ),
        (
            "/v1/payment_intents/pi_missing/confirm",
            "",
            404,
            Some("resource_missing"),
            Some("intent"),
        ),
        ("/v1/nothing_here", "", 404, None, None),
    ];
    for (path, form, status, code, param) in cases {
        let reply = api.post(path, form).await?;
        assert_eq!(reply.status, status, "{path} {form}: {}", reply.body);
        let error = &reply.body["error"];
        assert_eq!(error["type"], "invalid_request_error", "{form}");
        assert!(error["message"].is_string(), "{form}");
        assert_eq!(error["code"].as_str(), code, "{form}: {error}");
        assert_eq!(error["param"].as_str(), param, "{form}: {error}");
    }
    let binary = api
        .send(
            api.http
                .post(format!("{}/v1/customers", api.base))
                .bearer_auth(&api.key)
                .body(vec![0xFFu8, 0x00, 0x3D]),
        )
        .await?;
    expect_status(&binary, 400)?;
    Ok(())
}

#[tokio::test]
async fn lists_paginate_with_cursors_newest_first() -> TestResult {
    let sandbox = start().await?;
    let api = Api::new(&sandbox);
    let mut ids = Vec::new();
    for n in 0..5 {
        ids.push(api.customer(&format!("email=c{n}@example.com")).await?);
    }
    ids.reverse();
    let first = api.get("/v1/customers?limit=2").await?;
    let page_ids = |reply: &common::Reply| -> Vec<String> {
        reply.body["data"]
            .as_array()
            .map(|d| {
                d.iter()
                    .filter_map(|c| c["id"].as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    };
    assert_eq!(page_ids(&first), ids[0..2]);
    assert_eq!(first.body["has_more"], true);
    assert_eq!(first.body["url"], "/v1/customers");
    let second = api
        .get(&format!("/v1/customers?limit=2&starting_after={}", ids[1]))
        .await?;
    assert_eq!(page_ids(&second), ids[2..4]);
    let last = api
        .get(&format!("/v1/customers?limit=2&starting_after={}", ids[3]))
        .await?;
    assert_eq!(
        (page_ids(&last), last.body["has_more"].clone()),
        (ids[4..].to_vec(), false.into())
    );
    let before = api
        .get(&format!("/v1/customers?limit=2&ending_before={}", ids[4]))
        .await?;
    assert_eq!(page_ids(&before), ids[2..4]);
    let filtered = api.get("/v1/customers?email=c3@example.com").await?;
    assert_eq!(page_ids(&filtered), [ids[1].clone()]);
    expect_status(&api.get("/v1/customers?limit=101").await?, 400)?;
    Ok(())
}

#[tokio::test]
async fn customers_update_delete_and_expand() -> TestResult {
    let sandbox = start().await?;
    let api = Api::new(&sandbox);
    let customer = api
        .customer("email=a@example.com&metadata[plan]=gold&metadata[keep]=yes")
        .await?;
    let updated = api
        .post(
            &format!("/v1/customers/{customer}"),
            "name=Ada&metadata[plan]=&description=",
        )
        .await?;
    expect_status(&updated, 200)?;
    assert_eq!(updated.body["name"], "Ada");
    assert_eq!(
        updated.body["metadata"],
        serde_json::json!({ "keep": "yes" })
    );
    assert!(updated.body["description"].is_null());
    let intent = api
        .post(
            "/v1/payment_intents",
            &format!("amount=500&currency=usd&customer={customer}&expand[]=customer"),
        )
        .await?;
    assert_eq!(intent.body["customer"]["email"], "a@example.com");
    let deleted = api.delete(&format!("/v1/customers/{customer}")).await?;
    assert_eq!(
        deleted.body,
        serde_json::json!({ "id": customer, "object": "customer", "deleted": true })
    );
    let again = api.get(&format!("/v1/customers/{customer}")).await?;
    assert_eq!(again.body["deleted"], true);
    let types = api.event_types().await?;
    for expected in [
        "customer.created",
        "customer.updated",
        "payment_intent.created",
        "customer.deleted",
    ] {
        assert!(
            types.iter().any(|t| t == expected),
            "{expected} missing from {types:?}"
        );
    }
    let event = api.get("/v1/events?type=customer.updated").await?;
    assert_eq!(
        event.body["data"][0]["data"]["previous_attributes"]["name"],
        serde_json::Value::Null
    );
    assert_eq!(event.body["data"][0]["data"]["object"]["name"], "Ada");
    let by_id = api
        .get(&format!(
            "/v1/events/{}",
            event.body["data"][0]["id"].as_str().unwrap_or_default()
        ))
        .await?;
    assert_eq!(by_id.body["type"], "customer.updated");
    Ok(())
}

#[tokio::test]
async fn hostile_input_never_crashes_the_server_and_always_gets_a_stripe_error() -> TestResult {
    let sandbox = start().await?;
    let api = Api::new(&sandbox);
    let paths = [
        "/v1/customers",
        "/v1/customers/cus_x",
        "/v1/payment_methods",
        "/v1/payment_intents",
        "/v1/payment_intents/pi_x/confirm",
        "/v1/payment_intents/pi_x/capture",
        "/v1/refunds",
        "/v1/products",
        "/v1/prices",
        "/v1/subscriptions",
        "/v1/test_helpers/test_clocks",
        "/v1/test_helpers/test_clocks/clock_x/advance",
        "/v1/webhook_endpoints",
        "/v1/invoices/in_x/pay",
    ];
    let deep = format!("a{}=1", "[x]".repeat(20));
    let many = (0..3000)
        .map(|n| format!("k{n}=v"))
        .collect::<Vec<_>>()
        .join("&");
    let bodies = [
        "amount=-1&currency=usd".to_owned(),
        "amount=9223372036854775808&currency=usd".to_owned(),
        "frozen_time=9223372036854775807".to_owned(),
        "trial_end=9223372036854775807&customer=cus_x&items[0][price]=p".to_owned(),
        "items[0]=x&items[1][price]=".to_owned(),
        "card[number]=%F0%9F%92%B3&type=card".to_owned(),
        "metadata=x&metadata[a]=b".to_owned(),
        "expand[]=customer.customer.customer&expand[0]=x".to_owned(),
        "limit=0".to_owned(),
        "=&&==&%".to_owned(),
        deep,
        many,
    ];
    for path in paths {
        for body in &bodies {
            let reply = api.post(path, body).await?;
            assert!(
                (400..500).contains(&reply.status),
                "{path} {}: {} {}",
                &body[..body.len().min(60)],
                reply.status,
                reply.body
            );
            assert!(
                reply.body["error"]["message"].is_string(),
                "{path}: {}",
                reply.body
            );
        }
    }
    expect_status(&api.get("/v1/customers").await?, 200)?;
    Ok(())
}

#[tokio::test]
async fn parameters_come_from_the_query_and_the_body_alike() -> TestResult {
    let sandbox = start().await?;
    let api = Api::new(&sandbox);
    let customer = api.customer("email=q@example.com").await?;
    let expanded = api
        .post(
            &format!("/v1/payment_intents?expand[]=customer&customer={customer}"),
            "amount=700&currency=usd",
        )
        .await?;
    assert_eq!(expanded.body["customer"]["email"], "q@example.com");
    let delete = api
        .http
        .delete(format!("{}/v1/customers/{customer}", api.base))
        .bearer_auth(&api.key)
        .body("bogus=1");
    let refused = api
        .send(delete.header("Content-Type", "application/x-www-form-urlencoded"))
        .await?;
    assert_eq!(
        (refused.status, refused.body["error"]["param"].as_str()),
        (400, Some("bogus"))
    );
    Ok(())
}

#[tokio::test]
async fn a_rejected_create_leaves_nothing_behind() -> TestResult {
    let sandbox = start().await?;
    let api = Api::new(&sandbox);
    let missing = api
        .post(
            "/v1/customers",
            "email=x@example.com&payment_method=pm_does_not_exist",
        )
        .await?;
    assert_eq!(
        (missing.status, missing.body["error"]["param"].as_str()),
        (404, Some("payment_method"))
    );
    let bad_default = api
        .post(
            "/v1/customers",
            "invoice_settings[default_payment_method]=pm_nope",
        )
        .await?;
    assert_eq!(
        bad_default.body["error"]["param"],
        "invoice_settings[default_payment_method]"
    );
    assert_eq!(
        api.get("/v1/customers").await?.body["data"],
        serde_json::json!([])
    );
    assert_eq!(api.event_types().await?, Vec::<String>::new());
    Ok(())
}
