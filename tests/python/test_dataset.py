"""chronicle.load(): the Dataset read back equals the JSON file it came
from, in memory and indexed; errors are exceptions with places."""

import datetime
import json
import os
import subprocess
import sys

import pytest

import chronicle
from conftest import BAD, DATA, SRC, run_cli

REF = json.load(open(DATA, encoding="utf-8"))


@pytest.mark.parametrize("memory", ["auto", "high", "low"])
def test_load_equals_the_json_file(memory):
    with chronicle.load(DATA, memory=memory) as ds:
        assert ds.indexed == (memory == "low")
        assert len(ds) == len(REF["events"]) == len(ds.events)
        assert ds.title == REF["title"]
        assert ds.description == REF["description"]
        assert ds.schema == REF["schema"]
        assert ds.sources == REF["sources"]
        assert list(ds.events) == REF["events"]
        assert ds.events[0] == REF["events"][0]
        assert ds.events[-1] == REF["events"][-1]
        assert ds.events[1:3] == REF["events"][1:3]
        assert ds.events[::2] == REF["events"][::2]
        assert ds.warnings == []
        with pytest.raises(IndexError):
            ds.events[len(REF["events"])]


def test_ndjson_sample_equals_its_lines():
    path = os.path.join(SRC, "data", "samples", "events.ndjson")
    lines = [json.loads(line) for line in open(path, encoding="utf-8") if line.strip()]
    header, events = lines[0], lines[1:]
    ds = chronicle.load(path)
    assert ds.title == header["title"]
    assert list(ds.events) == events


def test_many_events_cross_chunks(tmp_path):
    """More events than one serialisation chunk: order and content kept."""
    doc = dict(REF)
    base = REF["events"][0]
    doc["events"] = [dict(base, id=f"e-{i:04d}") for i in range(600)]
    path = tmp_path / "many.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    for memory in ("high", "low"):
        ds = chronicle.load(path, memory=memory)
        assert [e["id"] for e in ds.events] == [e["id"] for e in doc["events"]]
        assert ds.events[599] == doc["events"][599]


def test_dataset_error_has_diagnostics_with_places():
    path = os.path.join(BAD, "date-feb-30.json")
    with pytest.raises(chronicle.DatasetError) as info:
        chronicle.load(path)
    diags = info.value.diagnostics
    assert diags and all(d["severity"] == "error" for d in diags)
    d = diags[0]
    assert d["file"] == path
    assert d["pointer"] == "/events/0/date"
    assert "2023-02-30" in d["message"]
    assert d["code"] == "date"
    assert "/events/0/date" in str(info.value)


