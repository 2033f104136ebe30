"""End-to-end: --memory low (an index in memory, each event read again from
the file when a plugin asks for it) gives the very bytes --memory high
gives, for every built-in format, with filters and --split-by, for JSON and
NDJSON, with sources before or after the events; validate says the same in
both modes; and a dataset edited during an export fails that export with a
message instead of producing a wrong report; edited in place with its size
and modification time kept (editinplace.so, the argument), every event read
again is checked as the load checked it, and a defect fails the job.

Under AddressSanitizer the host frees each event read for a plugin flagged
CHRONICLE_PLUGIN_ONE_EVENT before reading the next, so this test also proves
that text, xlsx, csv, ics and markdown keep no event past the next one."""

import filecmp
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools"))
from expect import Tally  # noqa: E402

CHRONICLE = os.environ["CHRONICLE"]
SRC = os.environ["SOURCE_ROOT"]
FIX = os.environ["FIXTURE_PLUGIN_DIR"]
EDIT_SHIM = sys.argv[1]
GEN = os.path.join(SRC, "tests", "tools", "gen_events.py")
tally = Tally()
check = tally.check

ALL = "text,xlsx,csv,ics,markdown,pdf"
FLAGGED = "text,xlsx,csv,ics,markdown"


def run(*args, env=None):
    e = dict(os.environ)
    e.pop("CHRONICLE_PLUGIN_PATH", None)
    e.update(env or {})
    p = subprocess.run([CHRONICLE] + list(args), capture_output=True, env=e)
    return p.returncode, p.stdout.decode(), p.stderr.decode()


def gen(path, *args):
    subprocess.run([sys.executable, GEN, "-o", path] + list(args), check=True)


def tree(d):
    out = []
    for root, _, files in os.walk(d):
        out += [os.path.relpath(os.path.join(root, f), d) for f in files]
    return sorted(out)


def same_exports(tmp, name, data, formats, *sel):
    """Exports with --memory high and low; every output must be identical."""
    dirs = {}
    for mode in ("high", "low"):
        d = os.path.join(tmp, f"{name}-{mode}")
        os.makedirs(d)
        rc, _, err = run("export", "-q", "--memory", mode, "-f", formats, "-o", d + "/", *sel, data)
        check(f"{name}: --memory {mode} exits 0", rc == 0, err)
        dirs[mode] = d
    hi, lo = tree(dirs["high"]), tree(dirs["low"])
    check(f"{name}: the same files ({len(hi)})", hi == lo and hi, (hi, lo))
    differ = [f for f in hi if f in lo and not filecmp.cmp(os.path.join(dirs["high"], f),
                                                           os.path.join(dirs["low"], f), shallow=False)]
    check(f"{name}: every file identical", not differ, differ)
    for d in dirs.values():
        shutil.rmtree(d)


def test_same_outputs(tmp):
    events = os.path.join(SRC, "data", "events.json")
    g_json = os.path.join(tmp, "gen.json")
    g_nd = os.path.join(tmp, "gen.ndjson")
    g_late = os.path.join(tmp, "late.json")
    gen(g_json, "--events", "200", "--seed", "7")
    gen(g_nd, "--events", "200", "--seed", "7", "--format", "ndjson")
    gen(g_late, "--events", "60", "--seed", "3", "--sources-last")
    for name, data in (("events", events), ("gen-json", g_json), ("gen-ndjson", g_nd),
                       ("sources-last", g_late)):
        same_exports(tmp, name, data, ALL)
    same_exports(tmp, "filtered", g_json, ALL, "--since", "2000-01-01", "--until", "2020-12-31",
                 "--country", "AZ", "--country", "tr")
    # every group is a job (a process): a few formats each keep this quick
    same_exports(tmp, "by tag", g_nd, "text,xlsx", "--split-by", "tag")
    same_exports(tmp, "by organizer", g_late, "csv,ics", "--split-by", "organizer")
    same_exports(tmp, "by country", g_late, "markdown,xlsx", "--split-by", "country")
    same_exports(tmp, "by year, filtered", g_json, "text,markdown", "--split-by", "year",
                 "--country", "AZ")
    same_exports(tmp, "events by year", events, ALL, "--split-by", "year")


