"""End-to-end: plugin discovery, refusals, option checks, isolated parallel
dispatch, atomic outputs and burst output, driven through the real CLI with
the fixture plugins of tests/plugins (see fixture.c for what each does)."""

import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools"))
from expect import Tally  # noqa: E402

CHRONICLE = os.environ["CHRONICLE"]
SRC = os.environ["SOURCE_ROOT"]
FIX = os.environ["FIXTURE_PLUGIN_DIR"]
DATA = os.path.join(SRC, "tests", "data", "dispatch", "three.json")
tally = Tally()
check = tally.check


def run(*args, env=None, plugin_path=True):
    e = dict(os.environ)
    e.pop("CHRONICLE_PLUGIN_PATH", None)
    e["CHRONICLE_PLUGIN_SYSTEM_PATH"] = "/nonexistent"  # hermetic: no installed plugins
    # In a sanitizer build AddressSanitizer would catch the fixtures' deliberate
    # SIGSEGV/SIGABRT itself and exit(1); leave the signals to the host, whose
    # reporting of them is what these tests check.
    e["ASAN_OPTIONS"] = ":".join(filter(None, [e.get("ASAN_OPTIONS", ""), "handle_segv=0",
                                               "handle_sigbus=0", "handle_abort=0",
                                               "handle_sigfpe=0", "allow_user_segv_handler=1"]))
    if env:
        e.update(env)
    cmd = [CHRONICLE, args[0]] + (["--plugin-path", FIX] if plugin_path else []) + list(args[1:])
    p = subprocess.run(cmd, capture_output=True, env=e)
    return p.returncode, p.stdout.decode(), p.stderr.decode()


def leftovers(d):
    return [f for f in os.listdir(d) if f.startswith(".")]


def test_listing():
    rc, out, err = run("plugins")
    check("plugins exit", rc == 0, err)
    for name in ("good", "crash", "half", "hang", "needspath"):
        check(f"plugins lists {name}", f"\n{name} " in "\n" + out, out)
    reasons = {
        "wrongmajor": "built for plugin ABI 2.0, this chronicle speaks 1.2: rebuild the plugin",
        "newerminor": "built for plugin ABI 1.7, this chronicle speaks 1.2: upgrade chronicle",
        "nosymbol": "not a Chronicle plugin (no symbol chronicle_plugin_v1)",
        "v2symbol": "built for a newer Chronicle: it exports chronicle_plugin_v2",
        "refuses": "the plugin refused this host",
        "misnamed": 'declares the name "other" but its file is misnamed.so',
        "badoptions": 'malformed option table: option "count" is declared twice',
        "crashonload": "crashed while loading (signal 11, SIGSEGV)",
    }
    rc, out, err = run("plugins", "--json")
    doc = json.loads(out)
    by_name = {p["name"]: p for p in doc["plugins"]}
    for name, reason in reasons.items():
        p = by_name.get(name, {})
        check(f"{name} broken", p.get("broken") is True, p)
        check(f"{name} reason", reason in p.get("reason", ""), p.get("reason"))
        check(f"{name} listed as broken in text", reason in run("plugins")[1], name)
    good = by_name["good"]
    check("json version", good["version"] == "0.0.1" and good["abi"] == "1.2", good)
    opts = {o["name"]: o for o in good["options"]}
    check("json options", list(opts) == ["count", "colour", "loud", "ratio"], opts)
    check("json int range", opts["count"]["min"] == 0 and opts["count"]["max"] == 1000, opts)
    check("json enum", opts["colour"]["choices"] == ["red", "green"], opts)
    check("json search path starts with --plugin-path", doc["search_path"][0] == FIX, doc)


