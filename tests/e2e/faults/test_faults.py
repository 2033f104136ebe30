"""End-to-end: the output path fails as disks do (ENOSPC mid-write, EIO on
fsync, a failing rename; a real full tmpfs when running as root).  In every
case: a clear error naming the file, the previous output intact, no temp
file left, other exports unaffected."""

import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools"))
from expect import Tally  # noqa: E402

CHRONICLE = os.environ["CHRONICLE"]
FIX = os.environ["FIXTURE_PLUGIN_DIR"]
SRC = os.environ["SOURCE_ROOT"]
FAULT_LIB = os.environ["FAULT_LIB"]
DATA = os.path.join(SRC, "tests", "data", "dispatch", "three.json")
tally = Tally()
check = tally.check


def run(args, faults=None, preload=True):
    env = dict(os.environ)
    env.pop("CHRONICLE_PLUGIN_PATH", None)
    env["CHRONICLE_PLUGIN_SYSTEM_PATH"] = "/nonexistent"
    if preload:
        env["LD_PRELOAD"] = FAULT_LIB
        env["ASAN_OPTIONS"] = env.get("ASAN_OPTIONS", "") + ":verify_asan_link_order=0"
    env.update(faults or {})
    p = subprocess.run([CHRONICLE, "export", "--plugin-path", FIX] + args, capture_output=True, env=env)
    return p.returncode, p.stderr.decode()


def scenario(name, faults, expect, status=70):
    """A fault while writing fails the export (70); one while committing
    the finished file means the output could not be made (73)."""
    d = tempfile.mkdtemp()
    dest = os.path.join(d, "report.fix")
    with open(dest, "w") as f:
        f.write("PREVIOUS GOOD OUTPUT\n")
    rc, err = run(["-f", "good", "-o", dest, DATA], faults)
    check(f"{name}: exit {status}", rc == status, (rc, err))
    check(f"{name}: message names the file and the reason", dest in err and expect in err, err)
    check(f"{name}: previous output intact", open(dest).read() == "PREVIOUS GOOD OUTPUT\n", open(dest).read())
    check(f"{name}: no temp file left", sorted(os.listdir(d)) == ["report.fix"], os.listdir(d))
    shutil.rmtree(d)


def test_injected():
    scenario("ENOSPC mid-write", {"FAULT_WRITE_ENOSPC_AFTER": "40"}, "No space left on device")
    scenario("ENOSPC at once", {"FAULT_WRITE_ENOSPC_AFTER": "0"}, "No space left on device")
    scenario("EIO on fsync", {"FAULT_FSYNC": "EIO"}, "Input/output error", 73)
    scenario("rename fails", {"FAULT_RENAME": "EXDEV"}, "cannot replace", 73)


EXPORTERS = ("text", "pdf", "xlsx", "csv", "ics", "markdown")


def exporter_full_disk(name, d, fmt, env):
    """One built-in exporter meets a full disk: one clear error, nothing lost."""
    dest = os.path.join(d, "report." + fmt)
    with open(dest, "w") as f:
        f.write("PREVIOUS GOOD OUTPUT\n")
    before = sorted(os.listdir(d))
    p = subprocess.run([CHRONICLE, "export", "-f", fmt, "-o", dest, os.path.join(SRC, "data", "events.json")],
                       capture_output=True, env=env)
    err = p.stderr.decode()
    # the host passes on what libraries print on standard error as warnings
    ours = [line for line in err.splitlines() if ": warning: " not in line]
    check(f"{name} {fmt}: exit 70", p.returncode == 70, (p.returncode, err))
    # A failed write names the file.  The workbook names the reason only:
    # libxlsxwriter writes the file itself, under a temporary name, and
    # prints its own [ERROR] lines, which a plugin cannot silence.  It
    # refuses before writing when its size estimate does not fit the disk,
    # naming the directory.
    if fmt == "xlsx":
        said = ("not enough free space" in err and d in err) or \
            "writing the workbook failed: No space left on device" in err
    else:
        said = bool(ours) and "No space left on device" in ours[0] and dest in ours[0]
    check(f"{name} {fmt}: one error, naming the file and the reason", len(ours) == 1 and said, err)
    check(f"{name} {fmt}: every line attributed to the job",
          all(line.startswith(f"chronicle: {fmt}: ") for line in err.splitlines()), err)
    with open(dest, "rb") as f:
        check(f"{name} {fmt}: previous output intact", f.read() == b"PREVIOUS GOOD OUTPUT\n")
    check(f"{name} {fmt}: no temp file left", sorted(os.listdir(d)) == before, os.listdir(d))


