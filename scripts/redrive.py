#!/usr/bin/env python3
"""Re-publishes stored inbox events to an EventBridge bus exactly as the tenant's pipe does
(SPEC §13.5): source `webhook-receiver.<tenant>`, detail-type the item's `event_type`, detail the
DynamoDB stream record of the item's insert (`eventName`, `eventSource`, `dynamodb.Keys`,
`dynamodb.NewImage` in DynamoDB JSON, `StreamViewType: NEW_IMAGE`). A consumer that reads the
pipe's events reads these alike; only the stream's own `eventID`, `SequenceNumber` and
`SizeBytes`, which a redrive cannot have, are absent, `eventSourceARN` is the table's current
stream (when it has one), and `dynamodb.ApproximateCreationDateTime` is the receipt time.

Run it with an operator's credentials (never the function's role, which cannot read its tables
or put events). Dry run by default: it says what it would send; `--apply` sends.

    scripts/redrive.py --table TABLE --tenant SLUG --since 2026-12-01T00:00:00Z \\
        [--until 2026-12-02T00:00:00Z] [--event-type invoice.paid ...] [--bus NAME_OR_ARN] [--apply]

Chosen like the pipe chooses: inbox items (`EVENT#…`) that have an `event_type`, received in
[since, until) (`until` defaults to the time the run starts, so what arrives meanwhile is left
to the pipe), and of the given types if any. Requests are filled up to PutEvents' 256 KB; an
event larger than that alone is not sent. Progress goes to stderr every 500 items; the exit
status is non-zero when any event could not be put after three tries or was too large (their
keys are printed).
`--dynamodb-endpoint` / `--events-endpoint` point at DynamoDB Local and a local EventBridge
(the tests).
"""
import argparse
import datetime
import json
import sys
import time

import boto3
import botocore.exceptions

MAX_ENTRIES = 10  # PutEvents takes at most 10 entries a call
MAX_REQUEST_BYTES = 256 * 1024  # and at most 256 KB of them
ATTEMPTS = 3
PROGRESS_EVERY = 500


def parse_time(text):
    """An RFC 3339 time (`Z` or an offset) as an aware datetime."""
    value = datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
    if value.tzinfo is None:
        raise argparse.ArgumentTypeError(f"{text!r}: give an offset or Z")
    return value


def chosen(item, since, until, types):
    """Whether the pipe would have sent `item`, and it is in the range and of the types."""
    if not item.get("pk", {}).get("S", "").startswith("EVENT#"):
        return False
    event_type = item.get("event_type", {}).get("S")
    received = item.get("received_at", {}).get("S")
    if event_type is None or received is None:
        return False
    at = parse_time(received)
    return since <= at and (until is None or at < until) and (not types or event_type in types)


def entry_size(entry):
    """An entry's size as PutEvents counts it (its source, detail-type and detail, UTF-8)."""
    return sum(len(entry[k].encode()) for k in ("Source", "DetailType", "Detail"))


def entry(item, tenant, bus, region, stream_arn):
    """The PutEvents entry the tenant's pipe makes of this item's insert."""
    received = parse_time(item["received_at"]["S"])
    record = {
        "eventName": "INSERT",
        "eventVersion": "1.1",
        "eventSource": "aws:dynamodb",
        "awsRegion": region,
        "dynamodb": {
            "ApproximateCreationDateTime": int(received.timestamp()),
            "Keys": {"pk": item["pk"], "sk": item["sk"]},
            "NewImage": item,
            "StreamViewType": "NEW_IMAGE",
        },
    }
    if stream_arn:
        record["eventSourceARN"] = stream_arn
    return {
        "Source": f"webhook-receiver.{tenant}",
        "DetailType": item["event_type"]["S"],
        "Detail": json.dumps(record, separators=(",", ":"), ensure_ascii=False),
        "EventBusName": bus,
    }


