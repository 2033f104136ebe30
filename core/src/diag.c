/*
 * diag.c — caller-owned diagnostics.  Each entry's strings live in one
 * allocation; past max_entries, entries are only counted.  Code names are
 * static: code_names[] must list every chronicle_diag_code, in order.
 */
#include "chronicle/diag.h"

#include "diag_internal.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

struct chronicle_diag {
    chronicle_diag_entry *entries;
    size_t n, cap, max;
    size_t errors, dropped;
    size_t dropped_errors; /* errors among the dropped */
};

chronicle_diag *chronicle_diag_new(size_t max_entries)
{
    chronicle_diag *d = calloc(1, sizeof *d);
    if (d) d->max = max_entries ? max_entries : 100;
    return d;
}

void chronicle_diag_clear(chronicle_diag *d)
{
    if (!d) return;
    for (size_t i = 0; i < d->n; i++)
        free((void *)d->entries[i].message);
    d->n = d->errors = d->dropped = d->dropped_errors = 0;
}

void chronicle_diag_free(chronicle_diag *d)
{
    if (!d) return;
    chronicle_diag_clear(d);
    free(d->entries);
    free(d);
}

/* Copies s into the block at *at and returns the copy (NULL stays NULL). */
static const char *stash(char **at, const char *s)
{
    if (!s) return NULL;
    size_t n = strlen(s) + 1;
    char *p = memcpy(*at, s, n);
    *at += n;
    return p;
}

static const char *const code_names[] = {
    [CHRONICLE_DIAG_OTHER] = "other",
    [CHRONICLE_DIAG_IO] = "io",
    [CHRONICLE_DIAG_MEMORY] = "memory",
    [CHRONICLE_DIAG_SYNTAX] = "syntax",
    [CHRONICLE_DIAG_ENCODING] = "encoding",
    [CHRONICLE_DIAG_LIMIT] = "limit",
    [CHRONICLE_DIAG_EMPTY_FILE] = "empty-file",
    [CHRONICLE_DIAG_STRUCTURE] = "structure",
    [CHRONICLE_DIAG_SCHEMA] = "schema",
    [CHRONICLE_DIAG_VERSION] = "version",
    [CHRONICLE_DIAG_TYPE] = "type",
    [CHRONICLE_DIAG_REQUIRED] = "required",
    [CHRONICLE_DIAG_EMPTY] = "empty",
    [CHRONICLE_DIAG_TEXT] = "text",
    [CHRONICLE_DIAG_DATE] = "date",
    [CHRONICLE_DIAG_DATE_ORDER] = "date-order",
    [CHRONICLE_DIAG_RANGE] = "range",
    [CHRONICLE_DIAG_COUNTRY_CODE] = "country-code",
    [CHRONICLE_DIAG_URL] = "url",
    [CHRONICLE_DIAG_DUPLICATE_MEMBER] = "duplicate-member",
    [CHRONICLE_DIAG_DUPLICATE_ID] = "duplicate-id",
    [CHRONICLE_DIAG_DUPLICATE_ITEM] = "duplicate-item",
    [CHRONICLE_DIAG_UNKNOWN_SOURCE] = "unknown-source",
    [CHRONICLE_DIAG_SOURCE_NOT_LISTED] = "source-not-listed",
    [CHRONICLE_DIAG_UNKNOWN_MEMBER] = "unknown-member",
    [CHRONICLE_DIAG_VALUE] = "value",
    [CHRONICLE_DIAG_UNKNOWN_FORMAT] = "unknown-format",
    [CHRONICLE_DIAG_UNKNOWN_OPTION] = "unknown-option",
    [CHRONICLE_DIAG_OPTION] = "option",
    [CHRONICLE_DIAG_OUTPUT] = "output",
    [CHRONICLE_DIAG_PLUGIN] = "plugin",
    [CHRONICLE_DIAG_PLUGIN_OUTPUT] = "plugin-output",
    [CHRONICLE_DIAG_SCRATCH] = "scratch",
    [CHRONICLE_DIAG_JOB] = "job",
};

#define N_CODES (sizeof code_names / sizeof *code_names)
_Static_assert(N_CODES == CHRONICLE_DIAG_JOB + 1,
               "code_names[] names every code (the last is JOB)");

const char *chronicle_diag_code_name(chronicle_diag_code code)
{
    return (size_t)code < N_CODES ? code_names[code] : NULL;
}

size_t chronicle_diag_code_count(void)
{
    return N_CODES;
}

