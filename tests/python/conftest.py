"""Shared by the Python package's tests: where the build and the sources
are (meson's test sets the environment: CHRONICLE, SOURCE_ROOT,
FIXTURE_PLUGIN_DIR, PYTHONPATH=BUILD/python), and the CLI to compare with."""

import os
import subprocess

import pytest

SRC = os.environ.get("SOURCE_ROOT") or os.path.abspath(
    os.path.join(os.path.dirname(__file__), "..", ".."))
DATA = os.path.join(SRC, "data", "events.json")
BAD = os.path.join(SRC, "tests", "data", "bad")


def cli_path():
    path = os.environ.get("CHRONICLE")
    if not path:
        pytest.skip("CHRONICLE (the built command) is not set: run through meson test")
    return path


def run_cli(*args, **kw):
    return subprocess.run([cli_path(), *args], capture_output=True, **kw)


@pytest.fixture(autouse=True)
def _epoch(monkeypatch):
    # reports carry a generation date: the same for the CLI and the package
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")


@pytest.fixture
def fixture_plugins():
    d = os.environ.get("FIXTURE_PLUGIN_DIR")
    if not d:
        pytest.skip("FIXTURE_PLUGIN_DIR is not set: run through meson test")
    return d
