#!/usr/bin/python3
"""bench_load_ab.py — builds side by side: the load, and exports after it.

    bench_load_ab.py ROUNDS JSON NDJSON SIMDJSON_REF NAME=CHRONICLE [NAME=CHRONICLE...]
        [--export FORMAT...]

In each of ROUNDS rounds: simdjson_ref (tests/tools/simdjson_ref.cpp, built
as tests/tools/bench.py builds it; "-" for none) on JSON and NDJSON, then for
each build in turn `validate -q JSON`, `validate -q NDJSON` and, for each
FORMAT, `export -q -f FORMAT -o OUT JSON` (the whole model: below 1 GiB).
Prints every round (wall s, CPU = user + system) and then each figure's
median with its range, and each validate over simdjson round by round.
Alternating the builds within a round lets a machine shared with other work
slow both sides of a comparison alike (doc/performance.md).
"""
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time


def timed(cmd):
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   env=dict(os.environ, SOURCE_DATE_EPOCH="1700000000", LC_ALL="C.UTF-8"))
    wall = time.perf_counter() - t0
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)


def spread(xs):
    return f"{statistics.median(xs):.2f} ({min(xs):.2f}-{max(xs):.2f})"


def main():
    args = sys.argv[1:]
    formats = []
    if "--export" in args:
        k = args.index("--export")
        formats, args = args[k + 1:], args[:k]
    rounds, js, nd, ref = int(args[0]), args[1], args[2], args[3]
    builds = [a.split("=", 1) for a in args[4:]]
    work = tempfile.mkdtemp(prefix="bench-load-ab-")
    res = {}

    def add(key, wall, cpu):
        res.setdefault(key, ([], []))
        res[key][0].append(wall)
        res[key][1].append(cpu)
        return f"{key} {wall:.2f}/{cpu:.2f}"

    try:
        for i in range(rounds):
            line = [f"round {i + 1}:"]
            if ref != "-":
                line.append(add("simdjson JSON", *timed([ref, js])))
                line.append(add("simdjson NDJSON", *timed([ref, "--ndjson", nd])))
            for name, exe in builds:
                line.append(add(f"{name} validate JSON", *timed([exe, "validate", "-q", js])))
                line.append(add(f"{name} validate NDJSON", *timed([exe, "validate", "-q", nd])))
                for f in formats:
                    out = os.path.join(work, "out." + {"text": "txt"}.get(f, f))
                    line.append(add(f"{name} export {f}",
                                    *timed([exe, "export", "-q", "-f", f, "-o", out, js])))
                    os.unlink(out)
            print(" ".join(line), flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"\nmedians of {rounds} rounds (range): wall s, CPU s")
    for key, (wall, cpu) in res.items():
        print(f"  {key:32} wall {spread(wall)}  CPU {spread(cpu)}")
    if ref != "-":
        for name, _ in builds:
            for form in ("JSON", "NDJSON"):
                r = [c / b for b, c in zip(res[f"simdjson {form}"][0],
                                           res[f"{name} validate {form}"][0])]
                print(f"  {name} validate {form} / simdjson, per round: {spread(r)}")


if __name__ == "__main__":
    main()
