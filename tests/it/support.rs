//! Test helpers: DynamoDB Local (started by `make test`), one fresh table per test, fixtures
//! from events/, the demo tenants and signer of the library's `signing` feature (one source for
//! test data: the senders' declarations) with a fixed clock, and calls through the real Lambda
//! adapter.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, LazyLock};

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_dynamodb::config::Credentials;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, AttributeValue, BillingMode, KeySchemaElement, KeyType,
    ScalarAttributeType,
};
use aws_sdk_dynamodb::Client;
use serde_json::{json, Value};
use webhook_receiver::clock::{FixedClock, Timestamp};
use webhook_receiver::config::Config;
use webhook_receiver::handler::App;
use webhook_receiver::lambda::EventResponse;
use webhook_receiver::store::Store;

use webhook_receiver::signing::{demo_tenants, sign_as_demo, DemoTenant};

/// clientA's secret (the demo tenants' are in [`demo_tenants`]).
pub fn secret_a() -> String {
    demo_secret("clientA")
}

/// clientB's secret.
pub fn secret_b() -> String {
    demo_secret("clientB")
}

/// What signs for clientA.
pub fn signing_a() -> String {
    demo_signing_secret("clientA")
}

/// What signs for clientB.
pub fn signing_b() -> String {
    demo_signing_secret("clientB")
}

pub fn demo_tenant(slug: &str) -> DemoTenant {
    demo_tenants()
        .into_iter()
        .find(|t| t.slug == slug)
        .unwrap_or_else(|| panic!("no demo tenant {slug}"))
}

/// The secret demo tenant `slug` holds.
pub fn demo_secret(slug: &str) -> String {
    demo_tenant(slug).secret
}

/// What signs for demo tenant `slug`.
pub fn demo_signing_secret(slug: &str) -> String {
    demo_tenant(slug).signing_secret
}

/// 2026-11-28T12:05:00Z: after every fixture's `occurred_at`.
pub const NOW_MS: i64 = 1_795_867_500_000;
pub const NOW_S: i64 = NOW_MS / 1000;
pub const NOW: Timestamp = Timestamp::from_unix_millis(NOW_MS);

pub fn endpoint() -> String {
    std::env::var("AWS_ENDPOINT_URL_DYNAMODB")
        .expect("AWS_ENDPOINT_URL_DYNAMODB is not set: run the tests with `make test`, which starts DynamoDB Local")
}

pub async fn sdk_config(endpoint: &str) -> SdkConfig {
    aws_config::defaults(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new("local", "local", None, None, "tests"))
        .endpoint_url(endpoint)
        .load()
        .await
}

pub async fn client() -> Client {
    Client::new(&sdk_config(&endpoint()).await)
}

/// A new, empty table with the receiver's key schema.
pub async fn table(client: &Client) -> String {
    static N: AtomicU32 = AtomicU32::new(0);
    let name = format!(
        "t_{}_{}_{}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .subsec_nanos()
    );
    create_table(client, name.clone()).await;
    name
}

/// Creates `name` with the receiver's key schema.
pub async fn create_table(client: &Client, name: String) {
    try_create_table(client, name)
        .await
        .expect("create table in DynamoDB Local");
}

/// As [`create_table`], for a table that may exist already.
pub async fn try_create_table(
    client: &Client,
    name: String,
) -> Result<(), aws_sdk_dynamodb::Error> {
    let attr = |n: &str| {
        AttributeDefinition::builder()
            .attribute_name(n)
            .attribute_type(ScalarAttributeType::S)
            .build()
            .unwrap()
    };
    let key = |n: &str, t| {
        KeySchemaElement::builder()
            .attribute_name(n)
            .key_type(t)
            .build()
            .unwrap()
    };
    client
        .create_table()
        .table_name(&name)
        .attribute_definitions(attr("pk"))
        .attribute_definitions(attr("sk"))
        .key_schema(key("pk", KeyType::Hash))
        .key_schema(key("sk", KeyType::Range))
        .billing_mode(BillingMode::PayPerRequest)
        .send()
        .await?;
    Ok(())
}

/// The table of demo tenant `slug` other than clientA, beside clientA's `table_a` (tenants
/// never share a table).
pub fn demo_table(table_a: &str, slug: &str) -> String {
    format!("{table_a}-{slug}")
}

/// The demo tenants but clientA, whose table is each test's own.
fn others() -> impl Iterator<Item = DemoTenant> {
    demo_tenants().into_iter().filter(|t| t.slug != "clientA")
}

