#!/usr/bin/env bash
# Coverage-guided fuzzing with cargo fuzz (libFuzzer) on the nightly toolchain; the receiver
# itself builds with stable.
#   scripts/fuzz.sh build   builds every target, then replays fuzz/regressions/ through them
#   scripts/fuzz.sh run     runs each target for FUZZ_SECONDS (default 60), then replays the
#                           regressions; fails on any crash, panic or broken invariant
# Targets (fuzz/fuzz_targets/): event (raw Lambda event -> response, over a DynamoDB client that
# always succeeds), verify (every sender's headers and verification), payload (the v1 parser and
# every format under every sender). The dictionary (.cache/fuzz/senders.dict) is asked of the
# senders (`webhook-sign --fuzz-dict`).
# Corpora grow under .cache/fuzz/corpus/<target>, seeded from events/ (whole events for event and
# verify, their bodies for payload); a crash's input is written to .cache/fuzz/artifacts/<target>/.
# The targets' own stdout (the per-request log lines) is closed (-close_fd_mask=1); stderr stays.
set -euo pipefail
cd "$(dirname "$0")/.."
TARGETS=(${FUZZ_TARGETS:-event verify payload})
SECONDS_EACH="${FUZZ_SECONDS:-60}"
export PATH="$PWD/.cache/rust-tools/bin:$PATH"

if ! rustup toolchain list | grep -q '^nightly'; then
  echo "fuzz: no nightly toolchain (rustup toolchain install nightly); skipped" >&2
  exit 0
fi
command -v cargo-fuzz >/dev/null || scripts/tools.sh

seed() { # TARGET: the seed corpus from events/
  local dir=".cache/fuzz/corpus/$1"
  mkdir -p "$dir" ".cache/fuzz/artifacts/$1"
  if [ "$1" = payload ]; then
    python3 - "$dir" <<'PY'
import base64, hashlib, json, pathlib, sys
out = pathlib.Path(sys.argv[1])
for f in sorted(pathlib.Path("events").glob("*.json")):
    ev = json.loads(f.read_text())
    body = ev.get("body") or ""
    try:
        data = base64.b64decode(body) if ev.get("isBase64Encoded") else body.encode()
    except ValueError:  # the sample whose base64 is invalid on purpose
        data = body.encode()
    (out / ("seed-" + hashlib.sha1(data).hexdigest())).write_bytes(data)
PY
  else
    cp events/*.json "$dir/"
  fi
}

# Each input that once found a bug, through the target it was found by (one run each).
replay_regressions() {
  local t f
  for t in "${TARGETS[@]}"; do
    for f in fuzz/regressions/"$t"/*; do
      [ -f "$f" ] || continue
      cargo +nightly fuzz run "$t" "$f" >/dev/null 2>".cache/fuzz/regression.log" \
        || { cat .cache/fuzz/regression.log >&2; echo "fuzz: regression $f fails again" >&2; exit 1; }
      echo "fuzz: regression ok: $f" >&2
    done
  done
}

mkdir -p .cache/fuzz
case "${1:-run}" in
  build)
    cargo +nightly fuzz build
    replay_regressions
    ;;
  run)
    cargo +nightly fuzz build
    # The dictionary is every sender's header names and value shapes, asked of the senders.
    cargo run -q --features signing --bin webhook-sign -- --fuzz-dict > .cache/fuzz/senders.dict
    summary=()
    status=0
    for t in "${TARGETS[@]}"; do
      seed "$t"
      echo "fuzz: $t for ${SECONDS_EACH}s" >&2
      log=".cache/fuzz/$t.log"
      if cargo +nightly fuzz run "$t" ".cache/fuzz/corpus/$t" -- \
          -max_total_time="$SECONDS_EACH" -timeout=10 -rss_limit_mb=4096 -print_final_stats=1 -close_fd_mask=1 \
          -dict=.cache/fuzz/senders.dict \
          -artifact_prefix=".cache/fuzz/artifacts/$t/" >"$log" 2>&1; then
        result="no crash"
      else
        result="FAILED (see $log and .cache/fuzz/artifacts/$t/)"
        status=1
        tail -40 "$log" >&2
      fi
      runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1 || true)
      cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 || true)
      summary+=("$t: ${runs:-?} executions in ${SECONDS_EACH}s, ${cov:-cov: ?}, corpus $(ls ".cache/fuzz/corpus/$t" | wc -l) inputs: $result")
    done
    replay_regressions
    printf 'fuzz: %s\n' "${summary[@]}"
    exit "$status"
    ;;
  *) echo "usage: $0 build|run" >&2; exit 2 ;;
esac
