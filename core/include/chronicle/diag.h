/*
 * chronicle/diag.h — diagnostics collected for a person to read.
 *
 * Library code never prints: it fills a caller-owned chronicle_diag, and the
 * CLI turns entries into stderr lines.  A diag keeps at most max_entries
 * messages and counts the rest, so a file with a million defects cannot
 * exhaust memory.  Every entry carries a stable code ("type", "required",
 * "unknown-source", ...) that programs may test instead of the words;
 * formats/diagnostics.md lists them.
 */
#ifndef CHRONICLE_DIAG_H
#define CHRONICLE_DIAG_H

#include <stddef.h>

#include "plugin.h"
#include "strbuf.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum chronicle_severity { CHRONICLE_SEV_ERROR, CHRONICLE_SEV_WARNING } chronicle_severity;

/*
 * What a diagnostic is about, whatever its words.  The values are stable:
 * codes are only ever appended, never renumbered or removed.  Each has a
 * kebab-case name (chronicle_diag_code_name()), which is what JSON output
 * and the Python binding show; formats/diagnostics.md describes each one.
 */
typedef enum chronicle_diag_code {
    CHRONICLE_DIAG_OTHER,             /* "other": added by chronicle_diag_add(), no code given */
    CHRONICLE_DIAG_IO,                /* "io": a file cannot be opened or read */
    CHRONICLE_DIAG_MEMORY,            /* "memory": out of memory */
    CHRONICLE_DIAG_SYNTAX,            /* "syntax": not well-formed JSON / NDJSON */
    CHRONICLE_DIAG_ENCODING,          /* "encoding": bad UTF-8, control character, surrogate */
    CHRONICLE_DIAG_LIMIT,             /* "limit": nesting or size over a limit */
    CHRONICLE_DIAG_EMPTY_FILE,        /* "empty-file": nothing but white space */
    CHRONICLE_DIAG_STRUCTURE,         /* "structure": a member in the wrong place (NDJSON) */
    CHRONICLE_DIAG_SCHEMA,            /* "schema": not a Chronicle dataset / definition */
    CHRONICLE_DIAG_VERSION,           /* "version": a format version this build does not read */
    CHRONICLE_DIAG_TYPE,              /* "type": a value of the wrong JSON type */
    CHRONICLE_DIAG_REQUIRED,          /* "required": a required member is missing */
    CHRONICLE_DIAG_EMPTY,             /* "empty": an empty string or list where one is needed */
    CHRONICLE_DIAG_TEXT,              /* "text": a text value breaks a text rule */
    CHRONICLE_DIAG_DATE,              /* "date": not a calendar date YYYY-MM-DD */
    CHRONICLE_DIAG_DATE_ORDER,        /* "date-order": an end before its start */
    CHRONICLE_DIAG_RANGE,             /* "range": a number out of its range */
    CHRONICLE_DIAG_COUNTRY_CODE,      /* "country-code": not an ISO 3166-1 alpha-2 code */
    CHRONICLE_DIAG_URL,               /* "url": not an http or https URL */
    CHRONICLE_DIAG_DUPLICATE_MEMBER,  /* "duplicate-member": an object names a member twice */
    CHRONICLE_DIAG_DUPLICATE_ID,      /* "duplicate-id": two sources or events share an id */
    CHRONICLE_DIAG_DUPLICATE_ITEM,    /* "duplicate-item": a list names an item twice */
    CHRONICLE_DIAG_UNKNOWN_SOURCE,    /* "unknown-source": a cited source is not in /sources */
    CHRONICLE_DIAG_SOURCE_NOT_LISTED, /* "source-not-listed" (warning): not in the event's list */
    CHRONICLE_DIAG_UNKNOWN_MEMBER,    /* "unknown-member": a report definition member unknown */
    CHRONICLE_DIAG_VALUE,             /* "value": a value not among those accepted */
    CHRONICLE_DIAG_UNKNOWN_FORMAT,    /* "unknown-format": no plugin of that name */
    CHRONICLE_DIAG_UNKNOWN_OPTION,    /* "unknown-option": the format has no such option */
    CHRONICLE_DIAG_OPTION,            /* "option": an option or request setting is invalid */
    CHRONICLE_DIAG_OUTPUT,            /* "output": an output cannot be written there */
    CHRONICLE_DIAG_PLUGIN,            /* "plugin": a plugin was refused */
    CHRONICLE_DIAG_PLUGIN_OUTPUT,     /* "plugin-output" (warning): a plugin printed on loading */
    CHRONICLE_DIAG_SCRATCH,           /* "scratch" (warning): a dead run's scratch removed */
    CHRONICLE_DIAG_JOB                /* "job": an export job failed */
} chronicle_diag_code;

/* Filled by the library; members are only ever appended, so a program built
 * against an older layout keeps reading the members it knows. */
typedef struct chronicle_diag_entry {
    chronicle_severity severity;
    const char *file;    /* may be NULL */
    unsigned long line;  /* 1-based; 0: no line */
    unsigned long col;   /* 1-based, in characters; 0: no column */
    const char *pointer; /* JSON pointer ("/events/3/date") or NULL */
    const char *message;
    const char *code; /* appended: chronicle_diag_code_name() of the entry's code, never NULL */
} chronicle_diag_entry;

/* The code's stable kebab-case name ("unknown-source"); static storage.
 * NULL for a value that is not a code. */
const char *chronicle_diag_code_name(chronicle_diag_code code);

/* The number of codes: every value from 0 to count - 1 is a code, so a
 * program (or a binding) lists them all with chronicle_diag_code_name(). */
size_t chronicle_diag_code_count(void);

typedef struct chronicle_diag chronicle_diag;

/* Caller owns the result; free with chronicle_diag_free().  max_entries 0
 * means the default (100).  NULL when out of memory. */
chronicle_diag *chronicle_diag_new(size_t max_entries);
void chronicle_diag_free(chronicle_diag *d);

/* Records a message with its code; copies every string.  Never fails
 * visibly: when memory runs out the entry is counted as dropped.  A code
 * that is not one (see chronicle_diag_code_count()) is recorded as
 * CHRONICLE_DIAG_OTHER. */
void chronicle_diag_add_coded(chronicle_diag *d, chronicle_diag_code code, chronicle_severity sev,
                              const char *file, unsigned long line, unsigned long col,
                              const char *pointer, const char *fmt, ...) CHRONICLE_PRINTF(8, 9);

/* chronicle_diag_add_coded() with CHRONICLE_DIAG_OTHER ("other"): for
 * programs written before codes.  The library itself never records "other". */
void chronicle_diag_add(chronicle_diag *d, chronicle_severity sev, const char *file,
                        unsigned long line, unsigned long col, const char *pointer, const char *fmt,
                        ...) CHRONICLE_PRINTF(7, 8);

size_t chronicle_diag_count(const chronicle_diag *d);   /* entries kept */
size_t chronicle_diag_errors(const chronicle_diag *d);  /* errors, kept or dropped */
size_t chronicle_diag_dropped(const chronicle_diag *d); /* entries over the limit */
/* Borrowed; valid until the diag is freed or cleared. */
const chronicle_diag_entry *chronicle_diag_at(const chronicle_diag *d, size_t i);
void chronicle_diag_clear(chronicle_diag *d);

/* Appends "file:line:col: message", "file: /pointer: message" or
 * "file: message" (with "warning: " before warnings). */
chronicle_status chronicle_diag_format(const chronicle_diag_entry *e, chronicle_buf *out);

/* Words for a status: "input/output error", "out of memory", ... */
const char *chronicle_strerror(chronicle_status st);

#ifdef __cplusplus
}
#endif

#endif
