#!/usr/bin/env python3
"""catalog.py — compiles the message catalogs (po/DOMAIN/LANG.po) into C.

Run by meson at build time:
    catalog.py PO_DIR OUTPUT.c [--depfile FILE]     the C tables for wording.c
    catalog.py PO_DIR --messages-md FILE             formats/messages.md
    catalog.py PO_DIR --check-md FILE                 ... and check it is current
It reads the languages in PO_DIR/LINGUAS and every domain directory under
PO_DIR.  A bad catalog stops the build with "file:line: reason".  Checked:
every id exists in English; ids are unique across domains; the placeholders
{1}..{9} and {n} of a translation are those of the English text; a plural
entry has nplurals forms; the Plural-Forms expression (po/common only) uses
nothing but n, digits, operators, parentheses and ?:.  An ordinal ("31st
anniversary") is one entry per CLDR ordinal category of the language, the
category as its msgctxt ("one", "two", "few", "many", "other"), chosen by
the X-Ordinal-Forms header of po/common/LANG.po ("one: EXPR; few: EXPR",
the first true one wins, else "other"); "other" is always given.  A missing or empty
translation (or a fuzzy one) is left out: wording.c falls back to English.
Python 3 standard library only.
"""
import os
import re
import sys

PLACEHOLDER = re.compile(r"\{([1-9]|n)\}")


class CatalogError(Exception):
    pass


def fail(path, line, reason):
    raise CatalogError("%s:%d: %s" % (path, line, reason))


# ---- reading a .po file ----

ESCAPES = {"n": "\n", "t": "\t", '"': '"', "\\": "\\", "r": "\r"}


def unquote(path, line, text):
    text = text.strip()
    if len(text) < 2 or text[0] != '"' or text[-1] != '"':
        fail(path, line, "expected a quoted string, found %r" % text)
    body, out, i = text[1:-1], [], 0
    while i < len(body):
        c = body[i]
        if c == "\\":
            if i + 1 >= len(body) or body[i + 1] not in ESCAPES:
                fail(path, line, "unknown escape in %r" % text)
            out.append(ESCAPES[body[i + 1]])
            i += 2
        elif c == '"':
            fail(path, line, "unescaped quote in %r" % text)
        else:
            out.append(c)
            i += 1
    return "".join(out)


class Entry:
    def __init__(self, line):
        self.line = line
        self.comments = []  # "#." extracted comments: what the message is for
        self.flags = set()
        self.msgctxt = None  # an ordinal category, or None
        self.msgid = None
        self.msgid_plural = None
        self.msgstr = {}  # index -> text; index None for a singular entry


