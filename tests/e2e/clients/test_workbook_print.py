#!/usr/bin/python3
"""test_workbook_print.py — the workbook on paper, as LibreOffice prints it.

Exports workbooks (data/events.json in normal and constant-memory mode, the
Unicode fixture, a generated 40-event dataset streamed) and has LibreOffice
print them (`soffice --headless --convert-to pdf`), then reads the PDF back
with pdftotext, page by page, each page assigned to its sheet by the name in
its page header:

- data/events.json prints on at most 16 pages, the Summary on one, the same
  in both modes; every page has its header ("title ... Sheet") and footer
  ("Page N of M"); every page of a data sheet repeats its header row;
- no printed cell is clipped: every character of every text cell of a sheet
  (NFKC, white space aside) is on that sheet's pages at least as often as in
  its cells.  LibreOffice leaves out the lines that do not fit a row (the
  reason for formats/workbook.md's row heights), so a missing line shows
  as missing characters, whatever words it holds and however it was broken;
- control: the same workbook with its row heights taken out must fail that
  check, so the check is known to see clipping.

soffice is optional (scripts/check-clients installs it): without it the test
prints a SKIP line.  pdftotext and pdfinfo come with poppler-utils, a build
dependency (scripts/lib.sh).
Prints "N passed, N failed, N skipped"; exits 1 if anything failed.

Environment (set by meson): CHRONICLE, SOURCE_ROOT, SOURCE_DATE_EPOCH.
"""

import collections
import functools
import os
import pathlib
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unicodedata
import zipfile

import openpyxl

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools"))
from expect import Tally  # noqa: E402

CHRONICLE = os.environ.get("CHRONICLE", "build/core/chronicle")
ROOT = os.environ.get("SOURCE_ROOT", ".")
EPOCH = os.environ.get("SOURCE_DATE_EPOCH", "1700000000")
EVENTS = os.path.join(ROOT, "data", "events.json")
UNICODE = os.path.join(ROOT, "tests", "data", "xlsx", "unicode.json")
GENERATOR = os.path.join(ROOT, "tests", "tools", "gen_events.py")
MAX_PAGES = 16  # data/events.json, issue 17; 33 before the page setup

tally = Tally()
check, skip = tally.check, tally.skip
TMP = tempfile.mkdtemp(prefix="chronicle-print-")


def run(args, timeout=120, env_extra=None):
    """Runs args in a session of its own, so that a hung soffice dies whole."""
    env = dict(os.environ, SOURCE_DATE_EPOCH=EPOCH, LC_ALL="C.UTF-8")
    env.update(env_extra or {})
    p = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                         start_new_session=True)
    try:
        out, err = p.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        out, err = p.communicate()
        err += f"\ntimed out after {timeout} s".encode()
    return p.returncode, out.decode("utf-8", "replace"), err.decode("utf-8", "replace")


def export(src, out, *options):
    env = {"CHRONICLE_PLUGIN_SYSTEM_PATH": "/nonexistent", "CHRONICLE_PLUGIN_PATH": ""}
    opts = [a for o in options for a in ("-O", o)]
    rc, _, err = run([CHRONICLE, "export", "-q", "-f", "xlsx", *opts, "-o", out, src], env_extra=env)
    return check(f"export {os.path.basename(out)}", rc == 0, err)


def workbooks():
    """name -> xlsx path, every one named apart: LibreOffice names the PDF
    after the workbook."""
    gen = os.path.join(TMP, "gen40.json")
    rc, _, err = run([sys.executable, GENERATOR, "--events", "40", "--seed", "7", "-o", gen])
    check("gen_events.py writes 40 events", rc == 0, err)
    plan = [("events", EVENTS, []), ("events-streamed", EVENTS, ["xlsx.constant-memory=true"]),
            ("unicode", UNICODE, []), ("gen40-streamed", gen, ["xlsx.constant-memory=true"])]
    books = {}
    for name, src, opts in plan:
        path = os.path.join(TMP, name + ".xlsx")
        if export(src, path, *opts):
            books[name] = path
    if "events" in books:
        books["control-no-heights"] = without_heights(books["events"])
    return books


def without_heights(xlsx):
    """A copy with every row height taken out: what the workbook was before."""
    path = os.path.join(TMP, "control-no-heights.xlsx")
    with zipfile.ZipFile(xlsx) as zin, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename.startswith("xl/worksheets/sheet"):
                data = re.sub(rb' ht="[\d.]+" customHeight="1"', b"", data)
            zout.writestr(item, data)
    return path


# ---- the printed pages ----

def printed(soffice, books):
    outdir = os.path.join(TMP, "pdf")
    profile = pathlib.Path(TMP, "lo-profile").as_uri()  # never the user's own profile
    t0 = time.monotonic()
    rc, out, err = run([soffice, "--headless", "--norestore", f"-env:UserInstallation={profile}",
                        "--convert-to", "pdf", "--outdir", outdir, *books.values()], timeout=240)
    print(f"soffice: {len(books)} workbooks to PDF in {time.monotonic() - t0:.1f} s")
    check("soffice --convert-to pdf exits 0", rc == 0, err)
    pdfs = {}
    for name in books:
        pdf = os.path.join(outdir, name + ".pdf")
        if check(f"{name}: LibreOffice prints the workbook", os.path.isfile(pdf), out + err):
            pdfs[name] = pdf
    return pdfs


