//! What `#[endpoint]` gives a declaration at run time: method, path, encoding and paging.

use payforge::wire::{
    HasId, ItemsPage, Link, Links, List, Minimal, NextPage, Paginated, SearchList, links_of,
    next_link, page_count, page_items,
};
use payforge::{BodyEncoding, EncodeError, Endpoint, RequestBody};
use payforge_ui_tests::Shop;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
struct Order {
    id: String,
}

impl HasId for Order {
    fn id(&self) -> &str {
        &self.id
    }
}

/// Whether requests of `E` carry an idempotency key (read at run time, as the client does).
fn is_idempotent<E: Endpoint>() -> bool {
    E::IDEMPOTENT
}

#[payforge::endpoint(
    provider = Shop,
    method = POST,
    path = "/v1/shops/{shop}/orders/{order}/capture",
    encoding = form,
    output = Order,
    idempotent,
)]
#[derive(Clone, Debug, Serialize)]
struct CaptureOrder {
    #[endpoint(path)]
    shop: String,
    amount: i64,
    #[endpoint(path)]
    order: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    expand: Option<Vec<String>>,
}

#[test]
fn a_form_endpoint_substitutes_its_path_and_encodes_the_rest() -> Result<(), EncodeError> {
    let capture = CaptureOrder {
        shop: "north/east shop".to_owned(),
        amount: 2000,
        order: 42,
        expand: Some(vec!["customer".to_owned()]),
    };
    assert_eq!(CaptureOrder::METHOD, http::Method::POST);
    assert!(is_idempotent::<CaptureOrder>());
    assert_eq!(CaptureOrder::ENCODING, BodyEncoding::Form);
    assert_eq!(
        CaptureOrder::PATH_TEMPLATE,
        "/v1/shops/{shop}/orders/{order}/capture"
    );
    assert_eq!(
        capture.path(),
        "/v1/shops/north%2Feast%20shop/orders/42/capture"
    );
    assert_eq!(
        capture.encode()?,
        RequestBody::Form("amount=2000&expand[]=customer".to_owned())
    );
    Ok(())
}

#[payforge::idempotent]
#[payforge::endpoint(provider = Shop, method = PUT, path = "/v1/orders", encoding = json, output = Order)]
#[derive(Clone, Debug, Serialize)]
struct ReplaceOrders {
    note: String,
}