def test_validate(tmp):
    events = os.path.join(SRC, "data", "events.json")
    late = os.path.join(tmp, "late-v.json")
    bad = os.path.join(tmp, "bad.json")
    gen(late, "--events", "80", "--seed", "5", "--sources-last")
    gen(bad, "--events", "60", "--seed", "2", "--bad", "4")
    for data in (events, late, bad):
        got = {m: run("validate", "--memory", m, data) for m in ("low", "high")}
        check(f"validate {os.path.basename(data)}: the same in both modes", got["low"] == got["high"],
              got)
        check(f"validate {os.path.basename(data)}: the default is low", run("validate", data) == got["low"])
    rc, out, err = run("validate", bad)
    check("an invalid dataset is still reported in full", rc == 65 and err.count("bad.json") >= 4, err)
    rc, _, err = run("validate", "--memory", "some", events)
    check("--memory some is refused", rc == 64 and '--memory: "some" is not auto, low or high' in err, err)


def test_edited_during_export(tmp):
    three = os.path.join(SRC, "tests", "data", "dispatch", "three.json")
    for fixture, reason in (("editfirst", r"/events/(\d+)/id: required member is missing; /events/\1 is "
                                          r"not what was loaded: the file changed after it was loaded; "
                                          r"export it again"),
                            ("editlast", r"the file changed after it was loaded; export it again")):
        for mode in ("low", "high"):
            data = os.path.join(tmp, f"{fixture}-{mode}.json")
            shutil.copy(three, data)
            out_dir = os.path.join(tmp, f"out-{fixture}-{mode}")
            os.makedirs(out_dir)
            out = os.path.join(out_dir, "report.fix")
            rc, _, err = run("export", "--plugin-path", FIX, "--memory", mode, "-f", fixture, "-o", out,
                             data)
            with open(data, encoding="utf-8") as f:
                check(f"{fixture}: the fixture edited the file", '"ID"' in f.read())
            if mode == "high":
                check(f"{fixture}, --memory high: the edit does not matter (in memory)",
                      rc == 0 and os.path.exists(out), err)
                continue
            check(f"{fixture}, --memory low: the export fails (70)", rc == 70, (rc, err))
            want = re.compile(re.escape(f"chronicle: {fixture}: {data}: ") + reason)
            check(f"{fixture}: says the file changed", any(want.fullmatch(l) for l in err.splitlines()), err)
            check(f"{fixture}: one error, no crash", err.count("chronicle:") == 1, err)
            check(f"{fixture}: no output, no temp file", os.listdir(out_dir) == [], os.listdir(out_dir))


# Edits made between the load and the re-read: (what, bytes found, the bytes
# that replace them, the event they are in).  Each keeps the size.
EDITS = [
    ("raw control character", b"Second in Paris", b"Second\x01in Paris", 0),
    ("invalid date", b'"date": "2023-02-24"', b'"date": "2023-02-30"', 1),
    ("dangling source", b'{"subject": "Anniversary"}, "sources": ["s1"]}',
     b'{"subject": "Anniversary"}, "sources": ["s9"]}', 2),
    ("duplicate key", b'"title": "Earlier in Doha"', b'"title": "Earlie","id":"c"', 2),
]
NDJSON_EDITS = [
    ("line break inside an NDJSON event", b'"id": "a", "title"', b'"id": "a",\n"title"', 1),
]


def ndjson_of(path):
    """The same dataset as NDJSON: the header line, then one event per line."""
    with open(path, encoding="utf-8") as f:
        doc = json.load(f)
    events = doc.pop("events")
    lines = [json.dumps(x, ensure_ascii=False) for x in [doc] + events]
    return ("\n".join(lines) + "\n").encode()