/// Every demo tenant (from the senders' declarations, as in local.env): clientA writes to
/// `table_a`, each other one to its [`demo_table`].
pub fn config_for(table_a: &str, extra: &[(&str, &str)]) -> Config {
    let mut tenants = serde_json::Map::new();
    let mut vars: HashMap<String, String> = HashMap::new();
    for t in demo_tenants() {
        let table = if t.slug == "clientA" {
            table_a.to_owned()
        } else {
            demo_table(table_a, &t.slug)
        };
        tenants.insert(t.slug.clone(), t.entry(&table));
        vars.insert(t.secret_env.clone(), t.secret.clone());
    }
    vars.insert("WEBHOOK_TENANTS".into(), Value::Object(tenants).to_string());
    for (k, v) in extra {
        vars.insert(k.to_string(), v.to_string());
    }
    Config::from_env(|k| vars.get(k).cloned()).unwrap()
}

/// An app over DynamoDB Local with its own tables, one per demo tenant. clientA's is made
/// first; another tenant's when the test first sends to it or reads it (each test is its own
/// process, and thirty tables for every test would slow DynamoDB Local past the SDK's timeouts).
pub struct TestApp {
    pub app: App,
    pub client: Client,
    /// clientA's table.
    pub table: String,
    /// The demo tenants whose table exists.
    made: tokio::sync::Mutex<HashSet<String>>,
}

impl TestApp {
    pub async fn new() -> Self {
        Self::with_env(&[]).await
    }

    /// As [`TestApp::new`], with `extra` configuration variables over the demo tenants' (a
    /// tenant's secret list, say).
    pub async fn with_env(extra: &[(&str, &str)]) -> Self {
        let client = client().await;
        let table = table(&client).await;
        let sdk = sdk_config(&endpoint()).await;
        let app = App::new(
            config_for(&table, extra),
            Store::new(&sdk),
            Arc::new(FixedClock(NOW)),
        );
        Self {
            app,
            client,
            table,
            made: tokio::sync::Mutex::new(HashSet::from(["clientA".to_owned()])),
        }
    }

    /// Makes demo tenant `slug`'s table, unless it exists (or `slug` is no demo tenant). Held
    /// under one lock while it is made: a concurrent request waits for the table.
    async fn make_table(&self, slug: &str) {
        // The slugs once: a demo tenant's keys take CPU to make (an ECDSA key), which
        // concurrent requests on the test's one thread would wait for.
        static SLUGS: LazyLock<Vec<String>> = LazyLock::new(|| others().map(|t| t.slug).collect());
        if !SLUGS.iter().any(|s| s == slug) {
            return;
        }
        let mut made = self.made.lock().await;
        if made.insert(slug.to_owned()) {
            create_table(&self.client, demo_table(&self.table, slug)).await;
        }
    }

    /// Makes the table of the tenant `event` is sent to.
    async fn make_table_for(&self, event: &Value) {
        let path = event["rawPath"].as_str().or(event["path"].as_str());
        if let Some(slug) = path.and_then(|p| p.rsplit('/').next()) {
            self.make_table(slug).await;
        }
    }

    /// Handles `event` with request id `request_id`; the response and the log line.
    pub async fn handle_logged(
        &self,
        event: Value,
        request_id: &str,
    ) -> (EventResponse, webhook_receiver::telemetry::RequestLog) {
        self.make_table_for(&event).await;
        self.app.handle_event_logged(event, request_id).await
    }

    /// The table of tenant `slug` (clientA or a scheme demo tenant).
    pub fn table_of(&self, slug: &str) -> String {
        if slug == "clientA" {
            self.table.clone()
        } else {
            demo_table(&self.table, slug)
        }
    }

    /// Sends an event fixture (signed at the fixed clock) through the Lambda adapter.
    pub async fn send(&self, fixture: &str) -> Reply {
        self.send_event(signed(fixture)).await
    }

    pub async fn send_event(&self, event: Value) -> Reply {
        self.make_table_for(&event).await;
        Reply::from(self.app.handle_event(event, "req-test").await)
    }

    /// Sends an event; the reply and the request's outcome as its log line says it (a sender
    /// answered 204 has no body to say it in).
    pub async fn send_logged(&self, event: Value) -> (Reply, &'static str) {
        let (reply, log) = self.handle_logged(event, "req-test").await;
        (Reply::from(reply), log.outcome)
    }

    /// An item of clientA's table.
    pub async fn item(&self, pk: &str, sk: &str) -> Option<HashMap<String, AttributeValue>> {
        self.item_in("clientA", pk, sk).await
    }

