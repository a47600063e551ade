#!/usr/bin/env python3
"""Creates the tables of WEBHOOK_TENANTS in DynamoDB Local from template.yaml's own definitions,
so the local tables and the deployed ones have one source of truth.

Each tenant is mapped to its AWS::DynamoDB::Table resource through the template's WEBHOOK_TENANTS
(`"table":"${TableA}"` with `TableA: !Ref ClientATable`); that resource's key schema, attribute
definitions, billing mode, stream and TTL are used, under the local table name from WEBHOOK_TENANTS.
A local-only tenant (not in the template) gets a table defined like the template's tenant tables.
Runs with the IaC venv's Python (it parses the template with SAM CLI's YAML loader).

    create-tables.py DYNAMODB_ENDPOINT
"""
import json
import os
import pathlib
import re
import sys
import urllib.error
import urllib.request

from samcli.yamlhelper import yaml_parse

TEMPLATE = pathlib.Path(__file__).resolve().parents[1] / "template.yaml"


def call(endpoint, target, body):
    req = urllib.request.Request(
        endpoint,
        data=json.dumps(body).encode(),
        headers={
            "Content-Type": "application/x-amz-json-1.0",
            "X-Amz-Target": f"DynamoDB_20120810.{target}",
            # DynamoDB Local does not check signatures, only the header's shape.
            "Authorization": "AWS4-HMAC-SHA256 Credential=local/20260101/us-east-1/dynamodb/aws4_request, "
            "SignedHeaders=host, Signature=local",
        },
    )
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return json.load(resp)
    except urllib.error.HTTPError as e:
        err = json.load(e)
        if "ResourceInUseException" in err.get("__type", ""):
            return None
        sys.exit(f"create-tables: {target} failed: {err}")


def template_tables():
    """tenant slug -> the Properties of its table resource in template.yaml."""
    resources = yaml_parse(TEMPLATE.read_text())["Resources"]
    fn = next(r for r in resources.values() if r["Type"] == "AWS::Serverless::Function")
    sub_template, variables = fn["Properties"]["Environment"]["Variables"]["WEBHOOK_TENANTS"]["Fn::Sub"]
    by_tenant = {}
    for slug in json.loads(re.sub(r"\$\{[^}]+\}", "x", sub_template)):
        placeholder = re.search(rf'"{re.escape(slug)}":\{{"table":"\$\{{([^}}]+)\}}"', sub_template).group(1)
        logical_id = variables[placeholder]["Ref"]
        by_tenant[slug] = resources[logical_id]["Properties"]
    return by_tenant


def main():
    endpoint = sys.argv[1]
    definitions = template_tables()
    tenants = json.loads(os.environ["WEBHOOK_TENANTS"])
    # Every tenant table of the template is defined alike; local-only tenants get that definition.
    like = next(iter(definitions.values()))
    for slug, entry in tenants.items():
        table = entry["table"]
        props = definitions.get(slug, like)
        created = call(endpoint, "CreateTable", {
            "TableName": table,
            "AttributeDefinitions": props["AttributeDefinitions"],
            "KeySchema": props["KeySchema"],
            "BillingMode": props["BillingMode"],
            **({"StreamSpecification": {"StreamEnabled": True, **props["StreamSpecification"]}}
               if "StreamSpecification" in props else {}),
        })
        if created is None:
            print(f"table ready: {table} (tenant {slug}, already there)", file=sys.stderr)
            continue
        call(endpoint, "UpdateTimeToLive", {
            "TableName": table,
            "TimeToLiveSpecification": props["TimeToLiveSpecification"],
        })
        origin = "as template.yaml defines it" if slug in definitions else "defined like template.yaml's tenant tables"
        print(f"table ready: {table} (tenant {slug}, {origin})", file=sys.stderr)


if __name__ == "__main__":
    main()
