"""End-to-end: the report definition (formats/report-v1.md).

--report FILE with every key runs and its words reach the outputs; -M and
--lang set the same keys; the same values given by flags or by a file give
byte-identical text and PDF (SOURCE_DATE_EPOCH is set); a relative logo is
found next to the definition, whatever the current directory; and every
unknown key or bad value (language, format, option, date, logo) is refused
before any work with exit 64, the JSON pointer and the valid choices in the
message, and nothing written."""

import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import zlib

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools"))
from expect import Tally  # noqa: E402

CHRONICLE = os.environ["CHRONICLE"]
SRC = os.environ["SOURCE_ROOT"]
EVENTS = os.path.join(SRC, "data", "events.json")
tally = Tally()
check = tally.check


def env():
    e = dict(os.environ)
    e.pop("CHRONICLE_PLUGIN_PATH", None)
    e["CHRONICLE_PLUGIN_SYSTEM_PATH"] = "/nonexistent"  # hermetic: the build tree's plugins only
    e.setdefault("SOURCE_DATE_EPOCH", "1700000000")
    return e


def run(*args, cwd=None):
    p = subprocess.run([CHRONICLE, "export", "-q", *args], capture_output=True, env=env(), cwd=cwd)
    return p.returncode, p.stdout.decode(errors="replace"), p.stderr.decode(errors="replace")


def png(w=40, h=20):
    raw = b"".join(b"\x00" + b"\x20\x40\xa0" * w for _ in range(h))

    def chunk(t, d):
        return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xFFFFFFFF)

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def files_in(d):
    if not os.path.isdir(d):
        return {}
    return {n: open(os.path.join(d, n), "rb").read() for n in sorted(os.listdir(d))}


def tool(*args):
    try:
        return subprocess.run(list(args), capture_output=True, check=True).stdout.decode(errors="replace")
    except (OSError, subprocess.CalledProcessError) as e:
        return f"<{args[0]} failed: {e}>"


FULL = {
    "schema": "chronicle/report@1",
    "title": "Khojaly commemorations abroad",
    "subtitle": "Events reported in 2023",
    "organization": "Example Research Unit",
    "author": "A. Analyst",
    "marking": "OFFICIAL-SENSITIVE",
    "logo": "img/logo.png",
    "lang": "en",
    "selection": {"since": "2023-01-01", "until": "2023-12-31", "country": ["AZ", "FR"],
                  "tag": ["commemoration"], "split_by": "year"},
    "formats": ["text", "pdf"],
    "options": {"text": {"width": 100, "ascii": False}, "pdf": {"page-size": "letter"}},
}
# the same, by flags (the logo relative to the current directory: tmp)
FLAGS = ["-f", "text,pdf", "-M", "title=Khojaly commemorations abroad",
         "-M", "subtitle=Events reported in 2023", "-M", "organization=Example Research Unit",
         "-M", "author=A. Analyst", "-M", "marking=OFFICIAL-SENSITIVE",
         "-M", "logo=defs/img/logo.png", "--lang", "en", "--since", "2023-01-01",
         "--until", "2023-12-31", "--country", "AZ", "--country", "FR", "--tag", "commemoration",
         "--split-by", "year", "-O", "text.width=100", "-O", "text.ascii=false",
         "-O", "pdf.page-size=letter"]


def write_def(tmp, name, obj):
    path = os.path.join(tmp, "defs", name)
    with open(path, "w") as f:
        json.dump(obj, f, indent=2, ensure_ascii=False)
    return path


def test_full_and_identical(tmp):
    d = write_def(tmp, "full.json", FULL)
    rc, _, err = run("--report", d, "-o", "by-file", EVENTS, cwd=tmp)
    check("--report with every key runs", rc == 0, err)
    rc, _, err = run(*FLAGS, "-o", "by-flags", EVENTS, cwd=tmp)
    check("the same by flags runs", rc == 0, err)
    a, b = files_in(os.path.join(tmp, "by-file")), files_in(os.path.join(tmp, "by-flags"))
    check("by file: one text and one pdf for 2023", sorted(a) == ["events-2023.pdf", "events-2023.txt"],
          sorted(a))
    check("flags and file name the same outputs", sorted(a) == sorted(b), (sorted(a), sorted(b)))
    for name in sorted(a):
        check(f"flags and file give the same bytes: {name}", a.get(name) == b.get(name))
    txt = a.get("events-2023.txt", b"").decode(errors="replace")
    lines = [line for line in txt.splitlines() if line.strip()]
    check("text: the title is shown", FULL["title"] in txt, txt[:500])
    check("text: the marking is the first line", lines[:1] == [FULL["marking"]], lines[:2])
    check("text: the marking is the last line", lines[-1:] == [FULL["marking"]], lines[-2:])
    check("text: no input path", EVENTS not in txt and "events.json" not in txt)
    pdf = os.path.join(tmp, "by-file", "events-2023.pdf")
    words = tool("pdftotext", pdf, "-")
    for key in ("title", "subtitle", "organization", "author", "marking"):
        check(f"pdf: {key} on the cover", FULL[key] in words, words[:600])
    check("pdf: no input path", "events.json" not in words and SRC not in words)
    images = tool("pdfimages", "-list", pdf).splitlines()[2:]
    check("pdf: the logo is an image", any(" 40 " in i and " 20 " in i for i in images), images)
    info = tool("pdfinfo", pdf)
    check("pdf: letter pages (-O from the file)", "612 x 792" in info, info)


