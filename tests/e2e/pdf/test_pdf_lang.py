#!/usr/bin/python3
"""test_pdf_lang.py — the briefing in the reader's language, branded and
marked (issue 13; formats/briefing.md "Language, branding and marking").

Exports data/events.json with --lang fr, ru, az, zh and reads each PDF back
with poppler (pdftotext, per page), qpdf (the outline), pdffonts and
pdfimages:
- the localized long month ("février", "февраля", "fevral", "2023年2月24日")
  and none of the English fixed words of the briefing (those the dataset
  itself does not contain), "page N of M" and the contents in the language;
  Russian plural forms in the headline sentence; the Chinese words drawn
  with the CJK fallback font;
- -M title/subtitle/organization/author/marking/logo: the cover text, the
  marking at the top and bottom of every page and over no other text, the
  logo as an image, the document information; --report with the same
  values gives the same bytes;
- the cover describes the selection and never the input path: the same
  bytes for events.json, ./events.json and its absolute path.
Expected words are written here, never taken from the exporter or the
catalogs.  Prints "N passed, N failed"; exits 1 if anything failed.

Environment (set by meson): CHRONICLE, SOURCE_ROOT, SOURCE_DATE_EPOCH.
"""

import json
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import zlib

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools"))
from expect import Tally  # noqa: E402

CHRONICLE = os.environ.get("CHRONICLE", "build/core/chronicle")
ROOT = os.environ.get("SOURCE_ROOT", ".")
EPOCH = os.environ.get("SOURCE_DATE_EPOCH", "1700000000")
DATASET = os.path.join(ROOT, "data", "events.json")

tally = Tally()
check = tally.check

# What each language must show: a long date of the dataset (a source
# published on 24 February 2023), the page footer, and the parts in the
# outline and on the contents page.
LANGS = {
    "fr": {"date": "24 février 2023", "page": r"page (\d+) sur (\d+)",
           # French words spelt as the English ones
           "same": {"Occasion", "Programme", "Sources", "Document", "Participants"},
           "parts": ["Couverture", "Sommaire", "Chiffres clés", "Graphiques",
                     "Tableau des événements", "Événements", "Sources"]},
    "ru": {"date": "24 февраля 2023 г.", "page": r"страница (\d+) из (\d+)",
           "parts": ["Обложка", "Содержание", "Основные показатели", "Диаграммы",
                     "Таблица событий", "События", "Источники"]},
    "az": {"date": "24 fevral 2023", "page": r"səhifə (\d+) / (\d+)",
           "parts": ["Üz qabığı", "Mündəricat", "Əsas göstəricilər", "Diaqramlar",
                     "Tədbirlər cədvəli", "Tədbirlər", "Mənbələr"]},
    "zh": {"date": "2023年2月24日", "page": r"第(\d+)页，共(\d+)页",
           "parts": ["封面", "目录", "关键数据", "图表", "活动一览表", "活动", "来源"]},
}

# The briefing's fixed English words (formats/briefing.md): none may be
# left in another language.
ENGLISH = ["BRIEFING", "Generated", "Period covered", "Selection", "Contents", "Key figures",
           "Charts", "Event table", "Events by year", "Events by country", "Events per year",
           "Events per country", "Programme items by kind", "Share", "Organisers", "Occasion",
           "Participants", "Programme", "Statements", "Figures", "Sources", "Published",
           "Dateline", "Document", "as reported by", "as reported in", "(spoke)",
           "performed by", "anniversary", "This briefing covers", "Shares are of all events",
           "sources cited", "The documents the events", "Counts of the events", "Tags",
           "Audience"]

MARKING = "OFFICIAL-SENSITIVE"
META = {"title": "Khojaly commemorations abroad", "subtitle": "Events reported 2019–2024",
        "organization": "Example Research Unit", "author": "A. Analyst", "marking": MARKING}


def run(args, cwd=None):
    env = dict(os.environ, SOURCE_DATE_EPOCH=EPOCH, LC_ALL="C.UTF-8")
    return subprocess.run(args, capture_output=True, env=env, cwd=cwd)


