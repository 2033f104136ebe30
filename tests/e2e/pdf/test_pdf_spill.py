#!/usr/bin/python3
"""test_pdf_spill.py — the briefing's temporary file changes no byte.

The briefing keeps finished pages and objects in an unlinked temporary file
in the job's scratch directory (plugins/pdf/hpdf_private.c): each page's
content is read back while saving, and the entries of finished dictionaries
(links, bookmarks, the start of each page) are written there as libharu
would write them and put back in their place.  When the disk fills, what the
file did not take stays in memory, and so does everything after it.

This exports 3,000 generated events with a marking (every page is drawn on
again at the end) to a file, then to standard output with $TMPDIR, where a
job writing to a stream keeps its scratch, on a 2 MiB tmpfs: the first
megabyte comes back from the file, the second from memory, and the pages
after it never leave libharu.  The two must be the same bytes, and the
second run must have held more memory (the fallback was taken).  qpdf
--check passes.  Mounting a tmpfs needs root: skipped otherwise (exit 77).
Prints "N passed, N failed"; exits 1 if anything failed.
Environment (set by meson): CHRONICLE, SOURCE_ROOT, SOURCE_DATE_EPOCH.
"""

import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools"))
from expect import Tally  # noqa: E402

CHRONICLE = os.environ.get("CHRONICLE", "build/core/chronicle")
ROOT = os.environ.get("SOURCE_ROOT", ".")
EPOCH = os.environ.get("SOURCE_DATE_EPOCH", "1700000000")
EVENTS = 3000
ARGS = ["export", "-q", "-f", "pdf", "-M", "marking=OFFICIAL-SENSITIVE"]

tally = Tally()
check = tally.check


def export(args, tmpdir, stdout=None):
    """(returncode, stderr, peak RSS in KiB) of one export."""
    env = dict(os.environ, SOURCE_DATE_EPOCH=EPOCH, LC_ALL="C.UTF-8", TMPDIR=tmpdir)
    p = subprocess.Popen([CHRONICLE, *args], stdout=stdout, stderr=subprocess.PIPE, env=env)
    err = p.stderr.read()
    _, status, usage = os.wait4(p.pid, 0)
    return os.waitstatus_to_exitcode(status), err.decode("utf-8", "replace"), usage.ru_maxrss


def main():
    if os.geteuid() != 0 or not shutil.which("mount"):
        print("SKIP pdf-spill: mounting a small tmpfs needs root")
        return 77
    tmp = tempfile.mkdtemp(prefix="chronicle-pdf-spill-")
    mnt = os.path.join(tmp, "full")
    os.mkdir(mnt)
    mounted = False
    try:
        src = os.path.join(tmp, "events.json")
        gen = os.path.join(ROOT, "tests", "tools", "gen_events.py")
        r = subprocess.run([sys.executable, gen, "-n", str(EVENTS), "-s", "3", "-o", src],
                           capture_output=True)
        if not check(f"gen_events.py writes {EVENTS} events", r.returncode == 0, r.stderr):
            return tally.finish()
        whole = os.path.join(tmp, "whole.pdf")
        rc, err, rss_file = export([*ARGS, "-o", whole, src], tmp)
        if not check("the export with room for its temporary file succeeds", rc == 0, err):
            return tally.finish()
        if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", mnt]).returncode:
            print("SKIP pdf-spill: cannot mount a tmpfs here")
            return 77
        mounted = True
        out = os.path.join(tmp, "stdout.pdf")
        with open(out, "wb") as f:
            rc, err, rss_full = export([*ARGS, "-o", "-", src], mnt, stdout=f)
        check("the export with its scratch on a full disk succeeds", rc == 0 and not err, err)
        with open(whole, "rb") as a, open(out, "rb") as b:
            same = a.read() == b.read()
        check("both briefings are the same bytes", same,
              (os.path.getsize(whole), os.path.getsize(out)))
        # what the full disk did not take was held in memory: the fallback ran
        check("the run on the full disk held more memory (the fallback was taken)",
              rss_full > rss_file + 20 * 1024, (rss_file, rss_full))
        if shutil.which("qpdf"):
            r = subprocess.run(["qpdf", "--check", out], capture_output=True, text=True)
            check("qpdf --check passes", r.returncode == 0, r.stdout[-300:] + r.stderr[-300:])
    finally:
        if mounted:
            subprocess.run(["umount", mnt])
        shutil.rmtree(tmp, ignore_errors=True)
    return tally.finish()


if __name__ == "__main__":
    sys.exit(main())
