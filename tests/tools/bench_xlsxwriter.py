#!/usr/bin/python3
"""bench_xlsxwriter.py — the benchmark's alternative to `chronicle export -f xlsx`.

What a Python user would write for the same analyst workbook: json.load the
dataset, sort the events by date then id, and write with XlsxWriter in
constant-memory mode the sheets and columns of formats/workbook.md —
Summary (counts, four count tables, a chart), Events, Participants,
Activities, Statements, Figures, Sources — with a header format, frozen
header, autofilter, real date cells, top-aligned cells, widths fitted to
the display width of the content, wrapped long text, hyperlinks, document
properties and continuation sheets past 1,048,575 rows.

    bench_xlsxwriter.py DATASET.json|.ndjson OUT.xlsx

Keep it in step with formats/workbook.md.  Needs
python3-xlsxwriter.  Timings of the phases go to stderr.
"""

import datetime
import shutil
import sys
import tempfile
import time
import unicodedata

import xlsxwriter

from alt_common import load
from expect import attribution, short_date

MAX_ROWS = 1048576  # rows per sheet, header included

EXCEL_FIRST_DAY = datetime.date(1900, 3, 1)


def day(s):
    """A date cell value; Excel cannot show days before 1900-03-01: text then."""
    if not s:
        return None
    d = datetime.date.fromisoformat(s)
    return d if d >= EXCEL_FIRST_DAY else s


def joined(v):
    return "; ".join(v) if v else None


def display_width(s):
    """Columns on screen: East Asian wide 2, combining 0; the widest line."""
    if s.isascii():
        return max(len(line) for line in s.split("\n")) if "\n" in s else len(s)
    best = 0
    for line in s.split("\n"):
        w = 0
        for ch in line:
            if unicodedata.combining(ch):
                continue
            w += 2 if unicodedata.east_asian_width(ch) in "WF" else 1
        best = max(best, w)
    return best


# Rows of each data sheet (formats/workbook.md).  Column kinds: s text,
# d date, n number, b boolean, u URL.
def event_rows(events):
    for e in events:
        loc, occ = e["location"], e["occasion"]
        yield (e["id"], day(e["date"]), day(e.get("end_date")), e["title"], loc.get("venue"),
               loc.get("city"), loc["country"], loc["country_code"], occ["subject"],
               occ.get("anniversary"), day(occ.get("of_date")), joined(e.get("organizers")),
               joined(e.get("audience")), len(e.get("participants", ())),
               len(e.get("activities", ())), len(e.get("statements", ())),
               len(e.get("figures", ())), joined(e["sources"]), joined(e.get("tags")),
               e.get("summary"))


def participant_rows(events):
    for e in events:
        d = day(e["date"])
        for i, p in enumerate(e.get("participants", ()), 1):
            yield (e["id"], d, i, p["name"], p.get("role"), p.get("organization"), p.get("spoke"))


def activity_rows(events):
    for e in events:
        d = day(e["date"])
        for i, a in enumerate(e.get("activities", ()), 1):
            yield (e["id"], d, i, a["kind"], a.get("title"), a.get("description"),
                   joined(a.get("performers")))


def statement_rows(events, attrib):
    for e in events:
        d = day(e["date"])
        for i, s in enumerate(e.get("statements", ()), 1):
            yield (e["id"], d, i, s["speaker"], s["summary"], s.get("quote"), s["source"],
                   attrib[s["source"]])


def figure_rows(events, attrib):
    for e in events:
        d = day(e["date"])
        for i, f in enumerate(e.get("figures", ()), 1):
            yield (e["id"], d, i, f["label"], f["value"], f.get("unit"), f.get("note"),
                   f["source"], attrib[f["source"]])


def source_rows(sources, attrib, cites):
    for s in sources:
        if s["id"] in cites:
            n = cites[s["id"]]
            yield (s["id"], s.get("outlet"), day(s.get("published")), s.get("dateline"),
                   s["document"], s.get("url"), attrib[s["id"]], n[0], n[1], n[2])


ITEM = [("Event ID", "s"), ("Event date", "d"), ("No.", "n")]
SHEETS = [
    ("Events", [("ID", "s"), ("Date", "d"), ("End date", "d"), ("Title", "s"), ("Venue", "s"),
                ("City", "s"), ("Country", "s"), ("Country code", "s"), ("Occasion", "s"),
                ("Anniversary", "n"), ("Occasion date", "d"), ("Organisers", "s"),
                ("Audience", "s"), ("Participants", "n"), ("Activities", "n"),
                ("Statements", "n"), ("Figures", "n"), ("Sources", "s"), ("Tags", "s"),
                ("Summary", "s")]),
    ("Participants", ITEM + [("Name", "s"), ("Role", "s"), ("Organisation", "s"),
                             ("Spoke", "b")]),
    ("Activities", ITEM + [("Kind", "s"), ("Title", "s"), ("Description", "s"),
                           ("Performers", "s")]),
    ("Statements", ITEM + [("Speaker", "s"), ("Summary", "s"), ("Quote", "s"),
                           ("Source ID", "s"), ("Attribution", "s")]),
    ("Figures", ITEM + [("Label", "s"), ("Value", "n"), ("Unit", "s"), ("Note", "s"),
                        ("Source ID", "s"), ("Attribution", "s")]),
    ("Sources", [("ID", "s"), ("Outlet", "s"), ("Published", "d"), ("Dateline", "s"),
                 ("Document", "s"), ("URL", "u"), ("Attribution", "s"), ("Events", "n"),
                 ("Statements", "n"), ("Figures", "n")]),
]


