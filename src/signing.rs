//! Signs API Gateway sample events as each sender would, for local use and tests (the
//! `webhook-sign` command, the integration tests, fuzz targets and benchmarks; the `signing`
//! feature). Not part of the function. Fixtures carry placeholders: a timestamp header `<now>`
//! becomes the signing time, a signature header `<sign>` becomes a valid signature over the
//! event's raw body (the sender is the one whose signature header, or body signature object
//! where it signs inside the body, holds `<sign>`). Anything
//! else is left as written, so fixtures for rejected signatures stay rejected. [`sign_event_as`]
//! instead writes a sender's headers outright. Both sign through the sender's own
//! [`Signer::sign`], on the same keyed value that verifies.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde_json::Value;

use crate::domain::Ledger;
use crate::format::Format;
use crate::signature::{self, Delivery, HeaderRole, Sender, Signer, Verifier};

const NOW_PLACEHOLDER: &str = "<now>";
const SIGN_PLACEHOLDER: &str = "<sign>";

/// Replaces the placeholders in `event` (HTTP API 2.0, REST 1.0 or Function URL shape).
pub fn sign_event(event: &mut Value, secret: &str, now_s: i64) -> Result<(), String> {
    sign_event_for(event, secret, now_s, None)
}

/// Signs `event`'s placeholders as its demo tenant's sender (tests, fuzzers, benchmarks).
pub fn sign_as_demo(event: &mut Value, now_s: i64) -> Result<(), String> {
    let tenant = demo_tenant_of(event);
    sign_event_for(
        event,
        &tenant.signing_secret,
        now_s,
        tenant.public_url.as_deref(),
    )
}

/// As [`sign_event`], for a tenant whose sender signs the URL it requests (`public_url`).
pub fn sign_event_for(
    event: &mut Value,
    secret: &str,
    now_s: i64,
    public_url: Option<&str>,
) -> Result<(), String> {
    for sender in signature::senders() {
        let names: Vec<&str> = sender.header_names(HeaderRole::Timestamp).collect();
        replace_header(event, &names, NOW_PLACEHOLDER, &now_s.to_string());
    }
    // Two senders may use one header name (GitHub's and Meta's `X-Hub-Signature-256`, the same
    // HMAC of the body): the first whose other headers the event has signs it.
    let mut last_error = None;
    for sender in signature::senders()
        .iter()
        .copied()
        .filter(|s| holds_sign_placeholder(event, s))
    {
        let mut attempt = event.clone();
        match sign_placeholders(&mut attempt, sender, secret, now_s, public_url) {
            Ok(()) => {
                *event = attempt;
                return Ok(());
            }
            Err(e) => last_error = Some(e),
        }
    }
    last_error.map_or(Ok(()), Err)
}

/// Whether `event` asks to be signed as `sender`: its signature header, or the body object
/// where it signs inside the body, holds `<sign>`.
fn holds_sign_placeholder(event: &Value, sender: &Sender) -> bool {
    if let Some(object) = sender.signature_in_body {
        return serde_json::from_slice::<Value>(&raw_body(event).unwrap_or_default())
            .ok()
            .and_then(|body| {
                body.get(object)?
                    .get("signature")?
                    .as_str()
                    .map(str::to_owned)
            })
            .as_deref()
            == Some(SIGN_PLACEHOLDER);
    }
    header(event, &names(sender, HeaderRole::Signature)).as_deref() == Some(SIGN_PLACEHOLDER)
}

/// Signs the placeholders of `event` as `sender`.
fn sign_placeholders(
    event: &mut Value,
    sender: &'static Sender,
    secret: &str,
    now_s: i64,
    public_url: Option<&str>,
) -> Result<(), String> {
    fill_body_time(event, sender, now_s, Fill::Placeholder)?;
    let body = raw_body(event)?;
    let id = match names(sender, HeaderRole::Id).as_slice() {
        [] => String::new(),
        names => header(event, names).ok_or("event has no delivery-id header to sign")?,
    };
    let timestamp = match names(sender, HeaderRole::Timestamp).as_slice() {
        [] => now_s,
        names => header(event, names)
            .ok_or("event has no timestamp header to sign")?
            .parse::<i64>()
            .map_err(|_| "the timestamp header is not a number")?,
    };
    let headers = sign(event, sender, secret, public_url, &id, timestamp, &body)?;
    // The time as the sender writes it, where that is not Unix seconds (Twitch's RFC 3339).
    for (_, name, value) in headers
        .iter()
        .filter(|(r, _, _)| *r == HeaderRole::Timestamp)
    {
        replace_header(event, &[name], &timestamp.to_string(), value);
    }
    if sender.signature_in_body.is_some() {
        return Ok(());
    }
    let value = headers
        .into_iter()
        .find(|(role, _, _)| *role == HeaderRole::Signature)
        .map(|(_, _, v)| v)
        .ok_or("the sender produced no signature header")?;
    replace_header(
        event,
        &names(sender, HeaderRole::Signature),
        SIGN_PLACEHOLDER,
        &value,
    );
    Ok(())
}

