"""Dataset.export(): the bytes the command writes, the filters and the
report definition applied, and every failure an exception."""

import datetime
import json
import os
import re
import shutil
import subprocess
import sys

import pytest

import chronicle
from conftest import DATA, run_cli

REF = json.load(open(DATA, encoding="utf-8"))


@pytest.fixture(scope="module")
def ds():
    with chronicle.load(DATA) as d:
        yield d


@pytest.mark.parametrize("kwargs, argv", [
    ({}, []),
    ({"since": "2023-01-01", "until": datetime.date(2023, 12, 31)},
     ["--since", "2023-01-01", "--until", "2023-12-31"]),
    ({"country": ["FR", "QA"], "lang": "fr", "meta": {"title": "Note", "author": "A. B."}},
     ["--country", "FR", "--country", "QA", "--lang", "fr", "-M", "title=Note",
      "-M", "author=A. B."]),
    ({"tag": "khojaly", "options": {"width": 60}}, ["--tag", "khojaly", "-O", "text.width=60"]),
])
def test_text_equals_the_cli_byte_for_byte(tmp_path, ds, kwargs, argv):
    mine, theirs = tmp_path / "py.txt", tmp_path / "cli.txt"
    assert ds.export(mine, format="text", **kwargs) == [str(mine)]
    p = run_cli("export", "-q", "-f", "text", "-o", str(theirs), *argv, DATA)
    assert p.returncode == 0, p.stderr
    assert mine.read_bytes() == theirs.read_bytes()
    assert mine.stat().st_size > 500


def test_indexed_export_equals_in_memory(tmp_path, ds):
    ds.export(tmp_path / "a.txt", format="text")
    with chronicle.load(DATA, memory="low") as low:
        low.export(tmp_path / "b.txt", format="text")
    assert (tmp_path / "a.txt").read_bytes() == (tmp_path / "b.txt").read_bytes()


def pdf_text(path):
    p = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True)
    return " ".join(p.stdout.decode("utf-8").split())


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="pdftotext (poppler-utils) missing")
def test_pdf_date_range_holds_only_those_events(tmp_path, ds):
    out = tmp_path / "range.pdf"
    since, until = datetime.date(2023, 1, 1), "2023-12-31"
    assert ds.export(out, format="pdf", since=since, until=until) == [str(out)]
    assert out.read_bytes().startswith(b"%PDF-")
    text = pdf_text(out)
    inside = [e for e in REF["events"] if "2023-01-01" <= e["date"] <= "2023-12-31"]
    outside = [e for e in REF["events"] if e not in inside]
    assert inside and outside
    for e in inside:
        assert e["title"] in text, e["id"]
    for e in outside:
        assert e["title"] not in text, e["id"]
    assert f"{len(inside)} of {len(REF['events'])} events" in text


def test_several_formats_split_into_a_directory(tmp_path, ds):
    written = ds.export(str(tmp_path) + "/", format=["text", "csv"], split_by="year")
    years = sorted({e["date"][:4] for e in REF["events"]})
    assert sorted(written) == sorted(str(tmp_path / f"events-{y}.{ext}")
                                     for y in years for ext in ("txt", "csv"))
    assert all(os.path.getsize(p) > 0 for p in written)


def test_crashing_plugin_is_an_export_error(tmp_path, ds, fixture_plugins):
    with pytest.raises(chronicle.ExportError) as info:
        ds.export(str(tmp_path) + "/", format=["crash", "text"], plugin_path=fixture_plugins)
    e = info.value
    assert e.failed == ["crash"]
    assert "SIGSEGV" in str(e)
    assert e.written == [str(tmp_path / "events.txt")]
    assert sorted(os.listdir(tmp_path)) == ["events.txt"]  # no partial crash output
    assert any(d["code"] == "job" and "crash" in d["message"] for d in e.diagnostics)
    # and the interpreter goes on
    assert ds.export(tmp_path / "again.txt", format="text") == [str(tmp_path / "again.txt")]


