"""End-to-end: plugin ABI compatibility, with the fixtures of compat.c.  A
plugin with the 1.0 descriptor layout, or with a larger descriptor from a
later 1.x that needs only 1.0, loads and runs; a newer minor, another major,
a _v2-only plugin and a truncated descriptor are refused with the messages
plugins/README.md documents."""

import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools"))
from expect import Tally  # noqa: E402

CHRONICLE = os.environ["CHRONICLE"]
SRC = os.environ["SOURCE_ROOT"]
FIX = os.environ["COMPAT_PLUGIN_DIR"]
DATA = os.path.join(SRC, "data", "events.json")
tally = Tally()
check = tally.check


def run(*args):
    env = dict(os.environ, CHRONICLE_PLUGIN_SYSTEM_PATH="/nonexistent")
    env.pop("CHRONICLE_PLUGIN_PATH", None)
    p = subprocess.run([CHRONICLE, args[0], "--plugin-path", FIX] + list(args[1:]), capture_output=True, env=env)
    return p.returncode, p.stdout.decode(), p.stderr.decode()


def expected_lines(name):
    doc = json.load(open(DATA, encoding="utf-8"))
    evs = sorted(doc["events"], key=lambda e: (e["date"], e["id"]))
    return [f"{name} ran"] + [f"{e['id']} {e['date']}" for e in evs]


def test_loads_and_runs():
    for name in ("oldlayout", "bigger"):
        rc, out, err = run("plugins", name, "--json")
        info = json.loads(out) if rc == 0 else {}
        check(f"{name}: probed", rc == 0 and not info.get("broken"), (rc, err, out))
        check(f"{name}: ABI 1.0", info.get("abi") == "1.0", info)
        rc, out, err = run("export", "-f", name, "-o", "-", DATA)
        check(f"{name}: export runs", rc == 0, (rc, err))
        check(f"{name}: output equals the dataset", out.splitlines() == expected_lines(name), out)


def test_older_abis_with_smaller_structs_load_and_run():
    for name, abi in (("abi10", "1.0"), ("abi11", "1.1")):
        rc, out, err = run("plugins", name, "--json")
        info = json.loads(out) if rc == 0 else {}
        check(f"{name}: probed", rc == 0 and not info.get("broken"), (rc, err, out))
        check(f"{name}: ABI {abi}", info.get("abi") == abi, info)
        for memory in ([], ["--memory", "low"]):
            rc, out, err = run("export", "-f", name, "-o", "-", *memory, DATA)
            check(f"{name} {memory}: export runs", rc == 0, (rc, err))
            lines = out.splitlines()
            check(f"{name} {memory}: built with the {abi} header, whose structs are smaller",
                  lines[1:2] == [f"ABI {abi}, smaller: host yes, event yes, summary yes"], lines[:2])
            check(f"{name} {memory}: output equals the dataset",
                  lines[:1] + lines[2:] == expected_lines(name), out)


def test_refusals():
    refused = {
        "newerminor": "built for plugin ABI 1.3, this chronicle speaks 1.2: upgrade chronicle, or rebuild "
                      "the plugin against this one (pkg-config --modversion chronicle)",
        "nextmajor": "built for plugin ABI 2.0, this chronicle speaks 1.2: rebuild the plugin against this "
                     "chronicle (pkg-config --modversion chronicle)",
        "v2only": "built for a newer Chronicle: it exports chronicle_plugin_v2, and this chronicle speaks "
                  "plugin ABI 1.2; upgrade chronicle or rebuild the plugin for ABI 1",
        "toosmall": "malformed descriptor: struct_size",
    }
    rc, out, err = run("plugins", "--json")
    listed = {p["name"]: p for p in json.loads(out)["plugins"]}
    for name, reason in refused.items():
        p = listed.get(name, {})
        check(f"{name}: listed as broken", p.get("broken") is True, p)
        check(f"{name}: reason", reason in p.get("reason", ""), p.get("reason"))
        rc, out, err = run("export", "-f", name, "-o", "-", DATA)
        check(f"{name}: export refused with 69", rc == 69, (rc, err))
        check(f"{name}: message names the file", f"{FIX}/{name}.so: " in err and reason in err, err)
        check(f"{name}: nothing written", out == "", out)
    rc, out, err = run("plugins")
    check("plugins lists the refused files with reasons", all(r in out for r in refused.values()), out)


for t in [v for k, v in sorted(globals().items()) if k.startswith("test_")]:
    t()
sys.exit(tally.finish())
