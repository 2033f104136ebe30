"""End-to-end: the analyst workbook (formats/workbook.md).  Runs the real CLI,
reads every workbook back with openpyxl (and the raw zip where openpyxl is
silent) and compares every cell of every sheet with the input dataset,
loaded here independently: ids, dates as datetime, numbers, booleans, text
with exact Unicode, joined lists, header rows, frozen panes, tables or
autofilters, hyperlinks, document properties, byte-identical reruns,
formula-like text, empty selections, continuation sheets, Excel's limits,
constant-memory mode and the refusal of standard output."""

import datetime
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from urllib.parse import unquote

import openpyxl

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools"))
from expect import Tally, attribution, short_date  # noqa: E402

CHRONICLE = os.environ["CHRONICLE"]
SRC = os.environ["SOURCE_ROOT"]
EVENTS = os.path.join(SRC, "data", "events.json")
UNICODE = os.path.join(SRC, "tests", "data", "xlsx", "unicode.json")
EPOCH = int(os.environ.get("SOURCE_DATE_EPOCH", "1700000000"))
TMP = tempfile.mkdtemp(prefix="chronicle-xlsx-")
tally = Tally()
check = tally.check

SHEETS = ["Events", "Participants", "Activities", "Statements", "Figures", "Sources"]
HEADERS = {
    "Events": ["ID", "Date", "End date", "Title", "Venue", "City", "Country", "Country code",
               "Occasion", "Anniversary", "Occasion date", "Organisers", "Audience",
               "Participants", "Activities", "Statements", "Figures", "Sources", "Tags", "Summary"],
    "Participants": ["Event ID", "Event date", "No.", "Name", "Role", "Organisation", "Spoke"],
    "Activities": ["Event ID", "Event date", "No.", "Kind", "Title", "Description", "Performers"],
    "Statements": ["Event ID", "Event date", "No.", "Speaker", "Summary", "Quote", "Source ID",
                   "Attribution"],
    "Figures": ["Event ID", "Event date", "No.", "Label", "Value", "Unit", "Note", "Source ID",
                "Attribution"],
    "Sources": ["ID", "Outlet", "Published", "Dateline", "Document", "URL", "Attribution",
                "Events", "Statements", "Figures"],
}


def run(*args, env=None):
    e = dict(os.environ)
    e.pop("CHRONICLE_PLUGIN_PATH", None)
    e["CHRONICLE_PLUGIN_SYSTEM_PATH"] = "/nonexistent"  # hermetic: the build tree's plugins only
    if env:
        e.update(env)
    p = subprocess.run([CHRONICLE] + list(args), capture_output=True, env=e)
    return p.returncode, p.stdout.decode(), p.stderr.decode()


def export(data, out, *opts, env=None):
    args = ["export", "-f", "xlsx", "-o", out]
    for o in opts:
        args += ["-O", o] if "=" in o and not o.startswith("--") else [o]
    return run(*args, data, env=env)


def write_json(name, doc):
    path = os.path.join(TMP, name)
    with open(path, "w", encoding="utf-8") as f:
        json.dump(doc, f, ensure_ascii=False)
    return path


# ---- the expected workbook, from the dataset alone ----

def excel_units(s):
    return sum(2 if ord(c) > 0xFFFF else 1 for c in s)


def cut(s):
    """Excel keeps 32,767 UTF-16 units: longer text ends in an ellipsis."""
    if s is None or excel_units(s) <= 32767:
        return s
    out, n = [], 0
    for c in s:
        u = 2 if ord(c) > 0xFFFF else 1
        if n + u > 32766:
            break
        out.append(c)
        n += u
    return "".join(out) + "\u2026"


def text(s):
    return cut(s) if s else None


def joined(items):
    return cut("; ".join(items)) if items else None


def date_cell(s):
    if s is None:
        return None
    y, m, d = map(int, s.split("-"))
    return datetime.datetime(y, m, d) if (y, m, d) >= (1900, 3, 1) else s


def job_events(doc, since=None, country=None):
    evs = [e for e in doc["events"] if (since is None or e["date"] >= since)
           and (country is None or e["location"]["country_code"] == country)]
    return sorted(evs, key=lambda e: (e["date"].encode(), e["id"].encode()))


def cited_counts(doc, events):
    counts = {s["id"]: [0, 0, 0] for s in doc["sources"]}
    for e in events:
        for sid in e["sources"]:
            counts[sid][0] += 1
        for st in e.get("statements", []):
            counts[st["source"]][1] += 1
        for f in e.get("figures", []):
            counts[f["source"]][2] += 1
    return counts


def expected_sheets(doc, events):
    by_id = {s["id"]: s for s in doc["sources"]}
    rows = {name: [] for name in SHEETS}
    for e in events:
        loc, occ = e["location"], e["occasion"]
        rows["Events"].append([
            e["id"], date_cell(e["date"]), date_cell(e.get("end_date")), text(e["title"]),
            text(loc.get("venue")), text(loc.get("city")), text(loc["country"]), loc["country_code"],
            text(occ["subject"]), occ.get("anniversary"), date_cell(occ.get("of_date")),
            joined(e.get("organizers")), joined(e.get("audience")),
            len(e.get("participants", [])), len(e.get("activities", [])),
            len(e.get("statements", [])), len(e.get("figures", [])),
            joined(e["sources"]), joined(e.get("tags")), text(e.get("summary"))])
        key = lambda k: [e["id"], date_cell(e["date"]), k + 1]
        for k, p in enumerate(e.get("participants", [])):
            rows["Participants"].append(key(k) + [text(p["name"]), text(p.get("role")),
                                                  text(p.get("organization")), p.get("spoke")])
        for k, a in enumerate(e.get("activities", [])):
            rows["Activities"].append(key(k) + [a["kind"], text(a.get("title")),
                                                text(a.get("description")), joined(a.get("performers"))])
        for k, s in enumerate(e.get("statements", [])):
            rows["Statements"].append(key(k) + [text(s["speaker"]), text(s["summary"]),
                                                text(s.get("quote")), s["source"],
                                                attribution(by_id[s["source"]])])
        for k, f in enumerate(e.get("figures", [])):
            rows["Figures"].append(key(k) + [text(f["label"]), f["value"], text(f.get("unit")),
                                             text(f.get("note")), f["source"],
                                             attribution(by_id[f["source"]])])
    counts = cited_counts(doc, events)
    for s in doc["sources"]:
        c = counts[s["id"]]
        if any(c):
            rows["Sources"].append([s["id"], text(s.get("outlet")), date_cell(s.get("published")),
                                    text(s.get("dateline")), text(s["document"]), text(s.get("url")),
                                    attribution(s), c[0], c[1], c[2]])
    return rows