    pub async fn item_in(
        &self,
        slug: &str,
        pk: &str,
        sk: &str,
    ) -> Option<HashMap<String, AttributeValue>> {
        self.make_table(slug).await;
        self.client
            .get_item()
            .table_name(self.table_of(slug))
            .key("pk", AttributeValue::S(pk.into()))
            .key("sk", AttributeValue::S(sk.into()))
            .consistent_read(true)
            .send()
            .await
            .unwrap()
            .item
    }

    /// A user item of clientA's table.
    pub async fn user(&self, user_id: &str) -> Option<HashMap<String, AttributeValue>> {
        self.user_in("clientA", user_id).await
    }

    pub async fn user_in(
        &self,
        slug: &str,
        user_id: &str,
    ) -> Option<HashMap<String, AttributeValue>> {
        self.item_in(slug, &format!("USER#{user_id}"), "META#latest")
            .await
    }

    /// Every item of tenant `slug`'s table.
    pub async fn items_in(&self, slug: &str) -> Vec<HashMap<String, AttributeValue>> {
        self.make_table(slug).await;
        self.client
            .scan()
            .table_name(self.table_of(slug))
            .consistent_read(true)
            .send()
            .await
            .unwrap()
            .items
            .unwrap_or_default()
    }

    /// Items in all of this app's tables.
    pub async fn item_count(&self) -> usize {
        let made: Vec<String> = self.made.lock().await.iter().cloned().collect();
        let mut count = 0;
        for slug in made {
            count += self
                .client
                .scan()
                .table_name(self.table_of(&slug))
                .send()
                .await
                .unwrap()
                .count as usize;
        }
        count
    }
}

/// The file name of every sample event in events/, sorted.
pub fn fixture_names() -> Vec<String> {
    let dir = format!("{}/events", env!("CARGO_MANIFEST_DIR"));
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".json"))
        .collect();
    names.sort();
    names
}

pub fn fixture(name: &str) -> Value {
    let path = format!("{}/events/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap()
}

/// A fixture signed at the fixed clock with its tenant's secret.
pub fn signed(name: &str) -> Value {
    let mut ev = fixture(name);
    sign_as_demo(&mut ev, NOW_S).unwrap();
    ev
}

/// As [`with_body`], sent to tenant `slug` (signed with its secret).
pub fn with_body_to(slug: &str, name: &str, id: &str, body: &str) -> Value {
    let mut ev = fixture(name);
    ev["rawPath"] = Value::String(format!("/webhooks/{slug}"));
    ev["body"] = Value::String(body.into());
    ev["headers"]["webhook-id"] = Value::String(id.into());
    sign_as_demo(&mut ev, NOW_S).unwrap();
    ev
}

/// The user-event tenants of the two ledgers (SPEC §13.4): clientA records deliveries, its
/// `-item` twin keeps the user item as its own ledger; both v1 over Standard Webhooks.
pub const LEDGER_TENANTS: [&str; 2] = ["clientA", "standard-webhooks-v1-item"];

/// Replaces a fixture's body (and its placeholders are signed again afterwards).
pub fn with_body(name: &str, id: &str, body: &str) -> Value {
    let mut ev = fixture(name);
    ev["body"] = Value::String(body.into());
    ev["headers"]["webhook-id"] = Value::String(id.into());
    sign_as_demo(&mut ev, NOW_S).unwrap();
    ev
}

#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: Value,
    pub body: Value,
    /// The body as sent.
    pub raw: String,
}

impl From<EventResponse> for Reply {
    fn from(response: EventResponse) -> Self {
        Reply::from(serde_json::to_value(response).unwrap())
    }
}

impl From<Value> for Reply {
    fn from(v: Value) -> Self {
        let body = v["body"].as_str().unwrap_or("");
        // Payload 2.0 answers in `headers`, REST (1.0) in `multiValueHeaders` (lists).
        let mut headers = v["headers"].clone();
        if let Some(multi) = v["multiValueHeaders"].as_object().filter(|m| !m.is_empty()) {
            headers = multi
                .iter()
                .map(|(k, vs)| (k.clone(), vs[0].clone()))
                .collect();
        }
        Self {
            status: v["statusCode"].as_u64().unwrap() as u16,
            headers,
            body: serde_json::from_str(body).unwrap_or(Value::Null),
            raw: body.to_owned(),
        }
    }
}

impl Reply {
    /// `status` and the `status` or `error` field.
    pub fn result(&self) -> (u16, &str) {
        let code = self.body["status"]
            .as_str()
            .or_else(|| self.body["error"].as_str())
            .unwrap_or("");
        (self.status, code)
    }
}

