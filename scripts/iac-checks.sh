#!/usr/bin/env bash
# The deployment's proof, offline: SAM and CloudFormation linters, checkov on the template and on
# its CloudFormation translation (checkov does not read SAM function policies), the IAM/table/API
# assertions in tests/iac, and `sam build` of the function.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
export SAM_CLI_TELEMETRY=0 BC_SKIP_MAPPING=TRUE
IAC=.cache/iac/bin

echo "iac: sam validate --lint" >&2
"$IAC/sam" validate --lint --region eu-west-1
echo "iac: cfn-lint" >&2
"$IAC/cfn-lint" template.yaml
echo "iac: translate (samtranslator)" >&2
"$IAC/python" tests/iac/translate.py .cache/template.cfn.json
for f in template.yaml .cache/template.cfn.json; do
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
