# scripts/lib.sh — shared by scripts/run, scripts/test and .ci/run: install
# what is missing from Debian, configure and build.  Idempotent: a second run
# installs nothing and rebuilds only what changed.

set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

# Every Debian package the build, the suite and the benchmarks use.
PACKAGES=(
  build-essential pkg-config meson ninja-build
  libcjson-dev libhpdf-dev libdeflate-dev libxlsxwriter-dev zlib1g-dev libcmocka-dev libfribidi-dev
  fonts-dejavu-core fonts-droid-fallback
  fonts-noto-core  # the pdf's fonts by script; optional at run time (formats/briefing.md)
  poppler-utils qpdf
  python3 python3-openpyxl python3-jsonschema python3-icalendar python3-pyte
  python3-pytest  # tests/python: the Python package's tests
  valgrind man-db binutils
)

# CI's extras: clang's libFuzzer runtime for the fuzzers (tests/fuzz), MuPDF
# so the real-clients test opens the briefing in a second PDF reader, and
# LibreOffice Calc with Carlito (the font it prints Calibri in), so that the
# workbook is opened and printed by LibreOffice in CI, not only when someone
# runs scripts/check-clients: the workbook printed on 33 pages, its wrapped
# text clipped, before anyone looked.  Measured on Debian 12: 54 packages,
# 82 MB download, 264 MB installed, about 50 s to install; the two tests then
# take about 17 s a suite run (.ci/run runs the suite twice).
CI_PACKAGES=(clang clang-format libclang-rt-14-dev mupdf-tools libreoffice-calc-nogui fonts-crosextra-carlito)

# ensure_deps [extra packages...]: installs whatever of PACKAGES and the
# extras is missing, with one apt-get update, and nothing when all are there.
ensure_deps() {
  local missing=()
  for p in "${PACKAGES[@]}" "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "installing: ${missing[*]}" >&2
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null
}

# ensure_build DIR [meson setup arguments...]
ensure_build() {
  local dir=$1
  shift
  if [ ! -f "$ROOT/$dir/build.ninja" ]; then
    meson setup "$ROOT/$dir" "$ROOT" "$@" >/dev/null
  elif [ $# -gt 0 ]; then
    meson configure "$ROOT/$dir" "$@" >/dev/null
  fi
  ninja -C "$ROOT/$dir" >/dev/null
}
