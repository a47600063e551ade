"""Translates template.yaml to plain CloudFormation offline with samtranslator, the way the
AWS::Serverless transform would: no network, a boto3 session only for the region, a placeholder
code location instead of an upload.

    python tests/iac/translate.py OUT.json   (also imported by the tests)
"""
import json
import pathlib
import sys

import boto3
from samcli.yamlhelper import yaml_parse
from samtranslator.parser.parser import Parser
from samtranslator.translator.translator import Translator

ROOT = pathlib.Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "template.yaml"
PARAMETERS = {
    "ClientASecretArn": "arn:aws:secretsmanager:eu-west-1:123456789012:secret:webhook/clientA-AbCdEf",
    "ClientBSecretArn": "arn:aws:secretsmanager:eu-west-1:123456789012:secret:webhook/clientB-GhIjKl",
}


def load_sam():
    sam = yaml_parse(TEMPLATE.read_text())
    # What `sam build`/`sam package` would do: point the code at an uploaded artefact.
    sam["Resources"]["ReceiverFunction"]["Properties"]["CodeUri"] = "s3://placeholder-bucket/webhook-receiver.zip"
    return sam


def translate():
    session = boto3.session.Session(region_name="eu-west-1")
    translator = Translator(managed_policy_map={}, sam_parser=Parser(), boto_session=session)
    return translator.translate(
        load_sam(), parameter_values=dict(PARAMETERS), get_managed_policy_map=lambda: {}
    )


if __name__ == "__main__":
    out = pathlib.Path(sys.argv[1])
    out.write_text(json.dumps(translate(), indent=2, sort_keys=True))
    print(f"translated {TEMPLATE.name} -> {out}", file=sys.stderr)
