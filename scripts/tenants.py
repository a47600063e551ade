#!/usr/bin/env python3
"""Tenants as data: writes the tenant parts of template.yaml from tenants.json.

Adding a tenant is one entry in tenants.json (slug, scheme, format, and where needed
tolerance_seconds and public_url); this script derives from it, between the template's
`# >>> tenants: NAME` and `# <<< tenants: NAME` markers: its secret parameter, its table, its
role lines (by format: v1 and clerk-user write USER#/DELIVERY# items, inbox EVENT# items), its
WEBHOOK_TENANTS entry, its trail selector, its EventBridge Pipe (inbox tenants) and its output.

    scripts/tenants.py           rewrite template.yaml (make template)
    scripts/tenants.py --check   fail if template.yaml is not what tenants.json makes (make test)
    scripts/tenants.py --from FILE --out OUT   the template for another tenant list (tests)

Nothing is written until every value has passed the function's own configuration rules (the
slug matched whole, the scheme known, the format allowed for it, the tolerance in range, a
`public_url` that is https without query, `$`, braces, quotes, backslash or whitespace): the
list is handed to `webhook-sign --check-tenants`, which reads it with the function's parser. A
bad list exits non-zero naming the entry and field. Every value is written quoted.

A generator rather than `Fn::ForEach`: the template stays plain SAM that `sam validate`, cfn-lint,
checkov and samtranslator read as is, and what is deployed is in the diff of a review.
"""
import argparse
import json
import pathlib
import re
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]
TENANTS = ROOT / "tenants.json"
TEMPLATE = ROOT / "template.yaml"

# What each format writes (SPEC §6, §11): the role grants exactly these, per table.
USER_FORMATS = {"v1", "clerk-user"}
EVENT_FORMATS = {"inbox"}
KEYS = {"slug", "scheme", "format", "tolerance_seconds", "public_url", "ledger"}
SLUG = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$")


def fail(message, source=TENANTS):
    sys.exit(f"{source.name if source == TENANTS else source}: {message}")


def load(path=TENANTS):
    """The tenant list, with what the template needs checked: a list of objects of known keys,
    string values where the template writes strings, each slug once and matched whole."""
    try:
        doc = json.loads(path.read_text())
    except (OSError, ValueError) as e:
        fail(f"cannot be read as JSON: {e}", path)
    tenants = doc.get("tenants") if isinstance(doc, dict) else None
    if not isinstance(tenants, list) or not tenants:
        fail('"tenants" must be a non-empty list', path)
    seen, names = set(), set()
    for i, t in enumerate(tenants, 1):
        if not isinstance(t, dict):
            fail(f"tenant #{i}: must be an object", path)
        unknown = set(t) - KEYS
        if unknown:
            fail(f"tenant #{i}: unknown field(s) {sorted(unknown)} (allowed: {sorted(KEYS)})", path)
        slug = t.get("slug")
        # fullmatch: `$` would let a trailing newline through.
        if not isinstance(slug, str) or not SLUG.fullmatch(slug):
            fail(f"tenant #{i}, field 'slug': 1-63 letters, digits, '_' or '-', starting with a "
                 "letter or digit", path)
        for key in ("scheme", "format", "public_url", "ledger"):
            if key in t and not isinstance(t[key], str):
                fail(f"tenant {slug!r}, field {key!r}: must be a string", path)
        if "tolerance_seconds" in t and type(t["tolerance_seconds"]) is not int:
            fail(f"tenant {slug!r}, field 'tolerance_seconds': must be a whole number", path)
        if slug in seen:
            fail(f"tenant {slug!r}: listed twice", path)
        seen.add(slug)
        t.setdefault("scheme", "standard-webhooks")
        t.setdefault("format", "v1")
        if t["format"] not in USER_FORMATS | EVENT_FORMATS:
            fail(f"tenant {slug!r}, field 'format': {t['format']!r} is not one of "
                 f"{sorted(USER_FORMATS | EVENT_FORMATS)}", path)
        name = logical(slug)
        if name in names:
            fail(f"tenant {slug!r}: its CloudFormation name {name} is another tenant's", path)
        names.add(name)
    return tenants


