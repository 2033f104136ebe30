"""End-to-end: the output contract under hostile surroundings, as root.

Devices and FIFOs are written through and never replaced; symlinks, block
devices and sockets are refused; an input is never an output; the mode of
an existing file is kept; exit statuses follow the README; a reader that
goes away ends the run quietly; dead runs' scratch directories are swept;
another user racing the output directory gets nothing of ours; a plugin's
printing and the processes it leaves cannot reach the committed output."""

import os
import shutil
import signal
import socket
import stat
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
EVENTS = os.path.join(SRC, "data", "events.json")
NOBODY = 65534
tally = Tally()
check = tally.check


def env(extra=None):
    e = dict(os.environ)
    e.pop("CHRONICLE_PLUGIN_PATH", None)
    e["CHRONICLE_PLUGIN_SYSTEM_PATH"] = "/nonexistent"
    e.update(extra or {})
    return e


def run(*args, stdin=None, extra=None, cwd=None):
    cmd = [CHRONICLE, args[0], "--plugin-path", FIX] + list(args[1:])
    p = subprocess.run(cmd, capture_output=True, env=env(extra), stdin=stdin, cwd=cwd)
    return p.returncode, p.stdout, p.stderr.decode(errors="replace")


def reference(fmt="text", data=EVENTS):
    rc, out, err = run("export", "-f", fmt, "-o", "-", data)
    assert rc == 0, err
    return out


def hidden(d):
    return sorted(f for f in os.listdir(d) if f.startswith("."))


def test_character_device_written_through():
    d = tempfile.mkdtemp()
    dev = os.path.join(d, "null")
    os.mknod(dev, 0o666 | stat.S_IFCHR, os.makedev(1, 3))  # a private /dev/null
    before = os.lstat(dev)
    rc, out, err = run("export", "-f", "text", "-o", dev, EVENTS)
    after = os.lstat(dev)
    check("device: exit 0", rc == 0, (rc, err))
    check("device: still the same character device",
          stat.S_ISCHR(after.st_mode) and after.st_rdev == before.st_rdev and after.st_ino == before.st_ino,
          oct(after.st_mode))
    check("device: no scratch left beside it", hidden(d) == [], os.listdir(d))
    rc, out, err = run("export", "-f", "xlsx", "-o", dev, EVENTS)
    check("device: a plugin that needs a seekable file is refused (64)",
          rc == 64 and "is a device" in err and "xlsx" in err, (rc, err))
    shutil.rmtree(d)


def test_fifo_written_through():
    d = tempfile.mkdtemp()
    fifo = os.path.join(d, "pipe")
    os.mkfifo(fifo)
    reader = subprocess.Popen(["cat", fifo], stdout=subprocess.PIPE)
    time.sleep(0.2)  # the reader opens first
    rc, out, err = run("export", "-f", "text", "-o", fifo, EVENTS)
    got = reader.communicate(timeout=20)[0]
    check("fifo: exit 0", rc == 0, (rc, err))
    check("fifo: the reader got the whole report", got == reference(), (len(got), len(reference())))
    check("fifo: still a FIFO", stat.S_ISFIFO(os.lstat(fifo).st_mode))
    t = time.monotonic()
    rc, out, err = run("export", "-f", "text", "-o", fifo, EVENTS)
    check("fifo without a reader: 73 at once, no hang",
          rc == 73 and "no process is reading the FIFO" in err and time.monotonic() - t < 10, (rc, err))
    check("fifo: nothing left beside it", hidden(d) == [], os.listdir(d))
    shutil.rmtree(d)


