//! Configuration, read and checked once at cold start: parsed whole ([`parse`]), then the secrets
//! resolved ([`Unresolved::resolve`]), so nothing reaches the network before every non-secret
//! mistake is found. Any mistake fails init with one message naming the tenant and the field.
//! A message never echoes a configured value other than a tenant slug, a field name or a table
//! name (a secret pasted where a variable name belongs must not be printed), and secrets never
//! appear in a `Debug`.

use std::collections::HashMap;
use std::marker::PhantomData;
use std::time::Duration;

use aws_config::SdkConfig;
use serde::de::MapAccess;
use serde::{Deserialize, Deserializer};
use serde_json::Value;

use crate::domain::{Ledger, Ttls};
pub use crate::domain::{TableName, TenantId};
use crate::format::Format;
use crate::json::{AnyValue, Scalar, Shape};
use crate::secrets::{self, FetchError};
use crate::signature::{self, Sender, Verifier};

const TENANTS_VAR: &str = "WEBHOOK_TENANTS";
const MAX_BODY_VAR: &str = "WEBHOOK_MAX_BODY_BYTES";
const MAX_BATCH_VAR: &str = "WEBHOOK_MAX_BATCH_BYTES";
const DELIVERY_TTL_VAR: &str = "WEBHOOK_DELIVERY_TTL_SECONDS";
const TOMBSTONE_TTL_VAR: &str = "WEBHOOK_TOMBSTONE_TTL_SECONDS";
const INBOX_TTL_VAR: &str = "WEBHOOK_INBOX_TTL_SECONDS";

const DEFAULT_MAX_BODY: usize = 65_536;
const MAX_MAX_BODY: usize = 262_144;
const DEFAULT_MAX_BATCH: usize = 1_048_576;
/// Lambda's synchronous invocation payload limit.
const MAX_MAX_BATCH: usize = 6_291_456;
const DEFAULT_DELIVERY_TTL: i64 = 604_800;
const DEFAULT_TOMBSTONE_TTL: i64 = 2_592_000;
const DEFAULT_INBOX_TTL: i64 = 2_592_000;
const DEFAULT_TOLERANCE: u64 = 300;
const MAX_TOLERANCE: u64 = 3600;

/// The fields a tenant entry may have.
const FIELDS: &[&str] = &[
    "table",
    "secret_env",
    "secret_arn",
    "scheme",
    "tolerance_seconds",
    "format",
    "public_url",
    "ledger",
];

/// A configuration mistake. `Display` is the one line init fails with.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid configuration: {location}: {message}")]
pub struct ConfigError {
    location: String,
    message: String,
}

impl ConfigError {
    fn var(var: &str, message: impl Into<String>) -> Self {
        Self {
            location: var.to_owned(),
            message: message.into(),
        }
    }

