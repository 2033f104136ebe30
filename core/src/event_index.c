/*
 * event_index.c — the index of an indexed dataset: for each event an entry
 * (event_index.h) made from the event as the load converted it, the check
 * that an event read again from the file is still what its entry says,
 * and the views chronicle_dataset_event() lends of entries.  Invariant: an
 * entry's strings, activity kinds and sources all belong to the dataset,
 * never to the scratch memory the event came from; a string or kind that
 * many entries hold is held once.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dataset_internal.h"

/* ---- shared objects by key ---- */

static size_t slot_of(const void *key, size_t cap)
{
    return ((uintptr_t)key >> 3) * 0x9E3779B1u & (cap - 1);
}

/* The value slot of key in m, added (its value NULL) when new; NULL when
 * out of memory. */
static void **map_slot(kind_map *m, const void *key)
{
    if ((m->n + 1) * 2 > m->cap) {
        size_t cap = m->cap ? m->cap * 2 : 64;
        const void **keys = calloc(cap, sizeof *keys);
        void **vals = calloc(cap, sizeof *vals);
        if (!keys || !vals) {
            free(keys);
            free(vals);
            return NULL;
        }
        for (size_t i = 0; i < m->cap; i++) {
            if (!m->keys[i]) continue;
            size_t j = slot_of(m->keys[i], cap);
            while (keys[j])
                j = (j + 1) & (cap - 1);
            keys[j] = m->keys[i];
            vals[j] = m->vals[i];
        }
        free(m->keys);
        free(m->vals);
        m->keys = keys;
        m->vals = vals;
        m->cap = cap;
    }
    size_t j = slot_of(key, m->cap);
    for (; m->keys[j]; j = (j + 1) & (m->cap - 1))
        if (m->keys[j] == key) return &m->vals[j];
    m->keys[j] = key;
    m->n++;
    return &m->vals[j];
}

static void map_free(kind_map *m)
{
    free(m->keys);
    free(m->vals);
    memset(m, 0, sizeof *m);
}

static const chronicle_str absent = {NULL, 0};

/* s, interned in the dataset (an event converted in scratch memory lends
 * its strings only until the next one), as the one chronicle_str every
 * entry holding it shares; NULL when out of memory. */
static const chronicle_str *keep_str(chronicle_dataset *ds, chronicle_str s)
{
    if (!s.ptr) return &absent;
    chronicle_str in = chronicle__intern(&ds->strings, s.ptr, s.len);
    if (!in.ptr) return NULL;
    void **v = map_slot(&ds->kept, in.ptr);
    if (!v) return NULL;
    if (!*v) {
        chronicle_str *o = chronicle__arena_alloc(&ds->a, sizeof *o);
        if (!o) return NULL;
        *o = in;
        *v = o;
    }
    return *v;
}

/* The one activity of a kind, holding the kind only. */
static const chronicle_activity *kind_stub(chronicle_dataset *ds, chronicle_str kind)
{
    int found;
    kind = chronicle__intern_ex(&ds->strings, kind.ptr, kind.len, &found);
    if (!kind.ptr) return NULL;
    void **v = map_slot(&ds->kinds, kind.ptr);
    if (!v) return NULL;
    if (!*v) {
        chronicle_activity *a = chronicle__arena_alloc(&ds->a, sizeof *a);
        if (!a) return NULL;
        a->struct_size = sizeof *a;
        a->kind = kind;
        *v = a;
    }
    return *v;
}

/* The i-th of the sources event e cites: those of its list, then those its
 * statements cite, then its figures'. */
static const chronicle_source *citation(const chronicle_event *e, size_t i)
{
    if (i < e->n_sources) return e->sources[i];
    i -= e->n_sources;
    return i < e->n_statements ? e->statements[i]->source : e->figures[i - e->n_statements]->source;
}

/* ---- the entries ---- */

static int fits_u32(size_t n)
{
    return n <= UINT32_MAX;
}