def by_count(tally, label=None):
    return sorted(tally.items(), key=lambda kv: (-kv[1], kv[0].encode()))


NOTE = ("Claims made at events are recorded as statements and figures, each attributed to the "
        "source that reports it (see the Attribution columns); the software takes no side.")
CHART_ROWS = 16  # rows the chart covers, on the right beside the headline counts


def selection_line(doc, events, extra=""):
    """The selection as the briefing's cover words it: "all 4 events", "1 of 4
    events", then the filters (extra: " · from 1 January 2100")."""
    n, total = len(events), len(doc["events"])
    noun = "event" if total == 1 else "events"
    head = (f"{n} {noun}" if total == 1 else f"all {n} events") if n == total else \
        f"{n} of {total} {noun}"
    return head + extra


def expected_summary(doc, events, group=None, selection=None):
    """The Summary as formats/workbook.md lays it out: {(row, col): value},
    1-based, columns A..F; the rows of the year table's data; the period."""
    first = min((e["date"] for e in events), default=None)
    last = max((e.get("end_date", e["date"]) for e in events), default=None)
    period = "no events" if not first else short_date(first) if first == last else \
        f"{short_date(first)} \u2013 {short_date(last)}"
    years, countries, names, orgs, kinds = {}, {}, {}, {}, {}
    for e in events:
        years[int(e["date"][:4])] = years.get(int(e["date"][:4]), 0) + 1
        cc = e["location"]["country_code"]
        countries[cc] = countries.get(cc, 0) + 1
        names[cc] = e["location"]["country"]
        for o in e.get("organizers", []):
            orgs[o] = orgs.get(o, 0) + 1
        for a in e.get("activities", []):
            kinds[a["kind"]] = kinds.get(a["kind"], 0) + 1
    g = {(1, 1): doc["title"] + (f" \u2014 {group}" if group else "")}
    row = 3
    if doc.get("description"):
        g[row, 1], g[row, 2] = "Description", doc["description"]
        row += 1
    g[row, 1], g[row, 2] = "Note", NOTE
    top = row + 2

    def put(r, *cells):  # cells: (col, value)
        for c, v in cells:
            g[r, c] = v
        return r + 1

    # left: A labels and keys, B values and counts, C country codes
    r = top
    if group:
        r = put(r, (1, "Group"), (2, group))
    r = put(r, (1, "Period"), (2, period))
    r = put(r, (1, "Selection"), (2, selection or selection_line(doc, events)))
    if first:
        r = put(r, (1, "First event"), (2, date_cell(first)))
        r = put(r, (1, "Last event"), (2, date_cell(last)))
    r = put(r, (1, "Generated (UTC)"), (2, datetime.datetime.utcfromtimestamp(EPOCH))) + 1
    n = lambda k: sum(len(e.get(k, [])) for e in events)
    r = put(r, (1, "Headline counts"))
    for label, value in [("Events", len(events)), ("Events in the dataset", len(doc["events"])),
                         ("Countries", len(countries)), ("Organisers", len(orgs)),
                         ("Participants", n("participants")), ("Activities", n("activities")),
                         ("Statements", n("statements")), ("Figures", n("figures")),
                         ("Sources cited", sum(1 for c in cited_counts(doc, events).values() if any(c)))]:
        r = put(r, (1, label), (2, value))
    r = put(r + 1, (1, "Events by year"))
    r = put(r, (1, "Year"), (2, "Events"))
    # every year from the first to the last, 0 included; more than 30 empty
    # years in a row are one row, "1901\u20132022"
    span, prev = [], None
    for y in sorted(years):
        if prev is not None and y - prev - 1 > 30:
            span.append((f"{prev + 1}\u2013{y - 1}", 0))
        elif prev is not None:
            span += [(z, 0) for z in range(prev + 1, y)]
        span.append((y, years[y]))
        prev = y
    year_rows = (r, r + len(span) - 1)
    for y, c in span:
        r = put(r, (1, y), (2, c))
    r = put(r + 1, (1, "Events by country"))
    r = put(r, (1, "Country"), (2, "Events"), (3, "Country code"))
    for k, c in by_count(countries):
        r = put(r, (1, names[k]), (2, c), (3, k))
    # right: E keys, F counts, below the chart
    r = top + (CHART_ROWS + 1 if events else 0)
    for title, key, what, tally in [("Events by organiser", "Organiser", "Events", orgs),
                                    ("Activities by kind", "Kind", "Activities", kinds)]:
        r = put(r, (5, title))
        r = put(r, (5, key), (6, what))
        for k, c in by_count(tally):
            r = put(r, (5, k), (6, c))
        r += 1
    return g, year_rows, period


# ---- reading back ----

def excel_text(v):
    """What Excel shows for a stored string, as far as the workbook escapes:
    "_x005F_" is an escaped underscore (openpyxl 3.0 decodes it in shared
    strings only, and nothing else; inline strings come back raw)."""
    return v.replace("_x005F_", "_")


def same(actual, dtype, expected):
    if expected is None:
        return actual is None
    if isinstance(expected, bool):
        return dtype == "b" and actual is expected
    if isinstance(expected, (int, float)):
        return dtype == "n" and not isinstance(actual, bool) and isinstance(actual, (int, float)) \
            and actual == expected and (type(actual) is int or type(expected) is not int)
    if isinstance(expected, datetime.datetime):
        return isinstance(actual, datetime.datetime) and actual == expected
    return dtype == "s" and isinstance(actual, str) and excel_text(actual) == expected