pub fn s(item: &HashMap<String, AttributeValue>, k: &str) -> Option<String> {
    item.get(k).and_then(|v| v.as_s().ok()).cloned()
}

pub fn num(item: &HashMap<String, AttributeValue>, k: &str) -> Option<i64> {
    item.get(k)
        .and_then(|v| v.as_n().ok())
        .and_then(|n| n.parse().ok())
}

/// One HTTP/1.1 request from `sock` (for the tests' stand-in servers): its head and body, or
/// `None` once the peer closed. `buf` keeps what was read past it.
pub async fn read_http_request(
    sock: &mut tokio::net::TcpStream,
    buf: &mut Vec<u8>,
) -> Option<(String, Vec<u8>)> {
    let mut chunk = [0u8; 4096];
    loop {
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..end]).to_string();
            let len: usize = head
                .lines()
                .find_map(|l| {
                    let (k, v) = l.split_once(':')?;
                    k.eq_ignore_ascii_case("content-length")
                        .then(|| v.trim().parse().ok())?
                })
                .unwrap_or(0);
            if buf.len() >= end + 4 + len {
                let body = buf[end + 4..end + 4 + len].to_vec();
                buf.drain(..end + 4 + len);
                return Some((head, body));
            }
        }
        let n = tokio::io::AsyncReadExt::read(sock, &mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
}

/// SPEC §6's condition table, every cell: (action, state of the stored user item, minute of the
/// incoming event, status, code). The stored item was written at minute 30, so an event at 31 is
/// newer than it, 30 the same time, 29 older.
pub const CONDITION_TABLE: &[(&str, &str, u32, u16, &str)] = &[
    ("create", "none", 31, 200, "applied"),
    ("create", "live", 31, 409, "user_exists"),
    ("create", "live", 30, 200, "stale"),
    ("create", "live", 29, 200, "stale"),
    ("create", "tombstone", 31, 200, "applied"),
    ("create", "tombstone", 30, 200, "stale"),
    ("create", "tombstone", 29, 200, "stale"),
    ("update", "none", 31, 409, "user_not_found"),
    ("update", "live", 31, 200, "applied"),
    ("update", "live", 30, 200, "stale"),
    ("update", "live", 29, 200, "stale"),
    ("update", "tombstone", 31, 409, "user_not_found"),
    ("update", "tombstone", 30, 200, "stale"),
    ("update", "tombstone", 29, 200, "stale"),
    ("delete", "none", 31, 200, "applied"),
    ("delete", "live", 31, 200, "applied"),
    ("delete", "live", 30, 200, "stale"),
    ("delete", "live", 29, 200, "stale"),
    ("delete", "tombstone", 31, 200, "applied"),
    ("delete", "tombstone", 30, 200, "stale"),
    ("delete", "tombstone", 29, 200, "stale"),
];

/// A signed HTTP API event as a REST API (1.0) delivers it: `headers` holds one value per name
/// (the last), `multiValueHeaders` every value.
pub fn as_rest(v2: &Value) -> Value {
    let mut rest = fixture("rest-create.json");
    rest["path"] = v2["rawPath"].clone();
    rest["body"] = v2["body"].clone();
    rest["headers"] = v2["headers"].clone();
    let multi: serde_json::Map<String, Value> = v2["headers"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), json!([v])))
        .collect();
    rest["multiValueHeaders"] = Value::Object(multi);
    // The query a sender signed (Twilio's `bodySHA256`), as REST lists it.
    let query = v2["rawQueryString"].as_str().unwrap_or("");
    let (mut single, mut listed) = (serde_json::Map::new(), serde_json::Map::new());
    for (k, v) in form_urlencoded::parse(query.as_bytes()) {
        single.insert(k.to_string(), json!(v));
        listed
            .entry(k.to_string())
            .or_insert_with(|| json!([]))
            .as_array_mut()
            .unwrap()
            .push(json!(v));
    }
    if !query.is_empty() {
        rest["queryStringParameters"] = Value::Object(single);
        rest["multiValueQueryStringParameters"] = Value::Object(listed);
    }
    rest
}

/// Adds `value` as a second value of `name` where REST lists repeats, leaving `headers` as
/// API Gateway does (one value: the last).
pub fn repeat(rest: &mut Value, name: &str, value: &str) {
    rest["multiValueHeaders"][name]
        .as_array_mut()
        .unwrap()
        .push(json!(value));
    rest["headers"][name] = json!(value);
}
