/*
 * poison.c — deep copies of events in mappings of their own (poison.h).
 * A copy is measured, then laid out in one mapping; when the next event is
 * read it is filled with 0xA5 and protected PROT_NONE.  The last RING
 * poisoned mappings stay reserved, so no new copy reuses their addresses
 * while a kept pointer could still name them.
 */
#include "poison.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define RING 64

typedef struct region {
    void *base;
    size_t size;
} region;

struct chronicle_poison {
    region live;       /* the copy the plugin holds now */
    region ring[RING]; /* poisoned, still reserved */
    size_t next;
};

/* A bump allocator that only counts when base is NULL. */
typedef struct bump {
    char *base;
    size_t used;
} bump;

static void *take(bump *b, size_t n)
{
    size_t at = (b->used + 15) & ~(size_t)15;
    b->used = at + n;
    return b->base ? b->base + at : NULL;
}

static void copy_str(bump *b, chronicle_str *dst, const chronicle_str *src)
{
    *dst = *src;
    if (!src->ptr) return;
    char *p = take(b, src->len + 1);
    if (!p) return;
    memcpy(p, src->ptr, src->len);
    p[src->len] = '\0';
    dst->ptr = p;
}

static const chronicle_str *copy_strs(bump *b, const chronicle_str *src, size_t n)
{
    if (!src) return NULL;
    chronicle_str *dst = take(b, n * sizeof *dst + 1);
    for (size_t i = 0; i < n; i++) {
        chronicle_str tmp;
        copy_str(b, &tmp, &src[i]);
        if (dst) dst[i] = tmp;
    }
    return dst ? dst : src;
}

/* Copies n structs of type T (each starting with struct_size) behind an
 * array of pointers, then lets fix() copy what each points to. */
#define COPY_ARRAY(b, T, src, n, fix)                                                              \
    do {                                                                                           \
        const T *const *from_ = (src);                                                             \
        if (!from_) break;                                                                         \
        const T **to_ = take((b), (n) * sizeof *to_ + 1);                                          \
        for (size_t k_ = 0; k_ < (n); k_++) {                                                      \
            T *one_ = take((b), sizeof(T));                                                        \
            if (one_) *one_ = *from_[k_];                                                          \
            T scratch_ = *from_[k_];                                                               \
            fix((b), one_ ? one_ : &scratch_, from_[k_]);                                          \
            if (to_) to_[k_] = one_;                                                               \
        }                                                                                          \
        if (to_) (src) = to_;                                                                      \
    } while (0)

static void fix_participant(bump *b, chronicle_participant *d, const chronicle_participant *s)
{
    copy_str(b, &d->name, &s->name);
    copy_str(b, &d->role, &s->role);
    copy_str(b, &d->organization, &s->organization);
}

static void fix_activity(bump *b, chronicle_activity *d, const chronicle_activity *s)
{
    copy_str(b, &d->kind, &s->kind);
    copy_str(b, &d->title, &s->title);
    copy_str(b, &d->description, &s->description);
    d->performers = copy_strs(b, s->performers, s->n_performers);
}

static void fix_statement(bump *b, chronicle_statement *d, const chronicle_statement *s)
{
    copy_str(b, &d->speaker, &s->speaker);
    copy_str(b, &d->summary, &s->summary);
    copy_str(b, &d->quote, &s->quote);
}

static void fix_figure(bump *b, chronicle_figure *d, const chronicle_figure *s)
{
    copy_str(b, &d->label, &s->label);
    copy_str(b, &d->unit, &s->unit);
    copy_str(b, &d->note, &s->note);
}

/* Lays ev out in b (or measures it, when b->base is NULL). */
static chronicle_event *copy_event(bump *b, const chronicle_event *ev)
{
    chronicle_event *laid = take(b, sizeof *laid), scratch = *ev;
    chronicle_event *e = laid ? laid : &scratch;
    *e = *ev;
    chronicle_str *strs[] = {
        &e->id,   &e->title,   &e->date,         &e->end_date, &e->summary,         &e->venue,
        &e->city, &e->country, &e->country_code, &e->occasion, &e->occasion_of_date};
    for (size_t i = 0; i < sizeof strs / sizeof strs[0]; i++) {
        chronicle_str src = *strs[i];
        copy_str(b, strs[i], &src);
    }
    e->organizers = copy_strs(b, ev->organizers, ev->n_organizers);
    e->audience = copy_strs(b, ev->audience, ev->n_audience);
    e->tags = copy_strs(b, ev->tags, ev->n_tags);
    COPY_ARRAY(b, chronicle_participant, e->participants, ev->n_participants, fix_participant);
    COPY_ARRAY(b, chronicle_activity, e->activities, ev->n_activities, fix_activity);
    COPY_ARRAY(b, chronicle_statement, e->statements, ev->n_statements, fix_statement);
    COPY_ARRAY(b, chronicle_figure, e->figures, ev->n_figures, fix_figure);
    if (ev->sources) { /* the array is the event's; the sources are not */
        const chronicle_source **to = take(b, ev->n_sources * sizeof *to + 1);
        if (to) {
            memcpy(to, ev->sources, ev->n_sources * sizeof *to);
            e->sources = to;
        }
    }
    return laid;
}

chronicle_poison *chronicle__poison_new(void)
{
    return calloc(1, sizeof(chronicle_poison));
}

static void unmap(region *r)
{
    if (r->base) munmap(r->base, r->size);
    r->base = NULL;
}

void chronicle__poison_free(chronicle_poison *p)
{
    if (!p) return;
    unmap(&p->live);
    for (size_t i = 0; i < RING; i++)
        unmap(&p->ring[i]);
    free(p);
}

static void poison_live(chronicle_poison *p)
{
    if (!p->live.base) return;
    memset(p->live.base, 0xA5, p->live.size);
    mprotect(p->live.base, p->live.size, PROT_NONE);
    region *slot = &p->ring[p->next++ % RING];
    unmap(slot);
    *slot = p->live;
    p->live.base = NULL;
}

const chronicle_event *chronicle__poison_next(chronicle_poison *p, const chronicle_event *ev)
{
    poison_live(p);
    if (!ev) return NULL;
    bump measure = {NULL, 0};
    copy_event(&measure, ev);
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    size_t size = (measure.used + page - 1) / page * page;
    void *base = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (base == MAP_FAILED) return NULL;
    p->live = (region){base, size};
    bump lay = {base, 0};
    return copy_event(&lay, ev);
}
