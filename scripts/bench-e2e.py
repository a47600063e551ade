#!/usr/bin/env python3
"""The release bootstrap served the way Lambda serves it, measured: a Lambda Runtime API emulator
of our own on loopback hands each bootstrap process one invocation at a time (HTTP API 2.0 events,
as API Gateway sends them), against DynamoDB Local. Prints, for the bootstrap processes only
(never this script or DynamoDB Local):

  - CPU (user + sys) per accepted webhook, one instance and N concurrent instances: the
    processes' own CPU counters (/proc/<pid>/task/*/schedstat, ns) over the measured requests,
    after a warm-up;
  - peak RSS per instance (VmHWM);
  - cold start: process start -> the response for a request already queued, for a 401 (no
    DynamoDB call) and for a signed create (the first transaction on a new connection), median
    of several starts.

    bench-e2e.py BOOTSTRAP DYNAMODB_ENDPOINT [--requests N] [--instances N] [--cold N] [--runs N]

The CPU figures are measured --runs times each (fresh processes each time) and printed as the
median with the range: on a small shared machine one run can be off by 10 % either way.

Each webhook is a fresh signed `create` for a new user at clientA (Standard Webhooks), so every
one is `applied`: one TransactWriteItems each.
"""
import argparse
import base64
import hashlib
import hmac
import http
import http.server
import json
import math
import os
import pathlib
import queue
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid

ROOT = pathlib.Path(__file__).resolve().parents[1]
SAMPLE = json.loads((ROOT / "events" / "create.json").read_text())


def local_env():
    env = {}
    for line in (ROOT / "local.env").read_text().splitlines():
        if line and not line.startswith("#"):
            k, _, v = line.partition("=")
            env[k] = v
    return env


LOCAL = local_env()


def secret(tenant_env):
    """A Standard Webhooks tenant's HMAC secret (listed first, before any Ed25519 public key)."""
    return base64.b64decode(LOCAL[tenant_env].split()[0][len("whsec_"):])


def signed_event(sample, tenant, body, secret_key, prefix="webhook", signed=True):
    """`sample` addressed to `tenant` with `body`, signed now with Standard Webhooks headers
    (`webhook-*`, or Svix's `svix-*` as Clerk sends them)."""
    ev = json.loads(json.dumps(sample))
    ev["rawPath"] = f"/webhooks/{tenant}"
    msg_id = f"msg_bench_{uuid.uuid4().hex}"
    ts = str(int(time.time()))
    mac = hmac.new(secret_key, f"{msg_id}.{ts}.{body}".encode(), hashlib.sha256).digest()
    ev["body"] = body
    ev["headers"][f"{prefix}-id"] = msg_id
    ev["headers"][f"{prefix}-timestamp"] = ts
    ev["headers"][f"{prefix}-signature"] = "v1," + base64.b64encode(mac).decode() if signed else "v1,AAAA"
    return json.dumps(ev).encode()


SECRET = secret("WEBHOOK_SECRET_CLIENTA")


def webhook(n, signed=True):
    """A signed v1 create for a new user at clientA, as an HTTP API 2.0 event."""
    body = json.dumps({"user_id": f"usr_{n:08x}", "action": "create",
                       "metadata": {"email": f"u{n}@example.com", "display_name": f"User {n}"}},
                      separators=(",", ":"))
    return signed_event(SAMPLE, "clientA", body, SECRET, signed=signed)


STRIPE_SAMPLE = json.loads((ROOT / "events" / "stripe-inbox-customer-created.json").read_text())
CLERK_SAMPLE = json.loads((ROOT / "events" / "clerk-user-created.json").read_text())


def inbox_webhook(n):
    """A Stripe-sized event (the sample's 0.5 KB body) stored by an inbox tenant."""
    body = json.loads(STRIPE_SAMPLE["body"])
    body["id"] = f"evt_bench{n:016d}"
    return signed_event(SAMPLE, "standard-webhooks-inbox", json.dumps(body, separators=(",", ":")),
                        secret("WEBHOOK_SECRET_STANDARD_WEBHOOKS_INBOX"))


