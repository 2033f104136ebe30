#!/usr/bin/python3
"""End-to-end test of the text exporter (formats/summary.md).

Runs the real CLI and compares the summary with the input dataset, value by
value: headline counts, the year/country/organiser tables, and every event's
digest (title, date, participants, statements, figures, attributions,
sources).  Checks display widths with unicodedata, determinism, stdout ==
file, a Unicode fixture (no text lost), the empty selection, and option
errors.  Prints "N passed, N failed"; exits 1 on any failure.
"""
import collections
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unicodedata

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools"))
from expect import Tally, attribution, short_date  # noqa: E402

CHRONICLE = os.environ["CHRONICLE"]
os.environ.setdefault("SOURCE_DATE_EPOCH", "1700000000")  # meson sets it too
ROOT = os.environ["SOURCE_ROOT"]
EVENTS = os.path.join(ROOT, "data", "events.json")
UNICODE = os.path.join(ROOT, "tests", "data", "text", "unicode.json")
RULE = "\u2500"

tally = Tally()
check = tally.check


def run(*args, env=None):
    e = dict(os.environ)
    e.update(env or {})
    return subprocess.run([CHRONICLE, *args], capture_output=True, env=e)


def export(path, *opts):
    r = run("export", "-q", "-f", "text", "-o", "-", *opts, path)
    return r.returncode, r.stdout.decode("utf-8"), r.stderr.decode("utf-8", "replace")


def display_width(s):
    w = 0
    for c in s:
        if unicodedata.combining(c) or unicodedata.category(c) in ("Mn", "Me", "Cf"):
            continue
        w += 2 if unicodedata.east_asian_width(c) in ("W", "F") else 1
    return w


def squash(s):
    """The text without any whitespace: immune to where lines were broken."""
    return "".join(s.split())


def contains(hay_squashed, needle):
    return squash(needle) in hay_squashed


def number(v):
    """chronicle_format_number: integer part grouped from five digits on
    (1275 and 2008 stay whole, 12,500), up to 6 decimals."""
    neg = v < 0
    digits = f"{abs(v):.6f}".rstrip("0").rstrip(".")
    whole, _, frac = digits.partition(".")
    whole = f"{int(whole):,}" if len(whole) > 4 else whole
    return ("-" if neg else "") + whole + ("." + frac if frac else "")


