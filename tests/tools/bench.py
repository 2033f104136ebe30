#!/usr/bin/python3
"""bench.py — the measuring half of scripts/bench (which installs, builds and
calls it).  Runs the release `chronicle` on generated datasets, takes the
median wall time and the peak RSS of N runs with /usr/bin/time, runs the
Python alternatives on the same files, and prints one table with the goals
of doc/performance.md ("The goals") and PASS/MISS beside each figure. An
exporter is judged by its time after the load, measured inside export runs:
perf records the scheduler's exec, fork and exit tracepoints of a run, and
the span from the export's first child process (the plugin probe, which
comes right after the load) to its exit is the time after the load, the span
before it the load; the row shows the median with its range (each traced run
alternates with a plain run, which gives the wall time and peak RSS). An
earlier bench subtracted an alternated validate run from the export run, and
validate's own teardown and page faults swung by more than the text exporter
takes; strace in its place slowed the briefing's font loading by 0.35 s. The
load has its own goal, measured on validate, which holds an index, against a
simdjson DOM parse of the same file (simdjson_ref.cpp, built here with
Debian's libsimdjson-dev) run alternately with it: the figure is the median
of the per-pair ratios; the whole model's figure is shown under it.

    bench.py --chronicle BUILD/core/chronicle --cache DIR [--runs N] [--quick] [--big]

--big adds the long runs: pdf at 40k and 100k events (over 40,000 and
100,000 pages; time, peak RSS a page and the page count read back) and
xlsx + text at 1M events (500k sources; goal 90 s and 0.7 GB peak RSS; the
median of up to three runs).
"""

import argparse
import hashlib
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile

TOOLS = os.path.dirname(os.path.abspath(__file__))
GEN = os.path.join(TOOLS, "gen_events.py")
PY = "/usr/bin/python3"
TIME = "/usr/bin/time"
PERF = "/usr/bin/perf"
MB = 1e6


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def label(n):
    return f"{n // 1000000}M" if n >= 1000000 else f"{n // 1000}k"


class Result:
    """Median time and peak RSS over runs, or why there is none."""

    def __init__(self, times=(), rss_kb=(), error=None):
        self.times, self.rss_kb, self.error = list(times), list(rss_kb), error

    @property
    def ok(self):
        return self.error is None and bool(self.times)

    @property
    def time(self):
        return statistics.median(self.times)

    @property
    def rss(self):  # bytes, the largest of the runs
        return max(self.rss_kb) * 1024


