/*
 * event_cache.c — a job's events of an indexed dataset, each read and
 * parsed once (event_cache.h).  An event is packed into a flat record
 * (numbers, strings with their lengths and a NUL, counts, and the
 * dataset's own source pointers, valid in every job since a job's process
 * is forked from the one that loaded the dataset) and written at the end
 * of the cache file; a slot an event says where.  Invariant: a slot reads
 * as kept only once its record is wholly written (release / acquire), and
 * only one thread ever writes a slot.
 */
#define _GNU_SOURCE /* O_TMPFILE */
#include "event_cache.h"

#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <unistd.h>

enum { SLOT_EMPTY = 0, SLOT_BUSY = 1, SLOT_FIRST = 2 /* offset + SLOT_FIRST */ };

typedef struct slot {
    _Atomic uint64_t at;
    uint64_t len;
} slot;

struct chronicle__event_cache {
    int fd;
    size_t n;
    slot *slots;
    _Atomic uint64_t end; /* where the next record goes */
    uint64_t budget;      /* a quarter of the free space when made */
    atomic_int stopped;   /* a write failed or the budget is spent */
};

chronicle__event_cache *chronicle__event_cache_new(size_t n, int dir_fd)
{
    struct statvfs vfs;
    if (!n || dir_fd < 0 || fstatvfs(dir_fd, &vfs) != 0) return NULL;
    chronicle__event_cache *c = calloc(1, sizeof *c);
    if (!c) return NULL;
    c->n = n;
    c->budget = (uint64_t)vfs.f_bavail * vfs.f_frsize / 4;
    c->slots = calloc(n, sizeof *c->slots);
    c->fd = openat(dir_fd, ".", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
    if (!c->slots || c->fd < 0) {
        if (c->fd >= 0) close(c->fd);
        free(c->slots);
        free(c);
        return NULL;
    }
    return c;
}

void chronicle__event_cache_free(chronicle__event_cache *c)
{
    if (!c) return;
    close(c->fd);
    free(c->slots);
    free(c);
}

/* ---- packing ---- */

#define NONE UINT32_MAX /* a NULL string or array */

typedef struct packer {
    chronicle_buf *b;
    int ok;
} packer;

static void put(packer *p, const void *v, size_t n)
{
    if (p->ok && chronicle_buf_append(p->b, v, n) != CHRONICLE_OK) p->ok = 0;
}

static void put_u32(packer *p, uint32_t v)
{
    put(p, &v, sizeof v);
}

/* A count, or NONE for a NULL array. */
static void put_count(packer *p, const void *array, size_t n)
{
    if (n >= NONE) p->ok = 0;
    put_u32(p, array ? (uint32_t)n : NONE);
}

static void put_str(packer *p, chronicle_str s)
{
    put_count(p, s.ptr, s.len);
    if (!s.ptr) return;
    put(p, s.ptr, s.len);
    put(p, "", 1);
}

static void put_strs(packer *p, const chronicle_str *v, size_t n)
{
    put_count(p, v, n);
    for (size_t i = 0; v && i < n; i++)
        put_str(p, v[i]);
}

static void put_ptr(packer *p, const void *v)
{
    put(p, &v, sizeof v);
}

static void pack_event(packer *p, const chronicle_event *e)
{
    uint32_t nums[] = {e->date_ymd, e->end_date_ymd, (uint32_t)e->anniversary,
                       e->occasion_of_date_ymd};
    put(p, nums, sizeof nums);
    const chronicle_str strs[] = {
        e->id,   e->title,   e->date,         e->end_date, e->summary,         e->venue,
        e->city, e->country, e->country_code, e->occasion, e->occasion_of_date};
    for (size_t i = 0; i < sizeof strs / sizeof *strs; i++)
        put_str(p, strs[i]);
    put_strs(p, e->organizers, e->n_organizers);
    put_strs(p, e->audience, e->n_audience);
    put_strs(p, e->tags, e->n_tags);
    put_count(p, e->participants, e->n_participants);
    for (size_t i = 0; e->participants && i < e->n_participants; i++) {
        const chronicle_participant *x = e->participants[i];
        put_u32(p, (uint32_t)x->spoke);
        put_str(p, x->name);
        put_str(p, x->role);
        put_str(p, x->organization);
    }
    put_count(p, e->activities, e->n_activities);
    for (size_t i = 0; e->activities && i < e->n_activities; i++) {
        const chronicle_activity *x = e->activities[i];
        put_str(p, x->kind);
        put_str(p, x->title);
        put_str(p, x->description);
        put_strs(p, x->performers, x->n_performers);
    }
    put_count(p, e->statements, e->n_statements);
    for (size_t i = 0; e->statements && i < e->n_statements; i++) {
        const chronicle_statement *x = e->statements[i];
        put_str(p, x->speaker);
        put_str(p, x->summary);
        put_str(p, x->quote);
        put_ptr(p, x->source);
    }
    put_count(p, e->figures, e->n_figures);
    for (size_t i = 0; e->figures && i < e->n_figures; i++) {
        const chronicle_figure *x = e->figures[i];
        put_str(p, x->label);
        put_str(p, x->unit);
        put_str(p, x->note);
        put(p, &x->value, sizeof x->value);
        put_ptr(p, x->source);
    }
    put_count(p, e->sources, e->n_sources);
    for (size_t i = 0; e->sources && i < e->n_sources; i++)
        put_ptr(p, e->sources[i]);
}

static int write_all(int fd, const char *buf, size_t len, uint64_t at)
{
    while (len) {
        ssize_t n = pwrite(fd, buf, len, (off_t)at);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return 0;
        buf += n;
        len -= (size_t)n;
        at += (uint64_t)n;
    }
    return 1;
}

/* Where one record is in a batch. */
struct chronicle__cache_pending {
    size_t i;
    size_t off, len;
};

#define CACHE_BATCH (256 * 1024)

void chronicle__event_cache_put(chronicle__event_cache *c, size_t i, const chronicle_event *e,
                                chronicle__cache_batch *b)
{
    if (!c || i >= c->n || atomic_load_explicit(&c->stopped, memory_order_relaxed)) return;
    if (b->n == b->cap) {
        size_t cap = b->cap ? 2 * b->cap : 256;
        struct chronicle__cache_pending *p = realloc(b->pending, cap * sizeof *p);
        if (!p) return;
        b->pending = p;
        b->cap = cap;
    }
    uint64_t empty = SLOT_EMPTY;
    if (!atomic_compare_exchange_strong(&c->slots[i].at, &empty, SLOT_BUSY)) return;
    size_t off = b->buf.len;
    packer p = {&b->buf, 1};
    pack_event(&p, e);
    if (!p.ok) {
        /* not kept: later reads parse again */
        chronicle_buf_truncate(&b->buf, off);
        atomic_store(&c->slots[i].at, SLOT_EMPTY);
        return;
    }
    b->pending[b->n++] = (struct chronicle__cache_pending){i, off, b->buf.len - off};
    if (b->buf.len >= CACHE_BATCH) chronicle__event_cache_flush(c, b);
}

void chronicle__event_cache_flush(chronicle__event_cache *c, chronicle__cache_batch *b)
{
    if (!c || !b->n) return;
    uint64_t at = atomic_fetch_add(&c->end, (uint64_t)b->buf.len);
    int kept = at + b->buf.len <= c->budget && write_all(c->fd, b->buf.ptr, b->buf.len, at);
    if (!kept) atomic_store(&c->stopped, 1);
    for (size_t k = 0; k < b->n; k++) {
        const struct chronicle__cache_pending *r = &b->pending[k];
        slot *s = &c->slots[r->i];
        s->len = r->len;
        /* not kept: later reads parse again */
        atomic_store_explicit(&s->at, kept ? at + r->off + SLOT_FIRST : SLOT_EMPTY,
                              memory_order_release);
    }
    chronicle_buf_reset(&b->buf);
    b->n = 0;
}

int chronicle__event_cache_pending(const chronicle__event_cache *c, size_t i)
{
    return c && i < c->n &&
           atomic_load_explicit(&c->slots[i].at, memory_order_relaxed) == SLOT_BUSY;
}

void chronicle__cache_batch_free(chronicle__cache_batch *b)
{
    chronicle_buf_free(&b->buf);
    free(b->pending);
    *b = (chronicle__cache_batch){0};
}

/* ---- unpacking ---- */

typedef struct unpacker {
    const char *at, *end;
    arena *a;
    int ok;
} unpacker;

static void get(unpacker *u, void *v, size_t n)
{
    if (!u->ok || (size_t)(u->end - u->at) < n) {
        u->ok = 0;
        memset(v, 0, n);
        return;
    }
    memcpy(v, u->at, n);
    u->at += n;
}

static uint32_t get_u32(unpacker *u)
{
    uint32_t v;
    get(u, &v, sizeof v);
    return v;
}

static const void *get_ptr(unpacker *u)
{
    const void *v;
    get(u, &v, sizeof v);
    return v;
}

static chronicle_str get_str(unpacker *u)
{
    uint32_t len = get_u32(u);
    if (len == NONE || !u->ok) return (chronicle_str){NULL, 0};
    if ((size_t)(u->end - u->at) <= len) {
        u->ok = 0;
        return (chronicle_str){NULL, 0};
    }
    chronicle_str s = {u->at, len}; /* the record's NUL follows */
    u->at += (size_t)len + 1;
    return s;
}

/* A count; *null set when the array was NULL (the count is then 0). */
static size_t get_count(unpacker *u, int *null)
{
    uint32_t k = get_u32(u);
    *null = k == NONE || !u->ok;
    return *null ? 0 : k;
}

/* An array of n pointers to n zeroed structs of size bytes, each with its
 * struct_size set; NULL when null, or out of memory (then u->ok is 0).  An
 * empty array that was not NULL stays not NULL. */
static void *get_structs(unpacker *u, size_t size, size_t n, int null)
{
    if (null || !u->ok) return NULL;
    void **v = chronicle__arena_alloc(u->a, (n ? n : 1) * sizeof *v);
    char *items = n ? chronicle__arena_alloc(u->a, n * size) : NULL;
    if (!v || (n && !items)) {
        u->ok = 0;
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        v[i] = items + i * size;
        uint32_t struct_size = (uint32_t)size;
        memcpy(v[i], &struct_size, sizeof struct_size);
    }
    return v;
}

static const chronicle_str *get_strs(unpacker *u, size_t *n)
{
    int null;
    *n = get_count(u, &null);
    if (null) return NULL;
    chronicle_str *v = chronicle__arena_alloc(u->a, (*n ? *n : 1) * sizeof *v);
    if (!v) u->ok = 0;
    for (size_t i = 0; v && i < *n; i++)
        v[i] = get_str(u);
    return v;
}

static void unpack_people(unpacker *u, chronicle_event *e)
{
    int null;
    e->n_participants = get_count(u, &null);
    chronicle_participant **ps =
        get_structs(u, sizeof(chronicle_participant), e->n_participants, null);
    for (size_t i = 0; ps && i < e->n_participants; i++) {
        ps[i]->spoke = (int32_t)get_u32(u);
        ps[i]->name = get_str(u);
        ps[i]->role = get_str(u);
        ps[i]->organization = get_str(u);
    }
    e->participants = (const chronicle_participant *const *)ps;
    e->n_activities = get_count(u, &null);
    chronicle_activity **as = get_structs(u, sizeof(chronicle_activity), e->n_activities, null);
    for (size_t i = 0; as && i < e->n_activities; i++) {
        as[i]->kind = get_str(u);
        as[i]->title = get_str(u);
        as[i]->description = get_str(u);
        as[i]->performers = get_strs(u, &as[i]->n_performers);
    }
    e->activities = (const chronicle_activity *const *)as;
}

static void unpack_said(unpacker *u, chronicle_event *e)
{
    int null;
    e->n_statements = get_count(u, &null);
    chronicle_statement **ss = get_structs(u, sizeof(chronicle_statement), e->n_statements, null);
    for (size_t i = 0; ss && i < e->n_statements; i++) {
        ss[i]->speaker = get_str(u);
        ss[i]->summary = get_str(u);
        ss[i]->quote = get_str(u);
        ss[i]->source = get_ptr(u);
    }
    e->statements = (const chronicle_statement *const *)ss;
    e->n_figures = get_count(u, &null);
    chronicle_figure **fs = get_structs(u, sizeof(chronicle_figure), e->n_figures, null);
    for (size_t i = 0; fs && i < e->n_figures; i++) {
        fs[i]->label = get_str(u);
        fs[i]->unit = get_str(u);
        fs[i]->note = get_str(u);
        get(u, &fs[i]->value, sizeof fs[i]->value);
        fs[i]->source = get_ptr(u);
    }
    e->figures = (const chronicle_figure *const *)fs;
    e->n_sources = get_count(u, &null);
    const chronicle_source **src =
        null || !u->ok
            ? NULL
            : chronicle__arena_alloc(u->a, (e->n_sources ? e->n_sources : 1) * sizeof *src);
    if (!null && u->ok && !src) u->ok = 0;
    for (size_t i = 0; src && i < e->n_sources; i++)
        src[i] = get_ptr(u);
    e->sources = src;
}

static void unpack_event(unpacker *u, chronicle_event *e)
{
    uint32_t nums[4];
    get(u, nums, sizeof nums);
    e->struct_size = sizeof *e;
    e->date_ymd = nums[0];
    e->end_date_ymd = nums[1];
    e->anniversary = (int32_t)nums[2];
    e->occasion_of_date_ymd = nums[3];
    chronicle_str *strs[] = {
        &e->id,   &e->title,   &e->date,         &e->end_date, &e->summary,         &e->venue,
        &e->city, &e->country, &e->country_code, &e->occasion, &e->occasion_of_date};
    for (size_t i = 0; i < sizeof strs / sizeof *strs; i++)
        *strs[i] = get_str(u);
    e->organizers = get_strs(u, &e->n_organizers);
    e->audience = get_strs(u, &e->n_audience);
    e->tags = get_strs(u, &e->n_tags);
    unpack_people(u, e);
    unpack_said(u, e);
}

static int read_all(int fd, char *buf, size_t len, uint64_t at)
{
    while (len) {
        ssize_t n = pread(fd, buf, len, (off_t)at);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return 0;
        buf += n;
        len -= (size_t)n;
        at += (uint64_t)n;
    }
    return 1;
}

const chronicle_event *chronicle__event_cache_get(chronicle__event_cache *c, size_t i, arena *a)
{
    if (!c || i >= c->n) return NULL;
    uint64_t at = atomic_load_explicit(&c->slots[i].at, memory_order_acquire);
    if (at < SLOT_FIRST) return NULL;
    size_t len = (size_t)c->slots[i].len;
    /* the record and the structs made of it live in a: strings point into it */
    char *rec = chronicle__arena_alloc(a, len);
    chronicle_event *e = chronicle__arena_alloc(a, sizeof *e);
    if (!rec || !e || !read_all(c->fd, rec, len, at - SLOT_FIRST)) return NULL;
    unpacker u = {rec, rec + len, a, 1};
    unpack_event(&u, e);
    return u.ok && u.at == u.end ? e : NULL;
}