def clerk_webhook(n):
    """Clerk's user.created sample (1.3 KB) for a new user, Svix headers."""
    body = json.loads(CLERK_SAMPLE["body"])
    body["data"]["id"] = f"user_bench{n:016d}"
    body["timestamp"] = int(time.time() * 1000)
    return signed_event(CLERK_SAMPLE, "standard-webhooks-clerk-user", json.dumps(body, separators=(",", ":")),
                        secret("WEBHOOK_SECRET_STANDARD_WEBHOOKS_CLERK_USER"), prefix="svix")


def now_rfc3339():
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def item_ledger_webhook(n):
    """As `webhook`, at the tenant whose user item is its own ledger (SPEC §13.4), which needs
    the sender's own `occurred_at`."""
    body = json.dumps({"user_id": f"usr_{n:08x}", "action": "create", "occurred_at": now_rfc3339(),
                       "metadata": {"email": f"u{n}@example.com", "display_name": f"User {n}"}},
                      separators=(",", ":"))
    return signed_event(SAMPLE, "standard-webhooks-v1-item", body,
                        secret("WEBHOOK_SECRET_STANDARD_WEBHOOKS_V1_ITEM"))


def clerk_item_ledger_webhook(n):
    """As `clerk_webhook`, at the Clerk tenant whose user item is its own ledger."""
    body = json.loads(CLERK_SAMPLE["body"])
    body["data"]["id"] = f"user_bench{n:016d}"
    body["timestamp"] = int(time.time() * 1000)
    return signed_event(CLERK_SAMPLE, "standard-webhooks-clerk-user-item", json.dumps(body, separators=(",", ":")),
                        secret("WEBHOOK_SECRET_STANDARD_WEBHOOKS_CLERK_USER_ITEM"), prefix="svix")


# What one accepted webhook of each format is, for the cost figures: (event maker, its outcome).
FORMATS = {
    "v1": (webhook, "applied"),
    "v1, item": (item_ledger_webhook, "applied"),
    "inbox": (inbox_webhook, "stored"),
    "clerk-user": (clerk_webhook, "applied"),
    "clerk, item": (clerk_item_ledger_webhook, "applied"),
}


