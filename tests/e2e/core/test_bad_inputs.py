"""End-to-end: `chronicle validate` on the bad-input corpus and on the
project's own datasets.

tests/data/bad/NAME.json (or .ndjson) holds one defect; NAME.expect holds
the exact standard error it must produce when validated as
`chronicle validate NAME.json` from the fixture's own directory (so
messages name the bare file).  Every fixture must exit with 65, print
nothing on standard output, and create no file.  Inputs too big to commit
(100,000-deep nesting, 150 errors) are generated here.

The valid datasets (data/events.json, data/samples/*) must pass both
`chronicle validate` and the JSON Schema formats/events-v1.schema.json
(python3-jsonschema), and the schema must agree with the validator about
the corpus, except for the rules formats/events-v1.md §10.1 says only the
validator checks.
"""

import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools"))
from expect import Tally  # noqa: E402

CHRONICLE = os.environ["CHRONICLE"]
SRC = os.environ["SOURCE_ROOT"]
BAD = os.path.join(SRC, "tests", "data", "bad")
SCHEMA = os.path.join(SRC, "formats", "events-v1.schema.json")
EXIT_DATA, EXIT_NOINPUT = 65, 66
INPUT_EXT = (".json", ".ndjson")

# Bad fixtures JSON Schema cannot refuse: formats/events-v1.md §10.1 leaves
# these rules to the validator alone (Python's json, unlike Chronicle, also
# accepts a lone surrogate escape).
SCHEMA_CANNOT_SEE = {
    "duplicate-event-id.json": "unique event ids",
    "duplicate-source-id.json": "unique source ids",
    "end-date-before-date.json": "end_date not before date",
    "unknown-source-in-event.json": "cited source ids exist",
    "unknown-source-in-figure.json": "cited source ids exist",
    "unknown-source-in-statement.json": "cited source ids exist",
    "unknown-source-sources-after-events.json": "cited source ids exist",
    "lone-surrogate.json": "strict JSON text",
}

tally = Tally()
check = tally.check


def run(args, cwd):
    p = subprocess.run([CHRONICLE] + args, cwd=cwd, capture_output=True, timeout=120)
    return p.returncode, p.stdout, p.stderr


def listing(d):
    """Every entry under d, hidden ones too, with sizes."""
    out = []
    for root, dirs, files in os.walk(d):
        for f in dirs + files:
            path = os.path.join(root, f)
            out.append((os.path.relpath(path, d), os.lstat(path).st_size))
    return sorted(out)


def fixtures():
    return sorted(f for f in os.listdir(BAD) if f.endswith(INPUT_EXT))


def expect_path(name):
    return os.path.join(BAD, os.path.splitext(name)[0] + ".expect")


# ---- the corpus itself ----

def test_corpus_is_well_formed():
    names = fixtures()
    check("corpus has at least 35 fixtures", len(names) >= 35, f"{len(names)}")
    stems = {os.path.splitext(n)[0] for n in names}
    for f in sorted(os.listdir(BAD)):
        stem, ext = os.path.splitext(f)
        if ext == ".expect":
            check(f"{f} has a fixture", stem in stems, "an .expect without its input")
        elif ext not in INPUT_EXT and f != "README.md":
            check(f"{f} belongs in the corpus", False, "neither a fixture nor an .expect")
    for name in names:
        size = os.path.getsize(os.path.join(BAD, name))
        check(f"{name} is small", size < 4096, f"{size} bytes")
        if not check(f"{name} has an .expect", os.path.exists(expect_path(name))):
            continue
        lines = open(expect_path(name), "rb").read().decode().splitlines()
        check(f"{name}.expect names the file on every line",
              lines and all(l.startswith(name + ":") for l in lines), repr(lines))


# ---- each fixture, alone and together ----

def test_each_fixture(work):
    for name in fixtures():
        want = open(expect_path(name), "rb").read()
        before = listing(work)
        rc, out, err = run(["validate", name], work)
        check(f"{name}: exit {EXIT_DATA}", rc == EXIT_DATA, f"exit {rc}")
        check(f"{name}: stderr", err == want,
              f"\n  want: {want.decode(errors='replace')!r}\n  got:  {err.decode(errors='replace')!r}")
        check(f"{name}: nothing on stdout", out == b"", repr(out))
        check(f"{name}: no file created", listing(work) == before,
              f"{sorted(set(listing(work)) ^ set(before))}")


def test_quiet_keeps_errors(work):
    for name in ("date-feb-30.json", "truncated.json", "ndjson-trailing-garbage.ndjson"):
        rc, out, err = run(["validate", "-q", name], work)
        check(f"-q {name}: same errors", rc == EXIT_DATA and out == b"" and
              err == open(expect_path(name), "rb").read(), f"exit {rc}, {err!r}")


