"""End-to-end: the csv and ics exporters, read back with independent parsers
(Python's csv module, python3-icalendar) and compared value by value with
the input datasets, as formats/csv.md and formats/ics.md specify them."""

import csv
import datetime
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile

import icalendar

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools"))
from expect import Tally, attribution, short_date  # noqa: E402

CHRONICLE = os.environ["CHRONICLE"]
SRC = os.environ["SOURCE_ROOT"]
DATASETS = [os.path.join(SRC, "data", "events.json"), os.path.join(SRC, "tests", "data", "sdk", "tricky.json")]
TABLES = ["events", "participants", "activities", "statements", "figures", "sources"]
STAMP = 1700000000
tally = Tally()
check = tally.check


def run(*args):
    env = dict(os.environ, SOURCE_DATE_EPOCH=str(STAMP), CHRONICLE_PLUGIN_SYSTEM_PATH="/nonexistent")
    env.pop("CHRONICLE_PLUGIN_PATH", None)
    p = subprocess.run([CHRONICLE] + list(args), capture_output=True, env=env)
    return p.returncode, p.stdout, p.stderr.decode()


def events_of(doc):
    """The host's order: by date, then id (byte order = code point order)."""
    return sorted(doc["events"], key=lambda e: (e["date"], e["id"].encode()))


# ---- CSV: the expected tables, straight from formats/csv.md ----

def neutral(s):
    return "'" + s if s and s[0] in "=+-@\t\r" else s


def number(v):
    if float(v).is_integer() and abs(v) < 1e15:
        return str(int(v))
    return v  # compared as a float


def csv_expected(doc, table):
    src = {s["id"]: s for s in doc["sources"]}
    evs = events_of(doc)
    t = neutral
    j = lambda items: t("; ".join(items))
    rows = []
    if table == "events":
        for e in evs:
            loc, occ = e["location"], e["occasion"]
            rows.append([t(e["id"]), e["date"], e.get("end_date", ""), t(e["title"]), t(loc.get("venue", "")),
                         t(loc.get("city", "")), t(loc["country"]), t(loc["country_code"]), t(occ["subject"]),
                         str(occ["anniversary"]) if "anniversary" in occ else "", occ.get("of_date", ""),
                         j(e.get("organizers", [])), j(e.get("audience", [])),
                         str(len(e.get("participants", []))), str(len(e.get("activities", []))),
                         str(len(e.get("statements", []))), str(len(e.get("figures", []))),
                         j(e["sources"]), j(e.get("tags", [])), t(e.get("summary", ""))])
    elif table == "sources":
        counts = {s: [0, 0, 0] for s in src}
        for e in evs:
            for s in e["sources"]:
                counts[s][0] += 1
            for st in e.get("statements", []):
                counts[st["source"]][1] += 1
            for f in e.get("figures", []):
                counts[f["source"]][2] += 1
        for s in doc["sources"]:
            c = counts[s["id"]]
            if any(c):
                rows.append([t(s["id"]), t(s.get("outlet", "")), s.get("published", ""), t(s.get("dateline", "")),
                             t(s["document"]), t(s.get("url", "")), attribution(s)] + [str(x) for x in c])
    else:
        for e in evs:
            for i, item in enumerate(e.get(table, []), 1):
                key = [t(e["id"]), e["date"], str(i)]
                if table == "participants":
                    spoke = {True: "true", False: "false"}.get(item.get("spoke"), "")
                    rows.append(key + [t(item["name"]), t(item.get("role", "")), t(item.get("organization", "")), spoke])
                elif table == "activities":
                    rows.append(key + [t(item["kind"]), t(item.get("title", "")), t(item.get("description", "")),
                                       j(item.get("performers", []))])
                elif table == "statements":
                    s = src[item["source"]]
                    rows.append(key + [t(item["speaker"]), t(item["summary"]), t(item.get("quote", "")),
                                       t(item["source"]), attribution(s)])
                else:
                    s = src[item["source"]]
                    rows.append(key + [t(item["label"]), number(item["value"]), t(item.get("unit", "")),
                                       t(item.get("note", "")), t(item["source"]), attribution(s)])
    return rows


