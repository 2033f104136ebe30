/*
 * load.c — the streaming loader.  The file is read in chunks into a sliding
 * window; the validating skipper (json_scan.c) finds where each top-level
 * member, each element of "events" and each NDJSON line ends, and only that
 * slice is parsed with cJSON and converted.  Peak memory is the model plus
 * one window, never a whole-document tree.  An indexed load (opts.indexed)
 * converts each event into scratch memory and keeps a stub with the slice's
 * place in the file; an event cursor (event_cursor.h) reads and converts it
 * again on demand.
 * Invariant: an event read again passes every check the load made (the
 * skipper at event_depth(), then read_event()), or it is refused.
 */
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "chronicle/sanitize.h"
#include "chronicle/utf8.h"
#include "event_cursor.h"
#include "json_scan.h"
#include "load_pipeline.h"
#include "loader.h"
#include "struct_size.h"

#define WINDOW (1u << 20)

typedef struct reader {
    int fd;             /* -1: memory input */
    char *buf;          /* window (owned) or the caller's memory */
    size_t len, cap;    /* bytes in buf, allocated size */
    size_t pos;         /* next unread byte in buf */
    size_t base;        /* file offset of buf[0] */
    int eof;            /* nothing follows buf[len-1] */
    unsigned long line; /* line of buf[pos] */
    size_t line_start;  /* file offset where that line starts */
    int io_errno;
    size_t size;                        /* of the input; 0: unknown */
    const chronicle__load_tuning *tune; /* threads: see load_pipeline.h */
    int one_thread;                     /* no pipeline: small, or none could start */
} reader;

/* Moves buf[keep..len) to the front and reads more; 0 at EOF or error. */
static int fill(reader *r, size_t keep)
{
    if (r->eof) return 0;
    /* keep the current line's start in the window when it is near, so
     * columns can be counted in characters */
    if (r->line_start >= r->base && r->line_start - r->base < keep &&
        keep - (r->line_start - r->base) < WINDOW / 4)
        keep = r->line_start - r->base;
    size_t tail = r->len - keep;
    if (keep) memmove(r->buf, r->buf + keep, tail);
    r->base += keep;
    r->pos -= keep;
    r->len = tail;
    if (r->cap - r->len < WINDOW / 2) { /* one value fills the window: grow it */
        size_t cap = r->cap * 2;
        char *p = realloc(r->buf, cap);
        if (!p) {
            r->io_errno = ENOMEM;
            r->eof = 1;
            return 0;
        }
        r->buf = p;
        r->cap = cap;
    }
    for (;;) {
        ssize_t n = read(r->fd, r->buf + r->len, r->cap - r->len);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) r->io_errno = errno;
        if (n <= 0) {
            r->eof = 1;
            return 0;
        }
        r->len += (size_t)n;
        return 1;
    }
}

/* Consumes buf[pos..to), keeping the line count. */
static void advance(reader *r, size_t to)
{
    const char *p = r->buf + r->pos, *end = r->buf + to;
    while ((p = memchr(p, '\n', (size_t)(end - p)))) {
        r->line++;
        p++;
        r->line_start = r->base + (size_t)(p - r->buf);
    }
    r->pos = to;
}

/* Line and column of buf[at], at >= pos.  The column counts characters;
 * on a line whose start has left the window (lines over 256 KiB) it
 * counts bytes. */
static void position(const reader *r, size_t at, unsigned long *line, unsigned long *col)
{
    unsigned long l = r->line;
    size_t ls = r->line_start;
    for (size_t i = r->pos; i < at; i++)
        if (r->buf[i] == '\n') l++, ls = r->base + i + 1;
    *line = l;
    if (ls < r->base) {
        *col = r->base + at - ls + 1;
        return;
    }
    size_t chars = 0;
    for (size_t i = ls - r->base; i < at; i++)
        chars += ((unsigned char)r->buf[i] & 0xC0) != 0x80;
    *col = chars + 1;
}

static void error_at(loader *L, chronicle_diag_code code, const reader *r, size_t at,
                     const char *reason)
{
    /* the events before this place say what they have to say first */
    if (L->pipe) chronicle__pipeline_drain(L->pipe);
    unsigned long line, col;
    position(r, at, &line, &col);
    chronicle_diag_add_coded(L->diag, code, CHRONICLE_SEV_ERROR, L->file, line, col, NULL, "%s",
                             reason);
}

