"""End-to-end: the load on every CPU gives what one CPU gives.

A dataset over 2 MiB loads its events on one thread per CPU
(core/src/load_pipeline.c); `taskset -c 0` leaves the process one CPU, so
the same command loads on one thread.  For generated datasets in both forms
(clean, with defects, with syntax errors, with "sources" after "events"),
from the file and from standard input, `validate` (an index, and the whole
model) and `export -f text` (the whole model and an index) must exit with
the same status and print the same bytes, messages and all, both ways.
tests/unit/test_load.c forces more threads and smaller batches on the
bad-input corpus; this test runs the CLI as a person does.
"""

import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools"))
from expect import Tally  # noqa: E402

CHRONICLE = os.environ["CHRONICLE"]
SRC = os.environ["SOURCE_ROOT"]
GEN = os.path.join(SRC, "tests", "tools", "gen_events.py")

tally = Tally()
check = tally.check

# name, gen_events.py arguments: 1,500 events make about 4 MB
DATASETS = [
    ("clean.json", ["-n", "1500", "--seed", "21"]),
    ("clean.ndjson", ["-n", "1500", "--seed", "21"]),
    ("bad.json", ["-n", "1500", "--seed", "22", "--bad", "60"]),
    ("bad.ndjson", ["-n", "1500", "--seed", "22", "--bad", "60"]),
    ("syntax.ndjson", ["-n", "1500", "--seed", "23", "--bad", "40", "--syntax"]),
    ("syntax.json", ["-n", "1500", "--seed", "23", "--bad", "40", "--syntax"]),
    ("last.json", ["-n", "1500", "--seed", "24", "--bad", "20", "--sources-last"]),
]


def run(args, one_cpu, stdin=None):
    cmd = (["taskset", "-c", "0"] if one_cpu else []) + [CHRONICLE] + args
    p = subprocess.run(cmd, input=stdin, capture_output=True, timeout=300)
    return p.returncode, p.stdout, p.stderr


def same_both_ways(name, args, path, stdin=None):
    """Runs args on one CPU and on all; the status, stdout, stderr and the
    output file (when args write one to out) must be the same."""
    got = []
    for one_cpu in (True, False):
        out = os.path.join(os.path.dirname(path), "out.txt")
        rc, so, se = run([a.replace("OUT", out) for a in args], one_cpu, stdin)
        body = b""
        if os.path.exists(out):
            with open(out, "rb") as f:
                body = f.read()
            os.unlink(out)
        got.append((rc, so, se, body))
    (rc1, so1, se1, b1), (rc2, so2, se2, b2) = got
    what = f"{name}: {' '.join(args)}"
    check(f"{what}: the same status", rc1 == rc2, f"{rc1} on one CPU, {rc2} on all")
    check(f"{what}: the same messages", se1 == se2,
          f"one CPU:\n{se1.decode(errors='replace')[:1500]}\nall:\n"
          f"{se2.decode(errors='replace')[:1500]}")
    check(f"{what}: the same output", so1 == so2 and b1 == b2,
          f"{len(so1)}/{len(so2)} bytes on stdout, {len(b1)}/{len(b2)} in the file")
    return rc1, se1, so1 + b1


def main():
    cpus = len(os.sched_getaffinity(0))
    if cpus < 2 or not shutil.which("taskset"):
        tally.skip("parallel load", f"{cpus} CPU(s), taskset {shutil.which('taskset')}: "
                   "nothing to compare")
        return tally.finish()
    work = tempfile.mkdtemp(prefix="chronicle-parallel-")
    env_ok = True
    try:
        for name, gen in DATASETS:
            path = os.path.join(work, name)
            p = subprocess.run([sys.executable, GEN, *gen, "-o", path], capture_output=True)
            env_ok &= check(f"{name}: generated", p.returncode == 0, p.stderr)
            if not env_ok:
                break
            check(f"{name}: over the 2 MiB a load needs to use every CPU",
                  os.path.getsize(path) > 3 << 20, os.path.getsize(path))
            valid = "clean" in name
            rc, err, _ = same_both_ways(name, ["validate", path], path)
            check(f"{name}: validate's verdict", (rc == 0) == valid and (valid or err),
                  f"exit {rc}")
            if not valid:  # a JSON syntax error ends the load: the events before it speak
                least = 2 if name == "syntax.json" else 10
                check(f"{name}: several messages compared", err.count(b"\n") >= least,
                      err.decode(errors="replace"))
            same_both_ways(name, ["validate", "--memory", "high", path], path)
            rc, _, text = same_both_ways(name, ["export", "-q", "-f", "text", "--memory", "high",
                                                "-o", "OUT", path], path)
            if valid:
                check(f"{name}: a summary written", rc == 0 and len(text) > 100000, len(text))
            same_both_ways(name, ["export", "-q", "-f", "text", "--memory", "low", "-o", "OUT",
                                  path], path)
            with open(path, "rb") as f:
                data = f.read()
            fmt = ["--input-format", "ndjson" if name.endswith(".ndjson") else "json"]
            same_both_ways(name + " on stdin", ["validate", *fmt, "-"], path, data)
            same_both_ways(name + " on stdin", ["export", "-q", "-f", "text", "-o", "-", "-"],
                           path, data)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return tally.finish()


if __name__ == "__main__":
    sys.exit(main())
