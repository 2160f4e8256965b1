//! Payments: a successful payment and the charge it made (also through a typed
//! `expand[]`), a decline for each reason the test cards cover (each its own typed error),
//! and 3-D Secure surfacing as `requires_action`.

use payforge::Currency;
use payforge_stripe::errors::{DeclineCode, ErrorCode, StripeError};
use payforge_stripe::{
    ChargeStatus, ConfirmPaymentIntent, CreatePaymentIntent, CreatePaymentMethod,
    CreatePaymentMethodCard, CreatePaymentMethodCardCardDetailsParams, CreatePaymentMethodType,
    PaymentIntent, PaymentIntentExpand, PaymentIntentStatus, RetrieveCharge, RetrievePaymentIntent,
};
use payforge_tests::flow_tests;
use payforge_tests::flows::{FlowEnv, TestResult};

flow_tests!(
    a_test_payment_method_pays_and_makes_one_charge,
    an_intent_retrieved_with_a_typed_expand_holds_its_charge,
    a_raw_test_card_number_pays,
    each_decline_reason_is_its_own_typed_error,
    three_d_secure_surfaces_as_requires_action,
);

/// An intent for card payments only, so Stripe's test mode asks for no `return_url`.
fn card_intent(amount: i64) -> CreatePaymentIntent {
    CreatePaymentIntent::new(amount, Currency::Usd).payment_method_types(vec!["card".to_owned()])
}

/// The id of the intent's latest charge.
fn latest_charge(intent: &PaymentIntent) -> TestResult<String> {
    let charge = intent
        .latest_charge
        .as_ref()
        .ok_or("the intent has no charge")?;
    Ok(charge.id().to_owned())
}

async fn a_test_payment_method_pays_and_makes_one_charge(env: &FlowEnv) -> TestResult {
    let client = env.client();
    let created = client.send(card_intent(2_000)).await?;
    assert_eq!(created.status, PaymentIntentStatus::RequiresPaymentMethod);

    let confirmed = client
        .send(ConfirmPaymentIntent::new(&created.id).payment_method("pm_card_visa"))
        .await?;
    assert_eq!(confirmed.status, PaymentIntentStatus::Succeeded);
    assert_eq!(confirmed.amount_received, Some(2_000));

    let charge = client
        .send(RetrieveCharge::new(latest_charge(&confirmed)?))
        .await?;
    assert_eq!((charge.amount, charge.amount_captured), (2_000, 2_000));
    assert!(charge.paid && charge.captured && !charge.refunded);
    assert_eq!(charge.status, ChargeStatus::Succeeded);

    if let Some(admin) = env.sandbox_admin("the ledger is the sandbox's") {
        let ledger = admin.ledger().await?;
        let charges = ledger.charges_of(&confirmed.id);
        assert_eq!(charges.len(), 1, "one charge for one payment: {charges:?}");
        assert_eq!((charges[0].captured, charges[0].refunded), (2_000, 0));
        assert_eq!(charges[0].id, charge.id);
    }
    Ok(())
}

async fn an_intent_retrieved_with_a_typed_expand_holds_its_charge(env: &FlowEnv) -> TestResult {
    let client = env.client();
    let created = client
        .send(
            card_intent(1_500)
                .payment_method("pm_card_visa")
                .confirm(true),
        )
        .await?;
    assert_eq!(created.status, PaymentIntentStatus::Succeeded);
    let plain = client.send(RetrievePaymentIntent::new(&created.id)).await?;
    assert!(
        plain
            .latest_charge
            .as_ref()
            .is_some_and(|c| !c.is_expanded()),
        "without expand the charge is an id: {:?}",
        plain.latest_charge
    );

    let expanded = client
        .send(RetrievePaymentIntent::new(&created.id).expand([PaymentIntentExpand::LatestCharge]))
        .await?;
    let charge = expanded
        .latest_charge
        .as_ref()
        .and_then(|c| c.as_object())
        .ok_or("expand[]=latest_charge returned no charge object")?;
    assert_eq!(charge.id, latest_charge(&created)?);
    assert_eq!(
        (charge.amount, charge.status.clone()),
        (1_500, ChargeStatus::Succeeded)
    );
    Ok(())
}