static void syntax_error(loader *L, const reader *r, size_t at, const char *reason)
{
    error_at(L, CHRONICLE_DIAG_SYNTAX, r, at, reason);
}

/* The next byte that is not white space, refilling as needed; -1 at EOF. */
static int peek(reader *r)
{
    for (;;) {
        size_t p = chronicle__json_skip_ws(r->buf, r->len, r->pos);
        advance(r, p);
        if (p < r->len) return (unsigned char)r->buf[p];
        if (!fill(r, r->pos)) return -1;
    }
}

/* Finds the end of the value at pos: on success it is buf[*start, *end),
 * still unconsumed. */
static int skip(loader *L, reader *r, int max_depth, size_t *start, size_t *end)
{
    for (;;) {
        size_t p = r->pos;
        scan_error err;
        scan_result res = chronicle__json_skip_value(r->buf, r->len, &p, r->eof, max_depth, &err);
        if (res == SCAN_OK) {
            *start = r->pos;
            *end = p;
            return 1;
        }
        if (res == SCAN_ERROR) {
            error_at(L, err.code, r, err.offset, err.reason);
            return 0;
        }
        /* at the end of the file the next scan knows it is the end and
         * gives the reason a memory buffer would ("unterminated string") */
        if (!fill(r, r->pos) && r->io_errno) return 0; /* finish() says why */
    }
}

/* ---- cJSON's memory for one event ----
 *
 * Every event is parsed into a cJSON tree, converted and deleted before the
 * next: a malloc and a free for every node and string were a tenth of the
 * load.  While an event is parsed, cJSON allocates from one block reused for
 * every event (bump allocation, 16-byte aligned), and its free ignores
 * pointers into the block; what does not fit, and every other cJSON
 * allocation, goes to malloc as before.  A tree held in the block alone is
 * not deleted node by node: the next event's parse reuses the block.  The
 * state is per thread, so loaders on different threads (a load's workers,
 * load_pipeline.c) never share a block; initial-exec, because the hooks read
 * it for every node and a dynamic TLS lookup was 4 % of a load.  Under
 * AddressSanitizer there is no block: every node keeps its own redzones. */
#define CJ_BLOCK (1u << 20)

static _Thread_local struct {
    char *block; /* CJ_BLOCK bytes while a load runs on this thread, else NULL */
    size_t used;
    int active;  /* chronicle__parse_event() is parsing an event */
    int spilled; /* ... and some of it went to malloc */
} cj __attribute__((tls_model("initial-exec")));

static void *cj_malloc(size_t n)
{
    size_t need = (n + 15) & ~(size_t)15;
    if (cj.active && cj.block && need >= n && need <= CJ_BLOCK - cj.used) {
        void *p = cj.block + cj.used;
        cj.used += need;
        return p;
    }
    cj.spilled |= cj.active;
    return malloc(n);
}

static void cj_free(void *p)
{
    uintptr_t a = (uintptr_t)p, b = (uintptr_t)cj.block;
    if (cj.block && a >= b && a - b < CJ_BLOCK) return; /* reclaimed by the next event */
    free(p);
}

static void cj_install(void)
{
    cJSON_InitHooks(&(cJSON_Hooks){.malloc_fn = cj_malloc, .free_fn = cj_free});
}

static void cj_hooks(void)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, cj_install);
}

/* A top-level member's tree (a dataset's "sources": a few hundred bytes a
 * source) is freed in small blocks that the model, made in mapped arena
 * chunks, never reuses: given back to the system, they stay resident
 * neither for the rest of the load nor in every export job forked after
 * it.  Only worth the walk over the heap after a large one. */
static void give_back(size_t json_bytes)
{
#ifdef __GLIBC__
    if (json_bytes >= ((size_t)1 << 20)) malloc_trim(0);
#else
    (void)json_bytes;
#endif
}

int chronicle__load_thread_begin(void)
{
    cj_hooks();
    cj.block = CHRONICLE_UNDER_ASAN ? NULL : malloc(CJ_BLOCK);
    return CHRONICLE_UNDER_ASAN || cj.block;
}

void chronicle__load_thread_end(void)
{
    free(cj.block);
    cj.block = NULL;
}

cJSON *chronicle__parse_event(const char *buf, size_t len)
{
    cj.used = 0;
    cj.spilled = 0;
    cj.active = 1;
    cJSON *v = cJSON_ParseWithLength(buf, len);
    cj.active = 0;
    return v;
}

void chronicle__free_event_json(cJSON *v)
{
    if (!cj.block || cj.spilled) cJSON_Delete(v);
}