def export(src, out, *extra, cwd=None):
    return run([CHRONICLE, "export", "-q", "-f", "pdf", "-o", out, *extra, src], cwd=cwd)


def text_of(pdf, *extra):
    return run(["pdftotext", "-enc", "UTF-8", *extra, pdf, "-"]).stdout.decode("utf-8")


def norm(s):
    return re.sub(r"\s+", " ", s).strip()


def pages(pdf):
    info = run(["pdfinfo", pdf]).stdout.decode()
    return int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))


def page_texts(pdf):
    return [text_of(pdf, "-f", str(n), "-l", str(n)) for n in range(1, pages(pdf) + 1)]


def outline_titles(pdf):
    j = json.loads(run(["qpdf", "--json", "--json-key=outlines", pdf]).stdout)
    return [o["title"] for o in j["outlines"]]


def dataset_text():
    with open(DATASET, encoding="utf-8") as f:
        return f.read()


def png(path, w=240, h=90):
    """An RGBA logo: a red disc and a blue bar on a transparent ground."""
    rows = []
    for y in range(h):
        row = bytearray([0])
        for x in range(w):
            disc = (x - w * 0.25) ** 2 + (y - h / 2) ** 2 < (h * 0.4) ** 2
            bar = x > w * 0.5 and abs(y - h / 2) < h * 0.15
            px = (200, 30, 40) if disc else (20, 60, 140) if bar else (255, 255, 255)
            row += bytes(px) + bytes([255 if disc or bar else 0])
        rows.append(bytes(row))

    def chunk(t, d):
        return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xFFFFFFFF)

    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 6, 0, 0, 0))
                + chunk(b"IDAT", zlib.compress(b"".join(rows), 9)) + chunk(b"IEND", b""))


# ---- languages ----

