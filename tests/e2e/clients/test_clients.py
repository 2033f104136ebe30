#!/usr/bin/python3
"""test_clients.py — the workbook and the briefing open in real clients.

Exports data/events.json and a generated 1,000-event dataset to xlsx and pdf,
then hands the files to the programs people open them with:

- LibreOffice (`soffice --headless --convert-to csv`, every sheet): no error
  or repair message, and every cell of every sheet, as LibreOffice shows it,
  equals what openpyxl reads from the same workbook (dates in their number
  format, numbers equal, booleans TRUE/FALSE); the Events sheet also lists
  every event of the dataset.
- MuPDF (`mutool info`, `mutool clean -gggg`, `mutool draw -F txt`): no
  warning, error or repair message; the same page count as qpdf; the text has
  the dataset title on the first pages and every event title.
- qpdf (`qpdf --check`): exit 0, "No syntax or stream encoding errors found".

Neither LibreOffice nor MuPDF fails its exit status on a damaged file (both
repair it and exit 0), so the checks read their messages; a control run on
damaged copies proves that those messages are still caught.  LibreOffice
also loads malformed sheet XML without a word, so the workbook's package
(well-formed parts, relationship targets, content types) is checked here too:
that is what Excel's "We found a problem with some content" repair trips on.

soffice and mutool are optional (scripts/check-clients installs them): a
missing one is reported on a SKIP line, never passed silently.  qpdf is a
build dependency (scripts/lib.sh), so its absence fails.
Prints "N passed, N failed, N skipped"; exits 1 if anything failed.

Environment (set by meson): CHRONICLE, SOURCE_ROOT, SOURCE_DATE_EPOCH.
"""

import csv
import json
import os
import pathlib
import posixpath
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unicodedata
import xml.etree.ElementTree as ET
import zipfile

import openpyxl

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools"))
from expect import Tally  # noqa: E402

CHRONICLE = os.environ.get("CHRONICLE", "build/core/chronicle")
ROOT = os.environ.get("SOURCE_ROOT", ".")
EPOCH = os.environ.get("SOURCE_DATE_EPOCH", "1700000000")
DATASET = os.path.join(ROOT, "data", "events.json")
GENERATOR = os.path.join(ROOT, "tests", "tools", "gen_events.py")
INSTALL_HINT = "not installed (scripts/check-clients installs it)"

# Every sheet to FILE-Sheet.csv (last token -1, LibreOffice >= 7.2), UTF-8
# (76), comma and double quote, values as shown (so dates keep their format)
# and numbers unquoted.
CSV_FILTER = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1"
# Words a client uses when it had to repair, or could not read, a file.
TROUBLE = re.compile(r"error|warning|repair|corrupt|damaged|could not|cannot", re.I)
# Notices about this machine, not about the file: LibreOffice without Java,
# MuPDF built without LittleCMS (Debian's mupdf-tools).
BENIGN = {
    "Warning: failed to launch javaldx - java may not function correctly",
    "warning: ICC support is not available",
}
# openpyxl's number formats of the workbook's date cells (formats/workbook.md)
DATE_FORMATS = {"yyyy-mm-dd": "%Y-%m-%d", "yyyy-mm-dd hh:mm:ss": "%Y-%m-%d %H:%M:%S"}

tally = Tally()
check, skip = tally.check, tally.skip
TMP = tempfile.mkdtemp(prefix="chronicle-clients-")


def run(args, timeout=120, env_extra=None):
    """Runs args in a session of its own, so that a hung soffice (a shell
    wrapper, oosplash and soffice.bin) dies whole on timeout."""
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


def trouble(*texts):
    """The lines of a client's output that speak of errors or repairs (the
    temporary directory's random name taken out: it could spell one)."""
    lines = [l.strip().replace(TMP, "TMP") for t in texts for l in t.splitlines()]
    return [l for l in lines if l not in BENIGN and TROUBLE.search(l)]


def norm(s):
    return re.sub(r"\s+", " ", s).strip()


# ---- the files under test ----

def export(src, outdir, *options):
    """xlsx and pdf of src into outdir, with the build tree's plugins only."""
    env = {"CHRONICLE_PLUGIN_SYSTEM_PATH": "/nonexistent", "CHRONICLE_PLUGIN_PATH": ""}
    opts = [a for o in options for a in ("-O", o)]
    rc, _, err = run([CHRONICLE, "export", "-q", "-f", "xlsx,pdf", *opts, "-o", outdir, src],
                     env_extra=env)
    stem = os.path.splitext(os.path.basename(src))[0]
    return check(f"export {os.path.basename(src)} to xlsx and pdf", rc == 0, err), stem


