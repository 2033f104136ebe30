#!/usr/bin/env python3
"""libharu's internals behind one door (issue 16): in plugins/pdf only
hpdf_private.c includes a libharu header other than <hpdf.h>, and only it
and errors.c (for the error codes' names) see the full headers
(PDF_HPDF_FULL); every other file is compiled with opaque handles, so a
struct member access there does not build.  hpdf_private.c names the
libharu version it was verified against, and the build checks it."""
import os
import re
import sys

src = os.path.join(os.environ["SOURCE_ROOT"], "plugins", "pdf")
failures = []
files = sorted(f for f in os.listdir(src) if f.endswith((".c", ".h")))
for name in files:
    with open(os.path.join(src, name), encoding="utf-8") as fh:
        text = fh.read()
    internal = re.findall(r'^\s*#\s*include\s*[<"](hpdf_\w+\.h)[>"]', text, re.M)
    internal = [h for h in internal if h != "hpdf_private.h"]
    if internal and name != "hpdf_private.c":
        failures.append(f"{name} includes libharu internals: {', '.join(internal)}")
    full = re.search(r"^\s*#\s*define\s+PDF_HPDF_FULL\b", text, re.M)
    if full and name not in ("hpdf_private.c", "errors.c"):
        failures.append(f"{name} defines PDF_HPDF_FULL (libharu's structs)")
    if name not in ("hpdf_private.c", "hpdf_private.h"):
        poke = re.findall(r"\(HPDF_\w+Attr\)|->(?:attr|mmgr|xref|stream|filter|write_fn)\b", text)
        if poke:
            failures.append(f"{name} touches libharu members: {sorted(set(poke))}")

door_path = os.path.join(src, "hpdf_private.c")
door = open(door_path, encoding="utf-8").read() if os.path.exists(door_path) else ""
check = re.search(r"#if !defined\(HPDF_VERSION_ID\) \|\| HPDF_VERSION_ID != (\d+)\n#error \"([^\"]*)\"",
                  door)
if not check:
    failures.append("hpdf_private.c has no #if/#error on HPDF_VERSION_ID")
elif "2.3.0" not in check.group(2) or check.group(1) != "20300":
    failures.append(f"the version check names {check.group(1)}: {check.group(2)!r}")
with open(os.path.join(src, "meson.build"), encoding="utf-8") as fh:
    if "cc.get_define('HPDF_VERSION_TEXT'" not in fh.read():
        failures.append("plugins/pdf/meson.build does not read HPDF_VERSION_TEXT")

for f in failures:
    print("FAIL:", f)
print(f"{len(files)} files of plugins/pdf checked; {len(failures)} failure(s)")
sys.exit(1 if failures else 0)
