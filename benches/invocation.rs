//! c) One whole invocation: a raw API Gateway HTTP API event (bytes, as the runtime receives
//! them) through `App::handle_event` into a real DynamoDB SDK client pointed at a stub DynamoDB
//! HTTP endpoint in this process that answers every transaction at once, on a current-thread
//! runtime as the function runs. Criterion reports wall time; CPU time (getrusage, the whole
//! process: client and stub) per invocation is printed and written to
//! target/criterion/invocation-cpu.json.

#[path = "common.rs"]
mod common;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use aws_config::{BehaviorVersion, Region};
use aws_sdk_dynamodb::config::Credentials;
use criterion::{criterion_group, criterion_main, Criterion};
use serde_json::Value;
use std::hint::black_box;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use webhook_receiver::clock::FixedClock;
use webhook_receiver::config::Config;
use webhook_receiver::handler::App;
use webhook_receiver::store::Store;

/// Answers every request on every connection with an empty 200 (`TransactWriteItems` output).
async fn stub_dynamodb() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut sock, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut buf = Vec::with_capacity(8192);
                let mut chunk = [0u8; 8192];
                loop {
                    // One request: headers, then Content-Length bytes of body.
                    let request_end = loop {
                        if let Some(end) = find_request_end(&buf) {
                            break end;
                        }
                        match sock.read(&mut chunk).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => buf.extend_from_slice(&chunk[..n]),
                        }
                    };
                    buf.drain(..request_end);
                    let answer = b"HTTP/1.1 200 OK\r\ncontent-type: application/x-amz-json-1.0\r\nx-amzn-requestid: bench\r\ncontent-length: 2\r\n\r\n{}";
                    if sock.write_all(answer).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    format!("http://{addr}")
}

/// Where the first complete request in `buf` ends, if it is all there.
fn find_request_end(buf: &[u8]) -> Option<usize> {
    let head_end = buf.windows(4).position(|w| w == b"\r\n\r\n")? + 4;
    let head = std::str::from_utf8(&buf[..head_end]).ok()?;
    let length: usize = head
        .lines()
        .find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case("content-length")
                .then(|| v.trim().parse().ok())?
        })
        .unwrap_or(0);
    (buf.len() >= head_end + length).then_some(head_end + length)
}

fn event_bytes(body: &[u8]) -> Vec<u8> {
    let mut ev: Value = serde_json::from_str(include_str!("../events/create.json")).unwrap();
    let headers = common::signed_headers(body, "msg_bench_0001");
    for (name, value) in &headers {
        ev["headers"][name.as_str()] = Value::String(value.to_str().unwrap().to_owned());
    }
    ev["body"] = Value::String(String::from_utf8(body.to_vec()).unwrap());
    serde_json::to_vec(&ev).unwrap()
}

fn cpu_time() -> Duration {
    let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
    // SAFETY: getrusage fills the struct it is given; RUSAGE_SELF is always valid.
    let usage = unsafe {
        libc::getrusage(libc::RUSAGE_SELF, usage.as_mut_ptr());
        usage.assume_init()
    };
    let tv = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    tv(usage.ru_utime) + tv(usage.ru_stime)
}

fn invocation(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let endpoint = rt.block_on(stub_dynamodb());
    let sdk = rt.block_on(
        aws_config::defaults(BehaviorVersion::latest())
            .region(Region::new("us-east-1"))
            .credentials_provider(Credentials::new("bench", "bench", None, None, "bench"))
            .endpoint_url(&endpoint)
            .load(),
    );
    let tenant = common::client_a();
    let vars = HashMap::from([
        (
            "WEBHOOK_TENANTS".to_owned(),
            serde_json::json!({"clientA": tenant.entry("bench_table")}).to_string(),
        ),
        (tenant.secret_env.clone(), tenant.secret.clone()),
    ]);
    let config = Config::from_env(|k| vars.get(k).cloned()).unwrap();
    let app = App::new(config, Store::new(&sdk), Arc::new(FixedClock(common::NOW)));
    let event = event_bytes(&common::small_v1());

    let mut cpu = Duration::ZERO;
    let mut invocations = 0u64;
    c.bench_function("invocation/applied-create", |b| {
        b.iter_custom(|iters| {
            let cpu_before = cpu_time();
            let started = Instant::now();
            for _ in 0..iters {
                rt.block_on(async {
                    // As the runtime receives it: bytes, parsed once.
                    let event: Value = serde_json::from_slice(black_box(&event)).unwrap();
                    let (response, log) = app.handle_event_logged(event, "bench-request").await;
                    // The log line is part of the work; where it goes is not.
                    black_box(log.to_line(common::NOW));
                    // As the runtime sends it: serialised once.
                    black_box(serde_json::to_vec(&response).unwrap());
                });
            }
            let wall = started.elapsed();
            cpu += cpu_time() - cpu_before;
            invocations += iters;
            wall
        })
    });
    let per = cpu.as_secs_f64() * 1e6 / invocations as f64;
    eprintln!("invocation/applied-create: CPU (user + sys, getrusage) {per:.1} µs per invocation over {invocations} invocations");
    let out = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/criterion");
    let _ = std::fs::create_dir_all(&out);
    let _ = std::fs::write(
        out.join("invocation-cpu.json"),
        format!(r#"{{"cpu_us_per_invocation": {per:.3}, "invocations": {invocations}}}"#),
    );
}

criterion_group! {
    name = benches;
    config = Criterion::default().measurement_time(Duration::from_secs(8));
    targets = invocation
}
criterion_main!(benches);
