/*
 * chronicle/diag.h — diagnostics collected for a person to read.
 *
 * Library code never prints: it fills a caller-owned chronicle_diag, and the
 * CLI turns entries into stderr lines.  A diag keeps at most max_entries
 * messages and counts the rest, so a file with a million defects cannot
 * exhaust memory.
 */
#ifndef CHRONICLE_DIAG_H
#define CHRONICLE_DIAG_H

#include <stddef.h>

#include "plugin.h"
#include "strbuf.h"

typedef enum chronicle_severity {
    CHRONICLE_SEV_ERROR,
    CHRONICLE_SEV_WARNING
} chronicle_severity;

typedef struct chronicle_diag_entry {
    chronicle_severity severity;
    const char *file;    /* may be NULL */
    unsigned long line;  /* 1-based; 0: no line */
    unsigned long col;   /* 1-based, in characters; 0: no column */
    const char *pointer; /* JSON pointer ("/events/3/date") or NULL */
    const char *message;
} chronicle_diag_entry;

typedef struct chronicle_diag chronicle_diag;

/* Caller owns the result; free with chronicle_diag_free().  max_entries 0
 * means the default (100).  NULL when out of memory. */
chronicle_diag *chronicle_diag_new(size_t max_entries);
void chronicle_diag_free(chronicle_diag *d);

/* Records a message; copies every string.  Never fails visibly: when memory
 * runs out the entry is counted as dropped. */
void chronicle_diag_add(chronicle_diag *d, chronicle_severity sev, const char *file,
                        unsigned long line, unsigned long col, const char *pointer,
                        const char *fmt, ...) CHRONICLE_PRINTF(7, 8);

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

#endif
