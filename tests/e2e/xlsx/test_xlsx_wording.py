"""End-to-end: the workbook in the report's language and with its branding
(formats/workbook.md, Languages and Branding).  Runs the real CLI and reads
the workbooks back with openpyxl and the raw zip:

- --lang fr|ru|az|zh: every fixed word (sheet names, header rows, the
  Summary's labels and table heads) differs from the English workbook's word
  in the same place, unless the catalogs give the same word (French
  "Participants"); the period, attributions and the Subject carry the
  language's months and words, and no English month or "as reported";
- Russian plural forms in the Subject for 1, 2, 5, 11 and 21 events;
- -M title/subtitle/organization/author/marking/logo: docProps carry title,
  author, company; every sheet's header and footer carries the marking (in
  both modes); the Summary shows marking, title, subtitle, organisation; the
  logo is in xl/media with the file's bytes; no input path or file name
  anywhere in the workbook; --report with the same values gives the same bytes."""

import copy
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import zipfile
import zlib

import openpyxl

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools"))
from expect import Tally  # noqa: E402

CHRONICLE = os.environ["CHRONICLE"]
SRC = os.environ["SOURCE_ROOT"]
EVENTS = os.path.join(SRC, "data", "events.json")
TMP = tempfile.mkdtemp(prefix="chronicle-xlsx-words-")
tally = Tally()
check = tally.check

LANGS = ["fr", "ru", "az", "zh"]
# the language's short month of February (the dataset's events are all in February)
FEBRUARY = {"fr": "févr.", "ru": "февр.", "az": "fev", "zh": "2月"}
ENGLISH_MONTHS = re.compile(r"\b(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\b")


def run(*args):
    e = dict(os.environ)
    e.pop("CHRONICLE_PLUGIN_PATH", None)
    e["CHRONICLE_PLUGIN_SYSTEM_PATH"] = "/nonexistent"
    p = subprocess.run([CHRONICLE] + list(args), capture_output=True, env=e)
    return p.returncode, p.stdout.decode(), p.stderr.decode()


def export(out, *args, data=EVENTS):
    return run("export", "-f", "xlsx", "-o", out, *args, data)


def po_entries(path):
    """id -> msgstr (singular entries) of one .po file, enough for the whitelist."""
    out, mid = {}, None
    for line in open(path, encoding="utf-8"):
        m = re.match(r'(msgid|msgstr) "(.*)"$', line.strip())
        if m and m.group(1) == "msgid":
            mid = m.group(2)
        elif m and mid:
            out[mid] = m.group(2).replace('\\"', '"')
            mid = None
    return out


def same_as_english(lang):
    """Words a language's catalogs spell as English does: allowed in place."""
    same = set()
    for dom in ("common", "xlsx"):
        en = po_entries(os.path.join(SRC, "po", dom, "en.po"))
        tr = po_entries(os.path.join(SRC, "po", dom, lang + ".po"))
        same |= {en[k] for k in en if tr.get(k) == en[k] and en[k]}
    return same


def fixed_words(wb):
    """(place, word) of every fixed word: sheet names, header rows, and the
    Summary's bold labels and table heads (data is never bold there)."""
    words = [(f"sheet {i}", ws.title) for i, ws in enumerate(wb.worksheets)]
    for i, ws in enumerate(wb.worksheets):
        if i == 0:
            for row in ws.iter_rows():
                for c in row:
                    if isinstance(c.value, str) and c.font.b and c.coordinate != "A1":
                        words.append((f"sheet {i} {c.coordinate}", c.value))
        else:
            words += [(f"sheet {i} {c.coordinate}", c.value) for c in ws[1]]
    return words


