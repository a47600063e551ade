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

/// Hands out `events` as invocations `req-0`, `req-1`, … and sends each posted answer (request
/// id, endpoint, body) back; after the last event, `next` is held open, as Lambda holds it.
async fn stand_in(
    events: Vec<Value>,
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
                        let event = event.to_string();
                        format!(
                            "HTTP/1.1 200 OK\r\nlambda-runtime-aws-request-id: req-{i}\r\n\
                             lambda-runtime-trace-id: Root=1-5e1b4151-5ac6c58f{i:016x};Parent=1;Sampled=1\r\n\
                             lambda-runtime-deadline-ms: 4102444800000\r\n\
                             lambda-runtime-invoked-function-arn: arn:aws:lambda:us-east-1:123456789012:function:f\r\n\
                             content-type: application/json\r\ncontent-length: {}\r\n\r\n{event}",
                            event.len()
                        )
                    } else {
                        let mut path = head.split(' ').nth(1).unwrap_or_default().split('/');
                        let (id, what) = (path.nth(4).unwrap_or_default(), path.next());
                        let answer = serde_json::from_slice(&body).unwrap_or(Value::Null);
                        let _ =
                            answers.send((id.to_owned(), what.unwrap_or("").to_owned(), answer));
                        "HTTP/1.1 202 Accepted\r\ncontent-type: application/json\r\ncontent-length: 16\r\n\r\n{\"status\":\"OK\"}\n".to_owned()
                    };
                    // One write, headers and body together, as Lambda's Runtime API answers.
                    if sock.write_all(reply.as_bytes()).await.is_err() {
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
    let events = vec![
        fixture("reject-not-found.json"),
        ping,
        json!({"hello": "world"}),
        fixture("reject-method-not-allowed.json"),
    ];
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
            // Never called: no invocation here reaches DynamoDB.
            ("AWS_ENDPOINT_URL_DYNAMODB", "http://127.0.0.1:9"),
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();

    let mut answers = Vec::new();
    for _ in 0..count {
        let answer = tokio::time::timeout(Duration::from_secs(30), received.recv())
            .await
            .expect("the function answers every invocation")
            .unwrap();
        answers.push(answer);
    }
    child.start_kill().unwrap();
    let output = child.wait_with_output().await.unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);

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
        connections.load(Ordering::SeqCst),
        1,
        "an answer in one write keeps the runtime's connection alive"
    );
}