def widths(columns, rows):
    """Fitted widths: widest cell + 2, at least header + 4, at most 62."""
    w = [0] * len(columns)
    for row in rows:
        for i, v in enumerate(row):
            if v is None:
                continue
            if isinstance(v, str):
                n = display_width(v)
            elif isinstance(v, datetime.date):
                n = 10
            else:
                n = len(str(v))
            if n > w[i]:
                w[i] = n
    return [min(max(x + 2, len(h) + 4), 62) for x, (h, _) in zip(w, columns)], \
        [x > 60 for x in w]


class SheetWriter:
    """Writes one logical sheet, continuing on "Name (2)" past the row limit."""

    def __init__(self, wb, name, columns, sizes, fmt):
        self.wb, self.name, self.columns, self.fmt = wb, name, columns, fmt
        self.widths, wrap = sizes
        self.cell_fmt = [fmt["date"] if k == "d" else fmt["wrap"] if wrap[i] else fmt["top"]
                         for i, (_, k) in enumerate(columns)]
        self.part = 0
        self.ws = None
        self.row = MAX_ROWS

    def new_part(self):
        if self.ws:
            self.ws.autofilter(0, 0, self.row - 1, len(self.columns) - 1)
        self.part += 1
        name = self.name if self.part == 1 else f"{self.name} ({self.part})"
        ws = self.wb.add_worksheet(name)
        # constant memory: panes and widths before the rows
        ws.freeze_panes(1, 0)
        for i, w in enumerate(self.widths):
            ws.set_column(i, i, w)
        for i, (h, _) in enumerate(self.columns):
            ws.write_string(0, i, h, self.fmt["head"])
        self.ws, self.row = ws, 1

    def write(self, values):
        if self.row >= MAX_ROWS:
            self.new_part()
        ws, r, cf = self.ws, self.row, self.cell_fmt
        for i, v in enumerate(values):
            if v is None:
                continue
            kind = self.columns[i][1]
            if kind == "s" or isinstance(v, str) and kind == "d":
                ws.write_string(r, i, v, cf[i])
            elif kind == "d":
                ws.write_datetime(r, i, v, cf[i])
            elif kind == "n":
                ws.write_number(r, i, v, cf[i])
            elif kind == "b":
                ws.write_boolean(r, i, v, cf[i])
            else:
                ws.write_url(r, i, v, self.fmt["url"])
        self.row += 1

    def finish(self):
        if not self.ws:
            self.new_part()
        self.ws.autofilter(0, 0, self.row - 1, len(self.columns) - 1)


def count(items):
    c = {}
    for k in items:
        c[k] = c.get(k, 0) + 1
    return c