def test_all_fixtures_in_one_run(work):
    names = fixtures()
    rc, out, err = run(["validate"] + names, work)
    want = b"".join(open(expect_path(n), "rb").read() for n in names)
    check("all fixtures at once: exit 65", rc == EXIT_DATA, f"exit {rc}")
    check("all fixtures at once: each file's errors, in order", err == want,
          f"{len(err)} bytes, want {len(want)}")
    check("all fixtures at once: nothing on stdout", out == b"", repr(out[:200]))


def test_unreadable_inputs(work):
    os.mkdir(os.path.join(work, "a-directory.json"))
    rc, out, err = run(["validate", "a-directory.json"], work)
    check("directory: exit 66", rc == EXIT_NOINPUT, f"exit {rc}")
    check("directory: message", err == b"a-directory.json: is a directory, not a dataset file\n",
          repr(err))
    check("directory: nothing on stdout", out == b"", repr(out))
    os.rmdir(os.path.join(work, "a-directory.json"))

    rc, out, err = run(["validate", "missing.json"], work)
    check("missing file: exit 66", rc == EXIT_NOINPUT, f"exit {rc}")
    check("missing file: message", err == b"missing.json: cannot open: No such file or directory\n",
          repr(err))

    # the worst status wins; every file is still reported
    rc, out, err = run(["validate", "date-feb-30.json", "missing.json", "empty.json"], work)
    check("mixed: exit 66", rc == EXIT_NOINPUT, f"exit {rc}")
    check("mixed: every file reported", err.count(b"\n") == 3 and b"empty.json:1:1: the file is empty"
          in err and b"date-feb-30.json: /events/0/date" in err, repr(err))


# ---- generated inputs ----

HEADER = '{"schema":"chronicle/events@1","title":"T","sources":[{"id":"s1","document":"d"}]'


def event(i, date):
    return ('{"id":"e%d","title":"E","date":"%s","location":{"country":"C","country_code":"AZ"},'
            '"occasion":{"subject":"S"},"sources":["s1"]}' % (i, date))


def expect_run(work, name, content, rc_want, err_want):
    with open(os.path.join(work, name), "w") as f:
        f.write(content)
    before = listing(work)
    rc, out, err = run(["validate", name], work)
    check(f"{name}: exit {rc_want}", rc == rc_want, f"exit {rc}")
    check(f"{name}: stderr", err == err_want.encode(), f"\n  want: {err_want!r}\n  got:  {err!r}")
    check(f"{name}: nothing on stdout", out == b"", repr(out[:200]))
    check(f"{name}: no file created", listing(work) == before)
    os.unlink(os.path.join(work, name))


def test_deep_nesting(work):
    n = 100000
    prefix = HEADER + ',"events":['
    expect_run(work, "deep.json", prefix + "[" * n + "]" * n + "]}", EXIT_DATA,
               f"deep.json:1:{len(prefix) + 63}: nesting deeper than 64 levels\n")
    prefix = '{"x":{"y":'
    expect_run(work, "deep-object.json", prefix + '{"a":' * n + "1" + "}" * n + "}}", EXIT_DATA,
               f"deep-object.json:1:{len(prefix) + 5 * 62 + 1}: nesting deeper than 64 levels\n")
    expect_run(work, "deep-array.json", "[" * n + "]" * n, EXIT_DATA,
               "deep-array.json:1:1: expected '{': a dataset is a JSON object\n")
    # NDJSON: the deep line fails alone, the next line is still checked
    expect_run(work, "deep.ndjson", HEADER + "}\n" + "[" * n + "]" * n + "\n" +
               event(1, "2023-02-30") + "\n", EXIT_DATA,
               "deep.ndjson:2:64: nesting deeper than 64 levels\n"
               'deep.ndjson: /events/1/date: "2023-02-30" is not a calendar date (YYYY-MM-DD)\n')


def test_error_limit(work):
    # 150 bad dates: the first 100 are listed, then a count of the rest
    events = ",".join(event(i, "2023-02-30") for i in range(150))
    want = "".join(f'many.json: /events/{i}/date: "2023-02-30" is not a calendar date '
                   "(YYYY-MM-DD)\n" for i in range(100))
    expect_run(work, "many.json", HEADER + ',"events":[' + events + "]}", EXIT_DATA,
               want + "chronicle: ... and 50 more\n")


def test_three_defects(work):
    # three defects in three places: three lines, each with its own pointer
    doc = json.loads(HEADER + ',"events":[]}')
    doc["sources"].append({"id": "s1", "document": "again"})
    doc["events"] = [json.loads(event(0, "2023-02-24")), json.loads(event(1, "2023-02-24")),
                     json.loads(event(2, "2023-02-24"))]
    doc["events"][1]["location"]["country_code"] = "az"
    doc["events"][2]["figures"] = [{"label": "L", "value": "613", "source": "s1"}]
    expect_run(work, "three.json", json.dumps(doc, indent=2), EXIT_DATA,
               'three.json: /sources/1/id: duplicate source id "s1"\n'
               'three.json: /events/1/location/country_code: "az" is not an ISO 3166-1 alpha-2 '
               'code (two upper-case letters, e.g. "AZ")\n'
               "three.json: /events/2/figures/0/value: expected a number, found a string\n")