def parse_po(path):
    """Returns the entries of a .po file, the header entry first if any."""
    entries, cur, field = [], None, None
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    for n, raw in enumerate(lines, 1):
        s = raw.strip()
        if not s:
            continue
        if s.startswith("#"):
            if cur is not None and cur.msgid is not None and field and field[0] == "msgstr":
                entries.append(cur)
                cur, field = None, None
            if cur is None:
                cur = Entry(n)
            if s.startswith("#."):
                cur.comments.append(s[2:].strip())
            elif s.startswith("#,"):
                cur.flags.update(x.strip() for x in s[2:].split(","))
            continue
        m = re.match(r'(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+(".*)$', s)
        if m:
            key, idx, rest = m.group(1), m.group(2), m.group(3)
            if key == "msgctxt":
                if cur is not None and cur.msgid is not None:
                    entries.append(cur)
                    cur = None
                if cur is None:
                    cur = Entry(n)
                cur.msgctxt = unquote(path, n, rest)
                if cur.msgctxt not in ORDINAL_CATEGORIES:
                    fail(path, n, "msgctxt %r: only an ordinal category (%s) is a context"
                         % (cur.msgctxt, ", ".join(ORDINAL_CATEGORIES)))
                field = ("msgctxt", None)
                continue
            if key == "msgid":
                if cur is not None and cur.msgid is not None:
                    entries.append(cur)
                    cur = None
                if cur is None:
                    cur = Entry(n)
                cur.line = n
                cur.msgid = unquote(path, n, rest)
                field = ("msgid", None)
            elif cur is None or cur.msgid is None:
                fail(path, n, "%s before msgid" % key)
            elif key == "msgid_plural":
                cur.msgid_plural = unquote(path, n, rest)
                field = ("msgid_plural", None)
            else:
                i = int(idx) if idx is not None else None
                if i in cur.msgstr:
                    fail(path, n, "msgstr%s given twice" % ("" if i is None else "[%d]" % i))
                cur.msgstr[i] = unquote(path, n, rest)
                field = ("msgstr", i)
            continue
        if s.startswith('"'):
            if field is None:
                fail(path, n, "a string continues nothing")
            text = unquote(path, n, s)
            if field[0] == "msgid":
                cur.msgid += text
            elif field[0] == "msgid_plural":
                cur.msgid_plural += text
            else:
                cur.msgstr[field[1]] += text
            continue
        fail(path, n, "cannot read %r" % s)
    if cur is not None and cur.msgid is not None:
        entries.append(cur)
    for e in entries:
        if not e.msgstr:
            fail(path, e.line, "%r has no msgstr" % e.msgid)
        if e.msgid_plural is None and list(e.msgstr) != [None]:
            fail(path, e.line, "%r: msgstr[N] without msgid_plural" % e.msgid)
        if e.msgctxt is not None and e.msgid_plural is not None:
            fail(path, e.line, "%r: an ordinal form is a singular entry" % e.msgid)
        if e.msgid_plural is not None and None in e.msgstr:
            fail(path, e.line, "%r: a plural entry needs msgstr[0], msgstr[1] ..." % e.msgid)
    return entries


# ---- Plural-Forms: checked, evaluated here, emitted as C ----

TOKEN = re.compile(r"\s*(?:(\d+)|(n)|(==|!=|<=|>=|&&|\|\||[-+*/%<>!?:()]))")
BINARY = [("||",), ("&&",), ("==", "!="), ("<", ">", "<=", ">="), ("+", "-"), ("*", "/", "%")]


def tokenize(expr, path, line):
    out, i = [], 0
    expr = expr.strip()
    while i < len(expr):
        m = TOKEN.match(expr, i)
        if not m or m.end() == i:
            fail(path, line, "Plural-Forms: %r is not allowed (only n, digits, operators, "
                 "parentheses and ?:)" % expr[i:].strip()[:10])
        out.append(m.group(1) or m.group(2) or m.group(3))
        i = m.end()
        while i < len(expr) and expr[i].isspace():
            i += 1
    return out


class Parser:
    """A recursive-descent parser of gettext's C subset, to a Python closure."""

    def __init__(self, toks, path, line):
        self.toks, self.i, self.path, self.line = toks, 0, path, line

    def peek(self):
        return self.toks[self.i] if self.i < len(self.toks) else None

    def take(self, want=None):
        t = self.peek()
        if t is None or (want and t != want):
            fail(self.path, self.line, "Plural-Forms: expected %s" % (want or "more"))
        self.i += 1
        return t

    def expr(self):
        cond = self.binary(0)
        if self.peek() == "?":
            self.take("?")
            a = self.expr()
            self.take(":")
            b = self.expr()
            return lambda n: a(n) if cond(n) else b(n)
        return cond

    def binary(self, level):
        if level == len(BINARY):
            return self.unary()
        left = self.binary(level + 1)
        while self.peek() in BINARY[level]:
            op = self.take()
            right = self.binary(level + 1)
            left = self.apply(op, left, right)
        return left

    def apply(self, op, a, b):
        def div(x, y, mod):
            if y == 0:
                fail(self.path, self.line, "Plural-Forms: division by zero")
            return x % y if mod else x // y
        ops = {
            "||": lambda n: int(bool(a(n)) or bool(b(n))),
            "&&": lambda n: int(bool(a(n)) and bool(b(n))),
            "==": lambda n: int(a(n) == b(n)), "!=": lambda n: int(a(n) != b(n)),
            "<": lambda n: int(a(n) < b(n)), ">": lambda n: int(a(n) > b(n)),
            "<=": lambda n: int(a(n) <= b(n)), ">=": lambda n: int(a(n) >= b(n)),
            "+": lambda n: a(n) + b(n), "-": lambda n: a(n) - b(n),
            "*": lambda n: a(n) * b(n),
            "/": lambda n: div(a(n), b(n), False), "%": lambda n: div(a(n), b(n), True),
        }
        return ops[op]

    def unary(self):
        t = self.take()
        if t == "!":
            f = self.unary()
            return lambda n: int(not f(n))
        if t == "(":
            f = self.expr()
            self.take(")")
            return f
        if t == "n":
            return lambda n: n
        if t.isdigit():
            v = int(t)
            return lambda n: v
        fail(self.path, self.line, "Plural-Forms: unexpected %r" % t)