/* Parses buf[start..end) (already validated) with cJSON: a top-level
 * member or the NDJSON header (read_event() parses events). */
static cJSON *parse_slice(loader *L, const reader *r, size_t start, size_t end)
{
    const char *stop = NULL;
    cJSON *v = cJSON_ParseWithLengthOpts(r->buf + start, end - start, &stop, 0);
    if (!v) {
        /* only nesting beyond cJSON's own limit or memory can get here */
        error_at(L, stop ? CHRONICLE_DIAG_LIMIT : CHRONICLE_DIAG_MEMORY, r,
                 stop ? (size_t)(stop - r->buf) : start, "cannot parse this value");
        L->oom = !stop;
    }
    return v;
}

/* The nesting an event may use: inside the dataset object and "events", or
 * alone on its NDJSON line.  The load and the event cursor both ask here. */
static int event_depth(int ndjson)
{
    return ndjson ? JSON_MAX_DEPTH - 1 : JSON_MAX_DEPTH - 2;
}

int chronicle__event_depth(int ndjson)
{
    return event_depth(ndjson);
}

/* The one way an event is read, by the load and by the event cursor alike: its
 * JSON, buf[0..len), which chronicle__json_skip_value() accepted at event_depth(), is
 * parsed in cJSON's block and converted (chronicle__convert_event() checks it).  Its
 * tree lives in the block until the next event is parsed.  NULL when it has
 * errors, in L->diag. */
static chronicle_event *read_event(loader *L, const char *buf, size_t len, size_t index,
                                   uint64_t offset)
{
    cJSON *v = chronicle__parse_event(buf, len);
    if (!v) {
        /* nothing the skipper accepts fails here, but memory */
        char where[48];
        snprintf(where, sizeof where, "/events/%zu", index);
        chronicle_diag_add_coded(L->diag, CHRONICLE_DIAG_MEMORY, CHRONICLE_SEV_ERROR, L->file, 0, 0,
                                 where, "cannot parse this event");
        return NULL;
    }
    chronicle_event *e = chronicle__convert_event(L, index, v, offset, len);
    chronicle__free_event_json(v);
    return e;
}

/* Starts converting events on every CPU when the input is large enough and
 * the dataset's sources are known (see loader.h), once per run of events. */
static void pipeline_start(loader *L, reader *r)
{
    if (L->pipe || r->one_thread) return;
    const chronicle__load_tuning *t = r->tune;
    unsigned threads = t->threads ? t->threads : chronicle__cpu_count();
    size_t min = t->min_bytes ? t->min_bytes : (size_t)2 << 20;
    if (threads < 2 || (r->size && r->size < min) || L->again ||
        !chronicle__loader_sources_known(L) ||
        !(L->pipe = chronicle__pipeline_new(L, threads,
                                            t->batch_bytes ? t->batch_bytes : (size_t)256 << 10)))
        r->one_thread = 1;
}

/* Merges what the threads converted and stops them; 0 when out of memory. */
static int pipeline_stop(loader *L)
{
    if (!L->pipe) return !L->oom;
    chronicle__pipeline_drain(L->pipe);
    chronicle__pipeline_free(L->pipe);
    L->pipe = NULL;
    return !L->oom;
}

/* The event at buf[start, end), accepted by the skipper: converted here or
 * handed to the pipeline.  0 when the load must stop. */
static int take_event(loader *L, reader *r, size_t start, size_t end, size_t index)
{
    if (L->pipe)
        return chronicle__pipeline_add(L->pipe, r->buf + start, end - start, index,
                                       r->base + start);
    read_event(L, r->buf + start, end - start, index, r->base + start);
    return !L->oom;
}

static int expect(loader *L, reader *r, int c, const char *what)
{
    int got = peek(r);
    if (got == c) {
        advance(r, r->pos + 1);
        return 1;
    }
    syntax_error(L, r, r->pos, got < 0 ? "unexpected end of input" : what);
    return 0;
}

static int parse_events_in(loader *L, reader *r)
{
    size_t index = 0;
    pipeline_start(L, r);
    int c = peek(r);
    if (c == ']') {
        advance(r, r->pos + 1);
        return 1;
    }
    for (;;) {
        size_t start, end;
        if (peek(r) < 0) {
            syntax_error(L, r, r->pos, "unexpected end of input in \"events\"");
            return 0;
        }
        if (!skip(L, r, event_depth(0), &start, &end)) return 0;
        if (!take_event(L, r, start, end, index++)) return 0;
        advance(r, end);
        c = peek(r);
        if (c == ']') {
            advance(r, r->pos + 1);
            return 1;
        }
        if (!expect(L, r, ',', "expected ',' or ']' after an event")) return 0;
    }
}

