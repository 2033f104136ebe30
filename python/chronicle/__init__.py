"""Chronicle from Python: load an event dataset, read it, export reports.

Pure Python over ctypes: every call goes to libchronicle, the library the
``chronicle`` command uses, so a report written from here is byte for byte
the one the command writes.  Exports run in child processes of their own
(as the command's do): a plugin that crashes or hangs fails its job and
raises ExportError here, it never takes the interpreter down.

    import chronicle
    ds = chronicle.load("data/events.json")
    print(len(ds), ds.title)
    ds.export("briefing.pdf", format="pdf", since="2023-01-01", lang="fr")

Errors are exceptions: ValueError (and TypeError) for bad arguments,
DatasetError for an invalid dataset, ExportError when an export fails, and
OSError when a file cannot be read or written.  Those raised from what the
library reported carry ``.diagnostics``: a list of dicts with ``severity``
("error" or "warning"), ``code``, ``message``, ``file``, and ``line`` and
``column`` (syntax) or ``pointer`` (a JSON pointer into the file).

See doc/python.md.
"""

import collections.abc
import ctypes
import datetime
import json
import os
import stat
import time

from . import _lib

__all__ = ["load", "validate", "plugins", "Dataset", "ChronicleError", "DatasetError",
           "ExportError", "OptionError", "ChronicleOSError", "format_diagnostic",
           "library_path"]

#: The libchronicle this package loaded.
library_path = _lib.path

_SPLIT_KEYS = ("country", "year", "organizer", "tag")
_MEMORY = ("auto", "low", "high")
_AUTO_INDEX_BYTES = 1 << 30  # as the command's --memory auto
_CHUNK = 256  # events serialised per call


# ---- errors ----

class ChronicleError(Exception):
    """Base of the errors this package raises from libchronicle's reports.

    ``diagnostics``: what the library said, as dicts (see the module's doc);
    ``status``: the library's status words ("invalid dataset" ...)."""

    def __init__(self, message, diagnostics=(), status=None):
        super().__init__(message)
        self.diagnostics = list(diagnostics)
        self.status = status


class DatasetError(ChronicleError):
    """The dataset is invalid: ``diagnostics`` lists every defect found, each
    with its place (``line``/``column`` for syntax, ``pointer`` otherwise)."""


class OptionError(ChronicleError, ValueError):
    """An argument the library refused: an unknown format, a bad option or
    metadata value, an output that is an input.  Also a ValueError."""


class ExportError(ChronicleError):
    """An export failed: a plugin refused, failed, crashed or timed out.

    ``written``: the outputs that were complete and written anyway;
    ``failed``: the labels of the jobs that failed ("pdf", "pdf [AZ]");
    ``messages``: every message of the run, as dicts (job, error, level,
    text)."""

    def __init__(self, message, diagnostics=(), status=None, written=(), failed=(),
                 messages=()):
        super().__init__(message, diagnostics, status)
        self.written = list(written)
        self.failed = list(failed)
        self.messages = list(messages)


class ChronicleOSError(ChronicleError, OSError):
    """A file could not be read or written.  Also an OSError: raised as
    FileNotFoundError, PermissionError ... (each also a ChronicleOSError)
    when the system says why, with ``errno`` and ``filename`` set."""

    def __init__(self, *args, diagnostics=(), status=None):
        OSError.__init__(self, *args)
        self.diagnostics = list(diagnostics)
        self.status = status


_os_error_classes = {}


def _os_error(errno_, message, path, diagnostics, status):
    """A ChronicleOSError that is also the builtin class for errno_
    (FileNotFoundError for ENOENT ...)."""
    builtin = type(OSError(errno_, "")) if errno_ else OSError
    cls = ChronicleOSError
    if builtin is not OSError:
        cls = _os_error_classes.get(builtin)
        if cls is None:
            cls = type(builtin.__name__, (ChronicleOSError, builtin),
                       {"__module__": __name__, "__doc__": ChronicleOSError.__doc__})
            _os_error_classes[builtin] = cls
    if errno_:
        return cls(errno_, message, path, diagnostics=diagnostics, status=status)
    return cls(message, diagnostics=diagnostics, status=status)


# ---- helpers ----

def _b(s):
    return s.encode("utf-8") if s is not None else None