HEADERS = {
    "events": "id,date,end_date,title,venue,city,country,country_code,occasion,anniversary,occasion_date,"
              "organizers,audience,participants,activities,statements,figures,sources,tags,summary",
    "participants": "event_id,event_date,position,name,role,organization,spoke",
    "activities": "event_id,event_date,position,kind,title,description,performers",
    "statements": "event_id,event_date,position,speaker,summary,quote,source,attribution",
    "figures": "event_id,event_date,position,label,value,unit,note,source,attribution",
    "sources": "id,outlet,published,dateline,document,url,attribution,events,statements,figures",
}


def same_row(got, want):
    if len(got) != len(want):
        return False
    for g, w in zip(got, want):
        if isinstance(w, float):
            if float(g) != w:
                return False
        elif g != w:
            return False
    return True


def test_csv_tables():
    for path in DATASETS:
        doc = json.load(open(path, encoding="utf-8"))
        name = os.path.basename(path)
        for table in TABLES:
            rc, out, err = run("export", "-f", "csv", "-O", f"csv.table={table}", "-o", "-", path)
            check(f"{name} {table}: exit 0", rc == 0, err)
            rows = list(csv.reader(io.StringIO(out.decode("utf-8"), newline="")))
            check(f"{name} {table}: header", rows and ",".join(rows[0]) == HEADERS[table], rows[:1])
            want = csv_expected(doc, table)
            check(f"{name} {table}: {len(want)} rows", len(rows) - 1 == len(want), (len(rows) - 1, len(want)))
            for i, (g, w) in enumerate(zip(rows[1:], want)):
                check(f"{name} {table} row {i + 1} equals the input", same_row(g, w), (g, w))
            check(f"{name} {table}: CRLF after every record", out.count(b"\r\n") == len(rows), out[-200:])
            check(f"{name} {table}: no bare CR", out.replace(b"\r\n", b"").count(b"\r") == 0)
            check(f"{name} {table}: no BOM by default", not out.startswith(b"\xef\xbb\xbf"))


def test_csv_injection_neutralised():
    path = DATASETS[1]
    rc, out, err = run("export", "-f", "csv", "-O", "csv.table=participants", "-o", "-", path)
    rows = list(csv.reader(io.StringIO(out.decode(), newline="")))
    by_name = {r[3]: r for r in rows[1:]}
    check("'-3' neutralised", "'-3" in by_name, list(by_name))
    check("'=cmd...' neutralised", by_name.get("'-3", [""] * 7)[4] == "'=cmd|' /C calc'!A0", by_name.get("'-3"))
    check("'@SUM...' neutralised", by_name.get("'-3", [""] * 7)[5] == "'@SUM(1+1)*cmd", by_name.get("'-3"))
    rc, out, err = run("export", "-f", "csv", "-o", "-", path)
    rows = list(csv.reader(io.StringIO(out.decode(), newline="")))
    ev = [r for r in rows if r[0] == "formula-2024"][0]
    cols = rows[0]
    get = lambda c: ev[cols.index(c)]
    check("'=1+1' title", get("title") == "'=1+1", get("title"))
    check("'+SUM(A1)' venue", get("venue") == "'+SUM(A1)", get("venue"))
    check("'-3' occasion", get("occasion") == "'-3", get("occasion"))
    check("'@x' first organiser neutralises the cell", get("organizers").startswith("'@x; "), get("organizers"))
    check("TAB neutralised", get("audience") == "'\tx; Residents, guests", get("audience"))
    check("a 0 anniversary is written", get("anniversary") == "0", get("anniversary"))
    rc, out, err = run("export", "-f", "csv", "-O", "csv.table=figures", "-o", "-", path)
    rows = list(csv.reader(io.StringIO(out.decode(), newline="")))
    neg = [r for r in rows if r[3].startswith("'=HYPERLINK")]
    check("numbers are never prefixed: -3 stays a number", neg and neg[0][4] == "-3", neg)
    vals = {r[3]: r[4] for r in rows[1:]}
    check("large whole number without exponent", vals.get("Large") == "123456789012", vals)
    check("0.1 written as 0.1", vals.get("Share") == "0.1", vals)
    check("tiny number reads back", float(vals.get("Tiny", "nan")) == 1e-07, vals)
    raw = out.decode()
    check("a quote inside a field is doubled", '"=HYPERLINK(""http://x"")"' not in raw and
          "\"'=HYPERLINK(\"\"http://x\"\")\"" in raw, raw[:400])


