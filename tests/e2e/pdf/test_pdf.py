#!/usr/bin/python3
"""test_pdf.py — end-to-end tests of the PDF briefing (formats/briefing.md).

Runs `chronicle export -f pdf` and reads the result back with independent
tools: qpdf (structure, outline, annotations, ToUnicode maps), pdffonts
(embedding), pdfinfo (pages, metadata), pdftotext (text, per page, word
boxes).  Expected values come from the input JSON, loaded here, never from
the exporter.  The page-break rules are checked one page at a time
(pdftotext -layout -f N -l N) on a generated 300-event briefing and on
data/events.json at pdf.font-size=14.  Prints "N passed, N failed"; exits
1 if anything failed.

Environment (set by meson): CHRONICLE, SOURCE_ROOT, SOURCE_DATE_EPOCH.
"""

import datetime
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import urllib.parse
from concurrent.futures import ThreadPoolExecutor

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools"))
from expect import Tally, attribution  # noqa: E402

CHRONICLE = os.environ.get("CHRONICLE", "build/core/chronicle")
ROOT = os.environ.get("SOURCE_ROOT", ".")
EPOCH = os.environ.get("SOURCE_DATE_EPOCH", "1700000000")
DATASET = os.path.join(ROOT, "data", "events.json")
UNICODE = os.path.join(ROOT, "tests", "data", "pdf", "unicode.json")
MARGIN = 56.0  # formats/briefing.md: left and right margins

tally = Tally()
check = tally.check


def run(args, env_extra=None):
    env = dict(os.environ, SOURCE_DATE_EPOCH=EPOCH, LC_ALL="C.UTF-8")
    env.update(env_extra or {})
    return subprocess.run(args, capture_output=True, env=env)


def export(src, out, *extra, env_extra=None):
    return run([CHRONICLE, "export", "-q", "-f", "pdf", "-o", out, *extra, src], env_extra)


def text_of(pdf, *extra):
    r = run(["pdftotext", "-enc", "UTF-8", *extra, pdf, "-"])
    return r.stdout.decode("utf-8"), r.stderr.decode("utf-8", "replace")


def norm(s):
    return re.sub(r"\s+", " ", s).strip()


# ---- the wording the exporter shares with the other reports (core/src/format.c) ----

def number(v):
    """chronicle_format_number: thousands separators from five digits on
    (1275 and 2008 stay whole), up to 6 decimals."""
    s = f"{abs(v):.6f}".rstrip("0").rstrip(".")
    whole, _, frac = s.partition(".")
    groups = []
    while len(whole) > 3 and len(s.partition(".")[0]) > 4:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    out = ",".join([whole] + groups) + ("." + frac if frac else "")
    return ("-" if v < 0 else "") + out


def expected_strings(ds):
    """Every title, person, place, organiser, attribution and figure, as it
    must appear in the text (whitespace normalised)."""
    sources = {s["id"]: s for s in ds["sources"]}
    want = []
    for e in ds["events"]:
        want.append(("title", e["title"]))
        loc = e["location"]
        for k in ("venue", "city", "country"):
            if k in loc:
                want.append(("place", loc[k]))
        want += [("organiser", o) for o in e.get("organizers", [])]
        for p in e.get("participants", []):
            want.append(("person", p["name"]))
            if "role" in p:
                want.append(("role", p["role"]))
        for s in e.get("statements", []):
            want.append(("speaker", s["speaker"]))
            want.append(("statement", s["summary"]))
            want.append(("attribution", "\u2014 " + attribution(sources[s["source"]])))
        for f in e.get("figures", []):
            value = number(f["value"]) + (" " + f["unit"] if "unit" in f else "")
            want.append(("figure", f"{f['label']}: {value}"))
            want.append(("figure attribution", f"\u2014 {attribution(sources[f['source']])}"))
    return want


def check_contains(name, text, ds):
    flat = norm(text)
    missing = [(kind, s) for kind, s in expected_strings(ds) if norm(s) not in flat]
    check(f"{name}: every title, person, place, attribution and figure is in the text",
          not missing, f"{len(missing)} missing, e.g. {missing[:3]}")


def outline(pdf):
    r = run(["qpdf", "--json", "--json-key=outlines", pdf])
    return json.loads(r.stdout)["outlines"]


def pages(pdf):
    info = run(["pdfinfo", pdf]).stdout.decode()
    return int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))


def info_of(pdf):
    out = run(["pdfinfo", "-isodates", pdf]).stdout.decode("utf-8")
    return dict(re.findall(r"^([A-Za-z ]+):\s+(.*)$", out, re.M))


def qdf(pdf, tmp):
    out = os.path.join(tmp, "qdf.pdf")
    run(["qpdf", "--qdf", "--object-streams=disable", pdf, out])
    with open(out, "rb") as f:
        return f.read()


# ---- the tests ----

