"""End-to-end: libchronicle as a program that embeds it meets it — from an
installed prefix, through pkg-config alone.

Installs this build (meson install --destdir into a temporary directory; no
second build), then with nothing but the installed libchronicle.pc
(PKG_CONFIG_SYSROOT_DIR at the destdir, no -I into the source tree):
  - every installed public header compiles on its own, as C11 and as C++;
  - the example of doc/api.md (the same text as chronicle(3)'s EXAMPLE)
    builds with -Wall -Wextra -Werror, selects, exports text equal to the
    CLI's, and prints a bad file's diagnostics with their places;
  - compat10.c, written against the 1.0 names and headers, builds
    unchanged and finds the installed plugins with no CHRONICLE_* variable
    (beside the installed library, not in the build tree);
  - nm -D of the installed library: only chronicle_ + non-underscore
    symbols (and the version node), each declared in an installed header,
    and every function the headers declare is exported;
  - chronicle(3) and api.md installed, the page rendering without warnings.
"""

import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools"))
from expect import Tally  # noqa: E402

SRC = os.environ["SOURCE_ROOT"]
BUILD = os.environ["BUILD_ROOT"]
CLI = os.environ["CHRONICLE"]
HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(SRC, "data", "events.json")
BAD = os.path.join(SRC, "tests", "data", "bad", "bom-then-array.json")
tally = Tally()
check = tally.check


# b_sanitize of the build (meson passes --sanitize=VALUE): the library it
# installs is instrumented, so a program linking it is built the same way,
# or the sanitizer's runtime would not come first
SANITIZE = next((a.split("=", 1)[1] for a in sys.argv[1:] if a.startswith("--sanitize=")), "none")
SAN_FLAGS = [] if SANITIZE in ("none", "", "[]") else ["-fsanitize=" + SANITIZE]


def sh(cmd, env=None, cwd=None):
    p = subprocess.run(cmd, capture_output=True, env=env, cwd=cwd)
    return p.returncode, p.stdout.decode(errors="replace"), p.stderr.decode(errors="replace")


def clean_env(tmp, **extra):
    """A user's shell: no CHRONICLE_*, no XDG_DATA_HOME, an empty HOME."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("CHRONICLE", "PKG_CONFIG", "MESON", "LD_"))
           and k != "XDG_DATA_HOME"}
    env["HOME"] = os.path.join(tmp, "home")
    env.update(extra)
    return env


def api_md_example():
    text = open(os.path.join(SRC, "doc", "api.md"), encoding="utf-8").read()
    blocks = re.findall(r"```c\n(.*?)```", text, re.S)
    return blocks[0] if blocks else ""


def man_example():
    """chronicle(3)'s EXAMPLE, with the roff escapes it needs undone."""
    lines = open(os.path.join(SRC, "doc", "chronicle.3"), encoding="utf-8").read().split("\n")
    try:
        start = lines.index(".EX") + 1
        end = lines.index(".EE", start)
    except ValueError:
        return ""
    out = []
    for line in lines[start:end]:
        line = line.replace("\\&", "", 1) if line.startswith("\\&") else line
        out.append(line.replace("\\-", "-").replace("\\e", "\\"))
    return "\n".join(out) + "\n"


def install(tmp):
    dest = os.path.join(tmp, "dest")
    rc, out, err = sh(["meson", "install", "-C", BUILD, "--no-rebuild", "--quiet",
                       "--destdir", dest], env=clean_env(tmp))
    if not check("meson install --destdir succeeds", rc == 0, out + err):
        return None, None
    pcs = glob.glob(os.path.join(dest, "**", "pkgconfig", "libchronicle.pc"), recursive=True)
    check("one libchronicle.pc installed", len(pcs) == 1, pcs)
    return dest, (os.path.dirname(pcs[0]) if pcs else None)


def pkg_env(tmp, dest, pcdir):
    return clean_env(tmp, PKG_CONFIG_SYSROOT_DIR=dest, PKG_CONFIG_LIBDIR=pcdir)


