#!/usr/bin/python3
"""bench_reportlab.py — the benchmark's alternative to `chronicle export -f pdf`.

A briefing as formats/briefing.md describes it, written the way a Python
user would with ReportLab's platypus: json.load, sort by date then id, then
a cover, key-figure tables, a bar chart of events per year, an event table
(header repeated on every page), one section per event (fields, summary,
participants, programme, attributed statements and figures, sources), a
sources appendix, bookmarks per event, and "page N of M" in the footer.
DejaVu Sans is embedded for Unicode (fonts-dejavu-core).

    bench_reportlab.py DATASET.json|.ndjson OUT.pdf

Needs python3-reportlab.  Timings of the phases go to stderr.
"""

import sys
import time
from xml.sax.saxutils import escape

from reportlab.graphics.shapes import Drawing, Line, Rect, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas
from reportlab.platypus import (BaseDocTemplate, Frame, PageBreak, PageTemplate, Paragraph,
                                Spacer, Table, TableStyle)

from alt_common import load
from expect import attribution, short_date

FONT_DIR = "/usr/share/fonts/truetype/dejavu/"
NAVY = colors.HexColor("#1F2A44")
GREY = colors.HexColor("#666666")


def number(v):
    return f"{v:,}" if isinstance(v, int) else f"{v:,.6g}"


def place(e):
    loc = e["location"]
    return ", ".join(x for x in (loc.get("venue"), loc.get("city"), loc["country"]) if x)