def test_hanging_plugin_times_out(tmp_path, ds, fixture_plugins):
    with pytest.raises(chronicle.ExportError) as info:
        ds.export(tmp_path / "h.out", format="hang", plugin_path=fixture_plugins, timeout=1)
    assert info.value.failed == ["hang"]
    assert not (tmp_path / "h.out").exists()


def test_plugin_crashing_on_load_is_refused(tmp_path, ds, fixture_plugins):
    with pytest.raises(chronicle.ChronicleError) as info:
        ds.export(tmp_path / "c.out", format="crashonload", plugin_path=fixture_plugins)
    assert info.value.diagnostics
    assert not (tmp_path / "c.out").exists()


def test_unknown_format_is_an_option_error(tmp_path, ds):
    with pytest.raises(chronicle.OptionError) as info:
        ds.export(tmp_path / "x", format="nope")
    assert isinstance(info.value, ValueError)
    assert "nope" in str(info.value) and "text" in str(info.value)


def test_missing_output_directory_is_an_os_error(tmp_path, ds):
    with pytest.raises(OSError):
        ds.export(tmp_path / "no" / "such" / "x.txt", format="text")


def test_output_may_not_be_the_input(tmp_path, ds):
    copy = tmp_path / "events.json"
    shutil.copy(DATA, copy)
    with chronicle.load(copy) as d:
        with pytest.raises(ValueError):
            d.export(copy, format="text")
    assert json.load(open(copy, encoding="utf-8")) == REF


@pytest.mark.parametrize("kwargs, exc", [
    ({"format": 3}, TypeError),
    ({"format": ["text", None]}, TypeError),
    ({"format": None}, ValueError),
    ({"format": "text", "since": "2023-02-30"}, ValueError),
    ({"format": "text", "until": 20230101}, TypeError),
    ({"format": "text", "since": "yesterday"}, ValueError),
    ({"format": "text", "split_by": "month"}, ValueError),
    ({"format": "text", "split_by": 1}, TypeError),
    ({"format": "text", "country": 7}, TypeError),
    ({"format": "text", "tag": [""]}, ValueError),
    ({"format": "text", "options": ["width=3"]}, TypeError),
    ({"format": "text", "options": {"width": object()}}, TypeError),
    ({"format": "text", "options": {"width": 3}}, ValueError),  # out of range
    ({"format": "text", "options": {"bogus": 1}}, ValueError),
    ({"format": ["text", "csv"], "options": {"width": 60}}, ValueError),
    ({"format": "text", "meta": {"colour": "red"}}, ValueError),
    ({"format": "text", "meta": "title=x"}, TypeError),
    ({"format": "text", "meta": {"title": 5}}, TypeError),
    ({"format": "text", "lang": "xx"}, ValueError),
    ({"format": "text", "lang": 1}, TypeError),
    ({"format": "text", "jobs": 0}, ValueError),
    ({"format": "text", "timeout": -1}, ValueError),
    ({"format": "text", "timestamp": "now"}, ValueError),
])
def test_bad_arguments_raise(tmp_path, ds, kwargs, exc):
    out = tmp_path / "bad.txt"
    with pytest.raises(exc):
        ds.export(out, **kwargs)
    assert not out.exists()


def test_plugins_equal_the_cli():
    p = run_cli("plugins", "--json")
    assert p.returncode == 0, p.stderr
    theirs = json.loads(p.stdout)["plugins"]
    mine = chronicle.plugins()
    assert mine == theirs
    assert {"pdf", "text"} <= {x["name"] for x in mine}
    # the build tree's, found by the library beside itself: no CHRONICLE_PLUGIN_PATH
    assert "CHRONICLE_PLUGIN_PATH" not in os.environ
    build = os.environ.get("BUILD_ROOT")
    if build:
        assert all(x["path"].startswith(os.path.join(build, "plugins") + "/") for x in mine)


