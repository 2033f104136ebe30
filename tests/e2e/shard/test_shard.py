"""End-to-end: `export --shard I/N` and `export --plan`.

N shards of a --split-by run, each run on its own as a batch engine would
(Kubernetes Indexed Job, Slurm array), together write exactly the files of
the unsharded run, byte for byte (SOURCE_DATE_EPOCH is set by meson), and no
file twice; a shard beyond the job count exits 0 and writes nothing; every
shard still checks every output and sweeps dead runs' scratch.  --plan
--json names exactly the files a run writes and creates nothing."""

import json
import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools"))
from expect import Tally  # noqa: E402

CHRONICLE = os.environ["CHRONICLE"]
SRC = os.environ["SOURCE_ROOT"]
EVENTS = os.path.join(SRC, "data", "events.json")
GEN = os.path.join(SRC, "tests", "tools", "gen_events.py")
FORMATS = "text,csv,pdf,xlsx"
tally = Tally()
check = tally.check


def env():
    e = dict(os.environ)
    e.pop("CHRONICLE_PLUGIN_PATH", None)
    e["CHRONICLE_PLUGIN_SYSTEM_PATH"] = "/nonexistent"  # hermetic: the build tree's plugins only
    return e


def start(*args):
    return subprocess.Popen([CHRONICLE, "export", "-q"] + list(args), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=env())


def run(*args):
    p = start(*args)
    out, err = p.communicate()
    return p.returncode, out.decode(), err.decode()


def contents(d):
    """Every entry under d (hidden ones too: scratch must not be left) -> bytes."""
    if not os.path.isdir(d):
        return {}
    found = {}
    for root, dirs, files in os.walk(d):
        for name in dirs + files:
            path = os.path.join(root, name)
            rel = os.path.relpath(path, d)
            found[rel] = open(path, "rb").read() if os.path.isfile(path) else b"<dir>"
    return found


def plan(data, split, *extra, out="o"):
    rc, text, err = run("--plan", "--json", "-f", FORMATS, "--split-by", split, "-o", out, *extra,
                        data)
    jobs = [json.loads(line) for line in text.splitlines()] if rc == 0 else []
    return rc, jobs, err


def shard_counts_balanced(counts):
    return max(counts) - min(counts) <= 1


def test_burst(tmp, name, data, split, shard_counts, past_the_jobs=True):
    """Each shard count's shards run four at a time, each into a directory
    of its own, so that what each one writes is seen alone."""
    ref = os.path.join(tmp, f"{name}-ref")
    rc, _, err = run("-f", FORMATS, "--split-by", split, "-o", ref, data)
    check(f"{name}: unsharded run", rc == 0, err)
    want = contents(ref)
    check(f"{name}: the unsharded run writes files", len(want) >= 8, sorted(want))

    rc, jobs, err = plan(data, split, out=ref)
    check(f"{name}: --plan exit 0", rc == 0, err)
    n_jobs = len(jobs)
    check(f"{name}: --plan names exactly the files written",
          sorted(os.path.basename(j["output"]) for j in jobs) == sorted(want),
          (sorted(j["output"] for j in jobs), sorted(want)))
    check(f"{name}: --plan indexes the jobs 0..J-1 in order",
          [j["index"] for j in jobs] == list(range(n_jobs)), [j["index"] for j in jobs])
    check(f"{name}: --plan fields", all(set(j) == {"input", "index", "format", "group", "output",
                                                    "events"} and j["input"] == data and j["events"] > 0
                                         for j in jobs), jobs[:3])

    for n in shard_counts + ([n_jobs + 3] if past_the_jobs else []):
        union, counts, clash = {}, [], []
        dirs = [os.path.join(tmp, f"{name}-{n}-{i}") for i in range(n)]
        for first in range(0, n, 4):  # four at once, as a batch engine runs them
            procs = [(i, start("-f", FORMATS, "--split-by", split, "--shard", f"{i}/{n}", "-j", "1",
                               "-o", dirs[i], data)) for i in range(first, min(n, first + 4))]
            for i, p in procs:
                err = p.communicate()[1].decode()
                check(f"{name}: shard {i}/{n} exit 0", p.returncode == 0, err)
        for i, d in enumerate(dirs):
            got = contents(d)
            rc, mine, err = plan(data, split, "--shard", f"{i}/{n}", out=d)
            check(f"{name}: shard {i}/{n} writes what its --plan lists",
                  sorted(os.path.basename(j["output"]) for j in mine) == sorted(got),
                  (sorted(j["output"] for j in mine), sorted(got)))
            clash += [f for f in got if f in union]
            union.update(got)
            counts.append(len(got))
        check(f"{name}: {n} shards write no file twice", not clash, clash)
        check(f"{name}: {n} shards together write the unsharded run's files",
              sorted(union) == sorted(want), (sorted(set(union) ^ set(want))))
        same = [f for f in want if union.get(f) == want[f]]
        check(f"{name}: {n} shards' files are byte for byte the unsharded run's",
              len(same) == len(want), sorted(set(want) - set(same)))
        check(f"{name}: {n} shards are balanced ({counts})", shard_counts_balanced(counts), counts)
        if n > n_jobs:
            check(f"{name}: {n} shards of {n_jobs} jobs: {n - n_jobs} are empty",
                  counts.count(0) == n - n_jobs, counts)


