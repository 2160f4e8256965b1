//! The test provider, its error type and hand-declared operations (what `#[endpoint]`
//! expands to: an `Endpoint` impl over a params struct).

use std::borrow::Cow;

use http::{Method, StatusCode};
use payforge::wire::{Binary, List, NextPage, Paginated};
use payforge::{
    ApiError, BodyEncoding, EncodeError, Endpoint, ErrorClass, Provider, RequestBody, Sensitive,
};
use serde::{Deserialize, Serialize};

/// The provider the fake server stands in for, with Stripe's constants.
#[derive(Clone, Copy, Debug)]
pub struct TestProvider;

impl Provider for TestProvider {
    const NAME: &'static str = "testpay";
    const API_VERSION: &'static str = "2023-08-16";
    const API_VERSION_HEADER: Option<&'static str> = Some("Stripe-Version");
    const IDEMPOTENCY_HEADER: &'static str = "Idempotency-Key";
    const IDEMPOTENCY_RETENTION_SECS: u64 = 86_400;
    const REQUEST_ID_HEADER: &'static str = "Request-Id";
    const SHOULD_RETRY_HEADER: Option<&'static str> = Some("Stripe-Should-Retry");
    const LIVE_BASE_URL: &'static str = "https://api.testpay.invalid";
    const SECRET_KEY_ENV: &'static str = "TESTPAY_SECRET_KEY";
    const TEST_KEY_PREFIXES: &'static [&'static str] = &["sk_test_", "rk_test_"];
    const LIVE_KEY_PREFIXES: &'static [&'static str] = &["sk_live_", "rk_live_"];
    type Error = TestError;
}

/// The provider's error object, decoded from `{"error": {"type", "code"}}`.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum TestError {
    #[error("card declined ({code})")]
    Card { code: String },
    #[error("invalid request ({code})")]
    InvalidRequest { code: String },
    #[error("lock timeout")]
    Lock,
    #[error("rate limited")]
    RateLimited,
    #[error("authentication failed")]
    Authentication,
    #[error("idempotency error")]
    Idempotency,
    #[error("provider fault")]
    Api,
    #[error("unknown error type {0}")]
    Unknown(String),
}

#[derive(Deserialize)]
struct Envelope {
    error: ErrorObject,
}

#[derive(Deserialize)]
struct ErrorObject {
    #[serde(rename = "type")]
    type_: String,
    #[serde(default)]
    code: String,
}

impl ApiError for TestError {
    fn from_response(_status: StatusCode, body: &[u8]) -> Option<Self> {
        let Envelope { error } = serde_json::from_slice(body).ok()?;
        Some(match (error.type_.as_str(), error.code.as_str()) {
            ("card_error", _) => Self::Card { code: error.code },
            ("invalid_request_error", "lock_timeout") => Self::Lock,
            ("invalid_request_error", "rate_limit") => Self::RateLimited,
            ("invalid_request_error", _) => Self::InvalidRequest { code: error.code },
            ("authentication_error", _) => Self::Authentication,
            ("idempotency_error", _) => Self::Idempotency,
            ("api_error", _) => Self::Api,
            (other, _) => Self::Unknown(other.to_owned()),
        })
    }

    fn class(&self) -> ErrorClass {
        match self {
            Self::Card { .. } => ErrorClass::CardDecline,
            Self::InvalidRequest { .. } => ErrorClass::InvalidRequest,
            Self::Lock => ErrorClass::Conflict,
            Self::RateLimited => ErrorClass::RateLimited,
            Self::Authentication => ErrorClass::Authentication,
            Self::Idempotency => ErrorClass::Idempotency,
            Self::Api => ErrorClass::ProviderFault,
            Self::Unknown(_) => ErrorClass::Unknown,
        }
    }
}

/// A charge, as the server returns it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Charge {
    pub id: String,
    pub amount: i64,
}

impl payforge::wire::HasId for Charge {
    fn id(&self) -> &str {
        &self.id
    }
}

/// `POST /v1/charges`: creates a charge (idempotent), with raw card data.
#[derive(Clone, Debug, Serialize)]
pub struct CreateCharge {
    pub amount: i64,
    pub currency: String,
    pub card_number: Sensitive<String>,
    pub cvc: Sensitive<String>,
}

impl CreateCharge {
    pub fn new(amount: i64) -> Self {
        Self {
            amount,
            currency: "usd".to_owned(),
            card_number: Sensitive::new(CARD_NUMBER.to_owned()),
            cvc: Sensitive::new(CVC.to_owned()),
        }
    }
}

/// The card number every test charge carries.
pub const CARD_NUMBER: &str = "4000056655665556";
/// The CVC every test charge carries.
pub const CVC: &str = "9317";

impl Endpoint for CreateCharge {
    type Provider = TestProvider;
    type Output = Charge;
    const METHOD: Method = Method::POST;
    const PATH_TEMPLATE: &'static str = "/v1/charges";
    const IDEMPOTENT: bool = true;
    const ENCODING: BodyEncoding = BodyEncoding::Form;
    fn path(&self) -> Cow<'static, str> {
        Cow::Borrowed("/v1/charges")
    }
    fn encode(&self) -> Result<RequestBody, EncodeError> {
        payforge::wire::form::to_string(self).map(RequestBody::Form)
    }
}

