"""End-to-end: plugin loading under hostile surroundings, played as the
attacker would (chronicle(1), SECURITY).  Symlinks into writable
directories, writable or foreign directories above a plugin, relative
search-path entries, a plugin swapped while it is checked and loaded, and
the hostile fixtures of tests/plugins: one that prints from its constructor,
one that leaves a process behind at load time, and one whose descriptor
carries escape sequences.  Runs as root too: ownership is set with chown."""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools"))
from expect import Tally  # noqa: E402

CHRONICLE = os.environ["CHRONICLE"]
SRC = os.environ["SOURCE_ROOT"]
FIX = os.environ["FIXTURE_PLUGIN_DIR"]
DATA = os.path.join(SRC, "tests", "data", "dispatch", "three.json")
GOOD_REPORT = "events=3 group=- ts=1700000000"
tally = Tally()
check = tally.check

# what must never reach a terminal from a plugin's descriptor
FORBIDDEN = {"ESC": b"\x1b", "BEL": b"\x07", "CR": b"\r", "C1 CSI": "\u009b".encode(),
             **{f"U+{cp:04X}": chr(cp).encode() for cp in
                (0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A))}}


def env_for(extra=None):
    e = dict(os.environ)
    e.pop("CHRONICLE_PLUGIN_PATH", None)
    e["CHRONICLE_PLUGIN_SYSTEM_PATH"] = "/nonexistent"  # hermetic: no installed plugins
    e["SOURCE_DATE_EPOCH"] = "1700000000"
    e.update(extra or {})
    return e


def run(*args, env=None, cwd=None, binary=False):
    p = subprocess.run([CHRONICLE] + list(args), capture_output=True, env=env_for(env), cwd=cwd)
    if binary:
        return p.returncode, p.stdout, p.stderr
    return p.returncode, p.stdout.decode(errors="replace"), p.stderr.decode(errors="replace")


def plugin_dir(root, *parts, mode=0o755):
    """root/parts..., each made with mode, holding a copy of good.so."""
    d = os.path.join(root, *parts)
    os.makedirs(d)
    for i in range(len(parts)):
        os.chmod(os.path.join(root, *parts[:i + 1]), mode)
    shutil.copy(os.path.join(FIX, "good.so"), d)
    os.chmod(os.path.join(d, "good.so"), 0o644)
    return d


def probe(path_dir, name="good"):
    """`plugins --json` over path_dir only: the entry of name, or {}."""
    rc, out, err = run("plugins", "--json", "--plugin-path", path_dir)
    return {p["name"]: p for p in json.loads(out)["plugins"]}.get(name, {})


def export_good(path_dir, env=None):
    return run("export", "-f", "good", "-o", "-", "--plugin-path", path_dir, DATA, env=env)


def test_symlink_into_world_writable_dir():
    root = tempfile.mkdtemp()
    evil = plugin_dir(root, "evil", mode=0o777)
    safe = os.path.join(root, "safe")
    os.mkdir(safe, 0o755)
    os.symlink(os.path.join(evil, "good.so"), os.path.join(safe, "good.so"))
    p = probe(safe)
    check("symlink into a 0777 dir: broken", p.get("broken") is True, p)
    check("symlink into a 0777 dir: names the writable dir",
          f"its directory {evil} is world-writable (fix: chmod go-w {evil})" in p.get("reason", ""), p)
    check("symlink into a 0777 dir: says it came through a symlink", "through a symlink" in p.get("reason", ""), p)
    rc, out, err = run("plugins", "--plugin-path", safe)
    check("symlink into a 0777 dir: listed as broken",
          "Broken (not loaded):" in out and f"{evil} is world-writable" in out, out)
    rc, out, err = export_good(safe)
    check("symlink into a 0777 dir: export refused with 69", rc == 69 and out == "", (rc, out, err))
    check("symlink into a 0777 dir: export says why", f"{evil} is world-writable" in err, err)
    # the user's own symlink to a safe place is followed and accepted
    os.chmod(evil, 0o755)
    rc, out, err = export_good(safe)
    check("symlink to a safe file is followed", rc == 0 and out.startswith(GOOD_REPORT), (rc, err))
    shutil.rmtree(root)


