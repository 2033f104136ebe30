"""End-to-end: chronicle plugin-check.

Every built-in plugin passes the whole suite (exit 0).  Each fixture of
misbehave.c fails on the check its fault belongs to, with a fix that names
what to do, and passes the checks its fault does not touch: pc_crash on the
exports, pc_stdout on quiet, pc_keeper on one-event, pc_nocancel on cancel,
pc_clock on deterministic, pc_orphan on processes.  Also: --json gives one
object per check per line, usage errors exit 64, a misnamed file fails
load.  PLUGINCHECK_EVENTS sets the generated dataset's size (smaller under
sanitizers, see meson.build)."""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

# Under AddressSanitizer a crashing fixture would be caught by ASan's own
# SIGSEGV handler (exit status 1, a report on stderr) instead of dying of the
# signal that plugin-check names: let the signal through.
os.environ["ASAN_OPTIONS"] = (os.environ.get("ASAN_OPTIONS", "") + ":handle_segv=0").lstrip(":")

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools"))
from expect import Tally  # noqa: E402

CHRONICLE = os.environ["CHRONICLE"]
BUILD = os.environ["BUILD_ROOT"]
FIXTURES = os.environ["PLUGINCHECK_FIXTURE_DIR"]
EVENTS = os.environ.get("PLUGINCHECK_EVENTS", "10000")
tally = Tally()
check = tally.check

ALL = ["load", "descriptor", "options", "export-default", "export-empty", "export-split",
       "export-generated", "export-unicode", "deterministic", "cancel", "one-event", "quiet",
       "processes"]


def plugin_check(path, *extra, events=EVENTS):
    t = time.monotonic()
    p = subprocess.run([CHRONICLE, "plugin-check", "--json", "--events", str(events), *extra, path],
                       capture_output=True, text=True, timeout=240)
    results = {}
    for line in p.stdout.splitlines():
        try:
            r = json.loads(line)
        except ValueError:
            check(f"{os.path.basename(path)}: every line is JSON", False, line)
            continue
        results[r["check"]] = r
    return p.returncode, results, p.stderr, time.monotonic() - t


def builtins():
    found = []
    for name in ("text", "csv", "ics", "markdown", "pdf", "xlsx"):
        for sub in (name, "example"):
            path = os.path.join(BUILD, "plugins", sub, name + ".so")
            if os.path.isfile(path):
                found.append(path)
                break
    return found


def test_builtins():
    for path in builtins():
        name = os.path.basename(path)
        rc, res, err, secs = plugin_check(path)
        failed = {k: v["reason"] + " / fix: " + str(v["fix"]) for k, v in res.items() if v["result"] == "fail"}
        check(f"{name}: every check passes (exit 0)", rc == 0 and not failed, (rc, failed, err))
        check(f"{name}: one JSON line per check, in order", list(res) == ALL, list(res))
        gen = res.get("export-generated", {})
        check(f"{name}: the generated dataset reports time and peak memory",
              gen.get("events") == int(EVENTS) and gen.get("seconds", -1) >= 0 and gen.get("peak_kib", 0) > 0, gen)
        print(f"# {name}: plugin-check took {secs:.1f} s")


def expect_failure(fixture, failing, words, events=EVENTS):
    path = os.path.join(FIXTURES, fixture + ".so")
    rc, res, err, secs = plugin_check(path, events=events)
    check(f"{fixture}: exit status {1 if failing else 0}", rc == (1 if failing else 0), (rc, err))
    failed = sorted(k for k, v in res.items() if v["result"] == "fail")
    check(f"{fixture}: fails exactly {failing}", failed == sorted(failing),
          {k: res[k]["reason"] for k in failed})
    for k in failing:
        r = res.get(k, {})
        text = (r.get("reason") or "") + " " + (r.get("fix") or "")
        check(f"{fixture}: {k} has a fix", bool(r.get("fix")), r)
        for w in words:
            check(f"{fixture}: {k} says {w!r}", w in text, text)
    print(f"# {fixture}: plugin-check took {secs:.1f} s")
    return res


def test_fixtures():
    res = expect_failure("pc_good", [], [])
    check("pc_good: one-event exercised", res.get("one-event", {}).get("result") == "pass", res.get("one-event"))
    # it crashes at its second event: groups of one event and the cancelled run pass
    expect_failure("pc_crash", ["export-default", "export-generated", "export-unicode", "deterministic",
                                "one-event"], ["SIGSEGV"])
    expect_failure("pc_stdout", ["quiet"], ["on standard output: debug: first event", "log()"])
    expect_failure("pc_keeper", ["one-event"], ["ONE_EVENT", "SIGSEGV", "copy what you keep"])
    # cursors (ABI 1.2) own their events one by one: an event of one cursor
    # held while another reads is fine, one held past its own cursor's next
    # read is poisoned like event_at()'s
    res = expect_failure("pc_cursors", [], [])
    check("pc_cursors: one-event exercised", res.get("one-event", {}).get("result") == "pass",
          res.get("one-event"))
    expect_failure("pc_cursor_keeper", ["one-event"], ["ONE_EVENT", "SIGSEGV", "cursor_event()",
                                                       "copy what you keep"])
    # 1 ms an event past the 100th: 2.4 s of work, at any size of EVENTS
    expect_failure("pc_nocancel", ["cancel"], ["1 s", "cancelled()"], events=2500)
    expect_failure("pc_clock", ["deterministic"], ["differ at byte", "host->timestamp()", "time()"])
    expect_failure("pc_orphan", ["processes"], ["outlived the export", "setsid()"])


def test_usage_and_text():
    p = subprocess.run([CHRONICLE, "plugin-check"], capture_output=True, text=True)
    check("no plugin: exit 64", p.returncode == 64, (p.returncode, p.stderr))
    p = subprocess.run([CHRONICLE, "plugin-check", "--bogus", "x.so"], capture_output=True, text=True)
    check("unknown option: exit 64", p.returncode == 64, (p.returncode, p.stderr))
    p = subprocess.run([CHRONICLE, "plugin-check", "--dataset", "/nonexistent.json",
                        os.path.join(FIXTURES, "pc_good.so")], capture_output=True, text=True)
    check("unreadable dataset: exit 66", p.returncode == 66, (p.returncode, p.stderr))
    tmp = tempfile.mkdtemp(prefix="chronicle-pc-")
    try:
        bad = os.path.join(tmp, "Bad Name.so")
        shutil.copy(os.path.join(FIXTURES, "pc_good.so"), bad)
        rc, res, err, _ = plugin_check(bad)
        check("misnamed file: load fails, the rest skipped",
              rc == 1 and res["load"]["result"] == "fail" and all(
                  res[k]["result"] == "skip" for k in ALL[1:]), res)
        os.chmod(tmp, 0o777)
        rc, res, err, _ = plugin_check(os.path.join(FIXTURES, "pc_good.so"))
        os.chmod(tmp, 0o700)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    p = subprocess.run([CHRONICLE, "plugin-check", "--events", "200", os.path.join(FIXTURES, "pc_stdout.so")],
                       capture_output=True, text=True)
    lines = p.stdout.splitlines()
    check("text: one line per check and a total", len(lines) == len(ALL) + 1, lines)
    check("text: FAIL quiet with a fix on its line",
          any(l.startswith("FAIL quiet") and "; fix: " in l for l in lines), lines)
    check("text: PASS lines carry time and peak memory",
          any(l.startswith("PASS export-generated") and " s, peak " in l for l in lines), lines)


test_usage_and_text()
test_fixtures()
test_builtins()
sys.exit(tally.finish())