def pkg(env, *args):
    rc, out, err = sh(["pkg-config"] + list(args) + ["libchronicle"], env=env)
    check("pkg-config " + " ".join(args) + " libchronicle", rc == 0, err)
    return out.split()


def check_pkgconfig(env, dest):
    cflags = pkg(env, "--cflags")
    libs = pkg(env, "--libs")
    check("Cflags: the installed include directory only",
          len(cflags) == 1 and cflags[0].startswith("-I" + dest) and cflags[0].endswith("/include"),
          cflags)
    check("Cflags reach nothing in the source or build tree",
          not any(SRC in f or BUILD in f for f in cflags + libs), cflags + libs)
    check("Libs: -L the installed libdir, -lchronicle",
          "-lchronicle" in libs and any(f.startswith("-L" + dest) for f in libs), libs)
    rc, out, err = sh(["pkg-config", "--modversion", "libchronicle"], env=env)
    check("libchronicle.pc carries the project's version", re.fullmatch(r"\d+\.\d+\.\d+\n", out), out)
    return cflags, libs


# one call into each header that declares functions
CXX_PROGRAM = r"""#include <chronicle/chronicle.h>
#include <cstdio>
int main()
{
    chronicle_diag *d = chronicle_diag_new(0);
    chronicle_buf b = CHRONICLE_BUF_INIT;
    chronicle_report_def *def = chronicle_report_def_new();
    chronicle_registry_opts o = {};
    o.no_env = 1;
    chronicle_registry *reg = NULL;
    auto volatile keep_summary = &chronicle_summary_build; // referenced, not called
    auto volatile keep_event_json = &chronicle_event_json;
    int ok = d && def && chronicle_registry_new(&o, &reg) == CHRONICLE_OK &&
             chronicle_date_parse("2024-02-29", 10) == 20240229u &&
             chronicle_split_key_parse("year") == CHRONICLE_SPLIT_YEAR &&
             chronicle_filter_match(NULL, NULL) == 1 && chronicle_plugin_check_count() > 0 &&
             chronicle_buf_puts(&b, "x") == CHRONICLE_OK && chronicle_utf8_width("ab", 2) == 2 &&
             keep_summary != NULL && keep_event_json != NULL &&
             chronicle_export_plan_count(NULL) == 0 && chronicle_strerror(CHRONICLE_OK);
    std::printf("%s\n", chronicle_version());
    chronicle_buf_free(&b);
    chronicle_registry_free(reg);
    chronicle_report_def_free(def);
    chronicle_diag_free(d);
    return ok ? 0 : 1;
}
"""


def check_headers(tmp, dest, cflags, libs, run_env):
    inc = os.path.join(cflags[0][2:], "chronicle")
    names = sorted(os.listdir(inc))
    for h in ("chronicle.h", "dataset.h", "date.h", "select.h", "summary.h", "split.h",
              "export.h", "registry.h", "report.h", "diag.h", "strbuf.h", "utf8.h",
              "plugin.h", "plugincheck.h", "version.h"):
        check(f"<chronicle/{h}> installed", h in names, names)
    check("internal headers are not installed", "sanitize.h" not in names, names)
    umbrella = open(os.path.join(inc, "chronicle.h")).read()
    for h in names:
        if h in ("chronicle.h", "plugintest.h"):
            continue
        check(f"chronicle.h includes {h}", f'"chronicle/{h}"' in umbrella)
        src = os.path.join(tmp, "one.c")
        with open(src, "w") as f:
            f.write(f"#include <chronicle/{h}>\nint main(void) {{ return 0; }}\n")
        rc, out, err = sh(["cc", "-std=c11", "-Wall", "-Wextra", "-pedantic", "-Werror", "-fsyntax-only"]
                          + cflags + [src])
        check(f"<chronicle/{h}> compiles alone as C11", rc == 0, err)
    if shutil.which("c++"):
        # linked, so a declaration outside extern "C" (C++ linkage) fails
        src, exe = os.path.join(tmp, "all.cc"), os.path.join(tmp, "all-cxx")
        with open(src, "w") as f:
            f.write(CXX_PROGRAM)
        rc, out, err = sh(["c++", "-std=c++11", "-Wall", "-Werror"] + SAN_FLAGS + cflags +
                          ["-o", exe, src] + libs)
        check("<chronicle/chronicle.h> builds and links as C++", rc == 0, err)
        if rc == 0:
            rc, out, err = sh([exe], env=run_env)
            check("the C++ program runs", rc == 0 and out.startswith("1."), out + err)