def test_refused_destinations():
    d = tempfile.mkdtemp()
    victim = os.path.join(d, "victim")
    with open(victim, "w") as f:
        f.write("SECRET\n")
    os.chmod(victim, 0o600)
    link = os.path.join(d, "link.txt")
    os.symlink(victim, link)
    rc, out, err = run("export", "-f", "text", "-o", link, EVENTS)
    check("symlink: refused (73), named", rc == 73 and "symbolic link" in err and link in err, (rc, err))
    check("symlink: target untouched", open(victim).read() == "SECRET\n" and os.path.islink(link))
    blk = os.path.join(d, "disk")
    os.mknod(blk, 0o600 | stat.S_IFBLK, os.makedev(7, 200))
    rc, out, err = run("export", "-f", "text", "-o", blk, EVENTS)
    check("block device: refused (73)", rc == 73 and "block device" in err, (rc, err))
    check("block device: still a block device", stat.S_ISBLK(os.lstat(blk).st_mode))
    sock_path = os.path.join(d, "sock")
    s = socket.socket(socket.AF_UNIX)
    s.bind(sock_path)
    rc, out, err = run("export", "-f", "text", "-o", sock_path, EVENTS)
    check("socket: refused (73)", rc == 73 and "socket" in err, (rc, err))
    s.close()
    check("refusals leave nothing behind", hidden(d) == [], os.listdir(d))
    shutil.rmtree(d)


def test_input_is_never_an_output():
    d = tempfile.mkdtemp()
    data = os.path.join(d, "three.json")
    shutil.copy(DATA, data)
    original = open(data, "rb").read()
    rc, out, err = run("export", "-f", "text", "-o", data, data)
    check("-o INPUT: refused (64)", rc == 64 and "is an input" in err, (rc, err))
    hard = os.path.join(d, "alias.txt")
    os.link(data, hard)
    rc, out, err = run("export", "-f", "text", "-o", hard, data)
    check("-o a hard link to the input: refused (64)", rc == 64, (rc, err))
    # directory mode: the good fixture writes STEM.fix, and the input is three.fix
    fixdata = os.path.join(d, "three.fix")
    shutil.copy(DATA, fixdata)
    rc, out, err = run("export", "-f", "good,text", "--input-format", "json", "-o", d + "/", fixdata)
    check("directory mode naming the input: refused (64)", rc == 64 and "is an input" in err, (rc, err))
    check("... before any work: no report written", not os.path.exists(os.path.join(d, "three.txt")))
    # another input of the same run
    other = os.path.join(d, "other.txt")
    shutil.copy(DATA, other)
    rc, out, err = run("export", "-f", "text", "-o", d + "/", "--input-format", "json", data, other)
    check("one input's output is another input: refused (64)", rc == 64, (rc, err))
    with open(data, "ab") as f:  # standard output appending to the input
        rc = subprocess.run([CHRONICLE, "export", "-f", "text", "-o", "-", data], stdout=f,
                            stderr=subprocess.PIPE, env=env()).returncode
    check("standard output onto the input: refused (64)", rc == 64, rc)
    check("the input is untouched throughout", open(data, "rb").read() == original)
    check("... and so are the others", open(fixdata, "rb").read() == original)
    shutil.rmtree(d)


def test_mode_kept():
    d = tempfile.mkdtemp()
    for mode in (0o600, 0o640, 0o604):
        dest = os.path.join(d, "r.txt")
        with open(dest, "w") as f:
            f.write("old\n")
        os.chmod(dest, mode)
        rc, out, err = run("export", "-f", "text", "-o", dest, EVENTS)
        got = stat.S_IMODE(os.stat(dest).st_mode)
        check(f"mode {oct(mode)} kept", rc == 0 and got == mode, (rc, oct(got), err))
        check(f"mode {oct(mode)}: content replaced", open(dest, "rb").read() == reference())
    os.unlink(os.path.join(d, "r.txt"))
    old = os.umask(0o027)
    try:
        rc, out, err = run("export", "-f", "text", "-o", os.path.join(d, "new.txt"), EVENTS)
    finally:
        os.umask(old)
    got = stat.S_IMODE(os.stat(os.path.join(d, "new.txt")).st_mode)
    check("a new file gets 0666 & ~umask", got == 0o640, oct(got))
    shutil.rmtree(d)