def _s(b):
    return b.decode("utf-8", "replace") if b is not None else None


def _fspath(path, what):
    if not isinstance(path, (str, bytes, os.PathLike)):
        raise TypeError(f"{what} must be a path (str or os.PathLike), not "
                        f"{type(path).__name__}")
    p = os.fsdecode(os.fspath(path))
    if not p or "\0" in p:
        raise ValueError(f"{what}: {p!r} is not a path")
    return p


class _Diag:
    """A chronicle_diag owned by Python."""

    def __init__(self, max_entries=100):
        self.ptr = _lib.diag_new(max_entries)
        if not self.ptr:
            raise MemoryError("chronicle: out of memory")

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        _lib.diag_free(self.ptr)
        self.ptr = None

    def entries(self):
        out = []
        for i in range(_lib.diag_count(self.ptr)):
            e = _lib.diag_at(self.ptr, i).contents
            d = {"severity": "warning" if e.severity == _lib.SEV_WARNING else "error",
                 "code": _s(e.code),
                 "message": _s(e.message),
                 "file": _s(e.file)}
            if e.line:
                d["line"] = e.line
                if e.col:
                    d["column"] = e.col
            if e.pointer is not None:
                d["pointer"] = _s(e.pointer)
            out.append(d)
        return out


def format_diagnostic(d):
    """One diagnostic dict as the command prints it: "FILE:LINE:COL: MESSAGE",
    "FILE: /POINTER: MESSAGE" or "FILE: MESSAGE", with "warning: " before a
    warning's message."""
    text = ""
    if d.get("file") is not None:
        text = d["file"]
        if d.get("line"):
            text += f":{d['line']}" + (f":{d['column']}" if d.get("column") else "")
        text += ": "
    if d.get("pointer") is not None:
        text += (d["pointer"] or "/") + ": "
    if d.get("severity") == "warning":
        text += "warning: "
    return text + (d.get("message") or "")


def _summary(first, diags):
    errors = [d for d in diags if d["severity"] == "error"] or diags
    if not errors:
        return first
    text = first + ": " + format_diagnostic(errors[0])
    if len(errors) > 1:
        text += f" (and {len(errors) - 1} more)"
    return text


def _strerror(st):
    return _s(_lib.strerror(st))


def _raise_io(path, message, diags, st):
    """An OSError for path: with the system's errno (FileNotFoundError ...)
    when the file cannot be opened now, else a plain ChronicleOSError."""
    try:
        with open(path, "rb"):
            pass
    except OSError as e:
        raise _os_error(e.errno, _summary(message, diags), path, diags,
                        _strerror(st)) from None
    raise _os_error(0, _summary(message, diags), path, diags, _strerror(st))


def _str_array(items):
    arr = (ctypes.c_char_p * max(len(items), 1))(*[_b(s) for s in items])
    return ctypes.cast(arr, _lib.c_char_pp), arr


def _date(value, what):
    if value is None:
        return 0
    if isinstance(value, datetime.datetime):
        value = value.date()
    if isinstance(value, datetime.date):
        value = value.isoformat()
        if len(value) != 10:
            raise ValueError(f"{what}: {value!r} is outside the years 0001-9999")
    if not isinstance(value, str):
        raise TypeError(f"{what} must be a 'YYYY-MM-DD' string or a datetime.date, not "
                        f"{type(value).__name__}")
    b = value.encode("utf-8")
    ymd = _lib.date_parse(b, len(b))
    if not ymd:
        raise ValueError(f"{what}: {value!r} is not a date YYYY-MM-DD")
    return ymd


def _str_list(value, what):
    if value is None:
        return []
    if isinstance(value, str):
        value = [value]
    try:
        items = list(value)
    except TypeError:
        raise TypeError(f"{what} must be a string or a list of strings, not "
                        f"{type(value).__name__}") from None
    for v in items:
        if not isinstance(v, str):
            raise TypeError(f"{what} must hold strings, not {type(v).__name__}")
        if not v or "\0" in v:
            raise ValueError(f"{what}: {v!r} is not a value")
    return items


def _option_text(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float, str)):
        return str(value)
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    raise TypeError(f"an option value must be str, int, float, bool or a path, not "
                    f"{type(value).__name__}")


