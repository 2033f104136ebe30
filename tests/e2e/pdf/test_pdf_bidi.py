#!/usr/bin/python3
"""test_pdf_bidi.py — right-to-left text in the briefing (issue 14;
formats/briefing.md "Right-to-left text").

Exports tests/data/pdf/bidi.json (an Arabic title, an Arabic city inside an
English title, Hebrew names, digits inside Arabic) and data/events.json
with --lang ar, and reads them back with poppler and qpdf:
- pdftotext, normalised with NFKC and without the embedding marks poppler
  adds around right-to-left runs (U+202A-U+202C), gives back every string
  written in one direction exactly, in logical order;
- in a line mixing directions, poppler puts the runs back in logical order
  but moves the spaces at their edges (its own visual-to-logical pass,
  TextOutputDev reorderText): every run of the string is found on the
  line, whole;
- the fonts' /ToUnicode maps hold Arabic presentation forms (U+FE70 to
  U+FEFF, U+FB50 to U+FDFF): the letters are drawn joined;
- and map each form back to its letters (a lam-alef ligature to its alef,
  the zero-width filler drawn beside it, U+FEFF, to its lam): pdftotext
  with no normalisation gives the base letters, lam-alef words in logical
  order, in the dataset's Arabic (unicode-torture.json, bidi.json, a
  dataset of lam-alef words) and in every Arabic label of --lang ar;
  brackets inside Arabic, drawn mirrored, come back as written;
- the outline keeps the titles in logical order;
- a wrapped paragraph keeps its first strong character's direction on
  every line (read from the content streams, glyph by glyph as drawn): the
  last line of an English paragraph that ends in Arabic has its full stop
  at the right, the last line of an Arabic paragraph that ends in English
  has it at the left; data inside the briefing's own words (a document
  name in an Arabic attribution) keeps its own direction, isolated;
- with --lang ar, headings and paragraphs end at the right margin
  (pdftotext -bbox-layout), and nothing passes it; the country chart's
  labels are right-aligned there; a run-in lead runs in only before text
  of its own direction (an English statement's lead stands above it).
Prints "N passed, N failed"; exits 1 if anything failed.

Environment (set by meson): CHRONICLE, SOURCE_ROOT, SOURCE_DATE_EPOCH.
"""

import json
import os
import re
import subprocess
import sys
import tempfile
import unicodedata
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools"))
from expect import Tally  # noqa: E402

CHRONICLE = os.environ.get("CHRONICLE", "build/core/chronicle")
ROOT = os.environ.get("SOURCE_ROOT", ".")
EPOCH = os.environ.get("SOURCE_DATE_EPOCH", "1700000000")
BIDI = os.path.join(ROOT, "tests", "data", "pdf", "bidi.json")
EVENTS = os.path.join(ROOT, "data", "events.json")
TORTURE = os.path.join(ROOT, "data", "samples", "unicode-torture.json")
AR_PO = os.path.join(ROOT, "po", "pdf", "ar.po")
FORMS = re.compile("[\ufb50-\ufdff\ufe70-\ufeff]")
# unicode-torture.json's Arabic of one direction (no digits, no Latin)
TORTURE_AR = ["الشارقة", "الإمارات العربية المتحدة", "الجمعية الأذربيجانية", "طلاب الجامعة",
              "محمد العلي", "رئيس الجمعية", "فرقة الشارقة", "نحن هنا لنتذكر ونحيي الذكرى",
              "وكالة الأنباء"]
# every lam-alef ligature (U+FEF5-U+FEFC: madda, hamza above, hamza below,
# plain; isolated and final), one already joined in the data (U+FEFB), and
# a byte order mark inside a word, which is never drawn
# brackets inside right-to-left text: drawn as their pair's glyph, read as
# written (the /ToUnicode entry of their own code)
MIRRORED = "قال (مرحبا) أمس [نعم] اليوم"
LAM_ALEF = ["الآن", "الأمين", "الإعلان", "السلام", "سلام", "لا", "كلا"]
A4_W, MARGIN = 595.276, 56.0