def test_languages():
    en_path = os.path.join(TMP, "en.xlsx")
    rc, _, err = export(en_path)
    if not check("en export", rc == 0, err):
        return
    en = openpyxl.load_workbook(en_path)
    en_words = dict(fixed_words(en))
    for lang in LANGS:
        out = os.path.join(TMP, lang + ".xlsx")
        rc, _, err = export(out, "--lang", lang)
        if not check(f"{lang}: export", rc == 0, err):
            continue
        wb = openpyxl.load_workbook(out)
        words = dict(fixed_words(wb))
        check(f"{lang}: the same places hold fixed words", words.keys() == en_words.keys(),
              sorted(set(words) ^ set(en_words))[:5])
        allowed = same_as_english(lang)
        english = [(k, v) for k, v in words.items()
                   if en_words.get(k) == v and v not in allowed]
        check(f"{lang}: no English label left", not english, english[:8])
        check(f"{lang}: Note translated", en["Summary"]["B4"].value != wb.worksheets[0]["B4"].value,
              wb.worksheets[0]["B4"].value)
        ws = wb.worksheets[0]
        period = next((ws.cell(r, 2).value for r in range(1, 20)
                       if ws.cell(r, 1).value == words.get(f"sheet 0 A{r}")
                       and en["Summary"].cell(r, 1).value == "Period"), None)
        check(f"{lang}: period with the language's month", period and FEBRUARY[lang] in period
              and not ENGLISH_MONTHS.search(period), period)
        # data stays as the dataset has it: only the Attribution columns are words
        attributions = [c.value for i, col in ((4, "H"), (5, "I"), (6, "G"))
                        for c in wb.worksheets[i][col][1:] if c.value]
        check(f"{lang}: attributions in the language",
              attributions and not [t for t in attributions
                                    if "as reported" in t or ENGLISH_MONTHS.search(t)],
              attributions[:3])
        subject = wb.properties.subject or ""
        check(f"{lang}: Subject in the language", FEBRUARY[lang] in subject
              and "Analyst workbook" not in subject, subject)
        footer = wb.worksheets[1].oddFooter.center.text or ""
        check(f"{lang}: page footer in the language", "&P" in footer and "&N" in footer
              and "Page &P of" not in footer, footer)
        check(f"{lang}: dates stay real dates", wb.worksheets[1]["B2"].is_date
              and wb.worksheets[1]["B2"].number_format == "yyyy-mm-dd",
              wb.worksheets[1]["B2"].number_format)
        xml = zipfile.ZipFile(out).read("xl/charts/chart1.xml").decode()
        check(f"{lang}: the chart reads the translated Summary sheet",
              f"'{wb.worksheets[0].title}'!$A$" in xml or f"{wb.worksheets[0].title}!$A$" in xml,
              re.findall(r"<c:f>[^<]*</c:f>", xml)[:2])


def generated(n):
    """events.json with its first event repeated n times (new ids, same day)."""
    doc = json.load(open(EVENTS, encoding="utf-8"))
    first = doc["events"][0]
    doc["events"] = []
    for i in range(n):
        e = copy.deepcopy(first)
        e["id"] = f"gen-{i:03d}"
        doc["events"].append(e)
    path = os.path.join(TMP, f"gen{n}.json")
    json.dump(doc, open(path, "w", encoding="utf-8"), ensure_ascii=False)
    return path


def test_russian_counts():
    want = {1: "1 событие", 2: "2 события", 5: "5 событий", 11: "11 событий", 21: "21 событие"}
    for n, words in want.items():
        out = os.path.join(TMP, f"ru{n}.xlsx")
        rc, _, err = export(out, "--lang", "ru", data=generated(n))
        if check(f"ru {n}: export", rc == 0, err):
            subject = openpyxl.load_workbook(out).properties.subject
            check(f"ru {n}: Subject says {words}", subject.startswith(f"Аналитическая книга: {words},"),
                  subject)
    out = os.path.join(TMP, "ru-az.xlsx")
    rc, _, err = export(out, "--lang", "ru", "--country", "AZ")
    if check("ru --country AZ: export", rc == 0, err):
        subject = openpyxl.load_workbook(out).properties.subject
        check("ru --country AZ: the selection in the Subject", "из 4 событий" in subject
              and "AZ" in subject, subject)


def png(path, w=120, h=40):
    """A small RGB PNG, written without an imaging library."""
    raw = b"".join(b"\x00" + bytes([30, 80, 160]) * w for _ in range(h))
    chunk = lambda t, d: struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d))
    data = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))
    open(path, "wb").write(data)
    return data


BRAND = {"title": "Khojaly & after", "subtitle": "Une note de synthèse",
         "organization": "ACME Ə & Co", "author": "A. Analyste", "marking": "OFFICIAL-SENSITIVE"}