    fn tenant(tenant: &TenantId, field: &str, message: impl Into<String>) -> Self {
        Self {
            location: format!(
                "{TENANTS_VAR}: tenant `{}`, field `{field}`",
                tenant.as_str()
            ),
            message: message.into(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Tenant {
    pub id: TenantId,
    pub table: TableName,
    pub verifier: Verifier,
    /// How far a signed timestamp may be from receipt time, either way, and an event time
    /// (`occurred_at`, Clerk's `timestamp`) ahead of it. Whole seconds.
    pub tolerance: Duration,
    pub format: Format,
    /// Where a user-event tenant records deliveries (`delivery` unless it says `item`).
    pub ledger: Ledger,
}

#[derive(Debug, Clone)]
pub struct Config {
    tenants: HashMap<String, Tenant>,
    pub(crate) max_body_bytes: usize,
    /// The body limit of a batch sender's tenants (SPEC §13.3).
    pub(crate) max_batch_bytes: usize,
    ttls: Ttls,
}

/// Where a tenant's secrets come from.
#[derive(Debug, Clone, PartialEq, Eq)]
enum SecretSource {
    /// The name of an environment variable (local use).
    Env(String),
    /// A Secrets Manager secret ARN (production).
    Arn(String),
}

impl SecretSource {
    fn field(&self) -> &'static str {
        match self {
            Self::Env(_) => "secret_env",
            Self::Arn(_) => "secret_arn",
        }
    }
}

/// A tenant as configured, its secrets not yet read.
#[derive(Debug, Clone)]
struct TenantSpec {
    id: TenantId,
    table: TableName,
    secret: SecretSource,
    sender: &'static Sender,
    /// The URL the sender requests, for a sender that signs it.
    public_url: Option<String>,
    tolerance: Duration,
    format: Format,
    ledger: Ledger,
}

/// The whole configuration but the secrets: what [`parse`] checked.
#[derive(Debug, Clone)]
struct Unresolved {
    tenants: Vec<TenantSpec>,
    max_body_bytes: usize,
    max_batch_bytes: usize,
    ttls: Ttls,
}

/// Secrets Manager answers, by ARN.
type FetchedSecrets = HashMap<String, Result<String, FetchError>>;

impl Config {
    /// Reads the configuration through `env` (the process environment in production; a map in
    /// tests), reading `secret_arn` secrets from Secrets Manager with `sdk`.
    pub async fn load(
        env: impl Fn(&str) -> Option<String>,
        sdk: &SdkConfig,
    ) -> Result<Self, ConfigError> {
        let unresolved = parse(&env)?;
        let fetched = secrets::fetch_all(sdk, &unresolved.secret_arns()).await;
        unresolved.resolve(&env, &fetched)
    }

    /// As [`Config::load`] for configurations whose secrets all come from the environment
    /// (`secret_env`); a `secret_arn` tenant is an error.
    pub fn from_env(env: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        parse(&env)?.resolve(&env, &FetchedSecrets::new())
    }

    /// The tenant for a raw path segment, matched exactly: no decoding, folding or trimming.
    pub fn tenant(&self, segment: &str) -> Option<&Tenant> {
        self.tenants.get(segment)
    }

    /// How long what a write leaves behind lives.
    pub(crate) fn ttls(&self) -> Ttls {
        self.ttls
    }

    /// The largest body `tenant` takes: a batch sender's tenant `WEBHOOK_MAX_BATCH_BYTES`, any
    /// other `WEBHOOK_MAX_BODY_BYTES`.
    pub(crate) fn body_limit(&self, tenant: &Tenant) -> usize {
        if tenant.verifier.sender().batch.is_some() {
            self.max_batch_bytes
        } else {
            self.max_body_bytes
        }
    }

    /// The largest body any tenant takes: what the adapter reads before the tenant is known.
    pub(crate) fn largest_body_limit(&self) -> usize {
        self.tenants
            .values()
            .map(|t| self.body_limit(t))
            .fold(self.max_body_bytes, usize::max)
    }
}

/// Parses and checks everything that needs no secret.
fn parse(env: &impl Fn(&str) -> Option<String>) -> Result<Unresolved, ConfigError> {
    let raw = env(TENANTS_VAR).ok_or_else(|| ConfigError::var(TENANTS_VAR, "is not set"))?;
    let top: JsonObject<JsonObject<Value>> = serde_json::from_str(&raw).map_err(|e| {
        ConfigError::var(
            TENANTS_VAR,
            format!(
                "is not valid JSON (line {}, column {})",
                e.line(),
                e.column()
            ),
        )
    })?;
    let JsonObject::Object { members, duplicate } = top else {
        return Err(ConfigError::var(
            TENANTS_VAR,
            "must be a JSON object of tenants",
        ));
    };
    if let Some(slug) = duplicate {
        return Err(ConfigError::var(
            TENANTS_VAR,
            match TenantId::parse(&slug) {
                Some(id) => format!("tenant `{}` is listed twice", id.as_str()),
                None => "a tenant is listed twice".to_owned(),
            },
        ));
    }
    if members.is_empty() {
        return Err(ConfigError::var(TENANTS_VAR, "lists no tenant"));
    }

    let mut tenants: Vec<TenantSpec> = Vec::with_capacity(members.len());
    for (position, (slug, entry)) in members.into_iter().enumerate() {
        let id = TenantId::parse(&slug).ok_or_else(|| {
            ConfigError::var(
                TENANTS_VAR,
                format!(
                    "tenant #{}: its key must match ^[A-Za-z0-9][A-Za-z0-9_-]{{0,62}}$",
                    position + 1
                ),
            )
        })?;
        let spec = parse_tenant(id, entry)?;
        if let Some(other) = tenants.iter().find(|t| t.table == spec.table) {
            return Err(ConfigError::tenant(
                &spec.id,
                "table",
                format!(
                    "is also tenant `{}`'s table; each tenant needs its own",
                    other.id.as_str()
                ),
            ));
        }
        tenants.push(spec);
    }

    let max_body_bytes = number_var(env, MAX_BODY_VAR, DEFAULT_MAX_BODY as i64)?;
    if !(1..=MAX_MAX_BODY as i64).contains(&max_body_bytes) {
        return Err(ConfigError::var(
            MAX_BODY_VAR,
            format!("must be between 1 and {MAX_MAX_BODY}"),
        ));
    }
    let max_batch_bytes = number_var(env, MAX_BATCH_VAR, DEFAULT_MAX_BATCH as i64)?;
    if !(1..=MAX_MAX_BATCH as i64).contains(&max_batch_bytes) {
        return Err(ConfigError::var(
            MAX_BATCH_VAR,
            format!("must be between 1 and {MAX_MAX_BATCH}"),
        ));
    }
    let largest_tolerance = tenants
        .iter()
        .map(|t| t.tolerance.as_secs())
        .max()
        .unwrap_or(DEFAULT_TOLERANCE);
    // A record that decides whether a delivery was seen must outlive the window in which a
    // signed delivery can be replayed.
    let replay_record_ttl = |var: &str, default: i64| {
        let ttl = number_var(env, var, default)?;
        if u64::try_from(ttl).map_or(true, |ttl| ttl <= 2 * largest_tolerance) {
            return Err(ConfigError::var(
                var,
                format!("must exceed twice the largest tolerance ({largest_tolerance} s)"),
            ));
        }
        Ok(ttl)
    };
    let delivery_ttl_seconds = replay_record_ttl(DELIVERY_TTL_VAR, DEFAULT_DELIVERY_TTL)?;
    let tombstone_ttl_seconds = number_var(env, TOMBSTONE_TTL_VAR, DEFAULT_TOMBSTONE_TTL)?;
    if tombstone_ttl_seconds < 1 {
        return Err(ConfigError::var(TOMBSTONE_TTL_VAR, "must be positive"));
    }
    // An inbox item is its own deduplication record.
    let inbox_ttl_seconds = replay_record_ttl(INBOX_TTL_VAR, DEFAULT_INBOX_TTL)?;

    Ok(Unresolved {
        tenants,
        max_body_bytes: max_body_bytes as usize,
        max_batch_bytes: max_batch_bytes as usize,
        // Each checked positive above.
        ttls: Ttls {
            delivery: seconds(delivery_ttl_seconds),
            tombstone: seconds(tombstone_ttl_seconds),
            inbox: seconds(inbox_ttl_seconds),
        },
    })
}

impl Unresolved {
    /// The Secrets Manager ARNs to fetch, each once.
    fn secret_arns(&self) -> Vec<&str> {
        let mut arns: Vec<&str> = self
            .tenants
            .iter()
            .filter_map(|t| match &t.secret {
                SecretSource::Arn(arn) => Some(arn.as_str()),
                SecretSource::Env(_) => None,
            })
            .collect();
        arns.sort_unstable();
        arns.dedup();
        arns
    }

    /// Reads each tenant's secrets (from `env`, or from `fetched` by ARN) and builds its verifier.
    fn resolve(
        self,
        env: &impl Fn(&str) -> Option<String>,
        fetched: &FetchedSecrets,
    ) -> Result<Config, ConfigError> {
        let mut tenants: Vec<Tenant> = Vec::with_capacity(self.tenants.len());
        for spec in self.tenants {
            let field = spec.secret.field();
            let secrets = match &spec.secret {
                SecretSource::Env(var) => env(var).ok_or_else(|| {
                    ConfigError::tenant(
                        &spec.id,
                        field,
                        "names an environment variable that is not set",
                    )
                })?,
                SecretSource::Arn(arn) => match fetched.get(arn) {
                    Some(Ok(secret)) => secret.clone(),
                    Some(Err(why)) => {
                        return Err(ConfigError::tenant(
                            &spec.id,
                            field,
                            format!("could not be read: {why}"),
                        ))
                    }
                    None => {
                        return Err(ConfigError::tenant(
                            &spec.id,
                            field,
                            "was not fetched from Secrets Manager",
                        ))
                    }
                },
            };
            let verifier = Verifier::for_tenant(spec.sender, &secrets, spec.public_url.as_deref())
                .map_err(|why| ConfigError::tenant(&spec.id, field, why))?;
            if let Some(other) = tenants.iter().find(|t| t.verifier.shares_a_key(&verifier)) {
                return Err(ConfigError::tenant(
                    &spec.id,
                    field,
                    format!(
                        "holds a secret that tenant `{}` also uses; a delivery signed for one \
                         would verify for the other",
                        other.id.as_str()
                    ),
                ));
            }
            tenants.push(Tenant {
                id: spec.id,
                table: spec.table,
                verifier,
                tolerance: spec.tolerance,
                format: spec.format,
                ledger: spec.ledger,
            });
        }
        Ok(Config {
            tenants: tenants
                .into_iter()
                .map(|t| (t.id.as_str().to_owned(), t))
                .collect(),
            max_body_bytes: self.max_body_bytes,
            max_batch_bytes: self.max_batch_bytes,
            ttls: self.ttls,
        })
    }
}

/// One tenant entry: an object with known fields, each of its type, given once.
fn parse_tenant(id: TenantId, entry: JsonObject<Value>) -> Result<TenantSpec, ConfigError> {
    let JsonObject::Object { members, duplicate } = entry else {
        return Err(ConfigError::tenant(&id, "entry", "must be a JSON object"));
    };
    if let Some(field) = duplicate {
        let message = match FIELDS.iter().find(|f| **f == field) {
            Some(f) => format!("field `{f}` is given twice"),
            None => "a field is given twice".to_owned(),
        };
        return Err(ConfigError::tenant(&id, "entry", message));
    }
    let mut fields: HashMap<&'static str, Value> = HashMap::new();
    for (key, value) in members {
        let Some(name) = FIELDS.iter().find(|f| **f == key) else {
            return Err(ConfigError::tenant(
                &id,
                "entry",
                format!("has an unknown field (allowed: {})", FIELDS.join(", ")),
            ));
        };
        fields.insert(name, value);
    }
    let string = |name: &str| -> Result<Option<String>, ConfigError> {
        match fields.get(name) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(ConfigError::tenant(&id, name, "must be a string")),
        }
    };

    let table = string("table")?.ok_or_else(|| ConfigError::tenant(&id, "table", "is required"))?;
    let table = TableName::parse(&table)
        .ok_or_else(|| ConfigError::tenant(&id, "table", "must match ^[A-Za-z0-9_.-]{3,255}$"))?;

    let secret = match (string("secret_env")?, string("secret_arn")?) {
        (Some(var), None) => SecretSource::Env(var),
        (None, Some(arn)) if is_secret_arn(&arn) => SecretSource::Arn(arn),
        (None, Some(_)) => {
            return Err(ConfigError::tenant(
                &id,
                "secret_arn",
                "must be a Secrets Manager secret ARN (arn:<partition>:secretsmanager:<region>:<account>:secret:<name>)",
            ))
        }
        _ => {
            return Err(ConfigError::tenant(
                &id,
                "secret_env",
                "exactly one of `secret_env` and `secret_arn` is required",
            ))
        }
    };

    let scheme = string("scheme")?;
    let sender = signature::sender(scheme.as_deref().unwrap_or(signature::DEFAULT_SCHEME))
        .ok_or_else(|| {
            let names: Vec<&str> = signature::senders().iter().map(|s| s.name).collect();
            ConfigError::tenant(
                &id,
                "scheme",
                format!("is not a known scheme (supported: {})", names.join(", ")),
            )
        })?;

    let tolerance = match fields.get("tolerance_seconds") {
        None => DEFAULT_TOLERANCE,
        Some(v) => v
            .as_u64()
            .filter(|t| (1..=MAX_TOLERANCE).contains(t))
            .ok_or_else(|| {
                ConfigError::tenant(
                    &id,
                    "tolerance_seconds",
                    format!("must be a whole number between 1 and {MAX_TOLERANCE}"),
                )
            })?,
    };

    let format = match string("format")? {
        None => Format::DEFAULT,
        Some(name) => Format::parse(&name).ok_or_else(|| {
            ConfigError::tenant(
                &id,
                "format",
                format!(
                    "is not a known format (supported: {})",
                    Format::names().join(", ")
                ),
            )
        })?,
    };
    if !format.accepts(sender) {
        let message = match format.spec().scheme {
            Some(needed) => format!(
                "`{}` needs scheme `{needed}`, not `{}`",
                format.name(),
                sender.name
            ),
            None => format!(
                "scheme `{}` sends its own events, not user events: use format `{}`",
                sender.name,
                Format::all()
                    .filter(|f| f.accepts(sender))
                    .map(Format::name)
                    .collect::<Vec<_>>()
                    .join("` or `")
            ),
        };
        return Err(ConfigError::tenant(&id, "format", message));
    }

    let public_url = match (string("public_url")?, sender.signs_url) {
        (Some(url), true) if is_public_url(&url) => Some(url),
        (Some(_), true) => {
            return Err(ConfigError::tenant(
                &id,
                "public_url",
                "must be the https:// URL the sender requests, without a query or fragment",
            ))
        }
        (None, true) => {
            return Err(ConfigError::tenant(
                &id,
                "public_url",
                format!(
                    "is required for scheme `{}`, which signs the URL it requests (as entered \
                     in its console)",
                    sender.name
                ),
            ))
        }
        (Some(_), false) => {
            return Err(ConfigError::tenant(
                &id,
                "public_url",
                format!("is not used by scheme `{}`", sender.name),
            ))
        }
        (None, false) => None,
    };

    let ledger = match string("ledger")? {
        None => Ledger::Delivery,
        Some(name) => Ledger::parse(&name)
            .ok_or_else(|| ConfigError::tenant(&id, "ledger", "must be `delivery` or `item`"))?,
    };
    if ledger == Ledger::Item && !format.writes_users() {
        return Err(ConfigError::tenant(
            &id,
            "ledger",
            format!(
                "`item` is for tenants that apply user events (v1, clerk-user), not `{}`",
                format.name()
            ),
        ));
    }

    Ok(TenantSpec {
        id,
        table,
        secret,
        sender,
        public_url,
        tolerance: Duration::from_secs(tolerance),
        format,
        ledger,
    })
}

/// `https://host[:port]/path`: no query, no fragment, no spaces, at most 2048 characters; none
/// of `$ { } " ' \`, which a template would read as a substitution or a quote (SPEC §13.1). A
/// path is required: the receiver's own always has one (`/webhooks/{tenant}`), and without one
/// the URL's two forms (`https://host`, `https://host:443`) would differ only at their end, where
/// a signed string goes on.
fn is_public_url(url: &str) -> bool {
    let Some(rest) = url.strip_prefix("https://") else {
        return false;
    };
    let host = rest.split('/').next().unwrap_or_default();
    url.len() <= 2048
        && !host.is_empty()
        && rest.len() > host.len()
        && !url.contains(['?', '#', '$', '{', '}', '"', '\'', '\\'])
        && url.bytes().all(|b| b.is_ascii_graphic())
}

fn is_secret_arn(arn: &str) -> bool {
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    parts.len() == 6
        && parts[0] == "arn"
        && parts[1].starts_with("aws")
        && parts[2] == "secretsmanager"
        && parts[5].starts_with("secret:")
}

/// A count of seconds checked positive.
fn seconds(s: i64) -> Duration {
    Duration::from_secs(u64::try_from(s).unwrap_or(0))
}

fn number_var(
    env: &impl Fn(&str) -> Option<String>,
    var: &str,
    default: i64,
) -> Result<i64, ConfigError> {
    match env(var) {
        None => Ok(default),
        Some(raw) => raw
            .parse()
            .map_err(|_| ConfigError::var(var, "must be a whole number")),
    }
}

/// Any JSON value, read as an object when it is one: members in order, and the first repeated key
/// (a plain map would silently keep the last one). Never fails on a value that is not an object,
/// so the caller words that error itself.
enum JsonObject<T> {
    Object {
        members: Vec<(String, T)>,
        duplicate: Option<String>,
    },
    NotObject,
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for JsonObject<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Members<T>(PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Shape<'de> for Members<T> {
            type Value = JsonObject<T>;
            fn object<A: MapAccess<'de>>(self, mut map: A) -> Result<JsonObject<T>, A::Error> {
                let mut members: Vec<(String, T)> = Vec::new();
                let mut duplicate = None;
                while let Some((k, v)) = map.next_entry::<String, T>()? {
                    if duplicate.is_none() && members.iter().any(|(seen, _)| *seen == k) {
                        duplicate = Some(k.clone());
                    }
                    members.push((k, v));
                }
                Ok(JsonObject::Object { members, duplicate })
            }
            fn other(self, _: Option<Scalar>) -> JsonObject<T> {
                JsonObject::NotObject
            }
        }
        d.deserialize_any(AnyValue(Members(PhantomData)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    const SECRET_2: &str = "whsec_c2Vjb25kLXNlY3JldC1rZXktYnl0ZXMh";

    fn load(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_env(|k| map.get(k).cloned())
    }

    fn tenants(json: &str) -> Result<Config, ConfigError> {
        load(&[(TENANTS_VAR, json), ("S", SECRET), ("S2", SECRET_2)])
    }

    fn err(r: Result<Config, ConfigError>) -> String {
        r.unwrap_err().to_string()
    }

    #[test]
    fn valid_config_with_defaults() {
        let c =
            tenants(r#"{"clientA": {"table": "app_clientA_events", "secret_env": "S"}}"#).unwrap();
        let t = c.tenant("clientA").unwrap();
        assert_eq!(t.table.as_str(), "app_clientA_events");
        assert_eq!(t.tolerance, Duration::from_secs(300));
        assert_eq!(c.max_body_bytes, 65536);
        assert_eq!(
            c.ttls(),
            Ttls {
                delivery: Duration::from_secs(604_800),
                tombstone: Duration::from_secs(2_592_000),
                inbox: Duration::from_secs(2_592_000),
            }
        );
        assert_eq!(t.format, Format::DEFAULT);
        assert!(c.tenant("clienta").is_none());
        assert!(c.tenant("clientA ").is_none());
    }

    #[test]
    fn each_mistake_names_tenant_and_field() {
        let cases: &[(&str, &str)] = &[
            (
                "not json",
                "WEBHOOK_TENANTS: is not valid JSON (line 1, column 2)",
            ),
            ("[]", "WEBHOOK_TENANTS: must be a JSON object of tenants"),
            ("{}", "lists no tenant"),
            (
                r#"{"bad slug": {"table": "abc", "secret_env": "S"}}"#,
                "WEBHOOK_TENANTS: tenant #1: its key must match",
            ),
            (
                r#"{"a": {"table": "abc", "secret_env": "S"}, "-x": {"table": "abd", "secret_env": "S2"}}"#,
                "tenant #2: its key must match",
            ),
            (
                r#"{"a": []}"#,
                "tenant `a`, field `entry`: must be a JSON object",
            ),
            (
                r#"{"a": {"table": "ab", "secret_env": "S"}}"#,
                "tenant `a`, field `table`",
            ),
            (
                r#"{"a": {"table": "a b c", "secret_env": "S"}}"#,
                "tenant `a`, field `table`",
            ),
            (
                r#"{"a": {"secret_env": "S"}}"#,
                "tenant `a`, field `table`: is required",
            ),
            (
                r#"{"a": {"table": 7, "secret_env": "S"}}"#,
                "tenant `a`, field `table`: must be a string",
            ),
            (
                r#"{"a": {"table": "abc", "secret_env": "NOPE"}}"#,
                "tenant `a`, field `secret_env`: names an environment variable that is not set",
            ),
            (
                r#"{"a": {"table": "abc"}}"#,
                "tenant `a`, field `secret_env`: exactly one",
            ),
            (
                r#"{"a": {"table": "abc", "secret_env": "S", "secret_arn": "arn:x"}}"#,
                "tenant `a`, field `secret_env`: exactly one",
            ),
            (
                r#"{"a": {"table": "abc", "secret_env": "S", "colour": 1}}"#,
                "tenant `a`, field `entry`: has an unknown field (allowed: table,",
            ),
            (
                r#"{"a": {"table": "abc", "secret_env": "S", "table": "abd"}}"#,
                "tenant `a`, field `entry`: field `table` is given twice",
            ),
            (
                r#"{"a": {"table": "abc", "secret_env": "S", "scheme": "md5"}}"#,
                "tenant `a`, field `scheme`: is not a known scheme (supported: standard-webhooks,",
            ),
            (
                r#"{"a": {"table": "abc", "secret_env": "S", "tolerance_seconds": 0}}"#,
                "tenant `a`, field `tolerance_seconds`",
            ),
            (
                r#"{"a": {"table": "abc", "secret_env": "S", "tolerance_seconds": 3601}}"#,
                "tenant `a`, field `tolerance_seconds`",
            ),
            (
                r#"{"a": {"table": "abc", "secret_env": "S", "tolerance_seconds": "60"}}"#,
                "tenant `a`, field `tolerance_seconds`: must be a whole number",
            ),
            (
                r#"{"a": {"table": "abc", "secret_env": "S"}, "a": {"table": "abd", "secret_env": "S2"}}"#,
                "tenant `a` is listed twice",
            ),
            (
                r#"{"a": {"table": "abc", "secret_env": "S", "format": "xml"}}"#,
                "tenant `a`, field `format`: is not a known format (supported: v1, inbox, clerk-user)",
            ),
            (
                r#"{"a": {"table": "abc", "secret_env": "S", "format": 1}}"#,
                "tenant `a`, field `format`: must be a string",
            ),
            (
                r#"{"a": {"table": "abc", "secret_env": "S", "scheme": "stripe", "format": "clerk-user"}}"#,
                "tenant `a`, field `format`: `clerk-user` needs scheme `standard-webhooks`, not `stripe`",
            ),
            (
                r#"{"a": {"table": "abc", "secret_env": "S", "scheme": "twilio", "format": "inbox"}}"#,
                "tenant `a`, field `public_url`: is required for scheme `twilio`",
            ),
            (
                r#"{"a": {"table": "abc", "secret_env": "S", "scheme": "twilio", "format": "inbox", "public_url": "http://x.example/hook"}}"#,
                "tenant `a`, field `public_url`: must be the https:// URL the sender requests, without a query or fragment",
            ),
            (
                r#"{"a": {"table": "abc", "secret_env": "S", "scheme": "twilio", "format": "inbox", "public_url": "https://x.example/hook?a=1"}}"#,
                "tenant `a`, field `public_url`: must be the https:// URL",
            ),
            (
                r#"{"a": {"table": "abc", "secret_env": "S", "scheme": "stripe", "public_url": "https://x.example/hook"}}"#,
                "tenant `a`, field `public_url`: is not used by scheme `stripe`",
            ),
            (
                r#"{"a": {"table": "abc", "secret_env": "S", "scheme": "paddle"}}"#,
                "tenant `a`, field `format`: scheme `paddle` sends its own events, not user events: use format `inbox`",
            ),
            (
                r#"{"a": {"table": "abc", "secret_env": "S"}, "b": {"table": "abc", "secret_env": "S2"}}"#,
                "tenant `b`, field `table`: is also tenant `a`'s table; each tenant needs its own",
            ),
            (
                r#"{"a": {"table": "abc", "secret_env": "S"}, "b": {"table": "abd", "secret_env": "S"}}"#,
                "tenant `b`, field `secret_env`: holds a secret that tenant `a` also uses",
            ),
        ];
        for (json, want) in cases {
            let got = err(tenants(json));
            assert!(got.contains(want), "{json}\n got: {got}\nwant: {want}");
        }
    }

    /// The same key in two tenants is refused even when it comes from different variables, or
    /// is one of several during a rotation.
    #[test]
    fn a_shared_key_is_found_behind_other_variables() {
        let json = r#"{"a": {"table": "abc", "secret_env": "S"}, "b": {"table": "abd", "secret_env": "S3"}}"#;
        let rotation = format!("{SECRET_2} {SECRET}");
        let got = err(load(&[
            (TENANTS_VAR, json),
            ("S", SECRET),
            ("S3", &rotation),
        ]));
        assert!(
            got.contains("tenant `b`, field `secret_env`: holds a secret that tenant `a`"),
            "{got}"
        );
        assert!(!got.contains("MfKQ"), "{got}");
    }

    /// No configured value but slugs, field names and table names is ever printed: here every
    /// mistake is made with a secret-looking value in the place of a name.
    #[test]
    fn init_errors_never_echo_configured_values() {
        let leak = "whsec_PASTED0SECRET0VALUE0123456789";
        let cases = [
            format!(r#"{{"a": {{"table": "abc", "secret_env": "{leak}"}}}}"#),
            format!(r#"{{"a": {{"table": "abc", "secret_arn": "{leak}"}}}}"#),
            format!(r#"{{"a": {{"table": "abc", "secret_env": "S", "scheme": "{leak}"}}}}"#),
            format!(r#"{{"a": {{"table": "abc", "secret_env": "S", "{leak}": 1}}}}"#),
            format!(r#"{{"a": {{"table": "abc", "secret_env": "S", "{leak}": 1, "{leak}": 2}}}}"#),
            format!(r#"{{"{leak}!": {{"table": "abc", "secret_env": "S"}}}}"#),
            format!(
                r#"{{"a": {{"table": "abc", "secret_env": "S", "tolerance_seconds": "{leak}"}}}}"#
            ),
            format!(r#"{{"a": {{"table": ["{leak}"], "secret_env": "S"}}}}"#),
            format!(r#"{{"a": {{"table": "{leak}!", "secret_env": "S"}}}}"#),
            format!(r#"{{"a": "{leak}"}}"#),
            format!(r#"["{leak}"]"#),
            format!(r#"{{"a": {{"table": "abc", "secret_env": "{leak}}}"#),
        ];
        for json in cases {
            let got = err(tenants(&json));
            assert!(!got.contains("PASTED0SECRET"), "{json}\n echoed: {got}");
        }
    }

    #[test]
    fn secret_arn_uses_the_fetched_secret() {
        let arn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:webhook/clientA-AbCdEf";
        let json = format!(r#"{{"a": {{"table": "abc", "secret_arn": "{arn}"}}}}"#);
        let env = |k: &str| (k == TENANTS_VAR).then(|| json.clone());
        let unresolved = parse(&env).unwrap();
        assert_eq!(unresolved.secret_arns(), vec![arn]);

        let resolve = |fetched: FetchedSecrets| parse(&env).unwrap().resolve(&env, &fetched);
        assert!(resolve(FetchedSecrets::from([(
            arn.to_owned(),
            Ok(SECRET.to_owned())
        )]))
        .is_ok());

        let missing = FetchedSecrets::from([(
            arn.to_owned(),
            Err(FetchError::Service("ResourceNotFoundException".into())),
        )]);
        let got = err(resolve(missing));
        assert!(
            got.contains(
                "tenant `a`, field `secret_arn`: could not be read: ResourceNotFoundException"
            ),
            "{got}"
        );
        assert!(!got.contains("clientA-AbCdEf"), "{got}");

        let bad = FetchedSecrets::from([(arn.to_owned(), Ok("not-whsec".to_owned()))]);
        let got = err(resolve(bad));
        assert!(
            got.contains("field `secret_arn`: secret #1") && !got.contains("not-whsec"),
            "{got}"
        );

        let got = err(Config::from_env(env));
        assert!(got.contains("field `secret_arn`: was not fetched"), "{got}");

        let json = r#"{"a": {"table": "abc", "secret_arn": "webhook/clientA"}}"#;
        let got = err(tenants(json));
        assert!(
            got.contains("field `secret_arn`: must be a Secrets Manager secret ARN"),
            "{got}"
        );
    }

    #[test]
    fn bad_secret_is_named_but_never_printed() {
        let json = r#"{"a": {"table": "abc", "secret_env": "S"}}"#;
        let raw = r#"{"a": {"table": "abc", "secret_env": "S", "scheme": "github"}}"#;
        for (tenants, secret) in [
            (json, "not-a-whsec-secret"),
            (json, "whsec_c2hvcnQ="),
            (json, "whsec_%%%%"),
            // Raw-string schemes: at least 16 bytes, and never a JSON document split into words.
            (raw, "short-secret"),
            (raw, r#"{"clientA": "a-long-enough-secret-value"}"#),
            (raw, r#"["a-long-enough-secret-value"]"#),
            (
                json,
                r#"{"secret": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"}"#,
            ),
        ] {
            let got = err(load(&[(TENANTS_VAR, tenants), ("S", secret)]));
            assert!(got.contains("tenant `a`, field `secret_env`"), "{got}");
            assert!(!got.contains(secret), "{got}");
            assert!(
                !got.contains("MfKQ") && !got.contains("long-enough"),
                "{got}"
            );
        }
        let got = err(load(&[(TENANTS_VAR, json), ("S", "")]));
        assert!(got.contains("no secret given"), "{got}");
        let got = err(load(&[(TENANTS_VAR, raw), ("S", "{\"k\": \"v\"}")]));
        assert!(got.contains("a JSON document"), "{got}");
        assert!(load(&[(TENANTS_VAR, raw), ("S", "sixteen-bytes-ok")]).is_ok());

        // Eight secrets at most: each costs an HMAC of the body for every unsigned request.
        let nine: Vec<String> = (0..9)
            .map(|i| format!("rotation-secret-number-{i}"))
            .collect();
        let got = err(load(&[(TENANTS_VAR, raw), ("S", &nine.join(" "))]));
        assert_eq!(
            got,
            "invalid configuration: WEBHOOK_TENANTS: tenant `a`, field `secret_env`: lists 9 \
             secrets; at most 8 (each costs an HMAC of the body per request)"
        );
        assert!(load(&[(TENANTS_VAR, raw), ("S", &nine[..8].join(" "))]).is_ok());
    }

    #[test]
    fn globals_are_checked() {
        let json = r#"{"a": {"table": "abc", "secret_env": "S", "tolerance_seconds": 3600}}"#;
        let base = [(TENANTS_VAR, json), ("S", SECRET)];
        let with = |k, v| {
            let mut vars = base.to_vec();
            vars.push((k, v));
            err(load(&vars))
        };
        assert!(with(MAX_BODY_VAR, "262145").contains(MAX_BODY_VAR));
        assert!(with(MAX_BODY_VAR, "0").contains(MAX_BODY_VAR));
        assert!(with(MAX_BODY_VAR, "lots").contains("whole number"));
        assert!(with(DELIVERY_TTL_VAR, "7200").contains("twice the largest tolerance"));
        assert!(with(TOMBSTONE_TTL_VAR, "0").contains(TOMBSTONE_TTL_VAR));
        assert!(with(INBOX_TTL_VAR, "0").contains(INBOX_TTL_VAR));
        // An inbox item is its own deduplication record: it must outlive a replay's window.
        assert_eq!(
            with(INBOX_TTL_VAR, "7200"),
            "invalid configuration: WEBHOOK_INBOX_TTL_SECONDS: must exceed twice the largest \
             tolerance (3600 s)"
        );
        let mut vars = base.to_vec();
        vars.push((INBOX_TTL_VAR, "7201"));
        assert!(load(&vars).is_ok());
        assert!(load(&base).is_ok());
        assert!(err(load(&[("S", SECRET)])).contains("WEBHOOK_TENANTS: is not set"));
    }

    #[test]
    fn debug_never_shows_secrets() {
        let c = tenants(r#"{"a": {"table": "abc", "secret_env": "S"}}"#).unwrap();
        let dump = format!("{c:?}");
        assert!(!dump.contains("MfKQ9r8"), "{dump}");
        assert!(dump.contains("redacted"), "{dump}");
    }
}