tally = Tally()
check = tally.check

# written here, never read from the exporter.  Not checked: digits inside an
# Arabic sentence on a page whose text is mostly left to right: poppler
# orders that line's runs left to right (its page-wide primary direction).
ONE_DIRECTION = ["معرض الصور في القاهرة", "القاهرة", "الدوحة", "ערב זיכרון בירושלים",
                 "דוד לוי", "أحمد علي", "سفارة أذربيجان في مصر", "שגרירות אזרבייג'ן"]
MIXED = ["Commemoration in الدوحة with the embassy",
         "Levi spoke about שלום and the 30 years since."]
MARKS = re.compile("[\u202a-\u202e\u200e\u200f\u2066-\u2069]")


def run(args):
    env = dict(os.environ, SOURCE_DATE_EPOCH=EPOCH, LC_ALL="C.UTF-8")
    return subprocess.run(args, capture_output=True, env=env)


def export(src, out, *extra):
    r = run([CHRONICLE, "export", "-q", "-f", "pdf", "-o", out, *extra, src])
    check(f"export {os.path.basename(src)} {' '.join(extra)}", r.returncode == 0,
          r.stderr.decode(errors="replace"))
    return r.returncode == 0


def text_of(pdf, *extra):
    raw = run(["pdftotext", "-enc", "UTF-8", *extra, pdf, "-"]).stdout.decode("utf-8")
    return MARKS.sub("", unicodedata.normalize("NFKC", raw))


def runs(s):
    """The strings of one direction a mixed string is made of, in order."""
    out, cur, cur_rtl = [], "", None
    for ch in s:
        t = unicodedata.bidirectional(ch)
        # digits are a run of their own inside right-to-left text
        rtl = "R" if t in ("R", "AL") else "L" if t == "L" else "N" if t in ("EN", "AN") else None
        if rtl is not None and cur_rtl is not None and rtl != cur_rtl:
            out.append(cur.strip())
            cur = ""
        if rtl is not None:
            cur_rtl = rtl
        cur += ch
    out.append(cur.strip())
    return [r for r in out if r]


def test_extraction(pdf):
    text = text_of(pdf)
    lines = [re.sub(r"\s+", " ", ln).strip() for ln in text.splitlines()]
    for s in ONE_DIRECTION:
        check(f"pdftotext gives {s!r} back exactly", s in lines or any(s in ln for ln in lines),
              "\n".join(ln for ln in lines if ln)[:3000])
    for s in MIXED:
        parts = runs(s)
        # the words of every run, whole and in order within the run, on one line
        ok = any(all(re.search(r"(^|\s)" + re.escape(p) + r"(\s|$|[.:,])", " " + ln + " ")
                     or p in ln for p in parts) for ln in lines)
        check(f"every run of {s!r} on one line: {parts}", ok,
              "\n".join(ln for ln in lines if ln)[:3000])


def strong_runs(s):
    """s cut where its strong direction changes (L against R/AL); neutrals
    and digits stay with the run they are in."""
    out, cur, cur_dir = [], "", None
    for ch in s:
        t = unicodedata.bidirectional(ch)
        d = "L" if t == "L" else "R" if t in ("R", "AL") else None
        if d and cur_dir and d != cur_dir:
            out.append(cur)
            cur = ""
        cur_dir = d or cur_dir
        cur += ch
    return out + [cur]