def plural_forms(header, path, line):
    m = re.search(r"Plural-Forms:\s*nplurals\s*=\s*(\d+)\s*;\s*plural\s*=\s*(.*?);?\s*$",
                  header, re.M)
    if not m:
        fail(path, line, "no Plural-Forms: nplurals=N; plural=EXPR; in the header")
    nplurals, expr = int(m.group(1)), m.group(2).strip().rstrip(";")
    if not 1 <= nplurals <= 6:
        fail(path, line, "Plural-Forms: nplurals must be 1 to 6")
    toks = tokenize(expr, path, line)
    p = Parser(toks, path, line)
    f = p.expr()
    if p.peek() is not None:
        fail(path, line, "Plural-Forms: unexpected %r" % p.peek())
    for n in list(range(0, 1200)) + [10**6, 10**6 + 1, 10**9 + 21]:
        v = f(n)
        if not 0 <= v < nplurals:
            fail(path, line, "Plural-Forms: plural(%d) = %d, not below nplurals=%d" % (n, v, nplurals))
    return nplurals, " ".join(toks), f


ORDINAL_CATEGORIES = ("zero", "one", "two", "few", "many", "other")


def ordinal_forms(header, path, line):
    """X-Ordinal-Forms: one: EXPR; two: EXPR ... -> [(category index, C, f)]."""
    m = re.search(r"X-Ordinal-Forms:(.*)$", header, re.M)
    rules = []
    if not m:
        return rules
    for part in (p.strip() for p in m.group(1).split(";")):
        if not part:
            continue
        r = re.fullmatch(r"(zero|one|two|few|many)\s*:\s*(.+)", part)
        if not r:
            fail(path, line, "X-Ordinal-Forms: expected CATEGORY: EXPR, found %r" % part)
        toks = tokenize(r.group(2), path, line)
        p = Parser(toks, path, line)
        f = p.expr()
        if p.peek() is not None:
            fail(path, line, "X-Ordinal-Forms: unexpected %r" % p.peek())
        for n in range(0, 1200):
            f(n)  # division by zero and the like fail here, not at run time
        rules.append((ORDINAL_CATEGORIES.index(r.group(1)), " ".join(toks), f))
    return rules


def ordinal_of(rules, n):
    for cat, _, f in rules:
        if f(n):
            return cat
    return ORDINAL_CATEGORIES.index("other")


# ---- the catalogs ----

def placeholders(text):
    return set(PLACEHOLDER.findall(text))


