#!/usr/bin/env bash
# End to end, as a user runs it (tests/e2e, pytest): `cargo lambda watch` serving the function
# over DynamoDB Local with local.env's tenants, signed curls (the one `make run` prints, one per
# sender, and the README's hand-signing examples run verbatim), `cargo lambda invoke
# --data-file` (what `make invoke` runs), items read back with boto3, and the real binary
# failing init on bad configuration.
# Usage: scripts/e2e.sh DYNAMODB_ENDPOINT
set -euo pipefail
cd "$(dirname "$0")/.."
DYNAMODB_ENDPOINT="$1" exec .cache/iac/bin/python -m pytest -q -p no:cacheprovider tests/e2e