def test_directories_above():
    root = tempfile.mkdtemp()
    d = plugin_dir(root, "ww", "a", "plugins")
    ww = os.path.join(root, "ww")
    os.chmod(ww, 0o777)
    p = probe(d)
    check("world-writable dir two levels up: refused", p.get("broken") is True, p)
    check("world-writable dir two levels up: named",
          f"the directory {ww} on its path is world-writable (fix: chmod go-w {ww})" in p.get("reason", ""), p)
    rc, out, err = export_good(d)
    check("world-writable dir two levels up: export 69", rc == 69, (rc, err))
    os.chmod(ww, 0o775)
    check("group-writable dir above: refused", "is group-writable" in probe(d).get("reason", ""))
    os.chmod(ww, 0o1777)  # sticky, like /tmp: others cannot rename what is not theirs
    rc, out, err = export_good(d)
    check("sticky world-writable dir above a safe plugin dir: accepted",
          rc == 0 and out.startswith(GOOD_REPORT), (rc, err))
    os.chmod(ww, 0o755)
    os.chown(os.path.join(root, "ww", "a"), 12345, -1)
    p = probe(d)
    check("dir of another user above: refused",
          "belongs to uid 12345, neither you nor root" in p.get("reason", ""), p)
    os.chown(os.path.join(root, "ww", "a"), 0, -1)
    os.chown(os.path.join(d, "good.so"), 12345, -1)
    p = probe(d)
    check("file of another user: refused", "the file belongs to uid 12345" in p.get("reason", ""), p)
    os.chown(os.path.join(d, "good.so"), 0, -1)
    os.chmod(os.path.join(d, "good.so"), 0o664)
    p = probe(d)
    check("group-writable file: refused with the fix",
          f"the file is group-writable (fix: chmod go-w {d}/good.so)" in p.get("reason", ""), p)
    shutil.rmtree(root)


def test_relative_search_path():
    # the current directory holds a good.so that would load, and a planted
    # one under plugins/ that leaves a mark if it ever does
    cwd = plugin_dir(tempfile.mkdtemp(), "here")
    os.mkdir(os.path.join(cwd, "plugins"), 0o755)
    shutil.copy(os.path.join(FIX, "planted.so"), os.path.join(cwd, "plugins", "good.so"))
    marker = os.path.join(cwd, "MARK")
    env = {"CHRONICLE_PLUGIN_PATH": ".:plugins", "CHRONICLE_TEST_ATTACK_MARKER": marker}
    rc, out, err = run("plugins", "--json", env=env, cwd=cwd)
    doc = json.loads(out)
    check("relative CHRONICLE_PLUGIN_PATH: good not listed",
          "good" not in {p["name"] for p in doc["plugins"]}, doc["plugins"])
    check("relative CHRONICLE_PLUGIN_PATH: not in the search path",
          all(d.startswith("/") for d in doc["search_path"]), doc["search_path"])
    for entry in (".", "plugins"):
        check(f"relative CHRONICLE_PLUGIN_PATH entry {entry!r}: warned",
              f'chronicle: warning: CHRONICLE_PLUGIN_PATH entry "{entry}" is a relative directory and is '
              f"not searched" in err, err)
    rc, out, err = run("export", "-f", "good", "-o", "-", DATA, env=env, cwd=cwd)
    check("relative CHRONICLE_PLUGIN_PATH: export finds no good (64)",
          rc == 64 and 'unknown format "good"' in err, (rc, err))
    rc, out, err = run("plugins", env={**env, "CHRONICLE_PLUGIN_SYSTEM_PATH": "lib"}, cwd=cwd)
    check("relative CHRONICLE_PLUGIN_SYSTEM_PATH: warned",
          'CHRONICLE_PLUGIN_SYSTEM_PATH entry "lib" is a relative directory' in err, err)
    check("relative entries: nothing was ever loaded from them", not os.path.exists(marker))
    # --plugin-path is typed for this run: made absolute, then checked as usual
    rc, out, err = run("plugins", "--json", "--plugin-path", ".", cwd=cwd)
    doc = json.loads(out)
    check("relative --plugin-path made absolute", doc["search_path"][0] == os.path.realpath(cwd), doc)
    rc, out, err = run("plugins", "--plugin-path", "nowhere", cwd=cwd)
    check("unresolvable relative --plugin-path: warned",
          '--plugin-path entry "nowhere" cannot be made absolute' in err, err)
    shutil.rmtree(os.path.dirname(cwd))


