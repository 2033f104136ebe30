#!/usr/bin/python3
"""End-to-end: the text, Markdown, CSV and iCalendar reports in the report's
language and with the report's title and marking (issue 13).

For --lang fr, ru, az and zh on data/events.json: the text summary and the
Markdown digest carry the language's month names and none of the English
labels; Russian counts take their plural form; -M title and -M marking put
the title at the top and the marking on the very first and the very last
line; the calendar is named for the title; the CSV attribution column is
in the language while every other column stays as in English.  The bytes
do not depend on how the input path was spelled.  Prints "N passed, N
failed"; exits 1 on any failure.
"""
import csv
import io
import os
import re
import subprocess
import sys
import unicodedata

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools"))
from expect import Tally  # noqa: E402

CHRONICLE = os.environ["CHRONICLE"]
ROOT = os.environ["SOURCE_ROOT"]
EVENTS = os.path.join(ROOT, "data", "events.json")

tally = Tally()
check = tally.check

# The February of data/events.json, as each language writes it in a long
# date (the text summary) and in a short one (the Markdown digest).
FEBRUARY = {
    "fr": ("février", "févr."),
    "ru": ("февраля", "февр."),
    "az": ("fevral", "fev"),
    "zh": ("年2月", "年2月"),
}
ENGLISH_MONTHS = re.compile(r"\b(January|February|March|April|May|June|July|August|September|"
                            r"October|November|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Oct|Nov|"
                            r"Dec)\b")
# Russian: 4 events take the form of 2-4 (события), 1 of 4 the form of 5+
# after "из" (событий, by the total).
RUSSIAN_COUNTS = {"all": "все 4 события", "subset": "1 из 4 событий"}


def run(*args):
    env = dict(os.environ, SOURCE_DATE_EPOCH="1700000000")
    p = subprocess.run([CHRONICLE, *args], capture_output=True, env=env, cwd=ROOT)
    return p.returncode, p.stdout.decode("utf-8"), p.stderr.decode("utf-8", "replace")


def export(fmt, *opts, path=EVENTS):
    return run("export", "-q", "-f", fmt, "-o", "-", *opts, path)


# ---- English labels that must not survive in another language ----

def catalog(lang):
    """{id: text} of the singular messages of po/common and po/plain."""
    texts = {}
    for domain in ("common", "plain"):
        with open(os.path.join(ROOT, "po", domain, lang + ".po"), encoding="utf-8") as f:
            for mid, text in re.findall(r'^msgid "(.+)"\nmsgstr "(.*)"$', f.read(), re.M):
                texts[mid] = text
    return texts


ENGLISH = catalog("en")


def english_labels(lang, patterns):
    """The patterns whose English label the language says differently: a
    French "Participants" is French too.  Each is (regex around {}, id)."""
    words = catalog(lang)
    return re.compile("|".join(p.format(re.escape(ENGLISH[i])) for p, i in patterns
                               if words.get(i, ENGLISH[i]) != ENGLISH[i]), re.M)


FIELDS = ["plain.field.selection", "label.period", "label.events", "label.participants",
          "label.activities", "label.statements", "label.figures", "plain.field.sources-cited",
          "label.generated", "label.summary", "label.place", "label.occasion", "label.organizers",
          "label.audience", "label.tags"]
TEXT_LABELS = [(r"^{} {{2,}}\S", i) for i in FIELDS] + [
    (r"^{}$", i) for i in ("plain.heading.by-year", "plain.heading.by-country",
                           "label.organizers", "label.events")] + [
    (r"^  {} {{2,}}", i) for i in ("label.year", "plain.column.code", "label.organizer")] + [
    (r"^{} \(\d+\)$", i) for i in ("label.participants", "label.programme", "label.statements",
                                    "label.figures", "label.sources")] + [
    (r"{}", "plain.participant.speaker"), (r"\(as reported ", "attribution.outlet"),
    (r"{}", "plain.text.no-events"), (r" \(of \d+ in the dataset\)", "plain.field.events-of"),
    (r"performed by ", "plain.activity.performed-by"), (r"dateline: ", "plain.source.dateline"),
    (r"document: ", "plain.source.document")]
