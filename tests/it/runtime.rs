//! The function binary as Lambda runs it: `lambda_runtime` serving invocations from a stand-in
//! Runtime API on loopback that answers as Lambda's does (headers and body in one write). Every
//! invocation is answered in its origin's shape with its own request id, the X-Ray trace of the
//! invocation reaches the log line, and one kept-alive connection serves them all.

use std::process::Stdio;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{json, Value};
use tokio::io::AsyncWriteExt;
use tokio::sync::mpsc;
use webhook_receiver::signing::{local_env, sign_as_demo};

use crate::support::{fixture, read_http_request, Reply};

/// Hands out `events` (raw invocation payloads, JSON or not) as invocations `req-0`, `req-1`, … and sends
/// each posted answer (request id, endpoint, body) back; after the last event, `next` is held
/// open, as Lambda holds it.
async fn stand_in(
    events: Vec<Vec<u8>>,
) -> (
    String,
    mpsc::UnboundedReceiver<(String, String, Value)>,
    Arc<AtomicUsize>,
) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let (answers, received) = mpsc::unbounded_channel();
    let connections = Arc::new(AtomicUsize::new(0));
    let c = Arc::clone(&connections);
    let events = Arc::new(Mutex::new(
        events.into_iter().enumerate().collect::<Vec<_>>(),
    ));
    tokio::spawn(async move {
        while let Ok((mut sock, _)) = listener.accept().await {
            c.fetch_add(1, Ordering::SeqCst);
            let (answers, events) = (answers.clone(), Arc::clone(&events));
            tokio::spawn(async move {
                let mut buf = Vec::new();
                while let Some((head, body)) = read_http_request(&mut sock, &mut buf).await {
                    let reply = if head.starts_with("GET ") {
                        let next = {
                            let mut events = events.lock().unwrap();
                            (!events.is_empty()).then(|| events.remove(0))
                        };
                        let Some((i, event)) = next else {
                            std::future::pending::<()>().await;
                            return;
                        };
                        let mut reply = format!(
                            "HTTP/1.1 200 OK\r\nlambda-runtime-aws-request-id: req-{i}\r\n\
                             lambda-runtime-trace-id: Root=1-5e1b4151-5ac6c58f{i:016x};Parent=1;Sampled=1\r\n\
                             lambda-runtime-deadline-ms: 4102444800000\r\n\
                             lambda-runtime-invoked-function-arn: arn:aws:lambda:us-east-1:123456789012:function:f\r\n\
                             content-type: application/json\r\ncontent-length: {}\r\n\r\n",
                            event.len()
                        )
                        .into_bytes();
                        reply.extend(event);
                        reply
                    } else {
                        let mut path = head.split(' ').nth(1).unwrap_or_default().split('/');
                        let (id, what) = (path.nth(4).unwrap_or_default(), path.next());
                        let answer = serde_json::from_slice(&body).unwrap_or(Value::Null);
                        let _ =
                            answers.send((id.to_owned(), what.unwrap_or("").to_owned(), answer));
                        b"HTTP/1.1 202 Accepted\r\ncontent-type: application/json\r\ncontent-length: 16\r\n\r\n{\"status\":\"OK\"}\n".to_vec()
                    };
                    // One write, headers and body together, as Lambda's Runtime API answers.
                    if sock.write_all(&reply).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    (addr, received, connections)
}

#[tokio::test]
async fn lambda_runtime_serves_every_invocation_over_one_connection() {
    let mut ping = fixture("discord-ping.json");
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    sign_as_demo(&mut ping, now as i64).unwrap();
    let events: Vec<Vec<u8>> = [
        fixture("reject-not-found.json"),
        ping,
        json!({"hello": "world"}),
        fixture("reject-method-not-allowed.json"),
    ]
    .iter()
    .map(|e| e.to_string().into_bytes())
    .collect();
    let count = events.len();
    let (answers, stdout, connections) = invoke_binary(events, &[]).await;
    let results: Vec<(String, String, u16, String)> = answers
        .into_iter()
        .map(|(id, what, answer)| {
            let reply = Reply::from(answer);
            let code = reply.result().1.to_owned();
            (id, what, reply.status, code)
        })
        .collect();
    let expected = [
        ("req-0", 404, "not_found"),
        ("req-1", 204, ""),
        ("req-2", 400, "unsupported_event"),
        ("req-3", 405, "method_not_allowed"),
    ];
    for ((id, what, status, code), (want_id, want_status, want_code)) in
        results.iter().zip(expected)
    {
        assert_eq!(
            (id.as_str(), what.as_str(), *status),
            (want_id, "response", want_status),
            "{results:?}"
        );
        if !want_code.is_empty() {
            assert_eq!(code, want_code, "{results:?}");
        }
    }
    // The log line names the invocation's request id and X-Ray trace.
    let lines: Vec<Value> = stdout
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .filter(|l: &Value| l["function_request_id"].is_string())
        .collect();
    assert_eq!(lines.len(), count, "{stdout}");
    assert_eq!(lines[0]["function_request_id"], "req-0");
    assert_eq!(
        lines[3]["xray_trace_id"], "1-5e1b4151-5ac6c58f0000000000000003",
        "{stdout}"
    );
    assert_eq!(
        connections, 1,
        "an answer in one write keeps the runtime's connection alive"
    );
}

/// Runs the function binary over the stand-in Runtime API until it has answered every one of
/// `events`, with the local configuration and `env`; its answers (request id, endpoint, body),
/// everything it wrote (stdout and stderr), and how many connections it opened.
async fn invoke_binary(
    events: Vec<Vec<u8>>,
    env: &[(&str, &str)],
) -> (Vec<(String, String, Value)>, String, usize) {
    let count = events.len();
    let (addr, mut received, connections) = stand_in(events).await;
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_webhook-receiver"))
        .env_clear()
        .envs(
            local_env()
                .lines()
                .filter_map(|l| (!l.starts_with('#')).then(|| l.split_once('='))?),
        )
        .envs([
            ("AWS_LAMBDA_RUNTIME_API", addr.as_str()),
            ("AWS_LAMBDA_FUNCTION_NAME", "webhook-receiver"),
            ("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128"),
            ("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST"),
            ("AWS_REGION", "us-east-1"),
            ("AWS_ACCESS_KEY_ID", "local"),
            ("AWS_SECRET_ACCESS_KEY", "local"),
            ("AWS_EC2_METADATA_DISABLED", "true"),
            // Not reached unless a test sends an accepted webhook and says where.
            ("AWS_ENDPOINT_URL_DYNAMODB", "http://127.0.0.1:9"),
        ])
        .envs(env.iter().copied())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    // Read as it is written: a full pipe would stop the function mid-line.
    let drain = |pipe: Option<Box<dyn tokio::io::AsyncRead + Send + Unpin>>| {
        tokio::spawn(async move {
            let mut out = Vec::new();
            if let Some(mut pipe) = pipe {
                let _ = tokio::io::AsyncReadExt::read_to_end(&mut pipe, &mut out).await;
            }
            String::from_utf8_lossy(&out).into_owned()
        })
    };
    let stdout = drain(child.stdout.take().map(|p| Box::new(p) as _));
    let stderr = drain(child.stderr.take().map(|p| Box::new(p) as _));

    let mut answers = Vec::new();
    for _ in 0..count {
        let answer = tokio::time::timeout(Duration::from_secs(30), received.recv())
            .await
            .expect("the function answers every invocation")
            .unwrap();
        answers.push(answer);
    }
    child.start_kill().unwrap();
    child.wait().await.unwrap();
    let written = stdout.await.unwrap() + &stderr.await.unwrap();
    (answers, written, connections.load(Ordering::SeqCst))
}

/// Events `lambda_runtime` cannot parse (not JSON, not UTF-8, nested 200 deep, a number no
/// `f64` holds, cut short, serde_json's raw-value key in a query) or that are no HTTP event are answered 400 `unsupported_event` by the
/// function, each with its request id and a log line, as every event is; the instance goes on
/// serving.
#[tokio::test]
async fn events_the_runtime_cannot_read_are_answered_400() {
    let deep_array = format!("{}{}", "[".repeat(200), "]".repeat(200));
    let deep_object = format!("{}1{}", r#"{"a":"#.repeat(200), "}".repeat(200));
    let events: Vec<Vec<u8>> = [
        &b"not json"[..],
        b"{\"version\": \"2.0\", \"body\": \"\xff\xfe\"}",
        deep_array.as_bytes(),
        deep_object.as_bytes(),
        br#"{"version": "2.0", "n": 1e400}"#,
        br#"{"version": "2.0""#,
        // A key the raw-value parse treats as its own token, from a query string an unsigned
        // caller chose; and a valid event followed by bytes the runtime does not read.
        br#"{"version": "2.0", "queryStringParameters": {"$serde_json::private::RawValue": "x"}}"#,
        br#"{"version": "2.0"} trailing"#,
        b"[1, 2]",
        b"\"a string\"",
        b"",
    ]
    .iter()
    .map(|e| e.to_vec())
    .chain(std::iter::once(
        fixture("reject-not-found.json").to_string().into_bytes(),
    ))
    .collect();
    let count = events.len();
    let (answers, stdout, _) = invoke_binary(events, &[]).await;
    for (i, (id, what, answer)) in answers.into_iter().enumerate() {
        assert_eq!(
            (id.as_str(), what.as_str()),
            (format!("req-{i}").as_str(), "response")
        );
        let reply = Reply::from(answer);
        let want = if i + 1 == count {
            (404, "not_found")
        } else {
            (400, "unsupported_event")
        };
        assert_eq!(reply.result(), want, "event {i}");
        assert_eq!(reply.body["request_id"], format!("req-{i}"), "event {i}");
    }
    let lines = stdout
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter(|l| l["function_request_id"].is_string())
        .count();
    assert_eq!(lines, count, "{stdout}");
}

/// At TRACE, asked for both ways Lambda and Rust ask (`AWS_LAMBDA_LOG_LEVEL`, `RUST_LOG`), no
/// line the function writes — its own or a library's: the runtime, hyper, the SDK — carries an
/// event, a body, an email, a signature or a secret. The events: an applied create over DynamoDB
/// Local, a refused signature, an event the runtime cannot parse.
#[tokio::test]
async fn nothing_logs_an_event_or_a_secret_at_trace() {
    let endpoint = crate::support::endpoint();
    let client = crate::support::client().await;
    // The table local.env names for clientA; a leftover from another test run is fine.
    let _ = crate::support::try_create_table(&client, "app_clientA_events".into()).await;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let user = format!("usr_{:08x}", now as u32);
    let body = format!(
        r#"{{"user_id":"{user}","action":"create","occurred_at":"2026-11-28T12:00:00Z","metadata":{{"email":"secret.person@example.com","display_name":"Hidden Name"}}}}"#
    );
    let mut create = fixture("create.json");
    create["body"] = json!(body);
    create["headers"]["webhook-id"] = json!(format!("msg_trace_{now}"));
    sign_as_demo(&mut create, now).unwrap();
    let signature = create["headers"]["webhook-signature"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut forged = create.clone();
    forged["headers"]["webhook-id"] = json!("msg_forged");
    let events = vec![
        create.to_string().into_bytes(),
        forged.to_string().into_bytes(),
        format!("{{\"unparsable\": \"secret.person@example.com\" {signature}").into_bytes(),
    ];
    let (answers, written, _) = invoke_binary(
        events,
        &[
            ("AWS_LAMBDA_LOG_LEVEL", "TRACE"),
            ("RUST_LOG", "trace"),
            ("AWS_ENDPOINT_URL_DYNAMODB", endpoint.as_str()),
        ],
    )
    .await;
    let results: Vec<_> = answers
        .into_iter()
        .map(|(_, _, answer)| Reply::from(answer).result().0)
        .collect();
    assert_eq!(results, [200, 401, 400], "{written}");
    assert!(written.contains("\"outcome\":\"applied\""), "{written}");
    let secret = crate::support::demo_secret("clientA");
    let mut never = vec![
        "secret.person@example.com",
        "Hidden Name",
        "display_name",
        "unparsable",
        signature.as_str(),
    ];
    never.extend(secret.split_ascii_whitespace());
    never.extend(
        signature
            .split_ascii_whitespace()
            .filter_map(|e| e.split_once(','))
            .map(|(_, s)| s),
    );
    for text in never {
        assert!(
            !written.contains(text),
            "the log carries {text:?}:\n{written}"
        );
    }
}