static int parse_events(loader *L, reader *r)
{
    int ok = parse_events_in(L, r);
    return pipeline_stop(L) && ok;
}

/* names holds the member names seen so far: the top-level object is never a
 * cJSON tree, so chronicle__check_members() cannot see its duplicates. */
static int parse_member(loader *L, reader *r, interner *names)
{
    size_t start, end;
    int c = peek(r);
    if (c != '"') {
        syntax_error(L, r, r->pos,
                     c < 0 ? "unexpected end of input" : "expected a member name in quotes");
        return 0;
    }
    if (!skip(L, r, 1, &start, &end)) return 0;
    cJSON *key = parse_slice(L, r, start, end);
    if (!key) return 0;
    advance(r, end);
    int ok = expect(L, r, ':', "expected ':' after a member name");
    int dup = 0;
    if (ok && !chronicle__intern_ex(names, key->valuestring, strlen(key->valuestring), &dup).ptr) {
        L->oom = 1;
        ok = 0;
    }
    if (ok && dup) {
        path_reset(L);
        chronicle__load_error(L, CHRONICLE_DIAG_DUPLICATE_MEMBER, key->valuestring,
                              "duplicate member (a JSON object may name it once)");
        if (peek(r) < 0) {
            syntax_error(L, r, r->pos, "unexpected end of input");
            ok = 0;
        } else if ((ok = skip(L, r, JSON_MAX_DEPTH - 1, &start, &end))) {
            advance(r, end);
        }
    } else if (ok && !strcmp(key->valuestring, "events") && peek(r) == '[') {
        advance(r, r->pos + 1);
        chronicle__loader_mark_events(L);
        ok = parse_events(L, r);
    } else if (ok && peek(r) >= 0) {
        ok = skip(L, r, JSON_MAX_DEPTH - 1, &start, &end);
        if (ok) {
            cJSON *v = parse_slice(L, r, start, end);
            if ((ok = v != NULL)) {
                chronicle__check_members(L, key->valuestring, v);
                if (!strcmp(key->valuestring, "events")) {
                    path_reset(L);
                    chronicle__load_error(L, CHRONICLE_DIAG_TYPE, "events",
                                          "expected an array of events");
                    chronicle__loader_mark_events(L);
                } else {
                    path_reset(L);
                    chronicle__convert_top(L, key->valuestring, v);
                }
                cJSON_Delete(v);
                give_back(end - start);
                advance(r, end);
            }
        }
    } else if (ok) {
        syntax_error(L, r, r->pos, "unexpected end of input");
        ok = 0;
    }
    cJSON_Delete(key);
    return ok && !L->oom;
}

static void parse_json(loader *L, reader *r)
{
    int c = peek(r);
    if (c < 0) {
        /* placed where the object was expected: the end of the input */
        error_at(L, CHRONICLE_DIAG_EMPTY_FILE, r, r->pos,
                 "the file is empty (expected a JSON object)");
        return;
    }
    if (c != '{') {
        /* a JSON value of another kind, or no JSON at all */
        error_at(L, strchr("[\"-0123456789tfn", c) ? CHRONICLE_DIAG_TYPE : CHRONICLE_DIAG_SYNTAX, r,
                 r->pos, "expected '{': a dataset is a JSON object");
        return;
    }
    advance(r, r->pos + 1);
    arena names_arena = {0};
    interner names = {.a = &names_arena};
    int first = 1, ok = 1;
    for (;;) {
        c = peek(r);
        if (c == '}') {
            advance(r, r->pos + 1);
            break;
        }
        if (!first && !expect(L, r, ',', "expected ',' or '}' after a member")) ok = 0;
        first = 0;
        if (!ok || !parse_member(L, r, &names)) {
            ok = 0;
            break;
        }
    }
    chronicle__interner_free(&names);
    chronicle__arena_free(&names_arena);
    if (!ok) return;
    if (peek(r) >= 0) {
        syntax_error(L, r, r->pos, "unexpected content after the dataset object");
        return;
    }
    chronicle__finish_checks(L, 0);
}

/* NDJSON: the header object on the first non-blank line, one event per line
 * after it.  A syntax error spoils one line only. */
