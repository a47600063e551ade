"""Translates a SAM template to plain CloudFormation offline with samtranslator, the way the
AWS::Serverless transform would: no network, a boto3 session only for the region, a placeholder
code location instead of an upload, a made-up ARN for every tenant's secret parameter.

    python tests/iac/translate.py TEMPLATE OUT.json   (also imported by the tests)
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


def secret_arn(parameter):
    """The ARN the tests stand in for a `<Tenant>SecretArn` parameter."""
    return f"arn:aws:secretsmanager:eu-west-1:123456789012:secret:webhook/{parameter}-AbCdEf"


def load_sam(path=TEMPLATE):
    sam = yaml_parse(pathlib.Path(path).read_text())
    # What `sam build`/`sam package` would do: point the code at an uploaded artefact.
    sam["Resources"]["ReceiverFunction"]["Properties"]["CodeUri"] = "s3://placeholder-bucket/webhook-receiver.zip"
    return sam


def parameters(sam, **overrides):
    values = {p: secret_arn(p) for p in sam["Parameters"] if p.endswith("SecretArn")}
    values.update(overrides)
    return values


def translate(path=TEMPLATE, **overrides):
    sam = load_sam(path)
    session = boto3.session.Session(region_name="eu-west-1")
    translator = Translator(managed_policy_map={}, sam_parser=Parser(), boto_session=session)
    return translator.translate(
        sam, parameter_values=parameters(sam, **overrides), get_managed_policy_map=lambda: {}
    )


if __name__ == "__main__":
    source, out = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
    out.write_text(json.dumps(translate(source), indent=2, sort_keys=True))
    print(f"translated {source} -> {out}", file=sys.stderr)