def test_inspect():
    rc, out, err = run("plugins", "good")
    check("inspect exit", rc == 0, err)
    for text in ("Name           good", "Plugin ABI     1.2", "count            int     0..1000  default: 3",
                 "colour           enum    one of: red green  default: red", "lines of padding"):
        check(f"inspect shows {text!r}", text in out, out)
    rc, out, err = run("plugins", "good", "--json")
    check("inspect json", json.loads(out)["name"] == "good", out)
    rc, out, err = run("plugins", "nosuch")
    check("inspect unknown -> 69", rc == 69 and 'no plugin named "nosuch"' in err, err)
    rc, out, err = run("plugins", "wrongmajor")
    check("inspect broken -> 69", rc == 69 and "built for plugin ABI 2.0" in err, err)


def test_export_stdout_and_options():
    env = {"SOURCE_DATE_EPOCH": "1700000000"}
    rc, out, err = run("export", "-f", "good", "-o", "-", DATA, env=env)
    lines = out.splitlines()
    check("stdout export", rc == 0, err)
    check("defaults applied", lines[0] == "events=3 group=- ts=1700000000 count=3 colour=red loud=0 ratio=0.5", lines)
    check("sorted by date then id", lines[1:] == ["2019-02-26 c QA", "2023-02-24 a AZ", "2023-02-25 b FR"], lines)
    rc, out2, err = run("export", "-f", "good", "-o", "-", DATA, env=env)
    check("same SOURCE_DATE_EPOCH, same bytes", out == out2)
    rc, out, err = run("export", "-f", "good", "-o", "-", "-O", "good.count=7", "-O", "good.colour=green",
                       "-O", "good.loud=yes", "-O", "good.ratio=0.25", DATA, env=env)
    check("options reach the plugin", out.splitlines()[0].endswith("count=7 colour=green loud=1 ratio=0.25"), out)
    bad = {
        "good.nosuch=1": 'unknown option "nosuch" for good; valid: count, colour, loud, ratio',
        "good.count=2000": "good.count must be a whole number from 0 to 1000",
        "good.count=abc": "good.count must be a whole number from 0 to 1000",
        "good.colour=blue": "good.colour must be one of: red green",
        "good.loud=maybe": "good.loud must be true or false",
        "good.ratio=nan": "good.ratio must be a number from 0 to 1",
        "text.width=80": '"text" is not among the formats being exported',
        "nonsense": "expected FORMAT.KEY=VALUE",
    }
    for arg, msg in bad.items():
        d = tempfile.mkdtemp()
        rc, out, err = run("export", "-f", "good", "-o", os.path.join(d, "x.fix"), "-O", arg, DATA)
        check(f"-O {arg} refused with 64", rc == 64, (rc, err))
        check(f"-O {arg} message", msg in err, err)
        check(f"-O {arg} writes nothing", os.listdir(d) == [], os.listdir(d))
        shutil.rmtree(d)
    rc, out, err = run("export", "-f", "nosuch", "-o", "-", DATA)
    check("unknown format -> 64", rc == 64 and 'unknown format "nosuch"; available: badoptions, crash' in err, err)
    rc, out, err = run("export", "-f", "wrongmajor", "-o", "-", DATA)
    check("refused plugin -> 69", rc == 69 and "wrongmajor.so: built for plugin ABI 2.0" in err, err)
    rc, out, err = run("export", "-f", "good", "-o", "-", DATA, env={"SOURCE_DATE_EPOCH": "soon"})
    check("bad SOURCE_DATE_EPOCH -> 64", rc == 64, err)