def test_default(tmp, ds):
    out = os.path.join(tmp, "events.pdf")
    r = export(DATASET, out)
    check("export data/events.json succeeds", r.returncode == 0, r.stderr.decode())
    if r.returncode:
        return None
    r = run(["qpdf", "--check", out])
    check("qpdf --check passes", r.returncode == 0, r.stdout.decode()[-300:])

    fonts = run(["pdffonts", out]).stdout.decode().splitlines()[2:]
    check("two fonts (regular and bold)", len(fonts) >= 2, str(fonts))
    check("every font is embedded", fonts and all(l.split()[-5] == "yes" for l in fonts),
          "\n".join(fonts))
    check("every font has a ToUnicode map", fonts and all(l.split()[-3] == "yes" for l in fonts))

    text, err = text_of(out)
    check("pdftotext prints no warning", err == "", err[:300])
    check_contains("data/events.json", text, ds)

    raw = qdf(out, tmp)
    check("no begincidrange left in any ToUnicode map", b"begincidrange" not in raw)
    check("ToUnicode maps use bfchar/bfrange",
          b"beginbfrange" in raw or b"beginbfchar" in raw)
    return out


def test_outline(pdf, ds):
    o = outline(pdf)
    titles = [e["title"] for e in o]
    want = ["Cover", "Contents", "Key figures", "Charts", "Event table", "Events", "Sources"]
    check("outline has the parts in order", titles == want, str(titles))
    events = next((e for e in o if e["title"] == "Events"), {"kids": []})
    kids = [k["title"] for k in events["kids"]]
    ordered = sorted(ds["events"], key=lambda e: (e["date"], e["id"]))
    check("outline has every event under Events, in date order",
          kids == [e["title"] for e in ordered], str(kids))
    for k in events["kids"]:
        page_text = norm(text_of(pdf, "-f", str(k["destpageposfrom1"]),
                                 "-l", str(k["destpageposfrom1"]))[0])
        check(f"bookmark '{k['title'][:40]}' leads to its section",
              norm(k["title"]) in page_text)


def contents_links(pdf):
    """The destinations of the link annotations on the contents pages, in
    order, as (page number, top), consecutive repeats (wrapped entries)
    folded."""
    j = json.loads(run(["qpdf", "--json", pdf]).stdout)
    objs = j["qpdf"][1]
    number = {p["object"]: p["pageposfrom1"] for p in j["pages"]}
    out = []
    for p in j["pages"]:
        if not any(o["title"] == "Contents" for o in p["outlines"]) and not out:
            continue
        annots = objs["obj:" + p["object"]]["value"].get("/Annots", [])
        if not annots and out:
            break
        for a in annots:
            dest = objs["obj:" + a]["value"].get("/Dest")
            if isinstance(dest, str):
                dest = objs["obj:" + dest]["value"]
            target = (number.get(dest[0]), round(dest[3], 1))
            if not out or out[-1] != target:
                out.append(target)
    return out


def test_contents(pdf):
    flat = []
    for o in outline(pdf):
        if o["title"] not in ("Cover", "Contents"):
            flat.append(o)
            flat += o["kids"]
    want = [(o["destpageposfrom1"], round(o["dest"][3], 1)) for o in flat]
    got = contents_links(pdf)
    check("every contents entry links to where its bookmark leads", got == want,
          f"{got[:6]} vs {want[:6]}")
    page2 = norm(text_of(pdf, "-f", "2", "-l", "2")[0])
    numbers = [str(p) for p, _ in want]
    check("the contents shows the page numbers of the entries",
          all(n in page2.split() for n in numbers), f"{numbers} in {page2[:200]}")


def test_page_numbers(pdf):
    m = pages(pdf)
    ok, bad = True, []
    for n in range(1, m + 1):
        t = norm(text_of(pdf, "-f", str(n), "-l", str(n))[0])
        found = re.findall(r"page (\d+) of (\d+)", t)
        expect = [] if n == 1 else [(str(n), str(m))]
        if found != expect:
            ok = False
            bad.append((n, found))
    check(f"'page N of M' is right on all {m} pages (none on the cover)", ok, str(bad[:5]))


