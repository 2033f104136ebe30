/*
 * load_pipeline.c — the events of a large load parsed and converted on
 * every CPU.  The loading thread finds where each event ends (the skipper,
 * as it must to check the file) and copies events into batches; worker
 * threads parse and convert a batch at a time with loaders of their own
 * (chronicle__convert_event_deferred()); the loading thread merges the
 * batches in input order: their messages, each event id's check, the
 * interning and the events or stubs.  When the workers fall behind, the
 * loading thread converts a batch itself.
 * Invariant: the dataset and L->diag change on the loading thread only, in
 * input order, so a load gives one thread's result, message for message.
 */
#define _GNU_SOURCE /* sched_getaffinity */
#include "load_pipeline.h"

#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag_internal.h"
#include "json_scan.h"

/* One event of a batch, and what its conversion left for the merge. */
typedef struct slot {
    size_t at, len; /* its JSON: the batch's text[at .. at + len) */
    size_t index;
    uint64_t offset;
    unsigned long line; /* an NDJSON line the worker checks (its number); 0: checked */
    chronicle_event *e; /* NULL: it has errors */
    chronicle_str id;   /* to check; .ptr NULL: none */
    size_t diag_from, id_at, diag_to; /* its messages in the batch's diag */
    size_t fix_from, fix_to;          /* its strings to intern */
} slot;

enum batch_state { B_FREE, B_READY, B_WORKING, B_DONE };

typedef struct batch {
    enum batch_state state; /* under the pipeline's mutex */
    char *text;
    size_t len, cap;
    slot *ev;
    size_t n, cap_ev;
    size_t n_done; /* slots converted (all, unless out of memory) */
    int oom;
    chronicle_diag *diag; /* the same limit as the load's */
    arena tmp;            /* strings to intern, ids; an indexed load's events */
    /* a load into memory: the events converted in this slot, the dataset's
     * at the end.  Per slot, not per thread, so that the memory the dataset
     * holds (chronicle_dataset_memory()) does not depend on which thread
     * converted what. */
    arena keep;
    deferred d;
} batch;

/* A thread that converts: w[0] is the loading thread itself. */
typedef struct worker {
    chronicle__pipeline *p;
    pthread_t thread;
    int started;
} worker;

struct chronicle__pipeline {
    loader *L;
    unsigned seen; /* L->seen when the pipeline started */
    size_t batch_bytes;
    pthread_mutex_t mu;
    pthread_cond_t work, done;
    batch *ring;
    size_t n_ring;
    /* batch numbers, merged <= taken <= submitted; ring[submitted % n_ring]
     * is being filled */
    size_t merged, taken, submitted;
    int stop;
    worker *w;
    size_t n_w;
};

unsigned chronicle__cpu_count(void)
{
    unsigned n = 1;
#ifdef CPU_COUNT
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) > 0)
        n = (unsigned)CPU_COUNT(&set);
#endif
    return n;
}

static size_t diag_pos(const chronicle_diag *d)
{
    return chronicle_diag_count(d) + chronicle_diag_dropped(d);
}

/* Checks the NDJSON line of s as parse_ndjson() in load.c does; on success
 * s is narrowed to the value, else the refusal is in b's diag, placed as
 * load.c's error_at() places it. */
static int check_line(batch *b, slot *s, const char *file)
{
    const char *t = b->text + s->at;
    size_t n = s->len, p = chronicle__json_skip_ws(t, n, 0), end = p;
    scan_error err;
    scan_result res = chronicle__json_skip_value(t, n, &end, 1, chronicle__event_depth(1), &err);
    size_t after = res == SCAN_OK ? chronicle__json_skip_ws(t, n, end) : n;
    if (res == SCAN_OK && after == n) {
        s->at += p;
        s->offset += p;
        s->len = end - p;
        return 1;
    }
    if (res == SCAN_OK) {
        err.code = CHRONICLE_DIAG_SYNTAX;
        err.offset = after;
        snprintf(err.reason, sizeof err.reason, "%s",
                 "unexpected content after the value (one value per line)");
    }
    unsigned long col = 1;
    for (size_t i = 0; i < err.offset; i++)
        col += ((unsigned char)t[i] & 0xC0) != 0x80;
    chronicle_diag_add_coded(b->diag, err.code, CHRONICLE_SEV_ERROR, file, s->line, col, NULL, "%s",
                             err.reason);
    return 0;
}

/* Parses and converts every event of b, on any thread: it reads the
 * dataset's sources, and writes only b. */