def build(tmp, name, source, flags, env, extra=()):
    exe = os.path.join(tmp, name)
    src = os.path.join(tmp, name + ".c")
    with open(src, "w") as f:
        f.write(source)
    rc, cflags, _ = sh(["pkg-config", "--cflags", "libchronicle"], env=env)
    rc, libs, _ = sh(["pkg-config", "--libs", "libchronicle"], env=env)
    cmd = (["cc", "-std=c11", "-Wall", "-Wextra", "-pedantic", "-Werror"] + SAN_FLAGS + list(extra) +
           cflags.split() + ["-o", exe, src] + libs.split())
    rc, out, err = sh(cmd)
    check(f"{name} builds with pkg-config libchronicle alone", rc == 0, " ".join(cmd) + "\n" + err)
    return exe if rc == 0 else None


def check_example(tmp, env, run_env):
    text = api_md_example()
    check("doc/api.md has a C example", "int main" in text)
    check("chronicle(3)'s EXAMPLE is doc/api.md's", man_example() == text,
          "\n".join(l for l in set(man_example().split("\n")) ^ set(text.split("\n"))))
    exe = build(tmp, "example", text, [], env)
    if not exe:
        return
    out_txt = os.path.join(tmp, "embassies.txt")
    rc, out, err = sh([exe, DATA, out_txt], env=run_env)
    check("the example succeeds on data/events.json", rc == 0, out + err)
    check("it prints the selection in date order",
          out == "2023-02-25  paris-2023\n2024-02-26  beijing-embassy-2024\n", out)
    check("no diagnostics on a good file", err == "", err)
    cli_txt = os.path.join(tmp, "cli.txt")
    rc, o, e = sh([CLI, "export", "-f", "text", "-o", cli_txt, "--since", "2023-01-01",
                   "--tag", "embassy", DATA], env=clean_env(tmp, SOURCE_DATE_EPOCH="1700000000"))
    check("the CLI exports the same selection", rc == 0, o + e)

    def body(p):
        if not os.path.exists(p):
            return None
        return [l for l in open(p, encoding="utf-8").read().split("\n") if not l.startswith("Generated")]
    check("the example's text report is the CLI's (but the time it was made)",
          body(out_txt) is not None and body(out_txt) == body(cli_txt))
    rc, out, err = sh([exe, BAD, os.path.join(tmp, "bad.txt")], env=run_env)
    check("the example fails on a bad file", rc == 1, out + err)
    check("and prints the diagnostic with its place",
          err.startswith(BAD + ":1:1: expected '{'") and "failed: invalid data" in err, err)
    check("nothing written for a bad file", not os.path.exists(os.path.join(tmp, "bad.txt")))


def check_compat(tmp, env, run_env, dest):
    source = open(os.path.join(HERE, "compat10.c"), encoding="utf-8").read()
    # positional initialisers of a struct that grew warn under -Wextra, as
    # for any library's growing struct; the program itself is unchanged
    exe = build(tmp, "compat10", source, [], env, extra=["-Wno-missing-field-initializers"])
    if not exe:
        return
    out_txt = os.path.join(tmp, "compat.txt")
    rc, out, err = sh([exe, DATA, BAD, out_txt], env=run_env)
    check("the 1.0 program runs: every step as expected", rc == 0, out + err)
    m = re.search(r"^text plugin (.*)$", out, re.M)
    path = m.group(1) if m else ""
    check("it found the installed text plugin with no environment variable",
          path.startswith(dest + "/") and path.endswith("/chronicle/plugins-1/text.so"), out)
    check("the export wrote text", os.path.exists(out_txt) and
          open(out_txt, encoding="utf-8").read().startswith("Khojaly commemorations"))
    check("the bad file's diagnostic carries its place",
          re.search(r"^diag " + re.escape(BAD) + r":1:1 - expected '\{'", out, re.M), out)


