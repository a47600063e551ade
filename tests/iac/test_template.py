"""What template.yaml deploys, read from its CloudFormation translation: the role's complete
permissions (any widening fails), the tables, the function, the API and the optional trail."""
import json
import re

import pytest

from translate import PARAMETERS, load_sam, translate


@pytest.fixture(scope="module")
def cfn():
    return translate()


def resources(cfn, kind):
    return {k: v for k, v in cfn["Resources"].items() if v["Type"] == kind}


TABLE_ARNS = [{"Fn::GetAtt": ["ClientATable", "Arn"]}, {"Fn::GetAtt": ["ClientBTable", "Arn"]}]

EXPECTED_STATEMENTS = [
    {
        "Sid": "WriteTenantItems",
        "Effect": "Allow",
        "Action": ["dynamodb:PutItem", "dynamodb:UpdateItem"],
        "Resource": TABLE_ARNS,
        "Condition": {
            "ForAllValues:StringLike": {"dynamodb:LeadingKeys": ["USER#*", "DELIVERY#*", "EVENT#*"]},
            "Null": {"dynamodb:LeadingKeys": "false"},
        },
    },
    {
        "Sid": "ReadTenantSecrets",
        "Effect": "Allow",
        "Action": "secretsmanager:GetSecretValue",
        "Resource": [PARAMETERS["ClientASecretArn"], PARAMETERS["ClientBSecretArn"]],
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
    """Parameters become their values, as CloudFormation would resolve them."""
    if isinstance(value, dict) and set(value) == {"Ref"} and value["Ref"] in PARAMETERS:
        return PARAMETERS[value["Ref"]]
    if isinstance(value, dict):
        return {k: resolve_refs(v) for k, v in value.items()}
    if isinstance(value, list):
        return [resolve_refs(v) for v in value]
    return value


def test_the_only_role_has_exactly_the_expected_permissions(cfn):
    roles = resources(cfn, "AWS::IAM::Role")
    assert list(roles) == ["ReceiverRole"], "no other role may appear"
    assert not resources(cfn, "AWS::IAM::Policy") and not resources(cfn, "AWS::IAM::ManagedPolicy")
    role = roles["ReceiverRole"]["Properties"]
    assert "ManagedPolicyArns" not in role, "no managed policy: everything is listed here"
    assert "PermissionsBoundary" not in role
    assert role["AssumeRolePolicyDocument"]["Statement"] == [
        {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
    ]
    assert len(role["Policies"]) == 1
    statements = resolve_refs(role["Policies"][0]["PolicyDocument"]["Statement"])
    assert statements == EXPECTED_STATEMENTS


def test_no_wildcard_action_or_resource_and_no_forbidden_action(cfn):
    role = resources(cfn, "AWS::IAM::Role")["ReceiverRole"]["Properties"]
    # X-Ray's two write actions take no resource-level permission: the one statement on "*".
    statements = role["Policies"][0]["PolicyDocument"]["Statement"]
    on_everything = [st for st in statements if st["Resource"] == "*"]
    assert [st["Sid"] for st in on_everything] == ["WriteTraces"]
    assert on_everything[0]["Action"] == ["xray:PutTraceSegments", "xray:PutTelemetryRecords"]
    text = json.dumps([st for st in statements if st["Sid"] != "WriteTraces"])
    for forbidden in ["GetItem", "Query", "Scan", "DeleteItem", "BatchWrite", "BatchGet", "GetRecords",
                      "GetShardIterator", "DescribeStream", "ListStreams",
                      "CreateTable", "DeleteTable", "UpdateTable", "dynamodb:*", '"*"', "iam:"]:
        assert forbidden not in text, forbidden
    for statement in role["Policies"][0]["PolicyDocument"]["Statement"]:
        actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        assert all("*" not in a for a in actions)
        assert statement["Effect"] == "Allow"


def test_function_uses_the_role_and_builds_with_cargo_lambda(cfn):
    sam_fn = load_sam()["Resources"]["ReceiverFunction"]
    assert sam_fn["Metadata"]["BuildMethod"] == "rust-cargolambda"
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


def test_tenants_come_from_the_tables_and_secrets_only_by_arn(cfn):
    fn = resources(cfn, "AWS::Lambda::Function")["ReceiverFunction"]["Properties"]
    env = fn["Environment"]["Variables"]
    assert set(env) == {"WEBHOOK_TENANTS"}, "nothing else, and never a secret, in plain configuration"
    template, refs = env["WEBHOOK_TENANTS"]["Fn::Sub"]
    assert refs == {"TableA": {"Ref": "ClientATable"}, "TableB": {"Ref": "ClientBTable"}}
    tenants = json.loads(template.replace("${TableA}", "tA").replace("${TableB}", "tB")
                         .replace("${ClientASecretArn}", "arnA").replace("${ClientBSecretArn}", "arnB"))
    assert tenants == {
        "clientA": {"table": "tA", "secret_arn": "arnA"},
        "clientB": {"table": "tB", "secret_arn": "arnB"},
    }
    assert not re.search(r"whsec_[A-Za-z0-9+/=]{8,}", json.dumps(cfn)), "a secret literal in the template"


def test_tables_are_retained_encrypted_recoverable_and_expire_items(cfn):
    tables = resources(cfn, "AWS::DynamoDB::Table")
    assert set(tables) == {"ClientATable", "ClientBTable"}
    for name, table in tables.items():
        p = table["Properties"]
        assert table["DeletionPolicy"] == "Retain" and table["UpdateReplacePolicy"] == "Retain", name
        assert p["BillingMode"] == "PAY_PER_REQUEST", name
        assert p["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}, name
        assert p["SSESpecification"]["SSEEnabled"] is True, name
        assert p["TimeToLiveSpecification"] == {"AttributeName": "expires_at", "Enabled": True}, name
        # Inbox events are consumed from the stream; the receiver's role has no stream action.
        assert p["StreamSpecification"] == {"StreamViewType": "NEW_IMAGE"}, name
        assert p["KeySchema"] == [{"AttributeName": "pk", "KeyType": "HASH"},
                                  {"AttributeName": "sk", "KeyType": "RANGE"}], name
        assert "TableName" not in p, "CloudFormation names the tables; the function learns them from WEBHOOK_TENANTS"


def test_every_method_and_path_reaches_the_function_throttled_and_logged(cfn):
    """ANY /webhooks/{tenant} and $default both go to the function (payload 2.0), so API Gateway
    never answers a sender itself; the stage's default route settings throttle both."""
    api = resources(cfn, "AWS::ApiGatewayV2::Api")["WebhookApi"]["Properties"]
    paths = api["Body"]["paths"]
    assert sorted(paths) == ["$default", "/webhooks/{tenant}"]
    for path in paths.values():
        assert list(path) == ["x-amazon-apigateway-any-method"], path
        integration = path["x-amazon-apigateway-any-method"]["x-amazon-apigateway-integration"]
        assert integration["payloadFormatVersion"] == "2.0"
        assert "ReceiverFunction.Arn" in json.dumps(integration["uri"])
    assert '"RouteSettings"' not in json.dumps(cfn), "a per-route setting would override the throttle"
    stage = next(iter(resources(cfn, "AWS::ApiGatewayV2::Stage").values()))["Properties"]
    assert stage["DefaultRouteSettings"] == {
        "ThrottlingRateLimit": {"Ref": "ThrottlingRateLimit"},
        "ThrottlingBurstLimit": {"Ref": "ThrottlingBurstLimit"},
    }
    assert stage["AccessLogSettings"]["DestinationArn"] == {"Fn::GetAtt": ["ApiAccessLogGroup", "Arn"]}


def test_log_groups_have_retention(cfn):
    for name, group in resources(cfn, "AWS::Logs::LogGroup").items():
        assert group["Properties"]["RetentionInDays"] == {"Ref": "LogRetentionDays"}, name


def test_data_event_trail_is_optional_off_by_default_and_locked_down(cfn):
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
    trail = cfn["Resources"]["DataEventTrail"]["Properties"]
    selectors = trail["AdvancedEventSelectors"][0]["FieldSelectors"]
    arns = next(s["Equals"] for s in selectors if s["Field"] == "resources.ARN")
    assert arns == TABLE_ARNS
    assert trail["EnableLogFileValidation"] is True


def test_alarms_cover_5xx_errors_and_throttles_and_notify_an_optional_topic(cfn):
    alarms = resources(cfn, "AWS::CloudWatch::Alarm")
    watched = {(a["Properties"]["Namespace"], a["Properties"]["MetricName"]) for a in alarms.values()}
    assert watched == {("AWS/ApiGateway", "5xx"), ("AWS/Lambda", "Errors"), ("AWS/Lambda", "Throttles")}
    assert load_sam()["Parameters"]["AlarmTopicArn"]["Default"] == ""
    for name, alarm in alarms.items():
        p = alarm["Properties"]
        assert p["Threshold"] == 1 and p["ComparisonOperator"] == "GreaterThanOrEqualToThreshold", name
        assert p["TreatMissingData"] == "notBreaching", name
        assert p["AlarmActions"] == {"Fn::If": ["HasAlarmTopic", [{"Ref": "AlarmTopicArn"}], {"Ref": "AWS::NoValue"}]}, name