MARKDOWN_LABELS = [(r"\*\*{}:\*\*", "label.organizers"), (r"\*\*{}\*\*", "label.statements"),
                   (r"\*\*{}\*\*", "label.figures"), (r"\| {} \|", "label.year"),
                   (r"\| {} \|$", "label.events"), (r"\(as reported ", "attribution.outlet"),
                   (r"{}", "plain.markdown.no-events")]


def dates_in_text(out):
    """The long dates the summary writes itself: the period and each digest's
    first line, "2023-02-25 (...)"."""
    found = re.findall(r"^\S+ {2,}(\d.*)$", out.split("\n\n", 3)[2], re.M)[1:2]
    found += re.findall(r"^\d{4}-\d\d-\d\d(?: \S+ \d{4}-\d\d-\d\d)? \((.*)\)$", out, re.M)
    return found


def check_text(lang):
    rc, out, err = export("text", "--lang", lang)
    if not check(f"text {lang}: exit 0", rc == 0, err):
        return
    long_feb = FEBRUARY[lang][0]
    dates = dates_in_text(out)
    check(f"text {lang}: the digests' dates in the language", len(dates) >= 5 and
          all(not ENGLISH_MONTHS.search(d) for d in dates) and any(long_feb in d for d in dates),
          dates)
    bad = [m.group(0) for m in english_labels(lang, TEXT_LABELS).finditer(out)]
    check(f"text {lang}: none of the English labels", not bad, bad[:5])
    if lang == "ru":
        check("text ru: 4 events in the plural form of 2-4", RUSSIAN_COUNTS["all"] in out,
              out[:900])
        rc, sub, err = export("text", "--lang", lang, "--country", "AZ")
        check("text ru: 1 of 4 events, the form of the total", RUSSIAN_COUNTS["subset"] in sub,
              sub[:900])


def display_width(s):
    return sum(0 if unicodedata.combining(c) or unicodedata.category(c) in ("Mn", "Me", "Cf")
               else 2 if unicodedata.east_asian_width(c) in ("W", "F") else 1 for c in s)


def check_widths(lang):
    """Labels, headings and column heads of every length still fit the page."""
    for width in (20, 40, 78):
        rc, out, err = export("text", "--lang", lang, "-O", f"text.width={width}")
        bad = [l for l in out.split("\n") if display_width(l) > width or l.endswith(" ")]
        check(f"text {lang} width {width}: every line fits, none ends with a space",
              rc == 0 and not bad, (err, bad[:2]))


def check_markdown(lang):
    rc, out, err = export("markdown", "--lang", lang)
    if not check(f"markdown {lang}: exit 0", rc == 0, err):
        return
    short_feb = FEBRUARY[lang][1]
    dates = re.findall(r"^\*([^*]+)\*", out, re.M)  # each event's date line
    check(f"markdown {lang}: the events' dates in the language",
          len(dates) == 4 and all(short_feb in d and not ENGLISH_MONTHS.search(d) for d in dates),
          dates)
    bad = [m.group(0) for m in english_labels(lang, MARKDOWN_LABELS).finditer(out)]
    check(f"markdown {lang}: none of the English labels", not bad, bad[:5])
    if lang == "ru":
        check("markdown ru: 4 events in the plural form of 2-4", RUSSIAN_COUNTS["all"] in out,
              out[:400])


# ---- title and marking ----

TITLE, MARKING = "Briefing on commemorations", "OFFICIAL-SENSITIVE"