chronicle_event *chronicle__event_stub_new(chronicle_dataset *ds, const chronicle_event *e,
                                           size_t index, uint64_t offset, size_t length)
{
    size_t most = e->n_sources + e->n_statements + e->n_figures;
    size_t n_items = e->n_organizers + e->n_tags + e->n_activities + most;
    if (!fits_u32(n_items) || !fits_u32(e->n_participants)) return NULL;
    event_entry *x = chronicle__arena_alloc(&ds->a, sizeof *x);
    const void **items = n_items ? chronicle__arena_alloc(&ds->a, n_items * sizeof *items) : NULL;
    if (!x || (n_items && !items)) return NULL;
    x->tag = CHRONICLE__ENTRY_TAG;
    x->date_ymd = e->date_ymd;
    x->end_date_ymd = e->end_date_ymd;
    x->anniversary = e->anniversary;
    x->offset = offset;
    x->length = length;
    x->index = index;
    x->id = e->id; /* in event_ids, which belongs to the dataset */
    if (!(x->date = keep_str(ds, e->date)) || !(x->end_date = keep_str(ds, e->end_date)) ||
        !(x->country = keep_str(ds, e->country)) ||
        !(x->country_code = keep_str(ds, e->country_code)))
        return NULL;
    x->n_participants = (uint32_t)e->n_participants;
    x->n_statements = (uint32_t)e->n_statements;
    x->n_figures = (uint32_t)e->n_figures;
    x->n_organizers = (uint32_t)e->n_organizers;
    x->n_tags = (uint32_t)e->n_tags;
    x->n_activities = (uint32_t)e->n_activities;
    size_t k = 0;
    for (size_t i = 0; i < e->n_organizers; i++)
        if (!(items[k++] = keep_str(ds, e->organizers[i]))) return NULL;
    for (size_t i = 0; i < e->n_tags; i++)
        if (!(items[k++] = keep_str(ds, e->tags[i]))) return NULL;
    for (size_t i = 0; i < e->n_activities; i++)
        if (!(items[k++] = kind_stub(ds, e->activities[i]->kind))) return NULL;
    /* every source the event cites, in its list or by a statement or figure
     * (the summary counts them all), each once */
    size_t first = k;
    for (size_t i = 0; i < most; i++) {
        const chronicle_source *c = citation(e, i);
        size_t j = first;
        while (j < k && items[j] != c)
            j++;
        if (j == k) items[k++] = c;
    }
    x->n_sources = (uint32_t)(k - first);
    x->items = (const void *const *)items;
    return (chronicle_event *)(void *)x;
}

/* What chronicle_dataset_event() lends of an entry: a chronicle_event
 * holding what the entry holds, and the way back to it. */
typedef struct entry_view {
    chronicle_event ev; /* first: an entry_view * is a chronicle_event * */
    const event_entry *entry;
} entry_view;

const event_entry *chronicle__entry_find(const chronicle_event *ev)
{
    const event_entry *x = chronicle__as_entry(ev);
    return x ? x : ((const entry_view *)(const void *)ev)->entry;
}

static int same_str(chronicle_str a, chronicle_str b)
{
    return a.len == b.len && !a.ptr == !b.ptr && (!a.len || !memcmp(a.ptr, b.ptr, a.len));
}

/* Walks e's citations as chronicle__event_stub_new() does: each new one must be the entry's
 * next source, and none may be left over. */
static int same_citations(const event_entry *x, const chronicle_event *e)
{
    const chronicle_source *const *srcs = chronicle__entry_sources(x);
    size_t most = e->n_sources + e->n_statements + e->n_figures, k = 0;
    for (size_t i = 0; i < most; i++) {
        const chronicle_source *c = citation(e, i);
        size_t j = 0;
        while (j < k && srcs[j] != c)
            j++;
        if (j < k) continue; /* cited before */
        if (k == x->n_sources || srcs[k] != c) return 0;
        k++;
    }
    return k == x->n_sources;
}