def read_catalogs(po_dir):
    linguas = os.path.join(po_dir, "LINGUAS")
    langs = []
    with open(linguas, encoding="utf-8") as f:
        for line in f:
            langs += line.split("#")[0].split()
    if "en" not in langs:
        fail(linguas, 1, "en must be listed: it is the fallback")
    langs.remove("en")
    langs.insert(0, "en")
    domains = sorted(d for d in os.listdir(po_dir)
                     if os.path.isdir(os.path.join(po_dir, d)) and not d.startswith(".")
                     and os.path.isfile(os.path.join(po_dir, d, "en.po")))
    if "common" not in domains:
        fail(os.path.join(po_dir, "common", "en.po"), 1, "the common domain is missing")
    read = []  # every file read, for the depfile
    english = {}  # id -> (domain, entry, path)
    cats = {}
    for lang in langs:
        msgs = {}
        plural = None
        for dom in domains:
            path = os.path.join(po_dir, dom, lang + ".po")
            if not os.path.exists(path):
                if dom == "common":
                    fail(path, 1, "missing: every language needs po/common/%s.po" % lang)
                continue
            read.append(path)
            entries = parse_po(path)
            header = next((e for e in entries if e.msgid == ""), None)
            if dom == "common":
                if header is None:
                    fail(path, 1, "no header entry (msgid \"\") with Plural-Forms")
                plural = plural_forms(header.msgstr.get(None, ""), path, header.line)
                plural = plural + (ordinal_forms(header.msgstr.get(None, ""), path, header.line),)
            entries = merge_ordinals(path, entries)
            for e in entries:
                if e.msgid == "":
                    continue
                if not re.fullmatch(r"[a-z0-9][a-z0-9_-]*(\.[a-z0-9_-]+)+", e.msgid):
                    fail(path, e.line, "%r: an id is a dotted lower-case name" % e.msgid)
                if e.msgid_plural is not None and e.msgid_plural != e.msgid:
                    fail(path, e.line, "%r: msgid_plural must repeat the id" % e.msgid)
                if e.msgid in msgs:
                    fail(path, e.line, "%r is also defined in %s" % (e.msgid, msgs[e.msgid][2]))
                if lang == "en":
                    english[e.msgid] = (dom, e, "%s:%d" % (path, e.line))
                elif e.msgid not in english:
                    fail(path, e.line, "%r is not in English (po/%s/en.po)" % (e.msgid, dom))
                elif english[e.msgid][0] != dom:
                    fail(path, e.line, "%r belongs to the %s domain" % (e.msgid, english[e.msgid][0]))
                msgs[e.msgid] = (dom, e, "%s:%d" % (path, e.line))
        cats[lang] = (plural, check_lang(lang, msgs, english, plural))
    return langs, domains, cats, english, read


def merge_ordinals(path, entries):
    """The ordinal forms of an id (one entry per category) as one entry whose
    msgstr maps category index -> text, marked ordinal."""
    out, by_id = [], {}
    for e in entries:
        e.ordinal = e.msgctxt is not None
        if not e.ordinal:
            out.append(e)
            continue
        cat = ORDINAL_CATEGORIES.index(e.msgctxt)
        o = by_id.get(e.msgid)
        if o is None:
            o = by_id[e.msgid] = e
            o.forms_by_cat = {}
            out.append(o)
        elif "fuzzy" in e.flags:
            continue
        if cat in o.forms_by_cat:
            fail(path, e.line, "%r: the %s form is given twice" % (e.msgid, e.msgctxt))
        if "fuzzy" not in e.flags and e.msgstr[None]:
            o.forms_by_cat[cat] = e.msgstr[None]
        o.comments = o.comments or e.comments
    for o in by_id.values():
        o.flags.discard("fuzzy")
        o.msgstr = {None: o.forms_by_cat.get(5, "")}
    return out