def check_with_the_function(path):
    """The function's own configuration rules, through its parser (webhook-sign
    --check-tenants): what the function would refuse at every cold start is refused here."""
    run = subprocess.run(
        ["cargo", "run", "-q", "--features", "signing", "--bin", "webhook-sign", "--",
         "--check-tenants", str(path)],
        cwd=ROOT, capture_output=True, text=True)
    if run.returncode != 0:
        sys.exit(run.stderr.strip() or f"webhook-sign --check-tenants {path} failed")


def quoted(value):
    """A YAML double-quoted scalar (JSON's string syntax is YAML's): no value is read as YAML."""
    return json.dumps(value)


def logical(slug):
    """clientA -> ClientA, stripe-inbox -> StripeInbox (CloudFormation names are alphanumeric)."""
    return "".join(part[:1].upper() + part[1:] for part in re.split(r"[-_]", slug) if part)


def block(lines, indent):
    return "".join(" " * indent + line + "\n" if line else "\n" for line in lines)


def parameters(tenants):
    out = []
    for t in tenants:
        n = logical(t["slug"])
        out += [
            f"{n}SecretArn:",
            "  Type: String",
            '  AllowedPattern: "^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:[0-9]{12}:secret:.+$"',
            "  Description: " + quoted(f"Full ARN of the Secrets Manager secret holding {t['slug']}'s"
                                      f" {t['scheme']} secret(s), space-separated."),
        ]
    return block(out, 2)


def tables(tenants):
    out = []
    for t in tenants:
        n = logical(t["slug"])
        out += [
            f"{n}Table:",
            "  Type: AWS::DynamoDB::Table",
            "  DeletionPolicy: Retain",
            "  UpdateReplacePolicy: Retain",
            "  Properties:",
            "    BillingMode: PAY_PER_REQUEST",
            "    AttributeDefinitions:",
            "      - { AttributeName: pk, AttributeType: S }",
            "      - { AttributeName: sk, AttributeType: S }",
            "    KeySchema:",
            "      - { AttributeName: pk, KeyType: HASH }",
            "      - { AttributeName: sk, KeyType: RANGE }",
            "    PointInTimeRecoverySpecification:",
            "      PointInTimeRecoveryEnabled: true",
            "    SSESpecification:",
            "      SSEEnabled: true",
            "    TimeToLiveSpecification:",
            "      AttributeName: expires_at",
            "      Enabled: true",
        ]
        if t["format"] in EVENT_FORMATS:
            out += [
                "    # For consumers of inbox events (EVENT# items); the receiver's role does not touch it.",
                "    # User tables have none: nothing consumes them, and their items name people.",
                "    StreamSpecification:",
                "      StreamViewType: NEW_IMAGE",
            ]
        out += [""]
    return block(out[:-1], 2)


def write_statement(sid, action, prefix, tenants):
    return [
        f"- Sid: {sid}",
        "  Effect: Allow",
        f"  Action: dynamodb:{action}",
        "  Resource:",
        *[f"    - !GetAtt {logical(t['slug'])}Table.Arn" for t in tenants],
        "  Condition:",
        "    ForAllValues:StringLike:",
        f'      dynamodb:LeadingKeys: ["{prefix}"]',
        "    # ForAllValues is vacuously true on an empty key set: require the key.",
        '    "Null":',
        '      dynamodb:LeadingKeys: "false"',
    ]


def role(tenants):
    users = [t for t in tenants if t["format"] in USER_FORMATS]
    # A tenant whose user item is its own ledger (SPEC §13.4) writes no delivery record.
    records = [t for t in users if t.get("ledger", "delivery") == "delivery"]
    events = [t for t in tenants if t["format"] in EVENT_FORMATS]
    out = []
    if users:
        out += ["# v1 and clerk-user: the user item (UpdateItem); with the default ledger also the",
                "# delivery record (PutItem), in one TransactWriteItems authorised per item."]
        out += write_statement("WriteUserItems", "UpdateItem", "USER#*", users)
    if records:
        out += write_statement("WriteDeliveryRecords", "PutItem", "DELIVERY#*", records)
    if events:
        out += ["# inbox: one PutItem of the event."]
        out += write_statement("WriteInboxEvents", "PutItem", "EVENT#*", events)
    out += [
        "- Sid: ReadTenantSecrets",
        "  Effect: Allow",
        "  Action: secretsmanager:GetSecretValue",
        "  Resource:",
        *[f"    - !Ref {logical(t['slug'])}SecretArn" for t in tenants],
    ]
    return block(out, 14)