# ---- the project's own datasets ----

def valid_datasets():
    return ([os.path.join(SRC, "data", "events.json")] +
            sorted(glob.glob(os.path.join(SRC, "data", "samples", "*.json"))) +
            sorted(glob.glob(os.path.join(SRC, "data", "samples", "*.ndjson"))))


def test_valid_datasets_validate(work):
    paths = [p for p in valid_datasets() if os.path.exists(p)]
    if not paths:
        print("SKIP valid datasets: data/events.json and data/samples/ do not exist yet")
        return
    check("data/events.json exists", os.path.exists(valid_datasets()[0]))
    for path in paths:
        rel = os.path.relpath(path, SRC)
        rc, out, err = run(["validate", rel], SRC)
        check(f"validate {rel}: exit 0", rc == 0, f"exit {rc}: {err.decode(errors='replace')}")
        check(f"validate {rel}: no warnings", err == b"", err.decode(errors="replace"))
        check(f"validate {rel}: says valid", out.startswith(rel.encode() + b": valid: "), repr(out))


def strict_json(data):
    """Parses like Chronicle's grammar as far as Python's json can: refuses
    invalid UTF-8, duplicate member names and NaN/Infinity."""
    text = data.decode("utf-8")
    if text.startswith("\ufeff"):
        text = text[1:]

    def pairs(items):
        keys = [k for k, _ in items]
        if len(keys) != len(set(keys)):
            raise ValueError("duplicate member")
        return dict(items)

    def constant(name):
        raise ValueError(name)

    return json.loads(text, object_pairs_hook=pairs, parse_constant=constant)


def ndjson_values(data):
    lines = [l for l in data.decode("utf-8").split("\n") if l.strip()]
    return [strict_json(l.encode()) for l in lines]


def schema_errors(validators, name, data):
    """The schema's objections to a file; None when it is not strict JSON."""
    whole, header, event_v = validators
    try:
        if name.endswith(".ndjson"):
            values = ndjson_values(data)
            pairs = [(header, values[0])] + [(event_v, v) for v in values[1:]]
        else:
            pairs = [(whole, strict_json(data))]
    except ValueError:  # also UnicodeDecodeError and json.JSONDecodeError
        return None
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
            for v, value in pairs for e in v.iter_errors(value)]


def make_validators():
    import jsonschema
    schema = json.load(open(SCHEMA))
    V = jsonschema.Draft202012Validator
    V.check_schema(schema)

    def part(name):
        return V({"$schema": schema["$schema"], "$defs": schema["$defs"],
                  "$ref": "#/$defs/" + name})

    return V(schema), part("header"), part("event")


def test_schema():
    if not os.path.exists(SCHEMA):
        print("SKIP JSON Schema checks: formats/events-v1.schema.json does not exist yet")
        return
    try:
        validators = make_validators()
    except ImportError:
        check("python3-jsonschema is installed", False, "apt-get install python3-jsonschema")
        return
    paths = [p for p in valid_datasets() if os.path.exists(p)]
    if not paths:
        print("SKIP JSON Schema on datasets: data/events.json and data/samples/ do not exist yet")
    for path in paths:
        rel = os.path.relpath(path, SRC)
        errs = schema_errors(validators, rel, open(path, "rb").read())
        check(f"schema accepts {rel}", errs == [], f"{errs}")
    # the corpus: what the schema can express, it must refuse too
    for name in fixtures():
        errs = schema_errors(validators, name, open(os.path.join(BAD, name), "rb").read())
        if errs is None:
            continue  # not strict JSON: the parser's job (§10.1), nothing to compare
        if name in SCHEMA_CANNOT_SEE:
            check(f"schema cannot see {name} ({SCHEMA_CANNOT_SEE[name]})", errs == [],
                  f"it can now, update SCHEMA_CANNOT_SEE: {errs}")
        else:
            check(f"schema refuses {name} as chronicle does", errs != [],
                  "the schema accepts it: schema and validator disagree")


def main():
    for t in (test_corpus_is_well_formed, test_schema):
        t()
    work = tempfile.mkdtemp(prefix="chronicle-bad-")
    try:
        for name in fixtures() + [os.path.basename(expect_path(n)) for n in fixtures()]:
            shutil.copy(os.path.join(BAD, name), work)
        for t in (test_each_fixture, test_quiet_keeps_errors, test_all_fixtures_in_one_run,
                  test_unreadable_inputs, test_deep_nesting, test_error_limit,
                  test_three_defects, test_valid_datasets_validate):
            t(work)
        for name in fixtures():  # validation never touches its input
            same = open(os.path.join(work, name), "rb").read() == \
                open(os.path.join(BAD, name), "rb").read()
            check(f"{name} unchanged", same)
    finally:
        shutil.rmtree(work)
    return tally.finish()


if __name__ == "__main__":
    sys.exit(main())