/// Writes `scheme`'s headers for the event's body at `now_s`, replacing whatever signature headers
/// it had. The delivery id is kept from the event where it has one, else `msg_<now>`.
pub fn sign_event_as(
    event: &mut Value,
    scheme: &str,
    secret: &str,
    now_s: i64,
    public_url: Option<&str>,
) -> Result<(), String> {
    let sender = signature::sender(scheme)
        .ok_or_else(|| format!("unknown scheme `{}`", scheme.escape_debug()))?;
    fill_body_time(event, sender, now_s, Fill::Always)?;
    let body = raw_body(event)?;
    let id = signature::senders()
        .iter()
        .find_map(|s| header(event, &names(s, HeaderRole::Id)))
        .filter(|id| id != SIGN_PLACEHOLDER)
        .unwrap_or_else(|| format!("msg_{now_s}"));
    for other in signature::senders() {
        for (role, name) in other.headers {
            if *role != HeaderRole::EventType {
                remove_header(event, name);
            }
        }
    }
    for (_, name, value) in sign(event, sender, secret, public_url, &id, now_s, &body)? {
        set_header(event, name, &value);
    }
    Ok(())
}

/// The headers `sender` sets for this delivery, signed with `secret` (the first key of each
/// kind it lists). Where the sender adds to the query string it requests (Twilio's hash of a
/// JSON body), the event's query is set to that first.
fn sign(
    event: &mut Value,
    sender: &'static Sender,
    secret: &str,
    public_url: Option<&str>,
    id: &str,
    timestamp: i64,
    body: &[u8],
) -> Result<Vec<(HeaderRole, &'static str, String)>, String> {
    let signer = Signer::for_tenant(sender, secret, public_url)?;
    let form = header(event, &["content-type"]).is_some_and(|ct| {
        ct.split(';').next().is_some_and(|m| {
            m.trim()
                .eq_ignore_ascii_case("application/x-www-form-urlencoded")
        })
    });
    let mut query = query_of(event);
    let own = signer.query(&Delivery {
        id,
        timestamp,
        query: query.as_deref(),
        body,
        form,
    });
    if let Some(own) = own {
        set_query(event, &own);
        query = Some(own);
    }
    let delivery = Delivery {
        id,
        timestamp,
        query: query.as_deref(),
        body,
        form,
    };
    // Where the sender signs inside the body (Mailgun), the body it sends.
    if let Some(own) = signer.sign_body(&delivery) {
        set_body(event, &own);
    }
    Ok(signer.sign(&delivery))
}

/// Sets the event's body, base64 again where it was.
fn set_body(event: &mut Value, body: &[u8]) {
    event["body"] = if event.get("isBase64Encoded") == Some(&Value::Bool(true)) {
        Value::String(STANDARD.encode(body))
    } else {
        Value::String(String::from_utf8_lossy(body).into_owned())
    };
}

/// The event's raw query string (REST events: rebuilt from their parameters, as the receiver
/// rebuilds it).
fn query_of(event: &Value) -> Option<String> {
    if let Some(raw) = event.get("rawQueryString").and_then(Value::as_str) {
        return (!raw.is_empty()).then(|| raw.to_owned());
    }
    crate::lambda::rest_query(event.get("multiValueQueryStringParameters"))
        .filter(|q| !q.is_empty())
}