def test_constructor_output_is_contained():
    rc, out, err = run("plugins", "--json", "--plugin-path", FIX)
    try:
        doc = json.loads(out)
    except ValueError as e:
        check("plugins --json is valid JSON with ctorprint", False, f"{e}: {out[:300]}")
        return
    p = {x["name"]: x for x in doc["plugins"]}.get("ctorprint", {})
    check("ctorprint listed, not broken", p and not p.get("broken"), p)
    check("ctorprint's output captured in load_output",
          p.get("load_output") == "CTOR-STDOUT\nCTOR-STDERR", p.get("load_output"))
    check("no CTOR- line on stdout", "CTOR-" not in out.replace(json.dumps(p.get("load_output")), ""), out)
    for stream in ("STDOUT", "STDERR"):
        check(f"ctor {stream} shown as an attributed warning",
              f"chronicle: warning: ctorprint printed while loading: CTOR-{stream}\n" in err, err)
    rc, out, err = run("plugins", "ctorprint", "--plugin-path", FIX)
    check("plugins ctorprint: stdout clean", rc == 0 and "CTOR-" not in out, out)
    check("plugins ctorprint: warned", "ctorprint printed while loading: CTOR-STDOUT" in err, err)
    rc, out, err = run("plugins", "ctorprint", "--plugin-path", FIX, "-q")
    check("-q hides what a plugin printed", "CTOR-" not in out + err, err)


def process_gone(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] in ("Z", "X")
    except FileNotFoundError:
        return True


def test_probe_grandchild_is_killed():
    d = tempfile.mkdtemp()
    pidfile = os.path.join(d, "pid")
    start = time.monotonic()
    rc, out, err = run("plugins", "ctorfork", "--plugin-path", FIX, env={"CHRONICLE_TEST_PIDFILE": pidfile})
    took = time.monotonic() - start
    check("a process left at load time does not hold up the probe", rc == 0 and took < 5, (rc, took, err))
    pid = int(open(pidfile).read()) if os.path.exists(pidfile) else None
    check("ctorfork wrote its grandchild's pid", pid, pidfile)
    deadline = time.monotonic() + 2
    while pid and not process_gone(pid) and time.monotonic() < deadline:
        time.sleep(0.02)
    check("the probe's grandchild was killed with its group", pid and process_gone(pid), pid)
    shutil.rmtree(d)


def test_escapes_never_reach_the_terminal():
    runs = {"plugins": ["plugins"], "plugins escapes": ["plugins", "escapes"],
            "plugins --json": ["plugins", "--json"], "plugins escapes --json": ["plugins", "escapes", "--json"]}
    for label, args in runs.items():
        rc, out, err = run(*args, "--plugin-path", FIX, binary=True)
        check(f"{label}: exit 0", rc == 0, err)
        for stream, data in (("stdout", out), ("stderr", err)):
            bad = [name for name, b in FORBIDDEN.items() if b in data]
            check(f"{label}: no {', '.join(bad) or 'control'} bytes on {stream}", not bad, data[:2000])
    rc, out, err = run("plugins", "escapes", "--json", "--plugin-path", FIX)
    p = json.loads(out)
    check("escapes: summary has U+FFFD where the escapes were",
          p["summary"].startswith("\ufffd[2J\ufffd[HFORGED\ufffd\ufffdline \ufffd reversed"), p["summary"])
    check("escapes: version cleaned", p["version"] == "1.0\ufffd[31m", p["version"])
    style = {o["name"]: o for o in p["options"]}.get("style", {})
    check("escapes: option help cleaned",
          style.get("help") == "see \ufffd]8;;http://x\ufffd\\link\ufffd]8;;\ufffd\\ now\ufffd!", style)
    rc, out, err = run("plugins", "escapes", "--plugin-path", FIX)
    check("escapes: the forged line stays on the description's line",
          "\nFORGED" not in out and "Description    \ufffd[2J\ufffd[HFORGED" in out, out)


def swapper(pairs, stop_file):
    """In a child: swap each link between its targets as fast as renames go,
    until stop_file exists.  pairs: (link, [target, ...]) in a 0777 dir."""
    pid = os.fork()
    if pid:
        return pid
    try:
        n = 0
        while not os.path.exists(stop_file):
            for link, targets in pairs:
                tmp = f"{link}.{n % 2}"
                target = targets[n % len(targets)]
                if os.path.lexists(tmp):
                    os.unlink(tmp)
                if target.endswith(".so") and os.path.isfile(target) and not os.path.islink(target) \
                        and os.path.dirname(target) == os.path.dirname(link):
                    os.link(target, tmp)  # the planted file itself, not a link to it
                else:
                    os.symlink(target, tmp)
                os.rename(tmp, link)
            n += 1
    finally:
        os._exit(0)