def test_mixed_lines(tmp):
    """What poppler (pdftotext 22.12) does with a line that mixes
    directions, and the strongest property that holds.  It takes one
    primary direction for the whole page (TextPage: more left-to-right or
    more right-to-left characters) and puts every line's runs in that
    order: on an English page a line of an English paragraph comes back in
    logical order; on an Arabic page (--lang ar) the same line comes back
    with its runs in right-to-left order.  Each run is whole and in logical
    order inside; the spaces at a run's edge move (and poppler adds
    embedding marks, U+202A-U+202C).  So: the line, without whitespace,
    equals the string without whitespace, with its runs in the page's
    order."""
    nospace = lambda t: re.sub(r"\s+", "", t)
    for lang, page_rtl in (("en", False), ("ar", True)):
        pdf = os.path.join(tmp, f"mixed-{lang}.pdf")
        if not export(BIDI, pdf, "--lang", lang):
            continue
        lines = [nospace(ln) for ln in text_of(pdf).splitlines()]
        for s in MIXED:
            parts = strong_runs(s)
            want = nospace("".join(reversed(parts) if page_rtl else parts))
            check(f"--lang {lang}: pdftotext gives {s!r} on one line, runs in the "
                  f"{'right-to-left' if page_rtl else 'logical'} order of the page, each whole",
                  any(want in ln for ln in lines),
                  f"want {want!r}\n" + "\n".join(ln for ln in lines if ln)[:2000])


def test_presentation_forms(tmp, pdf):
    qdf = os.path.join(tmp, "qdf.pdf")
    run(["qpdf", "--qdf", "--object-streams=disable", pdf, qdf])
    with open(qdf, "rb") as f:
        data = f.read().decode("latin-1")
    cmaps = re.findall(r"begincmap.*?endcmap", data, re.S)
    codes = {int(c, 16) for m in cmaps for c in re.findall(r"<([0-9A-Fa-f]{4})>", m)}
    forms = sorted(c for c in codes if 0xFE70 <= c <= 0xFEFF or 0xFB50 <= c <= 0xFDFF)
    check("Arabic presentation forms are drawn (ToUnicode)", len(forms) >= 10,
          f"forms: {[hex(c) for c in forms]}")
    # a joined lam-alef ligature or medial forms, not only isolated letters
    medial = [c for c in forms if 0xFE70 <= c <= 0xFEFC and unicodedata.name(chr(c), "")
              .endswith(("MEDIAL FORM", "INITIAL FORM", "FINAL FORM"))]
    check("letters drawn in their joined (initial, medial, final) forms", len(medial) >= 5,
          f"{[hex(c) for c in medial]}")


def raw_text(pdf, *extra):
    """pdftotext as it is: no NFKC, only poppler's embedding marks dropped."""
    raw = run(["pdftotext", "-enc", "UTF-8", *extra, pdf, "-"]).stdout.decode("utf-8")
    return MARKS.sub("", raw)


def cmap_maps(tmp, pdf):
    """Every bfchar of the fonts' /ToUnicode maps: code -> text."""
    qdf = os.path.join(tmp, "qdf-maps.pdf")
    run(["qpdf", "--qdf", "--object-streams=disable", pdf, qdf])
    with open(qdf, "rb") as f:
        data = f.read().decode("latin-1")
    maps = {}
    for block in re.findall(r"beginbfchar(.*?)endbfchar", data, re.S):
        for code, dst in re.findall(r"<([0-9A-Fa-f]{4})>\s*<([0-9A-Fa-f]+)>", block):
            maps[int(code, 16)] = "".join(chr(int(dst[i:i + 4], 16)) for i in range(0, len(dst), 4))
    return maps


def test_base_letters_map(tmp, pdf):
    maps = cmap_maps(tmp, pdf)
    forms = {c: t for c, t in maps.items() if 0xFB50 <= c <= 0xFDFF or 0xFE70 <= c <= 0xFEFC}
    wrong = {hex(c): t for c, t in forms.items()
             if t != unicodedata.normalize("NFKC", chr(c)) and not 0xFEF5 <= c <= 0xFEFC}
    check("every drawn presentation form maps to its base letter (ToUnicode)",
          len(forms) >= 10 and not wrong, f"{len(forms)} forms; wrong: {wrong}")
    ligs = {c: t for c, t in forms.items() if 0xFEF5 <= c <= 0xFEFC}
    check("lam-alef ligatures map to their alef, the filler U+FEFF to lam",
          ligs and all(t == unicodedata.normalize("NFKC", chr(c))[1] for c, t in ligs.items())
          and maps.get(0xFEFF) == "\u0644", f"{ligs} FEFF->{maps.get(0xFEFF)!r}")