def pages_of(pdf):
    """The text of each page, laid out (pdftotext -layout)."""
    rc, out, err = run(["pdftotext", "-layout", "-enc", "UTF-8", pdf, "-"])
    check(f"{os.path.basename(pdf)}: pdftotext reads it", rc == 0, err)
    pages = out.split("\f")
    return pages[:-1] if pages and not pages[-1].strip() else pages


def sheet_of(page, names):
    """The sheet a page prints: the name at the right of its page header."""
    head = next((line.strip() for line in page.splitlines() if line.strip()), "")
    for name in sorted(names, key=len, reverse=True):
        if head.endswith(name):
            return name
    return None


def font_coverage():
    """Code points some installed font has (fc-list): LibreOffice cannot
    print the others (an emoji without an emoji font), clipped or not.
    None: fontconfig cannot tell, every character counts."""
    rc, out, _ = run(["fc-list", "--format", "%{charset}\n"])
    if rc != 0:
        return None
    ranges = []
    for tok in out.split():
        lo, _, hi = tok.partition("-")
        ranges.append((int(lo, 16), int(hi or lo, 16)))
    ranges.sort()
    return ranges


COVERAGE = None


@functools.lru_cache(maxsize=None)
def printable(c):
    if COVERAGE is None or ord(c) < 0x80:
        return True
    return any(lo <= ord(c) <= hi for lo, hi in COVERAGE)


def chars(text):
    return collections.Counter(c for c in unicodedata.normalize("NFKC", text)
                               if not c.isspace() and unicodedata.category(c)[0] != "C"
                               and printable(c))


def clipped(ws, text):
    """Characters of the sheet's text cells missing from its printed text,
    and some cells that hold them."""
    want = collections.Counter()
    cells = []
    for row in ws.iter_rows():
        for c in row:
            if isinstance(c.value, str):
                want += chars(c.value)
                cells.append(c)
    missing = want - chars(text)
    where = [f"{c.coordinate} {c.value[:50]!r}" for c in cells if set(chars(c.value)) & set(missing)]
    return missing, where


def check_book(name, xlsx, pdf, control=False):
    wb = openpyxl.load_workbook(xlsx)
    pages = pages_of(pdf)
    by_sheet = collections.defaultdict(list)
    for i, page in enumerate(pages):
        by_sheet[sheet_of(page, wb.sheetnames)].append(i)
    if control:
        lost = {ws.title: sum(clipped(ws, "".join(pages[i] for i in by_sheet[ws.title]))[0].values())
                for ws in wb.worksheets}
        check("control: without row heights, LibreOffice clips text and the check sees it",
              sum(lost.values()) > 0, lost)
        return len(pages)
    check(f"{name}: every page headed with its sheet's name", None not in by_sheet,
          [i + 1 for i in by_sheet.get(None, [])])
    feet = [i + 1 for i, p in enumerate(pages) if f"Page {i + 1} of {len(pages)}" not in p]
    check(f"{name}: every page footed 'Page N of {len(pages)}'", not feet, feet[:5])
    for ws in wb.worksheets:
        mine = by_sheet.get(ws.title, [])
        check(f"{name}, {ws.title}: printed", mine, sorted(by_sheet, key=str))
        # pages no header names: the sheet's text is looked for on all of them
        text = "".join(pages[i] for i in mine + by_sheet.get(None, []))
        missing, where = clipped(ws, text)
        check(f"{name}, {ws.title}: every character of every text cell printed "
              f"({len(mine)} page{'s' if len(mine) != 1 else ''})",
              not missing, f"missing {dict(missing.most_common(8))} from e.g. {where[:3]}")
        if ws.title != "Summary":
            head = [c.value for c in ws[1]]
            bare = [i + 1 for i in mine if not all(h in pages[i] for h in (head[0], head[-1]))]
            check(f"{name}, {ws.title}: header row repeated on every page", not bare, bare)
    return len(pages), len(by_sheet.get("Summary", []))


def main():
    try:
        soffice = shutil.which("soffice") or shutil.which("libreoffice")
        if not soffice:
            skip("soffice", "not installed (scripts/check-clients installs it); the workbook "
                 "was not printed by LibreOffice")
            return tally.finish()
        global COVERAGE
        COVERAGE = font_coverage()
        books = workbooks()
        pdfs = printed(soffice, books)
        counts = {}
        for name, pdf in pdfs.items():
            try:
                counts[name] = check_book(name, books[name], pdf,
                                          control=name.startswith("control"))
            except Exception as e:  # a crash on one workbook is a failure, not the end
                check(f"{name}: read back", False, repr(e))
        if "events" in counts:
            n, summary = counts["events"]
            print(f"data/events.json prints on {n} pages")
            check(f"data/events.json prints on at most {MAX_PAGES} pages", n <= MAX_PAGES, n)
            check("data/events.json: the Summary prints on one page", summary == 1, summary)
            check("data/events.json: constant memory prints the same pages",
                  counts.get("events-streamed") == counts["events"], counts)
    finally:
        shutil.rmtree(TMP, ignore_errors=True)
    return tally.finish()


if __name__ == "__main__":
    sys.exit(main())