def test_links_and_info(pdf, tmp, ds):
    raw = qdf(pdf, tmp)
    links = raw.count(b"/Subtype /Link")
    check("contents entries are link annotations", links >= len(ds["events"]) + 5, str(links))
    info = info_of(pdf)
    check("document title is the dataset title", info.get("Title") == ds["title"], str(info))
    check("author defaults to Chronicle", info.get("Author") == "Chronicle")
    check("creator names chronicle and the plugin",
          re.fullmatch(r"Chronicle \S+ \(pdf plugin \S+\)", info.get("Creator", "")),
          info.get("Creator"))
    when = datetime.datetime.fromtimestamp(int(EPOCH), datetime.timezone.utc)
    check("creation date is SOURCE_DATE_EPOCH",
          info.get("CreationDate", "").startswith(when.strftime("%Y-%m-%dT%H:%M:%S")),
          info.get("CreationDate"))
    check("page labels are present", b"/PageLabels" in raw)
    # every page's content is deflated (the plugin seals pages itself), and
    # qpdf decodes each stream without complaint
    q = json.loads(subprocess.run(["qpdf", "--json", pdf], capture_output=True, check=True).stdout)
    objects = q["qpdf"][1]
    contents = [ref for page in q["pages"] for ref in page["contents"]]
    filters = [objects["obj:" + ref]["stream"]["dict"].get("/Filter") for ref in contents]
    check("every page content stream is Flate-compressed",
          contents and all(f in ("/FlateDecode", ["/FlateDecode"]) for f in filters), str(filters[:5]))
    decoded = subprocess.run(["qpdf", "--check", pdf], capture_output=True, text=True)
    check("qpdf decodes every stream", decoded.returncode == 0 and "No syntax or stream encoding errors" in decoded.stdout,
          decoded.stdout[-500:])


def test_reproducible(pdf, tmp):
    again = os.path.join(tmp, "again.pdf")
    export(DATASET, again)
    check("same SOURCE_DATE_EPOCH gives identical bytes",
          open(pdf, "rb").read() == open(again, "rb").read())
    r = run([CHRONICLE, "export", "-q", "-f", "pdf", "-o", "-", DATASET])
    check("-o - writes the same PDF to standard output",
          r.returncode == 0 and r.stdout == open(pdf, "rb").read(), r.stderr.decode())
    other = os.path.join(tmp, "other.pdf")
    export(DATASET, other, env_extra={"SOURCE_DATE_EPOCH": "1600000000"})
    check("another SOURCE_DATE_EPOCH changes the creation date",
          info_of(other).get("CreationDate") != info_of(pdf).get("CreationDate"))


def test_empty(tmp, ds):
    out = os.path.join(tmp, "empty.pdf")
    r = export(DATASET, out, "--since", "2100-01-01")
    check("an empty selection exports", r.returncode == 0, r.stderr.decode())
    if r.returncode:
        return
    check("the empty briefing passes qpdf --check", run(["qpdf", "--check", out]).returncode == 0)
    check("the empty briefing is short", pages(out) <= 3, str(pages(out)))
    text = norm(text_of(out)[0])
    check("the empty briefing says no events match", "No events match this selection" in text)
    check("the empty briefing gives the dataset's event count",
          f"holds {len(ds['events'])} events" in text)


def long_dataset(path):
    word = ("Xocalı" * 900)[:5000]
    vocab = ["lorem", "ipsum", "dolor", "şəhər", "İstanbul", "Français", "Ёлкин", "sit", "amet"]
    summary = " ".join(vocab[i % len(vocab)] for i in range(2000))
    ds = {
        "schema": "chronicle/events@1", "title": "Long text", "description": "Wrapping.",
        "sources": [{"id": "s1", "outlet": "Outlet", "published": "2023-01-01",
                     "document": "doc.txt", "url": "https://example.org/" + "a" * 400}],
        "events": [
            {"id": "e1", "title": "A two-thousand-word summary", "date": "2023-01-02",
             "location": {"city": "Baku", "country": "Azerbaijan", "country_code": "AZ"},
             "occasion": {"subject": "Test"}, "summary": summary, "sources": ["s1"],
             "statements": [{"speaker": "Speaker", "summary": word, "source": "s1"}]},
            {"id": "e2", "title": word, "date": "2023-01-03",
             "location": {"city": word[:300], "country": "Azerbaijan", "country_code": "AZ"},
             "occasion": {"subject": "Test"}, "organizers": [word[:700]],
             "participants": [{"name": word, "role": "role"}], "sources": ["s1"]}]}
    with open(path, "w", encoding="utf-8") as f:
        json.dump(ds, f, ensure_ascii=False)
    return word, summary


def test_long_words(tmp):
    src = os.path.join(tmp, "long.json")
    word, summary = long_dataset(src)
    out = os.path.join(tmp, "long.pdf")
    r = export(src, out)
    check("a 5,000-character word and a 2,000-word summary export", r.returncode == 0,
          r.stderr.decode())
    if r.returncode:
        return
    check("the long-text briefing passes qpdf --check", run(["qpdf", "--check", out]).returncode == 0)
    bbox, _ = text_of(out, "-bbox")
    page_w = float(re.search(r'<page width="([\d.]+)"', bbox).group(1))
    words = [(float(a), float(b)) for a, b in
             re.findall(r'<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)"', bbox)]
    over = [w for w in words if w[1] > page_w - MARGIN + 1 or w[0] < MARGIN - 1]
    check(f"all {len(words)} words stay within the margins", words and not over, str(over[:5]))
    # the running header and footer interrupt text that flows across pages
    body = re.sub(r"Generated \d+ \w+ \d+\s+page \d+ of \d+", " ", text_of(out)[0])
    squeezed = re.sub(r"\s+", "", body.replace("Long text", " "))
    check("the 5,000-character word comes back whole (line breaks aside)",
          word in squeezed)
    check("the 2,000-word summary comes back whole",
          re.sub(r"\s+", "", summary) in squeezed)