async fn a_raw_test_card_number_pays(env: &FlowEnv) -> TestResult {
    // Stripe refuses raw card numbers over the API unless the account has been cleared to
    // send them, so this flow runs on the sandbox only.
    let Some(admin) =
        env.sandbox_admin("Stripe accepts raw card numbers only from accounts cleared for them")
    else {
        return Ok(());
    };
    let client = env.client();
    let card =
        CreatePaymentMethodCardCardDetailsParams::new(12, 2_034, "4242424242424242".to_owned())
            .cvc("123".to_owned());
    let method = client
        .send(
            CreatePaymentMethod::new()
                .type_(CreatePaymentMethodType::Card)
                .card(CreatePaymentMethodCard::CardDetailsParams(card)),
        )
        .await?;
    let card_details = method
        .card
        .as_ref()
        .ok_or("the payment method has no card")?;
    assert_eq!(card_details.last4, "4242");

    let paid = client
        .send(card_intent(1_234).payment_method(&method.id).confirm(true))
        .await?;
    assert_eq!(paid.status, PaymentIntentStatus::Succeeded);
    let ledger = admin.ledger().await?;
    let charges = ledger.charges_of(&paid.id);
    assert_eq!(charges.len(), 1);
    assert_eq!(charges[0].captured, 1_234);
    Ok(())
}

/// The decline reasons of `test-cards.yaml` an application tells apart.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Decline {
    Generic,
    InsufficientFunds,
    LostCard,
    StolenCard,
    ExpiredCard,
    IncorrectCvc,
    ProcessingError,
}

/// What an application would match on: each reason is its own pattern of the typed error.
fn decline_of(error: &payforge::Error<StripeError>) -> Option<Decline> {
    let payforge::Error::Api {
        error: StripeError::Card { code, decline, .. },
        ..
    } = error
    else {
        return None;
    };
    match (code, decline) {
        (ErrorCode::CardDeclined, Some(DeclineCode::GenericDecline)) => Some(Decline::Generic),
        (ErrorCode::CardDeclined, Some(DeclineCode::InsufficientFunds)) => {
            Some(Decline::InsufficientFunds)
        }
        (ErrorCode::CardDeclined, Some(DeclineCode::LostCard)) => Some(Decline::LostCard),
        (ErrorCode::CardDeclined, Some(DeclineCode::StolenCard)) => Some(Decline::StolenCard),
        (ErrorCode::ExpiredCard, _) => Some(Decline::ExpiredCard),
        (ErrorCode::IncorrectCvc, _) => Some(Decline::IncorrectCvc),
        (ErrorCode::ProcessingError, _) => Some(Decline::ProcessingError),
        _ => None,
    }
}

async fn each_decline_reason_is_its_own_typed_error(env: &FlowEnv) -> TestResult {
    let cases = [
        ("pm_card_chargeDeclined", Decline::Generic),
        (
            "pm_card_chargeDeclinedInsufficientFunds",
            Decline::InsufficientFunds,
        ),
        ("pm_card_chargeDeclinedLostCard", Decline::LostCard),
        ("pm_card_chargeDeclinedStolenCard", Decline::StolenCard),
        ("pm_card_chargeDeclinedExpiredCard", Decline::ExpiredCard),
        ("pm_card_chargeDeclinedIncorrectCvc", Decline::IncorrectCvc),
        (
            "pm_card_chargeDeclinedProcessingError",
            Decline::ProcessingError,
        ),
    ];
    for (payment_method, expected) in cases {
        let result = env
            .client()
            .send(
                card_intent(1_500)
                    .payment_method(payment_method)
                    .confirm(true),
            )
            .await;
        let error = match result {
            Ok(intent) => return Err(format!("{payment_method} paid: {:?}", intent.status).into()),
            Err(error) => error,
        };
        assert_eq!(
            decline_of(&error),
            Some(expected),
            "{payment_method}: {error:?}"
        );
    }
    if let Some(admin) = env.sandbox_admin("the ledger is the sandbox's") {
        let ledger = admin.ledger().await?;
        assert_eq!(ledger.succeeded().count(), 0, "no decline moved money");
        assert_eq!(
            ledger.charges.len(),
            cases.len(),
            "each decline left one failed charge"
        );
    }
    Ok(())
}

async fn three_d_secure_surfaces_as_requires_action(env: &FlowEnv) -> TestResult {
    let client = env.client();
    let intent = client
        .send(
            card_intent(3_000)
                .payment_method("pm_card_threeDSecure2Required")
                .confirm(true)
                .return_url("https://example.invalid/return"),
        )
        .await?;
    assert_eq!(intent.status, PaymentIntentStatus::RequiresAction);
    assert!(
        intent.next_action.is_some(),
        "the customer has a challenge to complete"
    );

    // Completing the challenge needs a browser on Stripe; the sandbox completes it through
    // its admin API.
    let Some(admin) =
        env.sandbox_admin("completing a 3-D Secure challenge needs a browser on Stripe")
    else {
        return Ok(());
    };
    assert!(
        admin.ledger().await?.charges_of(&intent.id).is_empty(),
        "nothing charged yet"
    );
    admin.authenticate(&intent.id, "succeed").await?;
    let settled = client.send(RetrievePaymentIntent::new(&intent.id)).await?;
    assert_eq!(settled.status, PaymentIntentStatus::Succeeded);
    assert_eq!(admin.ledger().await?.charges_of(&intent.id).len(), 1);
    Ok(())
}
