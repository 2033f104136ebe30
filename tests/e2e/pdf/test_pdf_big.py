#!/usr/bin/python3
"""test_pdf_big.py — a briefing longer than one flat page list allows.

libharu hangs pages on one /Kids array of at most 32,767 entries unless the
plugin builds a page tree (plugins/pdf/pdf_internal.h, PDF_PAGES_PER_NODE).
This exports 40,000 generated events (over 41,000 pages) and reads the
result back with qpdf and pdftotext: the page count, qpdf --check, a page
tree of two levels with no node over 256 kids, the outline's 40,000 event
entries pointing at the pages that show those events, the contents and the
"page N of M" footers past page 32,767.  Prints the export's wall time and
peak RSS, and holds the peak to a memory contract: at most 15 KB a page
(the loaded model included), where libharu holding every page took 29 KB
(the briefing keeps finished pages in a temporary file: hpdf_private.c).
Prints "N passed, N failed"; exits 1 if anything failed.

It takes a minute or two, most of it in qpdf --check, so it skips itself
(exit 77, a SKIP line) under sanitizers: meson passes --sanitize=VALUE of
b_sanitize.  Environment (set by meson): CHRONICLE, SOURCE_ROOT,
SOURCE_DATE_EPOCH.
"""

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools"))
from expect import Tally  # noqa: E402

CHRONICLE = os.environ.get("CHRONICLE", "build/core/chronicle")
ROOT = os.environ.get("SOURCE_ROOT", ".")
EPOCH = os.environ.get("SOURCE_DATE_EPOCH", "1700000000")
EVENTS = 40000
FLAT_LIMIT = 32767  # HPDF_LIMIT_MAX_ARRAY: what one /Kids array holds
PER_NODE = 256  # PDF_PAGES_PER_NODE
# Peak RSS a page of the export (the model of 40,000 events included): about
# 8 KB measured (doc/performance.md), 29 KB while libharu held every page.
MAX_RSS_PER_PAGE = 15000

tally = Tally()
check = tally.check


def run(args, **kw):
    env = dict(os.environ, SOURCE_DATE_EPOCH=EPOCH, LC_ALL="C.UTF-8")
    return subprocess.run(args, capture_output=True, env=env, **kw)


def timed_export(src, out):
    """Runs the export; returns (returncode, stderr, seconds, peak RSS in MiB)
    of the chronicle process and its children (the job runs in one)."""
    env = dict(os.environ, SOURCE_DATE_EPOCH=EPOCH, LC_ALL="C.UTF-8")
    t0 = time.monotonic()
    p = subprocess.Popen([CHRONICLE, "export", "-q", "-f", "pdf", "-o", out, src],
                         stderr=subprocess.PIPE, env=env)
    err = p.stderr.read()
    _, status, usage = os.wait4(p.pid, 0)
    p.returncode = os.waitstatus_to_exitcode(status)
    # ru_maxrss of the export child is folded into its parent's children
    return p.returncode, err.decode("utf-8", "replace"), time.monotonic() - t0, \
        usage.ru_maxrss / 1024


def text(pdf, page, *extra):
    r = run(["pdftotext", "-enc", "UTF-8", *extra, "-f", str(page), "-l", str(page), pdf, "-"])
    return r.stdout.decode("utf-8")


def norm(s):
    return re.sub(r"\s+", " ", s).strip()


def pages_nodes(pdf):
    """Every /Type /Pages object in the file, as {id: (parent id or None,
    [kid ids], count)}.  libharu writes no object streams, so the objects
    are read straight from the bytes (qpdf --check vouches for their
    syntax); a JSON dump by qpdf of 41,000 pages takes half a minute."""
    with open(pdf, "rb") as f:
        data = f.read()
    nodes = {}
    for m in re.finditer(rb"\n(\d+) 0 obj\s*<<\s*/Type /Pages\b([^>]*)>>", data):
        body = m.group(2)
        parent = re.search(rb"/Parent (\d+) 0 R", body)
        kids = re.search(rb"/Kids \[([^\]]*)\]", body)
        count = re.search(rb"/Count (\d+)", body)
        nodes[int(m.group(1))] = (int(parent.group(1)) if parent else None,
                                  [int(k) for k in re.findall(rb"(\d+) 0 R", kids.group(1))],
                                  int(count.group(1)))
    # the count of "/Type /Pages" anywhere says whether the pattern missed one
    nodes["missed"] = len(re.findall(rb"/Type /Pages\b", data)) - len(nodes)
    return nodes


