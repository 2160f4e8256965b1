//! Typed ids (docs/generated-code.md, "Typed ids"): a resource's id, an unexpanded
//! reference to it and the path parameter that addresses it are its own id type, and they
//! travel as the plain id string. That a `PaymentMethodId` is refused where a `CustomerId`
//! is wanted is the `compile_fail` doctest of the crate root.

use payforge::Endpoint;
use payforge::wire::{Expandable, HasId};
use payforge_stripe::{
    AttachPaymentMethod, CustomerId, CustomerOrDeletedCustomer, PaymentIntentId, PaymentMethodId,
    RetrieveCustomer, RetrievePaymentIntent,
};

type TestResult = Result<(), Box<dyn std::error::Error>>;

#[test]
fn an_unexpanded_reference_holds_the_targets_id_type() -> TestResult {
    let customer: Expandable<CustomerOrDeletedCustomer> = serde_json::from_str(r#""cus_1""#)?;
    assert_eq!(customer.as_id(), Some(&CustomerId::from("cus_1")));
    assert_eq!(serde_json::to_string(&customer)?, r#""cus_1""#);

    let expanded: Expandable<CustomerOrDeletedCustomer> =
        serde_json::from_str(r#"{"id":"cus_2","object":"customer","deleted":true}"#)?;
    assert_eq!(expanded.to_id(), CustomerId::from("cus_2"));
    assert_eq!(expanded.id(), "cus_2");
    Ok(())
}

#[test]
fn path_and_body_parameters_take_typed_ids_and_send_their_text() -> TestResult {
    let customer = CustomerId::from("cus_1");
    assert_eq!(
        RetrieveCustomer::new(customer.clone()).path(),
        "/v1/customers/cus_1"
    );
    let intent = PaymentIntentId::from("pi_1");
    assert_eq!(
        RetrievePaymentIntent::new(intent).path(),
        "/v1/payment_intents/pi_1"
    );

    let attach = AttachPaymentMethod::new(PaymentMethodId::from("pm_1"), customer);
    assert_eq!(attach.path(), "/v1/payment_methods/pm_1/attach");
    assert_eq!(attach.customer, "cus_1");
    // Plain strings still convert, as before ids were typed.
    let from_str = AttachPaymentMethod::new("pm_1", "cus_1");
    assert_eq!(from_str.customer, attach.customer);
    Ok(())
}

#[test]
fn a_decoded_resource_has_its_id_type() -> TestResult {
    let deleted: CustomerOrDeletedCustomer =
        serde_json::from_str(r#"{"id":"cus_3","object":"customer","deleted":true}"#)?;
    assert_eq!(deleted.id(), "cus_3");
    let CustomerOrDeletedCustomer::DeletedCustomer(deleted) = deleted else {
        return Err("not decoded as a deleted customer".into());
    };
    let id: &CustomerId = &deleted.id;
    assert_eq!(id.as_str(), "cus_3");
    Ok(())
}
