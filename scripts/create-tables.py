#!/usr/bin/env python3
"""Creates the tables of WEBHOOK_TENANTS in DynamoDB Local from template.yaml's own definitions,
so the local tables and the deployed ones have one source of truth.

Each tenant is mapped to its AWS::DynamoDB::Table resource through the template's WEBHOOK_TENANTS
(`"table":"${ClientATable}"`, as scripts/tenants.py writes it); that resource's key schema, attribute
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

import boto3
from samcli.yamlhelper import yaml_parse

TEMPLATE = pathlib.Path(__file__).resolve().parents[1] / "template.yaml"


def dynamodb(endpoint):
    """boto3's DynamoDB client for DynamoDB Local (which checks no credentials but their shape)."""
    return boto3.client(
        "dynamodb",
        endpoint_url=endpoint,
        region_name=os.environ.get("AWS_REGION", "us-east-1"),
        aws_access_key_id="local",
        aws_secret_access_key="local",
    )


def template_tables():
    """tenant slug -> the Properties of its table resource in template.yaml."""
    resources = yaml_parse(TEMPLATE.read_text())["Resources"]
    fn = next(r for r in resources.values() if r["Type"] == "AWS::Serverless::Function")
    sub_template = fn["Properties"]["Environment"]["Variables"]["WEBHOOK_TENANTS"]["Fn::Sub"]
    # `${ClientATable}` -> `ClientATable`: each entry's table then names its resource.
    tenants = json.loads(re.sub(r"\$\{([^}]+)\}", r"\1", sub_template))
    return {slug: resources[entry["table"]]["Properties"] for slug, entry in tenants.items()}


def main():
    client = dynamodb(sys.argv[1])
    definitions = template_tables()
    tenants = json.loads(os.environ["WEBHOOK_TENANTS"])
    # Every tenant table of the template is defined alike; local-only tenants get that definition.
    like = next(iter(definitions.values()))
    for slug, entry in tenants.items():
        table = entry["table"]
        props = definitions.get(slug, like)
        stream = (
            {"StreamSpecification": {"StreamEnabled": True, **props["StreamSpecification"]}}
            if "StreamSpecification" in props
            else {}
        )
        try:
            client.create_table(
                TableName=table,
                AttributeDefinitions=props["AttributeDefinitions"],
                KeySchema=props["KeySchema"],
                BillingMode=props["BillingMode"],
                **stream,
            )
        except client.exceptions.ResourceInUseException:
            print(f"table ready: {table} (tenant {slug}, already there)", file=sys.stderr)
            continue
        client.update_time_to_live(
            TableName=table,
            TimeToLiveSpecification=props["TimeToLiveSpecification"],
        )
        origin = "as template.yaml defines it" if slug in definitions else "defined like template.yaml's tenant tables"
        print(f"table ready: {table} (tenant {slug}, {origin})", file=sys.stderr)


if __name__ == "__main__":
    main()
