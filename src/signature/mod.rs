//! Senders: who may send a webhook, and what their signature proves. Each sender is one file
//! here that declares everything the code knows about it as one [`Sender`]: its header names,
//! its key material and the rules for it, verify and sign on the same keyed value, which of id /
//! type / time it signs and where each lives, and its handshakes. Nothing outside this folder
//! names a particular sender: formats, the handler, the signing command, tests and fuzzers ask
//! the [`Sender`].
//!
//! A tenant's [`Verifier`] checks the raw body bytes against the request headers and yields a
//! [`VerifiedBody`]; nothing downstream accepts a body any other way, so an unverified request
//! cannot reach a format or the store by construction.
//!
//! Adding a sender is one new file here that defines a `SENDER`, plus its `mod` line and its
//! entry in [`SENDERS`]; `tests/it/senders.rs` walks the list.

mod calendly;
mod discord;
mod github;
mod gitlab;
mod hubspot;
mod intercom;
mod linear;
mod mailgun;
mod meta;
mod paddle;
mod pagerduty;
mod sendgrid;
mod shape;
mod shopify;
mod slack;
mod square;
mod standard_webhooks;
mod stripe;
mod telnyx;
mod twilio;
mod twitch;
mod typeform;
mod workos;
mod zoom;

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use hmac::{Hmac, KeyInit, Mac};
use http::HeaderMap;
use sha2::{Digest, Sha256};

use crate::clock::Timestamp;
use crate::domain::{ContentKey, DeliveryId, Detail};
use crate::json::Doc;

/// Every sender, by its `scheme` name in `WEBHOOK_TENANTS`.
const SENDERS: &[&Sender] = &[
    &standard_webhooks::SENDER,
    &stripe::SENDER,
    &github::SENDER,
    &slack::SENDER,
    &shopify::SENDER,
    &paddle::SENDER,
    &workos::SENDER,
    &linear::SENDER,
    &discord::SENDER,
    &twilio::SENDER,
    &gitlab::SENDER,
    &zoom::SENDER,
    &twitch::SENDER,
    &meta::SENDER,
    &mailgun::SENDER,
    &sendgrid::SENDER,
    &hubspot::SENDER,
    &square::SENDER,
    &telnyx::SENDER,
    &intercom::SENDER,
    &typeform::SENDER,
    &calendly::SENDER,
    &pagerduty::SENDER,
];

/// The sender a tenant gets when it names none.
pub const DEFAULT_SCHEME: &str = standard_webhooks::SENDER.name;

/// The sender Svix-powered providers (Clerk) sign as.
pub const SVIX_SCHEME: &str = standard_webhooks::SENDER.name;

/// Every sender, in the order of [`SENDERS`].
pub fn senders() -> &'static [&'static Sender] {
    SENDERS
}

/// The sender whose `scheme` name is `name`, exactly.
pub fn sender(name: &str) -> Option<&'static Sender> {
    SENDERS.iter().copied().find(|s| s.name == name)
}

/// Most public-key signature checks one request may cost (keys × entries): each hashes the whole
/// body (SHA-512), and an unsigned caller chooses how many entries it sends (SPEC §13.1).
pub(crate) const MAX_PUBLIC_KEY_CHECKS: usize = 16;

/// Most secrets a tenant may list: each one costs an HMAC of the body for every request that
/// matches none (SPEC §2).
pub const MAX_SECRETS: usize = 8;

/// Everything the code knows about one sender, declared once in its file.
pub struct Sender {
    /// Its `scheme` value in `WEBHOOK_TENANTS`.
    pub name: &'static str,
    /// Every header it sets that the receiver reads, by role (lower-case names). A role may have
    /// several names (Standard Webhooks' `webhook-*` and Svix's `svix-*`); a request uses one.
    pub headers: &'static [(HeaderRole, &'static str)],
    /// Reads a tenant's secrets (1 to [`MAX_SECRETS`], split at spaces) into its keys. The error
    /// names the entry (`secret #2: …`) and never shows it.
    keys: ReadKeys,
    /// Reads what the sender itself signs with, where that is not what a receiver holds (a
    /// private key, whose public key the tenant lists); `None`: the same as `keys`. Only the
    /// signing command and tests use it.
    #[cfg(any(test, feature = "signing"))]
    signing_keys: Option<ReadKeys>,
    /// Where its events' id, type and time live, for formats that keep events as sent.
    pub(crate) inbox: Inbox,
    /// Its endpoint checks, if it makes any.
    pub(crate) handshake: Option<DetectHandshake>,
    /// A body field (integer Unix milliseconds) that carries the signed time, where the sender
    /// signs its time inside the body (Linear): the signing tooling writes it there.
    pub body_time: Option<&'static str>,
    /// The body object that carries the signature, where the sender writes it inside the body
    /// rather than in a header (Mailgun's `signature`): the signing tooling writes it there.
    pub signature_in_body: Option<&'static str>,
    /// Where it sends several events in one body (SPEC §13.3): a JSON array whose elements are
    /// each an event, read by `inbox` as a body of their own.
    pub(crate) batch: Option<Batch>,
    /// How it wants an accepted request answered.
    pub acknowledge: Acknowledge,
    /// Whether it sends `application/x-www-form-urlencoded` bodies beside JSON.
    pub form_bodies: bool,
    /// Whether its signature covers the body. Most senders' does; a sender that sends a shared
    /// token (GitLab) proves who sent the request, not what it says, and one that signs a time
    /// and token inside the body (Mailgun) not the event beside them.
    pub signs_body: bool,
    /// Whether its signature covers the URL it requested, which the tenant then names
    /// (`public_url`: stages, mappings and custom domains make it unrecoverable from the event).
    pub signs_url: bool,
    /// Whether tenants may apply its bodies as user events (`v1`, `clerk-user`); the senders of
    /// SPEC §12 feed `inbox` only.
    pub user_events: bool,
    /// A local-only secret for a demo tenant named by its argument (`local.env`, tests, fuzzers,
    /// benchmarks). It protects nothing and is never deployed (not in the function: the
    /// `signing` feature).
    #[cfg(any(test, feature = "signing"))]
    pub demo_secret: fn(&str) -> String,
    /// What signs for that demo tenant, where it is not `demo_secret` (a private key).
    #[cfg(any(test, feature = "signing"))]
    pub demo_signing_secret: Option<fn(&str) -> String>,
}