def _options(options, formats):
    """{"pdf.page-size": "letter"} or {"pdf": {"page-size": "letter"}} or
    {"page-size": "letter"} with one format -> ["pdf.page-size=letter"]."""
    if options is None:
        return []
    if not isinstance(options, collections.abc.Mapping):
        raise TypeError(f"options must be a dict, not {type(options).__name__}")
    out = []
    for key, value in options.items():
        if not isinstance(key, str) or not key:
            raise TypeError(f"option names must be non-empty strings, not {key!r}")
        if isinstance(value, collections.abc.Mapping):
            for k, v in value.items():
                if not isinstance(k, str) or not k:
                    raise TypeError(f"option names must be non-empty strings, not {k!r}")
                out.append(f"{key}.{k}={_option_text(v)}")
        elif "." in key:
            out.append(f"{key}={_option_text(value)}")
        elif len(formats) == 1:
            out.append(f"{formats[0]}.{key}={_option_text(value)}")
        else:
            raise ValueError(f"option {key!r}: name its format ('FORMAT.{key}') "
                             "when several formats are exported")
    for o in out:
        if "\0" in o:
            raise ValueError(f"option {o!r} holds a NUL character")
    return out


def _registry(plugin_path):
    dirs = [_fspath(d, "plugin_path") for d in _str_list_paths(plugin_path)]
    ptrs, keep = _str_array(dirs)
    opts = _lib.new(_lib.RegistryOpts, dirs=ptrs, n_dirs=len(dirs))
    reg = ctypes.c_void_p()
    st = _lib.registry_new(ctypes.byref(opts), ctypes.byref(reg))
    del keep
    if st != _lib.OK:
        raise MemoryError("chronicle: " + _strerror(st))
    return reg


def _str_list_paths(value):
    if value is None:
        return []
    if isinstance(value, (str, bytes, os.PathLike)):
        return [value]
    return list(value)


# ---- the dataset ----

class _Events(collections.abc.Sequence):
    """The events of a Dataset, in file order, each a dict in the dataset
    format (formats/events-v1.md).  Read from the library as they are asked
    for: nothing is kept, so each access gives a fresh dict."""

    def __init__(self, ds):
        self._ds = ds

    def __len__(self):
        return len(self._ds)

    def _fetch(self, first, n):
        return self._ds._events_json(first, n)

    def __getitem__(self, i):
        if isinstance(i, slice):
            idx = range(*i.indices(len(self)))
            if idx.step == 1:
                return self._fetch(idx.start, len(idx)) if len(idx) else []
            return [self[k] for k in idx]
        if not isinstance(i, int) or isinstance(i, bool):
            raise TypeError(f"event indices must be integers or slices, not {type(i).__name__}")
        n = len(self)
        if i < 0:
            i += n
        if not 0 <= i < n:
            raise IndexError("event index out of range")
        return self._fetch(i, 1)[0]

    def __iter__(self):
        for first in range(0, len(self), _CHUNK):
            yield from self._fetch(first, _CHUNK)

    def __repr__(self):
        return f"<chronicle events of {self._ds.path!r}: {len(self)}>"