class NumberedCanvas(canvas.Canvas):
    """Keeps each page's state so the footer can say "page N of M"."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._saved = []

    def showPage(self):
        self._saved.append(dict(self.__dict__))
        self._startPage()

    def save(self):
        total = len(self._saved)
        for state in self._saved:
            self.__dict__.update(state)
            if self._pageNumber > 1:
                self.setFont("DejaVu", 8)
                self.setFillColor(GREY)
                self.drawRightString(A4[0] - 56, 36, f"page {self._pageNumber} of {total}")
                self.drawString(56, 36, "14 Nov 2023")
            super().showPage()
        super().save()


class Briefing(BaseDocTemplate):
    def __init__(self, path, title):
        super().__init__(path, pagesize=A4, leftMargin=56, rightMargin=56, topMargin=68,
                         bottomMargin=60, title=title, author="bench_reportlab.py")
        self.briefing_title = title
        frame = Frame(56, 60, A4[0] - 112, A4[1] - 128, id="body")
        self.addPageTemplates([PageTemplate("page", [frame], onPage=self.header)])

    def header(self, canv, doc):
        if doc.page == 1:
            return
        canv.setFont("DejaVu", 8)
        canv.setFillColor(GREY)
        canv.drawString(56, A4[1] - 50, self.briefing_title[:110])
        canv.setStrokeColor(colors.lightgrey)
        canv.line(56, A4[1] - 55, A4[0] - 56, A4[1] - 55)

    def afterFlowable(self, f):
        key = getattr(f, "bookmark", None)
        if key:
            self.canv.bookmarkPage(key)
            self.canv.addOutlineEntry(f.bookmark_title, key, level=f.bookmark_level)


def styles():
    base = ParagraphStyle("body", fontName="DejaVu", fontSize=10, leading=13)
    return {
        "body": base,
        "small": ParagraphStyle("small", base, fontSize=8, leading=10),
        "cell": ParagraphStyle("cell", base, fontSize=8, leading=10),
        "grey": ParagraphStyle("grey", base, fontSize=9, textColor=GREY),
        "bullet": ParagraphStyle("bullet", base, leftIndent=12, bulletIndent=2),
        "h1": ParagraphStyle("h1", base, fontName="DejaVu-Bold", fontSize=18, leading=22,
                             textColor=NAVY, spaceAfter=8),
        "h2": ParagraphStyle("h2", base, fontName="DejaVu-Bold", fontSize=12, leading=15,
                             spaceBefore=10, spaceAfter=4, keepWithNext=1),
        "h3": ParagraphStyle("h3", base, fontName="DejaVu-Bold", fontSize=10, spaceBefore=4,
                             keepWithNext=1),
    }


def heading(text, style, key=None, level=0):
    p = Paragraph(escape(text), style)
    if key:
        p.bookmark, p.bookmark_title, p.bookmark_level = key, text, level
    return p


def count_table(title, counts, st):
    rows = [[title, "Events"]]
    items = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    for k, n in items[:12]:
        rows.append([Paragraph(escape(str(k)), st["cell"]), number(n)])
    if len(items) > 12:
        rows.append([f"{len(items) - 12} others", number(sum(n for _, n in items[12:]))])
    t = Table(rows, colWidths=[300, 80], repeatRows=1)
    t.setStyle(TableStyle([("FONT", (0, 0), (-1, -1), "DejaVu", 8),
                           ("FONT", (0, 0), (-1, 0), "DejaVu-Bold", 8),
                           ("LINEBELOW", (0, 0), (-1, 0), 0.5, GREY),
                           ("ALIGN", (1, 0), (1, -1), "RIGHT")]))
    return t


def year_chart(by_year):
    """Events per year as columns, drawn with shapes (the charts package needs
    python3-renderpm, which Debian only recommends)."""
    years = sorted(by_year)
    d = Drawing(480, 220)
    top = max(by_year.values()) if by_year else 1
    w = 420 / max(len(years), 1)
    d.add(Line(40, 30, 460, 30, strokeColor=GREY))
    for i, y in enumerate(years):
        h = 170 * by_year[y] / top
        x = 40 + i * w
        d.add(Rect(x + 1, 30, w - 2, h, fillColor=colors.HexColor("#5B7DB1"), strokeColor=None))
        d.add(String(x + w / 2, 33 + h, str(by_year[y]), fontName="DejaVu", fontSize=5,
                     textAnchor="middle"))
        d.add(String(x + w / 2, 20, str(y)[2:], fontName="DejaVu", fontSize=6,
                     textAnchor="middle"))
    return d


def event_section(e, i, st, sources):
    out = [Paragraph(escape(f"{e['date']} · {place(e)}"), st["grey"]),
           heading(e["title"], st["h2"], key=f"ev{i}", level=1)]
    occ = e["occasion"]
    fields = [("Date", e["date"] + (f" – {e['end_date']}" if "end_date" in e else "")),
              ("Place", f"{place(e)} ({e['location']['country_code']})"),
              ("Occasion", occ["subject"] + (f", anniversary {occ['anniversary']}"
                                             if "anniversary" in occ else "")),
              ("Organisers", "; ".join(e.get("organizers", ()))),
              ("Audience", "; ".join(e.get("audience", ()))),
              ("Tags", ", ".join(e.get("tags", ())))]
    for label, value in fields:
        if value:
            out.append(Paragraph(f"<b>{label}:</b> {escape(value)}", st["body"]))
    if "summary" in e:
        out.append(Paragraph(escape(e["summary"]), st["body"]))
    if e.get("participants"):
        out.append(Paragraph("Participants", st["h3"]))
        for p in e["participants"]:
            extra = ", ".join(x for x in (p.get("role"), p.get("organization")) if x)
            text = escape(p["name"]) + (f" — {escape(extra)}" if extra else "")
            if p.get("spoke"):
                text += " (spoke)"
            out.append(Paragraph(text, st["bullet"], bulletText="•"))
    if e.get("activities"):
        out.append(Paragraph("Programme", st["h3"]))
        for a in e["activities"]:
            text = escape(a["kind"])
            if "title" in a:
                text += f": «{escape(a['title'])}»"
            if "description" in a:
                text += f" — {escape(a['description'])}"
            if a.get("performers"):
                text += f" Performers: {escape(', '.join(a['performers']))}."
            out.append(Paragraph(text, st["bullet"], bulletText="•"))
    if e.get("statements"):
        out.append(Paragraph("Statements", st["h3"]))
        for s in e["statements"]:
            text = f"<b>{escape(s['speaker'])}</b>: {escape(s['summary'])}"
            if "quote" in s:
                text += f" “{escape(s['quote'])}”"
            out.append(Paragraph(text, st["bullet"], bulletText="•"))
            out.append(Paragraph(escape(sources[s["source"]][1]), st["grey"]))
    if e.get("figures"):
        out.append(Paragraph("Figures", st["h3"]))
        for f in e["figures"]:
            text = f"{escape(f['label'])}: {number(f['value'])} {escape(f.get('unit', ''))}"
            if "note" in f:
                text += f" ({escape(f['note'])})"
            text += f" — {escape(sources[f['source']][1])}"
            out.append(Paragraph(text, st["bullet"], bulletText="•"))
    out.append(Paragraph("Sources", st["h3"]))
    for sid in e["sources"]:
        src = sources[sid][0]
        parts = [src.get("outlet"), src.get("published"), src.get("dateline"), src["document"]]
        text = escape(", ".join(x for x in parts if x))
        if "url" in src:
            text += f' <link href="{escape(src["url"])}">{escape(src["url"])}</link>'
        out.append(Paragraph(text, st["bullet"], bulletText="•"))
    out.append(Spacer(1, 8))
    return out


def build(ds, events, st):
    sources = {s["id"]: (s, attribution(s)) for s in ds["sources"]}
    n = {"participants": 0, "statements": 0, "figures": 0}
    by_year, by_country, by_org, by_kind = {}, {}, {}, {}
    for e in events:
        for k in n:
            n[k] += len(e.get(k, ()))
        y = int(e["date"][:4])
        by_year[y] = by_year.get(y, 0) + 1
        by_country[e["location"]["country"]] = by_country.get(e["location"]["country"], 0) + 1
        for o in e.get("organizers", ()):
            by_org[o] = by_org.get(o, 0) + 1
        for a in e.get("activities", ()):
            by_kind[a["kind"]] = by_kind.get(a["kind"], 0) + 1
    story = [Spacer(1, 120), heading("BRIEFING", st["h1"], key="cover"),
             Paragraph(escape(ds["title"]), st["h1"]),
             Paragraph(escape(ds.get("description", "")), st["body"])]
    if events:
        story.append(Paragraph(f"Period covered: {short_date(events[0]['date'])} – "
                               f"{short_date(events[-1].get('end_date', events[-1]['date']))}",
                               st["body"]))
    story.append(Paragraph(f"{len(events)} events, {len(by_country)} countries, "
                           f"{n['participants']} participants, {n['statements']} statements, "
                           f"{n['figures']} figures", st["body"]))
    story += [PageBreak(), heading("Key figures", st["h1"], key="figures")]
    story += [count_table("Year", by_year, st), Spacer(1, 8),
              count_table("Country", by_country, st), Spacer(1, 8),
              count_table("Organiser", by_org, st), Spacer(1, 8),
              count_table("Activity", by_kind, st)]
    story += [PageBreak(), heading("Charts", st["h1"], key="charts"), year_chart(by_year)]
    story += [PageBreak(), heading("Event table", st["h1"], key="table")]
    rows = [["Date", "Event", "Place", "Organisers"]]
    for e in events:
        rows.append([e["date"], Paragraph(escape(e["title"]), st["cell"]),
                     Paragraph(escape(place(e)), st["cell"]),
                     Paragraph(escape("; ".join(e.get("organizers", ()))), st["cell"])])
    table = Table(rows, colWidths=[56, 200, 110, 117], repeatRows=1)
    table.setStyle(TableStyle([("FONT", (0, 0), (-1, -1), "DejaVu", 8),
                               ("FONT", (0, 0), (-1, 0), "DejaVu-Bold", 8),
                               ("VALIGN", (0, 0), (-1, -1), "TOP"),
                               ("ROWBACKGROUNDS", (0, 1), (-1, -1),
                                [colors.white, colors.HexColor("#F0F3F8")]),
                               ("LINEBELOW", (0, 0), (-1, 0), 0.5, GREY)]))
    story.append(table)
    story += [PageBreak(), heading("Events", st["h1"], key="events")]
    for i, e in enumerate(events):
        story += event_section(e, i, st, sources)
    story += [PageBreak(), heading("Sources", st["h1"], key="sources")]
    cited = {sid for e in events for sid in e["sources"]}
    for s in ds["sources"]:
        if s["id"] in cited:
            parts = [s["id"], s.get("outlet"), s.get("published"), s.get("dateline"),
                     s["document"], s.get("url")]
            story.append(Paragraph(escape(", ".join(x for x in parts if x)), st["body"]))
    return story


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    pdfmetrics.registerFont(TTFont("DejaVu", FONT_DIR + "DejaVuSans.ttf"))
    pdfmetrics.registerFont(TTFont("DejaVu-Bold", FONT_DIR + "DejaVuSans-Bold.ttf"))
    t0 = time.monotonic()
    ds = load(sys.argv[1])
    t1 = time.monotonic()
    events = sorted(ds["events"], key=lambda e: (e["date"], e["id"]))
    doc = Briefing(sys.argv[2], ds["title"])
    doc.build(build(ds, events, styles()), canvasmaker=NumberedCanvas)
    t2 = time.monotonic()
    print(f"bench_reportlab: load {t1 - t0:.2f} s, write {t2 - t1:.2f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
