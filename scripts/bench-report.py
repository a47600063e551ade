#!/usr/bin/env python3
"""Reads criterion's estimates (target/criterion) and prints the pipeline's cost against the floor
for each body size; exits non-zero if the ratio is above 2 (issue: the pipeline without I/O may
cost at most twice an HMAC plus a JSON parse of the same body)."""
import json
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1] / "target" / "criterion"


def mean_ns(group, case):
    path = (ROOT / group / case / "new" / "estimates.json").resolve()
    return json.loads(path.read_text())["mean"]["point_estimate"]


status = 0
for case in ["300B", "60KB"]:
    floor, pipeline = mean_ns("floor", case), mean_ns("pipeline", case)
    ratio = pipeline / floor
    verdict = "ok" if ratio <= 2 else "ABOVE 2"
    print(f"bench: {case}: floor (HMAC + serde_json::from_slice) {floor / 1000:.2f} µs, "
          f"pipeline (verify + parse + plan) {pipeline / 1000:.2f} µs, ratio {ratio:.2f} ({verdict})")
    status |= ratio > 2
cpu = ROOT / "invocation-cpu.json"
if cpu.exists():
    inv = json.loads(cpu.read_text())
    wall = mean_ns("invocation_applied-create", ".")
    print(f"bench: one invocation (event bytes -> handler -> SDK -> stub DynamoDB): wall {wall / 1000:.1f} µs, "
          f"CPU {inv['cpu_us_per_invocation']:.1f} µs (getrusage, {inv['invocations']} invocations)")
sys.exit(status)