class Dataset:
    """A loaded, validated dataset (chronicle.load() makes one).

    ``len(ds)``: the number of events.  ``title``, ``description``,
    ``schema``: the dataset's own members; ``sources``: its sources, as
    dicts; ``events``: a sequence of the events, as dicts, read from the
    library when asked for.  ``warnings``: the load's warnings (diagnostic
    dicts).  ``indexed``: True when only an index is held (memory="low"),
    so each event is read again from the file when it is asked for.

    Free the library's memory with close() or a ``with`` block; it is freed
    anyway when the object is collected."""

    def __init__(self, ptr, path, warnings):
        self._ptr = ptr
        self.path = path
        self.warnings = warnings
        buf = _lib.Buf()
        try:
            st = _lib.dataset_info_json(ptr, ctypes.byref(buf))
            if st != _lib.OK:
                raise MemoryError("chronicle: " + _strerror(st))
            info = json.loads(buf.text())
        finally:
            _lib.buf_free(ctypes.byref(buf))
        self.schema = info.get("schema")
        self.title = info.get("title")
        self.description = info.get("description")
        self.sources = info["sources"]
        self._n = info["events"]
        self.indexed = bool(_lib.dataset_indexed(ptr))
        self.events = _Events(self)

    def _handle(self):
        if not self._ptr:
            raise ValueError("chronicle: the dataset is closed")
        return self._ptr

    def __len__(self):
        return self._n

    def __repr__(self):
        state = "closed" if not self._ptr else f"{self._n} events"
        return f"<chronicle.Dataset {self.path!r}: {state}>"

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        try:
            self.close()
        except Exception:  # at interpreter exit the library may be gone first
            pass

    def close(self):
        """Frees the library's dataset; the object is unusable afterwards."""
        ptr, self._ptr = getattr(self, "_ptr", None), None
        if ptr:
            _lib.dataset_free(ptr)

    def _events_json(self, first, n):
        handle = self._handle()
        buf = _lib.Buf()
        with _Diag() as d:
            try:
                st = _lib.dataset_events_json(handle, first, n, ctypes.byref(buf), d.ptr)
                if st == _lib.ERR_DATA:
                    diags = d.entries()
                    raise DatasetError(_summary("cannot read the events again",
                                                diags), diags, _strerror(st))
                if st != _lib.OK:
                    raise MemoryError("chronicle: " + _strerror(st))
                return json.loads(buf.text())
            finally:
                _lib.buf_free(ctypes.byref(buf))

    def export(self, path=None, format=None, options=None, since=None, until=None,
               country=None, tag=None, split_by=None, lang=None, meta=None, *,
               jobs=None, timeout=None, plugin_path=None, timestamp=None, report=None):
        """Writes reports of this dataset; returns the paths written, in the
        order the jobs ran (None for standard output).

        path: the output file, or a directory (one that exists or ends with
        '/') for several formats or split_by; None: the current directory;
        '-': standard output.  format: a plugin name ("pdf", "text") or a
        list of them.  options: {"pdf.page-size": "letter"}, or
        {"pdf": {"page-size": "letter"}}, or {"page-size": "letter"} with one
        format; True/False become "true"/"false".  since, until:
        'YYYY-MM-DD' or datetime.date, inclusive.  country, tag: a string
        or a list (any of them matches).  split_by: "country", "year",
        "organizer" or "tag".  lang: the report's language ("en", "fr",
        ...).  meta: the report definition's keys, as the command's -M
        KEY=VALUE (title, subtitle, organization, author, marking, logo).
        report: a report definition file (--report), applied before meta
        and lang.  jobs: parallel children; timeout: seconds per job;
        plugin_path: directories searched first; timestamp: seconds since
        the epoch written into the reports (default: SOURCE_DATE_EPOCH,
        else now).

        Raises ValueError/TypeError for bad arguments (OptionError for those
        the library refuses), ExportError when a job fails (its ``written``
        lists the outputs made anyway), OSError when an output cannot be
        created."""
        handle = self._handle()
        formats = _str_list(format, "format")
        formats = [f for s in formats for f in s.split(",") if f]
        output = None if path is None else _fspath(path, "path")
        opts = _options(options, formats)
        ymd_since, ymd_until = _date(since, "since"), _date(until, "until")
        countries, tags = _str_list(country, "country"), _str_list(tag, "tag")
        split = 0
        if split_by is not None:
            if not isinstance(split_by, str):
                raise TypeError(f"split_by must be a string, not {type(split_by).__name__}")
            split = _lib.split_key_parse(_b(split_by)) if "\0" not in split_by else 0
            if not split:
                raise ValueError(f"split_by: {split_by!r} is not one of "
                                 + ", ".join(_SPLIT_KEYS))
        if jobs is not None and (not isinstance(jobs, int) or isinstance(jobs, bool)
                                 or not 1 <= jobs <= 256):
            raise ValueError(f"jobs: {jobs!r} is not a number from 1 to 256")
        if timeout is not None and (not isinstance(timeout, (int, float))
                                    or isinstance(timeout, bool) or not timeout > 0):
            raise ValueError(f"timeout: {timeout!r} is not a positive number of seconds")
        if timestamp is None:
            env = os.environ.get("SOURCE_DATE_EPOCH")
            if env is not None:
                if not env.isdigit():
                    raise ValueError(f"SOURCE_DATE_EPOCH={env} is not a whole number of seconds")
                timestamp = int(env)
            else:
                timestamp = int(time.time())
        elif not isinstance(timestamp, int) or isinstance(timestamp, bool) or timestamp < 0:
            raise ValueError(f"timestamp: {timestamp!r} is not a whole number of seconds")
        meta_items = []
        if meta is not None:
            if not isinstance(meta, collections.abc.Mapping):
                raise TypeError(f"meta must be a dict, not {type(meta).__name__}")
            for k, v in meta.items():
                if not isinstance(k, str) or not k or "\0" in k:
                    raise TypeError(f"meta keys must be non-empty strings, not {k!r}")
                if v is None:
                    v = ""
                elif isinstance(v, os.PathLike):
                    v = os.fspath(v)
                elif not isinstance(v, str):
                    raise TypeError(f"meta[{k!r}] must be a string, not {type(v).__name__}")
                if "\0" in v:
                    raise ValueError(f"meta[{k!r}] holds a NUL character")
                meta_items.append((k, v))
        if lang is not None:
            if not isinstance(lang, str):
                raise TypeError(f"lang must be a string, not {type(lang).__name__}")
            if not lang or "\0" in lang:
                raise ValueError(f"lang: {lang!r} is not a language tag")
        report_file = None if report is None else _fspath(report, "report")

        keep = []  # every ctypes object the request points into
        req = _lib.new(_lib.ExportRequest)
        req.ds = handle
        req.formats, a = _str_array(formats)
        keep.append(a)
        req.n_formats = len(formats)
        req.output = _b(output)
        req.options, a = _str_array(opts)
        keep.append(a)
        req.n_options = len(opts)
        flt = _lib.new(_lib.Filter, since=ymd_since, until=ymd_until)
        flt.countries, a = _str_array(countries)
        keep.append(a)
        flt.n_countries = len(countries)
        flt.tags, a = _str_array(tags)
        keep.append(a)
        flt.n_tags = len(tags)
        req.filter = ctypes.pointer(flt)
        req.split = split
        req.jobs = jobs or 0
        req.timeout = float(timeout or 0)
        req.timestamp = timestamp
        inputs = [self.path] + ([report_file] if report_file else [])
        req.keep, a = _str_array(inputs)
        keep.append(a)
        req.n_keep = len(inputs)

        run = _Run()
        req.hooks = _lib.Hooks(None, run.message_fn, run.progress_fn, run.finished_fn)

        definition = reg = None
        try:
            with _Diag() as d:
                if report_file or meta_items or lang is not None:
                    definition = _lib.report_def_new()
                    if not definition:
                        raise MemoryError("chronicle: out of memory")
                    if report_file:
                        st = _lib.report_def_load(definition, _b(report_file), d.ptr)
                        diags = d.entries()
                        if st == _lib.ERR_IO:
                            _raise_io(report_file, "cannot read the report definition", diags, st)
                        if st != _lib.OK:
                            raise OptionError(_summary(f"report {report_file}", diags), diags,
                                              _strerror(st))
                    for k, v in meta_items + ([("lang", lang)] if lang is not None else []):
                        _lib.diag_clear(d.ptr)
                        st = _lib.report_def_set(definition, _b(k), _b(v), d.ptr)
                        if st != _lib.OK:
                            diags = d.entries()
                            what = "lang" if k == "lang" and lang is not None else f"meta[{k!r}]"
                            raise OptionError(f"{what}={v!r}: " + "; ".join(
                                x["message"] for x in diags), diags, _strerror(st))
                    req.report = definition
                if not formats and not definition:
                    raise ValueError("export needs format= (a plugin name or a list of them)")
                reg = _registry(plugin_path)
                req.registry = reg
                _lib.diag_clear(d.ptr)
                # the outputs, named as the run names them (nothing is run)
                plan = ctypes.c_void_p()
                st = _lib.export_plan_new(ctypes.byref(req), ctypes.byref(plan), d.ptr)
                planned = []
                if st == _lib.OK:
                    for i in range(_lib.export_plan_count(plan)):
                        j = _lib.export_plan_job(plan, i).contents
                        planned.append(_s(j.output))
                _lib.export_plan_free(plan)
                if st == _lib.OK:
                    _lib.diag_clear(d.ptr)
                    st = _lib.export(ctypes.byref(req), d.ptr)
                diags = d.entries()
        finally:
            if reg:
                _lib.registry_free(reg)
            if definition:
                _lib.report_def_free(definition)
        del keep
        if st == _lib.OK:
            return planned
        words = _strerror(st)
        if st == _lib.ERR_OPTION:
            raise OptionError(_summary("export refused", diags), diags, words)
        if st == _lib.ERR_CANCELLED:
            raise KeyboardInterrupt("chronicle: export interrupted")
        if st == _lib.ERR_IO and not run.failed:
            raise _os_error(0, _summary("an output cannot be created", diags), None, diags,
                            words)
        failed = run.failed
        written = [dest for dest, state, *_ in run.finished if state == _lib.JOB_DONE]
        why = [m for m in run.messages if m["error"]]
        text = "export failed"
        if failed:
            text += ": " + ", ".join(failed)
        if why:
            text += ": " + why[0]["text"]
        elif diags:
            text = _summary(text, diags)
        raise ExportError(text, diags + [
            {"severity": "error", "code": "job", "message": f"{m['job']}: {m['text']}",
             "file": None} for m in why], words, written, failed, run.messages)