def items(dynamodb, table):
    """Every inbox item of the table, page by page (a filter on the key prefix)."""
    pages = dynamodb.get_paginator("scan").paginate(
        TableName=table,
        FilterExpression="begins_with(#pk, :event)",
        ExpressionAttributeNames={"#pk": "pk"},
        ExpressionAttributeValues={":event": {"S": "EVENT#"}},
        ConsistentRead=True,
    )
    for page in pages:
        yield from page.get("Items", [])


def put(events, batch):
    """Puts `batch`, retrying the entries EventBridge refused (or the whole call, when it
    failed); the ones still refused."""
    pending = batch
    for attempt in range(ATTEMPTS):
        try:
            answer = events.put_events(Entries=[e for _, e in pending])
            refused = [pending[i] for i, r in enumerate(answer["Entries"]) if "ErrorCode" in r]
        except botocore.exceptions.ClientError as e:
            print(f"redrive: PutEvents failed: {e}", file=sys.stderr)
            refused = pending
        if not refused:
            return []
        pending = refused
        time.sleep(0.2 * 2**attempt)
    return pending


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--table", required=True, help="the tenant's table")
    ap.add_argument("--tenant", required=True, help="the tenant's slug: the events' source is webhook-receiver.<slug>")
    ap.add_argument("--since", required=True, type=parse_time, help="receipt time, inclusive (RFC 3339)")
    ap.add_argument("--until", type=parse_time, help="receipt time, exclusive (RFC 3339; default: now)")
    ap.add_argument("--event-type", action="append", default=[], help="only this type (repeatable)")
    ap.add_argument("--bus", default="default", help="event bus name or ARN (default: the account's default bus)")
    ap.add_argument("--apply", action="store_true", help="send (without it: a dry run)")
    ap.add_argument("--region", default=None)
    ap.add_argument("--dynamodb-endpoint", default=None)
    ap.add_argument("--events-endpoint", default=None)
    args = ap.parse_args(argv)

    session = boto3.session.Session(region_name=args.region)
    region = session.region_name or "us-east-1"
    dynamodb = session.client("dynamodb", region_name=region, endpoint_url=args.dynamodb_endpoint)
    events = session.client("events", region_name=region, endpoint_url=args.events_endpoint)
    types = set(args.event_type)
    until = args.until or datetime.datetime.now(datetime.timezone.utc)
    stream_arn = None
    if args.apply:
        stream_arn = dynamodb.describe_table(TableName=args.table)["Table"].get("LatestStreamArn")

    mode = "sending" if args.apply else "dry run (no --apply): would send"
    print(f"redrive: {mode} {args.tenant}'s inbox events received from {args.since.isoformat()}"
          f" to {until.isoformat()}"
          f"{' of types ' + ', '.join(sorted(types)) if types else ''} to bus {args.bus}", file=sys.stderr)
    scanned = sent = 0
    failed = []
    batch = []
    for item in items(dynamodb, args.table):
        scanned += 1
        if scanned % PROGRESS_EVERY == 0:
            print(f"redrive: {scanned} items read, {sent + len(batch)} chosen", file=sys.stderr)
        if not chosen(item, args.since, until, types):
            continue
        key = item["pk"]["S"]
        if not args.apply:
            print(f"{key}\t{item['event_type']['S']}\t{item['received_at']['S']}")
            sent += 1
            continue
        new = (key, entry(item, args.tenant, args.bus, region, stream_arn))
        size = entry_size(new[1])
        if size > MAX_REQUEST_BYTES:
            print(f"redrive: {key} is {size} bytes as an event, over PutEvents' 256 KB", file=sys.stderr)
            failed.append(new)
            sent += 1
            continue
        if len(batch) == MAX_ENTRIES or sum(entry_size(e) for _, e in batch) + size > MAX_REQUEST_BYTES:
            failed += put(events, batch)
            sent += len(batch)
            batch = []
        batch.append(new)
    if batch and args.apply:
        failed += put(events, batch)
        sent += len(batch)
    verb = "sent" if args.apply else "would send"
    print(f"redrive: {scanned} items read, {sent - len(failed)} events {verb}, {len(failed)} refused",
          file=sys.stderr)
    for key, _ in failed:
        print(f"redrive: not put: {key}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
