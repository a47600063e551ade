#!/usr/bin/env bash
# The deployment's proof, offline: template.yaml is what tenants.json makes; SAM and CloudFormation
# linters and checkov on it, on its CloudFormation translation (checkov does not read SAM function
# policies), and on the same for a tenant of every format and option
# (tests/iac/tenants-every-format.json: the inbox role lines and pipes, which the default
# tenants do not have); the IAM/table/front door assertions in tests/iac; `sam build`.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
export SAM_CLI_TELEMETRY=0 BC_SKIP_MAPPING=TRUE
IAC=.cache/iac/bin

echo "iac: tenants.json -> template.yaml" >&2
"$IAC/python" scripts/tenants.py --check
every=.cache/template-every-format.yaml
"$IAC/python" scripts/tenants.py --from tests/iac/tenants-every-format.json --out "$every"
for t in template.yaml "$every"; do
  echo "iac: sam validate --lint $t" >&2
  "$IAC/sam" validate --lint --region eu-west-1 -t "$t"
  echo "iac: cfn-lint $t" >&2
  "$IAC/cfn-lint" "$t"
done
echo "iac: translate (samtranslator)" >&2
"$IAC/python" tests/iac/translate.py template.yaml .cache/template.cfn.json
"$IAC/python" tests/iac/translate.py "$every" .cache/template-every-format.cfn.json
for f in template.yaml .cache/template.cfn.json "$every" .cache/template-every-format.cfn.json; do
  echo "iac: checkov $f (skips and reasons: .checkov.yaml)" >&2
  .cache/checkov/bin/checkov --config-file .checkov.yaml -f "$f"
done
echo "iac: template assertions" >&2
(cd tests/iac && "../../$IAC/python" -m pytest -q -p no:cacheprovider .)
# The host's architecture: this machine's Rust has no aarch64 standard library.
arch=$(uname -m | sed 's/aarch64/arm64/')
echo "iac: sam build (Architecture=$arch)" >&2
"$IAC/sam" build --parameter-overrides "Architecture=$arch" >.cache/sam-build.log 2>&1 \
  || { cat .cache/sam-build.log; exit 1; }
file .aws-sam/build/ReceiverFunction/bootstrap | grep -q ELF
echo "iac: sam build ok: $(du -h .aws-sam/build/ReceiverFunction/bootstrap | cut -f1) bootstrap" >&2
