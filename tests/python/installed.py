"""The Python package from an installed prefix, as a user's script meets it.

check_python(prefix, tmp, env, check) is called by the install test
(tests/e2e/sdk/test_sdk.py) with the prefix it installed: it finds the
package in the prefix's site-packages and runs this file as a script with
nothing but PYTHONPATH pointing there (no CHRONICLE_* variable, the build
tree out of reach).  The script loads data/events.json, exports a pdf
filtered by date, reads it back with pdftotext, catches a DatasetError
whose diagnostics carry places and codes, and lists the installed plugins;
it prints one JSON object per check, which check_python() hands to the
test's tally."""

import glob
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def check_python(prefix, tmp, env, check):
    found = glob.glob(os.path.join(prefix, "**", "chronicle", "__init__.py"), recursive=True)
    if not check("python: the chronicle package is installed in the prefix", len(found) == 1, found):
        return
    site = os.path.dirname(os.path.dirname(found[0]))
    check("python: installed into a site-packages or dist-packages directory",
          os.path.basename(site) in ("site-packages", "dist-packages"), site)
    run_env = {k: v for k, v in env.items() if not k.startswith(("CHRONICLE", "PYTHON"))}
    run_env["PYTHONPATH"] = site
    run_env["PYTHONDONTWRITEBYTECODE"] = "1"
    src = os.path.dirname(os.path.dirname(HERE))
    out = os.path.join(tmp, "python-out")
    os.makedirs(out, exist_ok=True)
    p = subprocess.run(["/usr/bin/python3", os.path.abspath(__file__), prefix, src, out],
                       env=run_env, cwd=out, capture_output=True, text=True, timeout=300)
    results = []
    for line in p.stdout.splitlines():
        try:
            results.append(json.loads(line))
        except ValueError:
            pass
    check("python: the script ran to its end", p.returncode == 0 and results
          and results[-1].get("name") == "end", p.stdout[-2000:] + p.stderr[-2000:])
    for r in results:
        if r.get("name") != "end":
            check("python: " + r["name"], r["ok"], r.get("detail", ""))


def script(prefix, src, out):
    def say(name, ok, detail=""):
        print(json.dumps({"name": name, "ok": bool(ok), "detail": str(detail)[:2000]}), flush=True)

    import datetime
    import chronicle

    say("the library loaded is the installed one",
        os.path.realpath(chronicle.library_path).startswith(os.path.realpath(prefix) + "/"),
        chronicle.library_path)
    say("no build tree on the package's path",
        not any("build" in p and "python" in p for p in sys.path if p), sys.path)

    data = os.path.join(src, "data", "events.json")
    ref = json.load(open(data, encoding="utf-8"))
    ds = chronicle.load(data)
    say("load: len and title", len(ds) == len(ref["events"]) and ds.title == ref["title"])
    say("load: events equal the file's", list(ds.events) == ref["events"])

    pdf = os.path.join(out, "2023.pdf")
    written = ds.export(pdf, format="pdf", since=datetime.date(2023, 1, 1), until="2023-12-31",
                        meta={"title": "Installed"})
    say("export pdf returns the path written", written == [pdf], written)
    p = subprocess.run(["pdftotext", pdf, "-"], capture_output=True)
    text = " ".join(p.stdout.decode("utf-8", "replace").split())
    inside = [e for e in ref["events"] if "2023-01-01" <= e["date"] <= "2023-12-31"]
    outside = [e for e in ref["events"] if e not in inside]
    say("the pdf holds the events of 2023", inside and all(e["title"] in text for e in inside),
        text[:1500])
    say("and no other", outside and not any(e["title"] in text for e in outside))

    try:
        chronicle.load(os.path.join(src, "tests", "data", "bad", "date-feb-30.json"))
        say("DatasetError raised for an invalid dataset", False)
    except chronicle.DatasetError as e:
        d = e.diagnostics[0] if e.diagnostics else {}
        say("DatasetError raised for an invalid dataset", True)
        say("its diagnostic has a pointer and a code",
            d.get("pointer") == "/events/0/date" and d.get("code") == "date", d)
    bad = os.path.join(out, "syntax.json")
    with open(bad, "w") as f:
        f.write('{"schema": "chronicle/events@1",\n "title": }\n')
    try:
        chronicle.load(bad)
        say("DatasetError raised for a syntax error", False)
    except chronicle.DatasetError as e:
        d = e.diagnostics[0] if e.diagnostics else {}
        say("a syntax error has a line and a column",
            d.get("line") == 2 and d.get("column") and d.get("code") == "syntax", d)

    names = {p["name"]: p for p in chronicle.plugins()}
    say("plugins() finds the installed pdf plugin",
        "pdf" in names and names["pdf"]["path"].startswith(prefix + "/"), list(names))
    say("end", True)


if __name__ == "__main__":
    script(*sys.argv[1:4])