/// How a sender wants an accepted request answered (a refusal is always SPEC §7's JSON).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Acknowledge {
    /// 200 with `{"status": …, "request_id": …}`.
    Json,
    /// 204 without a body, the request id in `X-Request-Id` (Discord).
    NoContent,
}

/// What a sender's keys are read from: a tenant's secrets and its settings.
pub(crate) struct KeyInput<'a> {
    /// 1 to [`MAX_SECRETS`] entries.
    pub(crate) secrets: &'a [&'a str],
    /// The tenant's `public_url`, for a sender that signs its URL (checked by config).
    pub(crate) public_url: Option<&'a str>,
}

/// Reads a tenant's secret list into its sender's keys.
type ReadKeys = fn(&KeyInput<'_>) -> Result<Arc<dyn Keys>, String>;

/// Finds the endpoint check a verified request is, if any; an unusable one is refused.
type DetectHandshake = fn(&VerifiedBody<'_>) -> Result<Option<Handshake>, Detail>;

impl Sender {
    /// What a sender leaves out of its declaration (`..Sender::BASE`): no handshake, no time in
    /// the body, a JSON answer, JSON bodies only, no URL signed, `inbox` only, a raw-string demo
    /// secret, receiving and signing with the same keys, events with neither id, type nor time
    /// of their own. Its name, headers and keys are every sender's own (a test checks none is
    /// left as here).
    pub(crate) const BASE: Sender = Sender {
        name: "",
        headers: &[],
        keys: |_| Err("a sender declares its keys".into()),
        #[cfg(any(test, feature = "signing"))]
        signing_keys: None,
        inbox: Inbox::RECEIPT,
        handshake: None,
        body_time: None,
        signature_in_body: None,
        batch: None,
        acknowledge: Acknowledge::Json,
        form_bodies: false,
        signs_body: true,
        signs_url: false,
        user_events: false,
        #[cfg(any(test, feature = "signing"))]
        demo_secret: raw_demo_secret,
        #[cfg(any(test, feature = "signing"))]
        demo_signing_secret: None,
    };
}

impl Inbox {
    /// Events with no id, type or time of their own: keyed by the body, timed at receipt.
    pub(crate) const RECEIPT: Inbox = Inbox {
        reads: &[],
        id: None,
        event_type: TypeAt::None,
        event_time: TimeAt::Receipt,
    };
}

impl fmt::Debug for Sender {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Sender({})", self.name)
    }
}

impl Sender {
    /// The demo tenant `label`'s signing secret.
    #[cfg(any(test, feature = "signing"))]
    pub fn demo_signing_secret(&self, label: &str) -> String {
        self.demo_signing_secret.unwrap_or(self.demo_secret)(label)
    }

    /// Whether it sends its events in batches (SPEC §13.3).
    pub fn sends_batches(&self) -> bool {
        self.batch.is_some()
    }

    /// The names of its headers of `role`, in the order it prefers them.
    pub fn header_names(&self, role: HeaderRole) -> impl Iterator<Item = &'static str> + '_ {
        self.headers
            .iter()
            .filter(move |(r, _)| *r == role)
            .map(|(_, name)| *name)
    }
}

/// What a header tells the receiver.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HeaderRole {
    Signature,
    /// The signed time.
    Timestamp,
    /// A delivery id (signed or not, as the sender's [`Proof`] says).
    Id,
    /// The event's type, as the sender reports it (not signed).
    EventType,
}

/// Where a sender's events keep their id, type and time (SPEC §11).
pub(crate) struct Inbox {
    /// The body paths read (all of those below).
    pub(crate) reads: &'static [&'static str],
    /// An id the sender signs inside the body: its path and its form.
    pub(crate) id: Option<BodyId>,
    pub(crate) event_type: TypeAt,
    pub(crate) event_time: TimeAt,
}

/// How a batch sender's elements are keyed, beyond [`Inbox::id`].
pub(crate) struct Batch {
    /// The element's key where several of its fields make it (HubSpot), read from
    /// [`Inbox::reads`]; a field that is absent or malformed is refused at its path. `None`:
    /// the element's [`Inbox::id`], else its hash.
    pub(crate) key: Option<ElementKey>,
}

/// Reads a batch element's key from its fields.
pub(crate) type ElementKey = fn(&Doc) -> Result<DeliveryId, Detail>;