def test_swap_race():
    """Another user swaps, in their 0777 directory, what a safe symlink leads
    to: a good plugin one moment, planted code the next.  Whatever the
    moment, the planted code must never run."""
    root = tempfile.mkdtemp()
    lib = plugin_dir(root, "lib")
    evil = os.path.join(root, "evil")
    os.mkdir(evil)
    os.chmod(evil, 0o777)
    planted = os.path.join(evil, "planted-copy.so")
    shutil.copy(os.path.join(FIX, "planted.so"), planted)
    os.chmod(planted, 0o644)
    pdir = os.path.join(evil, "pdir")  # a directory of the attacker's holding good.so = planted
    os.mkdir(pdir, 0o755)
    shutil.copy(planted, os.path.join(pdir, "good.so"))
    safe = os.path.join(root, "safe")
    os.mkdir(safe, 0o755)
    # good.so -> evil/good.so (a file swapped); other.so -> evil/d/good.so (a directory swapped)
    os.symlink(os.path.join(evil, "good.so"), os.path.join(safe, "good.so"))
    os.symlink(os.path.join(evil, "d", "good.so"), os.path.join(safe, "other.so"))
    marker = os.path.join(root, "MARK")
    stop = os.path.join(root, "STOP")
    # the harness can see an attack: planted code loaded from a safe place leaves the mark
    check("race harness: planted code leaves its mark when loaded",
          run("plugins", "planted", "--plugin-path", FIX, env={"CHRONICLE_TEST_ATTACK_MARKER": marker})[0] == 0
          and os.path.exists(marker), marker)
    if os.path.exists(marker):
        os.unlink(marker)
    pid = swapper([(os.path.join(evil, "good.so"), [os.path.join(lib, "good.so"), planted]),
                   (os.path.join(evil, "d"), [lib, pdir])], stop)
    env = {"CHRONICLE_TEST_ATTACK_MARKER": marker}
    outcomes = {}
    unexpected = []
    deadline = time.monotonic() + 12  # the iterations below take ~5 s; a slow machine does fewer
    for i in range(300):
        if time.monotonic() > deadline:
            break
        for label, args in (("plugins good", ["plugins", "good", "--plugin-path", safe]),
                            ("plugins other", ["plugins", "other", "--plugin-path", safe]),
                            ("export", ["export", "-f", "good", "-o", "-", "--plugin-path", safe, DATA])):
            rc, out, err = run(*args, env=env)
            outcomes[(label, rc)] = outcomes.get((label, rc), 0) + 1
            # realpath() may also meet a name between two renames
            refused = any(why in err for why in ("is world-writable", "changed while it was checked",
                                                 "cannot read: No such file or directory"))
            ok = (rc == 0 and (label != "export" or out.startswith(GOOD_REPORT))) or \
                 (rc == 69 and refused) or (label == "export" and rc == 70 and refused) or \
                 (label == "plugins other" and rc == 69 and 'declares the name "good"' in err)
            if not ok:
                unexpected.append((label, rc, out[:200], err[:500]))
        if os.path.exists(marker):
            break
    open(stop, "w").close()
    os.waitpid(pid, 0)
    check("race: the planted code never ran", not os.path.exists(marker), outcomes)
    check("race: every run loaded the good plugin or refused", not unexpected, unexpected[:5])
    check("race: both the good plugin and a refusal were seen (the swap was raced)",
          outcomes.get(("export", 0)) and outcomes.get(("export", 69)), outcomes)
    print(f"race outcomes: {sorted(outcomes.items())}")
    shutil.rmtree(root)


def main():
    os.umask(0o022)
    test_symlink_into_world_writable_dir()
    test_directories_above()
    test_relative_search_path()
    test_constructor_output_is_contained()
    test_probe_grandchild_is_killed()
    test_escapes_never_reach_the_terminal()
    test_swap_race()
    return tally.finish()


if __name__ == "__main__":
    sys.exit(main())