def check_title_and_marking(lang):
    meta = ["-M", f"title={TITLE}", "-M", f"marking={MARKING}", "-M", "subtitle=For the desk",
            "-M", "organization=Example Unit", "-M", "author=A. Writer"]
    rc, out, err = export("text", "--lang", lang, *meta)
    lines = out.rstrip("\n").split("\n")
    check(f"text {lang}: the marking is the first and the last line",
          rc == 0 and lines[0] == MARKING and lines[-1] == MARKING, (err, lines[:3], lines[-2:]))
    check(f"text {lang}: the title after the marking, the subtitle under its rule",
          lines[2:3] == [TITLE] and lines[4:5] == ["For the desk"], lines[:6])
    check(f"text {lang}: organisation and author in the headline",
          "Example Unit" in out and "A. Writer" in out)
    check(f"text {lang}: the marking twice only", out.count(MARKING) == 2)
    rc, out, err = export("markdown", "--lang", lang, *meta)
    lines = out.rstrip("\n").split("\n")
    check(f"markdown {lang}: the marking is the first and the last line",
          rc == 0 and lines[0] == f"**{MARKING}**" and lines[-1] == f"**{MARKING}**",
          (err, lines[:3], lines[-2:]))
    check(f"markdown {lang}: the title as its heading", f"\n# {TITLE}\n" in out, out[:300])
    check(f"markdown {lang}: subtitle, organisation and author",
          "*For the desk*" in out and "Example Unit \u00b7 A. Writer" in out, out[:300])
    rc, out, err = export("markdown", "--lang", lang, "-M", f"marking={MARKING}", "--since",
                          "2100-01-01")
    lines = out.rstrip("\n").split("\n")
    check(f"markdown {lang}: an empty digest is marked first and last too",
          rc == 0 and lines[0] == f"**{MARKING}**" and lines[-1] == f"**{MARKING}**", lines)


def unfolded(ics):
    return ics.replace("\r\n ", "").split("\r\n")


def check_ics(lang):
    rc, out, err = export("ics", "--lang", lang, "-M", f"title={TITLE}")
    lines = unfolded(out)
    check(f"ics {lang}: the calendar is named for the title",
          rc == 0 and f"X-WR-CALNAME:{TITLE}" in lines and f"NAME:{TITLE}" in lines,
          (err, lines[:8]))
    desc = [l for l in lines if l.startswith("DESCRIPTION:")]
    check(f"ics {lang}: the description in the language",
          len(desc) == 4 and not any(w in d for d in desc for w in
                                     ("(as reported ", "\\n\\nStatements:", "\\n\\nSources:")),
          desc[:1])
    check(f"ics {lang}: dates stay iCalendar dates", "DTSTART;VALUE=DATE:20230225" in lines)


def check_csv(lang):
    rc, en, _ = export("csv", "-O", "csv.table=statements")
    rc2, out, err = export("csv", "-O", "csv.table=statements", "--lang", lang)
    if not check(f"csv {lang}: exit 0", rc == 0 and rc2 == 0, err):
        return
    en_rows = list(csv.reader(io.StringIO(en, newline="")))
    rows = list(csv.reader(io.StringIO(out, newline="")))
    check(f"csv {lang}: header and rows as in English", rows[0] == en_rows[0] and len(rows) == len(en_rows))
    at = rows[0].index("attribution")
    same = all(r[:at] == e[:at] for r, e in zip(rows, en_rows))
    check(f"csv {lang}: every column but the attribution as in English", same)
    attr = [r[at] for r in rows[1:]]
    check(f"csv {lang}: the attribution column in the language",
          attr and not any("as reported" in a or ENGLISH_MONTHS.search(a) for a in attr)
          and sum(FEBRUARY[lang][1] in a for a in attr) >= len(attr) // 2, attr[:2])


def check_paths():
    """The bytes do not depend on how the input path was spelled."""
    for fmt in ("text", "markdown", "ics"):
        outs = [export(fmt, "--lang", "fr", path=p)[1]
                for p in (EVENTS, "data/events.json", "./data/events.json")]
        check(f"{fmt}: the same bytes for every spelling of the path",
              outs[0] and outs[0] == outs[1] == outs[2])
        check(f"{fmt}: no input path in the report", "events.json" not in outs[0])


def main():
    for lang in ("fr", "ru", "az", "zh"):
        check_text(lang)
        check_widths(lang)
        check_markdown(lang)
        check_title_and_marking(lang)
        check_ics(lang)
        check_csv(lang)
    check_title_and_marking("en")
    check_paths()
    return tally.finish()


if __name__ == "__main__":
    sys.exit(main())