class RuntimeApi:
    """One Lambda Runtime API endpoint for one bootstrap: `next` blocks until an event is queued;
    `response` hands the answer back to whoever queued the event."""

    def __init__(self):
        self.events = queue.Queue()
        self.pending = {}
        self.connections = 0
        # Per invocation: seconds from the event handed out to the answer received, as Lambda
        # measures a function's duration.
        self.durations = []
        api = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def setup(self):
                super().setup()
                api.connections += 1
                self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

            def do_GET(self):
                if not self.path.endswith("/invocation/next"):
                    return self.reply(404, b"{}")
                request_id, payload, done = api.events.get()
                api.pending[request_id] = (done, time.monotonic())
                self.reply(200, payload, {
                    "Lambda-Runtime-Aws-Request-Id": request_id,
                    "Lambda-Runtime-Deadline-Ms": str(int(time.time() * 1000) + 10_000),
                    "Lambda-Runtime-Invoked-Function-Arn":
                        "arn:aws:lambda:us-east-1:123456789012:function:webhook-receiver",
                    "Lambda-Runtime-Trace-Id": "Root=1-00000000-000000000000000000000000",
                    "Content-Type": "application/json",
                })

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                parts = self.path.split("/")
                if "invocation" in parts and parts[-1] in ("response", "error"):
                    pending = api.pending.pop(parts[-2], None)
                    self.reply(202, b"{}")
                    if pending is not None:
                        done, handed_out = pending
                        api.durations.append(time.monotonic() - handed_out)
                        done.put((parts[-1], body))
                else:  # init/error
                    self.reply(202, b"{}")
                    print(f"bench: init error: {body[:300]!r}", file=sys.stderr)

            def reply(self, status, body, headers=None):
                # Status line, headers and body in one write, as Lambda's Runtime API (Go's
                # net/http) sends a small answer. In two writes, the body can arrive in a second
                # TCP segment after the client has read the headers, and hyper then drops the
                # kept-alive connection of a client that does not read the body (lambda_runtime
                # does not read the answer to /response): the benchmark would measure a new
                # connection per invocation that Lambda never causes.
                head = f"HTTP/1.1 {status} {http.HTTPStatus(status).phrase}\r\n"
                for name, value in (headers or {}).items():
                    head += f"{name}: {value}\r\n"
                head += f"Content-Length: {len(body)}\r\n\r\n"
                self.wfile.write(head.encode() + body)

        class Server(http.server.ThreadingHTTPServer):
            def handle_error(self, request, client_address):
                pass  # a bootstrap killed mid-connection

        self.server = Server(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def invoke(self, payload, timeout=30):
        done = queue.Queue()
        self.events.put((str(uuid.uuid4()), payload, done))
        kind, body = done.get(timeout=timeout)
        return kind, body

    def queue_only(self, payload):
        done = queue.Queue()
        self.events.put((str(uuid.uuid4()), payload, done))
        return done


def start(bootstrap, api, endpoint, stdout=subprocess.DEVNULL):
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(LOCAL)
    env.update({
        "AWS_LAMBDA_RUNTIME_API": f"127.0.0.1:{api.port}",
        "AWS_LAMBDA_FUNCTION_NAME": "webhook-receiver",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "128",
        "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
        "AWS_LAMBDA_LOG_STREAM_NAME": "bench",
        "AWS_LAMBDA_LOG_GROUP_NAME": "bench",
        "AWS_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "local",
        "AWS_SECRET_ACCESS_KEY": "local",
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_ENDPOINT_URL_DYNAMODB": endpoint,
    })
    return subprocess.Popen([bootstrap], env=env, stdout=stdout, stderr=subprocess.DEVNULL)


def cpu_ns(pid):
    total = 0
    for task in pathlib.Path(f"/proc/{pid}/task").iterdir():
        try:
            total += int((task / "schedstat").read_text().split()[0])
        except (FileNotFoundError, ProcessLookupError):
            pass
    return total


def peak_rss_kb(pid):
    for line in pathlib.Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def check_applied(kind, body, want=("applied",)):
    answer = json.loads(body)
    status = json.loads(answer["body"]).get("status")
    if kind != "response" or answer.get("statusCode") != 200 or status not in want:
        sys.exit(f"bench: unexpected answer {kind}: {body[:300]!r}")


def warm_cpu(bootstrap, endpoint, instances, requests, counter):
    """CPU ns per accepted webhook over `requests` per instance (after a warm-up), and peak RSS."""
    apis = [RuntimeApi() for _ in range(instances)]
    procs = [start(bootstrap, api, endpoint) for api in apis]
    try:
        def drive(api, n, out):
            for _ in range(n):
                check_applied(*api.invoke(webhook(next(counter))))
            out.append(n)

        def run_all(n):
            threads, out = [], []
            for api in apis:
                t = threading.Thread(target=drive, args=(api, n, out))
                t.start()
                threads.append(t)
            for t in threads:
                t.join()
            if len(out) != len(apis):
                sys.exit("bench: a driver thread failed")

        run_all(50)  # warm-up: connections open, code paths touched
        connections = sum(api.connections for api in apis)
        before = [cpu_ns(p.pid) for p in procs]
        started = time.monotonic()
        run_all(requests)
        wall = time.monotonic() - started
        after = [cpu_ns(p.pid) for p in procs]
        cpu = sum(a - b for a, b in zip(after, before))
        rss = max(peak_rss_kb(p.pid) for p in procs)
        # Runtime API connections opened per measured invocation (0 when one is kept alive).
        reconnects = (sum(api.connections for api in apis) - connections) / (requests * instances)
        return cpu / (requests * instances), rss, (requests * instances) / wall, reconnects
    finally:
        for p in procs:
            p.kill()
            p.wait()


def cold_start(bootstrap, endpoint, signed, counter, runs):
    """ms from process start to the response of an already-queued request, median of `runs`."""
    times = []
    for _ in range(runs):
        api = RuntimeApi()
        done = api.queue_only(webhook(next(counter), signed=signed))
        started = time.monotonic()
        proc = start(bootstrap, api, endpoint)
        kind, body = done.get(timeout=30)
        times.append((time.monotonic() - started) * 1000)
        proc.kill()
        proc.wait()
        api.server.shutdown()
        code = json.loads(json.loads(body)["body"]).get("status") or json.loads(json.loads(body)["body"]).get("error")
        want = "applied" if signed else "signature_invalid"
        if code != want:
            sys.exit(f"bench: cold start answered {code}, expected {want}")
    return statistics.median(times), min(times), max(times)


def measure_format(bootstrap, endpoint, fmt, requests, counter):
    """One instance, `requests` accepted webhooks of `fmt` after a warm-up: CPU and duration per
    webhook (ms), and from its log lines the bytes logged and the write units DynamoDB reported."""
    make, outcome = FORMATS[fmt]
    # A write whose answer DynamoDB Local was too slow to give (a JVM pause) is retried by the
    # SDK and answered `duplicate`, as a sender's retry would be: counted, not a failure.
    want = (outcome, "duplicate")
    api = RuntimeApi()
    with tempfile.TemporaryFile() as out:
        proc = start(bootstrap, api, endpoint, stdout=out)
        try:
            for _ in range(20):
                check_applied(*api.invoke(make(next(counter))), want=want)
            api.durations.clear()
            out.seek(0, os.SEEK_END)
            logged_before = out.tell()
            before = cpu_ns(proc.pid)
            for _ in range(requests):
                check_applied(*api.invoke(make(next(counter))), want=want)
            cpu = (cpu_ns(proc.pid) - before) / requests / 1e6
        finally:
            proc.kill()
            proc.wait()
        out.seek(logged_before)
        lines = [line for line in out.read().splitlines() if b'"function_request_id"' in line]
    if len(lines) != requests:
        sys.exit(f"bench: {len(lines)} log lines for {requests} {fmt} webhooks")
    records = [json.loads(line) for line in lines]
    units = [r["dynamodb_write_units"] for r in records if r["outcome"] == outcome]
    if len(units) < requests * 0.9 or None in units:
        sys.exit(f"bench: {fmt}: {len(units)} of {requests} webhooks {outcome} with write units")
    return {
        "cpu_ms": cpu,
        "duration_ms": statistics.median(api.durations) * 1000,
        "durations_ms": [d * 1000 for d in api.durations],
        "log_bytes": statistics.mean(len(line) + 1 for line in lines),
        "write_units": statistics.mean(units),
    }


# us-east-1 list prices as assumed on the date below (check the pricing pages before relying on them).
PRICES_AS_OF = "2026-11-30"
PRICE_LAMBDA_REQUEST = 0.20 / 1e6          # per request
PRICE_LAMBDA_GB_S_ARM = 0.0000133334        # per GB-second, arm64 (the template's default)
PRICE_WRITE_UNIT = 0.625 / 1e6              # DynamoDB on demand, per write request unit
PRICE_LOG_GB = 0.50                         # CloudWatch Logs ingestion, per GB (GiB: 2^30 bytes)
PRICE_HTTP_API = 1.00 / 1e6                 # API Gateway HTTP API, per request (first 300 M a month)
FULL_CPU_MB = 1769                          # Lambda gives one full vCPU at 1,769 MB, proportionally less below
# The HTTP API's access-log line (template.yaml's format filled with typical values), per request.
ACCESS_LOG_BYTES = 280
PRICE_XRAY_TRACE = 5.00 / 1e6               # X-Ray, per trace recorded (not in the totals, see below)


def billed_ms(figures, memory_mb):
    """Lambda's mean billed duration at `memory_mb`, from what was measured with a whole core:
    each invocation's CPU part stretches by the share of a vCPU that memory size gets, its
    waiting (DynamoDB, the Runtime API) does not; each billed in whole milliseconds, rounded up."""
    stretch = max(1.0, FULL_CPU_MB / memory_mb)
    cpu = figures["cpu_ms"]
    return statistics.mean(math.ceil(cpu * stretch + max(0.0, d - cpu)) for d in figures["durations_ms"])


def cost_table(measured):
    """Dollars per million accepted webhooks, per format, memory size and front door."""
    print(f"bench-e2e: cost per million accepted webhooks (us-east-1 list prices as of {PRICES_AS_OF}: "
          f"Lambda arm64 $0.20/M requests + ${PRICE_LAMBDA_GB_S_ARM}/GB-s, DynamoDB on demand "
          f"$0.625/M write units, CloudWatch Logs $0.50/GB, HTTP API $1.00/M requests)")
    print("  format      | write units | log bytes | CPU ms | duration ms | memory | billed ms "
          "| Lambda $ | DynamoDB $ | logs $ | total $, HTTP API | total $, Function URL")
    for fmt, f in measured.items():
        dynamo = f["write_units"] * PRICE_WRITE_UNIT * 1e6
        logs = f["log_bytes"] * 1e6 / 2**30 * PRICE_LOG_GB
        access_logs = ACCESS_LOG_BYTES * 1e6 / 2**30 * PRICE_LOG_GB
        for memory in (128, 256):
            ms = billed_ms(f, memory)
            lam = (PRICE_LAMBDA_REQUEST + ms / 1000 * memory / 1024 * PRICE_LAMBDA_GB_S_ARM) * 1e6
            url = lam + dynamo + logs
            api = url + PRICE_HTTP_API * 1e6 + access_logs
            print(f"  {fmt:<11} | {f['write_units']:>11.1f} | {f['log_bytes']:>9.0f} | {f['cpu_ms']:>6.3f} "
                  f"| {f['duration_ms']:>11.2f} | {memory:>4} MB | {ms:>9.1f} | {lam:>8.3f} | {dynamo:>10.3f} "
                  f"| {logs:>6.3f} | {api:>17.2f} | {url:>21.2f}")
    print("  (duration measured against DynamoDB Local on loopback: DynamoDB in a region answers in "
          "single-digit milliseconds, which adds to the billed time; at 128 MB the CPU part is "
          f"stretched {FULL_CPU_MB / 128:.1f}x, at 256 MB {FULL_CPU_MB / 256:.1f}x; the HTTP API total includes "
          f"its {ACCESS_LOG_BYTES}-byte access-log line)")
    print(f"  not in the totals: X-Ray (the template's Tracing: Active), ${PRICE_XRAY_TRACE * 1e6:.2f} per million "
          "traces recorded; the default sampling rule records the first request each second and 5 % of the rest, "
          "so below about one webhook a second nearly every webhook is traced (up to "
          f"+${PRICE_XRAY_TRACE * 1e6:.2f} per million), at 100 a second about 6 % "
          f"(+${PRICE_XRAY_TRACE * 1e6 * 0.06:.2f})")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("bootstrap")
    ap.add_argument("endpoint")
    ap.add_argument("--compare", metavar="BOOTSTRAP",
                    help="a second bootstrap, measured in alternation with the first")
    ap.add_argument("--requests", type=int, default=1000, help="measured webhooks per instance")
    ap.add_argument("--instances", type=int, default=8)
    ap.add_argument("--cold", type=int, default=15, help="cold starts per case")
    ap.add_argument("--runs", type=int, default=1, help="repetitions of each CPU measurement")
    ap.add_argument("--cost-requests", type=int, default=300,
                    help="webhooks per format for the cost figures (0: no cost figures)")
    args = ap.parse_args()
    counter = iter(range(int(time.time()) % 100000 * 10000, 1 << 62))

    # First, on a fresh DynamoDB Local: tens of thousands of items later its JVM answers in
    # hundreds of milliseconds now and then, which would be billed time that DynamoDB never takes.
    cost = {fmt: measure_format(args.bootstrap, args.endpoint, fmt, args.cost_requests, counter)
            for fmt in FORMATS} if args.cost_requests else None
    bootstraps = [args.bootstrap] + ([args.compare] if args.compare else [])
    ones = {b: [] for b in bootstraps}
    manys = {b: [] for b in bootstraps}
    # Alternating runs: a slower minute of a shared machine falls on both alike.
    for _ in range(args.runs):
        for b in bootstraps:
            ones[b].append(warm_cpu(b, args.endpoint, 1, args.requests, counter))
        for b in bootstraps:
            manys[b].append(warm_cpu(b, args.endpoint, args.instances, args.requests, counter))

    def spread(runs):
        if len(runs) < 2:
            return ""
        return f", range {min(r[0] for r in runs) / 1e6:.3f}–{max(r[0] for r in runs) / 1e6:.3f} over {len(runs)} runs"

    medians = {}
    for b in bootstraps:
        size = os.path.getsize(b)
        one, rate1 = statistics.median(r[0] for r in ones[b]), statistics.median(r[2] for r in ones[b])
        many, rate8 = statistics.median(r[0] for r in manys[b]), statistics.median(r[2] for r in manys[b])
        rss1, rss8 = max(r[1] for r in ones[b]), max(r[1] for r in manys[b])
        reconnects = max(r[3] for r in ones[b] + manys[b])
        medians[b] = (one, many)
        cold401 = cold_start(b, args.endpoint, False, counter, args.cold)
        cold_create = cold_start(b, args.endpoint, True, counter, args.cold)
        print(f"bench-e2e: {b} ({size / 1e6:.1f} MB), {os.cpu_count()} cores, DynamoDB Local")
        print(f"  CPU per accepted webhook, 1 instance:              {one / 1e6:.3f} ms  ({rate1:.0f} webhooks/s{spread(ones[b])})")
        print(f"  CPU per accepted webhook, {args.instances} concurrent instances:  {many / 1e6:.3f} ms  ({rate8:.0f} webhooks/s in all{spread(manys[b])})")
        print(f"  Runtime API connections opened per webhook:        {reconnects:.3f}")
        print(f"  peak RSS per instance:                             {max(rss1, rss8) / 1024:.1f} MB")
        print(f"  cold start to a 401 (no DynamoDB call):            median {cold401[0]:.1f} ms (min {cold401[1]:.1f}, max {cold401[2]:.1f}, {args.cold} starts)")
        print(f"  cold start to an applied create (new connection):  median {cold_create[0]:.1f} ms (min {cold_create[1]:.1f}, max {cold_create[2]:.1f}, {args.cold} starts)")
        print(f"  binary size:                                       {size / 1e6:.2f} MB")
    if cost:
        cost_table(cost)
    if args.compare:
        (a1, a8), (b1, b8) = medians[args.bootstrap], medians[args.compare]
        print(f"bench-e2e: {args.bootstrap} vs {args.compare}: CPU per webhook "
              f"{(a1 / b1 - 1) * 100:+.1f} % (1 instance), {(a8 / b8 - 1) * 100:+.1f} % ({args.instances} instances)")


if __name__ == "__main__":
    main()