def test_branding():
    d = os.path.join(TMP, "brand-input")
    os.makedirs(d)
    logo = png(os.path.join(d, "unit-logo-7f3a.png"))
    data = os.path.join(d, "events-7f3a.json")
    shutil.copy(EVENTS, data)
    meta = [a for k, v in BRAND.items() for a in ("-M", f"{k}={v}")]
    for mode in ("normal", "constant"):
        out = os.path.join(TMP, f"brand-{mode}.xlsx")
        opts = ["-O", "xlsx.constant-memory=true"] if mode == "constant" else []
        rc, _, err = export(out, "--lang", "fr", *meta, "-M", f"logo={d}/unit-logo-7f3a.png",
                            *opts, data=data)
        if not check(f"branding {mode}: export", rc == 0, err):
            continue
        z = zipfile.ZipFile(out)
        core = z.read("docProps/core.xml").decode()
        app = z.read("docProps/app.xml").decode()
        check(f"branding {mode}: title property", "<dc:title>Khojaly &amp; after</dc:title>" in core, core)
        check(f"branding {mode}: author property", "<dc:creator>A. Analyste</dc:creator>" in core, core)
        check(f"branding {mode}: company property", "<Company>ACME Ə &amp; Co</Company>" in app, app)
        media = [n for n in z.namelist() if n.startswith("xl/media/")]
        check(f"branding {mode}: the logo in xl/media", len(media) == 1 and z.read(media[0]) == logo,
              media)
        leaks = [n for n in z.namelist()
                 if any(s in z.read(n) for s in (b"7f3a", d.encode(), b"brand-input"))]
        check(f"branding {mode}: no input path or file name anywhere", not leaks, leaks)
        wb = openpyxl.load_workbook(out)
        bad = [(ws.title, ws.oddHeader.center.text, ws.oddFooter.center.text)
               for ws in wb.worksheets
               if ws.oddHeader.center.text != BRAND["marking"]
               or ws.oddFooter.center.text != BRAND["marking"]
               or "&P" not in (ws.oddFooter.right.text or "")
               or ws.oddHeader.left.text != "Khojaly && after"]
        check(f"branding {mode}: marking in every sheet's header and footer", not bad, bad[:3])
        ws = wb.worksheets[0]
        top = [ws.cell(r, 1).value for r in range(1, 7)]
        check(f"branding {mode}: Summary shows marking, title, subtitle, organisation",
              top[:1] == [BRAND["marking"]] and BRAND["title"] in top and BRAND["subtitle"] in top
              and BRAND["organization"] in top, top)
        check(f"branding {mode}: the logo's row is tall enough",
              (ws.row_dimensions[2].height or 0) >= 48, ws.row_dimensions[2].height)
        if mode == "normal":
            normal = out
    # the same definition from a file: the same bytes
    spec = dict(BRAND, schema="chronicle/report@1", lang="fr", logo="unit-logo-7f3a.png")
    rpath = os.path.join(d, "report.json")
    json.dump(spec, open(rpath, "w", encoding="utf-8"), ensure_ascii=False)
    out = os.path.join(TMP, "brand-report.xlsx")
    rc, _, err = export(out, "--report", rpath, data=data)
    if check("branding --report: export", rc == 0, err):
        check("branding --report: the same bytes as -M",
              open(out, "rb").read() == open(normal, "rb").read())
    # xlsx.author and xlsx.company say more than the report
    out = os.path.join(TMP, "brand-opts.xlsx")
    rc, _, err = export(out, *meta, "-O", "xlsx.author=Desk", "-O", "xlsx.company=Unit")
    if check("branding options: export", rc == 0, err):
        p = openpyxl.load_workbook(out).properties
        app = zipfile.ZipFile(out).read("docProps/app.xml").decode()
        check("branding options: xlsx.author and xlsx.company win", p.creator == "Desk"
              and "<Company>Unit</Company>" in app, (p.creator, app[-200:]))


def main():
    try:
        for t in [test_languages, test_russian_counts, test_branding]:
            try:
                t()
            except Exception as e:  # a crash in one test is a failure, not the end
                check(t.__name__, False, repr(e))
    finally:
        shutil.rmtree(TMP, ignore_errors=True)
    sys.exit(tally.finish())


if __name__ == "__main__":
    main()
