#!/usr/bin/env bash
# tests/fuzz/build.sh — compiles the libFuzzer harnesses with clang straight
# from the core sources (no meson option needed):
#   tests/fuzz/build.sh [OUTDIR]        (default: build-fuzz/ in the repo root)
# gives OUTDIR/fuzz_load, OUTDIR/fuzz_options and OUTDIR/fuzz_stream, built with
# -fsanitize=fuzzer,address,undefined.  Needs clang and libclang-rt-14-dev.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
OUT=${1:-$ROOT/build-fuzz}
CC=${CC:-clang}
mkdir -p "$OUT"

# the library modules the harnesses reach (no dlopen, no fork: registry.c,
# plugin_load.c, host.c, dispatch.c and output.c stay out)
core=(arena json_scan loader_path sources convert event_index load load_pipeline dataset dataset_json
      summary diag options
      strbuf utf8 wording)
srcs=()
for m in "${core[@]}"; do srcs+=("$ROOT/core/src/$m.c"); done
# the wording engine's tables, compiled from po/ as meson does
python3 "$ROOT/po/catalog.py" "$ROOT/po" "$OUT/wording_catalog.c"
srcs+=("$OUT/wording_catalog.c")

flags=(-g -O1 -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE
       -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
       -fno-omit-frame-pointer -I"$ROOT/core/include" -I"$ROOT/core/src")
read -r -a cjson <<<"$(pkg-config --cflags --libs libcjson)"

for h in fuzz_load fuzz_options; do
  "$CC" "${flags[@]}" "${srcs[@]}" "$ROOT/tests/fuzz/$h.c" "${cjson[@]}" -lm -o "$OUT/$h"
done

# fuzz_stream: load.c with a 64-byte window, so every value is cut by a refill
sed 's/^#define WINDOW (1u << 20)$/#define WINDOW 64u/' "$ROOT/core/src/load.c" >"$OUT/load_window64.c"
if cmp -s "$ROOT/core/src/load.c" "$OUT/load_window64.c"; then
  echo "build.sh: cannot find '#define WINDOW (1u << 20)' in core/src/load.c" >&2
  exit 1
fi
stream_srcs=()
for f in "${srcs[@]}"; do [ "$f" = "$ROOT/core/src/load.c" ] || stream_srcs+=("$f"); done
"$CC" "${flags[@]}" "${stream_srcs[@]}" "$OUT/load_window64.c" "$ROOT/tests/fuzz/fuzz_stream.c" \
  "${cjson[@]}" -lm -o "$OUT/fuzz_stream"
echo "$OUT/fuzz_load $OUT/fuzz_options $OUT/fuzz_stream"
