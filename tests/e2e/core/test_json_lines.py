"""End-to-end: the machine-readable side of `chronicle` (formats/diagnostics.md).

- The codes table of formats/diagnostics.md against the code, both ways:
  the enum of core/include/chronicle/diag.h, the names of core/src/diag.c.
- `validate --json` on every case of the bad-input corpus (tests/data/bad)
  and the generated ones: every line is a JSON object, every error has a
  known code (never "other") and a place, the records say what the text
  says (the .expect files, rebuilt from the records), exit statuses as
  without --json.
- `export --json`: one record an output (its path exists, its bytes are the
  file's size), one a failed job (a fixture plugin that crashes), exit
  statuses as without --json.
- `-` as the dataset: the same report as the file, JSON and NDJSON, a syntax
  error placed in <stdin>, the refusals.
- validate takes only its own options.
"""

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools"))
from expect import Tally  # noqa: E402

CHRONICLE = os.environ["CHRONICLE"]
SRC = os.environ["SOURCE_ROOT"]
FIX = os.environ["FIXTURE_PLUGIN_DIR"]
BAD = os.path.join(SRC, "tests", "data", "bad")
EVENTS = os.path.join(SRC, "data", "events.json")
NDJSON = os.path.join(SRC, "data", "samples", "events.ndjson")
EXIT_USAGE, EXIT_DATA, EXIT_NOINPUT, EXIT_SOFTWARE = 64, 65, 66, 70

tally = Tally()
check = tally.check


def run(args, cwd=None, stdin=None):
    p = subprocess.run([CHRONICLE] + args, cwd=cwd, input=stdin, capture_output=True, timeout=120)
    return p.returncode, p.stdout, p.stderr


def records(out, what):
    """Every line of out as a JSON object; a line that is not one fails."""
    recs = []
    for line in out.decode("utf-8").splitlines():
        try:
            rec = json.loads(line)
        except ValueError as e:
            check(f"{what}: a JSON line", False, f"{e}: {line!r}")
            continue
        if check(f"{what}: an object with a type", isinstance(rec, dict) and "type" in rec,
                 repr(line)):
            recs.append(rec)
    return recs


# ---- the codes table against the code ----

def codes_in_code():
    """{NAME: "kebab-name"} from diag.c's table, checked against diag.h's enum."""
    header = open(os.path.join(SRC, "core", "include", "chronicle", "diag.h")).read()
    body = re.search(r"typedef enum chronicle_diag_code \{(.*?)\} chronicle_diag_code;", header,
                     re.S).group(1)
    enum = re.findall(r"\bCHRONICLE_DIAG_([A-Z_]+)\b", re.sub(r"/\*.*?\*/", "", body, flags=re.S))
    source = open(os.path.join(SRC, "core", "src", "diag.c")).read()
    names = dict(re.findall(r'\[CHRONICLE_DIAG_([A-Z_]+)\]\s*=\s*"([a-z-]+)"', source))
    check("diag.h has codes", len(enum) >= 30, repr(enum))
    check("diag.c names every code of the enum, and no other", set(names) == set(enum),
          f"enum only: {set(enum) - set(names)}, diag.c only: {set(names) - set(enum)}")
    return names


def codes_in_doc(text):
    """The codes of the table's rows: | `code` | severity | ..."""
    return re.findall(r"^\| `([a-z-]+)` \| (?:error|warning|any) \|", text, re.M)


def table_problems(in_code, doc_text):
    documented = codes_in_doc(doc_text)
    problems = [f"{c} is not documented" for c in sorted(set(in_code) - set(documented))]
    problems += [f"{c} is documented but does not exist" for c in
                 sorted(set(documented) - set(in_code))]
    problems += [f"{c} is documented twice" for c in sorted(set(documented))
                 if documented.count(c) > 1]
    return problems


def test_codes_table():
    names = codes_in_code()
    in_code = set(names.values())
    doc = open(os.path.join(SRC, "formats", "diagnostics.md")).read()
    problems = table_problems(in_code, doc)
    check("formats/diagnostics.md documents every code, and only codes", not problems,
          "; ".join(problems))
    # the check itself can fail: a row dropped, a row invented
    dropped = re.sub(r"^\| `date-order` \|.*\n", "", doc, flags=re.M)
    check("a missing row is found", table_problems(in_code, dropped) ==
          ["date-order is not documented"], table_problems(in_code, dropped))
    invented = doc + "| `no-such-code` | error | x | — | x |\n"
    check("an invented row is found", table_problems(in_code, invented) ==
          ["no-such-code is documented but does not exist"])
    return in_code