def test_missing_font(tmp):
    out = os.path.join(tmp, "nofont.pdf")
    r = export(DATASET, out, "-O", "pdf.font=/nonexistent.ttf")
    err = r.stderr.decode()
    check("a missing font fails", r.returncode != 0)
    check("the error names the font path", "/nonexistent.ttf" in err, err)
    check("no output is left behind", not os.path.exists(out) and
          not [f for f in os.listdir(tmp) if f.startswith(".nofont")], str(os.listdir(tmp)))


def dejavu():
    for d in ("/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/dejavu",
              "/usr/share/fonts/TTF"):
        if os.path.isfile(os.path.join(d, "DejaVuSans.ttf")):
            return os.path.join(d, "DejaVuSans.ttf")
    return None


def patched_font(src, out, patch):
    """A copy of the TrueType font src with patch(data, tables) applied;
    tables maps a tag to (offset of its directory record, offset of the table)."""
    data = bytearray(open(src, "rb").read())
    n = int.from_bytes(data[4:6], "big")
    tables = {bytes(data[12 + 16 * i:16 + 16 * i]):
              (12 + 16 * i, int.from_bytes(data[20 + 16 * i:24 + 16 * i], "big"))
              for i in range(n)}
    patch(data, tables)
    with open(out, "wb") as f:
        f.write(data)
    return out


def check_libharu_error(name, r, out, words):
    """The export failed with one error in words, the hex code for support,
    and no output left."""
    err = r.stderr.decode("utf-8", "replace")
    check(f"{name}: the export fails", r.returncode != 0, err)
    missing = [w for w in words if w not in err]
    check(f"{name}: the error says what failed, why and what to do", not missing,
          f"missing {missing} in: {err}")
    check(f"{name}: no output is left", not os.path.exists(out))


def test_libharu_errors(tmp):
    """libharu's errors come out in words (plugins/pdf/errors.c): a font
    whose licence forbids embedding, a font without an OS/2 table, and a link
    longer than a PDF string may be."""
    out = os.path.join(tmp, "err.pdf")
    font = dejavu()
    if not font:
        tally.skip("libharu font errors", "DejaVuSans.ttf is not installed")
    else:
        def restrict(data, t):  # OS/2 fsType = 2: restricted licence embedding
            data[t[b"OS/2"][1] + 8:t[b"OS/2"][1] + 10] = (2).to_bytes(2, "big")
        bad = patched_font(font, os.path.join(tmp, "restricted.ttf"), restrict)
        r = export(DATASET, out, "-O", f"pdf.font={bad}")
        check_libharu_error("a font that forbids embedding", r, out,
                            [f"cannot use font {bad}: ", "forbid embedding",
                             "choose a font whose licence allows embedding",
                             "(libharu error 0x105D, detail 0)"])

        def drop_os2(data, t):
            data[t[b"OS/2"][0]:t[b"OS/2"][0] + 4] = b"OS/3"
        bad = patched_font(font, os.path.join(tmp, "noos2.ttf"), drop_os2)
        r = export(DATASET, out, "-O", f"pdf.font-bold={bad}")
        check_libharu_error("a font without an OS/2 table", r, out,
                            [f"cannot use font {bad}: ", "lacks a table libharu needs ('OS/2')",
                             "pass another TrueType (.ttf) font",
                             "(libharu error 0x1060, detail 0)"])

    with open(DATASET, encoding="utf-8") as f:
        ds = json.load(f)
    url = ds["sources"][0]["url"] = "https://example.org/" + "a" * 70000
    src = os.path.join(tmp, "longurl.json")
    with open(src, "w", encoding="utf-8") as f:
        json.dump(ds, f, ensure_ascii=False)
    check_libharu_error("a 70,000-byte URL", export(src, out), out,
                        [f"adding the link to {url[:60]}\u2026 (70020 bytes encoded): ",
                         "longer than the 65,535 bytes a PDF string may hold",
                         "shorten it in the dataset", "(libharu error 0x105B, detail 0)"])
    # formats/briefing.md: up to 65,535 bytes a link is whole
    ds["sources"][0]["url"] = url = "https://example.org/" + "a" * 65500
    with open(src, "w", encoding="utf-8") as f:
        json.dump(ds, f, ensure_ascii=False)
    r = export(src, out)
    check("a 65,520-byte URL exports", r.returncode == 0, r.stderr.decode())
    raw = qdf(out, tmp) if r.returncode == 0 else b""
    check("a 65,520-byte URL is a whole link target", f"/URI ({url})".encode() in raw)


