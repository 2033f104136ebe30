"""alt_common.py — what the Python alternatives of scripts/bench
(bench_xlsxwriter.py, bench_reportlab.py) share: reading a dataset the
ordinary Python way.  Chronicle's wording of dates and attributions comes
from expect.py, so both write the same text the exporters write."""

import json


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
