"""Payment flows driven by Stripe's official Python library (6.x) against payforge-sandbox.

The library encodes requests its own way: booleans as ``True``/``False`` (``str(True)``),
lists as ``expand[0]=...``, nested dicts in brackets. Every flow runs through the library
exactly as an application would call it; the sandbox must answer as Stripe does.

Reads SANDBOX_URL and SANDBOX_KEY; prints ``ok <flow>`` or ``FAIL <flow>: <why>`` per flow
and exits non-zero when any flow failed.
"""

import http.server
import json
import os
import queue
import sys
import threading
import traceback

import stripe
import stripe.version

stripe.api_key = os.environ["SANDBOX_KEY"]
stripe.api_base = os.environ["SANDBOX_URL"]
stripe.api_version = "2023-08-16"
stripe.max_network_retries = 0

FLOWS = []


def flow(function):
    FLOWS.append(function)
    return function


def expect(condition, what):
    if not condition:
        raise AssertionError(what)


def pay(payment_method, **extra):
    return stripe.PaymentIntent.create(
        amount=2000,
        currency="usd",
        payment_method=payment_method,
        confirm=True,
        **extra,
    )


@flow
def payment_confirmed_at_creation():
    intent = pay("pm_card_visa")
    expect(intent.status == "succeeded", intent.status)
    expect(intent.amount_received == 2000, intent.amount_received)


@flow
def payment_confirmed_later():
    intent = stripe.PaymentIntent.create(amount=1500, currency="eur", confirm=False)
    expect(intent.status == "requires_payment_method", intent.status)
    intent = stripe.PaymentIntent.confirm(intent.id, payment_method="pm_card_mastercard")
    expect(intent.status == "succeeded", intent.status)


@flow
def payment_expanding_the_customer():
    customer = stripe.Customer.create(email="python@example.com", metadata={"via": "python"})
    intent = pay("pm_card_visa", customer=customer.id, expand=["customer", "latest_charge"])
    expect(intent.customer.email == "python@example.com", intent.customer)
    expect(intent.latest_charge.paid is True, intent.latest_charge)


@flow
def manual_capture():
    intent = pay("pm_card_visa", capture_method="manual")
    expect(intent.status == "requires_capture", intent.status)
    captured = stripe.PaymentIntent.capture(intent.id, amount_to_capture=1200)
    expect(captured.status == "succeeded", captured.status)
    expect(captured.amount_received == 1200, captured.amount_received)


def decline(payment_method, code, decline_code):
    try:
        pay(payment_method)
    except stripe.error.CardError as error:
        expect(error.code == code, (error.code, code))
        expect(error.error.decline_code == decline_code, (error.error.decline_code, decline_code))
        expect(error.http_status == 402, error.http_status)
        return
    raise AssertionError(f"{payment_method} was not declined")


@flow
def decline_generic():
    decline("pm_card_chargeDeclined", "card_declined", "generic_decline")


@flow
def decline_insufficient_funds():
    decline("pm_card_chargeDeclinedInsufficientFunds", "card_declined", "insufficient_funds")


@flow
def decline_lost_card():
    decline("pm_card_chargeDeclinedLostCard", "card_declined", "lost_card")


@flow
def decline_stolen_card():
    decline("pm_card_chargeDeclinedStolenCard", "card_declined", "stolen_card")


@flow
def decline_expired_card():
    decline("pm_card_chargeDeclinedExpiredCard", "expired_card", "expired_card")


@flow
def decline_incorrect_cvc():
    decline("pm_card_chargeDeclinedIncorrectCvc", "incorrect_cvc", "incorrect_cvc")


@flow
def refunds_partial_then_full():
    intent = pay("pm_card_visa")
    partial = stripe.Refund.create(payment_intent=intent.id, amount=500, reason="requested_by_customer")
    expect(partial.status == "succeeded", partial.status)
    rest = stripe.Refund.create(charge=intent.latest_charge)
    expect(rest.amount == 1500, rest.amount)
    charge = stripe.Charge.retrieve(intent.latest_charge)
    expect(charge.refunded is True and charge.amount_refunded == 2000, charge)


@flow
def off_session_payment_for_a_saved_card():
    customer = stripe.Customer.create(name="Saved Card")
    method = stripe.PaymentMethod.attach("pm_card_visa", customer=customer.id)
    intent = pay(method.id, customer=customer.id, off_session=True)
    expect(intent.status == "succeeded", intent.status)


@flow
def customers_listed_searched_updated_and_deleted():
    customer = stripe.Customer.create(email="search-me@example.com", metadata={"tier": "gold"})
    stripe.Customer.modify(customer.id, name="Searched", metadata={"tier": ""})
    listed = stripe.Customer.list(limit=3, email="search-me@example.com")
    expect([c.id for c in listed.data] == [customer.id], listed)
    found = stripe.Customer.search(query="email:'search-me@example.com' AND name:'searched'")
    expect(found.object == "search_result" and [c.id for c in found.data] == [customer.id], found)
    deleted = stripe.Customer.delete(customer.id)
    expect(deleted.deleted is True, deleted)


@flow
def invalid_requests_raise_the_librarys_errors():
    try:
        stripe.PaymentIntent.create(amount=100, currency="xyz")
    except stripe.error.InvalidRequestError as error:
        expect(error.param == "currency", error.param)
    else:
        raise AssertionError("currency xyz was accepted")
    try:
        stripe.Customer.retrieve("cus_does_not_exist")
    except stripe.error.InvalidRequestError as error:
        expect(error.http_status == 404 and error.code == "resource_missing", error)
    else:
        raise AssertionError("a missing customer was found")


class Hooks(http.server.BaseHTTPRequestHandler):
    """Records each delivery's raw body and Stripe-Signature header."""

    received = queue.Queue()

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        Hooks.received.put((body, self.headers.get("Stripe-Signature", "")))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


@flow
def signed_webhooks_verify_with_construct_event():
    server = http.server.HTTPServer(("127.0.0.1", 0), Hooks)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/hooks"
        endpoint = stripe.WebhookEndpoint.create(url=url, enabled_events=["payment_intent.succeeded"])
        intent = pay("pm_card_visa")
        body, signature = Hooks.received.get(timeout=10)
        event = stripe.Webhook.construct_event(body, signature, endpoint.secret)
        expect(event.type == "payment_intent.succeeded", event.type)
        expect(event.data.object.id == intent.id, event.data.object.id)
        try:
            stripe.Webhook.construct_event(body + b" ", signature, endpoint.secret)
        except stripe.error.SignatureVerificationError:
            pass
        else:
            raise AssertionError("a tampered body verified")
        stripe.WebhookEndpoint.delete(endpoint.id)
    finally:
        server.shutdown()


def main():
    print(f"stripe-python {stripe.version.VERSION}, API version {stripe.api_version}")
    failed = 0
    for function in FLOWS:
        try:
            function()
            print(f"ok {function.__name__}")
        except Exception as error:  # Report every flow, then fail once.
            failed += 1
            detail = getattr(error, "json_body", None) or ""
            print(f"FAIL {function.__name__}: {error!r} {json.dumps(detail)}")
            traceback.print_exc(file=sys.stdout)
    print(f"{len(FLOWS) - failed}/{len(FLOWS)} flows passed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