def test_unicode(tmp):
    with open(UNICODE, encoding="utf-8") as f:
        ds = json.load(f)
    out = os.path.join(tmp, "unicode.pdf")
    r = export(UNICODE, out)
    check("the Unicode fixture exports", r.returncode == 0, r.stderr.decode())
    if r.returncode:
        return
    text, err = text_of(out)
    check("Unicode: pdftotext prints no warning", err == "", err[:300])
    check_contains("Unicode fixture", text, ds)
    for name in ["Əliyeva", "Işık", "Ağayev", "İlqar", "Lefèvre", "Dubœuf", "Ёлкин",
                 "Щербакова", "王小明", "李华"]:
        check(f"'{name}' comes back exactly", name in text)
    raw = qdf(out, tmp)
    for src in ds["sources"]:
        if "url" in src:
            uri = urllib.parse.quote(src["url"], safe=":/?#[]@!$&'()*+,;=%-._~")
            check(f"link to {src['url']} is percent-encoded ASCII",
                  f"/URI ({uri})".encode() in raw, uri)
    fonts = run(["pdffonts", out]).stdout.decode().splitlines()[2:]
    check("a fallback font is embedded for the Chinese names",
          len(fonts) >= 3 and all(l.split()[-5] == "yes" for l in fonts), "\n".join(fonts))

    # without the fallback font (not -q: the warning is the point)
    plain = os.path.join(tmp, "nofallback.pdf")
    r = run([CHRONICLE, "export", "-f", "pdf", "-o", plain, "-O", "pdf.fallback=false", UNICODE])
    warnings = [l for l in r.stderr.decode().splitlines() if "warning" in l]
    check("without a fallback font: one warning with the count",
          r.returncode == 0 and len(warnings) == 1 and re.search(r"\b\d+ characters", warnings[0]),
          str(warnings))
    t = text_of(plain)[0]
    check("without a fallback font: a visible U+FFFD, no silent loss",
          "\ufffd" in t and "王" not in t)
    check("without a fallback font: Latin and Cyrillic still exact",
          "Ёлкин" in t and "Işık" in t)


def test_letter(tmp):
    out = os.path.join(tmp, "letter.pdf")
    r = export(DATASET, out, "-O", "pdf.page-size=letter")
    size = re.search(r"Page size:\s+(.*)", run(["pdfinfo", out]).stdout.decode())
    check("-O pdf.page-size=letter gives US Letter",
          r.returncode == 0 and size and size.group(1).startswith("612 x 792"),
          size.group(1) if size else r.stderr.decode())


# ---- pages: what is kept together, and tables that are complete ----
#
# formats/briefing.md "Page breaks": read back one page at a time
# (pdftotext -layout -f N -l N), with the running header and footer taken
# off, on a generated 300-event briefing and on data/events.json at the
# largest type size.

GENERATOR = os.path.join(ROOT, "tests", "tools", "gen_events.py")
# the subheadings of an event section, of the key figures and of the charts
HEADINGS = {"Participants", "Programme", "Statements", "Figures", "Sources", "Events by year",
            "Events by country", "Events by organiser", "Programme items by kind",
            "Events per year", "Events per country"}
# the first line of an event's heading: "22 July 1993 · Venice, Italy (IT)"
EVENT_HEAD = re.compile(r"^\d{1,2} [A-Z][a-z]+ \d{4}\b.* \u00b7 ")
ATTRIBUTION = re.compile(r"^(\u2014 )?as reported (by|in) ")
# right-to-left runs come back reordered from -layout: they are left out of
# the string comparisons below
RTL = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff]")
SHARE_ROW = re.compile(r"^\s*(.+?)\s{2,}([\d,]+)\s+(<1%|>99%|\d+%)\s*$")


def page_lines(pdf, last=None):
    """Per page (up to last), the non-empty lines between the running header
    and the footer, as pdftotext -layout prints them; page 1 (the cover) is
    empty."""
    n = min(pages(pdf), last or 1 << 30)

    def one(p):
        lines = [l.rstrip() for l in text_of(pdf, "-layout", "-f", str(p), "-l", str(p))[0]
                 .splitlines() if l.strip()]
        if p == 1:
            return []
        if lines and re.search(r"page \d+ of \d+$", lines[-1]):
            lines = lines[:-1]
        return lines[1:]  # the running header

    with ThreadPoolExecutor(max_workers=4) as pool:
        return list(pool.map(one, range(1, n + 1)))


def is_heading(line):
    return line.strip() in HEADINGS or EVENT_HEAD.match(line.strip())