/// A body field that holds the event's id.
pub(crate) struct BodyId {
    pub(crate) path: &'static str,
    /// The id's form, beyond [`DeliveryId`]'s: a present id of another form is refused.
    pub(crate) valid: fn(&str) -> bool,
}

/// Where an event's type is.
pub(crate) enum TypeAt {
    /// Nowhere: the sender names none.
    None,
    /// The sender's `EventType` header (not signed: stored as reported).
    Header,
    /// A top-level or nested body field.
    Body(&'static str),
    /// Read by the sender's own rule from the body and the type its header reports (unsigned).
    Rule(for<'a> fn(&'a Doc, Option<&'a str>) -> Option<&'a str>),
}

/// Where an event's time is; receipt time stands in when it is absent.
pub(crate) enum TimeAt {
    /// The signed timestamp.
    Signed,
    /// A body field of Unix seconds (a fraction is cut to milliseconds).
    BodySeconds(&'static str),
    /// A body field of Unix milliseconds.
    BodyMillis(&'static str),
    /// Read from the body by the sender's own rule.
    Rule(fn(&Doc) -> Option<Timestamp>),
    /// A body field holding an RFC 3339 date-time.
    BodyRfc3339(&'static str),
    /// Only receipt time.
    Receipt,
}

/// A request a sender makes to check the endpoint, answered without a write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Handshake {
    /// Answer with what the sender asked for (Slack's challenge, Zoom's computed token).
    Reply(Reply),
    /// A ping: answered `ignored`, unless the tenant's format keeps every event (inbox).
    Ping,
    /// A check answered without a write whatever the format (Discord's PING).
    Acknowledge,
}

/// What a handshake is answered with: 200, whatever the tenant's format.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reply {
    /// A JSON object of these string fields (the request id is added).
    Json(Vec<(&'static str, String)>),
    /// `text/plain`, exactly these bytes (already checked to be safe to echo).
    Text(String),
}

/// How a `GET` to a tenant's URL is answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Subscription {
    /// The sender makes no such request: 405, as any other `GET`.
    NotOffered,
    /// The verify token matched: 200 `text/plain` with this challenge (safe to echo).
    Confirmed(String),
    /// The token is absent or another: 403.
    Forbidden,
    /// The token matched but the challenge cannot be echoed safely: 400 at this field.
    Unusable(Detail),
}

/// A tenant's keys for its sender. Verify and sign run over the same keyed value.
pub(crate) trait Keys: fmt::Debug + Send + Sync {
    /// Checks a request's signature; on success, says what the sender vouched for.
    fn verify(&self, request: &Request<'_, '_>) -> Result<Proof, SignatureError>;
    /// The headers the sender sets for `delivery`, signed with the first key (the signing
    /// tooling: not in the function).
    #[cfg(any(test, feature = "signing"))]
    fn sign(&self, delivery: &Delivery<'_>) -> Vec<(HeaderRole, &'static str, String)>;
    /// The query string the sender's request carries for `delivery`, where the sender adds to
    /// it (Twilio's `bodySHA256`); `None`: the delivery's own.
    #[cfg(any(test, feature = "signing"))]
    fn query(&self, _delivery: &Delivery<'_>) -> Option<String> {
        None
    }
    /// The body the sender sends for `delivery`, where it signs inside the body (Mailgun);
    /// `None`: the delivery's own.
    #[cfg(any(test, feature = "signing"))]
    fn sign_body(&self, _delivery: &Delivery<'_>) -> Option<Vec<u8>> {
        None
    }
    /// The key material, to find two tenants that share a key.
    fn material(&self) -> Vec<&[u8]>;
    /// A `GET` to the tenant's URL, where its sender checks the endpoint that way (Meta);
    /// `NotOffered` for every other sender (405).
    fn subscribe(&self, _query: Option<&str>) -> Subscription {
        Subscription::NotOffered
    }
    /// The MAC of `message` with the first key, where a sender's handshake asks the receiver to
    /// prove it holds the secret (Zoom); `None` for keys that are not HMAC secrets.
    fn handshake_mac(&self, _message: &[u8]) -> Option<Vec<u8>> {
        None
    }
}

/// What a signature is checked against: headers and query (`'h`), body (`'b`).
pub struct Request<'h, 'b> {
    pub headers: &'h HeaderMap,
    /// The raw query string, when the request had one (a sender that signs its URL signs it).
    pub query: Option<&'h str>,
    pub body: &'b [u8],
    /// Whether the body is form-encoded, as its one `Content-Type` says (read once, by the
    /// adapter); a sender that sends forms signs them differently.
    pub form: bool,
    pub now: Timestamp,
    /// How far a signed time may be from `now`, either way.
    pub tolerance: Duration,
}

/// A delivery to sign (the signing command and tests).
#[derive(Debug, Clone, Copy, Default)]
pub struct Delivery<'a> {
    /// Used by senders that set a delivery-id header.
    pub id: &'a str,
    /// Unix seconds; used by senders that sign a time.
    pub timestamp: i64,
    /// The raw query string; used by senders that sign their URL.
    pub query: Option<&'a str>,
    pub body: &'a [u8],
    /// Whether the body is form-encoded (else JSON); used by senders that send both.
    pub form: bool,
}

/// Why a request failed authentication. Deliberately coarse: the sender learns which header to fix,
/// never which secret or entry came close.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("a required signature header is absent")]
    Missing,
    #[error("the signature headers are malformed or no signature matches")]
    Invalid,
    #[error("the signed timestamp is outside the tolerance")]
    TimestampOutOfTolerance,
}

/// What a sender's signature proved about a delivery.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Proof {
    /// The delivery id the signature covers (Standard Webhooks).
    pub(crate) signed_id: Option<DeliveryId>,
    /// A delivery id the sender sets beside the signature, not covered by it (GitHub, Shopify).
    pub(crate) unsigned_id: Option<DeliveryId>,
    /// A key derived from what was signed, where the sender signs no id (Twilio): a replay of
    /// the same signed content is the same delivery. Not a signed id.
    pub(crate) content_key: Option<ContentKey>,
    /// The signed timestamp, where the sender signs one.
    pub(crate) signed_at: Option<Timestamp>,
}

