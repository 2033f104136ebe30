"""End-to-end: the installed SDK, as a plugin writer meets it.

Builds and installs a fresh copy of the tree into a temporary prefix, then,
with nothing but the installed chronicle.pc: builds plugins/example out of
tree with cc and pkg-config, and again as a small meson project using
dependency('chronicle'); runs both through the installed binary (discovery,
introspection, option checking, an export compared with the dataset); checks
that the installed binary finds the installed built-in plugins with no
environment set, that every shipped plugin exports exactly one symbol, and
that the installed man page renders and documents every long option of
`chronicle --help`; and the test kit: the example installed under
share/doc/chronicle/example builds with its own meson.build and with cc and
`pkg-config chronicle chronicle-plugintest`, its test passes over the
installed fixtures, and the installed plugin-check passes it.  Slow: a full build (timeout 600 s in meson.build)."""

import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools"))
from expect import Tally, attribution  # noqa: E402
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "python"))
from installed import check_python  # noqa: E402  the Python package, from the same prefix

SRC = os.environ["SOURCE_ROOT"]
DATA = os.path.join(SRC, "data", "events.json")
EXAMPLE = os.path.join(SRC, "plugins", "example", "markdown.c")
tally = Tally()
check = tally.check


def sh(cmd, env=None, cwd=None):
    p = subprocess.run(cmd, capture_output=True, env=env, cwd=cwd)
    return p.returncode, p.stdout.decode(errors="replace"), p.stderr.decode(errors="replace")


def clean_env(tmp, **extra):
    """What a user's shell would have: no CHRONICLE_*, no XDG_DATA_HOME, a
    HOME without plugins."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("CHRONICLE", "PKG_CONFIG", "MESON")) and k != "XDG_DATA_HOME"}
    env["HOME"] = os.path.join(tmp, "home")
    env["SOURCE_DATE_EPOCH"] = "1700000000"
    env.update(extra)
    return env


def exported_symbols(path):
    rc, out, err = sh(["nm", "-D", "--defined-only", path])
    return sorted(line.split()[-1] for line in out.splitlines() if line.strip())


# ---- build and install the tree ----

def install_tree(tmp, env):
    build, prefix = os.path.join(tmp, "build"), os.path.join(tmp, "prefix")
    for cmd in (["meson", "setup", build, SRC, "--prefix=" + prefix, "-Dtests=disabled"],
                ["meson", "compile", "-C", build],
                ["meson", "install", "-C", build]):
        rc, out, err = sh(cmd, env=env)
        if not check(" ".join(cmd[:2]) + " succeeds", rc == 0, out + err):
            return None
    return prefix


# ---- the example, built out of tree ----

def build_with_cc(tmp, env):
    rc, cflags, err = sh(["pkg-config", "--cflags", "chronicle"], env=env)
    out_dir = os.path.join(tmp, "cc")
    os.makedirs(out_dir)
    so = os.path.join(out_dir, "markdown.so")
    cmd = (["cc", "-std=c11", "-Wall", "-Wextra", "-pedantic", "-Werror", "-O2"] + cflags.split() +
           ["-shared", "-fPIC", "-fvisibility=hidden", "-Wl,-z,defs", "-o", so, EXAMPLE])
    rc, out, err = sh(cmd, env=env)
    check("cc with pkg-config --cflags alone builds the example", rc == 0, " ".join(cmd) + "\n" + err)
    return out_dir


MESON_PROJECT = """project('markdown-plugin', 'c', default_options: ['c_std=c11', 'warning_level=3', 'werror=true'])
chronicle = dependency('chronicle')
shared_module('markdown', 'markdown.c',
  name_prefix: '',
  dependencies: chronicle,
  gnu_symbol_visibility: 'hidden',
  link_args: ['-Wl,-z,defs'],
  install: true,
  install_dir: chronicle.get_variable(pkgconfig: 'plugindir'))