def make_datasets(tmp):
    """(stem, dataset, xlsx path, pdf path) for data/events.json and the
    generated 1,000 events, the latter also in constant-memory mode, where
    the rows are streamed into the zip by the plugin, not by libxlsxwriter,
    with ZIP64 headers."""
    gen = os.path.join(tmp, "gen1000.json")
    rc, _, err = run([sys.executable, GENERATOR, "--events", "1000", "--seed", "7", "-o", gen])
    check("gen_events.py writes 1,000 events", rc == 0, err)
    out = []
    for src in (DATASET, gen):
        ok, stem = export(src, tmp)
        if ok:
            with open(src, encoding="utf-8") as f:
                ds = json.load(f)
            out.append((stem, ds, os.path.join(tmp, stem + ".xlsx"),
                        os.path.join(tmp, stem + ".pdf")))
    streamed = os.path.join(tmp, "streamed")
    os.makedirs(streamed)
    # with ZIP64 headers, as a workbook past 4 GiB has them
    ok, stem = export(gen, streamed, "xlsx.constant-memory=true", "xlsx.zip64=always")
    if ok:
        # LibreOffice names its CSV files after the workbook's: keep them apart
        xlsx = os.path.join(streamed, stem + "-streamed.xlsx")
        os.rename(os.path.join(streamed, stem + ".xlsx"), xlsx)
        with open(gen, encoding="utf-8") as f:
            out.append((stem + "-streamed", json.load(f), xlsx, os.path.join(streamed, stem + ".pdf")))
    return out


# ---- the workbook's package, as Excel reads it ----

def part_of(rels_name, target):
    """The part a relationship points to: relative to the folder above
    _rels/, or absolute from the package root."""
    if target.startswith("/"):
        return target.lstrip("/")
    base = posixpath.dirname(posixpath.dirname(rels_name))
    return posixpath.normpath(posixpath.join(base, target))


def package_problems(path):
    try:
        z = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as e:
        return [str(e)]
    problems = [f"{n}: bad CRC" for n in [z.testzip()] if n]
    names, xml = set(z.namelist()), {}
    for n in names:
        if n.endswith((".xml", ".rels")):
            try:
                xml[n] = ET.fromstring(z.read(n))
            except ET.ParseError as e:
                problems.append(f"{n}: not well-formed: {e}")
    ct = xml.get("[Content_Types].xml")
    if ct is None:
        return problems + ["[Content_Types].xml missing or unreadable"]
    defaults = {e.get("Extension", "").lower() for e in ct if e.tag.endswith("Default")}
    overrides = {e.get("PartName", "").lstrip("/") for e in ct if e.tag.endswith("Override")}
    for n in sorted(names - {"[Content_Types].xml"}):
        if n not in overrides and n.rsplit(".", 1)[-1].lower() not in defaults:
            problems.append(f"{n}: no content type")
    for n in sorted(overrides - names):
        problems.append(f"content type for a missing part /{n}")
    for n, root in sorted(xml.items()):
        if not n.endswith(".rels"):
            continue
        for r in root:
            if r.get("TargetMode") != "External" and part_of(n, r.get("Target", "")) not in names:
                problems.append(f"{n}: {r.get('Id')} points to missing {r.get('Target')}")
    return problems


def test_packages(sets):
    for stem, _, xlsx, _ in sets:
        p = package_problems(xlsx)
        check(f"{stem}.xlsx: every part well-formed, typed, and every relationship resolves",
              not p, "; ".join(p[:5]))


# ---- LibreOffice ----

def soffice_csv(soffice, files, outdir, tmp):
    """One LibreOffice start for all files; returns (rc, stdout, stderr)."""
    os.makedirs(outdir, exist_ok=True)
    profile = pathlib.Path(tmp, "lo-profile").as_uri()  # never the user's own profile
    return run([soffice, "--headless", "--norestore", f"-env:UserInstallation={profile}",
                "--convert-to", CSV_FILTER, "--outdir", outdir, *files], timeout=240)


def shown(cell):
    """A cell as LibreOffice shows it in the CSV, from openpyxl's reading;
    None when its number format is one this test does not know."""
    v = cell.value
    if v is None:
        return ""
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    if hasattr(v, "strftime"):
        fmt = DATE_FORMATS.get(cell.number_format)
        return v.strftime(fmt) if fmt else None
    return v  # str, or a number compared as a number


def same(want, got):
    if isinstance(want, (int, float)) and not isinstance(want, bool):
        try:
            return float(got) == want
        except ValueError:
            return False
    return want == got


