"""alt_common.py — what the Python alternatives of scripts/bench
(bench_xlsxwriter.py, bench_reportlab.py) share: reading a dataset the
ordinary Python way, and Chronicle's wording of dates and attributions
(core/src/format.c), so both write the same text the exporters write."""

import datetime
import json

MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()


def load(path):
    """The whole dataset as one dict (NDJSON: the header plus "events")."""
    if path.endswith((".ndjson", ".jsonl")):
        with open(path, encoding="utf-8") as f:
            lines = (line for line in f if line.strip())
            header = json.loads(next(lines))
            header["events"] = [json.loads(line) for line in lines]
            return header
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def short_date(s):
    d = datetime.date.fromisoformat(s)
    return f"{d.day} {MONTHS[d.month - 1]} {d.year}"


def attribution(src):
    text = (f"as reported by {src['outlet']}" if "outlet" in src
            else f"as reported in {src['document']}")
    if "published" in src:
        text += ", " + short_date(src["published"])
    return text