def test_isolation():
    d = tempfile.mkdtemp()
    rc, out, err = run("export", "-f", "good,crash,half", "-o", d + "/", DATA)
    check("a failure makes the run fail (70)", rc == 70, (rc, err))
    check("crash named with its signal", "chronicle: crash: killed by signal 11 (SIGSEGV); partial output removed" in err, err)
    check("half's own message", "chronicle: half: gave up half-way" in err, err)
    check("good still written", open(os.path.join(d, "three.fix")).read().startswith("events=3"), os.listdir(d))
    check("only good's file remains", sorted(os.listdir(d)) == ["three.fix"], os.listdir(d))
    rc, out, err = run("export", "-f", "hang", "--timeout", "1", "-o", os.path.join(d, "h.fix"), DATA)
    check("hang killed after the timeout", rc == 70 and "did not finish within 1 s and was stopped" in err, err)
    check("no temp files after a hang", leftovers(d) == [] and not os.path.exists(os.path.join(d, "h.fix")), os.listdir(d))
    keep = os.path.join(d, "keep.fix")
    with open(keep, "w") as f:
        f.write("OLD CONTENT\n")
    for plugin in ("half", "crash"):
        rc, out, err = run("export", "-f", plugin, "-o", keep, DATA)
        check(f"{plugin}: existing output survives", open(keep).read() == "OLD CONTENT\n", open(keep).read())
    check("no temp files after failures", leftovers(d) == [], os.listdir(d))
    rc, out, err = run("export", "-f", "good", "-o", keep, DATA)
    check("success replaces the file", rc == 0 and open(keep).read().startswith("events=3"), err)
    check("replaced file has normal permissions", stat.S_IMODE(os.stat(keep).st_mode) & 0o644 == 0o644)
    shutil.rmtree(d)


def test_child_stderr():
    """What a plugin or its libraries print on standard error comes out as
    the job's warnings, each line attributed, the last one even without its
    newline; 2,000 lines (more than a pipe holds) do not stall the job; -q
    hides them; the export itself is unaffected."""
    d = tempfile.mkdtemp()
    out_file = os.path.join(d, "n.fix")
    rc, out, err = run("export", "-f", "noisy", "-o", out_file, DATA)
    lines = err.splitlines()
    check("noisy: exit 0", rc == 0, (rc, err[-300:]))
    check("noisy: report written", open(out_file).read().startswith("events=3"))
    check("noisy: every stderr line attributed to the job",
          len(lines) == 2000 and all(l.startswith("chronicle: noisy: warning: on standard error: noise ")
                                     for l in lines), lines[:2] + lines[-2:])
    check("noisy: in order, the last without its newline",
          lines[0].endswith("noise 1 of 2000 from a library") and
          lines[-1].endswith("noise 2000 of 2000 from a library"), lines[-1:])
    rc, out, err = run("export", "-q", "-f", "noisy", "-o", out_file, DATA)
    check("noisy -q: silent", rc == 0 and err == "", err[:200])
    rc, out, err = run("export", "-f", "noisy,half", "-o", d + "/", DATA)
    check("noisy beside a failing job: both attributed",
          "chronicle: half: gave up half-way" in err and
          all(l.startswith(("chronicle: noisy:", "chronicle: half:")) for l in err.splitlines()), err[-300:])
    shutil.rmtree(d)


def test_needs_path():
    rc, out, err = run("export", "-f", "needspath", "-o", "-", DATA)
    check("needs-path refuses stdout (64)", rc == 64, (rc, err))
    check("stdout refusal message", "needspath: cannot write to standard output (it needs a seekable file); use -o FILE" in err, err)
    d = tempfile.mkdtemp()
    rc, out, err = run("export", "-f", "needspath", "-o", os.path.join(d, "n.fix"), DATA)
    check("needs-path writes by name", rc == 0 and open(os.path.join(d, "n.fix")).read() == "events=3 scratch=1\n", err)
    check("scratch dir removed", os.listdir(d) == ["n.fix"], os.listdir(d))
    os.mkdir(os.path.join(d, "isdir.fix"))
    rc, out, err = run("export", "-f", "good", "-o", os.path.join(d, "isdir.fix/"), DATA)
    check("directory output uses stem", rc == 0 and os.path.exists(os.path.join(d, "isdir.fix", "three.fix")), err)
    shutil.rmtree(d)