def tenant_entries(tenants):
    """WEBHOOK_TENANTS as the template writes it: table and secret by reference."""
    entries = {}
    for t in tenants:
        n = logical(t["slug"])
        entry = {"table": f"${{{n}Table}}", "secret_arn": f"${{{n}SecretArn}}",
                 "scheme": t["scheme"], "format": t["format"]}
        for key in ("tolerance_seconds", "public_url", "ledger"):
            if key in t:
                entry[key] = t[key]
        entries[t["slug"]] = entry
    return entries


def webhook_tenants(tenants):
    entries = tenant_entries(tenants)
    # Only the template's own references are substituted; a value cannot add one (`${` is
    # refused in values), nor end the single-quoted string.
    for slug, entry in entries.items():
        for key, value in entry.items():
            if key not in ("table", "secret_arn") and ("${" in str(value) or "'" in str(value)):
                fail(f"tenant {slug!r}, field {key!r}: holds `${{` or a single quote")
    text = json.dumps(entries, separators=(",", ":"))
    return block([f"WEBHOOK_TENANTS: !Sub '{text}'"], 10)


def trail(tenants):
    return block([f"- !GetAtt {logical(t['slug'])}Table.Arn" for t in tenants], 16)


# A pipe's name: this stack's key (the first group of its stack id's UUID), then the tenant's
# slug. Known before the pipe exists, so the role's trust can name every pipe exactly; unique per
# stack; at most 64 characters, as pipe names are (inbox slugs: at most 55).
STACK_KEY = '!Select [0, !Split ["-", !Select [2, !Split ["/", !Ref AWS::StackId]]]]'
MAX_PIPE_SLUG = 64 - 9


def pipe_arn(slug):
    return ('!Sub ["arn:${AWS::Partition}:pipes:${AWS::Region}:${AWS::AccountId}:pipe/${StackKey}-'
            f'{slug}", {{StackKey: {STACK_KEY}}}]')