/// `POST /v1/charges` of an API that keeps its keys 3 days, longer than the provider's 24 h
/// (as PayPal's Payments keeps them 45 days beside Orders' 6 h).
#[derive(Clone, Debug, Serialize)]
pub struct LongKeptCreateCharge(pub CreateCharge);

impl Endpoint for LongKeptCreateCharge {
    type Provider = TestProvider;
    type Output = Charge;
    const METHOD: Method = Method::POST;
    const PATH_TEMPLATE: &'static str = "/v1/charges";
    const IDEMPOTENT: bool = true;
    const ENCODING: BodyEncoding = BodyEncoding::Form;
    const IDEMPOTENCY_RETENTION_SECS: Option<u64> = Some(3 * 86_400);
    fn path(&self) -> Cow<'static, str> {
        Cow::Borrowed("/v1/charges")
    }
    fn encode(&self) -> Result<RequestBody, EncodeError> {
        self.0.encode()
    }
}

/// `POST /v1/charges` declared without `idempotent`: nothing makes a replay safe.
#[derive(Clone, Debug, Serialize)]
pub struct UnkeyedCreateCharge {
    pub amount: i64,
}

impl Endpoint for UnkeyedCreateCharge {
    type Provider = TestProvider;
    type Output = Charge;
    const METHOD: Method = Method::POST;
    const PATH_TEMPLATE: &'static str = "/v1/charges";
    const IDEMPOTENT: bool = false;
    const ENCODING: BodyEncoding = BodyEncoding::Form;
    fn path(&self) -> Cow<'static, str> {
        Cow::Borrowed("/v1/charges")
    }
    fn encode(&self) -> Result<RequestBody, EncodeError> {
        payforge::wire::form::to_string(self).map(RequestBody::Form)
    }
}

/// `GET /v1/charges/{charge}`.
#[derive(Clone, Debug, Serialize)]
pub struct RetrieveCharge {
    #[serde(skip)]
    pub charge: String,
}

impl Endpoint for RetrieveCharge {
    type Provider = TestProvider;
    type Output = Charge;
    const METHOD: Method = Method::GET;
    const PATH_TEMPLATE: &'static str = "/v1/charges/{charge}";
    const IDEMPOTENT: bool = false;
    const ENCODING: BodyEncoding = BodyEncoding::Query;
    fn path(&self) -> Cow<'static, str> {
        Cow::Owned(format!(
            "/v1/charges/{}",
            payforge::encode_path_segment(&self.charge)
        ))
    }
    fn encode(&self) -> Result<RequestBody, EncodeError> {
        payforge::wire::form::to_string(self).map(RequestBody::Query)
    }
}

/// `GET /v1/charges`: a cursor-paginated list.
#[derive(Clone, Debug, Default, Serialize)]
pub struct ListCharges {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub starting_after: Option<String>,
}

impl Endpoint for ListCharges {
    type Provider = TestProvider;
    type Output = List<Charge>;
    const METHOD: Method = Method::GET;
    const PATH_TEMPLATE: &'static str = "/v1/charges";
    const IDEMPOTENT: bool = false;
    const ENCODING: BodyEncoding = BodyEncoding::Query;
    fn path(&self) -> Cow<'static, str> {
        Cow::Borrowed("/v1/charges")
    }
    fn encode(&self) -> Result<RequestBody, EncodeError> {
        payforge::wire::form::to_string(self).map(RequestBody::Query)
    }
}

impl Paginated for ListCharges {
    type Item = Charge;
    fn split_page(&self, output: List<Charge>) -> (Vec<Charge>, Option<NextPage<Self>>) {
        let cursor = output
            .has_more
            .then(|| output.data.last().map(|c| c.id.clone()))
            .flatten();
        let next = cursor.map(|cursor| {
            NextPage::Request(Self {
                starting_after: Some(cursor),
                ..self.clone()
            })
        });
        (output.data, next)
    }
}

/// `GET /v1/files/{file}/contents`: raw bytes.
#[derive(Clone, Debug, Serialize)]
pub struct DownloadFile {
    #[serde(skip)]
    pub file: String,
}

impl Endpoint for DownloadFile {
    type Provider = TestProvider;
    type Output = Binary;
    const METHOD: Method = Method::GET;
    const PATH_TEMPLATE: &'static str = "/v1/files/{file}/contents";
    const IDEMPOTENT: bool = false;
    const ENCODING: BodyEncoding = BodyEncoding::Query;
    fn path(&self) -> Cow<'static, str> {
        Cow::Owned(format!(
            "/v1/files/{}/contents",
            payforge::encode_path_segment(&self.file)
        ))
    }
    fn encode(&self) -> Result<RequestBody, EncodeError> {
        Ok(RequestBody::Query(String::new()))
    }
}
