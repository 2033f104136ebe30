/*
 * fuzz_stream.c — libFuzzer harness for the streaming reader of load.c:
 * the input is written to a memory file and loaded from its path, with
 * load.c compiled for a 64-byte window (build.sh), so values are cut at
 * every refill and the resume, line-counting and window-growing paths run.
 * The result must match loading the same bytes from memory: same status,
 * same messages at the same lines and pointers (columns may differ: on a
 * line whose start left the window they count bytes).  The file is loaded
 * indexed too, with the same messages, and every event read again from it
 * must equal the event loaded whole, member by member.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "chronicle/dataset.h"
#include "chronicle/strbuf.h"
#include "dataset_internal.h"
#include "event_cursor.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int same(const char *a, const char *b)
{
    return a == b || (a && b && !strcmp(a, b));
}

static void compare(const chronicle_diag *m, const chronicle_diag *f)
{
    if (chronicle_diag_errors(m) != chronicle_diag_errors(f) ||
        chronicle_diag_count(m) != chronicle_diag_count(f)) {
        fprintf(stderr, "memory: %zu errors, file: %zu errors\n", chronicle_diag_errors(m),
                chronicle_diag_errors(f));
        abort();
    }
    for (size_t i = 0; i < chronicle_diag_count(m); i++) {
        const chronicle_diag_entry *a = chronicle_diag_at(m, i), *b = chronicle_diag_at(f, i);
        /* "cannot open", "read failed" name the path: only the words after it count */
        if (a->severity != b->severity || a->line != b->line || !same(a->pointer, b->pointer) ||
            !same(a->message, b->message)) {
            fprintf(stderr, "entry %zu differs:\n  memory %lu:%lu %s %s\n  file   %lu:%lu %s %s\n",
                    i, a->line, a->col, a->pointer ? a->pointer : "", a->message, b->line, b->col,
                    b->pointer ? b->pointer : "", b->message);
            abort();
        }
    }
}

static void put_str(chronicle_buf *b, chronicle_str s)
{
    if (!s.ptr) {
        chronicle_buf_puts(b, "<absent>|");
        return;
    }
    chronicle_buf_appendf(b, "%zu:", s.len);
    chronicle_buf_append(b, s.ptr, s.len);
    chronicle_buf_putc(b, '|');
}

static void put_strs(chronicle_buf *b, const chronicle_str *v, size_t n)
{
    chronicle_buf_appendf(b, "[%zu]", n);
    for (size_t i = 0; i < n; i++)
        put_str(b, v[i]);
}

/* Every member of an event as text (sources by id). */
static void put_event(chronicle_buf *b, const chronicle_event *e)
{
    chronicle_buf_appendf(b, "%u %u %u %d|", (unsigned)e->struct_size, (unsigned)e->date_ymd,
                          (unsigned)e->end_date_ymd, (int)e->anniversary);
    const chronicle_str *strs[] = {
        &e->id,   &e->title,   &e->date,         &e->end_date, &e->summary,         &e->venue,
        &e->city, &e->country, &e->country_code, &e->occasion, &e->occasion_of_date};
    for (size_t i = 0; i < sizeof strs / sizeof *strs; i++)
        put_str(b, *strs[i]);
    put_strs(b, e->organizers, e->n_organizers);
    put_strs(b, e->audience, e->n_audience);
    put_strs(b, e->tags, e->n_tags);
    for (size_t i = 0; i < e->n_participants; i++) {
        const chronicle_participant *p = e->participants[i];
        chronicle_buf_appendf(b, "P%d|", (int)p->spoke);
        put_str(b, p->name), put_str(b, p->role), put_str(b, p->organization);
    }
    for (size_t i = 0; i < e->n_activities; i++) {
        const chronicle_activity *a = e->activities[i];
        chronicle_buf_puts(b, "A|");
        put_str(b, a->kind), put_str(b, a->title), put_str(b, a->description);
        put_strs(b, a->performers, a->n_performers);
    }
    for (size_t i = 0; i < e->n_statements; i++) {
        const chronicle_statement *s = e->statements[i];
        chronicle_buf_puts(b, "S|");
        put_str(b, s->speaker), put_str(b, s->summary), put_str(b, s->quote),
            put_str(b, s->source->id);
    }
    for (size_t i = 0; i < e->n_figures; i++) {
        const chronicle_figure *f = e->figures[i];
        chronicle_buf_appendf(b, "F%.17g|", f->value);
        put_str(b, f->label), put_str(b, f->unit), put_str(b, f->note), put_str(b, f->source->id);
    }
    for (size_t i = 0; i < e->n_sources; i++)
        put_str(b, e->sources[i]->id);
}

