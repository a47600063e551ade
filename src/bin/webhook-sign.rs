//! webhook-sign: signs an API Gateway sample event with the current time, for `make invoke`,
//! `make send` and senders' integration tests.
//!
//! usage: webhook-sign [--scheme SCHEME] [--secret-env VAR] [--curl BASE_URL] EVENT.json
//!        webhook-sign --local-env | --fuzz-dict | --check-tenants TENANTS.json
//!   Without --scheme, fills the `<now>` / `<sign>` placeholders (the scheme is the one whose
//!   signature header holds `<sign>`). With --scheme, writes that scheme's headers outright.
//!   The secret comes from the variable VAR; by default WEBHOOK_SIGNING_KEY_<SLUG> when set
//!   (a sender's private key), else the one the event's tenant names as `secret_env` in
//!   WEBHOOK_TENANTS (WEBHOOK_SECRET_CLIENTA when the path names no known tenant). It is never
//!   printed. The sender signs with the first key of each kind the variable lists. Prints the signed event, or with
//!   --curl a curl command that sends it to BASE_URL.
//!   --local-env prints local.env (the demo tenants of every sender); --fuzz-dict prints the
//!   fuzzers' dictionary (every sender's header names); --check-tenants checks a deployment's
//!   tenant list by the function's own configuration rules (scripts/tenants.py asks it before
//!   writing the template).

use std::process::ExitCode;
use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::Value;
use webhook_receiver::signing::{
    check_tenants, curl_command, fuzz_dictionary, local_env, sign_event_as, sign_event_for,
    signing_key_env,
};

const DEFAULT_SECRET_ENV: &str = "WEBHOOK_SECRET_CLIENTA";
const USAGE: &str = "usage: webhook-sign [--scheme SCHEME] [--secret-env VAR] [--curl BASE_URL] \
     EVENT.json | --local-env | --fuzz-dict | --check-tenants TENANTS.json";

fn main() -> ExitCode {
    match run() {
        Ok(out) => {
            println!("{out}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("webhook-sign: {e}");
            ExitCode::from(2)
        }
    }
}

fn run() -> Result<String, String> {
    let mut secret_env = None;
    let mut scheme = None;
    let mut curl = None;
    let mut file = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--secret-env" => secret_env = Some(args.next().ok_or("--secret-env needs a name")?),
            "--scheme" => scheme = Some(args.next().ok_or("--scheme needs a name")?),
            "--curl" => curl = Some(args.next().ok_or("--curl needs a base URL")?),
            "-h" | "--help" => return Err(USAGE.into()),
            // Both end with a newline already.
            "--local-env" => return Ok(local_env().trim_end().to_owned()),
            "--fuzz-dict" => return Ok(fuzz_dictionary().trim_end().to_owned()),
            "--check-tenants" => {
                let path = args.next().ok_or("--check-tenants needs a file")?;
                let text = std::fs::read_to_string(&path).map_err(|e| format!("{path}: {e}"))?;
                let doc = serde_json::from_str(&text).map_err(|e| format!("{path}: {e}"))?;
                let n = check_tenants(&doc).map_err(|e| format!("{path}: {e}"))?;
                return Ok(format!(
                    "{path}: {n} tenants, each one the function accepts"
                ));
            }
            _ if file.is_none() => file = Some(arg),
            _ => return Err(format!("unexpected argument `{arg}`")),
        }
    }
    let file = file.ok_or(USAGE)?;
    let text = std::fs::read_to_string(&file).map_err(|e| format!("{file}: {e}"))?;
    let mut event: Value = serde_json::from_str(&text).map_err(|e| format!("{file}: {e}"))?;

    let secret_env = match secret_env {
        Some(var) => var,
        // Events that never reach a tenant (wrong path, unknown tenant) sign as clientA's.
        None => tenant_secret_env(&event).or_else(|why| {
            [signing_key_env("clientA"), DEFAULT_SECRET_ENV.to_owned()]
                .into_iter()
                .find(|var| std::env::var_os(var).is_some())
                .ok_or(why)
        })?,
    };
    let secret = std::env::var(&secret_env).map_err(|_| format!("{secret_env} is not set"))?;
    // The sender signs with the first key of each kind it holds.
    let first = secret.as_str();
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_err(|e| e.to_string())?
        .as_secs() as i64;
    // A sender that signs its URL signs the tenant's `public_url`.
    let public_url = tenant_entry(&event)
        .ok()
        .and_then(|entry| entry["public_url"].as_str().map(str::to_owned));
    let url = public_url.as_deref();
    match scheme {
        Some(scheme) => sign_event_as(&mut event, &scheme, first, now, url)?,
        None => sign_event_for(&mut event, first, now, url)?,
    }
    match curl {
        Some(base) => curl_command(&event, &base),
        None => serde_json::to_string_pretty(&event).map_err(|e| e.to_string()),
    }
}

/// The tenant the event's path names, and its `WEBHOOK_TENANTS` entry.
fn tenant_entry(event: &Value) -> Result<Value, String> {
    let path = event
        .get("rawPath")
        .or_else(|| event.get("path"))
        .and_then(Value::as_str)
        .unwrap_or_default();
    let tenant = path
        .rsplit_once("/webhooks/")
        .map(|(_, t)| t)
        .ok_or_else(|| {
            format!("no /webhooks/{{tenant}} in the event's path `{path}`; pass --secret-env")
        })?;
    let tenants: Value = std::env::var("WEBHOOK_TENANTS")
        .ok()
        .and_then(|raw| serde_json::from_str(&raw).ok())
        .ok_or("WEBHOOK_TENANTS is not set or not JSON; pass --secret-env")?;
    let mut entry = tenants[tenant].clone();
    entry["slug"] = Value::from(tenant);
    Ok(entry)
}

/// What signs for the tenant in the event's path: its sender's own key in
/// `WEBHOOK_SIGNING_KEY_<SLUG>` when that is set (a private key, whose public key the tenant
/// lists; never read by the receiver), else the `secret_env` that WEBHOOK_TENANTS gives it.
fn tenant_secret_env(event: &Value) -> Result<String, String> {
    let entry = tenant_entry(event)?;
    let tenant = entry["slug"].as_str().unwrap_or_default();
    let own_key = signing_key_env(tenant);
    if std::env::var_os(&own_key).is_some() {
        return Ok(own_key);
    }
    entry["secret_env"]
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| {
            format!("tenant `{tenant}` has no secret_env in WEBHOOK_TENANTS; pass --secret-env")
        })
}