def sheet_differences(ws, rows):
    """Cells where LibreOffice's CSV differs from openpyxl, as
    'A1: want != got'; trailing empty cells do not count."""
    diffs = []
    for r, xrow in enumerate(ws.iter_rows()):
        crow = rows[r] if r < len(rows) else []
        for c, cell in enumerate(xrow):
            got = crow[c] if c < len(crow) else ""
            want = shown(cell)
            if want is None or not same(want, got):
                diffs.append(f"{cell.coordinate}: {str(cell.value)[:60]!r} != {got[:60]!r}")
    extra = [r + 1 for r in range(ws.max_row, len(rows)) if any(rows[r])]
    return diffs + [f"row {r}: only in LibreOffice" for r in extra]


def read_csv(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.reader(f))


def check_workbook(stem, ds, xlsx, outdir):
    wb = openpyxl.load_workbook(xlsx)
    for ws in wb.worksheets:
        path = os.path.join(outdir, f"{stem}-{ws.title}.csv")
        if not check(f"{stem}.xlsx: LibreOffice writes sheet {ws.title}", os.path.isfile(path),
                     sorted(os.listdir(outdir))):
            continue
        diffs = sheet_differences(ws, read_csv(path))
        check(f"{stem}.xlsx, sheet {ws.title}: all {ws.max_row} rows as LibreOffice shows them "
              "equal openpyxl's", not diffs, f"{len(diffs)} cells differ, e.g. {diffs[:4]}")
    check_events_sheet(stem, ds, os.path.join(outdir, f"{stem}-Events.csv"))


def check_events_sheet(stem, ds, path):
    """Anchors the comparison in the dataset itself: openpyxl and LibreOffice
    could agree on a wrong cell."""
    if not os.path.isfile(path):
        return
    rows = read_csv(path)
    want = sorted((e["date"], e["id"], e["title"]) for e in ds["events"])
    got = sorted((r[1], r[0], r[3]) for r in rows[1:] if len(r) > 3)
    check(f"{stem}.xlsx: LibreOffice's Events sheet has every event's date, id and title",
          rows[:1] and rows[0][:4] == ["ID", "Date", "End date", "Title"] and got == want,
          f"header {rows[:1]}, {len(got)} rows for {len(want)} events")


def test_soffice(soffice, sets, tmp):
    outdir = os.path.join(tmp, "lo-csv")
    t0 = time.monotonic()
    rc, out, err = soffice_csv(soffice, [x for _, _, x, _ in sets], outdir, tmp)
    print(f"soffice: {len(sets)} workbooks to CSV in {time.monotonic() - t0:.1f} s")
    check("soffice --convert-to csv exits 0", rc == 0, err)
    bad = trouble(out, err)
    check("soffice prints no error, repair or corruption message", not bad, bad)
    for stem, ds, xlsx, _ in sets:
        check_workbook(stem, ds, xlsx, outdir)


