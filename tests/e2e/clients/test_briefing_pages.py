#!/usr/bin/python3
"""test_briefing_pages.py — the briefing's page breaks as MuPDF reads them.

Exports a generated 300-event briefing and data/events.json at
pdf.font-size=14, has MuPDF extract the text of every page (`mutool draw
-F txt`, one file per page, in the order the page draws it; the running
header and footer, drawn last, are taken off) and checks what
formats/briefing.md "Page breaks" promises a reader turning the pages:

- no page ends with a heading (Participants, Programme, Statements,
  Figures, Sources, the key-figure and chart titles), and an event's
  heading (its "date · place" line) has its title and two more lines below
  it on its page;
- no page starts with the "— as reported by …" line of a claim.

tests/e2e/pdf/test_pdf.py checks the same and more with poppler; this is
the other reader.  A control runs the checks on pages made to break
wrongly, so they are known to see a lonely heading and a stray attribution.
mutool is optional (scripts/check-clients installs it): without it the
test prints a SKIP line.
Prints "N passed, N failed, N skipped"; exits 1 if anything failed.

Environment (set by meson): CHRONICLE, SOURCE_ROOT, SOURCE_DATE_EPOCH.
"""

import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools"))
from expect import Tally  # noqa: E402

CHRONICLE = os.environ.get("CHRONICLE", "build/core/chronicle")
ROOT = os.environ.get("SOURCE_ROOT", ".")
EPOCH = os.environ.get("SOURCE_DATE_EPOCH", "1700000000")
EVENTS = os.path.join(ROOT, "data", "events.json")
GENERATOR = os.path.join(ROOT, "tests", "tools", "gen_events.py")
HEADINGS = {"Participants", "Programme", "Statements", "Figures", "Sources", "Events by year",
            "Events by country", "Events by organiser", "Programme items by kind",
            "Events per year", "Events per country"}
EVENT_HEAD = re.compile(r"^\d{1,2} [A-Z][a-z]+ \d{4}\b.* \u00b7 ")
ATTRIBUTION = re.compile(r"^(\u2014 )?as reported (by|in) ")
FOOTER = re.compile(r"^(Generated \d{1,2} [A-Z][a-z]{2} \d{4}|page \d+ of \d+)$")

tally = Tally()
check, skip = tally.check, tally.skip


def export(src, out, *options):
    env = dict(os.environ, SOURCE_DATE_EPOCH=EPOCH, LC_ALL="C.UTF-8")
    r = subprocess.run([CHRONICLE, "export", "-q", "-f", "pdf", *options, "-o", out, src],
                       capture_output=True, env=env)
    return check(f"export {os.path.basename(src)} {' '.join(options)}".rstrip(),
                 r.returncode == 0, r.stderr.decode())


def page_lines(mutool, pdf, title, tmp):
    """Per page, its text lines as MuPDF draws them, without the running
    header and footer (the last lines drawn); the cover is empty."""
    stem = os.path.join(tmp, os.path.basename(pdf) + "-p")
    r = subprocess.run([mutool, "draw", "-q", "-F", "txt", "-o", stem + "%d.txt", pdf],
                       capture_output=True)
    check(f"{os.path.basename(pdf)}: mutool draw -F txt succeeds", r.returncode == 0,
          r.stderr.decode())
    files = sorted(glob.glob(stem + "*.txt"), key=lambda f: int(f[len(stem):-4]))
    out = []
    for n, path in enumerate(files, 1):
        with open(path, encoding="utf-8") as f:
            lines = [l.strip() for l in f.read().replace("\f", "").splitlines() if l.strip()]
        while lines and (FOOTER.match(lines[-1]) or lines[-1] == title):
            lines.pop()
        out.append(lines if n > 1 else [])
    return out


def lonely_headings(pages):
    bad = []
    for n, lines in enumerate(pages, 1):
        if lines and lines[-1] in HEADINGS:
            bad.append((n, lines[-1]))
        bad += [(n, l) for k, l in enumerate(lines) if EVENT_HEAD.match(l) and len(lines) - k < 4]
    return bad


def stray_attributions(pages):
    return [(n, l[0]) for n, l in enumerate(pages, 1) if l and ATTRIBUTION.match(l[0])]


def check_pages(name, pages):
    lonely = lonely_headings(pages)
    check(f"{name}: MuPDF sees no page end with a heading", not lonely,
          f"{len(lonely)}: {lonely[:6]}")
    stray = stray_attributions(pages)
    check(f"{name}: MuPDF sees no page start with an 'as reported by' line", not stray,
          f"{len(stray)}: {stray[:6]}")


def control():
    """Pages broken the way the briefing used to break them."""
    pages = [[], ["Jane Doe: said so.", "\u2014 as reported by Trend, 1 Jan 2024", "Statements"],
             ["Ann Roe: said more,", "and more.", "Figures"],
             ["\u2014 as reported by Trend, 2 Jan 2024", "1 March 2024 \u00b7 Baku, Azerbaijan",
              "A title"]]
    check("control: a heading at a page foot is seen", len(lonely_headings(pages)) == 3,
          lonely_headings(pages))
    check("control: an attribution at a page top is seen", len(stray_attributions(pages)) == 1,
          stray_attributions(pages))


def main():
    control()
    mutool = shutil.which("mutool")
    if not mutool:
        skip("mutool", "not installed (scripts/check-clients installs it); the briefing's pages "
             "were not read by MuPDF")
        return tally.finish()
    tmp = tempfile.mkdtemp(prefix="chronicle-briefing-")
    try:
        big = os.path.join(tmp, "generated.json")
        subprocess.run([sys.executable, GENERATOR, "-n", "300", "--seed", "7", "-o", big],
                       check=True, capture_output=True)
        for name, src, options in (("300 generated events", big, ()),
                                   ("data/events.json at 14 pt", EVENTS,
                                    ("-O", "pdf.font-size=14"))):
            out = os.path.join(tmp, f"briefing{len(options)}.pdf")
            if not export(src, out, *options):
                continue
            with open(src, encoding="utf-8") as f:
                title = json.load(f)["title"]  # the running header
            check_pages(name, page_lines(mutool, out, title, tmp))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return tally.finish()


if __name__ == "__main__":
    sys.exit(main())