def pipes(tenants):
    """One EventBridge Pipe per inbox table (EnableEventPipes=true), the one role they share
    (read that table's stream, put events on the one bus, send what the bus refuses to the
    dead-letter queue), trusted by exactly these pipes, and the dead-letter queue with its
    alarm."""
    inbox = [t for t in tenants if t["format"] in EVENT_FORMATS]
    if not inbox:
        return ""
    for t in inbox:
        if len(t["slug"]) > MAX_PIPE_SLUG:
            fail(f"tenant {t['slug']!r}, field 'slug': an inbox tenant's slug names its pipe: "
                 f"at most {MAX_PIPE_SLUG} characters")
    streams = [f"                - !GetAtt {logical(t['slug'])}Table.StreamArn" for t in inbox]
    out = [
        "EventPipesRole:",
        "  Type: AWS::IAM::Role",
        "  Condition: CreateEventPipes",
        "  Properties:",
        "    AssumeRolePolicyDocument:",
        '      Version: "2012-10-17"',
        "      Statement:",
        "        - Effect: Allow",
        "          Principal: { Service: pipes.amazonaws.com }",
        "          Action: sts:AssumeRole",
        "          # Only this stack's pipes, in this account (the confused deputy).",
        "          Condition:",
        "            StringEquals:",
        '              aws:SourceAccount: !Ref AWS::AccountId',
        "            ArnEquals:",
        "              aws:SourceArn:",
        *[f"                - {pipe_arn(t['slug'])}" for t in inbox],
        "    Policies:",
        "      - PolicyName: inbox-events-to-bus",
        "        PolicyDocument:",
        '          Version: "2012-10-17"',
        "          Statement:",
        "            - Sid: ReadInboxStreams",
        "              Effect: Allow",
        "              Action:",
        "                - dynamodb:DescribeStream",
        "                - dynamodb:GetRecords",
        "                - dynamodb:GetShardIterator",
        "              Resource:",
        *streams,
        "            # ListStreams names streams only and takes no resource-level permission.",
        "            - Sid: ListStreams",
        "              Effect: Allow",
        "              Action: dynamodb:ListStreams",
        '              Resource: "*"',
        "            - Sid: PutOnBus",
        "              Effect: Allow",
        "              Action: events:PutEvents",
        "              Resource: !If [HasEventBus, !Ref EventBusArn, !Sub \"arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:event-bus/default\"]",
        "            - Sid: SendToDeadLetterQueue",
        "              Effect: Allow",
        "              Action: sqs:SendMessage",
        "              Resource: !GetAtt EventPipesDeadLetterQueue.Arn",
        "",
        "# What a pipe could not put on the bus after its retries (the bus refused it, or it is",
        "# over 256 KB with its stream record): kept 14 days, to look at and redrive.",
        "EventPipesDeadLetterQueue:",
        "  Type: AWS::SQS::Queue",
        "  Condition: CreateEventPipes",
        "  Properties:",
        "    SqsManagedSseEnabled: true",
        "    MessageRetentionPeriod: 1209600",
        "",
        "# Every event the pipes put on the bus, kept to replay a time range (README: Replaying).",
        "EventArchive:",
        "  Type: AWS::Events::Archive",
        "  Condition: CreateEventPipes",
        "  Properties:",
        "    Description: The webhook receiver's inbox events (source webhook-receiver.<tenant>), to replay.",
        "    SourceArn: !If [HasEventBus, !Ref EventBusArn, !Sub \"arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:event-bus/default\"]",
        '    EventPattern: { source: [{ prefix: "webhook-receiver." }] }',
        "    RetentionDays: !Ref EventArchiveRetentionDays",
        "",
        "EventPipesDeadLetterAlarm:",
        "  Type: AWS::CloudWatch::Alarm",
        "  Condition: CreateEventPipes",
        "  Properties:",
        "    AlarmDescription: An inbox event did not reach the bus and waits in the pipes' dead-letter queue.",
        "    Namespace: AWS/SQS",
        "    MetricName: ApproximateNumberOfMessagesVisible",
        "    Dimensions:",
        "      - { Name: QueueName, Value: !GetAtt EventPipesDeadLetterQueue.QueueName }",
        "    Statistic: Maximum",
        "    Period: 300",
        "    EvaluationPeriods: 1",
        "    Threshold: 1",
        "    ComparisonOperator: GreaterThanOrEqualToThreshold",
        "    TreatMissingData: notBreaching",
        "    AlarmActions: !If [HasAlarmTopic, [!Ref AlarmTopicArn], !Ref AWS::NoValue]",
        "",
    ]
    for t in inbox:
        n = logical(t["slug"])
        out += [
            f"{n}EventsPipe:",
            "  Type: AWS::Pipes::Pipe",
            "  Condition: CreateEventPipes",
            "  Properties:",
            f'    Name: !Join ["-", [{STACK_KEY}, {quoted(t["slug"])}]]',
            "    Description: " + quoted(f"{t['slug']}'s inbox events, from its table's stream to the event bus"),
            "    RoleArn: !GetAtt EventPipesRole.Arn",
            f"    Source: !GetAtt {n}Table.StreamArn",
            "    SourceParameters:",
            "      DynamoDBStreamParameters:",
            "        StartingPosition: LATEST",
            "        BatchSize: 1",
            "        # An event the bus cannot take (over 256 KB with its stream record) goes to the",
            "        # dead-letter queue after this, not retried for the stream's 24 hours ahead of",
            "        # every later one.",
            "        MaximumRetryAttempts: 10",
            "        DeadLetterConfig:",
            "          Arn: !GetAtt EventPipesDeadLetterQueue.Arn",
            "      # New events that name their type: never a TTL expiry, never an untyped event.",
            "      FilterCriteria:",
            "        Filters:",
            '          - Pattern: \'{"eventName":["INSERT"],"dynamodb":{"Keys":{"pk":{"S":[{"prefix":"EVENT#"}]}},"NewImage":{"event_type":{"S":[{"exists":true}]}}}}\'',
            "    Target: !If [HasEventBus, !Ref EventBusArn, !Sub \"arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:event-bus/default\"]",
            "    TargetParameters:",
            "      EventBridgeEventBusParameters:",
            "        Source: " + quoted(f"webhook-receiver.{t['slug']}"),
            "        DetailType: $.dynamodb.NewImage.event_type.S",
            "",
        ]
    return block(out[:-1], 2)