# ---- validate --json on the corpus ----

def as_text(rec):
    """The line the text output gives for a diagnostic record (chronicle_diag_format)."""
    line = ""
    if rec.get("file") is not None:
        line = rec["file"]
        if "line" in rec:
            line += f":{rec['line']}" + (f":{rec['column']}" if "column" in rec else "")
        line += ": "
    if "pointer" in rec:
        line += (rec["pointer"] or "/") + ": "
    if rec["severity"] == "warning":
        line += "warning: "
    return line + rec["message"]


def check_diagnostics(recs, codes, what):
    diags = [r for r in recs if r["type"] == "diagnostic"]
    for r in diags:
        check(f"{what}: severity", r.get("severity") in ("error", "warning"), repr(r))
        check(f"{what}: a known code", r.get("code") in codes and r["code"] != "other", repr(r))
        check(f"{what}: message and file", isinstance(r.get("message"), str) and "file" in r,
              repr(r))
        placed = ("line" in r and "column" in r) or "pointer" in r
        if r["severity"] == "error" and r.get("file") is not None and r.get("code") != "io":
            check(f"{what}: an error in a file has a place", placed, repr(r))
    return diags


def test_corpus(codes, work):
    names = sorted(f for f in os.listdir(BAD) if f.endswith((".json", ".ndjson")))
    check("the corpus has cases", len(names) >= 35, str(len(names)))
    seen = set()
    for name in names:
        rc_text, _, err = run(["validate", name], work)
        rc, out, err_json = run(["validate", "--json", name], work)
        check(f"{name}: exit as without --json", rc == rc_text == EXIT_DATA, f"{rc} {rc_text}")
        check(f"{name}: nothing on stderr with --json", err_json == b"", repr(err_json))
        recs = records(out, name)
        diags = check_diagnostics(recs, codes, name)
        check(f"{name}: at least one error", any(d["severity"] == "error" for d in diags),
              repr(recs))
        seen |= {d["code"] for d in diags}
        want = open(os.path.join(BAD, os.path.splitext(name)[0] + ".expect"), "rb").read()
        got = "".join(as_text(d) + "\n" for d in diags).encode()
        check(f"{name}: the records say what the text says", got == want and err == want,
              f"\n  records: {got!r}\n  expect:  {want!r}")
        check(f"{name}: the last record is the file's", recs and recs[-1] == {
            "type": "file", "file": name, "valid": False}, repr(recs[-1:]))
    # the corpus shows most of the dataset's codes
    for code in ("syntax", "encoding", "empty-file", "type", "required", "empty", "date",
                 "date-order", "range", "country-code", "url", "duplicate-member",
                 "duplicate-id", "unknown-source", "schema", "version", "structure"):
        check(f"the corpus gives code {code}", code in seen, sorted(seen))


def test_generated(codes, work):
    n = 100000
    path = os.path.join(work, "deep.json")
    with open(path, "w") as f:
        f.write('{"schema":"chronicle/events@1","events":[' + "[" * n + "]" * n + "]}")
    rc, out, _ = run(["validate", "--json", "deep.json"], work)
    diags = check_diagnostics(records(out, "deep"), codes, "deep")
    check("deep: exit 65, code limit, placed", rc == EXIT_DATA and diags and
          diags[0]["code"] == "limit" and diags[0]["line"] == 1, repr(diags))
    event = ('{"id":"e%d","title":"E","date":"2023-02-30","location":{"country":"C",'
             '"country_code":"AZ"},"occasion":{"subject":"S"},"sources":["s1"]}')
    with open(os.path.join(work, "many.json"), "w") as f:
        f.write('{"schema":"chronicle/events@1","title":"T","sources":[{"id":"s1",'
                '"document":"d"}],"events":[' + ",".join(event % i for i in range(150)) + "]}")
    rc, out, _ = run(["validate", "--json", "many.json"], work)
    recs = records(out, "many")
    check("many: 100 diagnostics, then the count of the rest", rc == EXIT_DATA and
          len([r for r in recs if r["type"] == "diagnostic"]) == 100 and
          {"type": "dropped", "count": 50} in recs, repr(recs[-2:]))
    for args, what in ((["missing.json"], "missing"), (["."], "directory")):
        rc, out, _ = run(["validate", "--json"] + args, work)
        diags = check_diagnostics(records(out, what), codes, what)
        check(f"{what}: exit 66, code io", rc == EXIT_NOINPUT and [d["code"] for d in diags] ==
              ["io"], repr(diags))
    rc, out, _ = run(["validate", "--json", EVENTS])
    recs = records(out, "events.json")
    check("a valid dataset: one file record with its counts", rc == 0 and len(recs) == 1 and
          recs[0]["valid"] is True and recs[0]["events"] == 4 and recs[0]["sources"] == 5,
          repr(recs))