#[test]
fn the_idempotent_attribute_is_the_flag_and_json_encodes_with_serde_json() -> Result<(), EncodeError>
{
    let replace = ReplaceOrders {
        note: "a&b".to_owned(),
    };
    assert!(is_idempotent::<ReplaceOrders>());
    assert_eq!(replace.path(), "/v1/orders");
    assert_eq!(
        replace.encode()?,
        RequestBody::Json(br#"{"note":"a&b"}"#.to_vec())
    );
    Ok(())
}

#[payforge::endpoint(provider = Shop, method = GET, path = "/v1/orders", output = List<Order>, paginate = cursor)]
#[derive(Clone, Debug, Default, Serialize)]
struct ListOrders {
    #[serde(skip_serializing_if = "Option::is_none")]
    limit: Option<u8>,
    #[serde(skip_serializing_if = "Option::is_none")]
    starting_after: Option<String>,
}

fn orders(ids: &[&str]) -> Vec<Order> {
    ids.iter()
        .map(|id| Order {
            id: (*id).to_owned(),
        })
        .collect()
}

/// The request the next page is asked with, or `None` (a link is no request).
fn next_request<Op: Paginated>(next: Option<NextPage<Op>>) -> Option<Op> {
    match next {
        Some(NextPage::Request(op)) => Some(op),
        _ => None,
    }
}

#[test]
fn cursor_pages_continue_after_the_last_item_until_has_more_is_false() -> Result<(), EncodeError> {
    let list = ListOrders {
        limit: Some(2),
        starting_after: None,
    };
    assert!(!is_idempotent::<ListOrders>());
    assert_eq!(ListOrders::ENCODING, BodyEncoding::Query);
    let page = |ids: &[&str], has_more| List {
        data: orders(ids),
        has_more,
        object: "list".to_owned(),
        url: "/v1/orders".to_owned(),
        total_count: None,
    };
    let (items, next) = list.split_page(page(&["o_1", "o_2"], true));
    assert_eq!(items, orders(&["o_1", "o_2"]));
    let next = next_request(next).map(|op| op.encode()).transpose()?;
    assert_eq!(
        next,
        Some(RequestBody::Query("limit=2&starting_after=o_2".to_owned()))
    );
    assert!(list.split_page(page(&["o_3"], false)).1.is_none());
    Ok(())
}

#[payforge::endpoint(provider = Shop, method = GET, path = "/v1/orders/search", output = SearchList<Order>, paginate = search)]
#[derive(Clone, Debug, Serialize)]
struct SearchOrders {
    query: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    page: Option<String>,
}

#[test]
fn search_pages_follow_next_page() -> Result<(), EncodeError> {
    let search = SearchOrders {
        query: "status:'paid'".to_owned(),
        page: None,
    };
    let results = SearchList {
        data: orders(&["o_9"]),
        has_more: true,
        next_page: Some("page_2".to_owned()),
        object: "search_result".to_owned(),
        url: "/v1/orders/search".to_owned(),
        total_count: None,
    };
    let next = next_request(search.split_page(results).1)
        .map(|op| op.encode())
        .transpose()?;
    assert_eq!(
        next,
        Some(RequestBody::Query(
            "query=status%3A%27paid%27&page=page_2".to_owned()
        ))
    );
    Ok(())
}

/// `{orders, total_pages, links}`: a page of a provider that pages by number and links.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
struct OrderPage {
    orders: Option<Vec<Order>>,
    total_pages: Option<i64>,
    links: Vec<Link>,
}

impl Links for OrderPage {
    fn links(&self) -> &[Link] {
        links_of(&self.links)
    }
}

impl ItemsPage for OrderPage {
    type Item = Order;
    fn into_items(self) -> Vec<Order> {
        page_items(self.orders)
    }
    fn total_pages(&self) -> Option<u64> {
        page_count(&self.total_pages)
    }
    fn next_link(&self) -> Option<&str> {
        next_link(self)
    }
}

fn order_page(ids: &[&str], total_pages: Option<i64>, next: Option<&str>) -> OrderPage {
    OrderPage {
        orders: Some(orders(ids)),
        total_pages,
        links: next
            .map(|href| Link {
                href: href.to_owned(),
                rel: "next".to_owned(),
                method: None,
            })
            .into_iter()
            .collect(),
    }
}

#[payforge::endpoint(provider = Shop, method = GET, path = "/v1/billing/orders", output = OrderPage, paginate = pages)]
#[derive(Clone, Debug, Default, Serialize)]
struct ListNumberedOrders {
    #[serde(skip_serializing_if = "Option::is_none")]
    page: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    page_size: Option<i64>,
}

#[test]
fn numbered_pages_count_up_to_the_total() -> Result<(), EncodeError> {
    let first = ListNumberedOrders {
        page: None,
        page_size: Some(2),
    };
    let (items, next) = first.split_page(order_page(&["o_1", "o_2"], Some(2), None));
    assert_eq!(items.len(), 2);
    let second = next_request(next);
    assert_eq!(
        second.as_ref().map(Endpoint::encode).transpose()?,
        Some(RequestBody::Query("page=2&page_size=2".to_owned()))
    );
    let last = second.map(|op| op.split_page(order_page(&["o_3"], Some(2), None)).1);
    assert!(matches!(last, Some(None)), "page 2 of 2 is the last");
    Ok(())
}

#[payforge::endpoint(provider = Shop, method = GET, path = "/v1/orders-by-link", output = OrderPage, paginate = links)]
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
struct ListLinkedOrders {
    #[serde(skip_serializing_if = "Option::is_none")]
    page_size: Option<i64>,
}

#[test]
fn linked_pages_name_their_next_link() {
    let list = ListLinkedOrders { page_size: Some(2) };
    let href = "https://api.example.test/v1/orders-by-link?page_size=2&start=2";
    let (_, next) = list.split_page(order_page(&["o_1"], None, Some(href)));
    assert_eq!(next, Some(NextPage::Link(href.to_owned())));
    assert_eq!(list.split_page(order_page(&["o_2"], None, None)).1, None);
}

#[payforge::endpoint(provider = Shop, method = POST, path = "/v2/orders", encoding = json, output = Order, idempotent, prefer)]
#[derive(Clone, Debug, Serialize)]
struct CreateOrderPreferring {
    #[endpoint(header = "X-Trace")]
    trace: Option<String>,
    amount: i64,
}

#[test]
fn prefer_sends_the_representation_and_minimal_changes_the_output() {
    let create = CreateOrderPreferring {
        trace: Some("t-1".to_owned()),
        amount: 5,
    };
    assert_eq!(
        create.headers(),
        [
            ("X-Trace", "t-1".to_owned()),
            ("Prefer", "return=representation".to_owned())
        ]
    );
    let minimal: Minimal<CreateOrderPreferring> = create.clone().minimal();
    assert_eq!(
        minimal.headers(),
        [
            ("X-Trace", "t-1".to_owned()),
            ("Prefer", "return=minimal".to_owned())
        ]
    );
    assert_eq!(minimal.path(), create.path());
    fn output_of<E: Endpoint>(_: &E) -> &'static str {
        std::any::type_name::<E::Output>()
    }
    assert!(
        output_of(&minimal).contains("MinimalResponse"),
        "{}",
        output_of(&minimal)
    );
}