def control_soffice(soffice, sets, tmp):
    """A truncated workbook: LibreOffice exits 0 anyway, so the message and
    the missing CSV are what must give it away."""
    bad = os.path.join(tmp, "control", "truncated.xlsx")
    os.makedirs(os.path.dirname(bad), exist_ok=True)
    data = open(sets[0][2], "rb").read()
    open(bad, "wb").write(data[:len(data) // 2])
    outdir = os.path.join(tmp, "control", "csv")
    rc, out, err = soffice_csv(soffice, [bad], outdir, tmp)
    check("control: soffice reports a truncated workbook (so its messages are read)",
          trouble(out, err) and not os.listdir(outdir), f"rc {rc}: {out} {err}")
    check("control: the package check rejects a truncated workbook", package_problems(bad))


# ---- MuPDF and qpdf ----

def pages_qpdf(pdf):
    rc, out, _ = run(["qpdf", "--show-npages", pdf])
    return int(out) if rc == 0 and out.strip().isdigit() else None


def test_qpdf(sets):
    for stem, _, _, pdf in sets:
        rc, out, err = run(["qpdf", "--check", pdf])
        check(f"{stem}.pdf: qpdf --check exits 0 with no warning",
              rc == 0 and "No syntax or stream encoding errors found" in out
              and "WARNING" not in out + err, (out + err)[-500:])


def mutool_clean(stem, pdf, tmp):
    # -gggg garbage-collects: MuPDF must read every object to do it
    rc, _, err = run(["mutool", "clean", "-gggg", pdf, os.path.join(tmp, stem + "-clean.pdf")])
    bad = trouble(err)
    check(f"{stem}.pdf: mutool clean -gggg reads every object without complaint",
          rc == 0 and not bad, bad or err)


def mutool_text(stem, ds, pdf, tmp):
    """All pages as text: MuPDF interprets every content stream and font."""
    txt = os.path.join(tmp, stem + ".txt")
    rc, _, err = run(["mutool", "draw", "-q", "-F", "txt", "-o", txt, pdf])
    bad = trouble(err)
    check(f"{stem}.pdf: mutool draw -F txt renders every page without complaint",
          rc == 0 and not bad, bad or err)
    rc, first, _ = run(["mutool", "draw", "-q", "-F", "txt", "-o", "-", pdf, "1-2"])
    check(f"{stem}.pdf: MuPDF reads the dataset title on the first pages",
          norm(ds["title"]) in norm(first), norm(first)[:200])
    # Arabic is drawn as joined presentation forms in visual order
    # (formats/briefing.md, "Right-to-left text"), and MuPDF gives text in
    # the order it is drawn: turning each right-to-left run of a line around,
    # one glyph at a time, then NFKC, gives the logical text back
    lines = open(txt, encoding="utf-8", errors="replace").read().split("\n") if rc == 0 else []
    text = unicodedata.normalize("NFKC", norm(" ".join(
        RTL_RUN.sub(lambda m: m.group(0)[::-1], line) for line in lines)))
    missing = [e["title"] for e in ds["events"]
               if unicodedata.normalize("NFKC", norm(e["title"])) not in text]
    check(f"{stem}.pdf: MuPDF reads all {len(ds['events'])} event titles (right-to-left runs "
          "turned to logical order)", not missing, f"{len(missing)} missing, e.g. {missing[:3]}")


RTL_CHAR = "\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff"
RTL_RUN = re.compile("[%s](?:[%s ]*[%s])?" % (RTL_CHAR, RTL_CHAR, RTL_CHAR))


def test_mutool(sets, tmp):
    t0 = time.monotonic()
    for stem, ds, _, pdf in sets:
        rc, out, err = run(["mutool", "info", pdf])
        bad = trouble(err)
        check(f"{stem}.pdf: mutool info opens it without complaint", rc == 0 and not bad,
              bad or err)
        m = re.search(r"^Pages: (\d+)", out, re.M)
        n = pages_qpdf(pdf)
        check(f"{stem}.pdf: MuPDF and qpdf count the same pages ({n})",
              m and int(m.group(1)) == n, m and m.group(0))
        mutool_clean(stem, pdf, tmp)
        mutool_text(stem, ds, pdf, tmp)
    print(f"mutool: {len(sets)} PDFs in {time.monotonic() - t0:.1f} s")


def broken_pdf(pdf, tmp):
    """A copy whose startxref points 7 bytes off: readers must repair."""
    data = open(pdf, "rb").read()
    i = data.rindex(b"startxref")
    offset = int(data[i + 9:].split()[0])
    path = os.path.join(tmp, "broken-xref.pdf")
    open(path, "wb").write(data[:i] + b"startxref\n%d\n%%%%EOF\n" % (offset + 7))
    return path


def control_pdf(sets, tmp, with_mutool):
    bad = broken_pdf(sets[0][3], tmp)
    rc, _, _ = run(["qpdf", "--check", bad])
    check("control: qpdf --check fails a PDF with a wrong startxref", rc != 0)
    if with_mutool:
        rc, _, err = run(["mutool", "info", bad])
        check("control: mutool reports the repair of a wrong startxref (so stderr is read)",
              trouble(err), f"rc {rc}: {err}")


# ---- main ----

def find_soffice():
    return shutil.which("soffice") or shutil.which("libreoffice")


def main():
    tmp = TMP
    try:
        sets = make_datasets(tmp)
        if sets:
            test_packages(sets)
            run_clients(sets, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return tally.finish()


def run_clients(sets, tmp):
    soffice = find_soffice()
    if soffice:
        test_soffice(soffice, sets, tmp)
        control_soffice(soffice, sets, tmp)
    else:
        skip("soffice", f"{INSTALL_HINT}; the workbooks were not opened in LibreOffice")
    mutool = shutil.which("mutool")
    if mutool:
        test_mutool(sets, tmp)
    else:
        skip("mutool", f"{INSTALL_HINT}; the PDFs were not opened in MuPDF")
    if not check("qpdf is installed (a build dependency, scripts/lib.sh)", shutil.which("qpdf")):
        return
    test_qpdf(sets)
    control_pdf(sets, tmp, bool(mutool))


if __name__ == "__main__":
    sys.exit(main())