def pipe_parameters(tenants):
    if not any(t["format"] in EVENT_FORMATS for t in tenants):
        return ""
    return block([
        "EnableEventPipes:",
        "  Type: String",
        '  Default: "false"',
        '  AllowedValues: ["true", "false"]',
        "  Description: One EventBridge Pipe per inbox tenant, from its table's stream to an event bus"
        " (detail-type = the event type, source = webhook-receiver.<tenant>).",
        "EventBusArn:",
        "  Type: String",
        '  Default: ""',
        "  Description: The event bus the pipes put events on. Empty for the account's default bus.",
        "EventArchiveRetentionDays:",
        "  Type: Number",
        "  Default: 30",
        "  MinValue: 0",
        "  Description: Days the event archive keeps the pipes' events to replay (0 keeps them indefinitely).",
    ], 2)


def pipe_conditions(tenants):
    if not any(t["format"] in EVENT_FORMATS for t in tenants):
        return ""
    return block([
        'CreateEventPipes: !Equals [!Ref EnableEventPipes, "true"]',
        'HasEventBus: !Not [!Equals [!Ref EventBusArn, ""]]',
    ], 2)


def dashboard(tenants):
    """One CloudWatch dashboard: what a person looks at instead of reading logs (README:
    "The dashboard" says what each widget answers). The receiver's EMF metrics by tenant and
    outcome, the front door's 4xx/5xx (HTTP API or Function URL, whichever is deployed), the
    function's errors and throttles, and, with pipes, the dead-letter queue's depth."""
    search = "SEARCH('{WebhookReceiver,service,tenant,outcome} MetricName=\"%s\"', '%s', 300)"

    def expressions(*pairs):
        return [[{"expression": search % (metric, stat), "id": f"e{i}", "label": label}]
                for i, (metric, stat, label) in enumerate(pairs)]

    def widget(title, metrics, x, y, stat="Sum", width=12):
        return {"type": "metric", "x": x, "y": y, "width": width, "height": 6,
                "properties": {"title": title, "region": "${AWS::Region}", "stat": stat,
                               "period": 300, "view": "timeSeries", "metrics": metrics}}

    widgets = [
        widget("Requests by tenant and outcome", expressions(("Requests", "Sum", "")), 0, 0),
        widget("Latency, total_ms p50 and p99 (by tenant and outcome)",
               expressions(("total_ms", "p50", "p50"), ("total_ms", "p99", "p99")), 12, 0),
        widget("Front door 4xx and 5xx", [
            ["AWS/ApiGateway", "4xx", "ApiId", "${Api}", {"label": "HTTP API 4xx"}],
            ["AWS/ApiGateway", "5xx", "ApiId", "${Api}", {"label": "HTTP API 5xx"}],
            ["AWS/Lambda", "Url4xxCount", "FunctionName", "${Function}", {"label": "Function URL 4xx"}],
            ["AWS/Lambda", "Url5xxCount", "FunctionName", "${Function}", {"label": "Function URL 5xx"}],
        ], 0, 6),
        widget("Function errors and throttles", [
            ["AWS/Lambda", "Errors", "FunctionName", "${Function}"],
            ["AWS/Lambda", "Throttles", "FunctionName", "${Function}"],
        ], 12, 6),
        widget("DynamoDB write units by tenant", expressions(("dynamodb_write_units", "Sum", "")), 0, 12),
    ]
    pipes = any(t["format"] in EVENT_FORMATS for t in tenants)
    if pipes:
        widgets.append(widget("Inbox events waiting in the pipes' dead-letter queue", [
            ["AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", "${Queue}"],
        ], 12, 12, stat="Maximum"))
    body = json.dumps({"widgets": widgets}, separators=(",", ":"))
    variables = [
        "      Function: !Ref ReceiverFunction",
        '      Api: !If [UseHttpApi, !Ref WebhookApi, "none"]',
    ]
    if pipes:
        variables.append('      Queue: !If [CreateEventPipes, !GetAtt EventPipesDeadLetterQueue.QueueName, "none"]')
    return block([
        "ReceiverDashboard:",
        "  Type: AWS::CloudWatch::Dashboard",
        "  Properties:",
        "    DashboardBody: !Sub",
        f"      - {quoted(body)}",
        "      -",
        *["  " + v for v in variables],
    ], 2)