def test_exit_statuses():
    d = tempfile.mkdtemp()
    rc, out, err = run("export", "-f", "text", "-o", "/nonexistent/x.txt", EVENTS)
    check("-o into a missing directory: 73", rc == 73 and "/nonexistent" in err, (rc, err))
    rc, out, err = run("export", "-f", "text", "-o", "", EVENTS)
    check("-o '': 64", rc == 64 and "empty" in err, (rc, err))
    rc, out, err = run("export", "-f", "pdf", "-O", "pdf.font=/nope.ttf", "-o", os.path.join(d, "x.pdf"), EVENTS)
    check("-O pdf.font=/nope.ttf: 64 before any work",
          rc == 64 and "/nope.ttf" in err and os.listdir(d) == [], (rc, err, os.listdir(d)))
    p = subprocess.run([CHRONICLE, "export", "-\x1b]0;x\x07", EVENTS], capture_output=True, env=env())
    check("an unknown option is echoed cleaned (64)", p.returncode == 64 and b"\x1b" not in p.stderr
          and b"\x07" not in p.stderr and b"unknown option" in p.stderr, p.stderr)
    for cmd in (["validate", EVENTS], ["plugins"], ["plugins", "--json"], ["--help"]):
        with open("/dev/full", "w") as full:
            p = subprocess.run([CHRONICLE] + cmd, stdout=full, stderr=subprocess.PIPE, env=env())
        check(f"{' '.join(cmd[:2])} > /dev/full: 74", p.returncode == 74 and b"standard output" in p.stderr,
              (p.returncode, p.stderr))
    with open("/dev/full", "w") as full:
        p = subprocess.run([CHRONICLE, "export", "-f", "text", "-o", "-", EVENTS], stdout=full,
                           stderr=subprocess.PIPE, env=env())
    check("export -o - > /dev/full: 70, said", p.returncode == 70 and b"No space left" in p.stderr,
          (p.returncode, p.stderr))
    shutil.rmtree(d)


def big_dataset(d, n=3000):
    path = os.path.join(d, "big.json")
    subprocess.run([sys.executable, os.path.join(SRC, "tests", "tools", "gen_events.py"), "-n", str(n),
                    "-o", path], check=True, capture_output=True)
    return path


def test_reader_goes_away():
    d = tempfile.mkdtemp()
    big = big_dataset(d)
    for fmt in ("text", "csv"):
        p = subprocess.Popen([CHRONICLE, "export", "-f", fmt, "-o", "-", big], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, env=env())
        p.stdout.readline()
        p.stdout.close()  # like `| head -1`
        err = p.stderr.read().decode()
        rc = p.wait(timeout=60)
        check(f"{fmt} | head -1: exit 141, as SIGPIPE would", rc == 141, (rc, err))
        check(f"{fmt} | head -1: no message", err == "", err)
    shutil.rmtree(d)


def test_stale_scratch_swept():
    d = tempfile.mkdtemp()
    big = big_dataset(d, 4000)
    out = os.path.join(d, "out")
    os.mkdir(out)
    p = subprocess.Popen([CHRONICLE, "export", "--plugin-path", FIX, "-f", "hang,text", "-o", out + "/", big],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env())
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and not any(n.startswith(".chronicle-hang.") for n in hidden(out)):
        time.sleep(0.05)
    time.sleep(0.3)
    p.send_signal(signal.SIGKILL)
    p.wait()
    time.sleep(0.5)  # the jobs die with their parent (PR_SET_PDEATHSIG)
    left = hidden(out)
    check("SIGKILL leaves scratch behind (the case to sweep)", any(n.startswith(".chronicle-") for n in left), left)
    # a live run's scratch (locked) and another user's are not ours to remove
    foreign = os.path.join(out, ".chronicle-x.AbCdEf")
    os.mkdir(foreign)
    os.chown(foreign, NOBODY, NOBODY)
    rc, _, err = run("export", "-f", "text", "-o", out + "/", EVENTS)
    check("next run: exit 0", rc == 0, (rc, err))
    check("next run: says what it removed", "left by an interrupted run" in err, err)
    check("next run: only the other user's directory stays", hidden(out) == [".chronicle-x.AbCdEf"], hidden(out))
    shutil.rmtree(d)