/// Sets the event's query string (and, for a REST event, its parameters).
fn set_query(event: &mut Value, query: &str) {
    if event.get("httpMethod").is_some() {
        let mut single = serde_json::Map::new();
        let mut multi = serde_json::Map::new();
        for (k, v) in form_urlencoded::parse(query.as_bytes()) {
            single.insert(k.to_string(), Value::from(v.as_ref()));
            if let Some(values) = multi
                .entry(k.to_string())
                .or_insert_with(|| Value::Array(Vec::new()))
                .as_array_mut()
            {
                values.push(Value::from(v.as_ref()));
            }
        }
        event["queryStringParameters"] = Value::Object(single);
        event["multiValueQueryStringParameters"] = Value::Object(multi);
    } else {
        event["rawQueryString"] = Value::from(query);
    }
}

/// When a body-time field is written.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Fill {
    /// Only where the sample holds the `<now>` placeholder there.
    Placeholder,
    /// Always (the sender's headers are written outright).
    Always,
}

/// Writes the signing time (ms) into the body field where the sender signs its time, if it
/// does (the body is then rewritten as JSON; a body that is not a JSON object is left alone).
fn fill_body_time(
    event: &mut Value,
    sender: &Sender,
    now_s: i64,
    fill: Fill,
) -> Result<(), String> {
    let Some(field) = sender.body_time else {
        return Ok(());
    };
    let Ok(Value::Object(mut body)) = serde_json::from_slice::<Value>(&raw_body(event)?) else {
        return Ok(());
    };
    let placeholder = body.get(field).and_then(Value::as_str) == Some(NOW_PLACEHOLDER);
    if fill == Fill::Always || placeholder {
        body.insert(field.to_owned(), Value::from(now_s.saturating_mul(1000)));
        set_body(event, Value::Object(body).to_string().as_bytes());
    }
    Ok(())
}

fn names(sender: &Sender, role: HeaderRole) -> Vec<&'static str> {
    sender.header_names(role).collect()
}

/// The raw body bytes the event carries.
fn raw_body(event: &Value) -> Result<Vec<u8>, String> {
    let body = event.get("body").and_then(Value::as_str).unwrap_or("");
    if event.get("isBase64Encoded") == Some(&Value::Bool(true)) {
        STANDARD
            .decode(body)
            .map_err(|_| "event body is flagged base64 but is not".to_owned())
    } else {
        Ok(body.as_bytes().to_vec())
    }
}

/// A header's value from `headers` (or REST's `multiValueHeaders`), names case-insensitive.
fn header(event: &Value, names: &[&str]) -> Option<String> {
    let find = |map: &Value| {
        map.as_object()?.iter().find_map(|(k, v)| {
            if !names.iter().any(|n| k.eq_ignore_ascii_case(n)) {
                return None;
            }
            match v {
                Value::String(s) => Some(s.clone()),
                Value::Array(a) => a.first()?.as_str().map(str::to_owned),
                _ => None,
            }
        })
    };
    find(&event["headers"]).or_else(|| find(&event["multiValueHeaders"]))
}

fn remove_header(event: &mut Value, name: &str) {
    for key in ["headers", "multiValueHeaders"] {
        if let Some(map) = event.get_mut(key).and_then(Value::as_object_mut) {
            map.retain(|k, _| !k.eq_ignore_ascii_case(name));
        }
    }
}

fn set_header(event: &mut Value, name: &str, value: &str) {
    if let Some(map) = event.get_mut("headers").and_then(Value::as_object_mut) {
        map.insert(name.to_owned(), Value::String(value.to_owned()));
    }
    if let Some(map) = event
        .get_mut("multiValueHeaders")
        .and_then(Value::as_object_mut)
    {
        map.insert(
            name.to_owned(),
            Value::Array(vec![Value::String(value.to_owned())]),
        );
    }
}

fn replace_header(event: &mut Value, names: &[&str], placeholder: &str, value: &str) {
    for key in ["headers", "multiValueHeaders"] {
        let Some(map) = event.get_mut(key).and_then(Value::as_object_mut) else {
            continue;
        };
        for (k, v) in map.iter_mut() {
            if !names.iter().any(|n| k.eq_ignore_ascii_case(n)) {
                continue;
            }
            match v {
                Value::String(s) if s == placeholder => *s = value.to_owned(),
                Value::Array(items) => {
                    for item in items.iter_mut() {
                        if item.as_str() == Some(placeholder) {
                            *item = Value::String(value.to_owned());
                        }
                    }
                }
                _ => {}
            }
        }
    }
}