def lines_of(text):
    return [re.sub(r"\s+", " ", ln).strip() for ln in text.splitlines()]


def test_base_letters_text(tmp):
    # the data's Arabic, the report in English and in Arabic
    for extra in ([], ["--lang", "ar"]):
        pdf = os.path.join(tmp, "torture%s.pdf" % "-".join([""] + extra[1:]))
        if not export(TORTURE, pdf, *extra):
            continue
        text = raw_text(pdf)
        forms = sorted(set(FORMS.findall(text)))
        check(f"unicode-torture {' '.join(extra)}: pdftotext gives no presentation form",
              not forms, repr(forms))
        lines = lines_of(text)
        missing = [s for s in TORTURE_AR if not any(s in ln for ln in lines)]
        check(f"unicode-torture {' '.join(extra)}: pdftotext gives the Arabic as written, "
              "in base letters", not missing, f"missing {missing}\n" + "\n".join(
                  ln for ln in lines if re.search("[\u0600-\u06ff]", ln))[:2000])
    # every lam-alef ligature, one written joined in the data, a BOM inside
    with open(BIDI, encoding="utf-8") as f:
        ds = json.load(f)
    ds["events"][0]["title"] = " ".join(LAM_ALEF[:-2]) + " \ufefb \u0643\u0644\ufeff\u0627"
    ds["events"][2]["title"] = MIRRORED
    path = os.path.join(tmp, "lam-alef.json")
    with open(path, "w", encoding="utf-8") as f:
        json.dump(ds, f, ensure_ascii=False)
    pdf = os.path.join(tmp, "lam-alef.pdf")
    if export(path, pdf):
        text = raw_text(pdf)
        want = " ".join(LAM_ALEF)
        check("lam-alef words come out as lam then alef, the joined one too, the BOM not drawn",
              any(want in ln for ln in lines_of(text)),
              "\n".join(ln for ln in lines_of(text) if "\u0644" in ln)[:2000])
        check(f"brackets drawn mirrored come back as written: {MIRRORED!r}",
              any(MIRRORED in ln for ln in lines_of(text)),
              "\n".join(ln for ln in lines_of(text) if "\u0642\u0627\u0644" in ln)[:2000])
        check("lam-alef dataset: no presentation form in pdftotext", not FORMS.search(text),
              repr(sorted(set(FORMS.findall(text)))))
        test_base_letters_map(tmp, pdf)


def test_base_letters_labels(tmp):
    """Every Arabic label of po/pdf/ar.po that pdftotext shows once NFKC'd
    is there without NFKC too: the labels extract in base letters."""
    pdf = os.path.join(tmp, "events-ar.pdf")
    if not export(EVENTS, pdf, "--lang", "ar"):
        return
    raw = raw_text(pdf)
    nfkc = unicodedata.normalize("NFKC", raw)
    labels = []
    with open(AR_PO, encoding="utf-8") as f:
        for m in re.finditer(r'^msgstr(?:\[\d\])? "(.*)"$', f.read(), re.M):
            s = m.group(1)
            # whole labels of Arabic words only (no placeholders, digits, Latin)
            if s and re.fullmatch("[\u0600-\u06ff ]+", s) and len(s) > 2:
                labels.append(s)
    shown = [s for s in labels if s in nfkc]
    lost = [s for s in shown if s not in raw]
    lam_alef = [s for s in shown if "\u0644\u0627" in s or "\u0644\u0623" in s]
    check("--lang ar: pdftotext gives no presentation form", not FORMS.search(raw),
          repr(sorted(set(FORMS.findall(raw)))))
    check(f"--lang ar: the {len(shown)} Arabic labels shown come out in base letters "
          f"({len(lam_alef)} with lam-alef)", len(shown) >= 10 and lam_alef and not lost,
          f"lost: {lost}")