def test_shared_directory(tmp, data):
    """Seven shards at once into one directory, as on a shared file system:
    no shard's sweep takes another's scratch, nothing is left behind."""
    ref = os.path.join(tmp, "shared-ref")
    run("-f", FORMATS, "--split-by", "country", "-o", ref, data)
    d = os.path.join(tmp, "shared")
    procs = [start("-f", FORMATS, "--split-by", "country", "--shard", f"{i}/7", "-j", "1", "-o", d, data)
             for i in range(7)]
    results = [(p.wait(), p.stderr.read().decode()) for p in procs]
    for p in procs:
        p.stdout.close()
        p.stderr.close()
    check("7 concurrent shards in one directory: all exit 0",
          all(rc == 0 for rc, _ in results), results)
    got, want = contents(d), contents(ref)
    check("7 concurrent shards in one directory: the unsharded run's files, nothing else",
          got == want, sorted(set(got) ^ set(want)) or "contents differ")


def test_plan_creates_nothing(tmp):
    missing = os.path.join(tmp, "not-yet", "deeper")
    rc, _, err = run("--plan", "-f", "text", "--split-by", "country", "-o", missing, EVENTS)
    check("--plan into a missing directory whose parent is missing: exit 73, as the run",
          rc == 73 and "cannot create the output directory" in err, (rc, err))
    missing = os.path.join(tmp, "not-yet")
    rc, out, err = run("--plan", "-f", "text,pdf", "--split-by", "country", "-o", missing, EVENTS)
    lines = out.splitlines()
    check("--plan (tab-separated) exit 0", rc == 0, err)
    check("--plan (tab-separated): FORMAT GROUP EVENTS OUTPUT a line",
          lines and all(len(line.split("\t")) == 4 for line in lines)
          and lines[0].split("\t")[3].startswith(missing + "/"), lines)
    check("--plan created no directory", not os.path.exists(missing), os.listdir(tmp))
    rc, jobs, err = plan(EVENTS, "country", out=missing)
    check("--plan --json created no directory", rc == 0 and jobs and not os.path.exists(missing),
          (rc, err))
    rc, out, err = run("--plan", "--json", "-f", "text", "-o", "-", EVENTS)
    check("--plan -o -: the output is null (standard output), nothing else printed",
          rc == 0 and json.loads(out)["output"] is None and json.loads(out)["group"] is None,
          (rc, out, err))
    empty = os.path.join(tmp, "plan-empty")
    os.mkdir(empty)
    stale = os.path.join(empty, ".chronicle-text.ABCDEF")
    os.mkdir(stale, 0o700)
    os.utime(stale, (time.time() - 3600,) * 2)
    run("--plan", "-f", "text", "--split-by", "year", "-o", empty, EVENTS)
    check("--plan sweeps nothing", os.path.isdir(stale), os.listdir(empty))


def test_bad_shards(tmp):
    d = os.path.join(tmp, "bad")
    for value, words in [("3/3", "I counts from 0 and must be less than N"),
                         ("1/0", "N from 1 to"), ("a/3", "is not I/N"), ("1", "is not I/N"),
                         ("-1/3", "is not I/N"), ("1/3x", "is not I/N"), (" 1/3", "is not I/N"),
                         ("0/99999999999", "N from 1 to")]:
        rc, _, err = run("-f", "text", "--split-by", "year", "--shard", value, "-o", d, EVENTS)
        check(f"--shard {value!r}: exit 64 with a clear message",
              rc == 64 and words in err and value in err, (rc, err))
    check("a bad --shard creates nothing", not os.path.exists(d))


def test_contract_holds(tmp):
    """A shard checks every output of the run and sweeps as usual."""
    d = os.path.join(tmp, "contract")
    os.mkdir(d)
    rc, jobs, err = plan(EVENTS, "country", out=d)
    last = jobs[-1]["output"]
    os.symlink("/etc/passwd", last)  # a job of the last shard only
    rc, _, err = run("-f", FORMATS, "--split-by", "country", "--shard", "0/2", "-o", d, EVENTS)
    check("shard 0/2 refuses, as the whole run would, a symlink at shard 1's output",
          rc == 73 and "symbolic link" in err, (rc, err))
    check("... and writes nothing", sorted(os.listdir(d)) == [os.path.basename(last)],
          os.listdir(d))
    os.unlink(last)
    stale = os.path.join(d, ".chronicle-pdf.ABCDEF")
    os.mkdir(stale, 0o700)
    n = len(jobs)
    rc, _, err = run("-f", FORMATS, "--split-by", "country", "--shard", f"{n}/{n + 1}", "-o", d,
                     EVENTS)
    check("an empty shard exits 0", rc == 0, err)
    check("an empty shard still sweeps a dead run's scratch", not os.path.exists(stale),
          os.listdir(d))
    check("an empty shard writes nothing", os.listdir(d) == [], os.listdir(d))


def main():
    with tempfile.TemporaryDirectory(prefix="chronicle-shard-") as tmp:
        gen = os.path.join(tmp, "gen2000.json")
        subprocess.run([sys.executable, GEN, "-n", "2000", "--seed", "7", "-o", gen], check=True,
                       stderr=subprocess.DEVNULL)
        test_bad_shards(tmp)
        test_plan_creates_nothing(tmp)
        test_contract_holds(tmp)
        test_burst(tmp, "events.json by country", EVENTS, "country", [1, 2, 3, 7])
        test_burst(tmp, "events.json by year", EVENTS, "year", [1, 2, 3, 7])
        # the large burst: 34 years x 4 formats; N = 1, 3 and N > J are
        # covered above, and each full pass here costs seconds
        test_burst(tmp, "2000 generated by year", gen, "year", [2, 7], past_the_jobs=False)
        test_shared_directory(tmp, EVENTS)
    return tally.finish()


if __name__ == "__main__":
    sys.exit(main())
