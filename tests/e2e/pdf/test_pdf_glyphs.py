#!/usr/bin/python3
"""test_pdf_glyphs.py — the briefing's fonts by script and its coverage
report (issue 14; formats/briefing.md "Fonts and scripts").

Exports tests/data/pdf/scripts.json (Devanagari, Thai, Hebrew, emoji and
Linear B) and reads the PDF back with poppler:
- one warning naming how many characters could not be drawn, by script
  (emoji and Linear B: beyond U+FFFF, which no font libharu draws can
  have), the first events and fields holding them, and the option that
  changes it; the counts are computed here from the dataset;
- -O pdf.strict-glyphs=true: exit status 70, and an existing output file
  keeps its bytes and its modification time;
- Devanagari and Thai drawn from Noto when fonts-noto-core is installed
  (pdffonts lists the faces) and extracted exactly by pdftotext; Hebrew
  drawn from DejaVu Sans, which has it;
- a briefing with no new script embeds no Noto face, and strict-glyphs
  passes it.
Prints "N passed, N failed"; exits 1 if anything failed.

Environment (set by meson): CHRONICLE, SOURCE_ROOT, SOURCE_DATE_EPOCH.
"""

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
SCRIPTS = os.path.join(ROOT, "tests", "data", "pdf", "scripts.json")
EVENTS = os.path.join(ROOT, "data", "events.json")
NOTO = "/usr/share/fonts/truetype/noto"

tally = Tally()
check = tally.check


def run(args):
    env = dict(os.environ, SOURCE_DATE_EPOCH=EPOCH, LC_ALL="C.UTF-8")
    return subprocess.run(args, capture_output=True, env=env)


def export(src, out, *extra):
    return run([CHRONICLE, "export", "-f", "pdf", "-o", out, *extra, src])


def fonts_of(pdf):
    return run(["pdffonts", pdf]).stdout.decode().splitlines()[2:]


def text_of(pdf):
    return run(["pdftotext", "-enc", "UTF-8", pdf, "-"]).stdout.decode("utf-8")


def expected_missing(ds):
    """Characters beyond U+FFFF in the fields the briefing draws, by script,
    and the (event, field) pairs holding them, in the dataset's order."""
    counts = {"emoji and pictographs": 0, "Linear B": 0}
    places = []

    def scan(owner, field, s):
        n_emoji = sum(1 for c in s if 0x1F000 <= ord(c) <= 0x1FAFF)
        n_linear_b = sum(1 for c in s if 0x10000 <= ord(c) <= 0x100FF)
        counts["emoji and pictographs"] += n_emoji
        counts["Linear B"] += n_linear_b
        if n_emoji or n_linear_b:
            places.append(f"{owner} {field}")

    for e in ds["events"]:
        owner = f"event {e['id']}"
        for k in ["title", "summary"]:
            scan(owner, k, e.get(k, ""))
        for k in ["venue", "city", "country"]:
            scan(owner, f"location.{k}", e["location"].get(k, ""))
        scan(owner, "occasion.subject", e["occasion"].get("subject", ""))
        for i, p in enumerate(e.get("participants", [])):
            for k in ["name", "role", "organization"]:
                scan(owner, f"participants[{i}].{k}", p.get(k, ""))
        for i, f in enumerate(e.get("figures", [])):
            for k in ["label", "unit", "note"]:
                scan(owner, f"figures[{i}].{k}", f.get(k, ""))
    return counts, places


def test_warning(tmp, ds):
    out = os.path.join(tmp, "scripts.pdf")
    r = export(SCRIPTS, out)
    warnings = [l for l in r.stderr.decode().splitlines() if "warning" in l]
    check("scripts.json exports", r.returncode == 0, r.stderr.decode())
    check("exactly one warning", len(warnings) == 1, "\n".join(warnings))
    w = warnings[0] if warnings else ""
    counts, places = expected_missing(ds)
    total = sum(counts.values())
    check(f"the warning counts {total} characters", f"{total} characters could not be drawn" in w, w)
    for script, n in counts.items():
        check(f"the warning names {n} {script}", f"{n} {script}" in w, w)
    first = places[:5]
    check("the warning names the first five events and fields, in order",
          ("in " + ", ".join(first)) in w, f"{first}\n{w}")
    more = len(places) - 5
    check(f"and says {more} more", more <= 0 or f"and {more} more field" in w, w)
    check("the warning says why: beyond U+FFFF", "beyond U+FFFF" in w, w)
    check("the warning names the option that changes it", "-O pdf.strict-glyphs=true" in w, w)
    check("no warning names a script that was drawn",
          not re.search(r"Devanagari|Thai|Hebrew", w.split("could not be drawn")[-1].split(":")[0]),
          w)
    text = text_of(out)
    check("the missing characters are visible as U+FFFD", text.count("\ufffd") >= total, text[:400])
    return out