static void vadd(chronicle_diag *d, chronicle_diag_code code, chronicle_severity sev,
                 const char *file, unsigned long line, unsigned long col, const char *pointer,
                 const char *fmt, va_list ap)
{
    if (!d) return;
    if (sev == CHRONICLE_SEV_ERROR) d->errors++;
    if (d->n >= d->max) {
        d->dropped++;
        d->dropped_errors += sev == CHRONICLE_SEV_ERROR;
        return;
    }
    chronicle_buf msg = CHRONICLE_BUF_INIT;
    chronicle_status st = chronicle_buf_vappendf(&msg, fmt, ap);
    size_t nf = file ? strlen(file) + 1 : 0, np = pointer ? strlen(pointer) + 1 : 0;
    char *block = st == CHRONICLE_OK ? malloc(msg.len + 1 + nf + np) : NULL;
    if (block && d->n == d->cap) {
        size_t cap = d->cap ? d->cap * 2 : 16;
        chronicle_diag_entry *e = realloc(d->entries, cap * sizeof *e);
        if (e) {
            d->entries = e;
            d->cap = cap;
        } else {
            free(block);
            block = NULL;
        }
    }
    if (!block) {
        d->dropped++;
        chronicle_buf_free(&msg);
        return;
    }
    char *at = block;
    chronicle_diag_entry *e = &d->entries[d->n++];
    e->severity = sev;
    e->message = stash(&at, chronicle_buf_cstr(&msg)); /* first: it owns the block */
    e->file = stash(&at, file);
    e->pointer = stash(&at, pointer);
    e->line = line;
    e->col = col;
    e->code = code_names[(size_t)code < N_CODES ? code : CHRONICLE_DIAG_OTHER];
    chronicle_buf_free(&msg);
}

void chronicle_diag_add_coded(chronicle_diag *d, chronicle_diag_code code, chronicle_severity sev,
                              const char *file, unsigned long line, unsigned long col,
                              const char *pointer, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vadd(d, code, sev, file, line, col, pointer, fmt, ap);
    va_end(ap);
}

void chronicle_diag_add(chronicle_diag *d, chronicle_severity sev, const char *file,
                        unsigned long line, unsigned long col, const char *pointer, const char *fmt,
                        ...)
{
    va_list ap;
    va_start(ap, fmt);
    vadd(d, CHRONICLE_DIAG_OTHER, sev, file, line, col, pointer, fmt, ap);
    va_end(ap);
}

size_t chronicle__diag_max(const chronicle_diag *d)
{
    return d->max;
}

void chronicle__diag_move(chronicle_diag *dst, chronicle_diag *src, size_t from, size_t to)
{
    for (size_t i = from; i < to && i < src->n; i++) {
        chronicle_diag_entry *e = &src->entries[i];
        if (e->severity == CHRONICLE_SEV_ERROR) dst->errors++;
        if (dst->n == dst->cap && dst->n < dst->max) {
            size_t cap = dst->cap ? dst->cap * 2 : 16;
            chronicle_diag_entry *p = realloc(dst->entries, cap * sizeof *p);
            if (p) {
                dst->entries = p;
                dst->cap = cap;
            }
        }
        if (dst->n >= dst->max || dst->n == dst->cap) {
            dst->dropped++;
            dst->dropped_errors += e->severity == CHRONICLE_SEV_ERROR;
            free((void *)e->message);
        } else {
            dst->entries[dst->n++] = *e;
        }
        e->message = NULL; /* the block is dst's now, or freed */
    }
}

void chronicle__diag_move_dropped(chronicle_diag *dst, const chronicle_diag *src)
{
    dst->errors += src->dropped_errors;
    dst->dropped_errors += src->dropped_errors;
    dst->dropped += src->dropped;
}

size_t chronicle_diag_count(const chronicle_diag *d)
{
    return d ? d->n : 0;
}

size_t chronicle_diag_errors(const chronicle_diag *d)
{
    return d ? d->errors : 0;
}

size_t chronicle_diag_dropped(const chronicle_diag *d)
{
    return d ? d->dropped : 0;
}

const chronicle_diag_entry *chronicle_diag_at(const chronicle_diag *d, size_t i)
{
    return d && i < d->n ? &d->entries[i] : NULL;
}

chronicle_status chronicle_diag_format(const chronicle_diag_entry *e, chronicle_buf *out)
{
    chronicle_status st = CHRONICLE_OK;
    if (e->file) {
        st = chronicle_buf_puts(out, e->file);
        if (st == CHRONICLE_OK && e->line)
            st = e->col ? chronicle_buf_appendf(out, ":%lu:%lu", e->line, e->col)
                        : chronicle_buf_appendf(out, ":%lu", e->line);
        if (st == CHRONICLE_OK) st = chronicle_buf_puts(out, ": ");
    }
    if (st == CHRONICLE_OK && e->pointer)
        st = chronicle_buf_appendf(out, "%s: ", *e->pointer ? e->pointer : "/");
    if (st == CHRONICLE_OK && e->severity == CHRONICLE_SEV_WARNING)
        st = chronicle_buf_puts(out, "warning: ");
    if (st == CHRONICLE_OK) st = chronicle_buf_puts(out, e->message);
    return st;
}

const char *chronicle_strerror(chronicle_status st)
{
    switch (st) {
    case CHRONICLE_OK:
        return "success";
    case CHRONICLE_ERR_IO:
        return "input/output error";
    case CHRONICLE_ERR_NOMEM:
        return "out of memory";
    case CHRONICLE_ERR_OPTION:
        return "invalid option";
    case CHRONICLE_ERR_DATA:
        return "invalid data";
    case CHRONICLE_ERR_UNSUPPORTED:
        return "not supported";
    case CHRONICLE_ERR_CANCELLED:
        return "cancelled";
    case CHRONICLE_ERR_INTERNAL:
        return "internal error";
    case CHRONICLE_ERR_PLUGIN:
        return "plugin error";
    }
    return "unknown error";
}