static void parse_ndjson(loader *L, reader *r)
{
    int header = 1;
    size_t index = 0;
    for (;;) {
        char *nl;
        while (!(nl = memchr(r->buf + r->pos, '\n', r->len - r->pos)) && fill(r, r->pos)) {
        }
        size_t end = nl ? (size_t)(nl - r->buf) : r->len;
        size_t p = chronicle__json_skip_ws(r->buf, end, r->pos);
        if (p < end && !header) pipeline_start(L, r);
        if (p < end && !header && L->pipe) {
            /* the worker checks the line too: what it says depends on the
             * line alone (see chronicle__pipeline_add_line()) */
            if (!chronicle__pipeline_add_line(L->pipe, r->buf + r->pos, end - r->pos, index++,
                                              r->base + r->pos, r->line))
                break;
        } else if (p < end) {
            scan_error err;
            size_t v_end = p;
            scan_result res =
                chronicle__json_skip_value(r->buf, end, &v_end, 1, event_depth(1), &err);
            size_t after = res == SCAN_OK ? chronicle__json_skip_ws(r->buf, end, v_end) : end;
            /* a broken line still takes its place, so /events/N stays the Nth event line */
            if (res != SCAN_OK) {
                error_at(L, err.code, r, err.offset, err.reason);
                index += !header;
            } else if (after < end) {
                syntax_error(L, r, after,
                             "unexpected content after the value (one value per line)");
                index += !header;
            } else if (!header) {
                if (!take_event(L, r, p, v_end, index++)) break;
            } else {
                cJSON *v = parse_slice(L, r, p, v_end);
                if (!v) return;
                chronicle__check_members(L, NULL, v);
                if (!cJSON_IsObject(v)) {
                    error_at(L, CHRONICLE_DIAG_TYPE, r, p,
                             "the first line must be the header object");
                } else {
                    for (const cJSON *m = v->child; m; m = m->next) {
                        path_reset(L);
                        if (strcmp(m->string, "events"))
                            chronicle__convert_top(L, m->string, m);
                        else
                            chronicle__load_error(
                                L, CHRONICLE_DIAG_STRUCTURE, "events",
                                "events go on the lines after the header, one per line");
                    }
                }
                cJSON_Delete(v);
                give_back(v_end - p);
                if (L->oom) return;
            }
            header = 0;
        }
        if (!nl) break;
        advance(r, end + 1);
    }
    if (!pipeline_stop(L)) return;
    if (header) {
        error_at(L, CHRONICLE_DIAG_EMPTY_FILE, r, r->len,
                 "the file is empty (expected a header line)");
        return;
    }
    chronicle__finish_checks(L, 1);
}

static int has_suffix(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && !strcmp(s + n - k, suffix);
}

static chronicle_dataset *dataset_new(void)
{
    chronicle_dataset *ds = calloc(1, sizeof *ds);
    if (!ds) return NULL;
    ds->strings.a = &ds->a;
    ds->event_ids.a = &ds->a;
    ds->fd = -1;
    return ds;
}

static loader loader_new(chronicle_dataset *ds, chronicle_diag *diag, const char *file)
{
    loader L = {.ds = ds, .diag = diag, .file = file};
    if (ds) {
        L.a = &ds->a;
        L.strings = &ds->strings;
    }
    return L;
}

static void set_names(loader *L)
{
    chronicle_dataset_info *info = &L->ds->info;
    const char *base = strrchr(L->file, '/');
    base = base ? base + 1 : L->file;
    const char *dot = strrchr(base, '.');
    size_t stem_len = dot && dot != base ? (size_t)(dot - base) : strlen(base);
    info->path = chronicle__arena_strdup(&L->ds->a, L->file, strlen(L->file));
    info->stem = chronicle__arena_strdup(&L->ds->a, base, stem_len);
    if (!info->path.ptr || !info->stem.ptr) L->oom = 1;
}