/// The verifier a tenant is configured with, built once at cold start.
#[derive(Debug, Clone)]
pub struct Verifier {
    sender: &'static Sender,
    keys: Arc<dyn Keys>,
}

impl Verifier {
    /// The verifier of `sender` for a tenant's space-separated secret list. Errors never contain
    /// secret material.
    pub fn new(sender: &'static Sender, secrets: &str) -> Result<Self, String> {
        Self::for_tenant(sender, secrets, None)
    }

    /// As [`Verifier::new`], for a tenant that names its `public_url` (a sender that signs it).
    pub fn for_tenant(
        sender: &'static Sender,
        secrets: &str,
        public_url: Option<&str>,
    ) -> Result<Self, String> {
        let keys = read_keys(sender.keys, secrets, public_url)?;
        Ok(Self { sender, keys })
    }

    pub fn sender(&self) -> &'static Sender {
        self.sender
    }

    /// How a `GET` with `query` to this tenant's URL is answered (a sender's subscription check).
    pub fn subscribe(&self, query: Option<&str>) -> Subscription {
        self.keys.subscribe(query)
    }

    /// Whether this verifier and `other` accept a common key: then a delivery signed for one
    /// tenant would verify for the other.
    pub(crate) fn shares_a_key(&self, other: &Verifier) -> bool {
        let theirs = other.keys.material();
        self.keys.material().iter().any(|k| theirs.contains(k))
    }

    /// Verifies `body` against `headers` at time `now`, accepting a signed timestamp up to
    /// `tolerance` (whole seconds) either way.
    pub fn verify<'a>(
        &self,
        headers: &HeaderMap,
        body: &'a [u8],
        now: Timestamp,
        tolerance: Duration,
    ) -> Result<VerifiedBody<'a>, SignatureError> {
        self.verify_request(&Request {
            headers,
            query: None,
            body,
            form: false,
            now,
            tolerance,
        })
    }

    /// As [`Verifier::verify`], for a request that may carry a query string.
    pub fn verify_request<'b>(
        &self,
        request: &Request<'_, 'b>,
    ) -> Result<VerifiedBody<'b>, SignatureError> {
        let (headers, body) = (request.headers, request.body);
        let proof = self.keys.verify(request)?;
        // Not signed: what the sender says, not what it proved; kept only as a plain token.
        let reported_type = self
            .sender
            .header_names(HeaderRole::EventType)
            .find_map(|name| single_header(headers, name).ok().flatten())
            .filter(|v| is_event_type(v))
            .map(str::to_owned);
        Ok(VerifiedBody {
            bytes: body,
            sender: self.sender,
            keys: Arc::clone(&self.keys),
            proof,
            reported_type,
        })
    }
}

/// What a sender signs with (the signing command and tests): its secret, or its private key
/// where the tenant holds the public one. Never built from a receiver's configuration, and not
/// in the function (the `signing` feature).
#[cfg(any(test, feature = "signing"))]
#[derive(Debug, Clone)]
pub struct Signer {
    keys: Arc<dyn Keys>,
}

#[cfg(any(test, feature = "signing"))]
impl Signer {
    pub fn new(sender: &'static Sender, secret: &str) -> Result<Self, String> {
        Self::for_tenant(sender, secret, None)
    }

    /// As [`Signer::new`], for a sender that signs the URL it requests (`public_url`).
    pub fn for_tenant(
        sender: &'static Sender,
        secret: &str,
        public_url: Option<&str>,
    ) -> Result<Self, String> {
        let read = sender.signing_keys.unwrap_or(sender.keys);
        Ok(Self {
            keys: read_keys(read, secret, public_url)?,
        })
    }

    /// The headers the sender sets for `delivery`, signed with the first key.
    pub fn sign(&self, delivery: &Delivery<'_>) -> Vec<(HeaderRole, &'static str, String)> {
        self.keys.sign(delivery)
    }

    /// The query string the sender's request carries for `delivery`, where the sender adds to
    /// it; `None`: the delivery's own.
    pub fn query(&self, delivery: &Delivery<'_>) -> Option<String> {
        self.keys.query(delivery)
    }

    /// The body the sender sends for `delivery`, where it signs inside the body; `None`: the
    /// delivery's own.
    pub fn sign_body(&self, delivery: &Delivery<'_>) -> Option<Vec<u8>> {
        self.keys.sign_body(delivery)
    }
}