/* The indexed load of the same file: the same verdict, and every event read
 * again equal to the event of the whole load m. */
static void check_indexed(const char *path, chronicle_load_opts opts, const chronicle_dataset *m,
                          chronicle_status sm, const chronicle_diag *df)
{
    chronicle_diag *di = chronicle_diag_new(0);
    chronicle_dataset *x = NULL;
    opts.indexed = 1;
    chronicle_status sx = chronicle_dataset_load(path, &opts, &x, di);
    if (sx != sm || !x != !m) {
        fprintf(stderr, "whole: status %d, indexed: status %d\n", (int)sm, (int)sx);
        abort();
    }
    compare(df, di);
    if (x) {
        size_t n = chronicle_dataset_event_count(x);
        if (n != chronicle_dataset_event_count(m) || !chronicle_dataset_indexed(x)) abort();
        chronicle__event_cursor *r = chronicle__event_cursor_open(x);
        chronicle_buf a = CHRONICLE_BUF_INIT, b = CHRONICLE_BUF_INIT, why = CHRONICLE_BUF_INIT;
        for (size_t i = 0; r && i < n; i++) {
            const chronicle_event *e =
                chronicle__event_cursor_read(r, chronicle_dataset_event(x, i), i & 1, &why);
            if (!e) {
                fprintf(stderr, "event %zu not read again: %s\n", i, chronicle_buf_cstr(&why));
                abort();
            }
            chronicle_buf_reset(&a);
            chronicle_buf_reset(&b);
            put_event(&a, chronicle_dataset_event(m, i));
            put_event(&b, e);
            if (a.len != b.len || memcmp(a.ptr, b.ptr, a.len)) {
                fprintf(stderr, "event %zu differs:\n  whole %s\n  again %s\n", i,
                        chronicle_buf_cstr(&a), chronicle_buf_cstr(&b));
                abort();
            }
        }
        chronicle_buf_free(&a);
        chronicle_buf_free(&b);
        chronicle_buf_free(&why);
        chronicle__event_cursor_close(r);
    }
    chronicle_dataset_free(x);
    chronicle_diag_free(di);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    chronicle_load_opts opts = {.format = size && (data[0] & 1) ? CHRONICLE_FORMAT_NDJSON
                                                                : CHRONICLE_FORMAT_JSON};
    int fd = memfd_create("fuzz", MFD_CLOEXEC);
    if (fd < 0) return 0;
    if (write(fd, data, size) != (ssize_t)size) {
        close(fd);
        return 0;
    }
    char path[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    chronicle_diag *dm = chronicle_diag_new(0), *df = chronicle_diag_new(0);
    chronicle_dataset *m = NULL, *f = NULL;
    /* the same name for both, so messages naming the file agree */
    chronicle_status sm =
        chronicle_dataset_load_buffer(path, (const char *)data, size, &opts, &m, dm);
    chronicle_status sf = chronicle_dataset_load(path, &opts, &f, df);
    if (sm != sf || !m != !f) {
        fprintf(stderr, "memory: status %d, file: status %d\n", (int)sm, (int)sf);
        abort();
    }
    if (m && chronicle_dataset_event_count(m) != chronicle_dataset_event_count(f)) abort();
    compare(dm, df);
    check_indexed(path, opts, m, sm, df);
    chronicle_dataset_free(m);
    chronicle_dataset_free(f);
    chronicle_diag_free(dm);
    chronicle_diag_free(df);
    close(fd);
    return 0;
}