static chronicle_status finish(loader *L, reader *r, chronicle_dataset **out)
{
    chronicle_status st = CHRONICLE_OK;
    if (r->io_errno == ENOMEM) L->oom = 1;
    if (L->oom) {
        st = CHRONICLE_ERR_NOMEM;
        chronicle_diag_add_coded(L->diag, CHRONICLE_DIAG_MEMORY, CHRONICLE_SEV_ERROR, L->file, 0, 0,
                                 NULL, "out of memory");
    } else if (r->io_errno) {
        st = CHRONICLE_ERR_IO;
        chronicle_diag_add_coded(L->diag, CHRONICLE_DIAG_IO, CHRONICLE_SEV_ERROR, L->file, 0, 0,
                                 NULL, "read failed: %s", strerror(r->io_errno));
    } else if (chronicle_diag_errors(L->diag)) {
        st = CHRONICLE_ERR_DATA;
    }
    if (st == CHRONICLE_OK) {
        set_names(L);
        chronicle_dataset_info *info = &L->ds->info;
        info->struct_size = sizeof *info;
        info->sources = (const chronicle_source *const *)L->ds->sources;
        info->n_sources = L->ds->n_sources;
        info->n_events_total = L->ds->n_events;
        if (L->oom) st = CHRONICLE_ERR_NOMEM;
    }
    if (st != CHRONICLE_OK) {
        chronicle__dataset_destroy(L->ds);
        *out = NULL;
    } else {
        *out = L->ds;
    }
    return st;
}

static int is_ndjson(const char *name, const chronicle_load_opts *opts)
{
    chronicle_format f = opts ? opts->format : CHRONICLE_FORMAT_AUTO;
    if (f == CHRONICLE_FORMAT_AUTO)
        return has_suffix(name, ".ndjson") || has_suffix(name, ".jsonl");
    return f == CHRONICLE_FORMAT_NDJSON;
}

static chronicle_status run(loader *L, reader *r, int ndjson, chronicle_dataset **out)
{
    if (!L->ds) {
        *out = NULL;
        chronicle_diag_add_coded(L->diag, CHRONICLE_DIAG_MEMORY, CHRONICLE_SEV_ERROR, L->file, 0, 0,
                                 NULL, "out of memory");
        return CHRONICLE_ERR_NOMEM;
    }
    /* a UTF-8 byte order mark is tolerated, as most editors write one */
    if (peek(r) == 0xEF && r->len - r->pos >= 3 && !memcmp(r->buf + r->pos, "\xEF\xBB\xBF", 3)) {
        advance(r, r->pos + 3);
        r->line_start = r->base + r->pos; /* columns count from after it */
    }
    cj_hooks();
    cj.block = CHRONICLE_UNDER_ASAN ? NULL : malloc(CJ_BLOCK); /* without it, cJSON uses malloc */
    if (ndjson)
        parse_ndjson(L, r);
    else
        parse_json(L, r);
    free(cj.block);
    cj.block = NULL;
    chronicle__arena_free(&L->scratch);
    return finish(L, r, out);
}

static const chronicle__load_tuning default_tuning;

chronicle_status chronicle__dataset_load_buffer_tuned(const char *name, const char *buf, size_t len,
                                                      const chronicle_load_opts *opts,
                                                      const chronicle__load_tuning *t,
                                                      chronicle_dataset **out, chronicle_diag *diag)
{
    chronicle_load_opts o;
    CHRONICLE__STRUCT_READ(chronicle_load_opts, &o, opts);
    opts = &o;
    loader L = loader_new(dataset_new(), diag, name);
    reader r = {.fd = -1,
                .buf = (char *)buf,
                .len = len,
                .cap = len,
                .eof = 1,
                .line = 1,
                .size = len,
                .tune = t ? t : &default_tuning};
    return run(&L, &r, is_ndjson(name, opts), out);
}

chronicle_status chronicle_dataset_load_buffer(const char *name, const char *buf, size_t len,
                                               const chronicle_load_opts *opts,
                                               chronicle_dataset **out, chronicle_diag *diag)
{
    return chronicle__dataset_load_buffer_tuned(name, buf, len, opts, NULL, out, diag);
}

chronicle_status chronicle_dataset_load(const char *path, const chronicle_load_opts *opts,
                                        chronicle_dataset **out, chronicle_diag *diag)
{
    return chronicle__dataset_load_tuned(path, opts, NULL, out, diag);
}