/// A tenant of the local demo (`local.env`), the tests, the fuzz targets and the benchmarks:
/// every sender in every format it can feed (`{scheme}-{format}`), and clientA and clientB, the
/// tenants `template.yaml` deploys. Each has its own table and its own local-only secret.
#[derive(Debug, Clone)]
pub struct DemoTenant {
    pub slug: String,
    pub sender: &'static Sender,
    pub format: Format,
    /// The variable that holds its secret.
    pub secret_env: String,
    /// What the tenant holds (its secrets or public keys).
    pub secret: String,
    /// What signs for it: the same secret, or a private key its sender holds, in
    /// `WEBHOOK_SIGNING_KEY_<SLUG>` (never read by the receiver).
    pub signing_secret: String,
    /// The URL its sender requests, for a sender that signs it.
    pub public_url: Option<String>,
    /// Where it records deliveries (a `-item` tenant: the user item alone).
    pub ledger: Ledger,
}

impl DemoTenant {
    pub fn new(slug: String, sender: &'static Sender, format: Format) -> Self {
        Self {
            secret_env: format!("WEBHOOK_SECRET_{}", env_name(&slug)),
            secret: (sender.demo_secret)(&slug),
            signing_secret: sender.demo_signing_secret(&slug),
            public_url: sender
                .signs_url
                .then(|| format!("https://webhooks.example.com/webhooks/{slug}")),
            slug,
            sender,
            format,
            ledger: Ledger::Delivery,
        }
    }

    /// The same tenant with the user item as its own ledger (`<slug>-item`).
    fn item_ledger(self) -> Self {
        Self {
            ledger: Ledger::Item,
            ..Self::new(format!("{}-item", self.slug), self.sender, self.format)
        }
    }

    /// The variable that holds its signing key, where that is not its secret.
    pub fn signing_env(&self) -> Option<String> {
        (self.signing_secret != self.secret).then(|| signing_key_env(&self.slug))
    }

    /// Its table in `local.env`.
    pub fn table(&self) -> String {
        format!("app_{}_events", self.slug.replace('-', "_"))
    }

    /// Its `WEBHOOK_TENANTS` entry, with its table named `table`. Keys in sorted order, so the
    /// text is the same whether or not `serde_json` keeps insertion order (a feature another
    /// crate may turn on).
    pub fn entry(&self, table: &str) -> Value {
        let ledger = (self.ledger != Ledger::Delivery).then(|| self.ledger.as_str());
        let fields = [
            ("format", Some(self.format.name())),
            ("ledger", ledger),
            ("public_url", self.public_url.as_deref()),
            ("scheme", Some(self.sender.name)),
            ("secret_env", Some(self.secret_env.as_str())),
            ("table", Some(table)),
        ];
        Value::Object(
            fields
                .into_iter()
                .filter_map(|(k, v)| Some((k.to_owned(), Value::from(v?))))
                .collect(),
        )
    }

    /// Its verifier, as the receiver builds it.
    pub fn verifier(&self) -> Verifier {
        // A demo tenant's secrets follow its sender's rules (a test walks them all).
        Verifier::for_tenant(self.sender, &self.secret, self.public_url.as_deref())
            .unwrap_or_else(|e| unreachable!("demo tenant {}: {e}", self.slug))
    }

    /// What signs as its sender.
    pub fn signer(&self) -> Signer {
        Signer::for_tenant(
            self.sender,
            &self.signing_secret,
            self.public_url.as_deref(),
        )
        .unwrap_or_else(|e| unreachable!("demo tenant {}: {e}", self.slug))
    }
}

/// `WEBHOOK_SIGNING_KEY_<SLUG>`: where the signing command finds a tenant's sender's own key
/// (a private key, whose public key the tenant lists), when there is one.
pub fn signing_key_env(slug: &str) -> String {
    format!("WEBHOOK_SIGNING_KEY_{}", env_name(slug))
}

fn env_name(slug: &str) -> String {
    slug.replace('-', "_").to_uppercase()
}

