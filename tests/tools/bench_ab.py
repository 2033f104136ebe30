#!/usr/bin/python3
"""bench_ab.py — builds side by side: xlsx export time after the load.

    bench_ab.py DATA RUNS ALT NAME=CHRONICLE [NAME=CHRONICLE...]

In each of RUNS rounds, for each build in turn: `validate -q --memory high
DATA`, then `export -q -f xlsx DATA`; then, with ALT=1, Python XlsxWriter in
constant-memory mode (bench_xlsxwriter.py) on the same data.  Prints every
round (wall, CPU = user + system, export minus validate) and then medians
with their range, and XlsxWriter's time over each build's export, round by
round.  Alternating the builds within a round lets a machine shared with
other work slow both sides of a comparison alike (doc/performance.md).
"""
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time

TOOLS = os.path.dirname(os.path.abspath(__file__))


def timed(cmd):
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - t0
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)


def main():
    data, runs, alt = sys.argv[1], int(sys.argv[2]), sys.argv[3] == "1"
    builds = [a.split("=", 1) for a in sys.argv[4:]]
    work = tempfile.mkdtemp(prefix="bench-ab-")
    res = {}
    for i in range(runs):
        line = [f"round {i + 1}:"]
        for name, chron in builds:
            out = os.path.join(work, f"{name}.xlsx")
            v, _ = timed([chron, "validate", "-q", "--memory", "high", data])
            if os.path.exists(out):
                os.unlink(out)
            e, ec = timed([chron, "export", "-q", "-f", "xlsx", "-o", out, data])
            for k, x in (("validate", v), ("export", e), ("after load", e - v), ("export cpu", ec)):
                res.setdefault((name, k), []).append(x)
            line.append(f"{name} validate {v:.2f} export {e:.2f} (cpu {ec:.2f}) after-load {e - v:.2f} |")
        if alt:
            a, ac = timed(["/usr/bin/python3", os.path.join(TOOLS, "bench_xlsxwriter.py"), data,
                           os.path.join(work, "alt.xlsx")])
            res.setdefault(("xlsxwriter", "export"), []).append(a)
            for name, _ in builds:
                res.setdefault((name, "ratio"), []).append(a / res[(name, "export")][-1])
            line.append(f"XlsxWriter {a:.2f} (cpu {ac:.2f})")
        print(" ".join(line), flush=True)
    for (name, k), xs in res.items():
        print(f"{name:10} {k:10} median {statistics.median(xs):7.2f}  "
              f"(min {min(xs):.2f}, max {max(xs):.2f}, n={len(xs)})")
    for name, _ in builds:
        out = os.path.join(work, f"{name}.xlsx")
        print(name, "size", os.path.getsize(out))
        os.unlink(out)
    if alt:
        os.unlink(os.path.join(work, "alt.xlsx"))
    os.rmdir(work)


if __name__ == "__main__":
    main()