#[payforge::endpoint(provider = Shop, method = DELETE, path = "/v1/orders/{order}", output = Order)]
#[derive(Clone, Debug, Serialize)]
struct DeleteOrder {
    #[endpoint(path)]
    order: String,
}

#[payforge::endpoint(provider = Shop, method = GET, path = "/v1/balance", output = Order)]
#[derive(Clone, Debug, Serialize)]
struct RetrieveBalance;

#[test]
fn operations_without_parameters_send_an_empty_query() -> Result<(), EncodeError> {
    let delete = DeleteOrder {
        order: "o_1".to_owned(),
    };
    assert_eq!(DeleteOrder::METHOD, http::Method::DELETE);
    assert_eq!(delete.path(), "/v1/orders/o_1");
    assert_eq!(delete.encode()?, RequestBody::Query(String::new()));
    assert_eq!(RetrieveBalance.encode()?, RequestBody::Query(String::new()));
    assert_eq!(RetrieveBalance.path(), "/v1/balance");
    Ok(())
}

#[payforge::endpoint(provider = Shop, method = PATCH, path = "/v1/orders/{order}", output = Order)]
#[payforge::idempotent]
#[derive(Clone, Debug, Serialize)]
struct UpdateOrder {
    #[endpoint(path)]
    order: String,
}

#[test]
fn idempotent_written_below_the_endpoint_attribute_counts_too() {
    assert!(is_idempotent::<UpdateOrder>());
    assert_eq!(UpdateOrder::METHOD, http::Method::PATCH);
    assert_eq!(UpdateOrder::ENCODING, BodyEncoding::Form);
}

#[payforge::endpoint(provider = Shop, method = POST, path = "/v1/files", encoding = multipart, output = Order, idempotent)]
#[derive(Clone, Debug, Serialize)]
struct UploadFile {
    file: payforge::wire::FileUpload,
    purpose: String,
}

#[test]
fn a_multipart_endpoint_sends_its_file_as_a_file_part() -> Result<(), EncodeError> {
    let upload = UploadFile {
        file: payforge::wire::FileUpload::new("receipt.pdf", "application/pdf", b"%PDF".to_vec()),
        purpose: "dispute_evidence".to_owned(),
    };
    let RequestBody::Multipart(parts) = upload.encode()? else {
        panic!("a multipart endpoint encodes a multipart body");
    };
    let names: Vec<(&str, Option<&str>, &[u8])> = parts
        .iter()
        .map(|part| {
            (
                part.name.as_str(),
                part.file_name.as_deref(),
                part.data.as_slice(),
            )
        })
        .collect();
    assert_eq!(
        names,
        [
            ("file", Some("receipt.pdf"), &b"%PDF"[..]),
            ("purpose", None, b"dispute_evidence"),
        ]
    );
    Ok(())
}

#[payforge::endpoint(
    provider = Shop,
    method = GET,
    path = "/v1/files/{file}/contents",
    output = Order,
    server = "https://files.example.com/"
)]
#[derive(Clone, Debug, Serialize)]
struct DownloadSecretFile {
    #[endpoint(path)]
    file: payforge::Sensitive<String>,
}

#[test]
fn a_sensitive_path_field_fills_the_path_with_its_value_on_its_server() {
    let download = DownloadSecretFile {
        file: payforge::Sensitive::new("file_s3cr3t".to_owned()),
    };
    assert_eq!(download.path(), "/v1/files/file_s3cr3t/contents");
    assert!(!format!("{download:?}").contains("s3cr3t"));
    assert_eq!(
        DownloadSecretFile::SERVER,
        Some("https://files.example.com")
    );
    assert_eq!(RetrieveBalance::SERVER, None);
}