def test_lang_and_meta(tmp):
    for lang in ("fr", "ru", "az", "zh"):
        obj = {"schema": "chronicle/report@1", "lang": lang, "title": "Titre", "formats": ["text"]}
        d = write_def(tmp, f"lang-{lang}.json", obj)
        out_file, out_flags = os.path.join(tmp, f"{lang}-f.txt"), os.path.join(tmp, f"{lang}-m.txt")
        rc1, _, err1 = run("--report", d, "-o", out_file, EVENTS)
        rc2, _, err2 = run("-f", "text", "--lang", lang, "-M", "title=Titre", "-o", out_flags, EVENTS)
        check(f"--lang {lang} and \"lang\": \"{lang}\" run", rc1 == 0 and rc2 == 0, err1 + err2)
        same = os.path.exists(out_file) and os.path.exists(out_flags) and \
            open(out_file, "rb").read() == open(out_flags, "rb").read()
        check(f"--lang {lang} by flag and by file: the same bytes", same)
    # the command line overrides the file, whatever the order
    d = write_def(tmp, "over.json", {"schema": "chronicle/report@1", "title": "From the file",
                                     "marking": "FILE-MARKING", "formats": ["pdf"],
                                     "selection": {"country": ["FR"]}})
    rc, out, err = run("-M", "title=From the flag", "--report", d, "-M", "marking=", "-f", "text",
                       "--country", "AZ", "-o", "-", EVENTS)
    check("overrides: runs", rc == 0, err)
    check("overrides: -M title wins over the file", "From the flag" in out and "From the file" not in out,
          out[:300])
    check("overrides: -M marking= removes the file's marking", "FILE-MARKING" not in out, out[:300])
    check("overrides: --country AZ replaces the file's list", "Baku" in out and "Paris" not in out,
          out[:300])
    # no definition: the title is the dataset's
    rc, out, err = run("-f", "text", "-o", "-", EVENTS)
    title = json.load(open(EVENTS))["title"]
    check("no --report: the dataset's title", rc == 0 and title in out.replace("\n", " "), err)


def test_relative_logo(tmp):
    elsewhere = os.path.join(tmp, "elsewhere")
    os.makedirs(elsewhere)
    d = write_def(tmp, "logo.json", {"schema": "chronicle/report@1", "logo": "img/logo.png",
                                     "formats": ["pdf"]})
    rc, _, err = run("--report", d, "-o", "logo.pdf", EVENTS, cwd=elsewhere)
    check("a relative logo is found next to the definition", rc == 0, err)
    pdf = os.path.join(elsewhere, "logo.pdf")
    check("... and is in the pdf", os.path.exists(pdf) and len(tool("pdfimages", "-list", pdf).splitlines()) > 2)
    rel = os.path.relpath(d, elsewhere)
    rc, _, err = run("--report", rel, "-o", "logo2.pdf", EVENTS, cwd=elsewhere)
    check("... also when the definition's path is relative", rc == 0, err)
    rc, _, err = run("--report", d, "-M", "logo=img/logo.png", "-o", "logo3.pdf", EVENTS, cwd=elsewhere)
    check("-M logo= is relative to the current directory, not the definition", rc == 64 and
          "img/logo.png" in err and not os.path.exists(os.path.join(elsewhere, "logo3.pdf")), err)


