"""expect.py — what the end-to-end tests and the bench alternatives share.

- Tally: the pass/fail count every end-to-end test keeps, printing each
  failure as it happens and the "N passed, N failed" line at the end.
- Chronicle's wording of dates and attributions (formats/summary.md, as
  core/src/format.c writes it): the oracle each exporter's text is checked
  against, written once.

The tests import it with tests/tools on sys.path (see any tests/e2e/*/test_*.py).
"""

import datetime

MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()


def short_date(iso):
    """2023-02-24 -> 24 Feb 2023."""
    d = datetime.date.fromisoformat(iso)
    return f"{d.day} {MONTHS[d.month - 1]} {d.year}"


def attribution(src, quote=str):
    """"as reported by OUTLET, DATE", or "as reported in DOCUMENT" when the
    source names no outlet; quote escapes names for the format (Markdown)."""
    text = (f"as reported by {quote(src['outlet'])}" if "outlet" in src
            else f"as reported in {quote(src['document'])}")
    if "published" in src:
        text += ", " + short_date(src["published"])
    return text


class Tally:
    """Counts checks; a failure is printed at once, with at most 3,000
    characters of detail (the head and the tail, where build logs say why)."""

    def __init__(self):
        self.passed = self.failed = self.skipped = 0

    def check(self, name, ok, detail=""):
        if ok:
            self.passed += 1
        else:
            self.failed += 1
            text = str(detail)
            if len(text) > 3000:
                text = text[:1000] + " [...] " + text[-2000:]
            print(f"FAIL {name}" + (f": {text}" if text else ""), flush=True)
        return bool(ok)

    def skip(self, name, why):
        self.skipped += 1
        print(f"SKIP {name}: {why}", flush=True)

    def finish(self):
        """Prints the summary line; returns the exit status."""
        line = f"{self.passed} passed, {self.failed} failed"
        print(line + (f", {self.skipped} skipped" if self.skipped else ""))
        return 1 if self.failed else 0