def test_language(tmp, lang, want, data):
    out = os.path.join(tmp, f"briefing-{lang}.pdf")
    r = export(DATASET, out, "--lang", lang)
    if not check(f"{lang}: export --lang {lang} succeeds", r.returncode == 0, r.stderr.decode()):
        return
    check(f"{lang}: qpdf --check passes", run(["qpdf", "--check", out]).returncode == 0)
    texts = page_texts(out)
    flat = norm(" ".join(texts))
    check(f"{lang}: the long date reads '{want['date']}'", want["date"] in flat)
    english = [w for w in ENGLISH if w not in data and w not in want.get("same", ())
               and re.search(r"\b" + re.escape(w) + r"\b", flat)]
    check(f"{lang}: none of the briefing's English words is left", not english, str(english))
    bad = []
    for n, t in enumerate(texts, 1):
        found = re.findall(want["page"], norm(t))
        if found != ([] if n == 1 else [(str(n), str(len(texts)))]):
            bad.append((n, found))
    check(f"{lang}: the footer numbers every page but the cover in the language", not bad,
          str(bad[:4]))
    titles = outline_titles(out)
    check(f"{lang}: the outline names the parts in the language", titles == want["parts"],
          str(titles))
    contents = norm(texts[1])
    missing = [p for p in want["parts"][2:] if p not in contents]
    check(f"{lang}: the contents page lists the parts in the language",
          want["parts"][1] in contents and not missing, f"{missing} in {contents[:200]}")
    bbox = text_of(out, "-bbox", "-f", "2", "-l", "2")
    words = [(float(a), float(b), float(c), float(e)) for a, b, c, e in re.findall(
        r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)"', bbox)]
    overlaps = [(a, b) for i, a in enumerate(words) for b in words[i + 1:]
                if a[0] < b[2] - 0.5 and b[0] < a[2] - 0.5 and a[1] < b[3] - 0.5 and b[1] < a[3] - 0.5]
    check(f"{lang}: no text on the contents page is drawn over other text (dates and titles)",
          not overlaps, str(overlaps[:3]))
    if lang == "ru":
        # 4 events in 4 countries, 9 named participants, 37 statements, 32 figures, 5 sources
        for phrase in ("4 события", "4 страны", "9 названных участников",
                       "37 приведённых заявлений", "32 приведённых показателя", "5 источников"):
            check(f"ru: the headline has '{phrase}' (the plural form its number takes)",
                  phrase in flat, flat[:400])
    if lang == "zh":
        fonts = run(["pdffonts", out]).stdout.decode()
        check("zh: the Chinese words are drawn with the CJK fallback font (embedded)",
              re.search(r"DroidSansFallback.*\byes\b", fonts) is not None, fonts)
        check("zh: the cover's Chinese words extract exactly", "简报" in texts[0] and
              "时间范围" in norm(texts[0]), texts[0][:300])


def test_fallback_forced(tmp):
    out = os.path.join(tmp, "zh-nofallback.pdf")
    r = export(DATASET, out, "--lang", "zh", "-O", "pdf.fallback=false")
    check("zh with pdf.fallback=false still exports", r.returncode == 0, r.stderr.decode())
    if r.returncode == 0:
        t = norm(text_of(out))
        check("zh with pdf.fallback=false still draws its own words (no U+FFFD)",
              "关键数据" in t and "\ufffd" not in t, t[:300])


# ---- branding and marking ----

def marking_clear(pdf):
    """Pages where the marking is not at the top and bottom, or touches other text."""
    bbox = text_of(pdf, "-bbox")
    bad = []
    for n, page in enumerate(re.findall(r"<page .*?</page>", bbox, re.S), 1):
        words = [(float(a), float(b), float(c), float(d), w) for a, b, c, d, w in re.findall(
            r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>',
            page)]
        height = float(re.search(r'height="([\d.]+)"', page).group(1))
        marks = [w for w in words if w[4] == MARKING]
        others = [w for w in words if w[4] != MARKING]
        top = [m for m in marks if m[3] < 40]
        bottom = [m for m in marks if m[1] > height - 40]
        touching = [(m[4], o[4]) for m in marks for o in others
                    if m[0] < o[2] and o[0] < m[2] and m[1] < o[3] + 2 and o[1] < m[3] + 2]
        if len(marks) != 2 or len(top) != 1 or len(bottom) != 1 or touching:
            bad.append((n, len(marks), touching[:2]))
    return bad


def test_branding(tmp):
    logo = os.path.join(tmp, "logo.png")
    png(logo)
    args = [a for k, v in META.items() for a in ("-M", f"{k}={v}")] + ["-M", f"logo={logo}"]
    out = os.path.join(tmp, "branded.pdf")
    r = export(DATASET, out, *args)
    if not check("export with -M title, subtitle, organization, author, marking, logo succeeds",
                 r.returncode == 0, r.stderr.decode()):
        return None
    check("the branded briefing passes qpdf --check", run(["qpdf", "--check", out]).returncode == 0)
    cover = norm(text_of(out, "-f", "1", "-l", "1"))
    for key in ("title", "subtitle", "organization", "author"):
        check(f"the cover shows the {key}", META[key] in cover, cover[:300])
    check("the cover describes the selection", "all 4 events" in cover, cover[:600])
    bad = marking_clear(out)
    check(f"the marking is at the top and the bottom of all {pages(out)} pages, over no other "
          "text", not bad, str(bad[:4]))
    images = run(["pdfimages", "-list", out]).stdout.decode().splitlines()[2:]
    kinds = [l.split()[2] for l in images]
    check("the logo is in the PDF as an image (with its transparency as a mask)",
          kinds.count("image") == 1 and kinds.count("smask") == 1 and images[0].split()[0] == "1",
          "\n".join(images))
    info = dict(re.findall(r"^([A-Za-z ]+):\s+(.*)$",
                           run(["pdfinfo", out]).stdout.decode("utf-8"), re.M))
    check("document title, subject and author come from the report",
          (info.get("Title"), info.get("Subject"), info.get("Author")) ==
          (META["title"], META["subtitle"], META["author"]), str(info))
    check("the running header carries the report's title",
          META["title"] in text_of(out, "-f", "3", "-l", "3"))

    definition = dict(META, schema="chronicle/report@1", logo="logo.png")
    rep = os.path.join(tmp, "report.json")
    with open(rep, "w", encoding="utf-8") as f:
        json.dump(definition, f, ensure_ascii=False)
    again = os.path.join(tmp, "branded-report.pdf")
    r = export(DATASET, again, "--report", rep)
    check("--report with the same values gives the same bytes as -M",
          r.returncode == 0 and open(out, "rb").read() == open(again, "rb").read(),
          r.stderr.decode())

    jpeg = os.path.join(tmp, "logo.jpg")
    if shutil.which("convert") and run(["convert", logo, jpeg]).returncode == 0:
        out_j = os.path.join(tmp, "jpeg.pdf")
        r = export(DATASET, out_j, "-M", f"logo={jpeg}")
        images = run(["pdfimages", "-list", out_j]).stdout.decode().splitlines()[2:]
        check("a JPEG logo is embedded as it is (DCT)", r.returncode == 0 and len(images) == 1
              and images[0].split()[8] == "jpeg", r.stderr.decode() + "\n".join(images))
    return out


def test_unmarked_layout(tmp):
    """Without a marking the page keeps the layout of formats/briefing.md."""
    out = os.path.join(tmp, "plain.pdf")
    export(DATASET, out)
    bbox = text_of(out, "-bbox", "-f", "3", "-l", "3")
    ys = [float(y) for y in re.findall(r'<word xMin="[\d.]+" yMin="([\d.]+)"', bbox)]
    check("without a marking nothing is drawn in the top 30 points of a page",
          ys and min(ys) > 30, str(min(ys) if ys else None))


# ---- the selection, never the path ----

def test_paths(tmp):
    work = os.path.join(tmp, "work")
    os.makedirs(work)
    shutil.copy(DATASET, os.path.join(work, "events.json"))
    outs = []
    for i, spelling in enumerate(["events.json", "./events.json", os.path.join(work, "events.json")]):
        out = os.path.join(tmp, f"path{i}.pdf")
        r = export(spelling, out, cwd=work)
        check(f"export {spelling} succeeds", r.returncode == 0, r.stderr.decode())
        outs.append(open(out, "rb").read() if r.returncode == 0 else b"")
    check("events.json, ./events.json and the absolute path give the same bytes",
          outs[0] and outs[0] == outs[1] == outs[2])
    text = text_of(os.path.join(tmp, "path2.pdf"))
    check("no input path in the briefing", "events.json" not in text and work not in text)
    raw = outs[2]
    check("no input path in the file's bytes", work.encode() not in raw and b"events.json" not in raw)

    out = os.path.join(tmp, "az.pdf")
    r = export(DATASET, out, "--country", "AZ", "--since", "2020-01-01")
    cover = norm(text_of(out, "-f", "1", "-l", "1"))
    check("a filtered cover says how many of the dataset's events, and the filters",
          r.returncode == 0 and re.search(r"\b\d of 4 events\b", cover) and "AZ" in cover
          and "1 January 2020" in cover, cover[:600])
    empty = os.path.join(tmp, "empty.pdf")
    r = export(DATASET, empty, "--lang", "fr", "--since", "2100-01-01")
    t = norm(text_of(empty))
    check("fr: the empty briefing says no events match, in French, without the path",
          r.returncode == 0 and "Aucun événement ne correspond" in t and "events.json" not in t,
          t[:400])


def main():
    tmp = tempfile.mkdtemp(prefix="chronicle-pdf-lang-")
    try:
        data = dataset_text()
        for lang, want in LANGS.items():
            test_language(tmp, lang, want, data)
        test_fallback_forced(tmp)
        test_branding(tmp)
        test_unmarked_layout(tmp)
        test_paths(tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return tally.finish()


if __name__ == "__main__":
    sys.exit(main())