def test_strict(tmp, previous):
    out = os.path.join(tmp, "kept.pdf")
    shutil.copyfile(previous, out)
    os.utime(out, (1_500_000_000, 1_500_000_000))
    before = open(out, "rb").read(), os.stat(out).st_mtime_ns
    r = export(SCRIPTS, out, "-O", "pdf.strict-glyphs=true")
    err = r.stderr.decode()
    check("strict-glyphs: exit status 70", r.returncode == 70, f"{r.returncode}: {err}")
    check("strict-glyphs: the error counts and says the briefing is not written",
          "could not be drawn" in err and "not written" in err and "warning" not in err, err)
    check("strict-glyphs: the old file keeps its bytes", open(out, "rb").read() == before[0])
    check("strict-glyphs: the old file keeps its modification time",
          os.stat(out).st_mtime_ns == before[1])
    check("strict-glyphs: no temporary file is left",
          sorted(os.listdir(tmp)) == sorted(["kept.pdf", "scripts.pdf"]), os.listdir(tmp))
    clean = os.path.join(tmp, "events.pdf")
    r = export(EVENTS, clean, "-O", "pdf.strict-glyphs=true")
    check("strict-glyphs passes data/events.json, which every font covers",
          r.returncode == 0 and r.stderr.decode() == "", r.stderr.decode())
    names = " ".join(l.split()[0] for l in fonts_of(clean))
    check("a briefing with no new script embeds no Noto face", "Noto" not in names, names)
    os.remove(clean)


def test_scripts(tmp, pdf):
    names = [l.split()[0] for l in fonts_of(pdf)]
    text = text_of(pdf)
    for word in ["नई दिल्ली में स्मरण समारोह", "พิธีรำลึกที่กรุงเทพมหานคร"]:
        check(f"'{word}' comes back exactly", word in text, text[:600])
    check("Hebrew drawn (from DejaVu Sans, which has it)", "לוי" in text or "יול" in text,
          text[-600:])
    for script in ["Devanagari", "Thai"]:
        regular = os.path.join(NOTO, f"NotoSans{script}-Regular.ttf")
        if not os.path.exists(regular):
            tally.skip(f"{script} from Noto", f"{regular} is not installed (fonts-noto-core)")
            continue
        check(f"{script} drawn with NotoSans{script}-Regular",
              any(n.endswith(f"+NotoSans{script}-Regular") for n in names), names)
        if os.path.exists(os.path.join(NOTO, f"NotoSans{script}-Bold.ttf")):
            check(f"{script} titles drawn with NotoSans{script}-Bold",
                  any(n.endswith(f"+NotoSans{script}-Bold,Bold") for n in names), names)
    check("Hebrew needs no Noto face", not any("Hebrew" in n for n in names), names)
    # without the fallback fonts the scripts are missing, and said to be
    nf = os.path.join(tmp, "nofallback.pdf")
    r = export(SCRIPTS, nf, "-O", "pdf.fallback=false")
    w = r.stderr.decode()
    check("pdf.fallback=false: Devanagari and Thai counted, the option to change it named",
          r.returncode == 0 and re.search(r"\d+ Devanagari", w) and re.search(r"\d+ Thai", w)
          and "pdf.fallback=true" in w, w)
    check("pdf.fallback=false: no Noto face",
          not any("Noto" in l for l in fonts_of(nf)), fonts_of(nf))
    os.remove(nf)


def main():
    with open(SCRIPTS, encoding="utf-8") as f:
        ds = json.load(f)
    tmp = tempfile.mkdtemp(prefix="chronicle-pdf-glyphs-")
    try:
        pdf = test_warning(tmp, ds)
        test_strict(tmp, pdf)
        test_scripts(tmp, pdf)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return tally.finish()


if __name__ == "__main__":
    sys.exit(main())
