#!/usr/bin/python3
"""End-to-end test of what chronicle does to a terminal.

Runs the CLI on a pseudo-terminal (the standard library's pty module, the
window size set with TIOCSWINSZ) and reads the screen back with a terminal
emulator (python3-pyte):

- `export -f text -o -` on the terminal: the screen shows the report exactly
  as the file output has it, and the raw bytes are the report's own (no
  progress display shares the report's terminal);
- an export into a directory: the progress display is one line rewritten
  with "\\r" and "\\033[K" only (no cursor movement, no erase-to-end-of-
  screen), never wider than the terminal minus one column, its labels
  sanitised, and the screen is blank when the run ends;
- usage errors echo their argument with no ESC, C1 control or bidi override.

Prints "N passed, N failed"; exits 1 on any failure.
"""
import fcntl
import json
import os
import re
import select
import struct
import subprocess
import sys
import tempfile
import termios
import threading
import time
import unicodedata

import pyte

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools"))
from expect import Tally  # noqa: E402

CHRONICLE = os.environ["CHRONICLE"]
ROOT = os.environ["SOURCE_ROOT"]
EVENTS = os.path.join(ROOT, "data", "events.json")
GEN = os.path.join(ROOT, "tests", "tools", "gen_events.py")
ENV = dict(os.environ, TERM="xterm", SOURCE_DATE_EPOCH="1700000000", LC_ALL="C.UTF-8")

tally = Tally()
check = tally.check

CSI = re.compile(rb"\x1b\[[0-9;?]*[@-~]")
BIDI = [chr(c).encode() for c in list(range(0x202A, 0x202F)) + list(range(0x2066, 0x206A))]


TTY = object()  # stands for the pty's own path in run_pty's arguments


def run_pty(args, cols=100, rows=50, stdout_pipe=False, env=None, timeout=60):
    """Runs chronicle with stdin, stderr (and stdout unless stdout_pipe) on a
    new pty of cols x rows; an argument TTY is replaced by the pty's path.
    Returns (exit status, raw pty bytes, stdout bytes when piped)."""
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
    args = [os.ttyname(slave) if a is TTY else a for a in args]
    p = subprocess.Popen([CHRONICLE, *args], stdin=slave, stderr=slave,
                         stdout=subprocess.PIPE if stdout_pipe else slave,
                         env=env or ENV, start_new_session=True)
    os.close(slave)
    piped = []
    reader = None
    if stdout_pipe:
        reader = threading.Thread(target=lambda: piped.append(p.stdout.read()))
        reader.start()
    chunks, deadline = [], time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([master], [], [], 1)
        if not ready:
            continue
        try:
            data = os.read(master, 1 << 16)
        except OSError:  # EIO: every holder of the slave has closed it
            break
        if not data:
            break
        chunks.append(data)
    os.close(master)
    if p.poll() is None:
        p.kill()
    rc = p.wait()
    if reader:
        reader.join()
    return rc, b"".join(chunks), piped[0] if piped else b""


def screen_of(raw, cols, rows):
    screen = pyte.Screen(cols, rows)
    pyte.ByteStream(screen).feed(raw)
    return screen


def screen_lines(screen):
    lines = [line.rstrip() for line in screen.display]
    while lines and not lines[-1]:
        lines.pop()
    return lines


def file_lines(data):
    return [line.rstrip() for line in data.decode("utf-8").split("\n")][:-1]


def first_difference(a, b):
    for i, (x, y) in enumerate(zip(a, b)):
        if x != y:
            return f"line {i + 1}: screen {x!r}, file {y!r}"
    return f"{len(a)} lines on the screen, {len(b)} in the file"


def export_to_file(dataset, tmp):
    out = os.path.join(tmp, "report.txt")
    r = subprocess.run([CHRONICLE, "export", "-f", "text", "-o", out, dataset],
                       capture_output=True, env=ENV)
    check(f"{os.path.basename(dataset)}: text into a file", r.returncode == 0, r.stderr)
    with open(out, "rb") as f:
        return f.read()


def width(text):
    return sum(0 if unicodedata.combining(c) or unicodedata.category(c) in ("Mn", "Me", "Cf")
               else 2 if unicodedata.east_asian_width(c) in ("W", "F") else 1 for c in text)


# ---- the report on the terminal --------------------------------------------

