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
import os
import pathlib
import queue
import socket
import statistics
import subprocess
import sys
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
# The tenant lists its HMAC secret first (then an Ed25519 public key); this signs with the HMAC one.
SECRET = base64.b64decode(LOCAL["WEBHOOK_SECRET_CLIENTA"].split()[0][len("whsec_"):])


def webhook(n, signed=True):
    """A signed create for a new user, as an HTTP API 2.0 event."""
    ev = json.loads(json.dumps(SAMPLE))
    body = json.dumps({"user_id": f"usr_{n:08x}", "action": "create",
                       "metadata": {"email": f"u{n}@example.com", "display_name": f"User {n}"}},
                      separators=(",", ":"))
    msg_id = f"msg_bench_{uuid.uuid4().hex}"
    ts = str(int(time.time()))
    mac = hmac.new(SECRET, f"{msg_id}.{ts}.{body}".encode(), hashlib.sha256).digest()
    ev["body"] = body
    ev["headers"]["webhook-id"] = msg_id
    ev["headers"]["webhook-timestamp"] = ts
    ev["headers"]["webhook-signature"] = "v1," + base64.b64encode(mac).decode() if signed else "v1,AAAA"
    return json.dumps(ev).encode()


class RuntimeApi:
    """One Lambda Runtime API endpoint for one bootstrap: `next` blocks until an event is queued;
    `response` hands the answer back to whoever queued the event."""

    def __init__(self):
        self.events = queue.Queue()
        self.pending = {}
        self.connections = 0
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
                api.pending[request_id] = done
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
                    done = api.pending.pop(parts[-2], None)
                    self.reply(202, b"{}")
                    if done is not None:
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


def start(bootstrap, api, endpoint):
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
    return subprocess.Popen([bootstrap], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


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


def check_applied(kind, body):
    answer = json.loads(body)
    status = json.loads(answer["body"]).get("status")
    if kind != "response" or answer.get("statusCode") != 200 or status != "applied":
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
    args = ap.parse_args()
    counter = iter(range(int(time.time()) % 100000 * 10000, 1 << 62))

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
    if args.compare:
        (a1, a8), (b1, b8) = medians[args.bootstrap], medians[args.compare]
        print(f"bench-e2e: {args.bootstrap} vs {args.compare}: CPU per webhook "
              f"{(a1 / b1 - 1) * 100:+.1f} % (1 instance), {(a8 / b8 - 1) * 100:+.1f} % ({args.instances} instances)")


if __name__ == "__main__":
    main()