def summary_sheet(wb, ws, fmt, ds, events, n_sources_cited):
    ws.set_column(0, 0, 30)
    ws.set_column(1, 1, 62)
    ws.set_column(2, 2, 14)
    ws.write_string(0, 0, ds["title"], fmt["title"])
    row = 2
    rows = []
    if ds.get("description"):
        rows.append(("Description", ds["description"], fmt["wrap"]))
    if events:
        first = events[0]["date"]
        last = max(e.get("end_date", e["date"]) for e in events)
        rows += [("Period", f"{short_date(first)} – {short_date(last)}", None),
                 ("First event", day(first), fmt["date"]), ("Last event", day(last), fmt["date"])]
    else:
        rows.append(("Period", "no events", None))
    rows.append(("Generated (UTC)", datetime.datetime(2023, 11, 14, 22, 13, 20), fmt["stamp"]))
    for label, value, f in rows:
        ws.write_string(row, 0, label, fmt["bold"])
        ws.write(row, 1, value, f)
        row += 1
    row += 1
    ws.write_string(row, 0, "Headline counts", fmt["bold"])
    row += 1
    counts = [("Events", len(events)), ("Events in the dataset", len(ds["events"])),
              ("Countries", len({e["location"]["country_code"] for e in events})),
              ("Organisers", len({o for e in events for o in e.get("organizers", ())})),
              ("Participants", sum(len(e.get("participants", ())) for e in events)),
              ("Activities", sum(len(e.get("activities", ())) for e in events)),
              ("Statements", sum(len(e.get("statements", ())) for e in events)),
              ("Figures", sum(len(e.get("figures", ())) for e in events)),
              ("Sources cited", n_sources_cited)]
    for label, n in counts:
        ws.write_string(row, 0, label, fmt["bold"])
        ws.write_number(row, 1, n)
        row += 1
    ws.write_string(row, 0, "Note", fmt["bold"])
    ws.write_string(row, 1, "Claims made at events are recorded as statements and figures, each "
                    "attributed to the source that reports it (see the Attribution columns); "
                    "the software takes no side.", fmt["wrap"])
    row += 2
    by_year = count(int(e["date"][:4]) for e in events)
    names = {}
    for e in events:
        names[e["location"]["country_code"]] = e["location"]["country"]
    tables = [
        ("Events by year", ("Year", "Events"), sorted(by_year.items())),
        ("Events by country", ("Country", "Events", "Country code"),
         [(names[k], n, k) for k, n in sorted(count(e["location"]["country_code"] for e in events)
                                               .items(), key=lambda kv: (-kv[1], kv[0]))]),
        ("Events by organiser", ("Organiser", "Events"),
         sorted(count(o for e in events for o in e.get("organizers", ())).items(),
                key=lambda kv: (-kv[1], kv[0]))),
        ("Activities by kind", ("Kind", "Activities"),
         sorted(count(a["kind"] for e in events for a in e.get("activities", ())).items(),
                key=lambda kv: (-kv[1], kv[0]))),
    ]
    year_rows = None
    for title, head, items in tables:
        ws.write_string(row, 0, title, fmt["bold"])
        row += 1
        for i, h in enumerate(head):
            ws.write_string(row, i, h, fmt["head"])
        first = row + 1
        for item in items:
            row += 1
            for i, v in enumerate(item):
                ws.write(row, i, v)
        if year_rows is None:
            year_rows = (first, row)
        row += 2
    if events:
        chart = wb.add_chart({"type": "column"})
        chart.add_series({"name": "Events per year",
                          "categories": ["Summary", year_rows[0], 0, year_rows[1], 0],
                          "values": ["Summary", year_rows[0], 1, year_rows[1], 1]})
        chart.set_legend({"none": True})
        chart.set_y_axis({"name": "Events"})
        ws.insert_chart(1, 3, chart, {"x_scale": 2, "y_scale": 1.5})


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    t0 = time.monotonic()
    ds = load(sys.argv[1])
    t1 = time.monotonic()
    events = sorted(ds["events"], key=lambda e: (e["date"], e["id"]))
    attrib = {s["id"]: attribution(s) for s in ds["sources"]}
    cites = {}  # id -> [events, statements, figures]
    for e in events:
        for sid in e["sources"]:
            cites.setdefault(sid, [0, 0, 0])[0] += 1
        for s in e.get("statements", ()):
            cites.setdefault(s["source"], [0, 0, 0])[1] += 1
        for f in e.get("figures", ()):
            cites.setdefault(f["source"], [0, 0, 0])[2] += 1
    rows = {
        "Events": lambda: event_rows(events),
        "Participants": lambda: participant_rows(events),
        "Activities": lambda: activity_rows(events),
        "Statements": lambda: statement_rows(events, attrib),
        "Figures": lambda: figure_rows(events, attrib),
        "Sources": lambda: source_rows(ds["sources"], attrib, cites),
    }
    tmpdir = tempfile.mkdtemp(prefix="bench-xlsxwriter-")
    wb = xlsxwriter.Workbook(sys.argv[2], {"constant_memory": True, "tmpdir": tmpdir})
    wb.set_properties({"title": ds["title"], "author": "Chronicle",
                       "subject": f"Analyst workbook: {len(events)} events",
                       "comments": "Claims made at events are attributed to the sources that "
                                   "report them.",
                       "created": datetime.datetime(2023, 11, 14, 22, 13, 20)})
    fmt = {"head": wb.add_format({"bold": True, "bg_color": "#DCE6F1", "bottom": 1}),
           "date": wb.add_format({"num_format": "yyyy-mm-dd", "valign": "top"}),
           "stamp": wb.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"}),
           "top": wb.add_format({"valign": "top"}),
           "wrap": wb.add_format({"valign": "top", "text_wrap": True}),
           "url": wb.add_format({"valign": "top", "font_color": "blue", "underline": 1}),
           "bold": wb.add_format({"bold": True}),
           "title": wb.add_format({"bold": True, "font_size": 14})}
    summary_sheet(wb, wb.add_worksheet("Summary"), fmt, ds, events, len(cites))
    for name, columns in SHEETS:
        w = SheetWriter(wb, name, columns, widths(columns, rows[name]()), fmt)
        for values in rows[name]():
            w.write(values)
        w.finish()
    wb.close()
    shutil.rmtree(tmpdir, ignore_errors=True)
    t2 = time.monotonic()
    print(f"bench_xlsxwriter: load {t1 - t0:.2f} s, write {t2 - t1:.2f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
