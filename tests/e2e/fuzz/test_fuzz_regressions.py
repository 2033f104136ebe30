"""End-to-end: every loader input the fuzzers found a bug with
(tests/data/fuzz-regressions/*.json, *.ndjson) goes through `chronicle
validate` again.  Each must end normally — exit 0 (valid) or 65 (invalid),
never a signal or another status — and, in a sanitizer build, without an
AddressSanitizer or UndefinedBehaviorSanitizer report (halt_on_error makes
a report fatal, and stderr is checked too).

The option-parsing finds (tests/data/fuzz-regressions/options/) are inputs
of the fuzz_options harness; tests/fuzz/run.sh replays them as seeds.
"""

import glob
import os
import subprocess
import sys

CHRONICLE = os.environ["CHRONICLE"]
SRC = os.environ["SOURCE_ROOT"]
DIR = os.path.join(SRC, "tests", "data", "fuzz-regressions")


def main():
    env = dict(os.environ,
               ASAN_OPTIONS="halt_on_error=1:detect_leaks=1",
               UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1")
    files = sorted(glob.glob(os.path.join(DIR, "*.json")) +
                   glob.glob(os.path.join(DIR, "*.ndjson")))
    failed = 0
    for f in files:
        p = subprocess.run([CHRONICLE, "validate", "-q", f], capture_output=True, env=env,
                           timeout=60)
        err = p.stderr.decode("utf-8", "replace")
        bad = p.returncode not in (0, 65) or "runtime error:" in err or "Sanitizer" in err
        if bad:
            failed += 1
            print(f"FAIL {os.path.basename(f)}: exit {p.returncode}\n{err[-2000:]}")
    print(f"{len(files) - failed} of {len(files)} fuzz regressions pass")
    if not files:
        print("FAIL no regression inputs found in", DIR)
        return 1
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
