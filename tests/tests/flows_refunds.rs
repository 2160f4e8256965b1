//! Refunds: full, partial, several partials adding up to the charge, and an over-refund
//! refused as a typed error that moves no money.

use payforge::Currency;
use payforge_stripe::errors::{ErrorCode, StripeError};
use payforge_stripe::{
    Charge, CreatePaymentIntent, CreateRefund, PaymentIntent, PaymentIntentStatus, RetrieveCharge,
};
use payforge_tests::flow_tests;
use payforge_tests::flows::{FlowEnv, TestResult};

flow_tests!(
    a_full_refund_returns_the_whole_charge,
    a_partial_refund_leaves_the_rest_captured,
    several_partial_refunds_add_up_to_the_charge,
    an_over_refund_is_a_typed_error_and_moves_nothing,
);

/// A paid card payment of `amount` cents.
async fn paid(env: &FlowEnv, amount: i64) -> TestResult<PaymentIntent> {
    let intent = env
        .client()
        .send(
            CreatePaymentIntent::new(amount, Currency::Usd)
                .payment_method_types(vec!["card".to_owned()])
                .payment_method("pm_card_visa")
                .confirm(true),
        )
        .await?;
    assert_eq!(intent.status, PaymentIntentStatus::Succeeded);
    Ok(intent)
}

async fn refund(env: &FlowEnv, intent: &PaymentIntent, amount: Option<i64>) -> TestResult<i64> {
    let mut params = CreateRefund::new().payment_intent(&intent.id);
    if let Some(amount) = amount {
        params = params.amount(amount);
    }
    Ok(env.client().send(params).await?.amount)
}

async fn charge_of(env: &FlowEnv, intent: &PaymentIntent) -> TestResult<Charge> {
    let charge = intent.latest_charge.as_ref().ok_or("no charge")?;
    Ok(env.client().send(RetrieveCharge::new(charge.id())).await?)
}

/// On the sandbox, the ledger's captured and refunded amounts for the intent.
async fn ledger_amounts(env: &FlowEnv, intent: &PaymentIntent) -> TestResult<Option<(i64, i64)>> {
    let Some(admin) = env.sandbox_admin("the ledger is the sandbox's") else {
        return Ok(None);
    };
    let ledger = admin.ledger().await?;
    let entry = ledger
        .payment_intents
        .get(intent.id.as_str())
        .ok_or("intent not in the ledger")?;
    assert_eq!(entry.charges, 1);
    Ok(Some((entry.captured, entry.refunded)))
}

async fn a_full_refund_returns_the_whole_charge(env: &FlowEnv) -> TestResult {
    let intent = paid(env, 5_000).await?;
    assert_eq!(refund(env, &intent, None).await?, 5_000);
    let charge = charge_of(env, &intent).await?;
    assert!(charge.refunded);
    assert_eq!(charge.amount_refunded, 5_000);
    if let Some(amounts) = ledger_amounts(env, &intent).await? {
        assert_eq!(amounts, (5_000, 5_000));
    }
    Ok(())
}

async fn a_partial_refund_leaves_the_rest_captured(env: &FlowEnv) -> TestResult {
    let intent = paid(env, 5_000).await?;
    assert_eq!(refund(env, &intent, Some(1_500)).await?, 1_500);
    let charge = charge_of(env, &intent).await?;
    assert!(!charge.refunded, "3 500 is still captured");
    assert_eq!(charge.amount_refunded, 1_500);
    if let Some(amounts) = ledger_amounts(env, &intent).await? {
        assert_eq!(amounts, (5_000, 1_500));
    }
    Ok(())
}

async fn several_partial_refunds_add_up_to_the_charge(env: &FlowEnv) -> TestResult {
    let intent = paid(env, 5_000).await?;
    for (amount, refunded_so_far, fully) in [
        (1_000, 1_000, false),
        (1_500, 2_500, false),
        (2_500, 5_000, true),
    ] {
        assert_eq!(refund(env, &intent, Some(amount)).await?, amount);
        let charge = charge_of(env, &intent).await?;
        assert_eq!(
            (charge.amount_refunded, charge.refunded),
            (refunded_so_far, fully)
        );
    }
    let again = refund(env, &intent, Some(1)).await;
    assert!(
        matches!(
            again,
            Err(ref error) if matches!(
                error.downcast_ref::<payforge::Error<StripeError>>(),
                Some(payforge::Error::Api { error: StripeError::InvalidRequest {
                    code: Some(ErrorCode::ChargeAlreadyRefunded),
                    ..
                }, .. })
            )
        ),
        "refunding a fully refunded charge: {again:?}"
    );
    if let Some(amounts) = ledger_amounts(env, &intent).await? {
        assert_eq!(amounts, (5_000, 5_000));
    }
    Ok(())
}

async fn an_over_refund_is_a_typed_error_and_moves_nothing(env: &FlowEnv) -> TestResult {
    let intent = paid(env, 3_000).await?;
    let refused = env
        .client()
        .send(CreateRefund::new().payment_intent(&intent.id).amount(3_001))
        .await;
    match refused {
        Err(payforge::Error::Api {
            error:
                StripeError::InvalidRequest {
                    code: Some(ErrorCode::AmountTooLarge),
                    ..
                },
            ..
        }) => {}
        other => return Err(format!("an over-refund must be amount_too_large: {other:?}").into()),
    }
    let charge = charge_of(env, &intent).await?;
    assert_eq!((charge.amount_refunded, charge.refunded), (0, false));
    if let Some(amounts) = ledger_amounts(env, &intent).await? {
        assert_eq!(amounts, (3_000, 0));
    }
    Ok(())
}