def anniversary(n):
    """ordinal.anniversary in English: CLDR's ordinal one/two/few/other."""
    if n % 100 in (11, 12, 13):
        return f"{n}th anniversary"
    return f"{n}" + {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th") + " anniversary"


def check_widths(name, text, width):
    lines = text.split("\n")
    bad = [l for l in lines if display_width(l) > width]
    check(f"{name}: every line within {width} columns", not bad,
          f"{len(bad)} too wide, e.g. {bad[:1]!r}")
    check(f"{name}: no trailing spaces", not any(l.endswith(" ") for l in lines))
    ctrl = [c for c in text if (ord(c) < 32 and c != "\n") or 0x7F <= ord(c) < 0xA0]
    check(f"{name}: no control characters", not ctrl, repr(ctrl[:3]))


def split_digests(text, width):
    """Headline part, then one chunk per event (split at the full-width rules)."""
    parts = re.split(r"^" + RULE * width + r"$", text, flags=re.M)
    return parts[0], parts[1:]


def table(head, name, n_cols):
    """Rows of the table under the heading `name`, as lists of cells with no
    whitespace (squashed); a wrapped name cell is joined back together."""
    m = re.search(r"^" + re.escape(name) + r"\n" + RULE + r"+\n((?:  [^\n]*\n)*)", head, re.M)
    if not m:
        return None
    row = re.compile(r"^  " + r"\s{2,}".join([r"(\S.*?)"] * (n_cols - 1)) + r"\s{2,}([\d,]+)$")
    rows = []
    for line in m.group(1).splitlines():
        if line.startswith("  ... and "):
            break
        r = row.match(line)
        if r:
            rows.append([squash(c) for c in r.groups()])
        elif rows:  # the rest of a wrapped name (header continuations come before any row)
            rows[-1][-2] += squash(line)
    return rows


def sorted_events(data):
    return sorted(data["events"], key=lambda e: (e["date"], e["id"]))


# ---- the real dataset, value by value ----

def check_headline(data, head, label):
    events = data["events"]
    fields = dict(re.findall(r"^(Events|Participants|Activities|Statements|Figures|Sources cited)"
                             r"\s+([\d,]+)", head, re.M))
    cited = {s for e in events for s in e["sources"]}
    expect = {
        "Events": len(events),
        "Participants": sum(len(e.get("participants", [])) for e in events),
        "Activities": sum(len(e.get("activities", [])) for e in events),
        "Statements": sum(len(e.get("statements", [])) for e in events),
        "Figures": sum(len(e.get("figures", [])) for e in events),
        "Sources cited": len(cited),
    }
    for k, v in expect.items():
        got = fields.get(k)
        check(f"{label}: headline {k} = {v}", got == number(v), f"got {got!r}")
    check(f"{label}: headline starts with the dataset title",
          squash(head).startswith(squash(data["title"])))
    first, last = min(e["date"] for e in events), max(e.get("end_date", e["date"]) for e in events)
    check(f"{label}: period", contains(squash(head), f"Period {long_date(first)}")
          and contains(squash(head), long_date(last)))


def long_date(iso):
    names = ["January", "February", "March", "April", "May", "June", "July", "August",
             "September", "October", "November", "December"]
    y, m, d = (int(x) for x in iso.split("-"))
    return f"{d} {names[m - 1]} {y}"


def check_tables(data, head, label):
    events = data["events"]
    years = collections.Counter(e["date"][:4] for e in events)
    rows = table(head, "Events by year", 2)
    check(f"{label}: by-year table", rows is not None and
          {r[0]: int(r[1].replace(",", "")) for r in rows} == dict(years), repr(rows))
    check(f"{label}: years ascending", rows is not None and [r[0] for r in rows] == sorted(years))
    countries = collections.Counter((e["location"]["country_code"], squash(e["location"]["country"]))
                                    for e in events)
    rows = table(head, "Events by country", 3) or []
    got = {(r[0], r[1]): int(r[2].replace(",", "")) for r in rows}
    check(f"{label}: by-country table", got == dict(countries), f"{got} != {dict(countries)}")
    counts = [int(r[2].replace(",", "")) for r in rows]
    check(f"{label}: countries by descending count", counts == sorted(counts, reverse=True))
    orgs = collections.Counter(o for e in events for o in e.get("organizers", []))
    rows = table(head, "Organisers", 2) or []
    got = {r[0]: int(r[1].replace(",", "")) for r in rows}
    top = sorted(orgs.items(), key=lambda kv: (-kv[1], kv[0]))[:20]
    want = {squash(k): v for k, v in top}
    check(f"{label}: organiser table (top 20)", got == want, f"{got} != {want}")
    if len(orgs) > 20:
        check(f"{label}: '... and N more'", f"... and {number(len(orgs) - 20)} more" in head)
    else:
        check(f"{label}: no '... and N more'", "... and" not in head)


def find_in_order(hay, needles):
    """Finds each needle (squashed) after the previous one; returns the missing one."""
    pos = 0
    for n in needles:
        i = hay.find(squash(n), pos)
        if i < 0:
            return n
        pos = i + len(squash(n))
    return None


def check_digest(ev, chunk, srcs, label):
    lines = chunk.strip("\n").split("\n")
    check(f"{label}: digest opens with ISO and long date",
          lines[0].startswith(ev["date"]) and contains(squash(chunk), long_date(ev["date"])),
          lines[0])
    flat = squash(chunk)
    needles = [ev["title"]]
    loc = ev["location"]
    for key in ("venue", "city", "country"):
        if key in loc:
            needles.append(loc[key])
    needles.append(ev["occasion"]["subject"])
    if "anniversary" in ev["occasion"]:
        needles.append(anniversary(ev["occasion"]["anniversary"]))
    needles += ev.get("organizers", []) + ev.get("audience", [])
    for p in ev.get("participants", []):
        needles += [p["name"]] + [p[k] for k in ("role", "organization") if k in p]
        if p.get("spoke"):
            needles.append("(speaker)")
    for a in ev.get("activities", []):
        needles += [a["kind"]] + [a[k] for k in ("title",) if k in a] + a.get("performers", [])
        if "description" in a:
            needles.append(a["description"])
    for s in ev.get("statements", []):
        needles += [s["speaker"] + ":", s["summary"]]
        if "quote" in s:
            needles.append(s["quote"])
        needles.append("(" + attribution(srcs[s["source"]]) + ")")
    for f in ev.get("figures", []):
        needles.append(f"{f['label']}: {number(f['value'])}" + (f" {f['unit']}" if "unit" in f else ""))
        if "note" in f:
            needles.append(f["note"])
        needles.append("(" + attribution(srcs[f["source"]]) + ")")
    for sid in ev["sources"]:
        s = srcs[sid]
        needles.append(s.get("outlet", s["document"]))
        if "published" in s:
            needles.append(short_date(s["published"]))
        needles += [s[k] for k in ("dateline", "url") if k in s]
        if "outlet" in s:
            needles.append("document: " + s["document"])
    missing = find_in_order(flat, needles)
    check(f"{label}: digest has every field, in order", missing is None, f"missing {missing!r}")
    names_roles = all(contains(flat, p["name"]) and contains(flat, p.get("role", ""))
                      for p in ev.get("participants", []))
    check(f"{label}: participants and roles", names_roles)
    n_attr = len(ev.get("statements", [])) + len(ev.get("figures", []))
    check(f"{label}: one attribution per statement and figure",
          chunk.count("(as reported ") == n_attr, f"{chunk.count('(as reported ')} != {n_attr}")


def check_dataset(path, width, label, extra=()):
    with open(path, encoding="utf-8") as f:
        data = json.load(f)
    opts = list(extra) + (["-O", f"text.width={width}"] if width != 78 else [])
    rc, out, err = export(path, *opts)
    check(f"{label}: exit 0", rc == 0, err)
    check_widths(label, out, width)
    head, digests = split_digests(out, width)
    check_headline(data, head, label)
    check_tables(data, head, label)
    evs = sorted_events(data)
    check(f"{label}: one digest per event", len(digests) == len(evs), f"{len(digests)} digests")
    srcs = {s["id"]: s for s in data["sources"]}
    for ev, chunk in zip(evs, digests):
        check_digest(ev, chunk, srcs, f"{label} {ev['id']}")
    return data, out


# ---- the Unicode fixture: every word survives the wrapping ----

def strings_of(v):
    if isinstance(v, str):
        yield v
    elif isinstance(v, dict):
        for k, x in v.items():
            ids = k == "sources" and all(isinstance(i, str) for i in x)
            if not ids and k not in ("id", "source", "schema", "published", "date", "end_date",
                                     "of_date", "spoke", "value", "anniversary"):
                yield from strings_of(x)
    elif isinstance(v, list):
        for x in v:
            yield from strings_of(x)


def check_unicode(width):
    label = f"unicode.json width {width}"
    with open(UNICODE, encoding="utf-8") as f:
        data = json.load(f)
    rc, out, err = export(UNICODE, "-O", f"text.width={width}")
    check(f"{label}: exit 0", rc == 0, err)
    check_widths(label, out, width)
    flat = squash(out)
    lost = [w for s in strings_of(data) for w in s.split() if w not in flat]
    check(f"{label}: no word lost", not lost, repr(lost[:3]))
    whole = [s for s in strings_of(data) if squash(s) not in flat]
    check(f"{label}: every string whole and in order of its words", not whole, repr(whole[:2]))
    long_word = next(w for s in strings_of(data) for w in s.split() if len(w) == 300)
    check(f"{label}: the 300-character word is there, broken", squash(long_word) in flat
          and long_word not in out)
    check(f"{label}: tabs became spaces", "\t" not in out)
    starts = [l for l in out.split("\n") if l.strip() and unicodedata.combining(l.lstrip()[0])]
    check(f"{label}: no line starts with a combining mark", not starts, repr(starts[:1]))
    return data, out


def main():
    tmp = tempfile.mkdtemp(prefix="chronicle-text-")
    try:
        with open(EVENTS, encoding="utf-8") as f:
            events = json.load(f)
        _, out78 = check_dataset(EVENTS, 78, "events.json")
        check_dataset(EVENTS, 40, "events.json width 40")
        check_dataset(UNICODE, 78, "unicode.json digests")
        check_dataset(UNICODE, 20, "unicode.json digests width 20")
        for w in (20, 40, 78, 133):
            check_unicode(w)

        # determinism and stdout == file
        _, again, _ = export(EVENTS)
        check("same SOURCE_DATE_EPOCH, same bytes", again == out78)
        r = run("export", "-q", "-f", "text", "-o", "-", EVENTS, env={"SOURCE_DATE_EPOCH": "86400"})
        check("the timestamp comes from SOURCE_DATE_EPOCH",
              "1970-01-02 00:00 UTC" in r.stdout.decode() and "2023-11-14 22:13 UTC" in out78)
        dest = os.path.join(tmp, "summary.txt")
        r = run("export", "-q", "-f", "text", "-o", dest, EVENTS)
        with open(dest, "rb") as f:
            check("-o FILE writes the bytes of -o -", r.returncode == 0 and f.read() == out78.encode())

        # ascii: the report's own characters are ASCII; data keeps its letters
        rc, out, _ = export(UNICODE, "-O", "text.ascii=true")
        data_chars = set("".join(strings_of(json.load(open(UNICODE, encoding="utf-8")))))
        foreign = {c for c in out if ord(c) > 127 and c not in data_chars}
        check("ascii=true: no box, bullet or quote characters", rc == 0 and not foreign,
              repr(sorted(foreign)[:5]))
        check("ascii=true: ASCII rules and bullets", "\n  - " in out and "\n" + "-" * 78 + "\n" in out)

        # digests=false: headline and tables only
        rc, out, _ = export(EVENTS, "-O", "text.digests=false")
        check("digests=false: tables, no digests", rc == 0 and "Events by country" in out
              and "Participants (" not in out and events["events"][0]["title"] not in out)

        # --split-by: one summary per group, named in the headline
        split = os.path.join(tmp, "split")
        os.mkdir(split)
        r = run("export", "-q", "-f", "text", "--split-by", "country", "-o", split, EVENTS)
        codes = sorted({e["location"]["country_code"] for e in events["events"]})
        ok = r.returncode == 0
        for cc in codes:
            p = os.path.join(split, f"events-{cc}.txt")
            ok = ok and os.path.exists(p) and re.search(r"^Group\s+" + cc + "$",
                                                        open(p, encoding="utf-8").read(), re.M)
        check("--split-by country: group in each headline", bool(ok))

        # empty selection
        rc, out, err = export(EVENTS, "--since", "2100-01-01")
        check("empty selection: 'No events match.'", rc == 0 and "\nNo events match.\n" in out
              and squash(out).startswith(squash(events["title"])), err)
        check("empty selection: no tables", "Events by year" not in out)
        check("empty selection: zero counts", re.search(r"^Events\s+0 \(of ", out, re.M) is not None)

        # the digests are made on every CPU through cursors, in chunks of 256
        # events: the same bytes as on one CPU (taskset), in memory and indexed
        gen = os.path.join(ROOT, "tests", "tools", "gen_events.py")
        big = os.path.join(tmp, "big.json")
        taskset = shutil.which("taskset")
        if taskset and subprocess.run([sys.executable, gen, "--events", "3000", "--seed", "3",
                                       "-o", big], capture_output=True).returncode == 0:
            for mode in ("high", "low"):
                args = ["export", "-q", "-f", "text", "--memory", mode, "-o", "-", big]
                every = run(*args)
                one = subprocess.run([taskset, "-c", "0", CHRONICLE, *args], capture_output=True)
                check(f"3000 events, --memory {mode}: every CPU writes the bytes of one",
                      every.returncode == 0 and one.returncode == 0 and every.stdout == one.stdout
                      and every.stdout.count(b"\n") > 3000 * 5,
                      (every.stderr + one.stderr).decode("utf-8", "replace"))

        # option errors, before any work
        r = run("export", "-f", "text", "-o", "-", "-O", "text.width=5", EVENTS)
        msg = r.stderr.decode()
        check("width=5 refused with exit 64", r.returncode == 64 and r.stdout == b"", str(r.returncode))
        check("width=5 message names the range", "20" in msg and "400" in msg and "width" in msg, msg)
        r = run("export", "-f", "text", "-o", "-", "-O", "text.nosuch=1", EVENTS)
        msg = r.stderr.decode()
        check("unknown option refused with exit 64", r.returncode == 64, str(r.returncode))
        check("unknown option lists the valid keys",
              all(k in msg for k in ("nosuch", "width", "ascii", "digests")), msg)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return tally.finish()


if __name__ == "__main__":
    sys.exit(main())
