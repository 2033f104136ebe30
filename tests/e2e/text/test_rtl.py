#!/usr/bin/python3
"""End-to-end: right-to-left reports and bidi safety (issue 14).

--lang ar on data/events.json: the text summary and the Markdown digest are
in Arabic (its labels, the period in Arabic months and CLDR's arab digits,
no English label or month), and so is the workbook, whose every sheet is
right-to-left (openpyxl sheet_view.rightToLeft), with the Summary's
Selection row below the period; English sheets stay left-to-right.

Bidi controls in data: a dataset whose title carries U+202E (and U+2067,
U+2069, U+200F): text, csv and ics show each as "<U+202E>" and let no bidi
control through, while Arabic and Hebrew data come out unchanged.  Prints
"N passed, N failed"; exits 1 on any failure.
"""
import csv
import io
import json
import os
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools"))
from expect import Tally  # noqa: E402

CHRONICLE = os.environ["CHRONICLE"]
ROOT = os.environ["SOURCE_ROOT"]
EVENTS = os.path.join(ROOT, "data", "events.json")
TMP = tempfile.mkdtemp(prefix="chronicle-rtl-")

tally = Tally()
check = tally.check

ENGLISH_MONTHS = re.compile(r"\b(January|February|March|April|May|June|July|August|September|"
                            r"October|November|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Oct|Nov|"
                            r"Dec)\b")
BIDI = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
ARABIC_DIGITS = re.compile("[\u0660-\u0669]")


def run(*args):
    env = dict(os.environ, SOURCE_DATE_EPOCH="1700000000")
    env.pop("CHRONICLE_PLUGIN_PATH", None)
    p = subprocess.run([CHRONICLE, *args], capture_output=True, env=env, cwd=ROOT)
    return p.returncode, p.stdout.decode("utf-8"), p.stderr.decode("utf-8", "replace")


def export(fmt, *opts, path=EVENTS):
    return run("export", "-q", "-f", fmt, "-o", "-", *opts, path)


def catalog(lang, domains=("common", "plain")):
    """{id: text} of the singular messages of the domains."""
    texts = {}
    for domain in domains:
        with open(os.path.join(ROOT, "po", domain, lang + ".po"), encoding="utf-8") as f:
            for mid, text in re.findall(r'^msgid "(.+)"\nmsgstr "(.*)"$', f.read(), re.M):
                texts[mid] = text
    return texts


EN, AR = catalog("en", ("common", "plain", "xlsx")), catalog("ar", ("common", "plain", "xlsx"))

# ---- --lang ar ----


def test_text_ar():
    rc, out, err = export("text", "--lang", "ar")
    if not check("text ar: exit 0", rc == 0, err):
        return
    # the period, in Arabic months and digits: 26 February 2019 - 26 February 2024
    period = f"{AR['label.period']}  "
    line = next((l for l in out.split("\n") if l.startswith(period)), "")
    check("text ar: the period in Arabic months and arab digits",
          "٢٦ فبراير ٢٠١٩ – ٢٦ فبراير ٢٠٢٤" in line, line or out[:800])
    for mid in ("plain.field.selection", "label.events", "label.participants",
                "plain.heading.by-year", "plain.heading.by-country", "label.organizers"):
        check(f"text ar: the label {mid} in Arabic", AR[mid] in out, out[:800])
        check(f"text ar: no English {mid}",
              not re.search(r"^%s\b" % re.escape(EN[mid]), out, re.M), EN[mid])
    check("text ar: all four events, counted in arab digits",
          "جميع الفعاليات (٤)" in out, out[:800])
    check("text ar: no English month in the period", line and not ENGLISH_MONTHS.search(line), line)
    check("text ar: no bidi control of its own", not BIDI.search(out), BIDI.findall(out)[:3])
    rc, md, err = export("markdown", "--lang", "ar")
    check("markdown ar: Arabic labels and months", rc == 0 and
          f"**{AR['label.organizers']}:**" in md and "فبراير" in md, err or md[:600])


