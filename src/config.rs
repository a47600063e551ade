//! Configuration, read and checked once at cold start. Any mistake fails init with one message
//! naming the tenant and the field; secrets never appear in a message or a `Debug`.

use std::collections::HashMap;
use std::fmt;

use serde::de::{MapAccess, Visitor};
use serde::{Deserialize, Deserializer};

use crate::signature::{standard_webhooks, Verifier};

pub const TENANTS_VAR: &str = "WEBHOOK_TENANTS";
pub const MAX_BODY_VAR: &str = "WEBHOOK_MAX_BODY_BYTES";
pub const DELIVERY_TTL_VAR: &str = "WEBHOOK_DELIVERY_TTL_SECONDS";
pub const TOMBSTONE_TTL_VAR: &str = "WEBHOOK_TOMBSTONE_TTL_SECONDS";

const DEFAULT_MAX_BODY: usize = 65_536;
const MAX_MAX_BODY: usize = 262_144;
const DEFAULT_DELIVERY_TTL: i64 = 604_800;
const DEFAULT_TOMBSTONE_TTL: i64 = 2_592_000;
const DEFAULT_TOLERANCE: i64 = 300;
const MAX_TOLERANCE: i64 = 3600;

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

    fn tenant(tenant: &str, field: &str, message: impl Into<String>) -> Self {
        Self {
            location: format!(
                "{TENANTS_VAR}: tenant `{}`, field `{field}`",
                tenant.escape_debug()
            ),
            message: message.into(),
        }
    }
}

/// A tenant slug from the allowlist: `^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TenantId(String);

