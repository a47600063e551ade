"""scripts/redrive.py against DynamoDB Local, with EventBridge and SQS played by moto's server
(scripts/service.sh): inbox items are re-published as the tenant's pipe publishes them, chosen
by receipt time and event type; a dry run sends nothing.

    DYNAMODB_ENDPOINT=… MOTO_ENDPOINT=… pytest tests/redrive
"""
import importlib.util
import json
import os
import pathlib
import uuid

import boto3
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
REGION = "us-east-1"
TENANT = "acme-stripe"


def redrive_module():
    spec = importlib.util.spec_from_file_location("redrive", ROOT / "scripts" / "redrive.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


REDRIVE = redrive_module()


def client(service, endpoint):
    return boto3.client(service, region_name=REGION, endpoint_url=endpoint,
                        aws_access_key_id="local", aws_secret_access_key="local")


@pytest.fixture()
def world(monkeypatch):
    # The script takes an operator's credentials from the environment; these local services
    # check only their shape.
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "local")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "local")
    dynamodb = client("dynamodb", os.environ["DYNAMODB_ENDPOINT"])
    moto = os.environ["MOTO_ENDPOINT"]
    events, sqs = client("events", moto), client("sqs", moto)
    table = f"redrive_{uuid.uuid4().hex[:12]}"
    dynamodb.create_table(
        TableName=table, BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                              {"AttributeName": "sk", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}])
    # What the bus receives, seen through a rule on the tenant's source into a queue.
    bus = f"bus-{uuid.uuid4().hex[:8]}"
    events.create_event_bus(Name=bus)
    queue = sqs.create_queue(QueueName=f"q-{uuid.uuid4().hex[:8]}")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    events.put_rule(Name="all", EventBusName=bus,
                    EventPattern=json.dumps({"source": [{"prefix": "webhook-receiver."}]}))
    events.put_targets(Rule="all", EventBusName=bus, Targets=[{"Id": "q", "Arn": arn}])
    return {"dynamodb": dynamodb, "sqs": sqs, "table": table, "bus": bus, "queue": queue, "moto": moto}


def put_item(world, n, event_type, received_at):
    """An inbox item as the receiver writes it (src/store.rs: put_event)."""
    item = {
        "pk": {"S": f"EVENT#evt_{n}"}, "sk": {"S": "EVENT"}, "delivery_id": {"S": f"evt_{n}"},
        "event_time": {"N": "1795867140000"}, "received_at": {"S": received_at},
        "payload_sha256": {"S": "ab" * 32}, "body": {"S": json.dumps({"id": f"evt_{n}", "note": "Ünïcödé"})},
        "expires_at": {"N": "1798459200"},
    }
    if event_type is not None:
        item["event_type"] = {"S": event_type}
    world["dynamodb"].put_item(TableName=world["table"], Item=item)
    return item


def received(world):
    out = []
    while True:
        got = world["sqs"].receive_message(QueueUrl=world["queue"], MaxNumberOfMessages=10, WaitTimeSeconds=0)
        messages = got.get("Messages", [])
        if not messages:
            return out
        out += [json.loads(m["Body"]) for m in messages]
        world["sqs"].delete_message_batch(
            QueueUrl=world["queue"],
            Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(messages)])


def run(world, *extra):
    return REDRIVE.main(["--table", world["table"], "--tenant", TENANT, "--bus", world["bus"],
                         "--region", REGION, "--dynamodb-endpoint", os.environ["DYNAMODB_ENDPOINT"],
                         "--events-endpoint", world["moto"], *extra])


def test_events_are_republished_as_the_pipe_publishes_them(world):
    inside = [put_item(world, i, "invoice.paid", f"2026-12-01T10:{i:02d}:00.123Z") for i in range(25)]
    put_item(world, 100, "invoice.paid", "2026-11-30T23:59:59Z")       # before the range
    put_item(world, 101, "invoice.paid", "2026-12-02T00:00:00Z")       # the range's end is exclusive
    put_item(world, 102, None, "2026-12-01T11:00:00Z")                 # untyped: the pipe skips it too
    world["dynamodb"].put_item(TableName=world["table"], Item={          # a user item, never an event
        "pk": {"S": "USER#usr_00000001"}, "sk": {"S": "META#latest"}, "received_at": {"S": "2026-12-01T11:00:00Z"},
        "event_type": {"S": "x"}})
    assert run(world, "--since", "2026-12-01T00:00:00Z", "--until", "2026-12-02T00:00:00Z", "--apply") == 0
    got = received(world)
    assert len(got) == 25
    by_key = {e["detail"]["dynamodb"]["Keys"]["pk"]["S"]: e for e in got}
    for item in inside:
        event = by_key[item["pk"]["S"]]
        assert event["source"] == f"webhook-receiver.{TENANT}"
        assert event["detail-type"] == "invoice.paid"
        record = event["detail"]
        assert record["eventName"] == "INSERT" and record["eventSource"] == "aws:dynamodb"
        assert record["dynamodb"]["NewImage"] == item, "the item exactly, in DynamoDB JSON"
        assert record["dynamodb"]["StreamViewType"] == "NEW_IMAGE"
        assert record["dynamodb"]["Keys"] == {"pk": item["pk"], "sk": item["sk"]}


def test_a_dry_run_sends_nothing_and_types_choose(world, capsys):
    put_item(world, 1, "invoice.paid", "2026-12-01T10:00:00Z")
    put_item(world, 2, "customer.created", "2026-12-01T10:00:01Z")
    assert run(world, "--since", "2026-12-01T00:00:00Z") == 0
    assert received(world) == []
    listed = capsys.readouterr().out.splitlines()
    assert len(listed) == 2 and all(line.startswith("EVENT#evt_") for line in listed)
    assert run(world, "--since", "2026-12-01T00:00:00Z", "--event-type", "customer.created", "--apply") == 0
    got = received(world)
    assert [e["detail-type"] for e in got] == ["customer.created"]


def test_requests_stay_under_256_kb_and_an_event_too_large_is_named(world, capsys):
    for i in range(12):
        item = put_item(world, i, "file.uploaded", f"2026-12-01T10:00:{i:02d}Z")
        item["body"] = {"S": "x" * 40_000}
        world["dynamodb"].put_item(TableName=world["table"], Item=item)
    big = put_item(world, 99, "file.uploaded", "2026-12-01T10:01:00Z")
    big["body"] = {"S": "y" * 300_000}
    world["dynamodb"].put_item(TableName=world["table"], Item=big)
    assert run(world, "--since", "2026-12-01T00:00:00Z", "--apply") == 1
    got = received(world)
    assert len(got) == 12, "ten 40 KB events do not fit one request: split, all sent"
    assert "EVENT#evt_99" in capsys.readouterr().err
