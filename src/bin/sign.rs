//! webhook-sign: fills the `<now>` / `<sign>` placeholders of an API Gateway sample event with the
//! current time and a valid Standard Webhooks signature, for `make invoke` and local curl tests.
//!
//! usage: webhook-sign [--secret-env VAR] [--curl BASE_URL] EVENT.json
//!   prints the signed event (or, with --curl, a curl command that sends it to BASE_URL).
//!   The secret is read from the variable VAR (default WEBHOOK_SECRET_CLIENTA); it is never printed.

use std::process::ExitCode;
use std::time::{SystemTime, UNIX_EPOCH};

use webhook_receiver::signing::{curl_command, sign_event};

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
    let mut secret_env = "WEBHOOK_SECRET_CLIENTA".to_owned();
    let mut curl = None;
    let mut file = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--secret-env" => secret_env = args.next().ok_or("--secret-env needs a name")?,
            "--curl" => curl = Some(args.next().ok_or("--curl needs a base URL")?),
            "-h" | "--help" => {
                return Err(
                    "usage: webhook-sign [--secret-env VAR] [--curl BASE_URL] EVENT.json".into(),
                )
            }
            _ if file.is_none() => file = Some(arg),
            _ => return Err(format!("unexpected argument `{arg}`")),
        }
    }
    let file = file.ok_or("usage: webhook-sign [--secret-env VAR] [--curl BASE_URL] EVENT.json")?;
    let secret = std::env::var(&secret_env).map_err(|_| format!("{secret_env} is not set"))?;
    let text = std::fs::read_to_string(&file).map_err(|e| format!("{file}: {e}"))?;
    let mut event: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| format!("{file}: {e}"))?;
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_err(|e| e.to_string())?
        .as_secs() as i64;
    // Only the first secret of a rotation list signs.
    let first = secret.split_ascii_whitespace().next().unwrap_or_default();
    sign_event(&mut event, first, now)?;
    match curl {
        Some(base) => curl_command(&event, &base),
        None => serde_json::to_string_pretty(&event).map_err(|e| e.to_string()),
    }
}
