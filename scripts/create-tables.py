#!/usr/bin/env python3
"""Creates the tables named in WEBHOOK_TENANTS in DynamoDB Local (pk/sk strings, on-demand,
TTL on expires_at). Standard library only; DynamoDB Local does not check signatures."""
import json
import os
import sys
import urllib.error
import urllib.request


def call(endpoint, target, body):
    req = urllib.request.Request(
        endpoint,
        data=json.dumps(body).encode(),
        headers={
            "Content-Type": "application/x-amz-json-1.0",
            "X-Amz-Target": f"DynamoDB_20120810.{target}",
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


def main():
    endpoint = sys.argv[1]
    tables = sorted({t["table"] for t in json.loads(os.environ["WEBHOOK_TENANTS"]).values()})
    for table in tables:
        call(endpoint, "CreateTable", {
            "TableName": table,
            "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"},
                                     {"AttributeName": "sk", "AttributeType": "S"}],
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"},
                          {"AttributeName": "sk", "KeyType": "RANGE"}],
            "BillingMode": "PAY_PER_REQUEST",
        })
        call(endpoint, "UpdateTimeToLive", {
            "TableName": table,
            "TimeToLiveSpecification": {"Enabled": True, "AttributeName": "expires_at"},
        })
        print(f"table ready: {table}", file=sys.stderr)


if __name__ == "__main__":
    main()