# ---- export --json ----

def test_export(codes, work):
    outdir = os.path.join(work, "out")
    args = ["export", "--plugin-path", FIX, "-f", "text,good,crash", "-o", outdir + "/", EVENTS]
    rc, out, err = run(args[:1] + ["--json"] + args[1:], work)
    check("export --json: exit 70 (a job failed), as without --json", rc == EXIT_SOFTWARE,
          f"exit {rc}: {err!r}")
    recs = records(out, "export")
    outputs = [r for r in recs if r["type"] == "output"]
    failed = [r for r in recs if r["type"] == "job-failed"]
    check("export --json: one output record a good job", sorted(r["format"] for r in outputs) ==
          ["good", "text"], repr(recs))
    for r in outputs:
        ok = r["path"] and os.path.isfile(r["path"])
        check(f"output {r['format']}: the path exists", ok, repr(r))
        if ok:
            check(f"output {r['format']}: bytes is the file's size",
                  r["bytes"] == os.path.getsize(r["path"]) > 0, repr(r))
        check(f"output {r['format']}: input and group", r["input"] == EVENTS and
              r["group"] is None, repr(r))
    check("export --json: a job-failed record for crash", len(failed) == 1 and
          failed[0]["format"] == "crash" and failed[0]["code"] == "job" and
          "SIGSEGV" in (failed[0]["message"] or "") and failed[0]["group"] is None, repr(failed))
    check("export --json: the failed job's output is not there",
          not failed or not os.path.exists(failed[0]["path"]), repr(failed))
    rc_text, _, _ = run(args[:-2] + [os.path.join(work, "out-text") + "/", EVENTS], work)
    check("export without --json: the same exit status", rc_text == rc, f"{rc_text} {rc}")

    rc, out, _ = run(["export", "--json", "-f", "text", "--split-by", "country", "-o",
                      os.path.join(work, "split") + "/", EVENTS])
    recs = records(out, "split")
    check("split: one output a group, each with its group", rc == 0 and len(recs) >= 2 and
          all(r["type"] == "output" and r["group"] and
              r["bytes"] == os.path.getsize(r["path"]) for r in recs), repr(recs))

    rc, out, _ = run(["export", "--json", "-f", "nope", "-o", os.path.join(work, "x.txt"), EVENTS])
    diags = check_diagnostics(records(out, "unknown format"), codes, "unknown format")
    check("unknown format: exit 64 and code unknown-format", rc == EXIT_USAGE and
          [d["code"] for d in diags] == ["unknown-format"], repr(diags))
    rc, out, err = run(["export", "--json", "-f", "text", "-o", "-", EVENTS])
    check("export --json -o -: refused, nothing on stdout", rc == EXIT_USAGE and out == b"" and
          b"--json" in err, repr(err))


# ---- standard input ----