chronicle_status chronicle__dataset_load_tuned(const char *path, const chronicle_load_opts *opts,
                                               const chronicle__load_tuning *t,
                                               chronicle_dataset **out, chronicle_diag *diag)
{
    chronicle_load_opts o;
    CHRONICLE__STRUCT_READ(chronicle_load_opts, &o, opts);
    opts = &o;
    *out = NULL;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat sb;
    if (fd < 0 || fstat(fd, &sb) != 0) {
        chronicle_diag_add_coded(diag, CHRONICLE_DIAG_IO, CHRONICLE_SEV_ERROR, path, 0, 0, NULL,
                                 "cannot open: %s", strerror(errno));
        if (fd >= 0) close(fd);
        return CHRONICLE_ERR_IO;
    }
    if (S_ISDIR(sb.st_mode)) {
        chronicle_diag_add_coded(diag, CHRONICLE_DIAG_IO, CHRONICLE_SEV_ERROR, path, 0, 0, NULL,
                                 "is a directory, not a dataset file");
        close(fd);
        return CHRONICLE_ERR_IO;
    }
    posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
    loader L = loader_new(dataset_new(), diag, path);
    reader r = {.fd = fd,
                .buf = malloc(WINDOW),
                .cap = WINDOW,
                .line = 1,
                .size = S_ISREG(sb.st_mode) ? (size_t)sb.st_size : 0,
                .tune = t ? t : &default_tuning};
    if (!r.buf) {
        chronicle__dataset_destroy(L.ds);
        L.ds = NULL;
    }
    /* only a regular file can be read again at an offset */
    int ndjson = is_ndjson(path, opts);
    if (L.ds && opts && opts->indexed && S_ISREG(sb.st_mode)) {
        L.ds->indexed = 1;
        L.ds->ndjson = ndjson;
    }
    chronicle_status st = run(&L, &r, ndjson, out);
    free(r.buf);
    if (st == CHRONICLE_OK && (*out)->indexed) {
        (*out)->fd = fd;
        (*out)->size = sb.st_size;
        (*out)->mtime = sb.st_mtim;
    } else {
        close(fd);
    }
    return st;
}

/* ---- reading an event again ---- */

struct chronicle__event_cursor {
    const chronicle_dataset *ds;
    /* indexed only: */
    char *buf; /* the event's JSON */
    size_t cap;
    char *block; /* cJSON's block while an event is parsed (see cj) */
    arena a;     /* the events converted */
    chronicle_diag *diag;
};

chronicle__event_cursor *chronicle__event_cursor_open(const chronicle_dataset *ds)
{
    chronicle__event_cursor *r = calloc(1, sizeof *r);
    if (!r) return NULL;
    r->ds = ds;
    if (!ds->indexed) return r; /* the events are whole */
    r->diag = chronicle_diag_new(1);
    r->block = CHRONICLE_UNDER_ASAN ? NULL : malloc(CJ_BLOCK);
    if (!r->diag || (!CHRONICLE_UNDER_ASAN && !r->block)) {
        chronicle__event_cursor_close(r);
        return NULL;
    }
    cj_hooks();
    return r;
}

void chronicle__event_cursor_close(chronicle__event_cursor *r)
{
    if (!r) return;
    free(r->buf);
    free(r->block);
    chronicle__arena_free(&r->a);
    chronicle_diag_free(r->diag);
    free(r);
}

int chronicle__dataset_file_unchanged(const chronicle_dataset *ds, chronicle_buf *why)
{
    if (!ds->indexed) return 1;
    struct stat sb;
    if (fstat(ds->fd, &sb) != 0) {
        chronicle_buf_appendf(why, "%s: %s", ds->info.path.ptr, strerror(errno));
        return 0;
    }
    if (sb.st_size != ds->size || sb.st_mtim.tv_sec != ds->mtime.tv_sec ||
        sb.st_mtim.tv_nsec != ds->mtime.tv_nsec) {
        chronicle_buf_appendf(why, "%s: the file changed after it was loaded; export it again",
                              ds->info.path.ptr);
        return 0;
    }
    return 1;
}

/* Checks an event read again as the load checked it in its place: one
 * value that chronicle__json_skip_value() accepts at event_depth(), with only white
 * space around it, and on an NDJSON line ending before any line break (the
 * load cut lines there).  0 and *err when it does not hold. */
static int scan_event(const char *buf, size_t len, int ndjson, scan_error *err)
{
    const char *nl = ndjson ? memchr(buf, '\n', len) : NULL;
    size_t line_end = nl ? (size_t)(nl - buf) : len;
    size_t pos = chronicle__json_skip_ws(buf, line_end, 0);
    if (chronicle__json_skip_value(buf, line_end, &pos, 1, event_depth(ndjson), err) != SCAN_OK)
        return 0;
    size_t after = chronicle__json_skip_ws(buf, len, pos);
    if (after == len) return 1;
    err->offset = after;
    err->code = CHRONICLE_DIAG_SYNTAX;
    snprintf(err->reason, sizeof err->reason, "%s",
             !ndjson            ? "expected ',' or ']' after an event"
             : after < line_end ? "unexpected content after the value (one value per line)"
                                : "a line break inside the event");
    return 0;
}

