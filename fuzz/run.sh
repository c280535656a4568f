#!/usr/bin/env bash
# Fuzz `k2ecs convert` for SECONDS seconds (default 1800), seeded from samples/ and tests/bad_input/.
# Usage: fuzz/run.sh [SECONDS] [WORKDIR]   (WORKDIR default: /tmp/k2ecs-fuzz; crashes land in WORKDIR/artifacts)
# libFuzzer stops at the first crash; this loop starts it again (the crash is kept) until the time is up.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
python="${PYTHON:-$root/.venv/bin/python}"
total="${1:-1800}"
work="${2:-/tmp/k2ecs-fuzz}"
mkdir -p "$work/corpus" "$work/artifacts"
# Seeds keep their path in their name (many samples are called app.yaml).
(cd "$root" && find samples tests/bad_input -type f \( -name '*.yaml' -o -name '*.yml' -o -name '*.json' \)) |
  while read -r seed; do cp "$root/$seed" "$work/corpus/seed-${seed//\//_}"; done
deadline=$(( $(date +%s) + total ))
round=0
while [ "$(date +%s)" -lt "$deadline" ]; do
  round=$((round + 1))
  left=$(( deadline - $(date +%s) ))
  echo "== round $round: $left s left" >&2
  "$python" "$here/fuzz_convert.py" "$work/corpus" -dict="$here/k8s.dict" -artifact_prefix="$work/artifacts/" \
    -max_total_time="$left" -timeout=10 -rss_limit_mb=3072 -max_len=32768 -print_final_stats=1 || true
done