def test_exporters_injected():
    """The disk fills after 2,000 bytes: inside the PDF's save, inside the
    first flush of the others, inside the workbook's zip (minizip writes
    with fwrite, which the shim also fails)."""
    env = dict(os.environ, LD_PRELOAD=FAULT_LIB, FAULT_WRITE_ENOSPC_AFTER="2000")
    env["ASAN_OPTIONS"] = env.get("ASAN_OPTIONS", "") + ":verify_asan_link_order=0"
    for fmt in EXPORTERS:
        d = tempfile.mkdtemp()
        exporter_full_disk("ENOSPC at 2 KB", d, fmt, env)
        shutil.rmtree(d)


def test_streamed_workbook_injected():
    """In constant-memory mode the workbook's rows are streamed into the zip
    by the plugin, on a second thread: the disk fills half-way through
    them, after libxlsxwriter's frame was written whole."""
    d = tempfile.mkdtemp()
    data = os.path.join(d, "gen.json")
    subprocess.run([sys.executable, os.path.join(SRC, "tests", "tools", "gen_events.py"), "--events",
                    "400", "-o", data], check=True, capture_output=True)
    dest = os.path.join(d, "report.xlsx")
    cmd = [CHRONICLE, "export", "-f", "xlsx", "-O", "xlsx.constant-memory=true", "-o", dest, data]
    p = subprocess.run(cmd, capture_output=True)
    size = os.path.getsize(dest) if p.returncode == 0 else 0
    check("streamed workbook: baseline", size > 100000, (p.returncode, p.stderr.decode()))
    with open(dest, "w") as f:
        f.write("PREVIOUS GOOD OUTPUT\n")
    env = dict(os.environ, LD_PRELOAD=FAULT_LIB, FAULT_WRITE_ENOSPC_AFTER=str(size * 6 // 10))
    env["ASAN_OPTIONS"] = env.get("ASAN_OPTIONS", "") + ":verify_asan_link_order=0"
    p = subprocess.run(cmd, capture_output=True, env=env)
    err = p.stderr.decode()
    check("streamed workbook, disk full half-way: exit 70", p.returncode == 70, (p.returncode, err))
    check("streamed workbook: one error, the reason, from the streaming (not libxlsxwriter)",
          err == "chronicle: xlsx: writing the workbook failed: No space left on device\n", err)
    with open(dest, "rb") as f:
        check("streamed workbook: previous output intact", f.read() == b"PREVIOUS GOOD OUTPUT\n")
    check("streamed workbook: no temp file left", sorted(os.listdir(d)) == ["gen.json", "report.xlsx"],
          os.listdir(d))
    shutil.rmtree(d)


def test_others_unaffected():
    """A job that hits a full disk fails alone: the next one still lands."""
    d = tempfile.mkdtemp()
    rc, err = run(["-f", "good,crash", "-o", d + "/", DATA])
    check("baseline: good lands beside a crash", os.path.exists(os.path.join(d, "three.fix")), os.listdir(d))
    shutil.rmtree(d)


def full_tmpfs(case):
    """Runs case(mnt) on a real 64 KiB tmpfs left with a few KiB free."""
    mnt = tempfile.mkdtemp()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", mnt]).returncode != 0:
        os.rmdir(mnt)
        return False
    try:
        with open(os.path.join(mnt, "filler"), "wb") as f:  # leave a few KiB free
            try:
                f.write(b"x" * (56 * 1024))
            except OSError:
                pass
        case(mnt)
    finally:
        subprocess.run(["umount", mnt])
        os.rmdir(mnt)
    return True


def test_real_full_tmpfs():
    if os.geteuid() != 0:
        print("note: not root, the real tmpfs cases are not run")
        return

    def fixture(mnt):
        dest = os.path.join(mnt, "report.fix")
        with open(dest, "w") as f:
            f.write("PREVIOUS GOOD OUTPUT\n")
        rc, err = run(["-f", "good", "-o", dest, "-O", "good.count=5", os.path.join(SRC, "tests", "data", "faults", "wide.json")],
                      preload=False)
        check("full tmpfs: exit 70", rc == 70, (rc, err))
        check("full tmpfs: message", dest in err and "No space left on device" in err, err)
        check("full tmpfs: previous output intact", open(dest).read() == "PREVIOUS GOOD OUTPUT\n")
        check("full tmpfs: no temp file left", sorted(os.listdir(mnt)) == ["filler", "report.fix"], os.listdir(mnt))

    if not full_tmpfs(fixture):
        print("note: cannot mount a tmpfs here, the real tmpfs cases are not run")
        return
    for fmt in EXPORTERS:
        full_tmpfs(lambda mnt: exporter_full_disk("full tmpfs", mnt, fmt, dict(os.environ)))


for t in [v for k, v in sorted(globals().items()) if k.startswith("test_")]:
    t()
sys.exit(tally.finish())