static void convert_batch(chronicle__pipeline *p, batch *b)
{
    const loader *L = p->L;
    chronicle_dataset *ds = L->ds;
    chronicle__arena_reset(&b->tmp);
    b->d.tmp = &b->tmp;
    b->d.intern = !ds->indexed;
    b->d.n_fix = 0;
    loader W = {.ds = ds,
                .a = ds->indexed ? &b->tmp : &b->keep,
                .diag = b->diag,
                .file = L->file,
                .defer = &b->d,
                .seen = p->seen};
    b->n_done = 0;
    for (size_t i = 0; i < b->n && !W.oom; i++) {
        slot *s = &b->ev[i];
        s->diag_from = diag_pos(b->diag);
        s->fix_from = b->d.n_fix;
        s->id = (chronicle_str){0};
        s->e = NULL;
        if (s->line && !check_line(b, s, L->file)) {
            s->diag_to = s->id_at = diag_pos(b->diag);
            s->fix_to = b->d.n_fix;
            b->n_done = i + 1;
            continue;
        }
        cJSON *v = chronicle__parse_event(b->text + s->at, s->len);
        if (v) {
            s->e = chronicle__convert_event_deferred(&W, s->index, v);
            s->id = b->d.id;
            s->id_at = b->d.id_at;
            chronicle__free_event_json(v);
        } else { /* as read_event() says it */
            char where[48];
            snprintf(where, sizeof where, "/events/%zu", s->index);
            chronicle_diag_add_coded(b->diag, CHRONICLE_DIAG_MEMORY, CHRONICLE_SEV_ERROR, L->file,
                                     0, 0, where, "cannot parse this event");
        }
        s->diag_to = diag_pos(b->diag);
        if (!s->id.ptr) s->id_at = s->diag_to;
        s->fix_to = b->d.n_fix;
        b->n_done = i + 1;
    }
    b->oom = W.oom;
}

/* Merges b into the dataset, on the loading thread; 0 when out of memory. */
static int merge_batch(chronicle__pipeline *p, batch *b)
{
    loader *L = p->L;
    for (size_t i = 0; i < b->n_done && !L->oom; i++) {
        slot *s = &b->ev[i];
        chronicle__diag_move(L->diag, b->diag, s->diag_from, s->id_at);
        int ok = 1;
        if (s->id.ptr) {
            chronicle_str id = chronicle__merge_event_id(L, s->index, s->id);
            ok = id.ptr != NULL;
            if (ok && s->e) s->e->id = id;
            chronicle__diag_move(L->diag, b->diag, s->id_at, s->diag_to);
        }
        if (ok && s->e && !L->oom)
            chronicle__merge_event(L, s->index, s->e, b->d.fix + s->fix_from,
                                   s->fix_to - s->fix_from, s->offset, s->len);
    }
    chronicle__diag_move_dropped(L->diag, b->diag);
    chronicle_diag_clear(b->diag);
    if (b->oom) L->oom = 1;
    b->n = b->len = b->n_done = 0;
    return !L->oom;
}

/* Takes the next batch handed over and converts it: a worker's work, and
 * the loading thread's when the workers fall behind.  Called and returns
 * with p->mu held. */
static void convert_next(chronicle__pipeline *p)
{
    batch *b = &p->ring[p->taken++ % p->n_ring];
    b->state = B_WORKING;
    pthread_mutex_unlock(&p->mu);
    convert_batch(p, b);
    pthread_mutex_lock(&p->mu);
    b->state = B_DONE;
}

static void *work(void *arg)
{
    worker *w = arg;
    chronicle__pipeline *p = w->p;
    chronicle__load_thread_begin(); /* without a block cJSON uses malloc */
    pthread_mutex_lock(&p->mu);
    for (;;) {
        while (!p->stop && p->taken == p->submitted)
            pthread_cond_wait(&p->work, &p->mu);
        if (p->stop) break;
        convert_next(p);
        pthread_cond_signal(&p->done);
    }
    pthread_mutex_unlock(&p->mu);
    chronicle__load_thread_end();
    return NULL;
}

/* Merges the batches done, in order; with all set, until every batch
 * handed over is merged, else until the batch to fill next is free.  The
 * loading thread converts a batch itself rather than wait idle. */
static int progress(chronicle__pipeline *p, int all)
{
    int ok = 1;
    pthread_mutex_lock(&p->mu);
    for (;;) {
        while (ok && p->merged < p->submitted && p->ring[p->merged % p->n_ring].state == B_DONE) {
            batch *b = &p->ring[p->merged % p->n_ring];
            pthread_mutex_unlock(&p->mu);
            ok = merge_batch(p, b);
            pthread_mutex_lock(&p->mu);
            b->state = B_FREE;
            p->merged++;
        }
        if (!ok || p->merged == p->submitted || (!all && p->submitted - p->merged < p->n_ring))
            break;
        if (p->taken < p->submitted) {
            convert_next(p);
        } else {
            pthread_cond_wait(&p->done, &p->mu);
        }
    }
    pthread_mutex_unlock(&p->mu);
    return ok;
}

