#!/usr/bin/env python3
"""test_catalog.py — po/catalog.py refuses a bad catalog with file:line:
reason, and formats/messages.md is what the catalogs say.

usage: test_catalog.py CATALOG_PY PO_DIR MESSAGES_MD
"""
import os
import subprocess
import sys
import tempfile

CATALOG, PO_DIR, MESSAGES = sys.argv[1:4]

HEAD = '''msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\\n"
"Plural-Forms: %s\\n"

'''
EN = HEAD % "nplurals=2; plural=(n != 1);" + '''msgid "label.date"
msgstr "Date"

msgid "count.event"
msgid_plural "count.event"
msgstr[0] "{n} event"
msgstr[1] "{n} events"

msgid "label.page-of"
msgstr "page {1} of {2}"
'''
RU_HEAD = HEAD % ("nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 && "
                  "n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2);")

failures = 0


def run(files, want):
    """Writes a catalog of files {relpath: text}; the compiler must say want."""
    global failures
    with tempfile.TemporaryDirectory() as d:
        files = dict(files)
        files.setdefault("LINGUAS", "en ru\n")
        files.setdefault("common/en.po", EN)
        for rel, text in files.items():
            os.makedirs(os.path.dirname(os.path.join(d, rel)), exist_ok=True)
            with open(os.path.join(d, rel), "w", encoding="utf-8") as f:
                f.write(text)
        p = subprocess.run([sys.executable, CATALOG, d, os.path.join(d, "out.c")],
                           capture_output=True, text=True)
        got = p.stderr.replace(d + os.sep, "")
        if want is None:
            ok = p.returncode == 0
        else:
            ok = p.returncode == 1 and got.startswith(want)
        print("%s %s" % ("ok  " if ok else "FAIL", want or "accepted"))
        if not ok:
            print("     got (%d): %s" % (p.returncode, got.strip()))
            failures += 1


run({"common/ru.po": RU_HEAD + 'msgid "label.date"\nmsgstr "Дата"\n'}, None)
run({"common/ru.po": RU_HEAD + 'msgid "label.dat"\nmsgstr "Дата"\n'},
    "common/ru.po:6: 'label.dat' is not in English")
run({"common/ru.po": RU_HEAD + 'msgid "label.page-of"\nmsgstr "страница {1} из {3}"\n'},
    "common/ru.po:6: 'label.page-of': placeholders {1} {3}, English has {1} {2}")
run({"common/ru.po": RU_HEAD + 'msgid "count.event"\nmsgid_plural "count.event"\n'
     'msgstr[0] "{n} событие"\nmsgstr[1] "{n} события"\n'},
    "common/ru.po:6: 'count.event' has 2 plural forms; Plural-Forms says nplurals=3")
run({"common/ru.po": RU_HEAD + 'msgid "count.event"\nmsgid_plural "count.event"\n'
     'msgstr[0] "событие"\nmsgstr[1] "{n} события"\nmsgstr[2] "{n} событий"\n'},
    "common/ru.po:6: 'count.event': placeholders none, English has {n}")
run({"common/ru.po": HEAD % "nplurals=2; plural=system(1);" + 'msgid "label.date"\nmsgstr "Д"\n'},
    "common/ru.po:1: Plural-Forms: 'system(1)' is not allowed")
run({"common/ru.po": HEAD % "nplurals=2; plural=n%10;" + 'msgid "label.date"\nmsgstr "Д"\n'},
    "common/ru.po:1: Plural-Forms: plural(2) = 2, not below nplurals=2")
run({"common/ru.po": 'msgid "label.date"\nmsgstr "Д"\n'},
    "common/ru.po:1: no header entry")
run({"pdf/en.po": 'msgid "label.date"\nmsgstr "Date"\n'},
    "pdf/en.po:1: 'label.date' is also defined in")
run({"common/ru.po": RU_HEAD + 'msgid "label.date"\nmsgstr "Дата\n'},
    "common/ru.po:7: expected a quoted string")
run({"common/ru.po": RU_HEAD + 'msgid "label.date"\nmsgstr "Д"\nmsgstr "Е"\n'},
    "common/ru.po:8: msgstr given twice")
run({"common/ru.po": RU_HEAD + 'msgid "label.date"\nmsgid_plural "label.date"\n'
     'msgstr[0] "a"\nmsgstr[1] "b"\nmsgstr[2] "c"\n'},
    "common/ru.po:6: 'label.date' is not plural in English")
run({"LINGUAS": "en ru fr\n", "common/ru.po": RU_HEAD},
    "common/fr.po:1: missing")

# ordinals: one entry per CLDR category (msgctxt), picked by X-Ordinal-Forms
EN_ORD = EN.replace('"Plural-Forms: nplurals=2; plural=(n != 1);\\n"',
                    '"Plural-Forms: nplurals=2; plural=(n != 1);\\n"\n'
                    '"X-Ordinal-Forms: one: n%10==1 && n%100!=11; few: n%10==3\\n"') + \
    '\nmsgctxt "one"\nmsgid "ordinal.x"\nmsgstr "{n}st"\n\n' \
    'msgctxt "few"\nmsgid "ordinal.x"\nmsgstr "{n}rd"\n\n' \
    'msgctxt "other"\nmsgid "ordinal.x"\nmsgstr "{n}th"\n'
run({"common/en.po": EN_ORD, "common/ru.po": RU_HEAD + 'msgctxt "other"\nmsgid "ordinal.x"\n'
     'msgstr "{n}-й"\n'}, None)
run({"common/en.po": EN_ORD.replace('msgctxt "few"\nmsgid "ordinal.x"\nmsgstr "{n}rd"\n\n', "")},
    "common/en.po:")
run({"common/en.po": EN_ORD, "common/ru.po": RU_HEAD + 'msgctxt "one"\nmsgid "ordinal.x"\n'
     'msgstr "{n}-й"\n'}, "common/ru.po:7: 'ordinal.x': an ordinal needs its \"other\" form")
run({"common/en.po": EN_ORD, "common/ru.po": RU_HEAD + 'msgctxt "menu"\nmsgid "label.date"\n'
     'msgstr "Д"\n'}, "common/ru.po:6: msgctxt 'menu': only an ordinal category")
run({"common/en.po": EN_ORD, "common/ru.po": RU_HEAD + 'msgid "ordinal.x"\nmsgstr "{n}-й"\n'},
    "common/ru.po:6: 'ordinal.x' is ordinal in English")

p = subprocess.run([sys.executable, CATALOG, PO_DIR, "--check-md", MESSAGES],
                   capture_output=True, text=True)
print("%s formats/messages.md matches the catalogs" % ("ok  " if p.returncode == 0 else "FAIL"))
if p.returncode:
    print("     " + p.stderr.strip())
    failures += 1
sys.exit(1 if failures else 0)