class _Run:
    """The hooks of one export: messages and job states collected, and
    nothing that can raise back into the library."""

    LEVELS = {0: "debug", 1: "info", 2: "warning"}

    def __init__(self):
        self.messages = []
        self.failed = []
        self.finished = []  # (dest, state, format, group, bytes) as each job ended
        self.message_fn = _lib.MESSAGE_FN(self._message)
        self.progress_fn = _lib.PROGRESS_FN(self._progress)
        self.finished_fn = _lib.FINISHED_FN(self._finished)

    def _message(self, ctx, job, is_error, level, text):
        try:
            label = _s(job.contents.label) if job else None
            self.messages.append({"job": label, "error": bool(is_error),
                                  "level": self.LEVELS.get(level, "info"), "text": _s(text)})
        except BaseException:  # a callback must never raise into C
            pass

    def _finished(self, ctx, job, fmt, group, nbytes):
        try:
            j = job.contents
            self.finished.append((_s(j.dest), j.state, _s(fmt), _s(group), nbytes))
            if j.state == _lib.JOB_FAILED and _s(j.label) not in self.failed:
                self.failed.append(_s(j.label))
        except BaseException:
            pass

    def _progress(self, ctx, jobs, n):
        try:
            for i in range(n):
                j = jobs[i]
                if j.state == _lib.JOB_FAILED and _s(j.label) not in self.failed:
                    self.failed.append(_s(j.label))
        except BaseException:
            pass