"""


def build_with_meson(tmp, env, plugindir):
    proj = os.path.join(tmp, "proj")
    os.makedirs(proj)
    shutil.copy(EXAMPLE, proj)
    with open(os.path.join(proj, "meson.build"), "w") as f:
        f.write(MESON_PROJECT)
    build, stage = os.path.join(proj, "build"), os.path.join(tmp, "stage")
    for cmd in (["meson", "setup", build, proj], ["meson", "compile", "-C", build],
                ["meson", "install", "-C", build, "--destdir", stage]):
        rc, out, err = sh(cmd, env=env)
        check(f"meson project with dependency('chronicle'): {' '.join(cmd[:2])}", rc == 0, out + err)
    check("meson install puts it in the plugindir variable",
          os.path.isfile(stage + os.path.join(plugindir, "markdown.so")), stage)
    return build


# ---- what the plugin must write, from formats/events-v1 data ----

def md(s):
    for ch in "\\`*_[]<>|#":
        s = s.replace(ch, "\\" + ch)
    return s.replace("\n", " ").replace("\t", " ")


def check_markdown(label, text):
    doc = json.load(open(DATA, encoding="utf-8"))
    src = {s["id"]: s for s in doc["sources"]}
    evs = sorted(doc["events"], key=lambda e: (e["date"], e["id"]))
    check(f"{label}: title at heading-level 2", text.startswith("## " + md(doc["title"]) + "\n"), text[:200])
    years = {}
    for e in evs:
        years[e["date"][:4]] = years.get(e["date"][:4], 0) + 1
    for y, n in years.items():
        check(f"{label}: year row {y}", f"\n| {y} | {n} |\n" in text, y)
    headings = [line[4:] for line in text.splitlines() if line.startswith("### ")]
    check(f"{label}: one section per event, in order", headings == [md(e["title"]) for e in evs], headings)
    for e in evs:
        for s in e.get("statements", []):
            quote = f" \u201c{md(s['quote'])}\u201d" if "quote" in s else ""
            line = f"- **{md(s['speaker'])}:** {md(s['summary'])}{quote} ({attribution(src[s['source']], md)})\n"
            check(f"{label}: statement of {e['id']} attributed", line in text, line)
        for f in e.get("figures", []):
            unit = f" {md(f['unit'])}" if "unit" in f else ""
            line = f"- {md(f['label'])}: {f['value']:.15g}{unit} ({attribution(src[f['source']], md)})\n"
            check(f"{label}: figure of {e['id']} attributed", line in text, line)
        if e.get("organizers"):
            check(f"{label}: organisers of {e['id']}",
                  "**Organisers:** " + "; ".join(md(o) for o in e["organizers"]) + "\n" in text, e["id"])


# ---- the installed binary ----

def check_plugin(label, chronicle, plugin_dir, tmp, plugindir):
    env = clean_env(tmp, CHRONICLE_PLUGIN_PATH=plugin_dir)
    rc, out, err = sh([chronicle, "plugins", "markdown"], env=env)
    check(f"{label}: chronicle plugins markdown", rc == 0, err)
    check(f"{label}: found first on CHRONICLE_PLUGIN_PATH",
          re.search(r"Filename\s+" + re.escape(os.path.join(plugin_dir, "markdown.so")) + "\n", out), out)
    check(f"{label}: shadows the installed one",
          re.search(r"Shadows\s+" + re.escape(os.path.join(plugindir, "markdown.so")), out), out)
    for text in ("heading-level    int     1..4  default: 1", "toc              bool", "Plugin ABI     1.0"):
        check(f"{label}: shows {text!r}", text in out, out)
    dest = os.path.join(tmp, label + ".md")
    rc, out, err = sh([chronicle, "export", "-f", "markdown", "-O", "markdown.heading-level=9", "-o", dest, DATA],
                      env=env)
    check(f"{label}: bad -O value refused with 64", rc == 64, (rc, err))
    check(f"{label}: refusal says why",
          "markdown.heading-level must be a whole number from 1 to 4" in err, err)
    check(f"{label}: nothing written after a refusal", not os.path.exists(dest), dest)
    rc, out, err = sh([chronicle, "export", "-f", "markdown", "-O", "markdown.heading-level=2", "-o", dest, DATA],
                      env=env)
    if check(f"{label}: export succeeds", rc == 0 and os.path.isfile(dest), (rc, err)):
        check_markdown(label, open(dest, encoding="utf-8").read())
    check(f"{label}: one exported symbol",
          exported_symbols(os.path.join(plugin_dir, "markdown.so")) == ["chronicle_plugin_v1"],
          exported_symbols(os.path.join(plugin_dir, "markdown.so")))


def check_installed_plugins(chronicle, plugindir, tmp):
    installed = sorted(os.path.basename(p)[:-3] for p in glob.glob(os.path.join(plugindir, "*.so")))
    for name in ("text", "csv", "ics", "markdown"):
        check(f"{name}.so installed in {plugindir}", name in installed, installed)
    rc, out, err = sh([chronicle, "plugins", "--json"], env=clean_env(tmp))
    doc = json.loads(out) if rc == 0 else {"plugins": [], "search_path": []}
    listed = {p["name"]: p for p in doc["plugins"]}
    check("installed binary, no environment: lists every installed plugin",
          sorted(listed) == installed, (sorted(listed), installed, err))
    for name, p in listed.items():
        check(f"{name}: usable", not p.get("broken"), p.get("reason"))
        check(f"{name}: from the installed plugindir", p.get("path") == os.path.join(plugindir, name + ".so"), p)
    check("search path ends with the installed plugindir", doc["search_path"][-1:] == [plugindir], doc["search_path"])
    check("per-user directory searched",
          os.path.join(tmp, "home", ".local/share/chronicle/plugins-1") in doc["search_path"], doc["search_path"])
    for name in installed:
        syms = exported_symbols(os.path.join(plugindir, name + ".so"))
        check(f"{name}.so exports exactly chronicle_plugin_v1", syms == ["chronicle_plugin_v1"], syms)


def check_man_page(chronicle, prefix, tmp):
    page = os.path.join(prefix, "share", "man", "man1", "chronicle.1")
    if not check("man page installed", os.path.isfile(page), page):
        return
    rc, out, err = sh(["man", "-l", page], env=clean_env(tmp, MANWIDTH="80", MANPAGER="cat", PAGER="cat"))
    check("man -l renders", rc == 0 and "SYNOPSIS" in out and "EXIT STATUS" in out, err)
    check("rendered at 80 columns", max(len(line) for line in out.splitlines()) <= 80,
          max(out.splitlines(), key=len))
    text = out.replace("\u2010", "-").replace("\u2212", "-")
    rc, usage, err = sh([chronicle, "--help"], env=clean_env(tmp))
    options = sorted(set(re.findall(r"--[a-z][a-z-]*[a-z]", usage)))
    check("--help lists long options", len(options) >= 15, options)
    for opt in options:
        check(f"man page documents {opt}", re.search(re.escape(opt) + r"\b", text), opt)
    for word in ("validate", "export", "plugins", "CHRONICLE_PLUGIN_PATH", "CHRONICLE_PLUGIN_SYSTEM_PATH",
                 "SOURCE_DATE_EPOCH", "plugins-1"):
        check(f"man page mentions {word}", word in text, word)
    status = usage[usage.index("exit status:"):]
    for code in re.findall(r"\b(\d+) [a-z]", status):
        check(f"man page documents exit status {code}", re.search(r"\n {7}" + code + r"\s", text), code)


# ---- the test kit and the installed example, from the prefix alone ----

def check_kit(chronicle, prefix, tmp, env):
    """The example as a writer finds it under share/doc/chronicle/example:
    its own meson.build builds the plugin and its cmocka test against
    `pkg-config chronicle chronicle-plugintest`, the test passes over the
    installed fixtures, and the installed plugin-check passes the plugin."""
    doc = os.path.join(prefix, "share", "doc", "chronicle")
    example = os.path.join(doc, "example")
    for f in ("markdown.c", "test_example.c", "mock.json", "meson.build", "README.md"):
        check(f"example/{f} installed", os.path.isfile(os.path.join(example, f)), example)
    check("the guide installed", os.path.isfile(os.path.join(doc, "plugin-guide.md")), doc)
    header = os.path.join(prefix, "include", "chronicle", "plugintest.h")
    check("plugintest.h installed", os.path.isfile(header), header)
    fixtures = os.path.join(prefix, "share", "chronicle", "data")
    for f in ("events.json", "generated-1k.json", "unicode-torture.json"):
        check(f"fixture {f} installed", os.path.isfile(os.path.join(fixtures, f)), fixtures)
    rc, out, err = sh(["pkg-config", "--cflags", "--libs", "chronicle", "chronicle-plugintest"], env=env)
    check("pkg-config chronicle chronicle-plugintest", rc == 0 and "-lchronicle-plugintest" in out, out + err)
    rc, out, err = sh(["pkg-config", "--variable=fixturedir", "chronicle-plugintest"], env=env)
    check("fixturedir variable", out.strip() == fixtures, out)
    # cc alone: the test program, from the installed copies only
    proj = os.path.join(tmp, "kit")
    shutil.copytree(example, proj)
    rc, flags, err = sh(["pkg-config", "--cflags", "--libs", "chronicle", "chronicle-plugintest", "cmocka"], env=env)
    exe = os.path.join(proj, "test_cc")
    cmd = (["cc", "-std=c11", "-Wall", "-Wextra", "-Werror", "-O2",
            '-DEXAMPLE_DATA="' + os.path.join(proj, "mock.json") + '"', "-o", exe,
            os.path.join(proj, "test_example.c"), os.path.join(proj, "markdown.c")] + flags.split() +
           ["-Wl,-rpath," + os.path.dirname(glob.glob(os.path.join(prefix, "**", "libchronicle-plugintest.so"),
                                                      recursive=True)[0])])
    rc, out, err = sh(cmd, env=env)
    if check("cc builds the example's test with pkg-config chronicle chronicle-plugintest", rc == 0,
             " ".join(cmd) + "\n" + err):
        rc, out, err = sh([exe], env=env)
        check("the example's test passes against the installed kit", rc == 0, out + err)
    # meson, with the installed meson.build
    build = os.path.join(proj, "build")
    libdir = os.path.dirname(glob.glob(os.path.join(prefix, "**", "libchronicle-plugintest.so"), recursive=True)[0])
    menv = dict(env, LD_LIBRARY_PATH=libdir)
    for cmd in (["meson", "setup", build, proj], ["meson", "compile", "-C", build],
                ["meson", "test", "-C", build, "--print-errorlogs"]):
        rc, out, err = sh(cmd, env=menv)
        check(f"installed example/meson.build: {' '.join(cmd[:2])}", rc == 0, out + err)
    so = os.path.join(build, "markdown.so")
    rc, out, err = sh([chronicle, "plugin-check", "--events", "2000", so], env=clean_env(tmp))
    check("installed plugin-check passes the example built out of tree", rc == 0, out + err)
    check("plugin-check found the installed Unicode set", "PASS export-unicode" in out, out)


def main():
    os.umask(0o022)  # plugin directories must not be group-writable
    tmp = tempfile.mkdtemp(prefix="chronicle-sdk-")
    os.makedirs(os.path.join(tmp, "home"))
    try:
        prefix = install_tree(tmp, clean_env(tmp))
        if not prefix:
            return
        pcs = glob.glob(os.path.join(prefix, "**", "pkgconfig", "chronicle.pc"), recursive=True)
        if not check("chronicle.pc installed", len(pcs) == 1, pcs):
            return
        env = clean_env(tmp, PKG_CONFIG_PATH=os.path.dirname(pcs[0]))
        rc, plugindir, err = sh(["pkg-config", "--variable=plugindir", "chronicle"], env=env)
        plugindir = plugindir.strip()
        check("plugindir is LIBDIR/chronicle/plugins-1 under the prefix",
              plugindir.startswith(prefix + "/") and plugindir.endswith("/chronicle/plugins-1"), plugindir)
        rc, cflags, err = sh(["pkg-config", "--cflags", "chronicle"], env=env)
        check("cflags point at the installed headers", cflags.split() == ["-I" + os.path.join(prefix, "include")],
              cflags)
        rc, libs, err = sh(["pkg-config", "--libs", "chronicle"], env=env)
        check("plugins link nothing (no Libs)", rc == 0 and libs.strip() == "", libs)
        check("plugin.h installed", os.path.isfile(os.path.join(prefix, "include", "chronicle", "plugin.h")))
        chronicle = os.path.join(prefix, "bin", "chronicle")
        check_plugin("cc", chronicle, build_with_cc(tmp, env), tmp, plugindir)
        check_plugin("meson", chronicle, build_with_meson(tmp, env, plugindir), tmp, plugindir)
        check_installed_plugins(chronicle, plugindir, tmp)
        check_man_page(chronicle, prefix, tmp)
        check_kit(chronicle, prefix, tmp, env)
        check_python(prefix, tmp, env, check)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


main()
sys.exit(tally.finish())