def test_csv_options():
    path = DATASETS[0]
    rc, plain, err = run("export", "-f", "csv", "-o", "-", path)
    rc, bom, err = run("export", "-f", "csv", "-O", "csv.bom=true", "-o", "-", path)
    check("csv.bom=true: UTF-8 BOM first", bom == b"\xef\xbb\xbf" + plain, bom[:10])
    rc, nohead, err = run("export", "-f", "csv", "-O", "csv.header=false", "-o", "-", path)
    check("csv.header=false drops the first row only", nohead == plain[plain.index(b"\r\n") + 2:], nohead[:100])
    rc, out, err = run("export", "-f", "csv", "-O", "csv.table=people", "-o", "-", path)
    check("bad table -> 64", rc == 64 and "csv.table must be one of: events participants activities "
          "statements figures sources" in err, (rc, err))
    d = tempfile.mkdtemp()
    rc, out, err = run("export", "-f", "csv", "-o", os.path.join(d, "e.csv"), path)
    check("file output equals stdout output", rc == 0 and open(os.path.join(d, "e.csv"), "rb").read() == plain, err)
    rc, out, err = run("export", "-f", "csv,ics", "-o", d, path)
    check("csv and ics named by stem", rc == 0 and sorted(os.listdir(d)) == ["e.csv", "events.csv", "events.ics"],
          os.listdir(d))
    shutil.rmtree(d)
    rc, out, err = run("export", "-f", "csv", "-o", "-", os.path.join(SRC, "data", "samples", "empty.json"))
    check("empty dataset: header only", rc == 0 and out == (HEADERS["events"] + "\r\n").encode(), out)


# ---- ICS ----

def human_number(v):
    """format_number() in English for the fixtures' figures: thousands
    separated from five digits on (1275, 12,500), else as %.15g."""
    text = f"{v:.15g}"
    if float(v).is_integer() and abs(v) >= 10000 and "e" not in text:
        return f"{int(v):,}"
    return text


def escape_free_description(doc, e):
    """The DESCRIPTION text of formats/ics.md, before TEXT escaping."""
    src = {s["id"]: s for s in doc["sources"]}
    parts = []
    if "summary" in e:
        parts.append(e["summary"])
    if e.get("organizers"):
        parts.append("Organisers: " + "; ".join(e["organizers"]))
    if e.get("statements"):
        lines = ["Statements:"]
        for s in e["statements"]:
            quote = f" \u201c{s['quote']}\u201d" if "quote" in s else ""
            lines.append(f"- {s['speaker']}: {s['summary']}{quote} ({attribution(src[s['source']])})")
        parts.append("\n".join(lines))
    if e.get("figures"):
        lines = ["Figures:"]
        for f in e["figures"]:
            unit = f" {f['unit']}" if "unit" in f else ""
            lines.append(f"- {f['label']}: {human_number(f['value'])}{unit} ({attribution(src[f['source']])})")
        parts.append("\n".join(lines))
    lines = ["Sources:"]
    for sid in e["sources"]:
        s = src[sid]
        meta = ", ".join(x for x in (s.get("outlet"), short_date(s["published"]) if "published" in s else None) if x)
        lines.append(f"- {s['document']}" + (f" ({meta})" if meta else "") + (f" {s['url']}" if "url" in s else ""))
    parts.append("\n".join(lines))
    return "\n\n".join(parts)