def drawn_lines(tmp, pdf):
    """Every line drawn (one BT..ET each), as the code points of its glyphs
    left to right: libharu's fonts are Identity-H with CID = code point,
    and the briefing writes each glyph as two bytes of a literal string."""
    qdf = os.path.join(tmp, "qdf-lines.pdf")
    run(["qpdf", "--qdf", "--object-streams=disable", pdf, qdf])
    with open(qdf, "rb") as f:
        data = f.read()
    lines = []
    for block in re.findall(rb"^BT$(.*?)^ET$", data, re.S | re.M):
        raw = b""
        # qpdf --qdf writes the strings in hex; literal ones are unescaped
        for hexa, lit in re.findall(rb"(?:<([0-9A-Fa-f\s]*)>|\(((?:\\.|[^\\)])*)\))\s*Tj", block,
                                    re.S):
            raw += (bytes.fromhex(hexa.decode()) if hexa or not lit else
                    re.sub(rb"\\(.)", lambda m: b"\r" if m.group(1) == b"r" else m.group(1), lit,
                           flags=re.S))
        lines.append("".join(chr(raw[i] << 8 | raw[i + 1]) for i in range(0, len(raw) - 1, 2)))
    return lines


def test_paragraph_direction(tmp):
    with open(BIDI, encoding="utf-8") as f:
        ds = json.load(f)
    # an English paragraph ending in Arabic, an Arabic one ending in English
    ds["events"][0]["summary"] = ("Latin first: " + "كلمة عربية " * 40 + "نهاية.")
    ds["events"][1]["summary"] = ("مقدمة عربية: " + "plain English words " * 25 + "the end.")
    path = os.path.join(tmp, "paragraphs.json")
    with open(path, "w", encoding="utf-8") as f:
        json.dump(ds, f, ensure_ascii=False)
    pdf = os.path.join(tmp, "paragraphs.pdf")
    if not export(path, pdf):
        return
    lines = drawn_lines(tmp, pdf)
    # drawn in visual order: نهاية is written backwards
    arabic = [ln for ln in lines if "نهاية"[::-1] in unicodedata.normalize("NFKC", ln)]
    check("the English paragraph's last line, all Arabic, ends with its full stop at the right "
          "(left-to-right base, the paragraph's)", arabic and all(
              ln.rstrip().endswith(".") for ln in arabic), repr(arabic))
    english = [ln for ln in lines if "the end" in ln]
    check("the Arabic paragraph's last line, all English, has its full stop at the left "
          "(right-to-left base, the paragraph's)", english and all(
              ln.lstrip().startswith(".") and not re.search("[\u0600-\u06ff\ufb50-\ufeff]", ln)
              for ln in english), repr(english))
    # its other lines of English words keep their order
    middle = [ln for ln in lines if ln.strip().startswith("plain English") or
              ln.strip().startswith("words plain")]
    check("the Arabic paragraph's English lines are drawn left to right", middle, repr(lines[-40:]))


def test_outline(pdf):
    j = json.loads(run(["qpdf", "--json", "--json-key=outlines", pdf]).stdout)
    titles = []

    def walk(items):
        for o in items:
            titles.append(o["title"])
            walk(o.get("kids", []))
    walk(j["outlines"])
    check("the outline keeps the Arabic title in logical order",
          any("معرض الصور في القاهرة" in t for t in titles), repr(titles))
    check("the outline keeps the Hebrew title in logical order",
          any("ערב זיכרון בירושלים" in t for t in titles), repr(titles))


