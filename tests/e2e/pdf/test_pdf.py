#!/usr/bin/python3
"""test_pdf.py — end-to-end tests of the PDF briefing (formats/briefing.md).

Runs `chronicle export -f pdf` and reads the result back with independent
tools: qpdf (structure, outline, annotations, ToUnicode maps), pdffonts
(embedding), pdfinfo (pages, metadata), pdftotext (text, per page, word
boxes).  Expected values come from the input JSON, loaded here, never from
the exporter.  Prints "N passed, N failed"; exits 1 if anything failed.

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
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return tally.finish()


if __name__ == "__main__":
    sys.exit(main())