def unescape(value):
    """RFC 5545 3.3.11 TEXT, parsed left to right.  python3-icalendar 4.0.3
    unescapes with chained str.replace (an escaped backslash before n becomes
    a newline) and splits CATEGORIES after unescaping (an escaped comma
    splits a tag), so values with those characters are checked with this."""
    out, items, i = [], [], 0
    while i < len(value):
        c = value[i]
        if c == "\\" and i + 1 < len(value):
            out.append("\n" if value[i + 1] in "nN" else value[i + 1])
            i += 2
            continue
        if c == ",":
            items.append("".join(out))
            out = []
        else:
            out.append(c)
        i += 1
    items.append("".join(out))
    return items


def raw_vevents(data):
    """Each VEVENT's properties as {NAME: raw value}, after unfolding."""
    events, cur = [], None
    for line in data.decode("utf-8").replace("\r\n ", "").split("\r\n"):
        name, _, value = line.partition(":")
        name = name.split(";")[0]
        if line == "BEGIN:VEVENT":
            cur = {}
        elif line == "END:VEVENT":
            events.append(cur)
            cur = None
        elif cur is not None:
            cur[name] = value
    return events


def day(iso):
    return datetime.date.fromisoformat(iso)


def test_ics():
    for path in DATASETS:
        doc = json.load(open(path, encoding="utf-8"))
        name = os.path.basename(path)
        rc, out, err = run("export", "-f", "ics", "-o", "-", path)
        check(f"{name}: ics exit 0", rc == 0, err)
        lines = out.split(b"\r\n")
        check(f"{name}: ends with CRLF", out.endswith(b"END:VCALENDAR\r\n"), out[-40:])
        check(f"{name}: CRLF only", all(b"\n" not in l and b"\r" not in l for l in lines), "bare CR or LF")
        long = [l for l in lines if len(l) > 75]
        check(f"{name}: lines <= 75 octets", not long, long[:2])
        bad = []
        for l in lines:
            try:
                l.decode("utf-8")
            except UnicodeDecodeError:
                bad.append(l)
        check(f"{name}: no fold splits a UTF-8 sequence", not bad, bad[:2])
        cal = icalendar.Calendar.from_ical(out)
        check(f"{name}: VERSION 2.0", str(cal["VERSION"]) == "2.0")
        check(f"{name}: PRODID", str(cal["PRODID"]).startswith("-//Chronicle//"), cal.get("PRODID"))
        check(f"{name}: CALSCALE", str(cal["CALSCALE"]) == "GREGORIAN")
        check(f"{name}: calendar name is the title", str(cal["X-WR-CALNAME"]) == doc["title"], cal.get("X-WR-CALNAME"))
        check(f"{name}: NAME (RFC 7986) is the title", str(cal.get("NAME")) == doc["title"], cal.get("NAME"))
        vevents = cal.walk("VEVENT")
        evs = events_of(doc)
        check(f"{name}: one VEVENT per event", len(vevents) == len(evs), (len(vevents), len(evs)))
        raws = raw_vevents(out)
        for v, r, e in zip(vevents, raws, evs):
            tag = f"{name} {e['id']}"
            check(f"{tag}: UID", str(v["UID"]) == e["id"] + "@chronicle", v.get("UID"))
            check(f"{tag}: DTSTART all-day", v["DTSTART"].dt == day(e["date"]) and
                  not isinstance(v["DTSTART"].dt, datetime.datetime), v["DTSTART"].dt)
            end = day(e.get("end_date", e["date"])) + datetime.timedelta(days=1)
            check(f"{tag}: DTEND exclusive", v["DTEND"].dt == end, (v["DTEND"].dt, end))
            check(f"{tag}: DTSTAMP", v["DTSTAMP"].dt == datetime.datetime.fromtimestamp(STAMP, datetime.timezone.utc),
                  v["DTSTAMP"].dt)
            check(f"{tag}: SUMMARY", str(v["SUMMARY"]) == e["title"], (str(v["SUMMARY"]), e["title"]))
            loc = e["location"]
            want = ", ".join(loc[k] for k in ("venue", "city", "country") if k in loc)
            check(f"{tag}: LOCATION", str(v["LOCATION"]) == want, (str(v["LOCATION"]), want))
            for prop in ("SUMMARY", "LOCATION", "DESCRIPTION"):
                check(f"{tag}: {prop} is one TEXT value (commas escaped)", len(unescape(r[prop])) == 1, r[prop])
            check(f"{tag}: SUMMARY (raw)", unescape(r["SUMMARY"]) == [e["title"]], r["SUMMARY"])
            want = escape_free_description(doc, e)
            check(f"{tag}: DESCRIPTION", unescape(r["DESCRIPTION"]) == [want], (r["DESCRIPTION"], want))
            if "\\" not in want:
                check(f"{tag}: DESCRIPTION (icalendar)", str(v["DESCRIPTION"]) == want, str(v["DESCRIPTION"]))
            for s in e.get("statements", []) + e.get("figures", []):
                src = [x for x in doc["sources"] if x["id"] == s["source"]][0]
                check(f"{tag}: claim attributed", attribution(src) in str(v["DESCRIPTION"]), s)
            got = unescape(r["CATEGORIES"]) if "CATEGORIES" in r else []
            check(f"{tag}: CATEGORIES", got == e.get("tags", []), (got, e.get("tags")))
            cats = v.get("CATEGORIES")
            if not any("," in t for t in e.get("tags", [])):
                got = [str(c) for c in cats.cats] if cats is not None else []
                check(f"{tag}: CATEGORIES (icalendar)", got == e.get("tags", []), (got, e.get("tags")))