def bbox_lines(pdf, first, last):
    xml = run(["pdftotext", "-bbox-layout", "-f", str(first), "-l", str(last), pdf, "-"]).stdout
    xml = re.sub(rb"<!DOCTYPE[^>]*>", b"", xml)
    root = ET.fromstring(xml)
    ns = {"x": "http://www.w3.org/1999/xhtml"}
    out = []
    for pi, page in enumerate(root.iter("{http://www.w3.org/1999/xhtml}page")):
        for line in page.iter("{http://www.w3.org/1999/xhtml}line"):
            words = [unicodedata.normalize("NFKC", w.text or "") for w in line.findall("x:word", ns)]
            out.append((first + pi, float(line.get("xMin")), float(line.get("xMax")),
                        float(line.get("yMin")), " ".join(words)))
    return out


def test_isolated_data(tmp, pdf):
    """Data inside the briefing's Arabic words keeps its own direction: a
    document name (001_2b7d35f5b2fc6915.txt) after "حسب ما ورد في" is drawn
    whole, never split around its digits (2b7d35f5b2fc6915.txt_001)."""
    with open(EVENTS, encoding="utf-8") as f:
        docs = [s["document"] for s in json.load(f)["sources"] if s.get("document")]
    lines = drawn_lines(tmp, pdf)
    seen, broken = 0, []
    for doc in docs:
        core = doc.split("_", 1)[-1]  # the hex and the extension
        for ln in lines:
            if core in ln:
                seen += 1
                if doc not in ln:
                    broken.append(ln)
    check(f"--lang ar: document names drawn whole in Arabic attributions ({seen} seen)",
          seen >= 10 and not broken, repr(broken[:5]))


def bbox_words(pdf):
    """Each line of every page: (page, [(xMin, xMax, word)]), a word NFKC'd
    and, when it is right to left, turned back (-bbox-layout gives its
    characters as drawn)."""
    xml = run(["pdftotext", "-bbox-layout", pdf, "-"]).stdout
    root = ET.fromstring(re.sub(rb"<!DOCTYPE[^>]*>", b"", xml))
    ns = "{http://www.w3.org/1999/xhtml}"
    out = []
    for pi, page in enumerate(root.iter(ns + "page")):
        for line in page.iter(ns + "line"):
            words = []
            for w in line.findall(ns + "word"):
                t = MARKS.sub("", unicodedata.normalize("NFKC", w.text or ""))
                if re.search("[\u0590-\u08ff]", t):
                    t = t[::-1]
                words.append((float(w.get("xMin")), float(w.get("xMax")), t))
            out.append((pi + 1, words))
    return out


def test_leads(tmp):
    """A run-in lead (a speaker, a figure's label) runs in before text of
    its own direction; text running the other way goes below it, on lines
    of its own, where it is read from its start."""
    right = A4_W - MARGIN
    ar = os.path.join(tmp, "leads-ar.pdf")
    if export(EVENTS, ar, "--lang", "ar"):
        alone = [ws for _, ws in bbox_words(ar)
                 if [w[2].strip(":") for w in ws] == ["Rashad", "Ismayilov"]]
        check("--lang ar: an English statement's lead (Rashad Ismayilov:) stands on a line of its "
              "own, at the right margin", alone and all(abs(ws[-1][1] - right) < 1.5 for ws in alone),
              repr(alone[:3]))
    en = os.path.join(tmp, "leads-en.pdf")
    if export(EVENTS, en):
        run_in = [ws for _, ws in bbox_words(en)
                  if len(ws) > 3 and [w[2] for w in ws[:2]] == ["Rashad", "Ismayilov:"]]
        check("in English the same lead runs in before its statement", run_in,
              "no line starts with the lead and goes on")
    bidi_ar = os.path.join(tmp, "leads-bidi-ar.pdf")
    if export(BIDI, bidi_ar, "--lang", "ar"):
        lines = [ws for _, ws in bbox_words(bidi_ar)
                 if any(w[2] == "قال" for w in ws) and any(w[2].strip(":") == "علي" for w in ws)]
        ok = lines and all(max(w[1] for w in ws if w[2] == "قال") <
                           min(w[0] for w in ws if w[2].strip(":") in ("علي", "أحمد")) for ws in lines)
        check("--lang ar: an Arabic statement's Arabic lead runs in, to the right of its text",
              ok, repr(lines[:2]))