def lonely_headings(pages_):
    """(page, line) of every heading that does not move with two lines of
    what follows it: the last line of a page, or the last but one when the
    next page goes on with the same list; an event heading needs its title
    and two more lines."""
    bad = []
    for i, lines in enumerate(pages_):
        nxt = pages_[i + 1][0].strip() if i + 1 < len(pages_) and pages_[i + 1] else ""
        for k, line in enumerate(lines):
            after = len(lines) - k - 1
            if EVENT_HEAD.match(line.strip()) and after < 3:
                bad.append((i + 1, line.strip()))
            elif line.strip() in HEADINGS and (after == 0 or (after == 1 and nxt and
                                                             not is_heading(nxt))):
                bad.append((i + 1, line.strip()))
    return bad


def attributions_on_top(pages_):
    return [(i + 1, l[0].strip()) for i, l in enumerate(pages_)
            if l and ATTRIBUTION.match(l[0].strip())]


def claims(ds):
    """Each statement and figure as the briefing prints it, from the
    speaker or label to the end of its attribution."""
    sources = {s["id"]: s for s in ds["sources"]}
    out = []
    for e in ds["events"]:
        for s in e.get("statements", []):
            quote = f" \u201c{s['quote']}\u201d" if "quote" in s else ""
            out.append(("statement", f"{s['speaker']}: {s['summary']}{quote} \u2014 "
                        + attribution(sources[s["source"]])))
        for f in e.get("figures", []):
            value = number(f["value"]) + (" " + f["unit"] if "unit" in f else "")
            out.append(("figure", f"{f['label']}: {value}"))
            note = f" ({f['note']})" if "note" in f else ""
            out.append(("figure and attribution", f"{f['label']}: {value}{note} \u2014 "
                        + attribution(sources[f["source"]])))
    return [(k, norm(s)) for k, s in out if not RTL.search(s)]


def split_claims(pages_, ds):
    """Claims whose text is whole in the document but on no single page,
    and the number found whole (so the check cannot pass by finding none)."""
    texts = [norm(" ".join(l)) for l in pages_]
    whole = norm(" ".join(texts))
    found = [(k, s) for k, s in claims(ds) if s in whole]
    return [(k, s[:60]) for k, s in found if not any(s in t for t in texts)], len(found)


def short_ends(pages_, paragraphs):
    """Paragraphs broken with fewer than two lines on either side of the
    page break: (page, lines before, lines after, start of the paragraph)."""
    bad = []
    for text in (norm(p) for p in paragraphs if not RTL.search(p)):
        for i in range(len(pages_) - 1):
            lines, head, before = pages_[i], "", 0
            for k in range(len(lines) - 1, -1, -1):
                cand = norm(" ".join(lines[k:]))
                if cand not in text or cand == text:
                    break
                if text.startswith(cand):
                    head, before = cand, len(lines) - k
            if not before:
                continue
            tail, after = head, 0
            for line in pages_[i + 1]:
                cand = norm(tail + " " + line)
                if not text.startswith(cand):
                    break
                tail, after = cand, after + 1
            if tail == text and (before < 2 or after < 2):
                bad.append((i + 1, before, after, text[:50]))
    return bad


def table_rows(pages_, heading, end):
    """(name, count, share) of the rows of a key-figure table, over every
    page it flows onto, and the lines under it that are not rows."""
    rows, other, inside = [], [], False
    for line in (l for p in pages_ for l in p):
        if line.strip() == heading:
            inside = True
        elif inside and (line.strip() in end or line.strip() in ("Charts", "Event table")):
            break
        elif inside:
            m = SHARE_ROW.match(line)
            if m and not re.match(r"^\s*\S+\s+(Events|Items)\s+Share$", line):
                rows.append((m.group(1).strip(), int(m.group(2).replace(",", "")), m.group(3)))
            elif not re.match(r"^\s*\S+\s+(Events|Items)\s+Share\s*$", line):
                other.append(line.strip())
    return rows, other


def lone_rows(pages_):
    """(page, table) for each page holding a single row of a key-figure
    table whose rows go on over several pages."""
    counts, table = [], None
    for i, lines in enumerate(pages_):
        for line in lines:
            if line.strip() in HEADINGS:
                table = line.strip()
            elif line.strip() in ("Charts", "Event table", "Events"):
                table = None
            elif table and SHARE_ROW.match(line) and not re.search(r"\bShare$", line):
                if counts and counts[-1][:2] == [i + 1, table]:
                    counts[-1][2] += 1
                else:
                    counts.append([i + 1, table, 1])
    spread = {t for _, t, _ in counts if sum(1 for c in counts if c[1] == t) > 1}
    return [(p, t) for p, t, n in counts if n == 1 and t in spread]


def share(count, total):
    """formats/briefing.md: whole percent, halves rounded up; <1% and >99%
    for what would round to 0 or 100 without being it."""
    if 0 < 100 * count < total:
        return "<1%"
    if 99 * total < 100 * count < 100 * total:
        return ">99%"
    return f"{(200 * count + total) // (2 * total)}%"