def test_workbook_ar():
    import openpyxl
    paths = {}
    for lang in ("en", "ar"):
        paths[lang] = os.path.join(TMP, f"events-{lang}.xlsx")
        rc, _, err = run("export", "-q", "-f", "xlsx", "--lang", lang, "-o", paths[lang], EVENTS)
        if not check(f"xlsx {lang}: exit 0", rc == 0, err):
            return
    wb = openpyxl.load_workbook(paths["ar"])
    rtl = {ws.title: ws.sheet_view.rightToLeft for ws in wb.worksheets}
    check("xlsx ar: every sheet right-to-left", len(rtl) == 7 and all(rtl.values()), rtl)
    check("xlsx ar: the Summary's name in Arabic", wb.worksheets[0].title == AR["xlsx.sheet.summary"],
          wb.worksheets[0].title)
    check("xlsx ar: the data sheets' names in Arabic",
          [ws.title for ws in wb.worksheets[1:3]] == [AR["label.events"], AR["label.participants"]],
          list(rtl))
    ws = wb.worksheets[0]
    rows = {ws.cell(r, 1).value: ws.cell(r, 2).value for r in range(1, 30)}
    check("xlsx ar: the Summary's period in Arabic",
          rows.get(AR["label.period"]) == "٢٦ فبراير ٢٠١٩ – ٢٦ فبراير ٢٠٢٤", rows)
    check("xlsx ar: the Summary's selection below the period",
          rows.get(AR["xlsx.summary.selection"]) == "جميع الفعاليات (٤)", rows)
    labels = [r for r in rows if isinstance(r, str)]
    check("xlsx ar: Arabic labels, none of the English ones",
          AR["xlsx.summary.headline"] in labels and EN["xlsx.summary.headline"] not in labels
          and EN["label.period"] not in labels, labels)
    en = openpyxl.load_workbook(paths["en"])
    check("xlsx en: no sheet right-to-left",
          not any(ws.sheet_view.rightToLeft for ws in en.worksheets),
          [ws.sheet_view.rightToLeft for ws in en.worksheets])
    check("xlsx en: the Summary's selection row",
          any(en.worksheets[0].cell(r, 1).value == "Selection"
              and en.worksheets[0].cell(r, 2).value == "all 4 events" for r in range(1, 20)))


# ---- bidi controls in data ----

HEBREW, ARABIC = "שלום עולם", "مرحبا بالعالم"
TITLE = "Rally \u202eevil\u202c in Doha \u2067x\u2069 \u200f"
SHOWN = "Rally <U+202E>evil<U+202C> in Doha <U+2067>x<U+2069> <U+200F>"


def bidi_dataset():
    with open(EVENTS, encoding="utf-8") as f:
        doc = json.load(f)
    ev = doc["events"][0]
    ev["title"] = TITLE
    ev["location"]["city"] = "الدوحة"
    ev["summary"] = f"Hebrew: {HEBREW}; Arabic: {ARABIC}"
    path = os.path.join(TMP, "bidi.json")
    with open(path, "w", encoding="utf-8") as f:
        json.dump(doc, f, ensure_ascii=False)
    return path


def test_bidi_controls():
    path = bidi_dataset()
    outs = {}
    for fmt in ("text", "csv", "ics"):
        rc, out, err = export(fmt, path=path)
        if check(f"bidi {fmt}: exit 0", rc == 0, err):
            outs[fmt] = out
    for fmt, out in outs.items():
        check(f"bidi {fmt}: no bidi control reaches the output", not BIDI.search(out),
              [hex(ord(c)) for c in BIDI.findall(out)][:5])
    if "text" in outs:
        check("bidi text: each control shown as <U+XXXX>, nothing lost", SHOWN in outs["text"],
              outs["text"][:1500])
        check("bidi text: Hebrew and Arabic data unchanged",
              HEBREW in outs["text"] and ARABIC in outs["text"] and "الدوحة" in outs["text"])
    if "csv" in outs:
        rows = list(csv.reader(io.StringIO(outs["csv"])))
        titles = [r[rows[0].index("title")] for r in rows[1:]]
        check("bidi csv: the title cell shows each control", SHOWN in titles, titles)
        check("bidi csv: the Arabic city unchanged", any("الدوحة" in r for r in rows))
    if "ics" in outs:
        unfolded = outs["ics"].replace("\r\n ", "")
        check("bidi ics: SUMMARY shows each control", f"SUMMARY:{SHOWN}\r\n" in unfolded,
              re.findall(r"SUMMARY:.*", unfolded)[:2])
        check("bidi ics: Hebrew and Arabic data unchanged",
              HEBREW in unfolded and ARABIC in unfolded)
    # the same data in --lang ar: controls neutralised, Arabic labels around them
    rc, out, err = export("text", "--lang", "ar", path=path)
    check("bidi text ar: shown, not lost, in Arabic too",
          rc == 0 and SHOWN in out and not BIDI.search(out), err or out[:800])


test_text_ar()
test_workbook_ar()
test_bidi_controls()
sys.exit(tally.finish())