def test_report_on_terminal(tmp):
    want = export_to_file(EVENTS, tmp)
    lines = file_lines(want)
    rows = len(lines) + 5
    rc, raw, _ = run_pty(["export", "-f", "text", "-o", "-", EVENTS], rows=rows)
    check("events.json on a pty: exit 0", rc == 0, raw[-500:])
    shown = screen_lines(screen_of(raw, 100, rows))
    check("events.json on a pty: the screen is the file, line for line", shown == lines,
          first_difference(shown, lines))
    check("events.json on a pty: only the report's bytes reach the terminal",
          raw == want.replace(b"\n", b"\r\n"), CSI.findall(raw)[:10])


def test_big_report_on_terminal(tmp, big):
    """A run long enough for many progress updates while the report scrolls
    by: nothing but the report may reach its terminal.  The whole stream is
    compared byte for byte; its last 2,000 lines are also read off a screen
    (pyte draws about 1 MB/s: the whole 9 MB would take a minute)."""
    want = export_to_file(big, tmp)
    rc, raw, _ = run_pty(["export", "-f", "text", "-o", "-", big])
    check("3,000 events on a pty: exit 0", rc == 0, raw[-500:])
    check("3,000 events on a pty: only the report's bytes reach the terminal",
          raw == want.replace(b"\n", b"\r\n"),
          f"{len(raw)} bytes against {len(want)}; escapes: {CSI.findall(raw)[:10]}")
    tail = 2000
    lines = file_lines(want)[-tail:]
    cut = raw.rstrip(b"\r\n").split(b"\r\n")[-tail:]
    shown = screen_lines(screen_of(b"\r\n".join(cut) + b"\r\n", 100, tail + 5))
    check("3,000 events on a pty: the last 2,000 lines on the screen are the file's",
          shown == lines, first_difference(shown, lines))


def test_stdout_piped(tmp, big):
    """-o - into a pipe while stderr is a terminal: the pipe may end on the
    same terminal (| head, | less), so no progress is drawn at all, and the
    report stays clean."""
    want = export_to_file(big, tmp)
    rc, raw, out = run_pty(["export", "-f", "text", "-o", "-", big], stdout_pipe=True)
    check("-o - | pipe: exit 0", rc == 0, raw[-500:])
    check("-o - | pipe: the report is the file's", out == want, f"{len(out)} bytes")
    check("-o - | pipe: nothing drawn on the terminal", raw == b"", raw[-500:])


def test_report_to_terminal_device(tmp):
    """-o naming the terminal (stderr's) itself: no progress on it either."""
    want = export_to_file(EVENTS, tmp)
    rc, raw, _ = run_pty(["export", "-f", "text", "-o", TTY, EVENTS])
    check("-o /dev/pts/N: exit 0 (a device is written through)", rc == 0, raw[-500:])
    check("-o /dev/pts/N: only the report's bytes reach the terminal",
          raw == want.replace(b"\n", b"\r\n"), CSI.findall(raw)[:10])


# ---- the progress line ------------------------------------------------------

def progress_checks(name, raw, cols):
    csis = set(CSI.findall(raw))
    check(f"{name}: the progress line was drawn", b"\x1b[K" in raw and re.search(rb"\r(?!\n)", raw),
          raw[:300])
    check(f"{name}: no escape but erase-to-end-of-line", csis <= {b"\x1b[K"}, csis)
    check(f"{name}: every ESC starts an erase-to-end-of-line",
          raw.count(b"\x1b") == raw.count(b"\x1b[K"), raw[:300])
    texts = [seg.split(b"\x1b[K")[0].decode("utf-8") for seg in raw.split(b"\r") if seg]
    widest = max((width(t) for t in texts), default=0)
    check(f"{name}: at most {cols - 1} columns", widest <= cols - 1,
          max(texts, key=width) if texts else "")
    screen = screen_of(raw, cols, 10)
    check(f"{name}: never wraps nor leaves its line", screen.cursor.y == 0, screen.cursor.y)
    check(f"{name}: the screen is blank at the end", not screen_lines(screen),
          screen_lines(screen))