/// A space-separated secret list through a sender's reader, with the rules every sender shares.
fn read_keys(
    read: ReadKeys,
    secrets: &str,
    public_url: Option<&str>,
) -> Result<Arc<dyn Keys>, String> {
    // A Secrets Manager key/value secret pasted whole would otherwise be split into "words",
    // some of which might even pass as keys.
    if secrets.trim_start().starts_with(['{', '[']) {
        return Err(
            "looks like a JSON document; store the secret(s) as plain text, separated by spaces"
                .into(),
        );
    }
    let list: Vec<&str> = secrets.split_ascii_whitespace().collect();
    if list.is_empty() {
        return Err("no secret given".into());
    }
    if list.len() > MAX_SECRETS {
        return Err(format!(
            "lists {} secrets; at most {MAX_SECRETS} (each costs an HMAC of the body per \
             request)",
            list.len()
        ));
    }
    read(&KeyInput {
        secrets: &list,
        public_url,
    })
}

/// A body whose signature has been checked. Only this module can make one.
#[derive(Debug)]
pub struct VerifiedBody<'a> {
    bytes: &'a [u8],
    sender: &'static Sender,
    /// The keys that verified it, for a handshake that answers with a MAC.
    keys: Arc<dyn Keys>,
    proof: Proof,
    reported_type: Option<String>,
}

impl<'a> VerifiedBody<'a> {
    pub fn bytes(&self) -> &'a [u8] {
        self.bytes
    }

    pub fn sender(&self) -> &'static Sender {
        self.sender
    }

    /// Lower-case hex SHA-256 of the body.
    pub(crate) fn sha256_hex(&self) -> String {
        hex::encode(Sha256::digest(self.bytes))
    }

    /// The id the signature covers, where the sender signs one in a header.
    pub fn signed_id(&self) -> Option<&DeliveryId> {
        self.proof.signed_id.as_ref()
    }

    /// A delivery id the sender sets but does not sign.
    pub fn unsigned_id(&self) -> Option<&DeliveryId> {
        self.proof.unsigned_id.as_ref()
    }

    /// A key derived from what the sender signed, where it signs no id (never a signed id).
    pub(crate) fn content_key(&self) -> Option<&ContentKey> {
        self.proof.content_key.as_ref()
    }

    /// The id of this delivery's record (SPEC §4): the signed id, else the sender's delivery
    /// header, else the key of what was signed, else `sha256:` + the body's hash (so a retry
    /// re-signed with a new timestamp is still the same delivery).
    pub fn delivery_id(&self) -> DeliveryId {
        self.delivery_id_for(&self.sha256_hex())
    }

    /// As [`VerifiedBody::delivery_id`], for a caller that has the body's hash already.
    pub(crate) fn delivery_id_for(&self, sha256_hex: &str) -> DeliveryId {
        self.carried_id()
            .cloned()
            .unwrap_or_else(|| DeliveryId::body_hash(sha256_hex))
    }

    /// The id the request itself carries: the signed id, else the sender's unsigned one, else
    /// the key of what was signed.
    pub(crate) fn carried_id(&self) -> Option<&DeliveryId> {
        self.signed_id()
            .or(self.unsigned_id())
            .or(self.content_key().map(ContentKey::as_delivery_id))
    }

    /// The signed timestamp, where the sender signs one.
    pub fn signed_at(&self) -> Option<Timestamp> {
        self.proof.signed_at
    }

    /// The event type the sender reports in a header; not signed.
    pub(crate) fn reported_type(&self) -> Option<&str> {
        self.reported_type.as_deref()
    }

    /// The MAC of `message` with the tenant's first secret, for a handshake that asks for one.
    pub(crate) fn handshake_mac(&self, message: &[u8]) -> Option<Vec<u8>> {
        self.keys.handshake_mac(message)
    }

    /// The endpoint check this request is, if any.
    pub(crate) fn handshake(&self) -> Result<Option<Handshake>, Detail> {
        self.sender
            .handshake
            .map_or(Ok(None), |detect| detect(self))
    }
}

pub(crate) type HmacSha256 = Hmac<Sha256>;

/// HMAC-SHA256 keys, each with the HMAC state it sets up (two SHA-256 blocks) computed once at
/// cold start rather than per request. `Debug` never shows them.
#[derive(Clone)]
pub(crate) struct HmacKeys(Vec<(Vec<u8>, HmacSha256)>);

impl HmacKeys {
    /// Keys that are the secret strings' own bytes (every raw-string secret): each 16 to 256
    /// bytes (a shorter one is guessable offline from one captured delivery).
    pub(crate) fn from_strings(secrets: &[&str]) -> Result<Self, String> {
        for (i, s) in secrets.iter().enumerate() {
            if s.len() > MAX_RAW_SECRET_BYTES {
                return Err(format!(
                    "secret #{}: longer than {MAX_RAW_SECRET_BYTES} bytes",
                    i + 1
                ));
            }
            if s.len() < MIN_RAW_SECRET_BYTES {
                return Err(format!(
                    "secret #{}: shorter than {MIN_RAW_SECRET_BYTES} bytes",
                    i + 1
                ));
            }
        }
        Ok(Self::from_bytes(
            secrets.iter().map(|s| s.as_bytes().to_vec()).collect(),
        ))
    }