def sheet_rows(ws, width):
    out = []
    for row in ws.iter_rows(min_row=1, max_row=ws.max_row, max_col=width):
        out.append([(c.value, c.data_type) for c in row])
    return out


def part_names(base, n_rows, per_sheet):
    parts = max(1, -(-n_rows // per_sheet))
    return [base if i == 1 else f"{base} ({i})" for i in range(1, parts + 1)]


def col_letter(n):
    s = ""
    while n:
        n, r = divmod(n - 1, 26)
        s = chr(65 + r) + s
    return s


def compare_data_sheets(label, wb, expected, per_sheet=1048575, mode="tables"):
    """Every data sheet: names of the parts, header rows, every cell, frozen
    panes, and a table or an autofilter over exactly the rows of the part."""
    names = ["Summary"]
    for base in SHEETS:
        names += part_names(base, len(expected[base]), per_sheet)
    check(f"{label}: sheet names", wb.sheetnames == names, wb.sheetnames)
    for base in SHEETS:
        header, want = HEADERS[base], expected[base]
        got, parts = [], part_names(base, len(want), per_sheet)
        for i, name in enumerate(parts):
            if name not in wb.sheetnames:
                continue
            ws = wb[name]
            rows = sheet_rows(ws, len(header))
            check(f"{label}: {name} header", [v for v, _ in rows[0]] == header, rows[0])
            check(f"{label}: {name} width", ws.max_column == len(header), ws.max_column)
            check(f"{label}: {name} frozen", ws.freeze_panes == "A2", ws.freeze_panes)
            n = len(rows) - 1
            check(f"{label}: {name} rows in part", n == min(per_sheet, len(want) - i * per_sheet), n)
            ref = f"A1:{col_letter(len(header))}{n + 1}"
            if mode == "tables" and n:
                tables = {t: ws.tables[t] for t in ws.tables}
                tname = base if i == 0 else f"{base}_{i + 1}"
                check(f"{label}: {name} table", list(tables) == [tname] and ws.tables[tname].ref == ref,
                      {k: getattr(v, "ref", v) for k, v in tables.items()})
                check(f"{label}: {name} no autofilter", ws.auto_filter.ref is None, ws.auto_filter.ref)
            else:
                check(f"{label}: {name} autofilter", ws.auto_filter.ref == ref, ws.auto_filter.ref)
                check(f"{label}: {name} no table", len(ws.tables) == 0, list(ws.tables))
            got += rows[1:]
        check(f"{label}: {base} row count", len(got) == len(want), (len(got), len(want)))
        bad = [(r + 2, header[c], got[r][c], want[r][c]) for r in range(min(len(got), len(want)))
               for c in range(len(header)) if not same(got[r][c][0], got[r][c][1], want[r][c])]
        check(f"{label}: {base} every cell", not bad, bad[:5])


def compare_summary(label, wb, doc, events, group=None, selection=None):
    ws = wb["Summary"]
    want, year_rows, period = expected_summary(doc, events, group, selection)
    rows = max(r for r, _ in want)
    check(f"{label}: Summary size", ws.max_column <= 6 and ws.max_row <= rows,
          (ws.max_row, ws.max_column, rows))
    bad = [(c.coordinate, c.value, want.get((c.row, c.column))) for row in
           ws.iter_rows(min_row=1, max_row=max(rows, ws.max_row), max_col=6) for c in row
           if not same(c.value, c.data_type, want.get((c.row, c.column)))]
    check(f"{label}: Summary every cell", not bad, bad[:5])
    return year_rows, period


def load(path):
    return openpyxl.load_workbook(path)


def heights(wb):
    return {ws.title: {r: d.height for r, d in ws.row_dimensions.items() if d.height}
            for ws in wb.worksheets}


def check_heights(label, wb):
    """Every data row holding wrapped text that needs more than a line has a
    height of 15 pt a line at least (Excel's; LibreOffice needs less), at
    most Excel's 409; no other row has one.  The lines are counted from
    below: line feeds, and 1.5 characters a width unit (natural text is
    narrower than that, and tests/e2e/clients checks LibreOffice's own
    breaking)."""
    short, stray, n = [], [], 0
    for ws in wb.worksheets[1:]:
        widths = {k: v.width for k, v in ws.column_dimensions.items()}
        for row in ws.iter_rows(min_row=2):
            need, wrapped = 1, False
            for c in row:
                if isinstance(c.value, str) and c.alignment.wrap_text:
                    wrapped = True
                    per_line = 1.5 * widths.get(c.column_letter, 8.43)
                    need = max(need, sum(max(1, -(-len(p) // int(per_line)))
                                         for p in c.value.split("\n")))
            h = ws.row_dimensions[row[0].row].height
            if need > 1:
                n += 1
                if not h or h < min(409, 15 * need) or h > 409:
                    short.append((ws.title, row[0].row, need, h))
            elif h and not wrapped:
                stray.append((ws.title, row[0].row, h))
    check(f"{label}: rows of wrapped text have heights for their lines ({n} rows)",
          n and not short, short[:5])
    check(f"{label}: no height on rows without wrapped text", not stray, stray[:5])


def check_print(label, wb, title, paper=9, one_page_summary=True):
    """Page setup of every sheet (formats/workbook.md, Printing)."""
    bad = []
    for ws in wb.worksheets:
        ps, props = ws.page_setup, ws.sheet_properties.pageSetUpPr
        got = {"header": (ws.oddHeader.left.text, ws.oddHeader.right.text),
               "footer": ws.oddFooter.center.text, "paper": int(ps.paperSize or 0),
               "fit": bool(props and props.fitToPage), "width": ps.fitToWidth,
               "margins": (ws.page_margins.left, ws.page_margins.right)}
        want = {"header": (title, "&A"), "footer": "Page &P of &N", "paper": paper, "fit": True,
                "width": None, "margins": (0.5, 0.5)}  # fitToWidth="1" is the default, left out
        if ws.title == "Summary":
            got.update(orientation=ps.orientation, height=ps.fitToHeight)
            want.update(orientation="portrait", height=None if one_page_summary else 0)
        else:
            got.update(orientation=ps.orientation, height=ps.fitToHeight,
                       titles=ws.print_title_rows, grid=ws.print_options.gridLines)
            want.update(orientation="landscape", height=0, titles="$1:$1", grid=True)
        if got != want:
            bad.append((ws.title, {k: got[k] for k in got if got[k] != want.get(k)}))
    check(f"{label}: page setup of every sheet", not bad, bad[:3])


def no_formulas(label, wb):
    f = [(ws.title, c.coordinate) for ws in wb.worksheets for row in ws.iter_rows() for c in row
         if c.data_type == "f"]
    check(f"{label}: no formula anywhere", not f, f[:5])


def leftovers(d):
    return [f for f in os.listdir(d) if f.startswith(".")]


# ---- the tests ----

def test_events_json():
    doc = json.load(open(EVENTS, encoding="utf-8"))
    events = job_events(doc)
    out = os.path.join(TMP, "events.xlsx")
    rc, _, err = export(EVENTS, out)
    if not check("events.json export", rc == 0, err):
        return
    check("no temp files left", leftovers(TMP) == [], leftovers(TMP))
    wb = load(out)
    compare_data_sheets("events.json", wb, expected_sheets(doc, events))
    year_rows, period = compare_summary("events.json", wb, doc, events)
    no_formulas("events.json", wb)
    p = wb.properties
    check("property title", p.title == doc["title"], p.title)
    check("property creator", p.creator == "Chronicle", p.creator)
    check("property created", p.created == datetime.datetime.utcfromtimestamp(EPOCH), p.created)
    check("property subject", p.subject == f"Analyst workbook: {len(events)} events, {period}", p.subject)
    ws = wb["Events"]
    check("header bold with fill", ws["A1"].font.b and ws["A1"].fill.fgColor.rgb.endswith("DCE6F1"),
          (ws["A1"].font.b, ws["A1"].fill.fgColor.rgb))
    check("date format", ws["B2"].number_format == "yyyy-mm-dd", ws["B2"].number_format)
    check("long text wraps", ws["T2"].alignment.wrap_text is True, ws["T2"].alignment)
    widths = {k: v.width for k, v in ws.column_dimensions.items()}
    check("widths fitted and capped", all(6 <= w <= 63 for w in widths.values()), widths)
    check("short column stays narrow", widths.get("H", 99) < 20, widths.get("H"))
    check("long column capped", widths.get("T", 0) > 55, widths.get("T"))
    z = zipfile.ZipFile(out)
    charts = [n for n in z.namelist() if n.startswith("xl/charts/")]
    xml = z.read(charts[0]).decode() if charts else ""
    a, b = year_rows
    check("chart of events per year", f"Summary!$A${a}:$A${b}" in xml and f"Summary!$B${a}:$B${b}" in xml,
          (charts, re.findall(r"<c:f>[^<]*</c:f>", xml)))
    ws = wb["Summary"]
    years = [ws.cell(r, 1).value for r in range(a, b + 1)]
    first, last = int(events[0]["date"][:4]), max(int(e["date"][:4]) for e in events)
    check("chart years continuous, years without events as 0",
          years == list(range(first, last + 1)) and 0 in [ws.cell(r, 2).value for r in range(a, b + 1)],
          years)
    check("chart value axis from 0 in whole steps",
          '<c:valAx>' in xml and re.search(r'<c:valAx>.*<c:min val="0"/>.*<c:majorUnit val="1"/>', xml)
          and 'formatCode="0"' in xml, re.findall(r"<c:(?:min|max|majorUnit) [^>]*>", xml))
    al = lambda ref: ws[ref].alignment.horizontal
    gen = next(r for r in range(1, 30) if ws.cell(r, 1).value == "Generated (UTC)")
    check("Summary: dates and the generation time right-aligned",
          all(al(f"B{r}") in (None, "general", "right") and ws[f"B{r}"].is_date
              for r in (gen - 2, gen - 1, gen)), [al(f"B{r}") for r in (gen - 2, gen - 1, gen)])
    codes = [r for r in range(1, ws.max_row + 1) if ws.cell(r, 3).value in {"AZ", "CN", "FR", "QA"}]
    check("Summary: country codes centred in their own column, apart from the counts",
          len(codes) == 4 and all(al(f"C{r}") == "center" for r in codes)
          and ws.column_dimensions["B"].width < 20, codes)
    check("Summary: the description's row grows with its text",
          (ws.row_dimensions[3].height or 0) >= 60, ws.row_dimensions[3].height)
    check_heights("events.json", wb)
    check_print("events.json", wb, doc["title"])
    # constant memory: the page setup lives in the frame's sheet XML and the
    # heights on the streamed <row> elements
    cm = os.path.join(TMP, "events-constant.xlsx")
    rc, _, err = export(EVENTS, cm, "xlsx.constant-memory=true")
    if check("events.json constant-memory export", rc == 0, err):
        wbc = load(cm)
        check("constant memory: the same row heights as normal mode", heights(wbc) == heights(wb),
              {k: v for k, v in heights(wbc).items() if v != heights(wb)[k]})
        check_heights("events.json constant memory", wbc)
        check_print("events.json constant memory", wbc, doc["title"])
        xml = sheet_xml(cm, "Statements")
        check("constant memory: streamed rows carry ht and customHeight",
              re.search(r'<row r="\d+" ht="\d+(\.\d+)?" customHeight="1">', xml), xml[:300])
    # same input, same SOURCE_DATE_EPOCH: same bytes; another epoch: another date
    out2 = os.path.join(TMP, "events2.xlsx")
    export(EVENTS, out2)
    check("identical bytes for identical runs", open(out, "rb").read() == open(out2, "rb").read())
    export(EVENTS, out2, env={"SOURCE_DATE_EPOCH": str(EPOCH + 86400)})
    check("created follows SOURCE_DATE_EPOCH",
          load(out2).properties.created == datetime.datetime.utcfromtimestamp(EPOCH + 86400))


def test_unicode_and_formulas():
    doc = json.load(open(UNICODE, encoding="utf-8"))
    events = job_events(doc)
    expected = expected_sheets(doc, events)
    outs = {}
    for mode, opts in [("tables", []), ("autofilter", ["xlsx.tables=false"]),
                       ("constant", ["xlsx.constant-memory=true"])]:
        out = outs[mode] = os.path.join(TMP, f"unicode-{mode}.xlsx")
        rc, _, err = export(UNICODE, out, *opts)
        if not check(f"unicode {mode} export", rc == 0, err):
            return
        wb = load(out)
        compare_data_sheets(f"unicode {mode}", wb, expected, mode=mode)
        compare_summary(f"unicode {mode}", wb, doc, events)
        no_formulas(f"unicode {mode}", wb)
        urls = [(c.value, c.hyperlink.target if c.hyperlink else None) for c in wb["Sources"]["F"][1:]]
        want = [r[5] for r in expected["Sources"]]
        check(f"unicode {mode}: URL cells are hyperlinks to their URL",
              [u for u, _ in urls] == want and all(
                  unquote(t) == unquote(u) if u else t is None for u, t in urls), urls)
    wb = load(outs["tables"])
    formula_like = {}
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if isinstance(c.value, str) and c.value[:1] in "=+-@":
                    formula_like[c.value] = c.data_type
    for s in ["=1+1", "+SUM(A1)", "-3", "@x", "=SUM(1,2)", "@count",
              '=HYPERLINK("http://example.org","click")']:
        check(f"formula-like {s!r} stays text", formula_like.get(s) == "s", formula_like)
    shared = zipfile.ZipFile(outs["tables"]).read("xl/sharedStrings.xml").decode()
    check("literal _x0041_ escaped for Excel (shared strings)",
          "_x005F_x0041_" in shared and "' _x0041_" not in shared)
    inline = sheet_xml(outs["constant"], "Statements")
    check("literal _x0041_ escaped for Excel (inline strings)",
          "_x005F_x0041_" in inline and "' _x0041_" not in inline)
    again = os.path.join(TMP, "unicode-constant-again.xlsx")
    export(UNICODE, again, "xlsx.constant-memory=true")
    check("constant memory: identical bytes for identical runs",
          open(again, "rb").read() == open(outs["constant"], "rb").read())
    # constant memory and normal mode hold the same values, cell for cell
    norm = lambda v: excel_text(v) if isinstance(v, str) else v
    a, b = load(outs["tables"]), load(outs["constant"])
    diff = [(ws.title, c.coordinate) for ws in a.worksheets for row in ws.iter_rows() for c in row
            if norm(c.value) != norm(b[ws.title][c.coordinate].value)]
    check("constant memory = normal mode", a.sheetnames == b.sheetnames and not diff, diff[:5])
    # line feeds wrap a column however narrow, and count as lines
    lf = [c for row in a["Activities"].iter_rows(min_row=2) for c in row
          if isinstance(c.value, str) and "\n" in c.value]
    ws = a["Summary"]
    keys = [ws.cell(r, 1).value for r in range(1, ws.max_row + 1)]
    check("unicode: more than 30 years without events are one row of the year table",
          "1901\u20132022" in keys and keys[keys.index("1901\u20132022") - 1] == 1900
          and keys[keys.index("1901\u20132022") + 1] == 2023, keys[:40])
    check("unicode: a column with line feeds wraps, however narrow",
          lf and all(c.alignment.wrap_text and a["Activities"].row_dimensions[c.row].height >= 30
                     for c in lf), [(c.coordinate, c.alignment.wrap_text) for c in lf])
    check_heights("unicode tables", a)
    check_heights("unicode constant", b)
    check("unicode: constant memory has the row heights of normal mode", heights(a) == heights(b),
          {k: (v, heights(b)[k]) for k, v in heights(a).items() if v != heights(b)[k]})


def test_empty_selection():
    doc = json.load(open(EVENTS, encoding="utf-8"))
    out = os.path.join(TMP, "empty.xlsx")
    rc, _, err = export(EVENTS, out, "--since", "2100-01-01")
    if not check("empty selection export", rc == 0, err):
        return
    wb = load(out)
    compare_data_sheets("empty", wb, expected_sheets(doc, []))
    for name in SHEETS:
        check(f"empty: {name} header only", wb[name].max_row == 1, wb[name].max_row)
    compare_summary("empty", wb, doc, [], selection=selection_line(doc, [], " \u00b7 from 1 January 2100"))
    check("empty: no chart", not [n for n in zipfile.ZipFile(out).namelist() if "chart" in n])
    rc, _, err = export(os.path.join(SRC, "data", "samples", "empty.json"), out)
    check("empty dataset: valid workbook", rc == 0 and load(out)["Events"].max_row == 1, err)


def generated(n_events, seed=7):
    """Events with 3-5 participants each, so that small sheet limits continue."""
    sources = [{"id": f"src-{i}", "outlet": f"Outlet {i}", "published": f"2023-01-{i + 1:02d}",
                "document": f"doc-{i}.txt", "url": f"https://example.org/{i}"} for i in range(4)]
    events = []
    for i in range(n_events):
        events.append({
            "id": f"ev-{i:03d}", "title": f"Event {i} — Ə ş ğ", "date": f"2023-02-{i % 28 + 1:02d}",
            "location": {"city": "Bakı", "country": "Azerbaijan", "country_code": "AZ"},
            "occasion": {"subject": "Khojaly, 25–26 February 1992", "anniversary": 31},
            "participants": [{"name": f"Person {i}.{k}", "spoke": k % 2 == 0}
                             for k in range(3 + (i * seed) % 3)],
            "activities": [{"kind": "speech"}],
            "figures": [{"label": "Attendees", "value": i * 10, "source": f"src-{i % 4}"}],
            "sources": [f"src-{i % 4}"]})
    return {"schema": "chronicle/events@1", "title": "Generated", "sources": sources, "events": events}


def test_continuation_sheets():
    doc = generated(23)
    path = write_json("generated.json", doc)
    expected = expected_sheets(doc, job_events(doc))
    check("fixture has more participants than a sheet holds", len(expected["Participants"]) > 30)
    for mode, opts in [("tables", []), ("constant", ["xlsx.constant-memory=true"])]:
        out = os.path.join(TMP, f"continued-{mode}.xlsx")
        rc, _, err = export(path, out, "xlsx.sheet-rows=10", *opts)
        if not check(f"sheet-rows=10 {mode} export", rc == 0, err):
            continue
        wb = load(out)
        check(f"continuation {mode}: Participants (2) exists", "Participants (2)" in wb.sheetnames,
              wb.sheetnames)
        compare_data_sheets(f"continued {mode}", wb, expected, per_sheet=10, mode=mode)
        ids = [(r[0].value, r[2].value) for n in wb.sheetnames if n.startswith("Participants")
               for r in wb[n].iter_rows(min_row=2)]
        check(f"continuation {mode}: every participant exactly once",
              sorted(ids) == sorted((r[0], r[2]) for r in expected["Participants"])
              and len(set(ids)) == len(ids), len(ids))
    rc, _, err = export(path, os.path.join(TMP, "x.xlsx"), "xlsx.sheet-rows=5")
    check("sheet-rows below 10 refused", rc == 64 and "sheet-rows" in err, (rc, err))


def test_split_group():
    doc = json.load(open(EVENTS, encoding="utf-8"))
    out = os.path.join(TMP, "split")
    rc, _, err = run("export", "-f", "xlsx", "--split-by", "country", "-o", out + "/", EVENTS)
    if not check("split export", rc == 0, err):
        return
    cc = doc["events"][0]["location"]["country_code"]
    wb = load(os.path.join(out, f"events-{cc}.xlsx"))
    events = job_events(doc, country=cc)
    compare_summary(f"split {cc}", wb, doc, events, group=cc)
    compare_data_sheets(f"split {cc}", wb, expected_sheets(doc, events))
    check("split: title names the group", wb.properties.title == f"{doc['title']} \u2014 {cc}",
          wb.properties.title)


def test_limits():
    """Cells past 32,767 characters, URLs past 2,079, numbers past 16 digits."""
    long_summary = ("Ə" * 20000) + ("🕯" * 7000) + "tail"
    long_url = "https://example.org/" + "a" * 2100
    doc = {"schema": "chronicle/events@1", "title": "Limits",
           "sources": [{"id": "s1", "document": "d.txt", "url": long_url},
                       {"id": "s2", "document": "e.txt", "url": "https://example.org/ok"}],
           "events": [{"id": "e1", "title": "Long", "date": "2023-02-24",
                       "location": {"country": "Azerbaijan", "country_code": "AZ"},
                       "occasion": {"subject": "Khojaly"}, "summary": long_summary,
                       "figures": [{"label": "Ratio", "value": 0.1 + 0.2, "source": "s1"}],
                       "sources": ["s1", "s2"]}]}
    path = write_json("limits.json", doc)
    out = os.path.join(TMP, "limits.xlsx")
    rc, _, err = export(path, out)
    if not check("limits export", rc == 0, err):
        return
    wb = load(out)
    got = wb["Events"]["T2"].value
    check("long cell truncated at 32,767 characters with an ellipsis",
          got == cut(long_summary) and excel_units(got) == 32767 and got.endswith("\u2026"),
          (len(got or ""), excel_units(got or "")))
    check("truncation warned", "1 cell longer than 32,767 characters truncated" in err
          and "'Events'!T2" in err, err)
    ws = wb["Sources"]
    check("over-long URL kept as plain text", ws["F2"].value == long_url and ws["F2"].hyperlink is None,
          ws["F2"].hyperlink)
    check("ordinary URL still a link", ws["F3"].hyperlink is not None
          and ws["F3"].hyperlink.target == "https://example.org/ok")
    check("plain URL warned", "1 URL written as plain text" in err, err)
    v = wb["Figures"]["E2"].value
    check("17-digit number kept to 16 digits", v == float(f"{0.1 + 0.2:.16G}"), v)
    check("rounding warned", "1 number rounded to 16 significant digits" in err, err)
    ws = wb["Events"]
    check("a cell taller than a row can be: the tallest row, shown from its start",
          ws.row_dimensions[2].height == 409 and ws["T2"].alignment.vertical == "top"
          and ws["T2"].alignment.wrap_text, (ws.row_dimensions[2].height, ws["T2"].alignment))
    check("over-long URL wraps to the tallest row too", wb["Sources"].row_dimensions[2].height == 409,
          wb["Sources"].row_dimensions[2].height)
    check("too-tall cells warned", "2 cells with more lines than a row shows" in err
          and "first: 'Events'!T2" in err, err)


def sheet_xml(path, name):
    z = zipfile.ZipFile(path)
    wbx = z.read("xl/workbook.xml").decode()
    rels = z.read("xl/_rels/workbook.xml.rels").decode()
    rid = re.search(r'<sheet name="%s" sheetId="\d+" r:id="(rId\d+)"' % re.escape(name), wbx).group(1)
    target = re.search(r'Id="%s" Type="[^"]+" Target="([^"]+)"' % rid, rels).group(1)
    return z.read("xl/" + target).decode()


def sheet_links(path, name):
    """A sheet's <hyperlinks> element and its relationships part ("" if none)."""
    z = zipfile.ZipFile(path)
    wbx = z.read("xl/workbook.xml").decode()
    rels = z.read("xl/_rels/workbook.xml.rels").decode()
    rid = re.search(r'<sheet name="%s" sheetId="\d+" r:id="(rId\d+)"' % re.escape(name), wbx).group(1)
    target = re.search(r'Id="%s" Type="[^"]+" Target="([^"]+)"' % rid, rels).group(1)
    xml = z.read("xl/" + target).decode()
    links = re.search(r"<hyperlinks>.*</hyperlinks>", xml)
    part = "xl/" + target.replace("worksheets/", "worksheets/_rels/") + ".rels"
    return (links.group(0) if links else "",
            z.read(part).decode() if part in z.namelist() else "")


def test_streamed_links_as_libxlsxwriter_writes_them():
    """Constant memory streams the Sources sheet's links itself: the same
    <hyperlinks>, relationships (TargetMode="External") and cells as
    libxlsxwriter writes in normal mode, part by part, with its escaping
    (%-escapes, a '#' location, XML attributes); a URL libxlsxwriter would
    take for an internal or mailto link leaves the sheet to libxlsxwriter."""
    urls = ["https://example.org/a#frag&x=\"1\"", "https://example.org/100%/x%2Fy%zz?q=\"q\"&a=<b>",
            "https://example.org/[a]{b}^c`d|e", "https://example.org/p#", "https://example.org/_x0041_"]
    urls += [f"https://example.org/{i}?a=1&b=2" for i in range(20)]
    for extra, streamed in (([], True), (["https://example.org/?to=mailto:x"], False)):
        # 25 or 26 sources at 10 rows a sheet: three parts
        us = urls + extra
        doc = {"schema": "chronicle/events@1", "title": "Links",
               "sources": [{"id": f"s{i}", "document": f"d{i}.txt", "url": u} for i, u in enumerate(us)],
               "events": [{"id": "e1", "title": "Cites them", "date": "2023-02-24",
                           "location": {"country": "Azerbaijan", "country_code": "AZ"},
                           "occasion": {"subject": "Khojaly"}, "sources": [f"s{i}" for i in range(len(us))]}]}
        path = write_json("links.json", doc)
        outs = {}
        for mode, opts in (("normal", ["xlsx.tables=false"]), ("constant", ["xlsx.constant-memory=true"])):
            outs[mode] = os.path.join(TMP, f"links-{mode}.xlsx")
            rc, _, err = export(path, outs[mode], "xlsx.sheet-rows=10", *opts)
            if not check(f"links {mode} export", rc == 0, err):
                return
        names = ["Sources", "Sources (2)", "Sources (3)"]
        for name in names:
            a, b = sheet_links(outs["normal"], name), sheet_links(outs["constant"], name)
            check(f"links: {name}: hyperlinks and relationships as libxlsxwriter's", a == b and a[0] and a[1],
                  (a, b))
        check("links: External target mode", 'TargetMode="External"' in sheet_links(outs["constant"], "Sources")[1])
        wa, wb = load(outs["normal"]), load(outs["constant"])
        for name in names:
            ca = [(c.value, c.hyperlink.target if c.hyperlink else None) for c in wa[name]["F"][1:]]
            cb = [(c.value, c.hyperlink.target if c.hyperlink else None) for c in wb[name]["F"][1:]]
            check(f"links: {name}: the same URL cells and targets", ca == cb and all(t for _, t in cb), (ca, cb))
        if streamed:  # libxlsxwriter shows a URL holding "mailto:" from past it
            got = [c.value for name in names for c in wb[name]["F"][1:]]
            check("links: every URL once, in order", got == us, got)


def test_hyperlink_count_and_auto_constant_memory():
    n = 65535
    doc = {"schema": "chronicle/events@1", "title": "Many sources",
           "sources": [{"id": f"s{i}", "document": f"d{i}.txt", "url": f"https://example.org/{i}"}
                       for i in range(n)],
           "events": [{"id": "e1", "title": "Cites them all", "date": "2023-02-24",
                       "location": {"country": "Azerbaijan", "country_code": "AZ"},
                       "occasion": {"subject": "Khojaly"}, "sources": [f"s{i}" for i in range(n)]}]}
    path = write_json("many.json", doc)
    out = os.path.join(TMP, "many.xlsx")
    rc, _, err = export(path, out, "-v")
    if not check("many sources export", rc == 0, err):
        return
    check("auto constant memory above 50,000 rows", "constant-memory mode, autofilters" in err, err)
    xml = sheet_xml(out, "Sources")
    check("at most 65,530 hyperlinks on a sheet", xml.count("<hyperlink ") == 65530, xml.count("<hyperlink "))
    check("the rest as text, warned", f"{n - 65530} URLs written as plain text" in err, err)
    wb = openpyxl.load_workbook(out, read_only=True)
    ws = wb["Sources"]
    col = [r[0] for r in ws.iter_rows(min_row=2, min_col=6, max_col=6, values_only=True)]
    check("every URL present once", col == [f"https://example.org/{i}" for i in range(n)], len(col))
    ev = next(wb["Events"].iter_rows(min_row=2, max_row=2, values_only=True))
    check("huge list cell truncated", ev[17] == cut("; ".join(f"s{i}" for i in range(n))), len(ev[17] or ""))
    wb.close()


def test_compression_changes_only_the_size():
    """xlsx.compression is the libdeflate level of the streamed sheets: every
    entry inflates to the same bytes at level 1 and 12, and 12 is smaller.
    The generated dataset makes sheets of several megabytes, deflated in
    pieces that must join into one stream."""
    big = os.path.join(TMP, "gen1500.json")
    subprocess.run([sys.executable, os.path.join(SRC, "tests", "tools", "gen_events.py"),
                    "-n", "1500", "-o", big], check=True, capture_output=True)
    small = None
    for data, levels in ((EVENTS, (1, 12)), (big, (1, 6))):
        parts, sizes = {}, {}
        small = small or parts
        for level in levels:
            out = os.path.join(TMP, f"level{level}.xlsx")
            rc, _, err = export(data, out, "xlsx.constant-memory=true", f"xlsx.compression={level}")
            if not check(f"compression={level} export", rc == 0, err):
                return
            with zipfile.ZipFile(out) as z:
                check(f"compression={level}: every entry's CRC holds", z.testzip() is None)
                parts[level] = {n: z.read(n) for n in z.namelist()}
            sizes[level] = os.path.getsize(out)
        lo, hi = levels
        check("compression: the same entries, byte for byte once inflated", parts[lo] == parts[hi])
        check(f"compression: level {hi} is smaller than level {lo}", sizes[hi] < sizes[lo], sizes)
    events = max(len(v) for k, v in parts[1].items() if k.startswith("xl/worksheets/"))
    check("compression: a sheet deflated in several pieces", events > 2 << 20, events)
    parts = small
    for bad in (0, 13):
        rc, _, err = export(EVENTS, os.path.join(TMP, "bad.xlsx"), f"xlsx.compression={bad}")
        check(f"compression={bad} refused", rc == 64 and "compression" in err, (rc, err))
    # ZIP64 headers, as a workbook past 4 GiB has them: the same cells
    out = os.path.join(TMP, "zip64.xlsx")
    rc, _, err = export(EVENTS, out, "xlsx.constant-memory=true", "xlsx.zip64=always")
    if check("zip64=always export", rc == 0, err):
        with zipfile.ZipFile(out) as z:
            check("zip64: the same entries, byte for byte once inflated",
                  {n: z.read(n) for n in z.namelist()} == parts[1])
            check("zip64: no archive errors", z.testzip() is None)


def test_every_cpu_measures_as_one():
    """The sheets are measured on every CPU through cursors, each share of
    the events into counts of its own, then added up: the workbook is the
    one a single CPU makes (taskset), byte for byte, in normal and
    constant-memory mode, in memory and over an index."""
    taskset = shutil.which("taskset")
    if not check("taskset is installed (util-linux)", taskset is not None):
        return
    big = os.path.join(TMP, "gen5000.json")
    subprocess.run([sys.executable, os.path.join(SRC, "tests", "tools", "gen_events.py"),
                    "-n", "5000", "--seed", "11", "-o", big], check=True, capture_output=True)
    # what only the last share holds must reach the workbook: the widest
    # city, and the one venue that breaks a line (its column then wraps)
    doc = json.load(open(big, encoding="utf-8"))
    for ev in doc["events"]:
        ev["location"]["city"] = "Baku"
        ev["location"]["venue"] = "Hall"
    last = max(doc["events"], key=lambda ev: (ev["date"], ev["id"]))
    last["location"]["city"] = "Llanfairpwllgwyngyll-on-the-Strait"
    last["location"]["venue"] = "Hall A\nHall B"
    big = write_json("gen5000-marked.json", doc)
    for cm in ("false", "true"):
        for mode in ("high", "low"):
            args = ["export", "-q", "-f", "xlsx", "--memory", mode, "-O", f"xlsx.constant-memory={cm}"]
            every, one = os.path.join(TMP, "every.xlsx"), os.path.join(TMP, "one.xlsx")
            a = run(*args, "-o", every, big)
            env = dict(os.environ, CHRONICLE_PLUGIN_SYSTEM_PATH="/nonexistent")
            env.pop("CHRONICLE_PLUGIN_PATH", None)
            b = subprocess.run([taskset, "-c", "0", CHRONICLE, *args, "-o", one, big],
                               capture_output=True, text=True, env=env)
            same = a[0] == 0 and b.returncode == 0 and open(every, "rb").read() == open(one, "rb").read()
            check(f"5000 events, constant-memory={cm}, --memory {mode}: every CPU writes the "
                  "workbook of one", same, (a[2], b.stderr))
    wb = openpyxl.load_workbook(every, read_only=True)
    check("5000 events: every event has its row",
          sum(1 for _ in wb["Events"].iter_rows(min_row=2, values_only=True)) == 5000)
    wb.close()


def test_refusals():
    rc, out, err = run("export", "-f", "xlsx", "-o", "-", EVENTS)
    check("-o - refused with exit 64", rc == 64, rc)
    check("-o - message", "xlsx: cannot write to standard output" in err and "use -o FILE" in err, err)
    check("-o - writes nothing", out == "", out[:80])
    rc, out, err = run("plugins", "xlsx", "--json")
    d = json.loads(out) if rc == 0 else {}
    check("descriptor", d.get("extension") == "xlsx" and d.get("media_type") ==
          "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", d)
    opts = {o["name"]: o for o in d.get("options", [])}
    check("options declared", list(opts) == ["constant-memory", "sheet-rows", "tables", "compression",
                                             "zip64", "page-size", "author", "company"], list(opts))
    out = os.path.join(TMP, "company.xlsx")
    rc, _, err = export(EVENTS, out, "xlsx.company=ACME Ə", "xlsx.author=Analyst",
                        "xlsx.page-size=letter")
    if rc == 0:
        check_print("page-size=letter", load(out), json.load(open(EVENTS))["title"], paper=1)
    app = zipfile.ZipFile(out).read("docProps/app.xml").decode() if rc == 0 else ""
    check("company property", "<Company>ACME Ə</Company>" in app, app[-300:])
    check("author property", rc == 0 and load(out).properties.creator == "Analyst")


def main():
    try:
        for t in [test_events_json, test_unicode_and_formulas, test_empty_selection,
                  test_continuation_sheets, test_split_group, test_limits,
                  test_hyperlink_count_and_auto_constant_memory,
                  test_streamed_links_as_libxlsxwriter_writes_them,
                  test_compression_changes_only_the_size, test_every_cpu_measures_as_one,
                  test_refusals]:
            try:
                t()
            except Exception as e:  # a crash in one test is a failure, not the end
                check(t.__name__, False, repr(e))
    finally:
        shutil.rmtree(TMP, ignore_errors=True)
    sys.exit(tally.finish())


if __name__ == "__main__":
    main()
