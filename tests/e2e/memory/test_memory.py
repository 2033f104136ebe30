"""End-to-end: --memory low (an index in memory, each event read again from
the file when a plugin asks for it) gives the very bytes --memory high
gives, for every built-in format, with filters and --split-by, for JSON and
NDJSON, with sources before or after the events; validate says the same in
both modes; and a dataset edited during an export fails that export with a
message instead of producing a wrong report.

Under AddressSanitizer the host frees each event read for a plugin flagged
CHRONICLE_PLUGIN_ONE_EVENT before reading the next, so this test also proves
that text, xlsx, csv, ics and markdown keep no event past the next one."""

import filecmp
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
GEN = os.path.join(SRC, "tests", "tools", "gen_events.py")
tally = Tally()
check = tally.check

ALL = "text,xlsx,csv,ics,markdown,pdf"
FLAGGED = "text,xlsx,csv,ics,markdown"


def run(*args):
    e = dict(os.environ)
    e.pop("CHRONICLE_PLUGIN_PATH", None)
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
    for fixture, reason in (("editfirst", r"/events/\d+ is not what was loaded: the file changed after "
                                          r"it was loaded; export it again"),
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


def main():
    with tempfile.TemporaryDirectory(prefix="chronicle-memory-") as tmp:
        test_same_outputs(tmp)
        test_validate(tmp)
        test_edited_during_export(tmp)
    return tally.finish()


if __name__ == "__main__":
    sys.exit(main())