def run_once(cmd, env, cleanup, tf):
    """(seconds, peak RSS in KiB) of one run, or the error text."""
    p = subprocess.run([TIME, "-f", "%e %M", "-o", tf] + cmd, env=env,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    if cleanup:
        cleanup()
    if p.returncode != 0:
        tail = p.stderr.decode("utf-8", "replace").strip().splitlines()[-1:]
        return f"exit {p.returncode}: {tail[0] if tail else ''}"[:100]
    with open(tf) as f:
        e, m = f.read().split()[-2:]
    return float(e), int(m)


def spans(script):
    """(load, after) in seconds of a run recorded by run_traced(), from the
    output of `perf script -F pid,tid,time,event,trace`: from the main
    process's exec to its first child process, and from there to its exit;
    None when there was no child process.  A child is a process, not a
    thread, when it exits as the leader of its own group ("pid/pid")."""
    execs, forks, exits, leaders = {}, [], {}, set()
    for line in script.splitlines():
        m = re.match(r"\s*(\d+)/(\d+)\s+([\d.]+):\s+sched:(\w+):(.*)", line)
        if not m:
            continue
        pid, tid, t, event, rest = m.group(1), m.group(2), float(m.group(3)), m.group(4), m.group(5)
        if event == "sched_process_exec":
            execs.setdefault(pid, t)
        elif event == "sched_process_fork":
            child = re.search(r"child_pid=(\d+)", rest)
            forks.append((pid, child.group(1), t))
        elif event == "sched_process_exit" and pid == tid:
            exits[pid] = t
            leaders.add(pid)
    if not execs:
        return None
    main, start = min(execs.items(), key=lambda kv: kv[1])
    probe = next((t for pid, child, t in forks if pid == main and child in leaders), None)
    if probe is None or main not in exits:
        return None
    return probe - start, exits[main] - probe


def run_traced(cmd, env, cleanup):
    """The load's and the after-load span of one run of cmd (spans()),
    recorded by perf from the scheduler's tracepoints, which do not slow the
    process (strace did: ptrace added 0.35 s to a 1k-event briefing), or
    the error text."""
    with tempfile.NamedTemporaryFile(prefix="bench-perf-") as data:
        p = subprocess.run([PERF, "record", "-q", "-o", data.name,
                            "-e", "sched:sched_process_exec", "-e", "sched:sched_process_fork",
                            "-e", "sched:sched_process_exit", "--"] + cmd,
                           env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        if cleanup:
            cleanup()
        if p.returncode != 0:
            tail = p.stderr.decode("utf-8", "replace").strip().splitlines()[-1:]
            return f"perf: exit {p.returncode}: {tail[0] if tail else ''}"[:100]
        s = subprocess.run([PERF, "script", "-i", data.name, "-F", "pid,tid,time,event,trace"],
                           capture_output=True, text=True)
    got = spans(s.stdout)
    return got if got else ("perf saw no child process (tracepoints need root or "
                            "kernel.perf_event_paranoid <= 1)")


def measure(cmd, runs, env=None, cleanup=None):
    return measure_paired(None, cmd, runs, env, cleanup)[0]


def measure_paired(base, cmd, runs, env=None, cleanup=None):
    """Runs base (when given) and cmd alternately, runs times.  Returns cmd's
    Result, base's Result (or None) and the median of the per-pair
    differences cmd - base (or None)."""
    got = {"base": ([], []), "cmd": ([], [])}
    diffs = []
    with tempfile.NamedTemporaryFile(prefix="bench-time-") as tf:
        for i in range(runs):
            pair = {}
            for key, c in (("base", base), ("cmd", cmd)):
                if c is None:
                    continue
                r = run_once(c, env, cleanup, tf.name)
                if isinstance(r, str):
                    return Result(error=r), None, None
                got[key][0].append(r[0])
                got[key][1].append(r[1])
                pair[key] = r[0]
            if base is not None:
                diffs.append(pair["cmd"] - pair["base"])
    res = Result(*got["cmd"])
    if base is None:
        return res, None, None
    return res, Result(*got["base"]), statistics.median(diffs)


class Bench:
    def __init__(self, a):
        self.a = a
        self.rows = []
        self.work = tempfile.mkdtemp(prefix="chronicle-bench-", dir=a.cache)
        self.env = dict(os.environ, SOURCE_DATE_EPOCH="1700000000", LC_ALL="C.UTF-8",
                        TMPDIR=self.work)
        self.plugins = self.built_plugins()
        self.have_xlsxwriter = self.has_module("xlsxwriter")
        self.have_reportlab = self.has_module("reportlab")

    # ---- helpers ----

    def built_plugins(self):
        p = subprocess.run([self.a.chronicle, "plugins", "--json"], capture_output=True,
                           env=self.env)
        try:
            return {x["name"] for x in json.loads(p.stdout)["plugins"] if not x.get("broken")}
        except (ValueError, KeyError):
            return set()

    @staticmethod
    def has_module(name):
        return subprocess.run([PY, "-c", f"import {name}"], capture_output=True).returncode == 0

    def dataset(self, n, fmt="json", sources=None):
        """Generated data; sources: the size of the source pool (default: the
        generator's 300)."""
        with open(GEN, "rb") as f:
            tag = hashlib.sha1(f.read()).hexdigest()[:10]
        pool = f"-s{sources}" if sources else ""
        path = os.path.join(self.a.cache, f"events-{label(n)}{pool}-seed1-{tag}.{fmt}")
        if not os.path.exists(path):
            log(f"bench: generating {label(n)} events ({fmt}) into {self.a.cache} ...")
            tmp = path + ".part"
            more = ["--sources", str(sources)] if sources else []
            subprocess.run([PY, GEN, "--events", str(n), "--seed", "1", "--format", fmt,
                            "-o", tmp] + more, check=True, stderr=subprocess.DEVNULL)
            os.rename(tmp, path)
        return path

    def clean_outputs(self):
        for name in os.listdir(self.work):
            p = os.path.join(self.work, name)
            shutil.rmtree(p) if os.path.isdir(p) else os.unlink(p)

    def export(self, formats, data, runs=None, timed=False):
        """The export's Result; with timed, also the load's and the time
        after it in each run (spans()): (Result, [load s], [after s])."""
        missing = [f for f in formats if f not in self.plugins]
        if missing:
            res = Result(error=f"not built: {', '.join(missing)}")
            return (res, [], []) if timed else res
        ext = {"text": "txt"}.get(formats[0], formats[0])
        out = os.path.join(self.work, f"out.{ext}") if len(formats) == 1 else self.work
        cmd = [self.a.chronicle, "export", "-q", "-f", ",".join(formats), "-o", out, data]
        log(f"bench: {' '.join(cmd[1:])}" + (" (and under perf record)" if timed else ""))
        if not timed:
            return measure(cmd, runs or self.a.runs, self.env, self.clean_outputs)
        # a plain run for the wall time and peak RSS, then a traced one for
        # the spans, alternately
        times, rss, loads, afters = [], [], [], []
        with tempfile.NamedTemporaryFile(prefix="bench-time-") as tf:
            for _ in range(runs or self.a.runs):
                r = run_once(cmd, self.env, self.clean_outputs, tf.name)
                if isinstance(r, str):
                    return Result(error=r), [], []
                times.append(r[0])
                rss.append(r[1])
                r = run_traced(cmd, self.env, self.clean_outputs)
                if isinstance(r, str):
                    return Result(error=r), [], []
                loads.append(r[0])
                afters.append(r[1])
        return Result(times, rss), loads, afters

    def alt(self, script, data, ext):
        out = os.path.join(self.work, "alt." + ext)
        cmd = [PY, os.path.join(TOOLS, script), data, out]
        log(f"bench: {script} {os.path.basename(data)}")
        return measure(cmd, self.a.alt_runs, self.env, self.clean_outputs)

    def row(self, work, n, res, figure="", goal="", verdict="", alt=""):
        self.rows.append((work, label(n) if n else "", res, figure, goal, verdict, alt))

    @staticmethod
    def verdict(ok):
        return "PASS" if ok else "MISS"

    @staticmethod
    def alt_text(name, res):
        if res is None:
            return ""
        if not res.ok:
            return f"{name}: {res.error}"
        return f"{name}: {res.time:.2f} s, {res.rss / MB:,.0f} MB"

    def simdjson(self):
        """The reference parser (simdjson_ref.cpp) built into the cache, or
        (None, why not)."""
        if hasattr(self, "_simdjson"):
            return self._simdjson
        src = os.path.join(TOOLS, "simdjson_ref.cpp")
        exe = os.path.join(self.a.cache, "simdjson_ref")
        got = (exe, None)
        if not os.path.exists(exe) or os.path.getmtime(exe) < os.path.getmtime(src):
            if not shutil.which("g++") or not os.path.exists("/usr/include/simdjson.h"):
                got = (None, "simdjson not installed (libsimdjson-dev)")
            else:
                log("bench: building simdjson_ref")
                p = subprocess.run(["g++", "-O2", "-std=c++17", src, "-lsimdjson", "-o", exe],
                                   capture_output=True, text=True)
                if p.returncode:
                    got = (None, "simdjson_ref: " + (p.stderr.strip().splitlines() or ["?"])[-1])
        self._simdjson = got
        return got

    def load_vs_simdjson(self, data, ndjson):
        """validate of data alternating with simdjson's parse of it: validate's
        Result, simdjson's (or None) and the figure text, the ratio (or None)."""
        ref, why = self.simdjson()
        cmd = [self.a.chronicle, "validate", "-q", data]
        log(f"bench: validate {os.path.basename(data)}" +
            (", alternating with simdjson" if ref else ""))
        if not ref:
            return measure(cmd, self.a.runs, self.env), None, why, None
        base = [ref] + (["--ndjson"] if ndjson else []) + [data]
        res, sj, _ = measure_paired(base, cmd, self.a.runs, self.env)
        if not res.ok or sj is None or not sj.ok:
            return res, sj, "simdjson: " + (sj.error if sj else "failed"), None
        ratios = sorted(c / b for b, c in zip(sj.times, res.times))
        ratio = statistics.median(ratios)
        spread = f" ({ratios[0]:.2f}-{ratios[-1]:.2f})" if len(ratios) > 1 else ""
        return res, sj, f"{ratio:.2f}x{spread} simdjson {sj.time:.2f} s", ratio

    # ---- the measurements ----

    def load(self, n):
        data = self.dataset(n)
        size = os.path.getsize(data)
        res, _, versus, ratio = self.load_vs_simdjson(data, False)
        alt = None
        if n <= 100000 and not self.a.no_alt:
            log("bench: python json.load")
            alt = measure([PY, "-c", "import json,sys; json.load(open(sys.argv[1], 'rb'))", data],
                          self.a.alt_runs, self.env)
        if res.ok:
            self.row(f"load+validate JSON ({size / MB:.0f} MB)", n, res, versus,
                     "<= 2x simdjson DOM", self.verdict(ratio <= 2) if ratio else "",
                     self.alt_text("Python json.load", alt))
            ratio = res.rss / size
            self.row("  peak RSS / file size", n, None, f"{ratio:.2f}", "<= 0.6",
                     self.verdict(ratio <= 0.6))
        else:
            self.row("load+validate JSON", n, res, alt=self.alt_text("Python json.load", alt))
        # what an export below 1 GiB holds: the whole model (--memory high)
        log(f"bench: validate --memory high {os.path.basename(data)}")
        res = measure([self.a.chronicle, "validate", "-q", "--memory", "high", data], self.a.runs,
                      self.env)
        if res.ok:
            self.row("  same, whole model held", n, res,
                     f"{size / MB / res.time:.0f} MB/s; RSS {res.rss / size:.2f}x", "(export < 1 GiB)")
        else:
            self.row("  same, whole model held", n, res)
        nd = self.dataset(n, "ndjson")
        res, _, versus, ratio = self.load_vs_simdjson(nd, True)
        if res.ok:
            rss = res.rss / os.path.getsize(nd)
            self.row("load+validate NDJSON", n, res, f"{versus}; RSS {rss:.2f}x",
                     "(same goals; parse_many)",
                     self.verdict(ratio <= 2 and rss <= 0.6) if ratio else "")
        else:
            self.row("load+validate NDJSON", n, res)

    def exporter(self, fmt, sizes, goals, alt_script=None, alt_name="", alt_sizes=(),
                 alt_installed=True, times_alt=None):
        """times_alt: {n: k}, the goal at n is the export at least k times as
        fast as the alternative on the same file, both wall, load included."""
        medians = {}
        times_alt = times_alt or {}
        for n in sizes:
            res, loads, afters = self.export([fmt], self.dataset(n), timed=True)
            if res.ok:
                own, load = statistics.median(afters), statistics.median(loads)
                after = f"{own:.2f} s ({min(afters):.2f}-{max(afters):.2f}) after a {load:.2f} s load"
            alt = None
            if alt_script and n in alt_sizes and not self.a.no_alt:
                if alt_installed:
                    alt = self.alt(alt_script, self.dataset(n), fmt)
                else:
                    alt = Result(error="not installed")
            # a goal is seconds after the load, or ("wall", seconds) for the
            # whole run, load included
            goal = goals.get(n)
            wall = isinstance(goal, tuple)
            if wall:
                goal = goal[1]
            if res.ok and n in times_alt:
                medians[n] = res.time
                k = times_alt[n]
                if alt is not None and alt.ok:
                    ratio = alt.time / res.time
                    fig, v = f"{ratio:.1f}x {alt_name.split()[1]}", self.verdict(ratio >= k)
                else:
                    fig, v = after, ""
                self.row(fmt, n, res, fig, f">= {k:g}x the alternative", v,
                         self.alt_text(alt_name, alt))
            elif res.ok:
                medians[n] = res.time
                v = self.verdict((res.time if wall else own) <= goal) if goal else ""
                self.row(fmt, n, res, after,
                         (f"<= {goal:g} s wall" if wall else f"<= {goal:g} s after the load")
                         if goal else "", v, self.alt_text(alt_name, alt))
            else:
                self.row(fmt, n, res, alt=self.alt_text(alt_name, alt))
        return medians

    def combined(self, n, alone):
        formats = [f for f in ("pdf", "xlsx", "text") if f in self.plugins]
        if len(formats) < 2:
            self.row("-f pdf,xlsx,text in one run", n,
                     Result(error="needs two built exporters: " + (", ".join(formats) or "none")))
            return
        res = self.export(formats, self.dataset(n))
        slowest = max((alone[f], f) for f in formats if f in alone)
        name = f"-f {','.join(formats)} in one run"
        if res.ok:
            ratio = res.time / slowest[0]
            self.row(name, n, res, f"{ratio:.2f}x {slowest[1]} alone ({slowest[0]:.2f} s)",
                     "<= 1.15x slowest", self.verdict(ratio <= 1.15))
        else:
            self.row(name, n, res)

    def sharded(self, n, shards=4):
        """A --split-by burst run as N shards (what N machines of a batch
        engine run, doc/scaling.md), one after another here, beside the
        unsharded run of the same jobs: the figure is what sharding costs in
        all (every shard plans the whole run) and the longest shard, which is
        the burst's time on N machines; the goal is the same files, byte for
        byte."""
        formats = [f for f in ("text", "xlsx") if f in self.plugins]
        name = f"--split-by country in {shards} shards"
        if not formats:
            self.row(name, n, Result(error="not built: text or xlsx"))
            return
        data = self.dataset(n)

        def run_into(out, extra):
            os.makedirs(out, exist_ok=True)
            cmd = [self.a.chronicle, "export", "-q", "-f", ",".join(formats), "--split-by",
                   "country", "-o", out, *extra, data]
            return measure(cmd, 1, self.env)

        def digest(d):
            out = {}
            for f in sorted(os.listdir(d)):
                with open(os.path.join(d, f), "rb") as fh:
                    out[f] = hashlib.sha256(fh.read()).hexdigest()
            return out

        whole, parts = os.path.join(self.work, "whole"), os.path.join(self.work, "parts")
        log(f"bench: {name}, {n} events, beside the unsharded run")
        ref = run_into(whole, [])
        got = [run_into(parts, ["--shard", f"{i}/{shards}"]) for i in range(shards)]
        bad = next((r for r in [ref] + got if not r.ok), None)
        if bad:
            self.row(name, n, bad)
            self.clean_outputs()
            return
        same = digest(whole) == digest(parts)
        files = len(os.listdir(whole))
        self.clean_outputs()
        total, longest = sum(r.time for r in got), max(r.time for r in got)
        res = Result([total], [max(max(r.rss_kb) for r in got)])
        self.row(name, n, res,
                 f"{files} files; all shards {total / ref.time:.2f}x, the longest "
                 f"{longest:.2f} s, beside {ref.time:.2f} s unsharded",
                 "same files as unsharded", self.verdict(same))

    def pdf_big(self, n):
        """The briefing at 40k and 100k events: past the 32,767 pages a flat
        page list holds (issue 12), and with memory that does not grow with
        the pages (issue 18): the goal is at most 15 KB of peak RSS a page,
        the loaded model included.  One run; the figure is the page count
        qpdf reads back, the RSS a page and the file size."""
        work = f"pdf, {label(n)}: RSS a page"
        if "pdf" not in self.plugins:
            self.row(work, n, Result(error="not built: pdf"))
            return
        data = self.dataset(n)
        out = os.path.join(self.work, "out.pdf")
        seen = {}

        def inspect():
            if os.path.exists(out):
                seen["size"] = os.path.getsize(out)
                if shutil.which("qpdf"):
                    p = subprocess.run(["qpdf", "--show-npages", out], capture_output=True,
                                       text=True)
                    if p.returncode == 0:
                        seen["pages"] = int(p.stdout)
            self.clean_outputs()

        cmd = [self.a.chronicle, "export", "-q", "-f", "pdf", "-o", out, data]
        log(f"bench: {' '.join(cmd[1:])} (one run)")
        res = measure(cmd, 1, self.env, inspect)
        if not res.ok:
            self.row(work, n, res)
            return
        pages = seen.get("pages")
        if not pages:
            self.row(work, n, res, f"pages unknown (no qpdf), {seen.get('size', 0) / MB:,.0f} MB "
                     "file", "<= 15 KB a page")
            return
        per_page = res.rss / pages / 1000
        self.row(work, n, res, f"{per_page:.1f} KB a page; {pages:,} pages, "
                 f"{seen['size'] / MB:,.0f} MB file", "<= 15 KB a page",
                 self.verdict(pages > 32767 and per_page <= 15))

    def big(self):
        free = shutil.disk_usage(self.a.cache).free
        if free < 12e9:
            self.row("xlsx+text, 1M events", 1000000,
                     Result(error=f"skipped: {free / 1e9:.1f} GB free in {self.a.cache}, "
                                  "need 12 GB"))
            return
        formats = [f for f in ("xlsx", "text") if f in self.plugins]
        if len(formats) < 2:
            self.row("xlsx+text, 1M events", 1000000, Result(error="not built: xlsx or text"))
            return
        # one source per two events, as in the issue (18): 500k sources
        data = self.dataset(1000000, sources=500000)
        res = self.export(formats, data, runs=min(self.a.runs, 3))
        if res.ok:
            self.row(f"xlsx+text ({os.path.getsize(data) / 1e9:.1f} GB JSON, index)", 1000000, res,
                     f"{res.rss / 1e9:.2f} GB RSS; 500k sources", "<= 90 s, <= 0.7 GB",
                     self.verdict(res.time <= 90 and res.rss <= 0.7e9))
        else:
            self.row("xlsx+text, 1M events", 1000000, res)

    def run(self):
        a = self.a
        sizes = [1000, 10000] if a.quick else [1000, 10000, 100000]
        self.load(10000 if a.quick else 100000)
        alone = {}
        t = self.exporter("text", sizes, {100000: 0.5})
        # the two workbook goals (18): 15x XlsxWriter at 20k, 3.5 s wall at 100k
        xsizes = sizes if a.quick else [1000, 10000, 20000, 100000]
        x = self.exporter("xlsx", xsizes, {100000: ("wall", 3.5)}, "bench_xlsxwriter.py",
                          "Python XlsxWriter (constant memory)",
                          [1000] if a.quick else xsizes, self.have_xlsxwriter,
                          times_alt={} if a.quick else {20000: 15})
        p = self.exporter("pdf", [1000, 10000], {10000: 3}, "bench_reportlab.py",
                          "Python ReportLab platypus", [1000] if a.quick else [1000, 10000],
                          self.have_reportlab, times_alt={1000: 15})
        for fmt, m in (("text", t), ("xlsx", x), ("pdf", p)):
            if 10000 in m:
                alone[fmt] = m[10000]
        self.combined(10000, alone)
        self.sharded(10000)
        if a.big:
            self.pdf_big(40000)
            self.pdf_big(100000)
            self.big()

    def print_table(self):
        a = self.a
        try:
            cpu = next(line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo")
                       if line.startswith("model name"))
        except (OSError, StopIteration):
            cpu = platform.processor()
        print(f"Chronicle benchmarks — {os.cpu_count()} CPUs ({cpu}); "
              f"{'quick, ' if a.quick else ''}median of {a.runs} run(s), alternatives "
              f"{a.alt_runs} run(s); peak RSS is the largest of the runs")
        print(f"chronicle: {a.chronicle}; plugins built: "
              f"{', '.join(sorted(self.plugins)) or 'none'}")
        head = ("work", "events", "time", "peak RSS", "figure", "goal", "", "alternative, same data")
        lines = []
        for work, n, res, fig, goal, verdict, alt in self.rows:
            if res is None:
                tm, rss = "", ""
            elif not res.ok:
                tm, rss, fig = "—", "—", res.error
            else:
                tm, rss = f"{res.time:.2f} s", f"{res.rss / MB:,.0f} MB"
            lines.append((work, n, tm, rss, fig, goal, verdict, alt))
        w = [max(len(r[i]) for r in lines + [head]) for i in range(len(head))]
        fmt = "  ".join(f"{{:{'>' if i in (1, 2, 3) else '<'}{w[i]}}}" for i in range(len(head)))
        print(fmt.format(*head).rstrip())
        print("  ".join("-" * x for x in w))
        for r in lines:
            print(fmt.format(*r).rstrip())
        misses = sum(r[6] == "MISS" for r in lines)
        passes = sum(r[6] == "PASS" for r in lines)
        print(f"\n{passes} PASS, {misses} MISS")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--chronicle", required=True)
    ap.add_argument("--cache", required=True, help="where datasets are generated and kept")
    ap.add_argument("--runs", type=int, default=int(os.environ.get("BENCH_RUNS", "3")))
    ap.add_argument("--alt-runs", type=int, default=int(os.environ.get("BENCH_ALT_RUNS", "1")))
    ap.add_argument("--quick", action="store_true", help="1k and 10k events, one run")
    ap.add_argument("--big", action="store_true",
                    help="also 100,000 events to pdf and 1,000,000 events to xlsx + text")
    ap.add_argument("--no-alt", action="store_true", help="skip the Python alternatives")
    a = ap.parse_args()
    if a.quick:
        a.runs = a.alt_runs = 1
    os.makedirs(a.cache, exist_ok=True)
    b = Bench(a)
    try:
        b.run()
    finally:
        shutil.rmtree(b.work, ignore_errors=True)
    b.print_table()


if __name__ == "__main__":
    main()