def check_docs(dest):
    pages = glob.glob(os.path.join(dest, "**", "man3", "chronicle.3"), recursive=True)
    if check("chronicle(3) installed", len(pages) == 1, pages) and shutil.which("groff"):
        rc, out, err = sh(["groff", "-man", "-ww", "-z", "-Tutf8", pages[0]])
        check("chronicle(3) renders without a warning", rc == 0 and not err, err)
    docs = glob.glob(os.path.join(dest, "**", "doc", "chronicle", "api.md"), recursive=True)
    check("doc/api.md installed", len(docs) == 1, docs)


def declared_functions(inc):
    names = set()
    for h in glob.glob(os.path.join(inc, "chronicle", "*.h")):
        if os.path.basename(h) in ("plugin.h", "plugintest.h"):
            continue  # the plugin ABI and the test kit: not libchronicle's functions
        text = re.sub(r"/\*.*?\*/", "", open(h, encoding="utf-8").read(), flags=re.S)
        names |= set(re.findall(r"\b(chronicle_\w+)\s*\(", text))
    return names


def check_symbols(dest, cflags):
    libs = glob.glob(os.path.join(dest, "**", "libchronicle.so.1"), recursive=True)
    if not check("libchronicle.so.1 installed", len(libs) == 1, libs):
        return
    lib = libs[0]
    rc, out, err = sh(["readelf", "-d", lib])
    check("its soname is libchronicle.so.1", "Library soname: [libchronicle.so.1]" in out, out)
    rc, out, err = sh(["nm", "-D", "--defined-only", lib])
    rows = [l.split() for l in out.splitlines() if l.strip()]
    syms = {r[-1].split("@")[0] for r in rows if r[-2] != "A"}
    nodes = [r[-1] for r in rows if r[-2] == "A"]
    print(f"nm -D --defined-only: {len(syms)} symbols, version nodes {nodes}")
    check("nm -D sees symbols", len(syms) > 50, out)
    check("only chronicle_ symbols exported",
          all(s.startswith("chronicle_") for s in syms), sorted(s for s in syms if not s.startswith("chronicle_")))
    check("no chronicle__ internal exported",
          not any(s.startswith("chronicle__") for s in syms), sorted(s for s in syms if s.startswith("chronicle__")))
    check("the version node is LIBCHRONICLE_1", nodes == ["LIBCHRONICLE_1"], nodes)
    declared = declared_functions(cflags[0][2:])
    check("every exported symbol is declared in an installed header",
          syms <= declared, sorted(syms - declared))
    check("every function the headers declare is exported",
          declared <= syms, sorted(declared - syms))


def main():
    for tool in ("meson", "pkg-config", "cc", "nm", "readelf"):
        if not shutil.which(tool):
            tally.skip("install", tool + " not found")
            return tally.finish()
    with tempfile.TemporaryDirectory(prefix="chronicle-lib-") as tmp:
        os.makedirs(os.path.join(tmp, "home"))
        dest, pcdir = install(tmp)
        if not pcdir:
            return tally.finish()
        env = pkg_env(tmp, dest, pcdir)
        cflags, libs = check_pkgconfig(env, dest)
        libdir = next((f[2:] for f in libs if f.startswith("-L")), "")
        # the dynamic linker must find the destdir's library: at run time only
        run_env = clean_env(tmp, LD_LIBRARY_PATH=libdir, SOURCE_DATE_EPOCH="1700000000")
        check_headers(tmp, dest, cflags, libs, run_env)
        check_example(tmp, env, run_env)
        check_compat(tmp, env, run_env, dest)
        check_symbols(dest, cflags)
        check_docs(dest)
    return tally.finish()


if __name__ == "__main__":
    sys.exit(main())