/// Every demo tenant: clientA and clientB, then each sender in each format it can feed.
pub fn demo_tenants() -> Vec<DemoTenant> {
    let default = signature::sender(signature::DEFAULT_SCHEME);
    let clients = ["clientA", "clientB"]
        .into_iter()
        .filter_map(|slug| Some(DemoTenant::new(slug.to_owned(), default?, Format::DEFAULT)));
    let senders = signature::senders().iter().flat_map(|sender| {
        Format::all()
            .filter(|format| format.accepts(sender))
            .flat_map(|format| {
                let tenant =
                    DemoTenant::new(format!("{}-{}", sender.name, format.name()), sender, format);
                // A user-event tenant also with the item as its ledger (SPEC §13.4).
                let item = format.writes_users().then(|| tenant.clone().item_ledger());
                std::iter::once(tenant).chain(item)
            })
    });
    clients.chain(senders).collect()
}

/// The demo tenant an event is addressed to (`/webhooks/{slug}`), else clientA (whose secret
/// signs the samples that never reach a tenant).
pub fn demo_tenant_of(event: &Value) -> DemoTenant {
    let path = event
        .get("rawPath")
        .or_else(|| event.get("path"))
        .and_then(Value::as_str)
        .unwrap_or_default();
    let mut tenants = demo_tenants();
    let i = tenants
        .iter()
        .position(|t| path.ends_with(&format!("/webhooks/{}", t.slug)))
        .unwrap_or(0);
    tenants.swap_remove(i)
}

/// `local.env`: `WEBHOOK_TENANTS` for every demo tenant and each one's secret.
pub fn local_env() -> String {
    let mut tenants = demo_tenants();
    // Sorted, as `entry`'s keys are.
    tenants.sort_by(|a, b| a.slug.cmp(&b.slug));
    let mut all = serde_json::Map::new();
    for t in &tenants {
        all.insert(t.slug.clone(), t.entry(&t.table()));
    }
    let mut out = String::from(
        "# Local-only configuration for `make run`, `make invoke`, `make send` and the tests, made by\n\
         # `make local-env` from the senders' declarations (src/signature/); a test checks it is\n\
         # current. These secrets sign the sample events in events/; they protect nothing and must\n\
         # never be deployed. clientA and clientB are template.yaml's tenants; every other tenant is\n\
         # one sender in one format (`{scheme}-{format}`), each with its own table and secret.\n",
    );
    out.push_str(&format!("WEBHOOK_TENANTS={}\n", Value::Object(all)));
    for t in &tenants {
        out.push_str(&format!("{}={}\n", t.secret_env, t.secret));
    }
    out.push_str(
        "# What the senders of the tenants above sign with, where a tenant lists only public keys:\n\
         # for the signing command (webhook-sign), never read by the receiver.\n",
    );
    for t in &tenants {
        if let Some(var) = t.signing_env() {
            out.push_str(&format!("{var}={}\n", t.signing_secret));
        }
    }
    out
}

/// Checks a deployment's tenant list (`tenants.json`: `{"tenants": [{"slug": …, "scheme": …,
/// …}]}`) by the function's own configuration rules, as the function would read it once
/// deployed: each entry as the template writes it, with a table and a secret (its sender's demo
/// secret) standing in for the template's references. The error names the tenant and field.
pub fn check_tenants(doc: &Value) -> Result<usize, String> {
    let list = doc["tenants"]
        .as_array()
        .filter(|l| !l.is_empty())
        .ok_or("\"tenants\" must be a non-empty list")?;
    let mut entries = serde_json::Map::new();
    let mut env = std::collections::HashMap::new();
    for (i, t) in list.iter().enumerate() {
        let mut entry = t
            .as_object()
            .ok_or_else(|| format!("tenant #{}: must be an object", i + 1))?
            .clone();
        let slug = match entry.remove("slug") {
            Some(Value::String(slug)) => slug,
            _ => return Err(format!("tenant #{}: field `slug` must be a string", i + 1)),
        };
        let scheme = entry
            .get("scheme")
            .and_then(Value::as_str)
            .unwrap_or(signature::DEFAULT_SCHEME);
        // An unknown scheme is the configuration's to name; any secret stands in meanwhile.
        let secret = signature::sender(scheme)
            .unwrap_or(signature::senders()[0])
            .demo_secret;
        env.insert(format!("SECRET_{i}"), secret(&format!("tenant-{i}")));
        entry.insert("table".into(), Value::from(format!("app_{i}_events")));
        entry.insert("secret_env".into(), Value::from(format!("SECRET_{i}")));
        if entries.insert(slug.clone(), Value::Object(entry)).is_some() {
            return Err(format!("tenant #{}: slug listed twice", i + 1));
        }
    }
    env.insert(
        "WEBHOOK_TENANTS".to_owned(),
        Value::Object(entries).to_string(),
    );
    crate::config::Config::from_env(|k| env.get(k).cloned()).map_err(|e| e.to_string())?;
    Ok(list.len())
}