def test_concurrent_runs_spare_each_other():
    """Each run sweeps the directory it writes into: a sweep must never take
    a live run's scratch, even one made a moment ago."""
    d = tempfile.mkdtemp()
    bad = []
    for i in range(20):
        procs = [subprocess.Popen([CHRONICLE, "export", "--plugin-path", FIX, "-f", "text,good,csv",
                                   "-o", os.path.join(d, str(k)) + "/", DATA], stderr=subprocess.PIPE, env=env())
                 for k in range(3)]
        for p in procs:
            err = p.stderr.read().decode()
            if p.wait() != 0 or err:
                bad.append((i, p.returncode, err))
        procs = [subprocess.Popen([CHRONICLE, "export", "--plugin-path", FIX, "-f", "text,good,csv",
                                   "-o", d + "/", DATA], stderr=subprocess.PIPE, env=env()) for _ in range(3)]
        for p in procs:
            err = p.stderr.read().decode()
            if p.wait() != 0 or err:
                bad.append((i, p.returncode, err))
    check("concurrent runs into one directory: all succeed, nothing swept", not bad, bad[:3])
    check("concurrent runs: no scratch left", hidden(d) == [], hidden(d))
    shutil.rmtree(d)


def test_jobs_hold_only_their_own_output():
    """A job's process inherits nothing of another job's: no temp file, no
    scratch directory (a plugin could otherwise write into another report)."""
    d = tempfile.mkdtemp()
    p = subprocess.Popen([CHRONICLE, "export", "--plugin-path", FIX, "-f", "hang", "--split-by", "country",
                          "-j", "3", "-o", d + "/", DATA], stderr=subprocess.DEVNULL, env=env())
    seen = {}
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and len(seen) < 3:
        time.sleep(0.2)
        try:
            kids = open(f"/proc/{p.pid}/task/{p.pid}/children").read().split()
        except OSError:
            break
        for kid in kids:
            dirs = set()
            try:
                for fd in os.listdir(f"/proc/{kid}/fd"):
                    target = os.readlink(f"/proc/{kid}/fd/{fd}")
                    if ".chronicle-hang." in target:
                        dirs.add(target.split(".chronicle-hang.")[1][:6])
            except OSError:
                continue
            seen[kid] = dirs
    p.send_signal(signal.SIGTERM)
    p.wait(timeout=30)
    check("three jobs ran at once", len(seen) == 3, seen)
    check("each job holds its own scratch and temp file only", all(len(v) == 1 for v in seen.values()), seen)
    shutil.rmtree(d)


def test_same_named_inputs():
    d = tempfile.mkdtemp()
    for sub in ("a", "b"):
        os.mkdir(os.path.join(d, sub))
        shutil.copy(DATA, os.path.join(d, sub, "events.json"))
    out = os.path.join(d, "out")
    os.mkdir(out)
    rc, _, err = run("export", "-f", "text", "-o", out + "/", os.path.join(d, "a", "events.json"),
                     os.path.join(d, "b", "events.json"))
    check("same-named inputs: refused before any work (64)", rc == 64 and "events" in err and
          os.listdir(out) == [], (rc, err, os.listdir(out)))
    shutil.copy(DATA, os.path.join(d, "b", "other.json"))
    rc, _, err = run("export", "-f", "text", "-o", out, os.path.join(d, "a", "events.json"),
                     os.path.join(d, "b", "other.json"))
    check("one format, several inputs, -o an existing DIR: works",
          rc == 0 and sorted(os.listdir(out)) == ["events.txt", "other.txt"], (rc, err, os.listdir(out)))
    shutil.rmtree(d)


def as_nobody(fn):
    """Runs fn in a forked child as another user; returns its pid."""
    pid = os.fork()
    if pid == 0:
        try:
            os.setgid(NOBODY)
            os.setuid(NOBODY)
            fn()
        finally:
            os._exit(0)
    return pid


def attacker(out, victim_dir, stop_file, tally_file):
    """Another user with write access to a shared, non-sticky output
    directory: as fast as it can, moves every hidden entry away and puts a
    symlink in its place: a scratch directory becomes a link to a directory
    of its own holding links to the victim, a temp file a link to the
    victim.  It counts its swaps, so the test knows the race was run."""
    n = 0
    while not os.path.exists(stop_file):
        try:
            names = os.listdir(out)
        except OSError:
            continue
        for name in names:
            if not name.startswith(".") or name.endswith(".moved"):
                continue
            path = os.path.join(out, name)
            try:
                is_dir = os.path.isdir(path) and not os.path.islink(path)
                if os.path.islink(path):
                    continue
                os.rename(path, path + ".moved")
                os.symlink(victim_dir if is_dir else os.path.join(victim_dir, "secret"), path)
                n += 1
            except OSError:
                pass
    with open(tally_file, "w") as f:
        f.write(str(n))