def test_edited_in_place(tmp):
    """The attack of a re-read: the file is edited in place after the load,
    its size kept and its modification time put back, so only reading the
    event again can tell.  Whatever the format, the job fails (70) with what
    validate says of the edited file, names /events/N, and commits nothing."""
    three = os.path.join(SRC, "tests", "data", "dispatch", "three.json")
    with open(three, "rb") as f:
        sources = {"json": f.read(), "ndjson": ndjson_of(three)}
    cases = [(kind, e) for kind in sources for e in EDITS] + [("ndjson", e) for e in NDJSON_EDITS]
    for kind, (what, old, new, index) in cases:
        assert len(old) == len(new) and sources[kind].count(old) == 1, (what, kind)
        edited = sources[kind].replace(old, new)
        probe = os.path.join(tmp, f"probe.{kind}")
        with open(probe, "wb") as f:
            f.write(edited)
        rc, _, err = run("validate", probe)
        check(f"{kind}, {what}: validate refuses the edited file", rc == 65, (rc, err))
        reason = err.splitlines()[0].replace(probe, "{}") if err else "?"
        for fmt in ("csv", "ics", "xlsx"):
            name = f"{kind}, {what}, {fmt}"
            data = os.path.join(tmp, f"inplace.{kind}")
            with open(data, "wb") as f:
                f.write(sources[kind])
            os.utime(data, ns=(1_600_000_000_123_456_789, 1_600_000_000_123_456_789))
            out_dir = os.path.join(tmp, "inplace-out")
            os.makedirs(out_dir)
            env = {"LD_PRELOAD": EDIT_SHIM, "EDIT_FILE": data, "EDIT_AT": str(sources[kind].index(old)),
                   "EDIT_BYTES": new.hex(),
                   "ASAN_OPTIONS": os.environ.get("ASAN_OPTIONS", "") + ":verify_asan_link_order=0"}
            rc, _, err = run("export", "-q", "--memory", "low", "-f", fmt, "-o", out_dir + "/", data,
                             env=env)
            with open(data, "rb") as f:
                st = os.stat(data)
                check(f"{name}: edited in place, size and time kept",
                      f.read() == edited and st.st_mtime_ns == 1_600_000_000_123_456_789, st)
            check(f"{name}: the export fails (70)", rc == 70, (rc, err))
            want = (f"chronicle: {fmt}: " + reason.format(data) +
                    f"; /events/{index} is not what was loaded: the file changed after it was loaded; "
                    "export it again")
            check(f"{name}: says where, what and why", want in err.splitlines(), (want, err))
            check(f"{name}: one error", err.count("chronicle:") == 1, err)
            check(f"{name}: no output, no temp file", os.listdir(out_dir) == [], os.listdir(out_dir))
            shutil.rmtree(out_dir)
    # the harness itself: an edit that changes nothing leaves a good export
    data = os.path.join(tmp, "inplace-same.json")
    with open(data, "wb") as f:
        f.write(sources["json"])
    out = os.path.join(tmp, "inplace-same.csv")
    env = {"LD_PRELOAD": EDIT_SHIM, "EDIT_FILE": data, "EDIT_AT": "0", "EDIT_BYTES": b"{".hex(),
           "ASAN_OPTIONS": os.environ.get("ASAN_OPTIONS", "") + ":verify_asan_link_order=0"}
    rc, _, err = run("export", "-q", "--memory", "low", "-f", "csv", "-o", out, data, env=env)
    check("an edit that changes nothing: the export succeeds", rc == 0 and os.path.exists(out), (rc, err))


def main():
    with tempfile.TemporaryDirectory(prefix="chronicle-memory-") as tmp:
        test_same_outputs(tmp)
        test_validate(tmp)
        test_edited_during_export(tmp)
        test_edited_in_place(tmp)
    return tally.finish()


if __name__ == "__main__":
    sys.exit(main())