def test_chart_labels(pdf):
    """--lang ar mirrors the country chart: its category labels are
    right-aligned at the chart's right edge (the right margin)."""
    right = A4_W - MARGIN
    with open(EVENTS, encoding="utf-8") as f:
        countries = {e["location"]["country"] for e in json.load(f)["events"]}
    lines = bbox_words(pdf)
    # the page of the chart's heading, "الفعاليات في كل دولة"
    pages = {p for p, ws in lines if {w[2] for w in ws} == {"الفعاليات", "في", "كل", "دولة"}}
    found = [(w[2], round(w[1], 1)) for p, ws in lines for w in ws
             if p in pages and len(ws) == 1 and w[2] in countries]
    check("--lang ar: the country chart's labels are right-aligned at the right margin",
          len(found) >= len(countries) and all(abs(x - right) < 1.5 for _, x in found),
          repr(found))


def test_rtl_layout(tmp):
    pdf = os.path.join(tmp, "ar.pdf")
    if not export(EVENTS, pdf, "--lang", "ar"):
        return
    test_isolated_data(tmp, pdf)
    test_chart_labels(pdf)
    right = A4_W - MARGIN
    lines = bbox_lines(pdf, 1, 12)
    past = [ln for ln in lines if ln[2] > right + 1.0]
    check("nothing passes the right margin", not past, repr(past[:5]))
    # -bbox-layout gives a word's characters as drawn, left to right
    heads = [ln for ln in lines if ln[0] == 2 and {ln[4], ln[4][::-1]} & {"المحتويات"}]
    check("the part headings end at the right margin", heads and all(
        abs(ln[2] - right) < 1.5 for ln in heads), repr(heads))
    # the dataset's description on the cover: a paragraph of long lines
    paras = [ln for ln in lines if ln[0] == 1 and len(ln[4]) > 60]
    check("the cover's paragraph ends its lines at the right margin",
          paras and all(abs(ln[2] - right) < 1.5 for ln in paras),
          repr([(round(p[2], 1), p[4][:40]) for p in paras[:8]]))
    # the contents' page numbers are at the left margin
    toc = [ln for ln in bbox_lines(pdf, 2, 2) if re.fullmatch(r"\d+", ln[4])]
    check("the contents' page numbers stand at the left margin",
          toc and all(abs(ln[1] - MARGIN) < 1.5 for ln in toc), repr(toc[:5]))
    # the English layout is untouched: its text starts at the left margin
    en = os.path.join(tmp, "en.pdf")
    if export(EVENTS, en):
        paras = [ln for ln in bbox_lines(en, 1, 1) if len(ln[4]) > 60]
        check("the English cover's paragraph still starts its lines at the left margin",
              paras and all(abs(ln[1] - MARGIN) < 1.5 for ln in paras),
              repr([(round(p[1], 1), p[4][:40]) for p in paras[:8]]))


def main():
    with tempfile.TemporaryDirectory() as tmp:
        pdf = os.path.join(tmp, "bidi.pdf")
        if export(BIDI, pdf):
            test_extraction(pdf)
            test_presentation_forms(tmp, pdf)
            test_outline(pdf)
        test_base_letters_text(tmp)
        test_paragraph_direction(tmp)
        test_mixed_lines(tmp)
        test_leads(tmp)
        test_base_letters_labels(tmp)
        test_rtl_layout(tmp)
    return tally.finish()


if __name__ == "__main__":
    sys.exit(main())