def test_race_shared_directory():
    d = tempfile.mkdtemp()
    os.chmod(d, 0o755)
    out = os.path.join(d, "shared")
    os.mkdir(out)
    os.chmod(out, 0o777)  # world-writable, not sticky: the worst case
    victim_dir = os.path.join(d, "trap")
    os.mkdir(victim_dir)
    secret = os.path.join(d, "secret")
    with open(secret, "w") as f:
        f.write("ROOT ONLY\n")
    os.chmod(secret, 0o600)
    for name in ("events.txt", "events.fix", "report.fix", "secret"):
        os.symlink(secret, os.path.join(victim_dir, name))
    os.chmod(victim_dir, 0o777)
    stop = os.path.join(d, "stop")
    swaps = os.path.join(d, "swaps")
    open(swaps, "w").close()
    os.chmod(swaps, 0o666)
    pid = as_nobody(lambda: attacker(out, victim_dir, stop, swaps))
    runs = int(os.environ.get("RACE_RUNS", "150"))
    bad = []
    ref = reference()
    for i in range(runs):
        fmt = ("text", "needspath")[i % 2]
        rc, _, err = run("export", "-f", fmt, "-o", out + "/", EVENTS if fmt == "text" else DATA)
        if fmt == "text" and rc == 0 and open(os.path.join(out, "events.txt"), "rb").read() != ref:
            bad.append(("text differs", i))
        if rc not in (0, 70, 73):
            bad.append((rc, err))
    open(stop, "w").close()
    os.waitpid(pid, 0)
    swapped = int(open(swaps).read() or 0)
    check("race: the attacker did swap entries under running exports", swapped > 0, swapped)
    st = os.stat(secret)
    check("race: the victim file is untouched", open(secret).read() == "ROOT ONLY\n" and
          stat.S_IMODE(st.st_mode) == 0o600, (open(secret).read()[:80], oct(st.st_mode)))
    check("race: nothing of ours went into the attacker's directory",
          sorted(os.listdir(victim_dir)) == ["events.fix", "events.txt", "report.fix", "secret"],
          os.listdir(victim_dir))
    check(f"race: {runs} runs completed or failed cleanly", not bad, bad[:5])
    shutil.rmtree(d)


def test_plugin_printing_captured():
    rc, out, err = run("export", "-f", "exportprint", "-o", "-", DATA)
    rc2, ref, _ = run("export", "-f", "good", "-o", "-", DATA)
    check("printing plugin: exit 0", rc == 0, (rc, err))
    check("printing plugin: standard output carries only the report",
          b"STDOUT" not in out and out.count(b"\n") == ref.count(b"\n"), out[:300])
    check("printing plugin: its printf is said, attributed",
          "exportprint: warning: on standard output: EXPORT-STDOUT" in err, err)
    check("printing plugin: unflushed stdio is said too", "UNFLUSHED-STDOUT" in err, err)
    check("printing plugin: its stderr is said", "on standard error: EXPORT-STDERR" in err, err)


def test_grandchild_contained():
    d = tempfile.mkdtemp()
    dest = os.path.join(d, "r.fix")
    t = time.monotonic()
    rc, out, err = run("export", "-f", "grandchild", "-o", dest, DATA)
    took = time.monotonic() - t
    check("grandchild: the job ends with its plugin, not with the processes it left",
          rc == 0 and took < 10, (rc, took, err))
    time.sleep(2.5)  # past the grandchild's late write
    check("grandchild: no late write in the committed output", b"LATE" not in open(dest, "rb").read())
    # the grandchild is a fork of the job, so it carries this command line
    ps = subprocess.run(["pgrep", "-f", "-a", "-f grandchild -o " + dest], capture_output=True, text=True).stdout
    check("grandchild: nothing left running", ps.strip() == "", ps)
    rc, out, err = run("export", "-f", "grandchild", "--timeout", "5", "-o", dest, DATA)
    check("grandchild with --timeout: exit 0", rc == 0, (rc, err))
    check("no scratch left", hidden(d) == [], os.listdir(d))
    shutil.rmtree(d)


for t in [v for k, v in sorted(globals().items()) if k.startswith("test_")]:
    t()
sys.exit(tally.finish())
