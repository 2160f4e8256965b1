//! Generated params serialise to the shape Stripe expects (the bracket encoding itself is
//! tested in the runtime; this checks that the generated declarations feed it right).
#![cfg(all(
    feature = "customers",
    feature = "payment_intents",
    feature = "payment_methods"
))]

use std::collections::BTreeMap;

use payforge::wire::Unsettable;
use payforge::{BodyEncoding, Currency, Endpoint, RequestBody};
use payforge_stripe::{
    ChargeExpand, CreatePaymentIntent, CreatePaymentMethod, CreatePaymentMethodCard,
    CreatePaymentMethodCardCardDetailsParams, CustomerExpand, ListCustomers, PaymentIntentExpand,
    UpdateCustomer,
};

type TestResult = Result<(), Box<dyn std::error::Error>>;

#[test]
fn a_create_call_is_an_idempotent_form_post_with_bracketed_nesting() -> TestResult {
    let params = CreatePaymentIntent::new(2000, Currency::Usd)
        .customer("cus_123")
        .metadata(BTreeMap::from([("order".to_owned(), "6735".to_owned())]))
        .expand([PaymentIntentExpand::Customer]);
    assert_eq!(CreatePaymentIntent::METHOD, http::Method::POST);
    const { assert!(CreatePaymentIntent::IDEMPOTENT) };
    assert_eq!(CreatePaymentIntent::ENCODING, BodyEncoding::Form);
    assert_eq!(params.path(), "/v1/payment_intents");
    assert_eq!(
        params.encode()?,
        RequestBody::Form(
            "amount=2000&currency=usd&customer=cus_123&expand[]=customer&metadata[order]=6735"
                .to_owned()
        )
    );
    Ok(())
}

#[test]
fn typed_expand_paths_encode_as_stripe_expand_brackets() -> TestResult {
    let params = CreatePaymentIntent::new(2000, Currency::Usd).expand([
        PaymentIntentExpand::Customer.into(),
        PaymentIntentExpand::latest_charge(ChargeExpand::BalanceTransaction),
        PaymentIntentExpand::latest_charge(ChargeExpand::customer(CustomerExpand::DefaultSource)),
    ]);
    assert_eq!(
        params.encode()?,
        RequestBody::Form(
            "amount=2000&currency=usd&expand[]=customer\
             &expand[]=latest_charge.balance_transaction\
             &expand[]=latest_charge.customer.default_source"
                .to_owned()
        )
    );
    Ok(())
}

#[test]
fn a_list_operation_expands_its_items_with_the_data_prefix() -> TestResult {
    let params = ListCustomers::new()
        .limit(2)
        .expand([CustomerExpand::DefaultSource]);
    assert_eq!(
        params.encode()?,
        RequestBody::Query("expand[]=data.default_source&limit=2".to_owned())
    );
    Ok(())
}

#[test]
fn path_parameters_fill_the_path_and_unset_values_send_an_empty_string() -> TestResult {
    let params = UpdateCustomer::new("cus_1/x").address(Unsettable::Unset);
    assert_eq!(UpdateCustomer::PATH_TEMPLATE, "/v1/customers/{customer}");
    assert_eq!(params.path(), "/v1/customers/cus_1%2Fx");
    assert_eq!(params.encode()?, RequestBody::Form("address=".to_owned()));
    Ok(())
}

#[test]
fn a_list_call_is_a_get_with_a_query_string() -> TestResult {
    let params = ListCustomers::new().limit(3).email("a@example.com");
    const { assert!(!ListCustomers::IDEMPOTENT) };
    assert_eq!(
        params.encode()?,
        RequestBody::Query("email=a%40example.com&limit=3".to_owned())
    );
    Ok(())
}

#[test]
fn card_numbers_are_sent_but_never_printed() -> TestResult {
    let card =
        CreatePaymentMethodCardCardDetailsParams::new(12, 2030, "4242424242424242").cvc("123");
    let params = CreatePaymentMethod::new().card(CreatePaymentMethodCard::CardDetailsParams(card));
    let printed = format!("{params:?}");
    assert!(
        !printed.contains("4242424242424242") && !printed.contains("123,"),
        "{printed}"
    );
    let RequestBody::Form(body) = params.encode()? else {
        return Err("not a form body".into());
    };
    assert!(
        body.contains("card[number]=4242424242424242") && body.contains("card[cvc]=123"),
        "{body}"
    );
    Ok(())
}
