"""What template.yaml deploys, read from its CloudFormation translation: the roles' complete
permissions (any widening fails), the tables, the function, both front doors, the pipes and the
optional trail. Each check runs on template.yaml (tenants.json's tenants) and, where the default
tenants lack a format, on the template made for a tenant of every format
(tenants-every-format.json)."""
import importlib.util
import json
import pathlib
import re
import subprocess
import sys

import pytest

from translate import ROOT, load_sam, secret_arn, translate

EVERY = ROOT / ".cache" / "template-every-format-test.yaml"


def tenants_module():
    spec = importlib.util.spec_from_file_location("tenants", ROOT / "scripts" / "tenants.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


TENANTS = tenants_module()


@pytest.fixture(scope="module")
def cfn():
    return translate()


@pytest.fixture(scope="module")
def every():
    tenants = TENANTS.load(pathlib.Path(__file__).parent / "tenants-every-format.json")
    EVERY.parent.mkdir(exist_ok=True)
    EVERY.write_text(TENANTS.render(tenants, (ROOT / "template.yaml").read_text()))
    return translate(EVERY)


def resources(cfn, kind):
    return {k: v for k, v in cfn["Resources"].items() if v["Type"] == kind}


def arns(*tables):
    return [{"Fn::GetAtt": [f"{t}Table", "Arn"]} for t in tables]


def write(sid, action, prefix, tables):
    return {
        "Sid": sid,
        "Effect": "Allow",
        "Action": f"dynamodb:{action}",
        "Resource": arns(*tables),
        "Condition": {
            "ForAllValues:StringLike": {"dynamodb:LeadingKeys": [prefix]},
            "Null": {"dynamodb:LeadingKeys": "false"},
        },
    }


def fixed_statements(secret_parameters):
    return [
        {
            "Sid": "ReadTenantSecrets",
            "Effect": "Allow",
            "Action": "secretsmanager:GetSecretValue",
            "Resource": [secret_arn(p) for p in secret_parameters],
        },
        {
            "Sid": "WriteTraces",
            "Effect": "Allow",
            "Action": ["xray:PutTraceSegments", "xray:PutTelemetryRecords"],
            "Resource": "*",
        },
        {
            "Sid": "WriteOwnLogs",
            "Effect": "Allow",
            "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
            "Resource": {"Fn::GetAtt": ["ReceiverLogGroup", "Arn"]},
        },
    ]


def resolve_refs(value):
    """Secret parameters become their values, as CloudFormation would resolve them."""
    if isinstance(value, dict) and set(value) == {"Ref"} and str(value["Ref"]).endswith("SecretArn"):
        return secret_arn(value["Ref"])
    if isinstance(value, dict):
        return {k: resolve_refs(v) for k, v in value.items()}
    if isinstance(value, list):
        return [resolve_refs(v) for v in value]
    return value


def receiver_statements(cfn):
    roles = resources(cfn, "AWS::IAM::Role")
    assert set(roles) <= {"ReceiverRole", "EventPipesRole"}, "no other role may appear"
    assert not resources(cfn, "AWS::IAM::Policy") and not resources(cfn, "AWS::IAM::ManagedPolicy")
    role = roles["ReceiverRole"]["Properties"]
    assert "ManagedPolicyArns" not in role, "no managed policy: everything is listed here"
    assert "PermissionsBoundary" not in role
    assert role["AssumeRolePolicyDocument"]["Statement"] == [
        {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
    ]
    assert len(role["Policies"]) == 1
    return resolve_refs(role["Policies"][0]["PolicyDocument"]["Statement"])


def test_template_is_what_tenants_json_makes():
    text = (ROOT / "template.yaml").read_text()
    assert TENANTS.render(TENANTS.load(), text) == text, "run `make template`"


def test_the_role_writes_user_and_delivery_items_only_in_v1_tables(cfn):
    assert receiver_statements(cfn) == [
        write("WriteUserItems", "UpdateItem", "USER#*", ["ClientA", "ClientB"]),
        write("WriteDeliveryRecords", "PutItem", "DELIVERY#*", ["ClientA", "ClientB"]),
        *fixed_statements(["ClientASecretArn", "ClientBSecretArn"]),
    ]


def test_the_role_writes_event_items_only_in_inbox_tables(every):
    # The item-ledger tenant (SPEC §13.4) may update its user items and write nothing else.
    assert receiver_statements(every) == [
        write("WriteUserItems", "UpdateItem", "USER#*", ["ClientA", "Clerk", "LedgerItem"]),
        write("WriteDeliveryRecords", "PutItem", "DELIVERY#*", ["ClientA", "Clerk"]),
        write("WriteInboxEvents", "PutItem", "EVENT#*", ["StripeInbox", "TwilioInbox"]),
        *fixed_statements(["ClientASecretArn", "ClerkSecretArn", "LedgerItemSecretArn", "StripeInboxSecretArn",
                           "TwilioInboxSecretArn"]),
    ]


def test_an_item_ledger_tenant_is_configured_so(every):
    sam = load_sam(EVERY)
    env = sam["Resources"]["ReceiverFunction"]["Properties"]["Environment"]["Variables"]
    entries = json.loads(env["WEBHOOK_TENANTS"]["Fn::Sub"])
    assert entries["ledger-item"]["ledger"] == "item"
    assert "ledger" not in entries["clientA"], "the default ledger is left unsaid"


@pytest.mark.parametrize("which", ["cfn", "every"])
def test_no_wildcard_action_or_resource_and_no_forbidden_action(which, request):
    statements = receiver_statements(request.getfixturevalue(which))
    # X-Ray's two write actions take no resource-level permission: the one statement on "*".
    on_everything = [st for st in statements if st["Resource"] == "*"]
    assert [st["Sid"] for st in on_everything] == ["WriteTraces"]
    text = json.dumps([st for st in statements if st["Sid"] != "WriteTraces"])
    for forbidden in ["GetItem", "Query", "Scan", "DeleteItem", "BatchWrite", "BatchGet", "GetRecords",
                      "GetShardIterator", "DescribeStream", "ListStreams",
                      "CreateTable", "DeleteTable", "UpdateTable", "dynamodb:*", '"*"', "iam:"]:
        assert forbidden not in text, forbidden
    for statement in statements:
        actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        assert all("*" not in a for a in actions)
        assert statement["Effect"] == "Allow"
        # One action per table statement: a PutItem never reaches USER#, an UpdateItem never
        # DELIVERY# or EVENT#.
        if statement["Sid"].startswith("Write") and statement["Sid"] not in ("WriteTraces", "WriteOwnLogs"):
            assert isinstance(statement["Action"], str)
            assert len(statement["Condition"]["ForAllValues:StringLike"]["dynamodb:LeadingKeys"]) == 1


def test_function_uses_the_role_and_builds_with_cargo_lambda(cfn):
    sam_fn = load_sam()["Resources"]["ReceiverFunction"]
    assert sam_fn["Metadata"]["BuildMethod"] == "rust-cargolambda"
    assert "Events" not in sam_fn["Properties"], "the front doors are their own resources"
    assert load_sam()["Parameters"]["Architecture"]["Default"] == "arm64"
    fn = resources(cfn, "AWS::Lambda::Function")["ReceiverFunction"]["Properties"]
    assert fn["Role"] == {"Fn::GetAtt": ["ReceiverRole", "Arn"]}
    assert fn["Runtime"] == "provided.al2023" and fn["Handler"] == "bootstrap"
    assert fn["Architectures"] == [{"Ref": "Architecture"}]
    assert fn["LoggingConfig"]["LogFormat"] == "JSON"
    assert fn["LoggingConfig"]["LogGroup"] == {"Ref": "ReceiverLogGroup"}
    assert fn["ReservedConcurrentExecutions"] == {"Ref": "ReservedConcurrency"}
    assert fn["TracingConfig"] == {"Mode": "Active"}
    # Worst case inside the handler: conflict retries stop after 4 s, one call is bounded to 2.5 s.
    assert fn["Timeout"] >= 7


def webhook_tenants(cfn):
    fn = resources(cfn, "AWS::Lambda::Function")["ReceiverFunction"]["Properties"]
    env = fn["Environment"]["Variables"]
    assert set(env) == {"WEBHOOK_TENANTS"}, "nothing else, and never a secret, in plain configuration"
    template = env["WEBHOOK_TENANTS"]["Fn::Sub"]
    assert isinstance(template, str), "table names and secret ARNs by reference only"
    refs = set(re.findall(r"\$\{([A-Za-z0-9]+)\}", template))
    for ref in refs:
        assert ref.endswith("Table") and ref in cfn["Resources"] or ref.endswith("SecretArn"), ref
    return json.loads(re.sub(r"\$\{([A-Za-z0-9]+)\}", r"\1", template))


def test_tenants_come_from_the_tables_and_secrets_only_by_arn(cfn, every):
    assert webhook_tenants(cfn) == {
        "clientA": {"table": "ClientATable", "secret_arn": "ClientASecretArn",
                    "scheme": "standard-webhooks", "format": "v1"},
        "clientB": {"table": "ClientBTable", "secret_arn": "ClientBSecretArn",
                    "scheme": "standard-webhooks", "format": "v1"},
    }
    tenants = webhook_tenants(every)
    assert tenants["stripe-inbox"]["tolerance_seconds"] == 600
    assert tenants["twilio_inbox"]["public_url"] == "https://hooks.example.com/webhooks/twilio_inbox"
    assert tenants["twilio_inbox"]["table"] == "TwilioInboxTable"
    for doc in (cfn, every):
        assert not re.search(r"whsec_[A-Za-z0-9+/=]{8,}", json.dumps(doc)), "a secret literal in the template"


@pytest.mark.parametrize("which,names", [
    ("cfn", {"ClientATable", "ClientBTable"}),
    ("every", {"ClientATable", "ClerkTable", "LedgerItemTable", "StripeInboxTable", "TwilioInboxTable"}),
])
def test_tables_are_retained_encrypted_recoverable_and_expire_items(which, names, request):
    tables = resources(request.getfixturevalue(which), "AWS::DynamoDB::Table")
    assert set(tables) == names
    for name, table in tables.items():
        p = table["Properties"]
        assert table["DeletionPolicy"] == "Retain" and table["UpdateReplacePolicy"] == "Retain", name
        assert p["BillingMode"] == "PAY_PER_REQUEST", name
        assert p["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}, name
        assert p["SSESpecification"]["SSEEnabled"] is True, name
        assert p["TimeToLiveSpecification"] == {"AttributeName": "expires_at", "Enabled": True}, name
        # Inbox events are consumed from the stream; the receiver's role has no stream action.
        # User tables have none: nothing consumes them, and their items name people.
        if name in ("StripeInboxTable", "TwilioInboxTable"):
            assert p["StreamSpecification"] == {"StreamViewType": "NEW_IMAGE"}, name
        else:
            assert "StreamSpecification" not in p, name
        assert p["KeySchema"] == [{"AttributeName": "pk", "KeyType": "HASH"},
                                  {"AttributeName": "sk", "KeyType": "RANGE"}], name
        assert "TableName" not in p, "CloudFormation names the tables; the function learns them from WEBHOOK_TENANTS"


def created(cfn, front_door):
    """The resources CloudFormation creates with FrontDoor=front_door (and no trail or pipes)."""
    decided = {"UseHttpApi": front_door == "HttpApi", "UseFunctionUrl": front_door == "FunctionUrl"}
    for condition in cfn["Conditions"]:
        decided.setdefault(condition, False)
    return {k for k, v in cfn["Resources"].items() if decided.get(v.get("Condition"), True)}


FRONT_DOORS = {
    "HttpApi": {"ApiAccessLogGroup", "WebhookApi", "WebhookIntegration", "WebhookRoute", "EverythingRoute",
                "WebhookApiApiGatewayDefaultStage", "WebhookApiInvokePermission", "Api5xxAlarm"},
    "FunctionUrl": {"WebhookFunctionUrl", "WebhookFunctionUrlPermission", "WebhookFunctionUrlInvokePermission",
                    "FunctionUrl5xxAlarm"},
}


def test_the_front_door_is_a_choice_http_api_by_default(cfn):
    assert load_sam()["Parameters"]["FrontDoor"]["Default"] == "HttpApi"
    assert load_sam()["Parameters"]["FrontDoor"]["AllowedValues"] == ["HttpApi", "FunctionUrl"]
    for door, own in FRONT_DOORS.items():
        other = set().union(*(v for k, v in FRONT_DOORS.items() if k != door))
        made = created(cfn, door)
        assert own <= made, door
        assert not other & made, door
    url = cfn["Outputs"]["WebhookUrl"]["Value"]["Fn::If"]
    assert url[0] == "UseHttpApi"
    assert "WebhookFunctionUrl" in json.dumps(url[2])


def test_every_method_and_path_reaches_the_function_throttled_and_logged(cfn):
    """HttpApi: ANY /webhooks/{tenant} and $default both go to the function (payload 2.0), so API
    Gateway never answers a sender itself; the stage's default route settings throttle both."""
    r = cfn["Resources"]
    integration = r["WebhookIntegration"]["Properties"]
    assert integration["IntegrationType"] == "AWS_PROXY" and integration["PayloadFormatVersion"] == "2.0"
    assert integration["IntegrationUri"] == {"Fn::GetAtt": ["ReceiverFunction", "Arn"]}
    routes = resources(cfn, "AWS::ApiGatewayV2::Route")
    assert sorted(p["Properties"]["RouteKey"] for p in routes.values()) == ["$default", "ANY /webhooks/{tenant}"]
    for route in routes.values():
        assert route["Properties"]["Target"] == {"Fn::Sub": "integrations/${WebhookIntegration}"}
    assert '"RouteSettings"' not in json.dumps(cfn), "a per-route setting would override the throttle"
    stage = r["WebhookApiApiGatewayDefaultStage"]["Properties"]
    assert stage["StageName"] == "$default" and stage["AutoDeploy"] is True
    assert stage["DefaultRouteSettings"] == {
        "ThrottlingRateLimit": {"Ref": "ThrottlingRateLimit"},
        "ThrottlingBurstLimit": {"Ref": "ThrottlingBurstLimit"},
    }
    assert stage["AccessLogSettings"]["DestinationArn"] == {"Fn::GetAtt": ["ApiAccessLogGroup", "Arn"]}
    permission = r["WebhookApiInvokePermission"]["Properties"]
    assert permission["Principal"] == "apigateway.amazonaws.com"
    assert "${WebhookApi}/*" in permission["SourceArn"]["Fn::Sub"]


def test_the_function_url_is_public_only_through_the_url(cfn):
    r = cfn["Resources"]
    url = r["WebhookFunctionUrl"]["Properties"]
    assert url["AuthType"] == "NONE" and url["InvokeMode"] == "BUFFERED"
    assert url["TargetFunctionArn"] == {"Fn::GetAtt": ["ReceiverFunction", "Arn"]}
    assert "Cors" not in url, "webhooks come from servers, never from browsers"
    public = [p["Properties"] for p in resources(cfn, "AWS::Lambda::Permission").values()
              if p["Properties"]["Principal"] == "*"]
    assert sorted(p["Action"] for p in public) == ["lambda:InvokeFunction", "lambda:InvokeFunctionUrl"]
    for p in public:
        if p["Action"] == "lambda:InvokeFunction":
            # Never a public Invoke API: only calls that come through the URL.
            assert p["InvokedViaFunctionUrl"] is True
        else:
            assert p["FunctionUrlAuthType"] == "NONE"


def test_no_pipe_without_an_inbox_tenant(cfn):
    assert not resources(cfn, "AWS::Pipes::Pipe")
    assert "EnableEventPipes" not in load_sam()["Parameters"], "guided deploy asks only what applies"


def test_one_pipe_per_inbox_table_onto_the_bus_with_least_privilege(every):
    sam = load_sam(EVERY)
    assert sam["Parameters"]["EnableEventPipes"]["Default"] == "false"
    pipes = resources(every, "AWS::Pipes::Pipe")
    assert set(pipes) == {"StripeInboxEventsPipe", "TwilioInboxEventsPipe"}
    for name, slug in [("StripeInbox", "stripe-inbox"), ("TwilioInbox", "twilio_inbox")]:
        pipe = pipes[f"{name}EventsPipe"]
        assert pipe["Condition"] == "CreateEventPipes"
        p = pipe["Properties"]
        assert p["Source"] == {"Fn::GetAtt": [f"{name}Table", "StreamArn"]}
        assert p["RoleArn"] == {"Fn::GetAtt": ["EventPipesRole", "Arn"]}
        target = p["TargetParameters"]["EventBridgeEventBusParameters"]
        assert target == {"Source": f"webhook-receiver.{slug}", "DetailType": "$.dynamodb.NewImage.event_type.S"}
        pattern = json.loads(p["SourceParameters"]["FilterCriteria"]["Filters"][0]["Pattern"])
        assert pattern["eventName"] == ["INSERT"]
        assert pattern["dynamodb"]["Keys"]["pk"]["S"] == [{"prefix": "EVENT#"}]
    role = every["Resources"]["EventPipesRole"]
    assert role["Condition"] == "CreateEventPipes"
    trust = role["Properties"]["AssumeRolePolicyDocument"]["Statement"]
    assert [t["Principal"] for t in trust] == [{"Service": "pipes.amazonaws.com"}]
    stack_key = {"Fn::Select": [0, {"Fn::Split": ["-", {"Fn::Select": [2, {"Fn::Split": ["/", {"Ref": "AWS::StackId"}]}]}]}]}
    pipe_arn = "arn:${AWS::Partition}:pipes:${AWS::Region}:${AWS::AccountId}:pipe/${StackKey}-"
    assert trust[0]["Condition"] == {
        "StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}},
        # Exactly this stack's pipes, by the names they are given.
        "ArnEquals": {"aws:SourceArn": [{"Fn::Sub": [pipe_arn + slug, {"StackKey": stack_key}]}
                                        for slug in ("stripe-inbox", "twilio_inbox")]},
    }
    for name, slug in [("StripeInbox", "stripe-inbox"), ("TwilioInbox", "twilio_inbox")]:
        p = pipes[f"{name}EventsPipe"]["Properties"]
        assert p["Name"] == {"Fn::Join": ["-", [stack_key, slug]]}
        dlq = p["SourceParameters"]["DynamoDBStreamParameters"]["DeadLetterConfig"]
        assert dlq == {"Arn": {"Fn::GetAtt": ["EventPipesDeadLetterQueue", "Arn"]}}
    bus = {"Fn::If": ["HasEventBus", {"Ref": "EventBusArn"},
                      {"Fn::Sub": "arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:event-bus/default"}]}
    assert role["Properties"]["Policies"][0]["PolicyDocument"]["Statement"] == [
        {"Sid": "ReadInboxStreams", "Effect": "Allow",
         "Action": ["dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator"],
         "Resource": [{"Fn::GetAtt": ["StripeInboxTable", "StreamArn"]},
                      {"Fn::GetAtt": ["TwilioInboxTable", "StreamArn"]}]},
        {"Sid": "ListStreams", "Effect": "Allow", "Action": "dynamodb:ListStreams", "Resource": "*"},
        {"Sid": "PutOnBus", "Effect": "Allow", "Action": "events:PutEvents", "Resource": bus},
        {"Sid": "SendToDeadLetterQueue", "Effect": "Allow", "Action": "sqs:SendMessage",
         "Resource": {"Fn::GetAtt": ["EventPipesDeadLetterQueue", "Arn"]}},
    ]


def test_what_a_pipe_cannot_deliver_waits_in_an_encrypted_queue_that_alarms(every):
    queue = every["Resources"]["EventPipesDeadLetterQueue"]
    assert queue["Condition"] == "CreateEventPipes"
    assert queue["Properties"] == {"SqsManagedSseEnabled": True, "MessageRetentionPeriod": 1209600}
    alarm = every["Resources"]["EventPipesDeadLetterAlarm"]
    assert alarm["Condition"] == "CreateEventPipes"
    p = alarm["Properties"]
    assert (p["Namespace"], p["MetricName"]) == ("AWS/SQS", "ApproximateNumberOfMessagesVisible")
    assert p["Dimensions"] == [{"Name": "QueueName", "Value": {"Fn::GetAtt": ["EventPipesDeadLetterQueue", "QueueName"]}}]
    assert p["Threshold"] == 1 and p["ComparisonOperator"] == "GreaterThanOrEqualToThreshold"
    assert p["AlarmActions"] == {"Fn::If": ["HasAlarmTopic", [{"Ref": "AlarmTopicArn"}], {"Ref": "AWS::NoValue"}]}


def test_an_inbox_slug_too_long_to_name_its_pipe_is_refused(tmp_path):
    code, message, wrote = generate(tmp_path, [{"slug": "a" * 56, "scheme": "stripe", "format": "inbox"}])
    assert code != 0 and "at most 55" in message and not wrote, message
    code, message, wrote = generate(tmp_path, [{"slug": "a" * 55, "scheme": "stripe", "format": "inbox"}])
    assert code == 0 and wrote, message


@pytest.mark.parametrize("which", ["cfn", "every"])
def test_log_groups_have_retention(which, request):
    for name, group in resources(request.getfixturevalue(which), "AWS::Logs::LogGroup").items():
        assert group["Properties"]["RetentionInDays"] == {"Ref": "LogRetentionDays"}, name


def test_data_event_trail_is_optional_off_by_default_and_locked_down(cfn, every):
    sam = load_sam()
    assert sam["Parameters"]["EnableDataEventTrail"]["Default"] == "false"
    trail_parts = ["TrailBucket", "TrailBucketPolicy", "DataEventTrail"]
    for name in trail_parts:
        assert cfn["Resources"][name]["Condition"] == "CreateDataEventTrail", name
    bucket = cfn["Resources"]["TrailBucket"]["Properties"]
    assert bucket["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True, "BlockPublicPolicy": True, "IgnorePublicAcls": True, "RestrictPublicBuckets": True}
    assert bucket["OwnershipControls"]["Rules"] == [{"ObjectOwnership": "BucketOwnerEnforced"}]
    assert "ServerSideEncryptionConfiguration" in bucket["BucketEncryption"]
    policy = cfn["Resources"]["TrailBucketPolicy"]["Properties"]["PolicyDocument"]["Statement"]
    assert policy[0]["Effect"] == "Deny" and policy[0]["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    for allow in policy[1:]:
        assert allow["Principal"] == {"Service": "cloudtrail.amazonaws.com"}
        assert "aws:SourceArn" in allow["Condition"]["StringEquals"]
    for doc, tables in [(cfn, ["ClientA", "ClientB"]),
                        (every, ["ClientA", "Clerk", "LedgerItem", "StripeInbox", "TwilioInbox"])]:
        trail = doc["Resources"]["DataEventTrail"]["Properties"]
        selectors = trail["AdvancedEventSelectors"][0]["FieldSelectors"]
        assert next(s["Equals"] for s in selectors if s["Field"] == "resources.ARN") == arns(*tables)
        assert trail["EnableLogFileValidation"] is True


def test_alarms_cover_5xx_errors_and_throttles_and_notify_an_optional_topic(cfn):
    alarms = resources(cfn, "AWS::CloudWatch::Alarm")
    watched = {(a["Properties"]["Namespace"], a["Properties"]["MetricName"]) for a in alarms.values()}
    assert watched == {("AWS/ApiGateway", "5xx"), ("AWS/Lambda", "Url5xxCount"),
                       ("AWS/Lambda", "Errors"), ("AWS/Lambda", "Throttles")}
    assert load_sam()["Parameters"]["AlarmTopicArn"]["Default"] == ""
    for name, alarm in alarms.items():
        p = alarm["Properties"]
        assert p["Threshold"] == 1 and p["ComparisonOperator"] == "GreaterThanOrEqualToThreshold", name
        assert p["TreatMissingData"] == "notBreaching", name
        assert p["AlarmActions"] == {"Fn::If": ["HasAlarmTopic", [{"Ref": "AlarmTopicArn"}], {"Ref": "AWS::NoValue"}]}, name


def test_guided_deploy_asks_only_what_a_user_decides():
    """Every parameter has a default but the tenants' secrets, which only the user knows."""
    sam = load_sam()
    without_default = [p for p, v in sam["Parameters"].items() if "Default" not in v]
    assert without_default == [p for p in sam["Parameters"] if p.endswith("SecretArn")]
    assert len(without_default) == 2


def test_more_tenants_than_aws_allows_fail_before_deploying(tmp_path):
    many = tmp_path / "tenants.json"
    many.write_text(json.dumps({"tenants": [{"slug": f"tenant-{i:02}"} for i in range(40)]}))
    out = tmp_path / "template.yaml"
    run = subprocess.run([sys.executable, str(ROOT / "scripts" / "tenants.py"), "--from", str(many), "--out", str(out)],
                         capture_output=True, text=True)
    assert run.returncode != 0 and "4 KB" in run.stderr, run.stderr
    assert not out.exists()
    few = tmp_path / "few.json"
    few.write_text(json.dumps({"tenants": [{"slug": f"tenant-{i:02}"} for i in range(8)]}))
    ok = subprocess.run([sys.executable, str(ROOT / "scripts" / "tenants.py"), "--from", str(few), "--out", str(out)],
                        capture_output=True, text=True)
    assert ok.returncode == 0, ok.stderr


def generate(tmp_path, tenants, *extra):
    """Runs the generator on `tenants`; its exit, its message and whether it wrote anything."""
    source = tmp_path / "tenants.json"
    source.write_text(json.dumps({"tenants": tenants}))
    out = tmp_path / "template.yaml"
    run = subprocess.run([sys.executable, str(ROOT / "scripts" / "tenants.py"), *extra,
                          "--from", str(source), "--out", str(out)],
                         capture_output=True, text=True)
    return run.returncode, run.stderr, out.exists()


@pytest.mark.parametrize("entry, named", [
    # YAML injected through a scheme: another account's secret as a default.
    ({"slug": "a", "scheme": 'stripe\n    Default: "arn:aws:secretsmanager:us-east-1:999999999999:secret:x"'},
     "tenant `a`, field `scheme`"),
    # A substitution CloudFormation would make at deploy time.
    ({"slug": "a", "scheme": "twilio", "format": "inbox",
      "public_url": "https://hooks.example.com/${AWS::AccountId}"}, "tenant `a`, field `public_url`"),
    ({"slug": "a", "scheme": "twilio", "format": "inbox",
      "public_url": "https://hooks.example.com/x'y"}, "tenant `a`, field `public_url`"),
    ({"slug": "a", "scheme": "twilio", "format": "inbox",
      "public_url": "https://hooks.example.com/x?y=1"}, "tenant `a`, field `public_url`"),
    # A slug whose regex `$` would pass with a trailing newline.
    ({"slug": "a\n"}, "tenant #1, field 'slug'"),
    ({"slug": "a", "scheme": "no-such-sender"}, "tenant `a`, field `scheme`"),
    ({"slug": "a", "scheme": "paddle", "format": "v1"}, "tenant `a`, field `format`"),
    ({"slug": "a", "tolerance_seconds": 0}, "tenant `a`, field `tolerance_seconds`"),
    ({"slug": "a", "tolerance_seconds": "60"}, "tenant 'a', field 'tolerance_seconds'"),
    ({"slug": "a", "scheme": ["stripe"]}, "tenant 'a', field 'scheme'"),
    ({"slug": "a", "table": "x"}, "tenant #1: unknown field"),
])
def test_a_bad_tenant_list_is_refused_naming_the_entry_and_field(tmp_path, entry, named):
    code, message, wrote = generate(tmp_path, [entry])
    assert code != 0 and named in message, message
    assert not wrote


def test_values_are_written_quoted_and_read_back_as_given(tmp_path):
    tenants = [{"slug": "twilio_inbox", "scheme": "twilio", "format": "inbox",
                "public_url": "https://hooks.example.com/p:a-th/x"}]
    code, message, wrote = generate(tmp_path, tenants)
    assert code == 0 and wrote, message
    sam = load_sam(tmp_path / "template.yaml")
    env = sam["Resources"]["ReceiverFunction"]["Properties"]["Environment"]["Variables"]
    entry = json.loads(env["WEBHOOK_TENANTS"]["Fn::Sub"])["twilio_inbox"]
    assert entry["public_url"] == tenants[0]["public_url"]
    text = (tmp_path / "template.yaml").read_text()
    assert 'Description: "Full ARN of the Secrets Manager secret holding twilio_inbox\'s twilio' in text
    assert 'Source: "webhook-receiver.twilio_inbox"' in text


def test_help_writes_nothing():
    before = (ROOT / "template.yaml").stat().st_mtime_ns
    run = subprocess.run([sys.executable, str(ROOT / "scripts" / "tenants.py"), "--help"],
                         capture_output=True, text=True)
    assert run.returncode == 0 and "usage" in run.stdout
    assert (ROOT / "template.yaml").stat().st_mtime_ns == before
    bad = subprocess.run([sys.executable, str(ROOT / "scripts" / "tenants.py"), "--bogus"],
                         capture_output=True, text=True)
    assert bad.returncode != 0
    assert (ROOT / "template.yaml").stat().st_mtime_ns == before


def dashboard_of(path):
    """The dashboard's widgets, its `${…}` references resolved to markers, and its variables."""
    sam = load_sam(path)
    body, variables = sam["Resources"]["ReceiverDashboard"]["Properties"]["DashboardBody"]["Fn::Sub"]
    widgets = json.loads(body)["widgets"]
    refs = set(re.findall(r"\$\{([^}]+)\}", body))
    return widgets, dict(variables), refs


@pytest.mark.parametrize("pipes", [False, True])
def test_the_dashboard_shows_what_a_person_looks_for(pipes, every):
    widgets, variables, refs = dashboard_of(EVERY if pipes else ROOT / "template.yaml")
    titles = [w["properties"]["title"] for w in widgets]
    text = json.dumps(widgets)
    # Per tenant and outcome, from the EMF metrics the function writes (src/telemetry.rs).
    for metric in ("Requests", "total_ms", "dynamodb_write_units"):
        assert f"{{WebhookReceiver,service,tenant,outcome}} MetricName=\\\"{metric}\\\"" in text, metric
    assert "'p50'" in text and "'p99'" in text
    for metric in ("4xx", "5xx", "Url4xxCount", "Url5xxCount", "Errors", "Throttles"):
        assert f'"{metric}"' in text, metric
    assert ("ApproximateNumberOfMessagesVisible" in text) == pipes
    assert len(titles) == (6 if pipes else 5)
    # Every reference is a pseudo parameter or a variable given beside the body.
    assert refs - {"AWS::Region"} == set(variables)
    assert variables["Function"] == {"Ref": "ReceiverFunction"}
    assert variables["Api"] == {"Fn::If": ["UseHttpApi", {"Ref": "WebhookApi"}, "none"]}


def test_the_pipes_events_are_archived_for_replay(every):
    sam = load_sam(EVERY)
    archive = sam["Resources"]["EventArchive"]
    assert archive["Condition"] == "CreateEventPipes"
    props = archive["Properties"]
    assert props["EventPattern"] == {"source": [{"prefix": "webhook-receiver."}]}
    assert props["RetentionDays"] == {"Ref": "EventArchiveRetentionDays"}
    assert sam["Parameters"]["EventArchiveRetentionDays"]["Default"] == 30
    # The archive reads the bus the pipes put events on.
    target = sam["Resources"]["StripeInboxEventsPipe"]["Properties"]["Target"]
    assert props["SourceArn"] == target
    # The pipe's source is what the archive keeps.
    assert sam["Resources"]["StripeInboxEventsPipe"]["Properties"]["TargetParameters"][
        "EventBridgeEventBusParameters"]["Source"].startswith("webhook-receiver.")
    assert "EventArchive" not in load_sam(ROOT / "template.yaml")["Resources"], "no pipes, no archive"


def test_the_outputs_name_the_dashboard_and_the_archive(every):
    assert load_sam(ROOT / "template.yaml")["Outputs"]["DashboardName"]["Value"] == {"Ref": "ReceiverDashboard"}
    out = load_sam(EVERY)["Outputs"]["EventArchiveArn"]
    assert out["Condition"] == "CreateEventPipes"
    assert out["Value"] == {"Fn::GetAtt": ["EventArchive", "Arn"]}
