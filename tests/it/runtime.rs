//! The Runtime API loop against a stand-in Runtime API on loopback: every invocation is answered
//! with what the handler returns, over one kept-alive connection.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use serde_json::{json, Value};
use tokio::io::AsyncWriteExt;
use webhook_receiver::runtime::{self, Invocation, RuntimeError};

use crate::support::read_http_request;

/// Serves `events` as invocations `req-0`, `req-1`, …, records the posted answers, then answers
/// the next `next` with 500 so the loop ends. Returns the answers and how many connections the
/// client opened.
struct StandIn {
    answers: Arc<Mutex<Vec<(String, Value)>>>,
    connections: Arc<AtomicUsize>,
}

async fn stand_in(events: Vec<Vec<u8>>) -> (StandIn, String) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let answers = Arc::new(Mutex::new(Vec::new()));
    let connections = Arc::new(AtomicUsize::new(0));
    let (a, c) = (Arc::clone(&answers), Arc::clone(&connections));
    let events = Arc::new(Mutex::new(
        events.into_iter().enumerate().collect::<Vec<_>>(),
    ));
    tokio::spawn(async move {
        while let Ok((mut sock, _)) = listener.accept().await {
            c.fetch_add(1, Ordering::SeqCst);
            let (answers, events) = (Arc::clone(&a), Arc::clone(&events));
            tokio::spawn(async move {
                let mut buf = Vec::new();
                loop {
                    let Some((head, body)) = read_http_request(&mut sock, &mut buf).await else {
                        return;
                    };
                    let reply = if head.starts_with("GET ") {
                        let next = {
                            let mut events = events.lock().unwrap();
                            (!events.is_empty()).then(|| events.remove(0))
                        };
                        match next {
                            Some((i, event)) => {
                                let mut r = format!(
                                    "HTTP/1.1 200 OK\r\nlambda-runtime-aws-request-id: req-{i}\r\n\
                                     lambda-runtime-trace-id: Root=1-trace-{i}\r\n\
                                     lambda-runtime-deadline-ms: 0\r\ncontent-length: {}\r\n\r\n",
                                    event.len()
                                )
                                .into_bytes();
                                r.extend_from_slice(&event);
                                r
                            }
                            None => {
                                b"HTTP/1.1 500 Internal Server Error\r\ncontent-length: 0\r\n\r\n"
                                    .to_vec()
                            }
                        }
                    } else {
                        let id = head.split('/').nth(4).unwrap_or_default().to_owned();
                        answers
                            .lock()
                            .unwrap()
                            .push((id, serde_json::from_slice(&body).unwrap()));
                        // The real Runtime API answers with a body too.
                        b"HTTP/1.1 202 Accepted\r\ncontent-type: application/json\r\ncontent-length: 15\r\n\r\n{\"status\":\"OK\"}".to_vec()
                    };
                    if sock.write_all(&reply).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    (
        StandIn {
            answers,
            connections,
        },
        addr,
    )
}

#[tokio::test]
async fn every_invocation_is_answered_over_one_connection() {
    let events = vec![
        br#"{"n": 1}"#.to_vec(),
        br#"{"n": 2}"#.to_vec(),
        b"not json".to_vec(),
    ];
    let (stand_in, addr) = stand_in(events).await;
    // As cargo lambda sets it: a whole URL (Lambda sets host:port). Passed, not set in the
    // environment: this test binary runs tests on several threads.
    let endpoint = format!("http://{addr}/");
    let seen = Arc::new(Mutex::new(Vec::new()));
    let s = Arc::clone(&seen);
    let result = runtime::run_at(&endpoint, move |inv: Invocation| {
        let s = Arc::clone(&s);
        async move {
            s.lock().unwrap().push(inv.trace_id.clone());
            json!({"echo": inv.event, "id": inv.request_id})
        }
    })
    .await;
    assert!(
        matches!(result, Err(RuntimeError::Status(s, "next")) if s.as_u16() == 500),
        "{result:?}"
    );
    let answers = stand_in.answers.lock().unwrap().clone();
    assert_eq!(
        answers,
        vec![
            ("req-0".to_owned(), json!({"echo": {"n": 1}, "id": "req-0"})),
            ("req-1".to_owned(), json!({"echo": {"n": 2}, "id": "req-1"})),
            // An event that is not JSON reaches the handler as null, which answers it.
            ("req-2".to_owned(), json!({"echo": null, "id": "req-2"})),
        ]
    );
    assert_eq!(
        seen.lock().unwrap().as_slice(),
        [
            Some("Root=1-trace-0".to_owned()),
            Some("Root=1-trace-1".to_owned()),
            Some("Root=1-trace-2".to_owned())
        ]
    );
    assert_eq!(
        stand_in.connections.load(Ordering::SeqCst),
        1,
        "the answer to each posted response must be read so the connection is kept"
    );
}