    /// Keys already decoded and checked by their sender.
    pub(crate) fn from_bytes(keys: Vec<Vec<u8>>) -> Self {
        Self(
            keys.into_iter()
                .map(|k| {
                    // HMAC accepts keys of any length, so this cannot fail.
                    let keyed = <HmacSha256 as KeyInit>::new_from_slice(&k)
                        .unwrap_or_else(|_| unreachable!("HMAC takes any key length"));
                    (k, keyed)
                })
                .collect(),
        )
    }

    /// Whether any candidate is the MAC of `parts` under any key. Each comparison is
    /// constant-time (`verify_slice`); every key is tried against every candidate.
    pub(crate) fn any_matches(&self, parts: &[&[u8]], candidates: &[Vec<u8>]) -> bool {
        self.0.iter().any(|(_, keyed)| {
            let mac = mac_of(keyed, parts);
            candidates
                .iter()
                .any(|c| mac.clone().verify_slice(c).is_ok())
        })
    }

    #[cfg(any(test, feature = "signing"))]
    pub(crate) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The MAC of `parts` under the first key (signing).
    pub(crate) fn first_mac(&self, parts: &[&[u8]]) -> Vec<u8> {
        self.0
            .first()
            .map(|(_, keyed)| mac_of(keyed, parts).finalize().into_bytes().to_vec())
            .unwrap_or_default()
    }

    pub(crate) fn material(&self) -> Vec<&[u8]> {
        self.0.iter().map(|(k, _)| k.as_slice()).collect()
    }
}

impl fmt::Debug for HmacKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "HmacKeys({} × <redacted>)", self.0.len())
    }
}

fn mac_of(keyed: &HmacSha256, parts: &[&[u8]]) -> HmacSha256 {
    let mut mac = keyed.clone();
    for part in parts {
        mac.update(part);
    }
    mac
}

/// Ed25519 public keys a tenant lists (the sender holds the private ones). `Debug` shows only
/// how many.
#[derive(Clone, Default)]
pub(crate) struct PublicKeys(Vec<ed25519_dalek::VerifyingKey>);

impl PublicKeys {
    /// 32-byte keys; a point that is not a valid public key is refused.
    pub(crate) fn from_bytes(keys: &[[u8; 32]]) -> Result<Self, usize> {
        keys.iter()
            .enumerate()
            .map(|(i, k)| ed25519_dalek::VerifyingKey::from_bytes(k).map_err(|_| i))
            .collect::<Result<Vec<_>, _>>()
            .map(Self)
    }

    /// Refuses a request whose `signatures` would take more than [`MAX_PUBLIC_KEY_CHECKS`]
    /// checks against these keys, before any is run.
    pub(crate) fn within_budget(&self, signatures: usize) -> Result<(), SignatureError> {
        if self.0.len().saturating_mul(signatures) > MAX_PUBLIC_KEY_CHECKS {
            return Err(SignatureError::Invalid);
        }
        Ok(())
    }

    /// Whether any signature is any key's over the concatenation of `parts` (strict
    /// verification: no malleable signatures, no small-order keys). Nothing is checked, and
    /// nothing verifies, past the budget ([`PublicKeys::within_budget`]).
    pub(crate) fn any_verifies(&self, parts: &[&[u8]], signatures: &[[u8; 64]]) -> bool {
        if self.0.is_empty()
            || signatures.is_empty()
            || self.within_budget(signatures.len()).is_err()
        {
            return false;
        }
        let message = parts.concat();
        self.0.iter().any(|key| {
            signatures.iter().any(|s| {
                key.verify_strict(&message, &ed25519_dalek::Signature::from_bytes(s))
                    .is_ok()
            })
        })
    }

    pub(crate) fn material(&self) -> Vec<&[u8]> {
        self.0.iter().map(|k| k.as_bytes().as_slice()).collect()
    }
}

impl fmt::Debug for PublicKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PublicKeys({})", self.0.len())
    }
}

/// An Ed25519 private key: what a sender signs with, for the signing tooling and tests only (a
/// receiver never holds one). `Debug` never shows it.
#[derive(Clone)]
pub(crate) struct PrivateKey(ed25519_dalek::SigningKey);

impl PrivateKey {
    /// From its 32-byte seed.
    pub(crate) fn from_seed(seed: &[u8; 32]) -> Self {
        Self(ed25519_dalek::SigningKey::from_bytes(seed))
    }

    /// The signature over the concatenation of `parts`.
    #[cfg(any(test, feature = "signing"))]
    pub(crate) fn sign(&self, parts: &[&[u8]]) -> [u8; 64] {
        ed25519_dalek::Signer::sign(&self.0, &parts.concat()).to_bytes()
    }

    pub(crate) fn public(&self) -> [u8; 32] {
        self.0.verifying_key().to_bytes()
    }
}

impl fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PrivateKey(<redacted>)")
    }
}

/// A local-only Ed25519 key for a demo tenant named `label`: its seed.
#[cfg(any(test, feature = "signing"))]
pub(crate) fn demo_seed(label: &str) -> [u8; 32] {
    Sha256::digest(format!("local {label} ed25519 key, never deployed")).into()
}

/// A local-only raw-string secret for a demo tenant named `label`.
#[cfg(any(test, feature = "signing"))]
pub(crate) fn raw_demo_secret(label: &str) -> String {
    format!("local-{label}-secret-never-deployed")
}

/// Shortest raw-string secret accepted.
const MIN_RAW_SECRET_BYTES: usize = 16;
/// Longest raw-string secret accepted.
const MAX_RAW_SECRET_BYTES: usize = 256;