BAD = [
    # (name, definition or None, extra args, what stderr must hold)
    ("unknown key", {"titel": "x"}, [], ["/titel", "unknown member", "subtitle", "selection"]),
    ("unknown selection key", {"selection": {"from": "2023-01-01"}}, [],
     ["/selection/from", "since, until, country, tag, split_by"]),
    ("bad lang", {"lang": "de"}, [], ["/lang", "\"de\"", "en, fr, ru, az, zh"]),
    ("bad format", {"formats": ["pfd"]}, [], ["/formats/0", "\"pfd\"", "pdf", "text"]),
    ("bad option key", {"options": {"pdf": {"paper": "a4"}}}, [], ["/options/pdf/paper", "page-size"]),
    ("bad option value", {"options": {"text": {"width": 5}}}, [], ["/options/text/width", "20", "400"]),
    ("option of an unknown format", {"options": {"pfd": {"x": 1}}}, [], ["/options/pfd", "available"]),
    ("bad date", {"selection": {"since": "2023-02-30"}}, [], ["/selection/since", "2023-02-30", "YYYY-MM-DD"]),
    ("until before since", {"selection": {"since": "2023-05-01", "until": "2023-01-01"}}, [],
     ["/selection/until"]),
    ("bad country", {"selection": {"country": ["Azerbaijan"]}}, [], ["/selection/country/0", "alpha-2"]),
    ("bad split", {"selection": {"split_by": "city"}}, [], ["/selection/split_by", "country, year, organizer, tag"]),
    ("missing logo", {"logo": "img/none.png"}, [], ["/logo", "none.png", "No such file"]),
    ("non-image logo", {"logo": "notimage.png"}, [], ["/logo", "notimage.png", "PNG or JPEG"]),
    ("directory logo", {"logo": "img"}, [], ["/logo", "not a regular file"]),
    ("wrong type", {"title": 7}, [], ["/title", "expected a string"]),
    ("control character", {"marking": "A\nB"}, [], ["/marking", "control character"]),
    ("missing schema", "no-schema", [], ["/schema", "chronicle/report@1"]),
    ("other major", {"schema": "chronicle/report@2"}, [], ["/schema", "version 1"]),
    ("duplicate member", "dup", [], ["/title", "duplicate member"]),
    ("syntax", "syntax", [], ["syntax.json:1:"]),
    ("-M unknown key", None, ["-M", "colour=red"], ["-M colour=red", "unknown key", "title, subtitle"]),
    ("-M bad lang", None, ["-M", "lang=xx"], ["-M lang=xx", "en, fr, ru, az, zh"]),
    ("--lang bad", None, ["--lang", "fr-FR"], ["--lang fr-FR", "en, fr, ru, az, zh"]),
    ("-M missing logo", None, ["-M", "logo=none.png"], ["-M logo=none.png", "No such file"]),
    ("-M non-image logo", None, ["-M", "logo=defs/notimage.png"], ["not a PNG or JPEG"]),
    ("-M without =", None, ["-M", "title"], ["KEY=VALUE"]),
]


def test_refusals(tmp):
    for i, (name, obj, extra, want) in enumerate(BAD):
        args = list(extra)
        if obj is not None:
            if obj == "no-schema":
                path = write_def(tmp, f"bad{i}.json", {"title": "x"})
            elif obj == "dup":
                path = os.path.join(tmp, "defs", f"bad{i}.json")
                open(path, "w").write('{"schema": "chronicle/report@1", "title": "a", "title": "b"}')
            elif obj == "syntax":
                path = os.path.join(tmp, "defs", "syntax.json")
                open(path, "w").write('{"schema": "chronicle/report@1", title: "a"}')
            else:
                path = write_def(tmp, f"bad{i}.json", {"schema": "chronicle/report@1", **obj})
            args = ["--report", path] + args
        out = os.path.join(tmp, f"refused-{i}")
        rc, _, err = run("-f", "text", "-o", out + "/", *args, EVENTS, cwd=tmp)
        check(f"refused ({name}): exit 64", rc == 64, (rc, err))
        missing = [w for w in want if w not in err]
        check(f"refused ({name}): the message names the place and the choices", not missing,
              (missing, err))
        check(f"refused ({name}): nothing written", not os.path.exists(out), os.listdir(tmp))
    rc, _, err = run("--report", os.path.join(tmp, "defs", "absent.json"), "-f", "text", "-o", "-", EVENTS)
    check("an unreadable definition: exit 66", rc == 66 and "absent.json" in err, (rc, err))


def main():
    tmp = tempfile.mkdtemp(prefix="chronicle-report-")
    try:
        os.makedirs(os.path.join(tmp, "defs", "img"))
        open(os.path.join(tmp, "defs", "img", "logo.png"), "wb").write(png())
        open(os.path.join(tmp, "defs", "notimage.png"), "w").write("not an image\n")
        test_full_and_identical(tmp)
        test_lang_and_meta(tmp)
        test_relative_logo(tmp)
        test_refusals(tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"{tally.passed} passed, {tally.failed} failed")
    return 1 if tally.failed else 0


if __name__ == "__main__":
    sys.exit(main())