def test_syntax_error_has_line_and_column(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('{\n  "schema": "chronicle/events@1",\n  "title": "x",,\n}\n')
    with pytest.raises(chronicle.DatasetError) as info:
        chronicle.load(path)
    d = info.value.diagnostics[0]
    assert (d["file"], d["line"], d["column"], d["code"]) == (str(path), 3, 16, "syntax")
    assert set(d) == {"severity", "code", "message", "file", "line", "column"}
    assert "pointer" not in d


def test_missing_file_is_file_not_found(tmp_path):
    with pytest.raises(FileNotFoundError) as info:
        chronicle.load(tmp_path / "nope.json")
    assert isinstance(info.value, chronicle.ChronicleError)
    assert info.value.diagnostics


def test_a_directory_is_an_os_error(tmp_path):
    with pytest.raises(OSError):
        chronicle.load(tmp_path)


def test_validate_clean_file_gives_nothing():
    assert chronicle.validate(DATA) == []


def bad_corpus():
    return sorted(f for f in os.listdir(BAD) if f.endswith(".json"))


@pytest.mark.parametrize("name", bad_corpus())
def test_validate_bad_corpus_as_the_cli_says_it(name):
    """Every case of tests/data/bad: diagnostics with a place, worded as the
    command's validate prints them line by line."""
    path = os.path.join(BAD, name)
    diags = chronicle.validate(path)
    assert diags, name
    errors = [d for d in diags if d["severity"] == "error"]
    assert errors
    for d in errors:
        assert d["file"] == path
        # a place: line and column, or a pointer (the whole file only when empty)
        assert d.get("line") or d.get("pointer") is not None or name == "empty.json", d
        assert d["code"] and d["code"] != "other", d
    # the same records as validate --json, member for member
    p = run_cli("validate", "--json", path)
    assert p.returncode == 65
    records = [json.loads(line) for line in p.stdout.decode("utf-8").splitlines()]
    assert [dict((k, v) for k, v in r.items() if k != "type")
            for r in records if r["type"] == "diagnostic"] == diags
    # and worded as validate prints them
    p = run_cli("validate", path)
    assert p.stderr.decode("utf-8").splitlines() == [chronicle.format_diagnostic(d) for d in diags]


def test_events_after_close_raise():
    ds = chronicle.load(DATA)
    ds.close()
    with pytest.raises(ValueError):
        list(ds.events)
    with pytest.raises(ValueError):
        ds.export("x.txt", format="text")
    ds.close()  # twice is fine


@pytest.mark.parametrize("call, exc", [
    (lambda: chronicle.load(123), TypeError),
    (lambda: chronicle.load(None), TypeError),
    (lambda: chronicle.load(""), ValueError),
    (lambda: chronicle.load("a\0b"), ValueError),
    (lambda: chronicle.load(DATA, memory="lots"), ValueError),
    (lambda: chronicle.load(DATA, input_format="xml"), ValueError),
    (lambda: chronicle.validate(DATA, memory=3), ValueError),
    (lambda: chronicle.load(DATA).events["0"], TypeError),
    (lambda: chronicle.load(DATA).events[1.5], TypeError),
])
def test_bad_arguments_raise(call, exc):
    with pytest.raises(exc):
        call()


def test_missing_library_is_a_clear_import_error(tmp_path):
    env = dict(os.environ, CHRONICLE_LIBRARY=str(tmp_path / "libnothing.so.1"))
    p = subprocess.run([sys.executable, "-c", "import chronicle"], env=env,
                       capture_output=True, text=True)
    assert p.returncode == 1
    assert "ImportError" in p.stderr
    assert str(tmp_path / "libnothing.so.1") in p.stderr
    assert "CHRONICLE_LIBRARY" in p.stderr


def test_source_directory_without_library_path_says_so():
    env = {k: v for k, v in os.environ.items() if k != "CHRONICLE_LIBRARY"}
    env["PYTHONPATH"] = os.path.join(SRC, "python")
    p = subprocess.run([sys.executable, "-c", "import chronicle"], env=env,
                       capture_output=True, text=True)
    assert p.returncode == 1
    assert "ImportError" in p.stderr and "PYTHONPATH=BUILD/python" in p.stderr


def test_date_objects_accepted():
    assert chronicle._date(datetime.date(2023, 2, 24), "since") == 20230224
    assert chronicle._date(datetime.datetime(2023, 2, 24, 10, 0), "since") == 20230224
    assert chronicle._date("2024-02-29", "since") == 20240229


def test_indexed_events_after_the_file_changed(tmp_path):
    """memory="low" reads events again from the file: a change since the
    load is a DatasetError, never a wrong event."""
    path = tmp_path / "events.json"
    path.write_bytes(open(DATA, "rb").read())
    with chronicle.load(path, memory="low") as ds:
        assert ds.events[0] == REF["events"][0]
        text = path.read_text(encoding="utf-8").replace(REF["events"][0]["title"], "Changed")
        path.write_text(text, encoding="utf-8")
        os.utime(path, (1, 1))
        with pytest.raises(chronicle.DatasetError) as info:
            list(ds.events)
        d = info.value.diagnostics[0]
        assert d["code"] == "io" and "changed" in d["message"]


def test_load_from_a_file_object():
    with open(DATA, "rb") as f:
        ds = chronicle.load(f)
    assert ds.path == DATA and list(ds.events) == REF["events"]
    import io
    ds = chronicle.load(io.StringIO(open(DATA, encoding="utf-8").read()))
    assert ds.path == "<stream>" and ds.title == REF["title"]
    with pytest.raises(chronicle.DatasetError) as info:
        chronicle.load(io.BytesIO(b'{"schema": "chronicle/events@1",\n  "title": 3}'))
    assert info.value.diagnostics[0]["file"] == "<stream>"
    with pytest.raises(ValueError):
        chronicle.load(io.BytesIO(b"{}"), memory="low")


def test_load_from_standard_input():
    with open(DATA, "rb") as f:
        p = subprocess.run([sys.executable, "-c", "import chronicle, json; ds = chronicle.load('-'); "
                            "print(json.dumps([ds.path, len(ds), list(ds.events)]))"],
                           stdin=f, capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout) == ["<stdin>", len(REF["events"]), REF["events"]]


def test_a_library_that_is_not_libchronicle_is_refused(tmp_path):
    import ctypes.util
    libm = ctypes.util.find_library("m") or "libm.so.6"
    env = dict(os.environ, CHRONICLE_LIBRARY=libm)
    p = subprocess.run([sys.executable, "-c", "import chronicle"], env=env,
                       capture_output=True, text=True)
    assert p.returncode == 1
    assert "ImportError" in p.stderr and "no chronicle_version" in p.stderr


def test_the_library_version_is_this_builds():
    assert chronicle._lib.lib.chronicle_version().decode() == chronicle._lib._libpath.VERSION