def overlaps(pdf):
    """(page, word, word) for words whose boxes overlap: text drawn over
    text.  Words of a line touch at most (a space apart)."""
    bbox, _ = text_of(pdf, "-bbox")
    bad = []
    for n, page in enumerate(bbox.split("<page ")[1:], 1):
        words = sorted((float(y0), float(x0), float(x1), float(y1), t) for x0, y0, x1, y1, t in
                       re.findall(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" '
                                  r'yMax="([\d.]+)">([^<]*)<', page))
        for i, (y0, x0, x1, y1, t) in enumerate(words):
            for v0, u0, u1, v1, w in words[i + 1:]:
                if v0 >= y1 - 1:
                    break
                if min(x1, u1) - max(x0, u0) > 1 and min(y1, v1) - max(y0, v0) > 1:
                    bad.append((n, t, w))
    return bad


def check_keep_together(name, pdf, ds):
    over = overlaps(pdf)
    check(f"{name}: no text is drawn over other text", not over, f"{len(over)}: {over[:5]}")
    pages_ = page_lines(pdf)
    lonely = lonely_headings(pages_)
    check(f"{name}: no heading ends a page (each moves with two lines of what follows)",
          not lonely, f"{len(lonely)}: {lonely[:6]}")
    top = attributions_on_top(pages_)
    check(f"{name}: no page starts with an 'as reported by' line", not top,
          f"{len(top)}: {top[:6]}")
    split, found = split_claims(pages_, ds)
    figures = [s for k, s in split if k == "figure"]
    check(f"{name}: no figure's label is on another page than its value", not figures,
          f"{len(figures)}: {figures[:4]}")
    check(f"{name}: every statement and figure is on one page with its attribution",
          not split and found == len(claims(ds)),
          f"{len(split)} split of {found} found ({len(claims(ds))} expected): {split[:4]}")
    short = short_ends(pages_, [e["summary"] for e in ds["events"] if "summary" in e])
    check(f"{name}: no summary leaves one line alone at a page foot or top", not short,
          f"{len(short)}: {short[:4]}")
    joined = [l for p in pages_ for l in p if ".:" in l]
    check(f"{name}: no '.:' anywhere", not joined, f"{len(joined)}: {joined[:3]}")
    return pages_


def check_tables(name, pages_, ds):
    years, countries = {}, {}
    for e in ds["events"]:
        years[e["date"][:4]] = years.get(e["date"][:4], 0) + 1
        c = e["location"]["country"]
        countries[c] = countries.get(c, 0) + 1
    rows, other = table_rows(pages_, "Events by year", {"Events by country"})
    got = {y: c for y, c, _ in rows}
    check(f"{name}: 'Events by year' has every year with its count, ascending",
          got == years and [y for y, _, _ in rows] == sorted(years) and not other,
          f"{len(got)} rows of {len(years)}, other lines {other[:3]}")
    n = len(ds["events"])
    bad = [r for r in rows if r[2] != share(r[1], n)]
    rows, _ = table_rows(pages_, "Events by country", {"Events by organiser"})
    got = {re.sub(r" \([A-Z]{2}\)$", "", c): k for c, k, _ in rows}
    check(f"{name}: 'Events by country' has every country with its count",
          got == countries, f"{len(got)} rows of {len(countries)}")
    bad += [r for r in rows if r[2] != share(r[1], n)]
    orgs, notes = table_rows(pages_, "Events by organiser", {"Programme items by kind"})
    bad += [r for r in orgs if r[2] != share(r[1], n)]
    check(f"{name}: every share is whole percent with halves rounded up", not bad, str(bad[:5]))
    text = norm(" ".join(notes))
    check(f"{name}: the rounding rule is stated",
          "rounded to whole percent, halves up" in norm(" ".join(l for p in pages_ for l in p)))
    several = sum(len(e.get("organizers", [])) for e in ds["events"]) > n
    check(f"{name}: a note says when organiser shares add up to more than 100 %",
          ("add up to more than 100 %" in text) == several, text[:300])
    rest = [r for r in orgs if re.fullmatch(r"\d+ others", r[0])]
    if rest:
        k = rest[0][0].split()[0]
        check(f"{name}: the {k} other organisers are pointed at in the workbook",
              f"The other {k} organisers are listed in the workbook" in text, text[:300])


def chart_page(pages_):
    return next((i + 1 for i, p in enumerate(pages_)
                 if any(l.strip() == "Events per year" for l in p)), None)


def words_outside(pdf, page):
    bbox, _ = text_of(pdf, "-bbox", "-f", str(page), "-l", str(page))
    page_w = float(re.search(r'<page width="([\d.]+)"', bbox).group(1))
    words = re.findall(r'<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)"[^>]*>([^<]*)<', bbox)
    return [w[2] for w in words if float(w[1]) > page_w - MARGIN + 0.5
            or float(w[0]) < MARGIN - 0.5]


