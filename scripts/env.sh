# Sourced by the scripts: the local configuration and dummy AWS settings for DynamoDB Local.
# local.env is read line by line (not sourced) so the JSON in WEBHOOK_TENANTS keeps its quotes.
while IFS= read -r line; do
  case "$line" in ''|'#'*) continue ;; esac
  export "${line%%=*}=${line#*=}"
done < local.env
export AWS_REGION="${AWS_REGION:-us-east-1}"
export AWS_ACCESS_KEY_ID="${AWS_ACCESS_KEY_ID:-local}"
export AWS_SECRET_ACCESS_KEY="${AWS_SECRET_ACCESS_KEY:-local}"
export AWS_EC2_METADATA_DISABLED=true
export PATH="$PWD/.cache/venv/bin:$PATH"