def test_plugins_with_a_crashing_fixture(fixture_plugins):
    found = {p["name"]: p for p in chronicle.plugins(plugin_path=fixture_plugins)}
    assert found["crashonload"]["broken"] is True
    assert found["crashonload"]["reason"]
    assert "broken" not in found["good"] and found["good"]["extension"] == "fix"
    p = run_cli("plugins", "--json", "--plugin-path", fixture_plugins)
    assert list(found.values()) == json.loads(p.stdout)["plugins"]


def test_a_crash_is_the_plugins_whatever_handler_python_installed(fixture_plugins, tmp_path):
    # faulthandler's SIGSEGV handler is inherited by the library's children,
    # which set the faults back to their defaults first: a crash is the
    # child's signal, never Python's traceback (in a process of its own, so
    # the handler writes to a file this test reads)
    faults = tmp_path / "faults.txt"
    script = f"""
import faulthandler, json, sys
import chronicle
faulthandler.enable(file=open({str(faults)!r}, "w"))
found = {{p["name"]: p for p in chronicle.plugins(plugin_path={fixture_plugins!r})}}
try:
    chronicle.load({DATA!r}).export({str(tmp_path / "c.out")!r}, format="crash",
                                      plugin_path={fixture_plugins!r})
    error = None
except chronicle.ExportError as e:
    error = str(e)
print(json.dumps([found["crashonload"]["reason"], error]))
"""
    p = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                       env=dict(os.environ))
    assert p.returncode == 0, p.stderr
    reason, error = json.loads(p.stdout)
    assert "SIGSEGV" in reason and error and "SIGSEGV" in error
    assert faults.read_text() == ""


def test_ctrl_c_during_an_export_is_keyboard_interrupt(tmp_path, fixture_plugins):
    """SIGINT while a job hangs: the library stops its children and the
    caller gets KeyboardInterrupt, with no output left behind."""
    import signal
    import sys
    import time
    out = tmp_path / "h.out"
    code = ("import chronicle, sys\n"
            "ds = chronicle.load(sys.argv[1])\n"
            "print('ready', flush=True)\n"
            "try:\n"
            "    ds.export(sys.argv[2], format='hang', plugin_path=sys.argv[3])\n"
            "except KeyboardInterrupt:\n"
            "    print('interrupted', flush=True)\n")
    p = subprocess.Popen([sys.executable, "-c", code, DATA, str(out), fixture_plugins],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert p.stdout.readline().strip() == "ready"
    time.sleep(1.5)
    p.send_signal(signal.SIGINT)
    stdout, stderr = p.communicate(timeout=60)
    assert "interrupted" in stdout, stderr
    assert p.returncode == 0, stderr
    assert not out.exists() and os.listdir(tmp_path) == []


def test_report_definition_file_as_the_cli_reads_it(tmp_path, ds):
    """report= is --report: its formats, selection and options, then meta
    and lang over it."""
    definition = tmp_path / "briefing.json"
    definition.write_text(json.dumps({
        "schema": "chronicle/report@1", "title": "From the file", "lang": "ru",
        "selection": {"since": "2023-01-01", "country": ["FR", "AZ"]},
        "formats": ["text"], "options": {"text": {"width": 72}}}), encoding="utf-8")
    mine, theirs = tmp_path / "py.txt", tmp_path / "cli.txt"
    assert ds.export(mine, report=definition, meta={"author": "A. B."}) == [str(mine)]
    p = run_cli("export", "-q", "--report", str(definition), "-M", "author=A. B.",
                "-o", str(theirs), DATA)
    assert p.returncode == 0, p.stderr
    assert mine.read_bytes() == theirs.read_bytes()
    assert "From the file" in mine.read_text(encoding="utf-8")
    bad = tmp_path / "bad.json"
    bad.write_text('{"schema": "chronicle/report@1", "lang": "tlh"}', encoding="utf-8")
    with pytest.raises(chronicle.OptionError) as info:
        ds.export(tmp_path / "x.txt", format="text", report=bad)
    assert info.value.diagnostics[0]["pointer"] == "/lang"
    with pytest.raises(FileNotFoundError):
        ds.export(tmp_path / "x.txt", format="text", report=tmp_path / "none.json")