def odd_dataset(tmp):
    """Eight generated events (shares of 12.5 %, several organisers), one of
    them moved back to 1950: a 44-year gap in the year chart."""
    path = os.path.join(tmp, "odd.json")
    subprocess.run([sys.executable, GENERATOR, "-n", "8", "--seed", "2", "-o", path],
                   check=True, capture_output=True)
    with open(path, encoding="utf-8") as f:
        ds = json.load(f)
    e = min(ds["events"], key=lambda e: e["date"])
    e["date"] = "1950" + e["date"][4:]
    e.pop("end_date", None)
    with open(path, "w", encoding="utf-8") as f:
        json.dump(ds, f, ensure_ascii=False)
    return path, ds


def test_pages(tmp, ds):
    big = os.path.join(tmp, "big.json")
    subprocess.run([sys.executable, GENERATOR, "-n", "300", "--seed", "1", "-o", big],
                   check=True, capture_output=True)
    with open(big, encoding="utf-8") as f:
        big_ds = json.load(f)
    out = os.path.join(tmp, "big.pdf")
    r = export(big, out)
    if check("300 generated events export", r.returncode == 0, r.stderr.decode()):
        pages_ = check_keep_together("300 events", out, big_ds)
        check_tables("300 events", pages_, big_ds)
        page = chart_page(pages_)
        check("300 events: the year chart is there", page, "no 'Events per year'")
    out = os.path.join(tmp, "large.pdf")
    r = export(DATASET, out, "-O", "pdf.font-size=14")
    if check("data/events.json at pdf.font-size=14 exports", r.returncode == 0, r.stderr.decode()):
        check_keep_together("font-size 14", out, ds)
    # 1993-2025, 33 columns: the last label is drawn under the last column
    out = os.path.join(tmp, "until.pdf")
    r = export(big, out, "--until", "2025-12-31", "-O", "pdf.event-table=false",
               "-O", "pdf.contents=false")
    if check("300 events until 2025 export", r.returncode == 0, r.stderr.decode()):
        page = chart_page(page_lines(out, 8))
        outside = words_outside(out, page) if page else ["no chart"]
        check("the year chart's labels stay within the margins", not outside, str(outside))
    # 100 events at 12 pt: "Events by country" breaks one row before its end
    hundred = os.path.join(tmp, "hundred.json")
    subprocess.run([sys.executable, GENERATOR, "-n", "100", "--seed", "1", "-o", hundred],
                   check=True, capture_output=True)
    out = os.path.join(tmp, "hundred.pdf")
    r = export(hundred, out, "-O", "pdf.font-size=12", "-O", "pdf.contents=false",
               "-O", "pdf.event-table=false")
    if check("100 events at pdf.font-size=12 export", r.returncode == 0, r.stderr.decode()):
        lone = lone_rows(page_lines(out, 8))
        check("no page holds a lone row of a key-figure table", not lone, str(lone))
    src, odd = odd_dataset(tmp)
    out = os.path.join(tmp, "odd.pdf")
    r = export(src, out)
    if check("the 8-event dataset with a gap exports", r.returncode == 0, r.stderr.decode()):
        pages_ = page_lines(out)
        check_tables("8 events", pages_, odd)
        page = chart_page(pages_)
        chart = norm(" ".join(pages_[page - 1])) if page else ""
        check("the year chart marks the 44 years without events",
              "No events in 1951\u20131994" in chart, chart[:400])
        axis = [l for l in (pages_[page - 1] if page else [])
                if re.fullmatch(r"(\s*\d{4})+\s*", l) and len(l.split()) > 2]
        labels = {int(y) for y in axis[0].split()} if axis else set()
        years = {int(e["date"][:4]) for e in odd["events"]}
        check("the year chart labels years without events (zero columns), none of those left out",
              labels - years and not any(1950 < y < 1995 for y in labels), f"{sorted(labels)}")


def main():
    for tool in ("qpdf", "pdftotext", "pdfinfo", "pdffonts"):
        if not shutil.which(tool):
            print(f"0 passed, 1 failed ({tool} is not installed)")
            return 1
    with open(DATASET, encoding="utf-8") as f:
        ds = json.load(f)
    tmp = tempfile.mkdtemp(prefix="chronicle-pdf-")
    try:
        pdf = test_default(tmp, ds)
        if pdf:
            test_outline(pdf, ds)
            test_contents(pdf)
            test_page_numbers(pdf)
            test_links_and_info(pdf, tmp, ds)
            test_reproducible(pdf, tmp)
        test_empty(tmp, ds)
        test_long_words(tmp)
        test_missing_font(tmp)
        test_libharu_errors(tmp)
        test_unicode(tmp)
        test_letter(tmp)
        test_pages(tmp, ds)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return tally.finish()


if __name__ == "__main__":
    sys.exit(main())