/// An event type as it may be stored: `^[A-Za-z0-9._:/-]{1,128}$`.
pub(crate) fn is_event_type(s: &str) -> bool {
    (1..=128).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b':' | b'/' | b'-'))
}

/// A handshake's challenge, echoed back to the sender, so only `^[A-Za-z0-9_-]{1,128}$` is.
pub(crate) fn is_challenge(c: &str) -> bool {
    (1..=128).contains(&c.len())
        && c.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-'))
}

/// The URL a sender that signs its URL requested (SPEC §13.2): the tenant's `public_url`, then
/// `?` and the query when there is one.
pub(crate) fn requested_url(public_url: &str, query: Option<&str>) -> String {
    query.map_or_else(|| public_url.to_owned(), |q| format!("{public_url}?{q}"))
}

/// A hex-encoded SHA-256 MAC (exactly 64 hex digits).
pub(crate) fn decode_hex_mac(s: &str) -> Option<Vec<u8>> {
    (s.len() == 64).then(|| hex::decode(s).ok()).flatten()
}

/// A delivery id in header `name`, where the request has one (at most once; a malformed one is
/// `Invalid`).
pub(crate) fn id_header(
    headers: &HeaderMap,
    name: &str,
) -> Result<Option<DeliveryId>, SignatureError> {
    single_header(headers, name)?
        .map(|id| DeliveryId::parse(id).ok_or(SignatureError::Invalid))
        .transpose()
}

/// A header that must be present exactly once.
pub(crate) fn required_header<'h>(
    headers: &'h HeaderMap,
    name: &str,
) -> Result<&'h str, SignatureError> {
    single_header(headers, name)?.ok_or(SignatureError::Missing)
}

/// The one value of a header that must appear at most once. Absent is `Ok(None)`; repeated or not
/// visible ASCII is `Invalid` (HTTP API joins repeats with commas, which would change the meaning).
pub(crate) fn single_header<'h>(
    headers: &'h HeaderMap,
    name: &str,
) -> Result<Option<&'h str>, SignatureError> {
    let mut values = headers.get_all(name).iter();
    let Some(first) = values.next() else {
        return Ok(None);
    };
    if values.next().is_some() {
        return Err(SignatureError::Invalid);
    }
    first
        .to_str()
        .map(Some)
        .map_err(|_| SignatureError::Invalid)
}

/// Unix seconds as senders write them: ASCII digits only, no sign, no padding games.
pub(crate) fn parse_unix_seconds(raw: &str) -> Result<i64, SignatureError> {
    if raw.is_empty() || raw.len() > 12 || !raw.bytes().all(|b| b.is_ascii_digit()) {
        return Err(SignatureError::Invalid);
    }
    raw.parse().map_err(|_| SignatureError::Invalid)
}

/// A signed timestamp (Unix seconds) within `tolerance` of `now` (both in whole seconds, both
/// directions, inclusive) passes; it is returned as a [`Timestamp`].
pub(crate) fn check_tolerance(
    t: i64,
    now: Timestamp,
    tolerance: Duration,
) -> Result<Timestamp, SignatureError> {
    if now.unix_seconds().abs_diff(t) <= tolerance.as_secs() {
        Ok(Timestamp::from_unix_seconds(t))
    } else {
        Err(SignatureError::TimestampOutOfTolerance)
    }
}

/// A signed time in milliseconds within `tolerance` of `now` (in milliseconds, both directions,
/// inclusive) passes.
pub(crate) fn check_tolerance_ms(
    t_ms: i64,
    now: Timestamp,
    tolerance: Duration,
) -> Result<Timestamp, SignatureError> {
    if u128::from(now.unix_millis().abs_diff(t_ms)) <= tolerance.as_millis() {
        Ok(Timestamp::from_unix_millis(t_ms))
    } else {
        Err(SignatureError::TimestampOutOfTolerance)
    }
}

/// Unix milliseconds as senders write them: ASCII digits only.
pub(crate) fn parse_unix_millis(raw: &str) -> Result<i64, SignatureError> {
    if raw.is_empty() || raw.len() > 15 || !raw.bytes().all(|b| b.is_ascii_digit()) {
        return Err(SignatureError::Invalid);
    }
    raw.parse().map_err(|_| SignatureError::Invalid)
}

/// Verifies with `sender`'s keys for `secrets`, for the senders' unit tests; `None` header
/// values are left out.
#[cfg(test)]
pub(crate) fn check(
    sender: &'static Sender,
    secrets: &str,
    headers: &[(&str, Option<&str>)],
    body: &[u8],
    now_s: i64,
) -> Result<Proof, SignatureError> {
    let verifier = Verifier::new(sender, secrets).unwrap();
    check_with(verifier.keys.as_ref(), headers, body, now_s)
}

/// As [`check`], with keys made by the test (a published secret a tenant could not list).
#[cfg(test)]
pub(crate) fn check_with(
    keys: &dyn Keys,
    headers: &[(&str, Option<&str>)],
    body: &[u8],
    now_s: i64,
) -> Result<Proof, SignatureError> {
    let headers: HeaderMap = headers
        .iter()
        .filter_map(|(name, value)| Some((*name, (*value)?)))
        .map(|(name, value)| {
            (
                http::HeaderName::from_bytes(name.as_bytes()).unwrap(),
                http::HeaderValue::from_str(value).unwrap(),
            )
        })
        .collect();
    keys.verify(&Request {
        headers: &headers,
        query: None,
        body,
        form: false,
        now: Timestamp::from_unix_seconds(now_s),
        tolerance: Duration::from_secs(300),
    })
}

