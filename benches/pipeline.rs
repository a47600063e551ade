//! a) The floor: HMAC-SHA256 of the body plus `serde_json::from_slice` of it.
//! b) The pipeline without I/O: signature verification, the body's format (payload parse) and
//!    the write plan, over the same bodies. `scripts/bench-report.py` prints b / a (must be <= 2).

#[path = "common.rs"]
mod common;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use std::hint::black_box;
use std::time::Duration;
use webhook_receiver::domain::Ledger;
use webhook_receiver::format::{Format, Input};
use webhook_receiver::plan::Ttls;

const TTLS: Ttls = Ttls {
    delivery: Duration::from_secs(604_800),
    tombstone: Duration::from_secs(2_592_000),
    inbox: Duration::from_secs(2_592_000),
};

fn cases() -> Vec<(&'static str, Vec<u8>, &'static str)> {
    vec![
        ("300B", common::small_v1(), "v1"),
        ("60KB", common::large_event(), "inbox"),
    ]
}

fn floor(c: &mut Criterion) {
    let key = b"local-test-secret-do-not-deploy!";
    let mut group = c.benchmark_group("floor");
    for (name, body, _) in cases() {
        group.throughput(Throughput::Bytes(body.len() as u64));
        group.bench_with_input(BenchmarkId::from_parameter(name), &body, |b, body| {
            b.iter(|| {
                let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(key).unwrap();
                mac.update(black_box(body));
                black_box(mac.finalize());
                let value: serde_json::Value = serde_json::from_slice(black_box(body)).unwrap();
                black_box(value)
            })
        });
    }
    group.finish();
}

fn pipeline(c: &mut Criterion) {
    let verifier = common::verifier();
    let mut group = c.benchmark_group("pipeline");
    for (name, body, format) in cases() {
        let format = Format::parse(format).unwrap();
        let headers = common::signed_headers(&body, "msg_bench_0001");
        group.throughput(Throughput::Bytes(body.len() as u64));
        group.bench_with_input(BenchmarkId::from_parameter(name), &body, |b, body| {
            b.iter(|| {
                let verified = verifier
                    .verify(
                        black_box(&headers),
                        black_box(body),
                        common::NOW,
                        common::TOLERANCE,
                    )
                    .unwrap();
                let plan = format
                    .plan(&Input {
                        body: &verified,
                        form: false,
                        now: common::NOW,
                        tolerance: common::TOLERANCE,
                        ttls: TTLS,
                        ledger: Ledger::Delivery,
                    })
                    .unwrap();
                black_box(plan)
            })
        });
    }
    group.finish();
}

criterion_group!(benches, floor, pipeline);
criterion_main!(benches);