def test_ics_raw_escaping():
    rc, out, err = run("export", "-f", "ics", "-o", "-", DATASETS[1])
    text = out.decode().replace("\r\n ", "")  # unfold
    check("comma, semicolon and backslash escaped in TEXT",
          "LOCATION:Embassy\\, \"Hall\"\\; room 1\\, 北京\\, China\r\n" in text, text[:300])
    check("tag commas escaped, list commas not", "CATEGORIES:tag\\,with\\,commas,@tag,back\\\\slash\r\n" in text)
    check("newline escaped as \\n", "Line one" not in text and "A fixture event.\\nIts summary" in text)
    d = tempfile.mkdtemp()
    rc, out, err = run("export", "-f", "ics", "--split-by", "country", "-o", d, DATASETS[0])
    names = sorted(os.listdir(d)) if os.path.isdir(d) else []
    check("--split-by writes one calendar per group", rc == 0 and "events-AZ.ics" in names, (rc, err, names))
    if "events-AZ.ics" in names:
        cal = icalendar.Calendar.from_ical(open(os.path.join(d, "events-AZ.ics"), "rb").read())
        check("group in the calendar name", str(cal["X-WR-CALNAME"]).endswith(" \u2014 AZ"), cal.get("X-WR-CALNAME"))
    shutil.rmtree(d, ignore_errors=True)
    rc, out, err = run("export", "-f", "ics", "-o", "-", os.path.join(SRC, "data", "samples", "empty.json"))
    cal = icalendar.Calendar.from_ical(out)
    check("empty dataset: a calendar without events", rc == 0 and cal.walk("VEVENT") == [], (rc, err))
    rc1, a, _ = run("export", "-f", "ics", "-o", "-", DATASETS[0])
    rc2, b, _ = run("export", "-f", "ics", "-o", "-", DATASETS[0])
    check("same SOURCE_DATE_EPOCH, same bytes", a == b)


for t in [v for k, v in sorted(globals().items()) if k.startswith("test_")]:
    t()
sys.exit(tally.finish())
