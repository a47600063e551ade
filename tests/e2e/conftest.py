"""End to end, as a user runs it: the function under `cargo lambda watch` (what `make run`
serves) over DynamoDB Local with local.env's tenants, reached by the signed curls the signing
command prints; `cargo lambda invoke` (what `make invoke` runs); items read back with boto3; the
real binary failing init. Run by scripts/e2e.sh with DYNAMODB_ENDPOINT set, from the repository.
"""
import os
import pathlib
import socket
import subprocess
import time

import boto3
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]


def local_env():
    """local.env as scripts/env.sh reads it (line by line: the JSON keeps its quotes)."""
    env = {}
    for line in (ROOT / "local.env").read_text().splitlines():
        if line and not line.startswith("#"):
            name, _, value = line.partition("=")
            env[name] = value
    return env


@pytest.fixture(scope="session")
def env():
    """The environment the function and the commands run in."""
    return {
        **os.environ,
        **local_env(),
        "AWS_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "local",
        "AWS_SECRET_ACCESS_KEY": "local",
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_ENDPOINT_URL_DYNAMODB": os.environ["DYNAMODB_ENDPOINT"],
        "PATH": f"{ROOT / '.cache/venv/bin'}:{os.environ['PATH']}",
    }


@pytest.fixture(scope="session")
def dynamodb(env):
    return boto3.client(
        "dynamodb",
        endpoint_url=env["AWS_ENDPOINT_URL_DYNAMODB"],
        region_name="us-east-1",
        aws_access_key_id="local",
        aws_secret_access_key="local",
    )


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def receiver(env):
    """The function under `cargo lambda watch` on a free loopback port: its base URL."""
    run = lambda *cmd: subprocess.run(cmd, cwd=ROOT, env=env, check=True)
    run(str(ROOT / ".cache/iac/bin/python"), "scripts/create-tables.py", env["AWS_ENDPOINT_URL_DYNAMODB"])
    run("cargo", "build", "-q", "--features", "signing", "--bin", "webhook-sign", "--bin", "webhook-receiver")
    port = free_port()
    log = open(ROOT / ".cache/e2e-watch.log", "w")
    watch = subprocess.Popen(
        ["cargo", "lambda", "watch", "-A", "127.0.0.1", "-P", str(port)],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 300
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            if watch.poll() is not None or time.monotonic() > deadline:
                pytest.fail((ROOT / ".cache/e2e-watch.log").read_text())
            time.sleep(0.5)
    yield {"base": f"http://127.0.0.1:{port}/lambda-url/webhook-receiver", "port": port, "env": env}
    watch.terminate()
    watch.wait(timeout=30)


def sh(command, env, timeout=300):
    """A shell command's output (stdout and stderr)."""
    done = subprocess.run(
        ["bash", "-c", command], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )
    return done.stdout + done.stderr