def test_stdin(codes, work):
    data = open(EVENTS, "rb").read()
    rc_f, from_file, _ = run(["export", "-f", "text", "-o", "-", EVENTS])
    rc_s, from_stdin, err = run(["export", "-f", "text", "-o", "-", "-"], stdin=data)
    check("cat events.json | export -f text -o - -: the file run, byte for byte",
          rc_f == rc_s == 0 and from_file == from_stdin and len(from_file) > 1000,
          f"exit {rc_f}/{rc_s}, {len(from_file)}/{len(from_stdin)} bytes: {err!r}")
    if os.path.exists(NDJSON):
        nd = open(NDJSON, "rb").read()
        rc_f, from_file, _ = run(["export", "-f", "text", "-o", "-", NDJSON])
        rc_s, from_stdin, err = run(["export", "-f", "text", "-o", "-", "-"], stdin=nd)
        check("NDJSON on stdin (sniffed): the file run", rc_f == rc_s == 0 and
              from_file == from_stdin and len(from_file) > 100, f"{rc_f}/{rc_s} {err!r}")
        rc, _, err = run(["validate", "--input-format", "json", "-"], stdin=nd)
        check("NDJSON on stdin read as JSON fails: the sniffing is what reads it",
              rc == EXIT_DATA, f"exit {rc}")
        rc, out, _ = run(["validate", "--json", "--input-format", "ndjson", "-"], stdin=nd)
        check("--input-format ndjson on stdin", rc == 0 and records(out, "nd")[-1]["valid"],
              repr(out))
    target = os.path.join(work, "from-stdin.txt")
    rc, out, _ = run(["export", "--json", "-f", "text", "-o", target, "-"], stdin=data)
    recs = records(out, "stdin export")
    check("export - -o FILE --json: the output record names <stdin>", rc == 0 and
          recs == [dict(recs[0], type="output", input="<stdin>", path=target,
                        bytes=os.path.getsize(target))], repr(recs))

    bad = b'{"schema": "chronicle/events@1",\n "title": "T", "sources": [}\n'
    rc, out, err = run(["validate", "-"], stdin=bad)
    check("a syntax error on stdin is placed in <stdin>", rc == EXIT_DATA and
          err == b"<stdin>:2:28: unexpected character '}'\n", repr(err))
    rc, out, _ = run(["validate", "--json", "-"], stdin=bad)
    diags = check_diagnostics(records(out, "stdin syntax"), codes, "stdin syntax")
    check("... and in its JSON record", rc == EXIT_DATA and diags == [{
        "type": "diagnostic", "severity": "error", "code": "syntax",
        "message": "unexpected character '}'", "file": "<stdin>", "line": 2, "column": 28}],
        repr(diags))
    rc, out, err = run(["validate", "-"], stdin=b"")
    check("empty stdin: empty-file", rc == EXIT_DATA and
          err == b"<stdin>:1:1: the file is empty (expected a JSON object)\n", repr(err))
    rc, out, err = run(["validate", "-"], stdin=data)
    check("validate -: valid, named <stdin>", rc == 0 and out.startswith(b"<stdin>: valid: 4 "),
          repr(out))

    for args, what in ((["validate", "-", "-"], "read once"),
                       (["validate", "--memory", "low", "-"], "--memory low"),
                       (["export", "-f", "text", "-"], "no -o"),
                       (["export", "-f", "text", "-o", work + "/", "-"], "-o DIR"),
                       (["export", "-f", "text", "--split-by", "year", "-o", "x", "-"],
                        "--split-by")):
        rc, out, err = run(args, work, stdin=data)
        check(f"stdin refused ({what}): exit 64 with a reason", rc == EXIT_USAGE and
              b"standard input" in err and out == b"", f"exit {rc}: {err!r}")


# ---- validate's options ----

def test_validate_options(work):
    for opt in (["-f", "pdf"], ["-o", "x"], ["--split-by", "year"], ["-j", "2"], ["-v"],
                ["--plugin-path", "."], ["--since", "2020-01-01"], ["--plan"]):
        rc, out, err = run(["validate"] + opt + [EVENTS], work)
        check(f"validate {opt[0]}: exit 64, the option named", rc == EXIT_USAGE and
              b"validate: " in err and opt[0].encode() in err and out == b"", repr(err))
    for opt in (["-q"], ["--json"], ["--input-format", "json"], ["--memory", "high"]):
        rc, _, err = run(["validate"] + opt + [EVENTS], work)
        check(f"validate {opt[0]}: accepted", rc == 0, repr(err))


def main():
    codes = test_codes_table()
    work = tempfile.mkdtemp(prefix="chronicle-jsonl-")
    try:
        for name in os.listdir(BAD):
            shutil.copy(os.path.join(BAD, name), work)
        test_corpus(codes, work)
        test_generated(codes, work)
        test_export(codes, work)
        test_stdin(codes, work)
        test_validate_options(work)
    finally:
        shutil.rmtree(work)
    return tally.finish()


if __name__ == "__main__":
    sys.exit(main())
