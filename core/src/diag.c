/*
 * diag.c — caller-owned diagnostics.  Each entry's strings live in one
 * allocation; past max_entries, entries are only counted.
 */
#include "chronicle/diag.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

struct chronicle_diag {
    chronicle_diag_entry *entries;
    size_t n, cap, max;
    size_t errors, dropped;
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
    for (size_t i = 0; i < d->n; i++) free((void *)d->entries[i].message);
    d->n = d->errors = d->dropped = 0;
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

void chronicle_diag_add(chronicle_diag *d, chronicle_severity sev, const char *file,
                        unsigned long line, unsigned long col, const char *pointer,
                        const char *fmt, ...)
{
    if (!d) return;
    if (sev == CHRONICLE_SEV_ERROR) d->errors++;
    if (d->n >= d->max) {
        d->dropped++;
        return;
    }
    chronicle_buf msg = CHRONICLE_BUF_INIT;
    va_list ap;
    va_start(ap, fmt);
    chronicle_status st = chronicle_buf_vappendf(&msg, fmt, ap);
    va_end(ap);
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
    chronicle_buf_free(&msg);
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
    case CHRONICLE_OK: return "success";
    case CHRONICLE_ERR_IO: return "input/output error";
    case CHRONICLE_ERR_NOMEM: return "out of memory";
    case CHRONICLE_ERR_OPTION: return "invalid option";
    case CHRONICLE_ERR_DATA: return "invalid data";
    case CHRONICLE_ERR_UNSUPPORTED: return "not supported";
    case CHRONICLE_ERR_CANCELLED: return "cancelled";
    case CHRONICLE_ERR_INTERNAL: return "internal error";
    case CHRONICLE_ERR_PLUGIN: return "plugin error";
    }
    return "unknown error";
}