/// The value of the header of `role` that `sender` would set, for the senders' unit tests.
#[cfg(test)]
pub(crate) fn signed_value(
    sender: &'static Sender,
    secret: &str,
    role: HeaderRole,
    delivery: &Delivery<'_>,
) -> String {
    Signer::new(sender, secret)
        .unwrap()
        .sign(delivery)
        .into_iter()
        .find(|(r, _, _)| *r == role)
        .map(|(_, _, v)| v)
        .unwrap()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tolerance_is_inclusive_both_ways() {
        let at = Timestamp::from_unix_seconds;
        let tol = Duration::from_secs(300);
        assert_eq!(check_tolerance(1000, at(1300), tol), Ok(at(1000)));
        assert!(check_tolerance(1600, at(1300), tol).is_ok());
        // Receipt time counts in whole seconds, as the signed time does.
        let late = Timestamp::from_unix_millis(1_300_999);
        assert!(check_tolerance(1000, late, tol).is_ok());
        assert_eq!(
            check_tolerance(999, at(1300), tol),
            Err(SignatureError::TimestampOutOfTolerance)
        );
        assert_eq!(
            check_tolerance(1601, at(1300), tol),
            Err(SignatureError::TimestampOutOfTolerance)
        );
    }

    #[test]
    fn timestamps_are_plain_digits() {
        assert_eq!(parse_unix_seconds("1614265330"), Ok(1614265330));
        for bad in ["", "-1", "+1", " 1", "1e9", "0x10", "9999999999999"] {
            assert_eq!(
                parse_unix_seconds(bad),
                Err(SignatureError::Invalid),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn keys_debug_is_redacted() {
        let keys = HmacKeys::from_strings(&["super-secret-key-bytes"]).unwrap();
        assert_eq!(format!("{keys:?}"), "HmacKeys(1 × <redacted>)");
        let v = Verifier::new(sender("github").unwrap(), "super-secret-key-bytes").unwrap();
        assert!(!format!("{v:?}").contains("super"), "{v:?}");
    }

    #[test]
    fn secret_lists_are_checked_the_same_for_every_sender() {
        for s in senders() {
            let url = s.signs_url.then_some("https://webhooks.example.com/hook");
            let new = |secrets: &str| Verifier::for_tenant(s, secrets, url);
            let demo = (s.demo_secret)("a-demo-tenant");
            // One key (a demo tenant may list several kinds), with what the sender requires
            // beside its keys (Meta's verify token).
            let (one, rest) = demo.split_once(' ').unwrap_or((&demo, ""));
            let tail = if new(one).is_ok() { "" } else { rest };
            let with_tail = |keys: &str| format!("{keys} {tail}");
            assert!(new(&with_tail(one)).is_ok(), "{}", s.name);
            assert!(new("").is_err(), "{}", s.name);
            let json = format!("{{\"key\": \"{one}\"}}");
            assert!(new(&json).unwrap_err().contains("JSON"));
            let nine = [one; MAX_SECRETS + 1].join(" ");
            let err = new(&nine).unwrap_err();
            assert!(err.contains("at most 8") && !err.contains(one), "{err}");
            let most = MAX_SECRETS - tail.split_ascii_whitespace().count();
            let eight: Vec<String> = (0..most)
                .map(|i| (s.demo_secret)(&format!("tenant-{i}")))
                .map(|d| d.split_ascii_whitespace().next().unwrap().to_owned())
                .collect();
            assert!(new(&with_tail(&eight.join(" "))).is_ok(), "{}", s.name);
            let err = new(&with_tail(&format!("{one} short"))).unwrap_err();
            assert!(err.starts_with("secret #2") && !err.contains(one), "{err}");
        }
    }

    /// `Sender::BASE` fills in what a sender leaves out, never its name, headers or keys.
    #[test]
    fn every_sender_declares_its_own_name_headers_and_keys() {
        let mut names: Vec<&str> = senders().iter().map(|s| s.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), senders().len(), "{names:?}");
        for s in senders() {
            assert!(!s.name.is_empty());
            assert!(
                s.header_names(HeaderRole::Signature).next().is_some()
                    || s.signature_in_body.is_some(),
                "{s:?}"
            );
            let url = s.signs_url.then_some("https://webhooks.example.com/hook");
            let demo = (s.demo_secret)("a-demo-tenant");
            assert!(Verifier::for_tenant(s, &demo, url).is_ok(), "{s:?}");
        }
        let base = Verifier::new(&Sender::BASE, &raw_demo_secret("x"));
        assert!(base.is_err());
    }

    #[test]
    fn raw_string_secrets_are_16_to_256_bytes() {
        assert!(HmacKeys::from_strings(&[&"k".repeat(16)]).is_ok());
        assert!(HmacKeys::from_strings(&[&"k".repeat(15)]).is_err());
        assert!(HmacKeys::from_strings(&[&"k".repeat(256)]).is_ok());
        assert!(HmacKeys::from_strings(&[&"k".repeat(257)]).is_err());
    }
}