def check_lang(lang, msgs, english, plural):
    """The id -> forms of one language, untranslated entries left out."""
    nplurals = plural[0]
    out = {}
    for mid, (dom, e, where) in msgs.items():
        path, line = where.rsplit(":", 1)
        line = int(line)
        en = english[mid][1]
        if (e.msgid_plural is None) != (en.msgid_plural is None):
            fail(path, line, "%r is %s in English" % (mid, "plural" if en.msgid_plural else "not plural"))
        if e.ordinal != en.ordinal:
            fail(path, line, "%r is %s in English" % (mid, "ordinal" if en.ordinal else "not ordinal"))
        if "fuzzy" in e.flags:
            continue
        if e.ordinal:
            # a form for every category the language's rule gives, "other" included
            need = {ordinal_of(plural[3], n) for n in range(0, 1200)} | {5}
            if e.forms_by_cat and not e.forms_by_cat.get(5):
                fail(path, line, "%r: an ordinal needs its \"other\" form" % mid)
            missing = need - set(e.forms_by_cat) if e.forms_by_cat else set()
            if missing:
                fail(path, line, "%r: no %s form, which X-Ordinal-Forms gives" % (
                    mid, ", ".join(ORDINAL_CATEGORIES[c] for c in sorted(missing))))
            forms = [e.forms_by_cat.get(c, "") for c in range(6)] if e.forms_by_cat else [""]
            if not any(forms):
                if lang == "en":
                    fail(path, line, "%r has no English text" % mid)
                continue
            want = set()
            for t in english[mid][1].forms_by_cat.values():
                want |= placeholders(t)
            for t in forms:
                if t and placeholders(t) != want:
                    fail(path, line, "%r: placeholders %s, English has %s" % (
                        mid, show(placeholders(t)), show(want)))
            out[mid] = forms
            continue
        if e.msgid_plural is None:
            forms = [e.msgstr[None]]
        else:
            if sorted(e.msgstr) != list(range(len(e.msgstr))):
                fail(path, line, "%r: msgstr[0] ... msgstr[N] must be numbered in order" % mid)
            forms = [e.msgstr[i] for i in range(len(e.msgstr))]
            if any(forms) and len(forms) != nplurals:
                fail(path, line, "%r has %d plural forms; Plural-Forms says nplurals=%d"
                     % (mid, len(forms), nplurals))
            if any(forms) and not all(forms):
                fail(path, line, "%r: some plural forms are empty" % mid)
        if not any(forms):
            if lang == "en":
                fail(path, line, "%r has no English text" % mid)
            continue
        if mid == "number.digits" and len(forms[0]) != 10:
            fail(path, line, "number.digits: ten characters, zero to nine; found %d" % len(forms[0]))
        want = set()
        for t in (en.msgstr.values()):
            want |= placeholders(t)
        for t in forms:
            got = placeholders(t)
            if got != want:
                fail(path, line, "%r: placeholders %s, English has %s" % (
                    mid, show(got), show(want)))
        out[mid] = forms
    return out


def show(s):
    return " ".join("{%s}" % x for x in sorted(s)) if s else "none"


# ---- C output ----

def c_string(s):
    out = ['"']
    for b in s.encode("utf-8"):
        c = chr(b)
        if c == '"' or c == "\\":
            out.append("\\" + c)
        elif c == "\n":
            out.append("\\n")
        elif 32 <= b < 127 and not (c == "?" ):
            out.append(c)
        else:
            out.append("\\%03o" % b)  # octal: never swallows the next character
    out.append('"')
    return "".join(out)


def emit_c(langs, cats, english):
    o = ["/* Generated by po/catalog.py from po/DOMAIN/LANG.po: do not edit. */",
         '#include "wording_catalog.h"', ""]
    for lang in langs:
        (nplurals, expr, _, ordinals), msgs = cats[lang]
        o.append("static unsigned ordinal_%s(uint64_t n)" % lang)
        o.append("{")
        if not ordinals:
            o.append("    (void)n;")
        for cat, cexpr, _ in ordinals:
            o.append("    if (%s) return %d; /* %s */" % (cexpr, cat, ORDINAL_CATEGORIES[cat]))
        o.append("    return 5; /* other */")
        o.append("}")
        o.append("")
        o.append("static unsigned plural_%s(uint64_t n)" % lang)
        o.append("{")
        if "n" not in expr.split():
            o.append("    (void)n;")
        o.append("    return (unsigned)(%s);" % expr)
        o.append("}")
        o.append("")
        ids = sorted(msgs, key=lambda s: s.encode("utf-8"))
        for k, mid in enumerate(ids):
            o.append("static const char *const %s_%d[] = {%s};" % (
                lang, k, ", ".join(c_string(t) if t else "NULL" for t in msgs[mid])))
        o.append("static const wording_msg msgs_%s[] = {" % lang)
        for k, mid in enumerate(ids):
            o.append("    {%s, %s_%d, %d, %d}," % (c_string(mid), lang, k, len(msgs[mid]),
                                          1 if english[mid][1].ordinal else 0))
        if not ids:
            o.append("    {0},")
        o.append("};")
        o.append("")
    o.append("const wording_lang chronicle__wording_langs[] = {")
    for lang in langs:
        (nplurals, _, _, _), msgs = cats[lang]
        rtl = lang in ("ar", "he", "fa", "ur")
        o.append("    {%s, %d, %d, plural_%s, ordinal_%s, msgs_%s, %d}," % (
            c_string(lang), 1 if rtl else 0, nplurals, lang, lang, lang, len(msgs)))
    o.append("};")
    o.append("const size_t chronicle__wording_n_langs = %d;" % len(langs))
    o.append("const char chronicle__wording_tag_list[] = %s;" % c_string(", ".join(langs)))
    o.append("")
    return "\n".join(o)


