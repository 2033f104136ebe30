"""ctypes declarations of libchronicle: the library found and loaded once,
every function used given its argument and result types, and the
caller-filled structs of the public headers mirrored member by member.

Private: the public API is in chronicle/__init__.py.
"""

import ctypes
import os

try:
    from . import _libpath
except ImportError:  # the source tree itself, not a configured copy
    _libpath = None

ENV = "CHRONICLE_LIBRARY"


def _candidates():
    """Where to look, in order: (path, why) pairs."""
    env = os.environ.get(ENV)
    if env:
        return [(env, "from " + ENV)]
    out = []
    if _libpath is not None:
        out.append((_libpath.LIBRARY, _libpath.WHERE))
    return out


def _version_ok(dll):
    """None when dll is a libchronicle this package can drive, else why not:
    the same major version and at least the package's minor (the structs the
    library fills only grow, and the package reads what its version has)."""
    want = getattr(_libpath, "VERSION", "") if _libpath else ""
    fn = getattr(dll, "chronicle_version", None)
    if fn is None:
        return "not a libchronicle of 1.0 or later (no chronicle_version)"
    fn.restype = ctypes.c_char_p
    fn.argtypes = []
    have = (fn() or b"").decode("ascii", "replace")
    if not want:
        return None
    try:
        h, w = [int(x) for x in have.split(".")[:2]], [int(x) for x in want.split(".")[:2]]
    except ValueError:
        return f"version {have!r} is not MAJOR.MINOR.PATCH"
    if h[0] != w[0] or h[1] < w[1]:
        return f"version {have}, and this package needs {w[0]}.{w[1]} or a later {w[0]}.x"
    return None


def _load():
    tried = []
    for path, why in _candidates():
        try:
            dll = ctypes.CDLL(path)
        except OSError as e:
            tried.append(f"{path} ({why}): {e}")
            continue
        bad = _version_ok(dll)
        if bad is None:
            return dll, path
        tried.append(f"{path} ({why}): {bad}")
    if not tried:
        tried.append("no library path configured: this is the package's source "
                     "directory; use the copy meson makes (PYTHONPATH=BUILD/python) "
                     "or set " + ENV)
    raise ImportError("chronicle: cannot load libchronicle; looked in:\n  " +
                      "\n  ".join(tried) + "\n(set " + ENV + "=/path/to/libchronicle.so.1 "
                      "to choose one)")


lib, path = _load()


c_char_pp = ctypes.POINTER(ctypes.c_char_p)
c_size_t = ctypes.c_size_t
c_int = ctypes.c_int
c_void_p = ctypes.c_void_p

# ---- status (chronicle/plugin.h) ----

OK, ERR_IO, ERR_NOMEM, ERR_OPTION, ERR_DATA, ERR_UNSUPPORTED, ERR_CANCELLED, \
    ERR_INTERNAL, ERR_PLUGIN = range(9)

# ---- chronicle/strbuf.h ----


class Buf(ctypes.Structure):
    _fields_ = [("ptr", ctypes.c_void_p), ("len", c_size_t), ("cap", c_size_t)]

    def text(self):
        if not self.ptr or not self.len:
            return ""
        return ctypes.string_at(self.ptr, self.len).decode("utf-8", "replace")


# ---- chronicle/diag.h: filled by the library; members are only appended ----

SEV_ERROR, SEV_WARNING = 0, 1


class DiagEntry(ctypes.Structure):
    _fields_ = [("severity", c_int), ("file", ctypes.c_char_p), ("line", ctypes.c_ulong),
                ("col", ctypes.c_ulong), ("pointer", ctypes.c_char_p),
                ("message", ctypes.c_char_p),
                ("code", ctypes.c_char_p)]  # appended in 1.1 of the library

# Caller-filled structs end with size_t struct_size (0: the 1.0 layout);
# new() sets it to the mirror's size, so the library reads every member.


def new(cls, **kw):
    return cls(struct_size=ctypes.sizeof(cls), **kw)


# ---- chronicle/dataset.h ----

FORMAT_AUTO, FORMAT_JSON, FORMAT_NDJSON = 0, 1, 2


class LoadOpts(ctypes.Structure):
    _fields_ = [("format", c_int), ("indexed", c_int),
                ("struct_size", c_size_t)]


class Filter(ctypes.Structure):
    _fields_ = [("since", ctypes.c_uint32), ("until", ctypes.c_uint32),
                ("countries", c_char_pp), ("n_countries", c_size_t),
                ("tags", c_char_pp), ("n_tags", c_size_t),
                ("struct_size", c_size_t)]


# ---- chronicle/registry.h ----

class RegistryOpts(ctypes.Structure):
    _fields_ = [("dirs", c_char_pp), ("n_dirs", c_size_t), ("no_env", c_int),
                ("probe_timeout", ctypes.c_double),
                ("struct_size", c_size_t)]


# ---- chronicle/export.h ----

JOB_WAITING, JOB_RUNNING, JOB_DONE, JOB_FAILED, JOB_CLOSED = range(5)
JOB_STATES = {JOB_WAITING: "waiting", JOB_RUNNING: "running", JOB_DONE: "done",
              JOB_FAILED: "failed", JOB_CLOSED: "closed"}


class JobStatus(ctypes.Structure):
    _fields_ = [("label", ctypes.c_char_p), ("dest", ctypes.c_char_p), ("state", c_int),
                ("done", ctypes.c_uint64), ("total", ctypes.c_uint64),
                ("seconds", ctypes.c_double)]