def test_split_and_filters():
    d = tempfile.mkdtemp()
    rc, out, err = run("export", "-f", "good", "--split-by", "country", "-o", d, DATA)
    check("split by country", rc == 0 and sorted(os.listdir(d)) == ["three-AZ.fix", "three-FR.fix", "three-QA.fix"], (err, os.listdir(d)))
    fr = open(os.path.join(d, "three-FR.fix")).read().splitlines()
    check("group content", fr[0].startswith("events=1 group=FR") and fr[1:] == ["2023-02-25 b FR"], fr)
    shutil.rmtree(d)
    d = tempfile.mkdtemp()
    rc, out, err = run("export", "-f", "good", "--split-by", "organizer", "-o", d, DATA)
    check("split by organizer: one file per organiser, (none) made safe",
          sorted(os.listdir(d)) == ["three-Embassy.fix", "three-Foundation.fix", "three-Ministry.fix", "three-none.fix"], os.listdir(d))
    shutil.rmtree(d)
    def ids(*filters):
        rc, out, err = run("export", "-f", "good", "-o", "-", *filters, DATA)
        return [line.split()[1] for line in out.splitlines()[1:]]
    check("--since", ids("--since", "2023-02-25") == ["b"])
    check("--until", ids("--until", "2023-02-24") == ["c", "a"])
    check("--country (case-insensitive, repeatable)", ids("--country", "fr", "--country", "QA") == ["c", "b"])
    check("--tag", ids("--tag", "baku") == ["a"])
    check("filters AND", ids("--tag", "baku", "--country", "FR") == [])
    rc, out, err = run("export", "-f", "good", "-o", "-", "--since", "2023-02-30", DATA)
    check("bad --since date -> 64", rc == 64 and "not a date" in err, err)


def test_parallel_same_result():
    outs = []
    for jobs in ("1", "4"):
        d = tempfile.mkdtemp()
        rc, out, err = run("export", "-f", "good", "--split-by", "year", "-j", jobs, "-o", d, DATA,
                           env={"SOURCE_DATE_EPOCH": "1"})
        outs.append({f: open(os.path.join(d, f)).read() for f in os.listdir(d)})
        shutil.rmtree(d)
    check("-j 1 and -j 4 write the same files", outs[0] == outs[1] and len(outs[0]) == 2, outs)


def test_unsafe_dirs():
    d = tempfile.mkdtemp()
    shutil.copy(os.path.join(FIX, "good.so"), d)
    os.chmod(d, 0o777)
    rc, out, err = run("plugins", "--json", plugin_path=False, env={"CHRONICLE_PLUGIN_PATH": d})
    p = {x["name"]: x for x in json.loads(out)["plugins"]}.get("good", {})
    check("world-writable dir refused", p.get("broken") and "is world-writable (fix: chmod go-w" in p.get("reason", ""), p)
    os.chmod(d, 0o755)
    os.chmod(os.path.join(d, "good.so"), 0o666)
    rc, out, err = run("export", "-f", "good", "-o", "-", DATA, plugin_path=False, env={"CHRONICLE_PLUGIN_PATH": d})
    check("group/world-writable file refused (69)", rc == 69 and "the file is world-writable" in err, err)
    os.chmod(os.path.join(d, "good.so"), 0o644)
    rc, out, err = run("export", "-f", "good", "-o", "-", DATA, plugin_path=False, env={"CHRONICLE_PLUGIN_PATH": d})
    check("CHRONICLE_PLUGIN_PATH is searched", rc == 0, err)
    cwd = os.getcwd()
    os.chdir(d)
    rc, out, err = run("export", "-f", "good", "-o", "-", DATA, plugin_path=False)
    os.chdir(cwd)
    check("the current directory is never searched", rc == 64 and 'unknown format "good"' in err, err)
    shutil.rmtree(d)


def test_text_and_crash_together():
    """A crash next to the real text exporter: the text export still completes."""
    d = tempfile.mkdtemp()
    events = os.path.join(SRC, "data", "events.json")
    rc, out, err = run("export", "-f", "text,crash", "-o", d + "/", events)
    check("text,crash exits non-zero", rc == 70, (rc, err))
    check("text written beside the crash", os.path.exists(os.path.join(d, "events.txt")), os.listdir(d))
    check("crash reported by name and signal", "crash: killed by signal 11 (SIGSEGV)" in err, err)
    check("no temp file left", leftovers(d) == [], os.listdir(d))
    shutil.rmtree(d)


for t in [v for k, v in sorted(globals().items()) if k.startswith("test_")]:
    t()
sys.exit(tally.finish())