# ---- module functions ----

def load(path, memory="auto", input_format=None):
    """Loads and validates the dataset at path; returns a Dataset.

    path: a file path; a file object whose read() gives the whole dataset
    (bytes or text); or "-", standard input (named "<stdin>").  The last
    two are held in memory: a stream cannot be read twice.

    memory: "high" holds the whole model; "low" holds an index and reads
    each event again from the file when it is asked for or exported (a
    fifth of the memory; the file must not change); "auto" (the default):
    low for files of 1 GiB and more, as the command's --memory auto.
    input_format: "json" or "ndjson"; None: by the file's extension.

    Raises DatasetError (with every defect in ``.diagnostics``) when the
    dataset is invalid, OSError when it cannot be read, ValueError or
    TypeError for bad arguments."""
    if memory not in _MEMORY:
        raise ValueError(f"memory: {memory!r} is not one of " + ", ".join(_MEMORY))
    fmt = {None: _lib.FORMAT_AUTO, "json": _lib.FORMAT_JSON, "ndjson": _lib.FORMAT_NDJSON}
    if input_format not in fmt:
        raise ValueError(f"input_format: {input_format!r} is not 'json' or 'ndjson'")
    if hasattr(path, "read"):
        return _load_stream(path, fmt[input_format], memory)
    if isinstance(path, str) and path == "-":
        return _load_stream(_Stdin(), fmt[input_format], memory)
    path = _fspath(path, "path")
    if memory == "auto":
        try:
            st = os.stat(path)
            indexed = stat.S_ISREG(st.st_mode) and st.st_size >= _AUTO_INDEX_BYTES
        except OSError:
            indexed = False
    else:
        indexed = memory == "low"
    return _load(path, fmt[input_format], indexed)[0]