/// A libFuzzer dictionary: every sender's header names and their values' fixed parts.
pub fn fuzz_dictionary() -> String {
    let mut words: Vec<String> = Vec::new();
    for sender in signature::senders() {
        words.push(sender.name.to_owned());
        for (_, name) in sender.headers {
            words.push((*name).to_owned());
        }
        for path in sender.inbox.reads {
            words.extend(path.split('.').map(str::to_owned));
        }
        let demo = DemoTenant::new("fuzz-dictionary".into(), sender, Format::DEFAULT);
        if let Ok(signer) =
            Signer::for_tenant(sender, &demo.signing_secret, demo.public_url.as_deref())
        {
            let signed = signer.sign(&Delivery {
                id: "msg_1",
                timestamp: 1_700_000_000,
                body: b"{}",
                ..Delivery::default()
            });
            for (_, _, value) in signed {
                // The value's shape: a short prefix up to and including `=` or `,` (`t=`, `v1,`).
                if let Some(end) = value.find(['=', ',']).filter(|end| *end < 8) {
                    words.push(value[..=end].to_owned());
                }
            }
        }
    }
    words.sort();
    words.dedup();
    words.iter().map(|w| format!("{:?}\n", w)).collect()
}

/// A `curl` command that sends the (signed) event to `base_url`, for trying a local server.
pub fn curl_command(event: &Value, base_url: &str) -> Result<String, String> {
    let method = event
        .pointer("/requestContext/http/method")
        .or_else(|| event.get("httpMethod"))
        .and_then(Value::as_str)
        .unwrap_or("POST");
    let path = event
        .get("rawPath")
        .or_else(|| event.get("path"))
        .and_then(Value::as_str)
        .unwrap_or("/");
    let body = String::from_utf8(raw_body(event)?).map_err(|_| "body is not UTF-8 text")?;
    // A sender that signs its URL signs the query too (Twilio's hash of a JSON body).
    let query = query_of(event).map(|q| format!("?{q}")).unwrap_or_default();
    let mut cmd = format!(
        "curl -sS -X {method} {}",
        shell_quote(&format!("{}{path}{query}", base_url.trim_end_matches('/')))
    );
    if let Some(headers) = event["headers"].as_object() {
        for (k, v) in headers {
            let skip = ["host", "content-length"]
                .iter()
                .any(|h| k.eq_ignore_ascii_case(h));
            if let (false, Some(v)) = (skip, v.as_str()) {
                cmd.push_str(&format!(" -H {}", shell_quote(&format!("{k}: {v}"))));
            }
        }
    }
    // A check made with `GET` (Meta's) carries no body.
    if event.get("body").is_some() {
        cmd.push_str(&format!(" --data-binary {}", shell_quote(&body)));
    }
    Ok(cmd)
}

fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

    #[test]
    fn signs_placeholders_only() {
        let mut ev = json!({
            "headers": {"webhook-id": "msg_p5jXN8AQM9LWM0D4loKWxJek", "webhook-timestamp": "<now>",
                        "webhook-signature": "<sign>"},
            "body": "{\"test\": 2432232314}", "isBase64Encoded": false
        });
        sign_event(&mut ev, SECRET, 1614265330).unwrap();
        assert_eq!(ev["headers"]["webhook-timestamp"], "1614265330");
        assert_eq!(
            ev["headers"]["webhook-signature"],
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
        );

        let mut fixed = json!({"headers": {"webhook-id": "a", "webhook-timestamp": "1",
                                           "webhook-signature": "v1,bogus"}, "body": "{}"});
        let before = fixed.clone();
        sign_event(&mut fixed, SECRET, 99).unwrap();
        assert_eq!(fixed, before);
    }

    #[test]
    fn signs_decoded_base64_bodies_and_rest_headers() {
        let mut ev = json!({
            "multiValueHeaders": {"Webhook-Id": ["msg_p5jXN8AQM9LWM0D4loKWxJek"],
                                  "Webhook-Timestamp": ["<now>"], "Webhook-Signature": ["<sign>"]},
            "body": STANDARD.encode("{\"test\": 2432232314}"), "isBase64Encoded": true
        });
        sign_event(&mut ev, SECRET, 1614265330).unwrap();
        assert_eq!(
            ev["multiValueHeaders"]["Webhook-Signature"][0],
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
        );
    }

    /// Every sender signs from its placeholders, and what it signed verifies.
    #[test]
    fn every_sender_signs_from_its_placeholders() {
        for sender in signature::senders() {
            let mut headers = serde_json::Map::new();
            for role in [HeaderRole::Id, HeaderRole::Timestamp, HeaderRole::Signature] {
                let value = match role {
                    HeaderRole::Id => "msg_placeholder_1",
                    HeaderRole::Timestamp => NOW_PLACEHOLDER,
                    _ => SIGN_PLACEHOLDER,
                };
                if let Some(name) = sender.header_names(role).next() {
                    headers.insert(name.into(), json!(value));
                }
            }
            // A sender that signs its time in the body has the placeholder there too.
            // One that signs inside the body has its placeholder there.
            let body = match (sender.body_time, sender.signature_in_body) {
                (Some(field), _) => json!({ field: NOW_PLACEHOLDER }).to_string(),
                (_, Some(object)) => json!({ object: {"signature": SIGN_PLACEHOLDER} }).to_string(),
                _ => "{}".to_owned(),
            };
            let mut ev = json!({"headers": headers, "body": body, "rawQueryString": ""});
            let demo = DemoTenant::new("placeholders".into(), sender, Format::DEFAULT);
            let url = demo.public_url.as_deref();
            sign_event_for(&mut ev, &demo.signing_secret, 1614265330, url).unwrap();
            let text = ev.to_string();
            assert!(!text.contains('<'), "{}: {text}", sender.name);
            let headers: http::HeaderMap = ev["headers"]
                .as_object()
                .unwrap()
                .iter()
                .map(|(k, v)| {
                    (
                        http::HeaderName::from_bytes(k.as_bytes()).unwrap(),
                        http::HeaderValue::from_str(v.as_str().unwrap()).unwrap(),
                    )
                })
                .collect();
            let signed_body = ev["body"].as_str().unwrap().as_bytes();
            let query = ev["rawQueryString"].as_str().filter(|q| !q.is_empty());
            let verified = demo.verifier().verify_request(&crate::signature::Request {
                form: crate::lambda::media_type(&headers) == Some(crate::lambda::Media::Form),
                headers: &headers,
                query,
                body: signed_body,
                now: crate::clock::Timestamp::from_unix_seconds(1614265330),
                tolerance: std::time::Duration::from_secs(300),
            });
            assert!(verified.is_ok(), "{}: {verified:?}", sender.name);
        }
    }

    #[test]
    fn sign_as_replaces_other_schemes_headers() {
        let mut ev = json!({"headers": {"webhook-id": "msg_1", "webhook-signature": "<sign>",
                                        "webhook-timestamp": "<now>", "content-type": "application/json"},
                            "body": "{}"});
        sign_event_as(&mut ev, "github", "a-github-secret-of-16+-bytes", 1, None).unwrap();
        let h = ev["headers"].as_object().unwrap();
        assert_eq!(h["x-github-delivery"], "msg_1");
        assert!(h["x-hub-signature-256"]
            .as_str()
            .unwrap()
            .starts_with("sha256="));
        assert!(!h.contains_key("webhook-signature") && h.contains_key("content-type"));
        assert!(sign_event_as(&mut ev, "md5", "s", 1, None).is_err());
    }

    #[test]
    fn curl_quotes_everything() {
        let ev = json!({"rawPath": "/webhooks/clientA", "requestContext": {"http": {"method": "POST"}},
                        "headers": {"host": "x", "webhook-id": "it's"}, "body": "{\"a\":\"b'c\"}"});
        let cmd = curl_command(&ev, "http://127.0.0.1:9000/").unwrap();
        assert_eq!(
            cmd,
            r#"curl -sS -X POST 'http://127.0.0.1:9000/webhooks/clientA' -H 'webhook-id: it'\''s' --data-binary '{"a":"b'\''c"}'"#
        );
    }
}
