#!/usr/bin/env bash
# tests/fuzz/run.sh [SECONDS] — builds the harnesses (build.sh) and fuzzes
# all three (fuzz_load, fuzz_stream, fuzz_options) for SECONDS of wall time
# in all (default 600): side by side on a machine with two CPUs or more,
# else one after the other, a third each.
#
# The working corpus grows in build-fuzz/corpus/NAME and is reused by the
# next run; the seeds are data/, data/samples/, tests/data/ (bad inputs and
# fuzz regressions), tests/fuzz/seeds/ and a few small generated datasets.
# Findings land in build-fuzz/artifacts/ and make the exit status 1:
# reproduce one with build-fuzz/fuzz_load FILE.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
OUT=${FUZZ_OUT:-$ROOT/build-fuzz}
SECONDS_TOTAL=${1:-600}

"$ROOT/tests/fuzz/build.sh" "$OUT" >/dev/null

# seeds for the loader: the repository's datasets and bad inputs (at most
# 64 KiB each, the -max_len), and generated ones of every shape
seeds=$OUT/seeds/load
rm -rf "$seeds"
mkdir -p "$seeds" "$OUT/corpus/load" "$OUT/corpus/stream" "$OUT/corpus/options" "$OUT/artifacts"
find "$ROOT/data" "$ROOT/tests/data" -type f -size -65k ! -path '*/fuzz-regressions/options/*' 2>/dev/null |
  while read -r f; do cp "$f" "$seeds/$(echo "$f" | sed "s|$ROOT/||; s|/|_|g")"; done
gen=$ROOT/tests/tools/gen_events.py
for s in 1 2 3; do
  /usr/bin/python3 "$gen" --events $((s * 2)) --seed $s -o "$seeds/gen-$s.json" 2>/dev/null
  /usr/bin/python3 "$gen" --events $((s * 2)) --seed $s --format ndjson -o "$seeds/gen-$s.ndjson" 2>/dev/null
  /usr/bin/python3 "$gen" --events 8 --seed $s --bad 3 --syntax -o "$seeds/gen-bad-$s.json" 2>/dev/null
  /usr/bin/python3 "$gen" --events 8 --seed $s --bad 4 --syntax --format ndjson -o "$seeds/gen-bad-$s.ndjson" 2>/dev/null
done
/usr/bin/python3 "$gen" --events 4 --sources-last -o "$seeds/gen-sources-last.json" 2>/dev/null

run() { # NAME SECONDS SEED-DIRS...
  local name=$1 secs=$2
  shift 2
  "$OUT/$name" -max_total_time="$secs" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
    -dict="$ROOT/tests/fuzz/json.dict" -artifact_prefix="$OUT/artifacts/$name-" \
    -print_final_stats=1 "$OUT/corpus/${name#fuzz_}" "$@" >"$OUT/$name.log" 2>&1 || true
  tail -n 12 "$OUT/$name.log" | grep -E '^(stat::|Done|#|==|SUMMARY)' || true
}

if [ "$(nproc)" -ge 2 ]; then
  run fuzz_load "$SECONDS_TOTAL" "$seeds" &
  run fuzz_stream "$SECONDS_TOTAL" "$seeds" &
  run fuzz_options "$SECONDS_TOTAL" "$ROOT/tests/fuzz/seeds/options" "$ROOT/tests/data/fuzz-regressions/options"
  wait
else
  run fuzz_load $((SECONDS_TOTAL / 3)) "$seeds"
  run fuzz_stream $((SECONDS_TOTAL / 3)) "$seeds"
  run fuzz_options $((SECONDS_TOTAL / 3)) "$ROOT/tests/fuzz/seeds/options" "$ROOT/tests/data/fuzz-regressions/options"
fi

found=$(find "$OUT/artifacts" -type f | sort)
if [ -n "$found" ]; then
  echo "findings (logs: $OUT/fuzz_*.log):"
  echo "$found"
  exit 1
fi
echo "no findings"