class _Stdin:
    """Standard input, named as the command names it."""
    name = "<stdin>"

    @staticmethod
    def read():
        import sys
        return sys.stdin.buffer.read()


def _load_stream(f, fmt, memory):
    """A dataset read whole from a file object (its text or bytes): held in
    memory, since a stream cannot be read twice."""
    if memory == "low":
        raise ValueError("memory='low' needs a file path: a stream cannot be read again")
    data = f.read()
    if isinstance(data, str):
        data = data.encode("utf-8")
    if not isinstance(data, (bytes, bytearray)):
        raise TypeError(f"read() gave {type(data).__name__}, not bytes or str")
    name = getattr(f, "name", None)
    name = name if isinstance(name, str) and name else "<stream>"
    opts = _lib.new(_lib.LoadOpts, format=fmt, indexed=0)
    ptr = ctypes.c_void_p()
    with _Diag() as d:
        st = _lib.dataset_load_buffer(_b(name), bytes(data), len(data), ctypes.byref(opts),
                                      ctypes.byref(ptr), d.ptr)
        diags = d.entries()
    if st == _lib.OK:
        return Dataset(ptr.value, name, diags)
    if st == _lib.ERR_DATA:
        raise DatasetError(_summary("invalid dataset", diags), diags, _strerror(st))
    if st == _lib.ERR_NOMEM:
        raise MemoryError(f"chronicle: {name}: out of memory")
    raise ChronicleError(_summary(f"{name}: " + _strerror(st), diags), diags, _strerror(st))


def _load(path, fmt, indexed, keep=True):
    opts = _lib.new(_lib.LoadOpts, format=fmt, indexed=int(indexed))
    ptr = ctypes.c_void_p()
    with _Diag() as d:
        st = _lib.dataset_load(_b(path), ctypes.byref(opts), ctypes.byref(ptr), d.ptr)
        diags = d.entries()
    if st == _lib.OK:
        if not keep:
            _lib.dataset_free(ptr)
            return None, diags
        return Dataset(ptr.value, path, diags), diags
    if st == _lib.ERR_IO:
        _raise_io(path, "cannot read the dataset", diags, st)
    if st == _lib.ERR_DATA:
        raise DatasetError(_summary("invalid dataset", diags), diags, _strerror(st))
    if st == _lib.ERR_NOMEM:
        raise MemoryError(f"chronicle: {path}: out of memory")
    raise ChronicleError(_summary(f"{path}: " + _strerror(st), diags), diags, _strerror(st))


def validate(path, memory="low", input_format=None):
    """Checks the dataset at path as ``chronicle validate`` does; returns
    every diagnostic (errors and warnings) as dicts, [] for a clean file.

    Never raises for an invalid dataset: that is what the list says.
    Raises OSError when the file cannot be read."""
    path = _fspath(path, "path")
    if memory not in _MEMORY:
        raise ValueError(f"memory: {memory!r} is not one of " + ", ".join(_MEMORY))
    fmt = {None: _lib.FORMAT_AUTO, "json": _lib.FORMAT_JSON, "ndjson": _lib.FORMAT_NDJSON}
    if input_format not in fmt:
        raise ValueError(f"input_format: {input_format!r} is not 'json' or 'ndjson'")
    try:
        return _load(path, fmt[input_format], memory != "high", keep=False)[1]
    except DatasetError as e:
        return e.diagnostics


def plugins(plugin_path=None):
    """The plugins found, each probed in a child process, as dicts: the
    objects of ``chronicle plugins --json``'s "plugins" list (a broken one
    has "broken": true and a "reason").  plugin_path: directories searched
    first, as --plugin-path."""
    reg = _registry(plugin_path)
    buf = _lib.Buf()
    try:
        out = []
        for i in range(_lib.registry_count(reg)):
            info = _lib.registry_at(reg, i)
            _lib.registry_probe(reg, info)
            _lib.buf_free(ctypes.byref(buf))
            st = _lib.plugin_info_json(info, ctypes.byref(buf))
            if st != _lib.OK:
                raise MemoryError("chronicle: " + _strerror(st))
            out.append(json.loads(buf.text()))
        return out
    finally:
        _lib.buf_free(ctypes.byref(buf))
        _lib.registry_free(reg)
