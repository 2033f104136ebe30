"""The ctypes mirrors of the public structs (python/chronicle/_lib.py) have
the C layout: every member at the offset the compiler gives it, and the
same size, checked by compiling the public headers with cc."""

import ctypes
import os
import shutil
import subprocess

import pytest

from chronicle import _lib
from conftest import SRC

MIRRORS = {
    "chronicle_diag_entry": _lib.DiagEntry,
    "chronicle_load_opts": _lib.LoadOpts,
    "chronicle_filter": _lib.Filter,
    "chronicle_registry_opts": _lib.RegistryOpts,
    "chronicle_job_status": _lib.JobStatus,
    "chronicle_export_hooks": _lib.Hooks,
    "chronicle_export_request": _lib.ExportRequest,
    "chronicle_planned_job": _lib.PlannedJob,
    "chronicle_buf": _lib.Buf,
}


@pytest.mark.skipif(not shutil.which("cc"), reason="no C compiler")
def test_mirrors_match_the_headers(tmp_path):
    lines = ["#include <stddef.h>", "#include <stdio.h>", "#include <chronicle/chronicle.h>",
             "int main(void) {"]
    for cname, cls in MIRRORS.items():
        lines.append(f'printf("{cname} %zu\\n", sizeof({cname}));')
        for field, _ in cls._fields_:
            lines.append(f'printf("{cname}.{field} %zu\\n", offsetof({cname}, {field}));')
    lines += ["return 0;", "}"]
    src = tmp_path / "layout.c"
    src.write_text("\n".join(lines) + "\n")
    build = os.environ.get("BUILD_ROOT", "")
    incs = ["-I", os.path.join(SRC, "core", "include"),
            "-I", os.path.join(build, "core", "include")]
    exe = tmp_path / "layout"
    p = subprocess.run(["cc", "-std=c11", *incs, "-o", str(exe), str(src)],
                       capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    c = dict(line.rsplit(" ", 1) for line in
             subprocess.run([str(exe)], capture_output=True, text=True, check=True).stdout.split("\n")
             if line)
    for cname, cls in MIRRORS.items():
        if cname == "chronicle_diag_entry":  # filled by the library: a prefix is enough
            assert ctypes.sizeof(cls) <= int(c[cname])
        else:
            assert ctypes.sizeof(cls) == int(c[cname]), cname
        for field, _ in cls._fields_:
            assert getattr(cls, field).offset == int(c[f"{cname}.{field}"]), f"{cname}.{field}"