static int submit(chronicle__pipeline *p)
{
    pthread_mutex_lock(&p->mu);
    p->ring[p->submitted % p->n_ring].state = B_READY;
    p->submitted++;
    pthread_cond_signal(&p->work);
    pthread_mutex_unlock(&p->mu);
    return progress(p, 0);
}

static int add(chronicle__pipeline *p, const char *json, size_t len, size_t index, uint64_t offset,
               unsigned long line)
{
    batch *b = &p->ring[p->submitted % p->n_ring];
    if (b->len + len > b->cap) {
        size_t cap = b->cap ? b->cap : p->batch_bytes + p->batch_bytes / 4;
        while (cap < b->len + len)
            cap *= 2;
        char *t = realloc(b->text, cap);
        if (!t) return !(p->L->oom = 1);
        b->text = t;
        b->cap = cap;
    }
    if (b->n == b->cap_ev) {
        size_t cap = b->cap_ev ? b->cap_ev * 2 : 64;
        slot *s = realloc(b->ev, cap * sizeof *s);
        if (!s) return !(p->L->oom = 1);
        b->ev = s;
        b->cap_ev = cap;
    }
    memcpy(b->text + b->len, json, len);
    b->ev[b->n++] =
        (slot){.at = b->len, .len = len, .index = index, .offset = offset, .line = line};
    b->len += len;
    return b->len < p->batch_bytes || submit(p);
}

int chronicle__pipeline_add(chronicle__pipeline *p, const char *json, size_t len, size_t index,
                            uint64_t offset)
{
    return add(p, json, len, index, offset, 0);
}

int chronicle__pipeline_add_line(chronicle__pipeline *p, const char *line, size_t len, size_t index,
                                 uint64_t offset, unsigned long lineno)
{
    return add(p, line, len, index, offset, lineno);
}

int chronicle__pipeline_drain(chronicle__pipeline *p)
{
    if (p->ring[p->submitted % p->n_ring].n && !submit(p)) return 0;
    return progress(p, 1);
}

chronicle__pipeline *chronicle__pipeline_new(loader *L, unsigned threads, size_t batch_bytes)
{
    chronicle__pipeline *p = calloc(1, sizeof *p);
    if (!p) return NULL;
    p->L = L;
    p->seen = L->seen;
    p->batch_bytes = batch_bytes ? batch_bytes : 1;
    p->n_w = threads;
    /* as many batches as threads and as much again in flight: at least 8,
     * so that up to 3 threads divide the events among the same arenas */
    p->n_ring = threads <= 3 ? 8 : 2 * (size_t)threads + 2;
    p->w = calloc(p->n_w, sizeof *p->w);
    p->ring = calloc(p->n_ring, sizeof *p->ring);
    int ok = p->w && p->ring && !pthread_mutex_init(&p->mu, NULL);
    if (ok && pthread_cond_init(&p->work, NULL)) {
        pthread_mutex_destroy(&p->mu);
        ok = 0;
    }
    if (ok && pthread_cond_init(&p->done, NULL)) {
        pthread_cond_destroy(&p->work);
        pthread_mutex_destroy(&p->mu);
        ok = 0;
    }
    if (!ok) {
        free(p->w);
        free(p->ring);
        free(p);
        return NULL;
    }
    size_t max = chronicle__diag_max(L->diag);
    for (size_t i = 0; i < p->n_ring; i++)
        if (!(p->ring[i].diag = chronicle_diag_new(max))) ok = 0;
    /* the workers take no signals: the caller's thread keeps handling them */
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    size_t started = 0;
    for (size_t i = 0; i < p->n_w; i++) {
        p->w[i].p = p;
        if (ok && i > 0 && !pthread_create(&p->w[i].thread, NULL, work, &p->w[i]))
            started += p->w[i].started = 1;
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (!ok || !started) {
        chronicle__pipeline_free(p);
        return NULL;
    }
    return p;
}

void chronicle__pipeline_free(chronicle__pipeline *p)
{
    if (!p) return;
    pthread_mutex_lock(&p->mu);
    p->stop = 1;
    pthread_cond_broadcast(&p->work);
    pthread_mutex_unlock(&p->mu);
    for (size_t i = 0; i < p->n_w; i++)
        if (p->w[i].started) pthread_join(p->w[i].thread, NULL);
    for (size_t i = 0; i < p->n_ring; i++) {
        batch *b = &p->ring[i];
        chronicle__arena_adopt(&p->L->ds->a, &b->keep);
        free(b->text);
        free(b->ev);
        free(b->d.fix);
        chronicle_diag_free(b->diag);
        chronicle__arena_free(&b->tmp);
    }
    pthread_cond_destroy(&p->done);
    pthread_cond_destroy(&p->work);
    pthread_mutex_destroy(&p->mu);
    free(p->ring);
    free(p->w);
    free(p);
}