/* Line and column (in characters, after a byte order mark) of byte at of
 * the file, as the load reports a syntax error; 0 and 0 when it cannot be
 * read.  Only a failed read again pays for it. */
static void file_position(int fd, uint64_t at, unsigned long *line, unsigned long *col)
{
    char buf[16384];
    unsigned long l = 1, c = 1;
    for (uint64_t off = 0; off < at;) {
        ssize_t n =
            pread(fd, buf, at - off < sizeof buf ? (size_t)(at - off) : sizeof buf, (off_t)off);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            *line = *col = 0;
            return;
        }
        ssize_t i = off == 0 && n >= 3 && !memcmp(buf, "\xEF\xBB\xBF", 3) ? 3 : 0;
        for (; i < n; i++) {
            if (buf[i] == '\n')
                l++, c = 1;
            else
                c += ((unsigned char)buf[i] & 0xC0) != 0x80;
        }
        off += (uint64_t)n;
    }
    *line = l;
    *col = c;
}

/* Reads the event behind stub into r->buf; 0 and why when it cannot. */
static int read_again(chronicle__event_cursor *r, const event_entry *s, chronicle_buf *why)
{
    const char *file = r->ds->info.path.ptr;
    if (s->length > r->cap) {
        char *p = realloc(r->buf, s->length);
        if (!p) {
            chronicle_buf_appendf(why, "%s: out of memory reading /events/%zu", file, s->index);
            return 0;
        }
        r->buf = p;
        r->cap = s->length;
    }
    for (size_t got = 0; got < s->length;) {
        ssize_t n = pread(r->ds->fd, r->buf + got, s->length - got, (off_t)(s->offset + got));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            chronicle_buf_appendf(why, "%s: reading /events/%zu again: %s", file, s->index,
                                  n < 0 ? strerror(errno)
                                        : "the file is shorter than when it was loaded");
            return 0;
        }
        got += (size_t)n;
    }
    return 1;
}

const chronicle_event *chronicle__event_cursor_read(chronicle__event_cursor *r,
                                                    const chronicle_event *stub, int keep,
                                                    chronicle_buf *why)
{
    if (!r->ds->indexed) return stub;
    const event_entry *s = chronicle__entry_find(stub);
    const char *file = r->ds->info.path.ptr;
    /* under AddressSanitizer the memory is given back, so a view kept too
     * long is a use after free there, not a quiet read of the next event */
    if (!keep && CHRONICLE_UNDER_ASAN) chronicle__arena_free(&r->a);
    if (!keep && !CHRONICLE_UNDER_ASAN) chronicle__arena_reset(&r->a);
    if (!read_again(r, s, why)) return NULL;
    chronicle_diag_clear(r->diag);
    loader L = loader_new((chronicle_dataset *)r->ds, r->diag, file); /* not changed: L.again */
    L.a = &r->a;
    L.strings = NULL;
    L.again = 1;
    chronicle_event *e = NULL;
    scan_error err;
    if (scan_event(r->buf, s->length, r->ds->ndjson, &err)) {
        /* parse with the reader's own block; restore the loader's (none outside a load) */
        char *saved = cj.block;
        cj.block = r->block;
        e = read_event(&L, r->buf, s->length, s->index, s->offset);
        cj.block = saved;
    } else {
        unsigned long line, col;
        file_position(r->ds->fd, s->offset + err.offset, &line, &col);
        chronicle_diag_add_coded(r->diag, err.code, CHRONICLE_SEV_ERROR, file, line, col, NULL,
                                 "%s", err.reason);
    }
    const char *member = e ? chronicle__event_stub_differs(stub, e) : NULL;
    if (e && !member) return e;
    if (L.oom) {
        chronicle_buf_appendf(why, "%s: out of memory reading /events/%zu", file, s->index);
    } else if (member) {
        chronicle_buf_appendf(why,
                              "%s: /events/%zu%s is not what was loaded: the file changed "
                              "after it was loaded; export it again",
                              file, s->index, member);
    } else {
        /* what the load would say of the file as it is now, then why it matters */
        const chronicle_diag_entry *said = chronicle_diag_at(r->diag, 0);
        if (said)
            chronicle_diag_format(said, why);
        else
            chronicle_buf_puts(why, file);
        chronicle_buf_appendf(why,
                              "; /events/%zu is not what was loaded: the file changed after "
                              "it was loaded; export it again",
                              s->index);
    }
    return NULL;
}