impl TenantId {
    pub fn parse(raw: &str) -> Option<Self> {
        let bytes = raw.as_bytes();
        let ok = (1..=63).contains(&bytes.len())
            && bytes[0].is_ascii_alphanumeric()
            && bytes
                .iter()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-'));
        ok.then(|| Self(raw.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A DynamoDB table name: `^[A-Za-z0-9_.-]{3,255}$`. Only configuration makes one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableName(String);

impl TableName {
    fn parse(raw: &str) -> Option<Self> {
        let ok = (3..=255).contains(&raw.len())
            && raw
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'));
        ok.then(|| Self(raw.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[derive(Debug, Clone)]
pub struct Tenant {
    pub id: TenantId,
    pub table: TableName,
    pub verifier: Verifier,
    pub tolerance_seconds: i64,
}

#[derive(Debug, Clone)]
pub struct Config {
    tenants: HashMap<String, Tenant>,
    pub max_body_bytes: usize,
    pub delivery_ttl_seconds: i64,
    pub tombstone_ttl_seconds: i64,
}

/// One entry of `WEBHOOK_TENANTS` as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TenantEntry {
    table: String,
    secret_env: Option<String>,
    secret_arn: Option<String>,
    scheme: Option<String>,
    tolerance_seconds: Option<i64>,
}

/// The tenants object, keeping entries in order and refusing a repeated key
/// (a plain map would silently keep the last one).
struct Entries(Vec<(String, serde_json::Value)>);

impl<'de> Deserialize<'de> for Entries {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Entries;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a JSON object of tenants")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Entries, A::Error> {
                let mut out: Vec<(String, serde_json::Value)> = Vec::new();
                while let Some((k, v)) = map.next_entry::<String, serde_json::Value>()? {
                    if out.iter().any(|(seen, _)| *seen == k) {
                        return Err(serde::de::Error::custom(format!(
                            "tenant `{}` is listed twice",
                            k.escape_debug()
                        )));
                    }
                    out.push((k, v));
                }
                Ok(Entries(out))
            }
        }
        d.deserialize_map(V)
    }
}

/// Secrets Manager answers for `secret_arn` tenants, by ARN: the secret string, or why it could
/// not be read (never containing secret material).
pub type FetchedSecrets = HashMap<String, Result<String, String>>;

/// The `secret_arn`s that `WEBHOOK_TENANTS` names, to fetch before [`Config::from_env_with_secrets`].
/// A malformed `WEBHOOK_TENANTS` yields none here and is reported by the full parse.
pub fn secret_arns(env: impl Fn(&str) -> Option<String>) -> Vec<String> {
    let Some(raw) = env(TENANTS_VAR) else {
        return Vec::new();
    };
    let Ok(serde_json::Value::Object(tenants)) = serde_json::from_str(&raw) else {
        return Vec::new();
    };
    let mut arns: Vec<String> = tenants
        .values()
        .filter_map(|t| t.get("secret_arn")?.as_str().map(str::to_owned))
        .collect();
    arns.sort();
    arns.dedup();
    arns
}

impl Config {
    /// Reads the configuration through `env` (the process environment in production; a map in
    /// tests). Tenants with `secret_arn` need [`Config::from_env_with_secrets`].
    pub fn from_env(env: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        Self::from_env_with_secrets(env, &FetchedSecrets::new())
    }

    /// As [`Config::from_env`], with the secrets already fetched for `secret_arn` tenants.
    pub fn from_env_with_secrets(
        env: impl Fn(&str) -> Option<String>,
        fetched: &FetchedSecrets,
    ) -> Result<Self, ConfigError> {
        let raw = env(TENANTS_VAR).ok_or_else(|| ConfigError::var(TENANTS_VAR, "is not set"))?;
        let Entries(entries) = serde_json::from_str(&raw)
            .map_err(|e| ConfigError::var(TENANTS_VAR, format!("is not valid: {e}")))?;
        if entries.is_empty() {
            return Err(ConfigError::var(TENANTS_VAR, "lists no tenant"));
        }

        let mut tenants = HashMap::with_capacity(entries.len());
        for (slug, value) in entries {
            let tenant = parse_tenant(&slug, value, &env, fetched)?;
            tenants.insert(slug, tenant);
        }

        let max_body_bytes = number_var(&env, MAX_BODY_VAR, DEFAULT_MAX_BODY as i64)?;
        if !(1..=MAX_MAX_BODY as i64).contains(&max_body_bytes) {
            return Err(ConfigError::var(
                MAX_BODY_VAR,
                format!("must be between 1 and {MAX_MAX_BODY}"),
            ));
        }
        let delivery_ttl_seconds = number_var(&env, DELIVERY_TTL_VAR, DEFAULT_DELIVERY_TTL)?;
        let largest_tolerance = tenants
            .values()
            .map(|t: &Tenant| t.tolerance_seconds)
            .max()
            .unwrap_or(DEFAULT_TOLERANCE);
        if delivery_ttl_seconds <= 2 * largest_tolerance {
            return Err(ConfigError::var(
                DELIVERY_TTL_VAR,
                format!("must exceed twice the largest tolerance ({largest_tolerance} s)"),
            ));
        }
        let tombstone_ttl_seconds = number_var(&env, TOMBSTONE_TTL_VAR, DEFAULT_TOMBSTONE_TTL)?;
        if tombstone_ttl_seconds < 1 {
            return Err(ConfigError::var(TOMBSTONE_TTL_VAR, "must be positive"));
        }

        Ok(Self {
            tenants,
            max_body_bytes: max_body_bytes as usize,
            delivery_ttl_seconds,
            tombstone_ttl_seconds,
        })
    }

    /// The tenant for a raw path segment, matched exactly: no decoding, folding or trimming.
    pub fn tenant(&self, segment: &str) -> Option<&Tenant> {
        self.tenants.get(segment)
    }
}

fn parse_tenant(
    slug: &str,
    value: serde_json::Value,
    env: &impl Fn(&str) -> Option<String>,
    fetched: &FetchedSecrets,
) -> Result<Tenant, ConfigError> {
    let id = TenantId::parse(slug).ok_or_else(|| {
        ConfigError::tenant(slug, "key", "must match ^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$")
    })?;
    let entry: TenantEntry = serde_json::from_value(value)
        .map_err(|e| ConfigError::tenant(slug, "entry", e.to_string()))?;
    let table = TableName::parse(&entry.table)
        .ok_or_else(|| ConfigError::tenant(slug, "table", "must match ^[A-Za-z0-9_.-]{3,255}$"))?;
    let tolerance_seconds = entry.tolerance_seconds.unwrap_or(DEFAULT_TOLERANCE);
    if !(1..=MAX_TOLERANCE).contains(&tolerance_seconds) {
        return Err(ConfigError::tenant(
            slug,
            "tolerance_seconds",
            format!("must be between 1 and {MAX_TOLERANCE}"),
        ));
    }
    let scheme = entry.scheme.as_deref().unwrap_or(standard_webhooks::SCHEME);

    let entry_uses_arn = entry.secret_arn.is_some();
    let secrets = match (entry.secret_env, entry.secret_arn) {
        (Some(var), None) => env(&var).ok_or_else(|| {
            ConfigError::tenant(
                slug,
                "secret_env",
                format!("environment variable `{}` is not set", var.escape_debug()),
            )
        })?,
        (None, Some(arn)) => {
            if !is_secret_arn(&arn) {
                return Err(ConfigError::tenant(
                    slug,
                    "secret_arn",
                    "must be a Secrets Manager ARN (arn:<partition>:secretsmanager:...)",
                ));
            }
            match fetched.get(&arn) {
                Some(Ok(secret)) => secret.clone(),
                Some(Err(why)) => {
                    return Err(ConfigError::tenant(
                        slug,
                        "secret_arn",
                        format!("could not be read: {why}"),
                    ))
                }
                None => {
                    return Err(ConfigError::tenant(
                        slug,
                        "secret_arn",
                        "was not fetched from Secrets Manager",
                    ))
                }
            }
        }
        _ => {
            return Err(ConfigError::tenant(
                slug,
                "secret_env",
                "exactly one of `secret_env` and `secret_arn` is required",
            ))
        }
    };
    let secret_field = if entry_uses_arn {
        "secret_arn"
    } else {
        "secret_env"
    };
    let verifier = Verifier::from_secrets(scheme, &secrets).map_err(|why| {
        let field = if Verifier::SCHEMES.contains(&scheme) {
            secret_field
        } else {
            "scheme"
        };
        ConfigError::tenant(slug, field, why)
    })?;

    Ok(Tenant {
        id,
        table,
        verifier,
        tolerance_seconds,
    })
}

fn is_secret_arn(arn: &str) -> bool {
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    parts.len() == 6
        && parts[0] == "arn"
        && parts[1].starts_with("aws")
        && parts[2] == "secretsmanager"
        && parts[5].starts_with("secret:")
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

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

    fn load(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_env(|k| map.get(k).cloned())
    }

    fn tenants(json: &str) -> Result<Config, ConfigError> {
        load(&[(TENANTS_VAR, json), ("S", SECRET)])
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
        assert_eq!(t.tolerance_seconds, 300);
        assert_eq!(c.max_body_bytes, 65536);
        assert_eq!(c.delivery_ttl_seconds, 604800);
        assert_eq!(c.tombstone_ttl_seconds, 2592000);
        assert!(c.tenant("clienta").is_none());
        assert!(c.tenant("clientA ").is_none());
    }

    #[test]
    fn each_mistake_names_tenant_and_field() {
        let cases: &[(&str, &str)] = &[
            ("not json", "WEBHOOK_TENANTS: is not valid"),
            ("[]", "WEBHOOK_TENANTS: is not valid"),
            ("{}", "lists no tenant"),
            (
                r#"{"bad slug": {"table": "abc", "secret_env": "S"}}"#,
                "tenant `bad slug`, field `key`",
            ),
            (
                r#"{"-x": {"table": "abc", "secret_env": "S"}}"#,
                "tenant `-x`, field `key`",
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
                r#"{"a": {"table": "abc", "secret_env": "NOPE"}}"#,
                "tenant `a`, field `secret_env`: environment variable `NOPE` is not set",
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
                "tenant `a`, field `entry`: unknown field `colour`",
            ),
            (
                r#"{"a": {"table": "abc", "secret_env": "S", "scheme": "md5"}}"#,
                "tenant `a`, field `scheme`: unknown scheme `md5`",
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
                r#"{"a": {"table": "abc", "secret_env": "S"}, "a": {"table": "abd", "secret_env": "S"}}"#,
                "tenant `a` is listed twice",
            ),
        ];
        for (json, want) in cases {
            let got = err(tenants(json));
            assert!(got.contains(want), "{json}\n got: {got}\nwant: {want}");
        }
    }

    #[test]
    fn secret_arn_uses_the_fetched_secret() {
        let arn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:webhook/clientA-AbCdEf";
        let json = format!(r#"{{"a": {{"table": "abc", "secret_arn": "{arn}"}}}}"#);
        let env = |k: &str| (k == TENANTS_VAR).then(|| json.clone());
        assert_eq!(secret_arns(env), vec![arn.to_owned()]);

        let ok = FetchedSecrets::from([(arn.to_owned(), Ok(SECRET.to_owned()))]);
        assert!(Config::from_env_with_secrets(env, &ok).is_ok());

        let missing =
            FetchedSecrets::from([(arn.to_owned(), Err("ResourceNotFoundException".into()))]);
        let got = Config::from_env_with_secrets(env, &missing)
            .unwrap_err()
            .to_string();
        assert!(
            got.contains(
                "tenant `a`, field `secret_arn`: could not be read: ResourceNotFoundException"
            ),
            "{got}"
        );

        let bad = FetchedSecrets::from([(arn.to_owned(), Ok("not-whsec".to_owned()))]);
        let got = Config::from_env_with_secrets(env, &bad)
            .unwrap_err()
            .to_string();
        assert!(
            got.contains("field `secret_arn`: secret #1") && !got.contains("not-whsec"),
            "{got}"
        );

        let got = Config::from_env(env).unwrap_err().to_string();
        assert!(got.contains("field `secret_arn`: was not fetched"), "{got}");

        let json = r#"{"a": {"table": "abc", "secret_arn": "webhook/clientA"}}"#;
        let got = err(tenants(json));
        assert!(
            got.contains("field `secret_arn`: must be a Secrets Manager ARN"),
            "{got}"
        );
    }

    #[test]
    fn bad_secret_is_named_but_never_printed() {
        let json = r#"{"a": {"table": "abc", "secret_env": "S"}}"#;
        for secret in ["not-a-whsec-secret", "whsec_c2hvcnQ=", "whsec_%%%%"] {
            let got = err(load(&[(TENANTS_VAR, json), ("S", secret)]));
            assert!(got.contains("tenant `a`, field `secret_env`"), "{got}");
            assert!(!got.contains(secret), "{got}");
        }
        let got = err(load(&[(TENANTS_VAR, json), ("S", "")]));
        assert!(got.contains("no secret given"), "{got}");
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