def test_progress_line(tmp, big):
    out = os.path.join(tmp, "out") + "/"
    os.mkdir(out)
    rc, raw, _ = run_pty(["export", "-f", "text,xlsx", "-o", out, big])
    check("text,xlsx -o DIR/: exit 0", rc == 0, raw[-500:])
    progress_checks("text,xlsx -o DIR/", raw, 100)
    check("text,xlsx -o DIR/: the line names the running jobs", b"xlsx" in raw, raw[:300])


def test_progress_narrow_hostile_labels(tmp):
    """Split-by labels carry data: bidi controls are replaced and wide
    characters are measured as two columns on a 40-column terminal."""
    with open(EVENTS, encoding="utf-8") as f:
        data = json.load(f)
    for e in data["events"]:
        e["organizers"] = ["Evil\u202eorg\u2066x" + "中文" * 30]
    path = os.path.join(tmp, "labels.json")
    with open(path, "w", encoding="utf-8") as f:
        json.dump(data, f, ensure_ascii=False)
    out = os.path.join(tmp, "labels") + "/"
    os.mkdir(out)
    rc, raw, _ = run_pty(["export", "-f", "text,xlsx", "--split-by", "organizer", "-o", out, path],
                         cols=40)
    check("hostile labels: exit 0", rc == 0, raw[-500:])
    progress_checks("hostile labels, 40 columns", raw, 40)
    check("hostile labels: no bidi control reaches the terminal",
          not any(b in raw for b in BIDI), raw[:300])


def test_quiet_and_dumb(tmp):
    out = os.path.join(tmp, "quiet") + "/"
    os.mkdir(out)
    rc, raw, _ = run_pty(["export", "-q", "-f", "text,xlsx", "-o", out, EVENTS])
    check("-q: nothing on the terminal", rc == 0 and raw == b"", raw[:300])
    rc, raw, _ = run_pty(["export", "-f", "text,xlsx", "-o", out, EVENTS],
                         env=dict(ENV, TERM="dumb"))
    check("TERM=dumb: no progress line", rc == 0 and b"\x1b" not in raw, raw[:300])


# ---- usage errors -----------------------------------------------------------

HOSTILE = b"\x1b]8;;x\x1b\\\xc2\x9b2J\xe2\x80\xae\n\xff"


def test_usage_errors():
    cases = [
        ("--since", ["export", "-f", "text", b"--since", HOSTILE, EVENTS]),
        ("--until", ["export", "-f", "text", b"--until", HOSTILE, EVENTS]),
        ("--jobs", ["export", "-f", "text", b"--jobs", HOSTILE, EVENTS]),
        ("--split-by", ["export", "-f", "text", b"--split-by", HOSTILE, EVENTS]),
        ("--timeout", ["export", "-f", "text", b"--timeout", HOSTILE, EVENTS]),
        ("--input-format", ["validate", b"--input-format", HOSTILE, EVENTS]),
        ("--memory", ["validate", b"--memory", HOSTILE, EVENTS]),
        ("unknown command", [HOSTILE, EVENTS]),
    ]
    for name, args in cases:
        rc, raw, _ = run_pty(args)
        check(f"usage error {name}: exit 64", rc == 64, (rc, raw))
        check(f"usage error {name}: no ESC, C1, bidi control or stray line",
              b"\x1b" not in raw and b"\xc2\x9b" not in raw and
              not any(b in raw for b in BIDI) and raw.count(b"\n") == 2, raw)
        check(f"usage error {name}: the argument is echoed, replaced", b"\xef\xbf\xbd" in raw, raw)
    rc, raw, _ = run_pty(["export", "-f", "text", EVENTS],
                         env=dict(ENV, SOURCE_DATE_EPOCH="\x1b[2J"))
    check("SOURCE_DATE_EPOCH: exit 64, no ESC", rc == 64 and b"\x1b" not in raw, raw)


def main():
    with tempfile.TemporaryDirectory() as tmp:
        big = os.path.join(tmp, "e3k.json")
        subprocess.run([sys.executable, GEN, "--events", "3000", "--seed", "7", "-o", big],
                       check=True, capture_output=True)
        test_report_on_terminal(tmp)
        test_big_report_on_terminal(tmp, big)
        test_stdout_piped(tmp, big)
        test_report_to_terminal_device(tmp)
        test_progress_line(tmp, big)
        test_progress_narrow_hostile_labels(tmp)
        test_quiet_and_dumb(tmp)
        test_usage_errors()
    return tally.finish()


if __name__ == "__main__":
    sys.exit(main())