def test_page_tree(pdf, n_pages):
    nodes = pages_nodes(pdf)
    check("every /Pages object is read", nodes.pop("missed") == 0)
    roots = [i for i, (parent, _, _) in nodes.items() if parent is None]
    check("the page tree has one root", len(roots) == 1, roots)
    if len(roots) != 1:
        return
    root = roots[0]
    _, kids, count = nodes[root]
    check("the root of the page tree counts every page", count == n_pages, count)
    check(f"the root holds {-(-n_pages // PER_NODE)} nodes of pages, not {n_pages} pages",
          len(kids) == -(-n_pages // PER_NODE) and all(k in nodes for k in kids), len(kids))
    below = [nodes[k] for k in kids if k in nodes]
    check("every node below the root is its child, with at most 256 pages",
          all(p == root and len(kk) == c <= PER_NODE for p, kk, c in below),
          [(p, len(kk), c) for p, kk, c in below if p != root or len(kk) != c or c > PER_NODE][:3])
    check("every node but the last is full; the counts add up",
          all(c == PER_NODE for _, _, c in below[:-1]) and sum(c for *_, c in below) == n_pages,
          [c for *_, c in below][-3:])
    check("no deeper nodes: every page is at depth two", len(nodes) == 1 + len(kids), len(nodes))


def outline(pdf):
    r = run(["qpdf", "--json", "--json-key=outlines", pdf])
    return json.loads(r.stdout)["outlines"]


def test_outline_and_pages(pdf, n_pages, outlines):
    parts = {o["title"]: o for o in outlines}
    events = parts.get("Events", {}).get("kids", [])
    check(f"the outline has one entry per event ({EVENTS})", len(events) == EVENTS, len(events))
    if not events:
        return
    pages = [e["destpageposfrom1"] for e in events]
    check("event bookmarks point at pages in order", pages == sorted(pages), pages[-5:])
    check(f"the last event's bookmark points past page {FLAT_LIMIT}",
          pages[-1] > FLAT_LIMIT, pages[-1])
    last = events[-1]
    t = text(pdf, pages[-1])
    check("the last event's bookmark page shows that event",
          norm(last["title"]) in norm(t), f"{last['title']!r} not on page {pages[-1]}")
    check("that page says 'page N of M'", f"page {pages[-1]} of {n_pages}" in t, t[-200:])
    # the contents: the page before "Key figures" ends with the last event and its page
    key = parts["Key figures"]["destpageposfrom1"]
    toc = norm(text(pdf, key - 1, "-layout"))
    check("the last contents page gives the last event's page number",
          f"{norm(last['title'])} {pages[-1]}" in toc, toc[-300:])
    check("the last contents page says 'page N of M'", f"page {key - 1} of {n_pages}" in toc)


def test_first_and_last(pdf, n_pages):
    first = text(pdf, 1)
    check("page 1 is the cover", "BRIEFING" in first and f"{EVENTS} events" in first,
          first[:300])
    second = text(pdf, 2)
    check("page 2 says 'page 2 of M'", f"page 2 of {n_pages}" in second, second[-200:])
    last = text(pdf, n_pages)
    check("the last page says 'page M of M'", f"page {n_pages} of {n_pages}" in last, last[-200:])
    check("the last page is in the sources appendix", re.search(r"\[src-\d+\]", last),
          last[:300])


def main():
    sanitize = next((a.split("=", 1)[1] for a in sys.argv[1:] if a.startswith("--sanitize=")),
                    "none")
    if sanitize not in ("none", "", "[]"):
        print(f"SKIP pdf-big: built with sanitizers (b_sanitize={sanitize}); a 40,000-event "
              "briefing takes minutes there and is checked by the plain build")
        return 77
    for tool in ("qpdf", "pdftotext"):
        if not shutil.which(tool):
            print(f"0 passed, 1 failed ({tool} is not installed)")
            return 1
    tmp = tempfile.mkdtemp(prefix="chronicle-pdf-big-")
    try:
        src = os.path.join(tmp, "events.json")
        gen = os.path.join(ROOT, "tests", "tools", "gen_events.py")
        r = run([sys.executable, gen, "-n", str(EVENTS), "-s", "1", "-o", src])
        if not check("gen_events.py writes 40,000 events", r.returncode == 0, r.stderr.decode()):
            return tally.finish()
        out = os.path.join(tmp, "big.pdf")
        rc, err, secs, rss = timed_export(src, out)
        print(f"pdf-big: export of {EVENTS} events: {secs:.1f} s, peak RSS {rss:.0f} MiB",
              flush=True)
        if not check(f"a {EVENTS}-event briefing exports", rc == 0, err):
            return tally.finish()
        n = int(run(["qpdf", "--show-npages", out]).stdout)
        check(f"it has more than {FLAT_LIMIT} pages (qpdf --show-npages)", n > FLAT_LIMIT, n)
        per_page = rss * 2**20 / n
        print(f"pdf-big: peak RSS {per_page / 1000:.1f} KB a page", flush=True)
        check(f"the export's peak RSS is at most {MAX_RSS_PER_PAGE / 1000:g} KB a page",
              per_page <= MAX_RSS_PER_PAGE, f"{per_page:.0f} bytes a page")
        t0 = time.monotonic()
        r = run(["qpdf", "--check", out], text=True)
        print(f"pdf-big: {n} pages, {os.path.getsize(out) / 2**20:.0f} MiB; "
              f"qpdf --check {time.monotonic() - t0:.1f} s", flush=True)
        check("qpdf --check passes",
              r.returncode == 0 and "No syntax or stream encoding errors" in r.stdout,
              r.stdout[-500:] + r.stderr[-500:])
        test_page_tree(out, n)
        test_outline_and_pages(out, n, outline(out))
        test_first_and_last(out, n)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return tally.finish()


if __name__ == "__main__":
    sys.exit(main())