MESSAGE_FN = ctypes.CFUNCTYPE(None, c_void_p, ctypes.POINTER(JobStatus), c_int, c_int,
                              ctypes.c_char_p)
PROGRESS_FN = ctypes.CFUNCTYPE(None, c_void_p, ctypes.POINTER(JobStatus), c_size_t)


FINISHED_FN = ctypes.CFUNCTYPE(None, c_void_p, ctypes.POINTER(JobStatus), ctypes.c_char_p,
                               ctypes.c_char_p, ctypes.c_uint64)


class Hooks(ctypes.Structure):
    _fields_ = [("ctx", c_void_p), ("message", MESSAGE_FN), ("progress", PROGRESS_FN),
                ("finished", FINISHED_FN)]


class ExportRequest(ctypes.Structure):
    _fields_ = [("ds", c_void_p), ("registry", c_void_p),
                ("formats", c_char_pp), ("n_formats", c_size_t),
                ("output", ctypes.c_char_p),
                ("options", c_char_pp), ("n_options", c_size_t),
                ("filter", ctypes.POINTER(Filter)),
                ("split", c_int), ("jobs", c_int), ("timeout", ctypes.c_double),
                ("timestamp", ctypes.c_int64), ("hooks", Hooks),
                ("keep", c_char_pp), ("n_keep", c_size_t),
                ("shard", ctypes.c_uint), ("n_shards", ctypes.c_uint),
                ("report", c_void_p),
                ("struct_size", c_size_t)]


class PlannedJob(ctypes.Structure):
    _fields_ = [("format", ctypes.c_char_p), ("group", ctypes.c_char_p),
                ("output", ctypes.c_char_p), ("n_events", c_size_t), ("index", c_size_t)]


def _fn(name, restype, *argtypes):
    f = getattr(lib, name)
    f.restype = restype
    f.argtypes = list(argtypes)
    return f


P = ctypes.POINTER
BufP = P(Buf)

diag_new = _fn("chronicle_diag_new", c_void_p, c_size_t)
diag_free = _fn("chronicle_diag_free", None, c_void_p)
diag_count = _fn("chronicle_diag_count", c_size_t, c_void_p)
diag_dropped = _fn("chronicle_diag_dropped", c_size_t, c_void_p)
diag_at = _fn("chronicle_diag_at", P(DiagEntry), c_void_p, c_size_t)
diag_clear = _fn("chronicle_diag_clear", None, c_void_p)
diag_format = _fn("chronicle_diag_format", c_int, c_void_p, BufP)
strerror = _fn("chronicle_strerror", ctypes.c_char_p, c_int)

buf_free = _fn("chronicle_buf_free", None, BufP)

dataset_load = _fn("chronicle_dataset_load", c_int, ctypes.c_char_p, P(LoadOpts), P(c_void_p),
                   c_void_p)
dataset_load_buffer = _fn("chronicle_dataset_load_buffer", c_int, ctypes.c_char_p, ctypes.c_char_p,
                          c_size_t, P(LoadOpts), P(c_void_p), c_void_p)
dataset_free = _fn("chronicle_dataset_free", None, c_void_p)
dataset_indexed = _fn("chronicle_dataset_indexed", c_int, c_void_p)
dataset_event_count = _fn("chronicle_dataset_event_count", c_size_t, c_void_p)
dataset_info_json = _fn("chronicle_dataset_info_json", c_int, c_void_p, BufP)
dataset_events_json = _fn("chronicle_dataset_events_json", c_int, c_void_p, c_size_t, c_size_t,
                          BufP, c_void_p)
date_parse = _fn("chronicle_date_parse", ctypes.c_uint32, ctypes.c_char_p, c_size_t)
split_key_parse = _fn("chronicle_split_key_parse", c_int, ctypes.c_char_p)

registry_new = _fn("chronicle_registry_new", c_int, P(RegistryOpts), P(c_void_p))
registry_free = _fn("chronicle_registry_free", None, c_void_p)
registry_count = _fn("chronicle_registry_count", c_size_t, c_void_p)
registry_at = _fn("chronicle_registry_at", c_void_p, c_void_p, c_size_t)
registry_probe = _fn("chronicle_registry_probe", c_int, c_void_p, c_void_p)
registry_warning_count = _fn("chronicle_registry_warning_count", c_size_t, c_void_p)
registry_warning = _fn("chronicle_registry_warning", ctypes.c_char_p, c_void_p, c_size_t)
registry_dir_count = _fn("chronicle_registry_dir_count", c_size_t, c_void_p)
registry_dir = _fn("chronicle_registry_dir", ctypes.c_char_p, c_void_p, c_size_t)
plugin_info_json = _fn("chronicle_plugin_info_json", c_int, c_void_p, BufP)

report_def_new = _fn("chronicle_report_def_new", c_void_p)
report_def_free = _fn("chronicle_report_def_free", None, c_void_p)
report_def_load = _fn("chronicle_report_def_load", c_int, c_void_p, ctypes.c_char_p, c_void_p)
report_def_set = _fn("chronicle_report_def_set", c_int, c_void_p, ctypes.c_char_p,
                     ctypes.c_char_p, c_void_p)

export = _fn("chronicle_export", c_int, P(ExportRequest), c_void_p)
export_plan_new = _fn("chronicle_export_plan_new", c_int, P(ExportRequest), P(c_void_p), c_void_p)
export_plan_count = _fn("chronicle_export_plan_count", c_size_t, c_void_p)
export_plan_job = _fn("chronicle_export_plan_job", P(PlannedJob), c_void_p, c_size_t)
export_plan_free = _fn("chronicle_export_plan_free", None, c_void_p)