const char *chronicle__event_stub_differs(const chronicle_event *stub, const chronicle_event *e)
{
    const event_entry *x = chronicle__entry_find(stub);
    if (!same_str(x->id, e->id)) return "/id";
    if (x->date_ymd != e->date_ymd) return "/date";
    if (x->end_date_ymd != e->end_date_ymd) return "/end_date";
    if (!same_str(*x->country, e->country)) return "/location/country";
    if (!same_str(*x->country_code, e->country_code)) return "/location/country_code";
    if (x->anniversary != e->anniversary) return "/occasion/anniversary";
    if (x->n_organizers != e->n_organizers) return "/organizers";
    for (size_t i = 0; i < e->n_organizers; i++)
        if (!same_str(*(const chronicle_str *)x->items[i], e->organizers[i])) return "/organizers";
    if (x->n_tags != e->n_tags) return "/tags";
    for (size_t i = 0; i < e->n_tags; i++)
        if (!same_str(*(const chronicle_str *)x->items[x->n_organizers + i], e->tags[i]))
            return "/tags";
    if (x->n_participants != e->n_participants) return "/participants";
    if (x->n_statements != e->n_statements) return "/statements";
    if (x->n_figures != e->n_figures) return "/figures";
    if (x->n_activities != e->n_activities) return "/activities";
    for (size_t i = 0; i < e->n_activities; i++)
        if (!same_str(((const chronicle_activity *)x->items[x->n_organizers + x->n_tags + i])->kind,
                      e->activities[i]->kind))
            return "/activities";
    if (!same_citations(x, e)) return "/sources";
    return NULL;
}

/* ---- views, for chronicle_dataset_event() ---- */

/* Views are rare (the library's callers; the core reads entries), so one
 * lock for every dataset is enough. */
static pthread_mutex_t views_lock = PTHREAD_MUTEX_INITIALIZER;

static const chronicle_event *make_view(chronicle_dataset *ds, const event_entry *x)
{
    arena *a = &ds->views_a;
    entry_view *v = chronicle__arena_alloc(a, sizeof *v);
    if (!v) return NULL;
    chronicle_str *strs =
        chronicle__arena_alloc(a, (x->n_organizers + x->n_tags + 1) * sizeof *strs);
    if (!strs) return NULL;
    for (size_t i = 0; i < x->n_organizers + x->n_tags; i++)
        strs[i] = *(const chronicle_str *)x->items[i];
    chronicle_event *e = &v->ev;
    e->struct_size = sizeof *e;
    e->date_ymd = x->date_ymd;
    e->end_date_ymd = x->end_date_ymd;
    e->anniversary = x->anniversary;
    e->id = x->id;
    e->date = *x->date;
    e->end_date = *x->end_date;
    e->country = *x->country;
    e->country_code = *x->country_code;
    e->organizers = x->n_organizers ? strs : NULL;
    e->n_organizers = x->n_organizers;
    e->tags = x->n_tags ? strs + x->n_organizers : NULL;
    e->n_tags = x->n_tags;
    e->n_participants = x->n_participants;
    e->n_statements = x->n_statements;
    e->n_figures = x->n_figures;
    e->activities =
        x->n_activities
            ? (const chronicle_activity *const *)(x->items + x->n_organizers + x->n_tags)
            : NULL;
    e->n_activities = x->n_activities;
    e->sources = x->n_sources ? chronicle__entry_sources(x) : NULL;
    e->n_sources = x->n_sources;
    v->entry = x;
    return e;
}

const chronicle_event *chronicle__entry_view(const chronicle_dataset *cds, size_t i)
{
    chronicle_dataset *ds = (chronicle_dataset *)cds; /* views only add to it */
    const chronicle_event *e = NULL;
    pthread_mutex_lock(&views_lock);
    if (!ds->views) ds->views = calloc(ds->n_events, sizeof *ds->views);
    if (ds->views && !(e = ds->views[i])) {
        e = make_view(ds, chronicle__as_entry(ds->events[i]));
        ds->views[i] = e;
    }
    pthread_mutex_unlock(&views_lock);
    return e;
}

void chronicle__index_free(chronicle_dataset *ds)
{
    map_free(&ds->kinds);
    map_free(&ds->kept);
    free((void *)ds->views);
    chronicle__arena_free(&ds->views_a);
}