def outputs(tenants):
    out = []
    for t in tenants:
        n = logical(t["slug"])
        out += [f"{n}TableName:", "  Description: " + quoted(f"{t['slug']}'s table"),
                f"  Value: !Ref {n}Table"]
    out += ["DashboardName:", "  Description: The receiver's CloudWatch dashboard",
            "  Value: !Ref ReceiverDashboard"]
    if any(t["format"] in EVENT_FORMATS for t in tenants):
        out += ["EventArchiveArn:", "  Condition: CreateEventPipes",
                "  Description: The archive of the pipes' events, to replay a time range (aws events start-replay)",
                "  Value: !GetAtt EventArchive.Arn"]
    return block(out, 2)


REGIONS = {
    "parameters": parameters,
    "tables": tables,
    "role": role,
    "environment": webhook_tenants,
    "trail": trail,
    "pipes": pipes,
    "dashboard": dashboard,
    "pipe-parameters": pipe_parameters,
    "pipe-conditions": pipe_conditions,
    "outputs": outputs,
}


def render(tenants, text):
    """The template `text` with every tenant region rewritten for `tenants`."""
    for name, make in REGIONS.items():
        pattern = re.compile(
            rf"(^[ ]*# >>> tenants: {re.escape(name)}\b[^\n]*\n)(.*?)(^[ ]*# <<< tenants: {re.escape(name)}\n)",
            re.S | re.M)
        if len(pattern.findall(text)) != 1:
            sys.exit(f"template.yaml: no single '# >>> tenants: {name}' region")
        text = pattern.sub(lambda m: m.group(1) + make(tenants) + m.group(3), text)
    return text


# What AWS accepts: Lambda's environment variables together at most 4 KB, an IAM role's inline
# policies at most 10,240 characters (whitespace aside). Estimated with the longest names
# CloudFormation gives (a table: stack-LogicalId-RANDOM; a secret ARN: about 100 characters).
ENV_LIMIT, POLICY_LIMIT = 4096, 10240
TABLE_NAME, TABLE_ARN, SECRET_ARN = 100, 160, 110


def check_limits(tenants):
    entries = tenant_entries(tenants)
    for entry in entries.values():
        entry["table"], entry["secret_arn"] = "t" * TABLE_NAME, "a" * SECRET_ARN
    env = len("WEBHOOK_TENANTS") + len(json.dumps(entries, separators=(",", ":")))
    if env > ENV_LIMIT - 200:
        fail(f"{len(tenants)} tenants make WEBHOOK_TENANTS about {env} bytes: Lambda allows 4 KB of "
             "environment in all; split the tenants over two stacks")
    users = sum(t["format"] in USER_FORMATS for t in tenants)
    events = len(tenants) - users
    policy = 1500 + 2 * users * TABLE_ARN + events * TABLE_ARN + len(tenants) * SECRET_ARN
    if policy > POLICY_LIMIT:
        fail(f"{len(tenants)} tenants make the role's policy about {policy} characters: IAM allows "
             f"{POLICY_LIMIT}; split the tenants over two stacks")


def main():
    parser = argparse.ArgumentParser(
        description="Writes template.yaml's tenant parts from tenants.json (make template).")
    parser.add_argument("--check", action="store_true",
                        help="write nothing; fail if template.yaml is not what tenants.json makes")
    parser.add_argument("--from", dest="source", type=pathlib.Path,
                        help="another tenant list (with --out)")
    parser.add_argument("--out", type=pathlib.Path, help="where the template for --from goes")
    args = parser.parse_args()
    if (args.source is None) != (args.out is None) or (args.check and args.source):
        parser.error("--from and --out go together, and not with --check")
    source = args.source or TENANTS
    tenants = load(source)
    check_limits(tenants)
    check_with_the_function(source)
    if args.source:
        args.out.write_text(render(tenants, TEMPLATE.read_text()))
        print(f"tenants: {args.out} written for the {len(tenants)} tenants of {source}", file=sys.stderr)
        return
    current = TEMPLATE.read_text()
    wanted = render(tenants, current)
    if args.check:
        if wanted != current:
            sys.exit("template.yaml is not what tenants.json makes: run `make template` and commit it")
        print(f"tenants: template.yaml matches tenants.json ({len(tenants)} tenants)", file=sys.stderr)
        return
    TEMPLATE.write_text(wanted)
    print(f"tenants: template.yaml written for {len(tenants)} tenants", file=sys.stderr)


if __name__ == "__main__":
    main()