def emit_md(domains, english):
    o = ["# Message ids",
         "",
         "Every fixed word of a Chronicle report, by the id a plugin passes to",
         "`label()`, `format_message()` or `format_count()` (plugin ABI 1.2), with",
         "its English text.  Generated from `po/*/en.po` by",
         "`po/catalog.py po --messages-md formats/messages.md`; a unit test checks",
         "that this file and the catalogs agree.  `{1}` ... `{9}` are the",
         "arguments of `format_message()`; `{n}` is the number `format_count()`",
         "formats.  How to translate: `po/README.md`.",
         ""]
    for dom in domains:
        ids = sorted((m for m, v in english.items() if v[0] == dom),
                     key=lambda s: s.encode("utf-8"))
        o.append("## %s (`po/%s/`)" % (dom, dom))
        o.append("")
        o.append("| id | English | what it is for |")
        o.append("| --- | --- | --- |")
        for mid in ids:
            e = english[mid][1]
            if e.ordinal:
                text = " / ".join("%s: %s" % (ORDINAL_CATEGORIES[c], md(t))
                                  for c, t in sorted(e.forms_by_cat.items()))
            elif e.msgid_plural is None:
                text = md(e.msgstr[None])
            else:
                text = " / ".join(md(e.msgstr[i]) for i in range(len(e.msgstr)))
            o.append("| `%s` | %s | %s |" % (mid, text, md(" ".join(e.comments))))
        o.append("")
    return "\n".join(o)


def md(s):
    s = s.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")
    if s != s.strip() or s == "":
        return "`%s`" % s.replace("`", "'") if s else ""
    return s


def write_if_changed(path, text):
    try:
        with open(path, encoding="utf-8") as f:
            if f.read() == text:
                return
    except OSError:
        pass
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def main(argv):
    args = argv[1:]
    depfile = md_out = None
    if "--depfile" in args:
        i = args.index("--depfile")
        depfile = args[i + 1]
        del args[i:i + 2]
    if "--messages-md" in args:
        i = args.index("--messages-md")
        md_out = args[i + 1]
        del args[i:i + 2]
    check_md = None
    if "--check-md" in args:
        i = args.index("--check-md")
        check_md = md_out = args[i + 1]
        del args[i:i + 2]
    if len(args) != (1 if md_out else 2):
        sys.stderr.write(__doc__)
        return 2
    po_dir = args[0]
    try:
        langs, domains, cats, english, read = read_catalogs(po_dir)
    except CatalogError as e:
        sys.stderr.write("%s\n" % e)
        return 1
    except OSError as e:
        sys.stderr.write("%s: %s\n" % (e.filename, e.strerror))
        return 1
    if md_out:
        text = emit_md(domains, english)
        if check_md:
            try:
                with open(check_md, encoding="utf-8") as f:
                    same = f.read() == text
            except OSError:
                same = False
            if not same:
                sys.stderr.write("%s: not what the catalogs say; run po/catalog.py %s "
                                 "--messages-md %s\n" % (check_md, po_dir, check_md))
                return 1
            return 0
        if md_out == "-":
            sys.stdout.write(text)
        else:
            write_if_changed(md_out, text)
        return 0
    with open(args[1], "w", encoding="utf-8") as f:  # always: ninja compares times
        f.write(emit_c(langs, cats, english))
    if depfile:
        # the directories too: a new domain or language file rebuilds the tables
        deps = read + [os.path.join(po_dir, "LINGUAS"), po_dir] + \
            [os.path.join(po_dir, d) for d in domains]
        with open(depfile, "w", encoding="utf-8") as f:
            f.write("%s: %s\n" % (args[1].replace(" ", "\\ "),
                                  " ".join(d.replace(" ", "\\ ") for d in deps)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
