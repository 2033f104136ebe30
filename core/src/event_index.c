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

/* The value slot of key in m, added (its value 0) when new; NULL when out
 * of memory. */
static uint32_t *map_slot(kind_map *m, const void *key)
{
    if ((m->n + 1) * 2 > m->cap) {
        size_t cap = m->cap ? m->cap * 2 : 64;
        const void **keys = calloc(cap, sizeof *keys);
        uint32_t *vals = calloc(cap, sizeof *vals);
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

/* Adds obj to the table: its number, or 0 when out of memory (0 is the
 * absent string, never added). */
static int table_add_first(entry_table *t)
{
    if (!(t->objs = malloc(256 * sizeof *t->objs))) return 0;
    t->cap = 256;
    t->objs[t->n++] = &absent;
    return 1;
}

static uint32_t table_add(entry_table *t, const void *obj)
{
    if (!t->n && !table_add_first(t)) return 0;
    if (t->n == t->cap) {
        size_t cap = t->cap * 2;
        const void **objs = cap <= UINT32_MAX ? realloc(t->objs, cap * sizeof *objs) : NULL;
        if (!objs) return 0;
        t->objs = objs;
        t->cap = cap;
    }
    t->objs[t->n] = obj;
    return (uint32_t)t->n++;
}

/* The number of the object keyed key in m, made by make(ds, arg) when new;
 * 0 when out of memory. */
static uint32_t keep(chronicle_dataset *ds, kind_map *m, const void *key,
                     const void *(*make)(chronicle_dataset *ds, const void *arg), const void *arg)
{
    uint32_t *v = map_slot(m, key);
    if (!v) return 0;
    if (!*v) {
        const void *obj = make(ds, arg);
        if (obj) *v = table_add(&ds->table, obj);
    }
    return *v;
}

static const void *make_str(chronicle_dataset *ds, const void *arg)
{
    chronicle_str *o = chronicle__arena_alloc(&ds->a, sizeof *o);
    if (o) *o = *(const chronicle_str *)arg;
    return o;
}

static const void *make_kind(chronicle_dataset *ds, const void *arg)
{
    chronicle_activity *a = chronicle__arena_alloc(&ds->a, sizeof *a);
    if (!a) return NULL;
    a->struct_size = sizeof *a;
    a->kind = *(const chronicle_str *)arg;
    return a;
}

static const void *same_obj(chronicle_dataset *ds, const void *arg)
{
    (void)ds;
    return arg;
}

/* s, interned in the dataset (an event converted in scratch memory lends
 * its strings only until the next one), as the number of the one
 * chronicle_str every entry holding it shares; 0 for an absent string, and
 * when out of memory (*oom set). */
static uint32_t keep_str(chronicle_dataset *ds, chronicle_str s, int *oom)
{
    if (!s.ptr) return 0;
    chronicle_str in = chronicle__intern(&ds->strings, s.ptr, s.len);
    uint32_t k = in.ptr ? keep(ds, &ds->kept, in.ptr, make_str, &in) : 0;
    if (!k) *oom = 1;
    return k;
}

/* The number of the one activity of a kind, holding the kind only. */
static uint32_t keep_kind(chronicle_dataset *ds, chronicle_str kind, int *oom)
{
    int found;
    kind = chronicle__intern_ex(&ds->strings, kind.ptr, kind.len, &found);
    uint32_t k = kind.ptr ? keep(ds, &ds->kinds, kind.ptr, make_kind, &kind) : 0;
    if (!k) *oom = 1;
    return k;
}

/* The number of source s (the dataset's own). */
static uint32_t keep_source(chronicle_dataset *ds, const chronicle_source *s, int *oom)
{
    uint32_t k = keep(ds, &ds->kept, s, same_obj, s);
    if (!k) *oom = 1;
    return k;
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

chronicle_event *chronicle__event_stub_new(chronicle_dataset *ds, const chronicle_event *e,
                                           size_t index, uint64_t offset, size_t length)
{
    size_t most = e->n_sources + e->n_statements + e->n_figures;
    size_t n_items = e->n_organizers + e->n_tags + e->n_activities + most;
    if (n_items > UINT32_MAX / 8 || e->n_participants > UINT32_MAX || length > UINT32_MAX)
        return NULL; /* as if out of memory: no real event comes near */
    /* the sources: every one the event cites, in its list or by a
     * statement or figure (the summary counts them all), each once */
    int oom = 0;
    uint32_t stack[64], *srcs = most <= 64 ? stack : malloc(most * sizeof *srcs);
    if (!srcs) return NULL;
    size_t n_srcs = 0;
    for (size_t i = 0; i < most && !oom; i++) {
        uint32_t c = keep_source(ds, citation(e, i), &oom);
        size_t j = 0;
        while (j < n_srcs && srcs[j] != c)
            j++;
        if (j == n_srcs) srcs[n_srcs++] = c;
    }
    size_t n_kept = n_items - most + n_srcs;
    event_entry *x =
        oom ? NULL : chronicle__arena_alloc(&ds->a, sizeof *x + n_kept * sizeof *x->items);
    if (x) {
        x->tag = CHRONICLE__ENTRY_TAG;
        x->date_ymd = e->date_ymd;
        x->end_date_ymd = e->end_date_ymd;
        x->anniversary = e->anniversary;
        x->offset = offset;
        x->length = (uint32_t)length;
        x->index = index;
        x->id = e->id; /* in event_ids, which belongs to the dataset */
        x->of = &ds->table;
        x->date = keep_str(ds, e->date, &oom);
        x->end_date = keep_str(ds, e->end_date, &oom);
        x->country = keep_str(ds, e->country, &oom);
        x->country_code = keep_str(ds, e->country_code, &oom);
        x->n_participants = (uint32_t)e->n_participants;
        x->n_statements = (uint32_t)e->n_statements;
        x->n_figures = (uint32_t)e->n_figures;
        x->n_organizers = (uint32_t)e->n_organizers;
        x->n_tags = (uint32_t)e->n_tags;
        x->n_activities = (uint32_t)e->n_activities;
        x->n_sources = (uint32_t)n_srcs;
        size_t k = 0;
        for (size_t i = 0; i < e->n_organizers; i++)
            x->items[k++] = keep_str(ds, e->organizers[i], &oom);
        for (size_t i = 0; i < e->n_tags; i++)
            x->items[k++] = keep_str(ds, e->tags[i], &oom);
        for (size_t i = 0; i < e->n_activities; i++)
            x->items[k++] = keep_kind(ds, e->activities[i]->kind, &oom);
        memcpy(x->items + k, srcs, n_srcs * sizeof *srcs);
    }
    if (srcs != stack) free(srcs);
    return x && !oom ? (chronicle_event *)(void *)x : NULL;
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
static const chronicle_activity *activity_of(const event_entry *x, size_t i)
{
    return x->of->objs[x->items[x->n_organizers + x->n_tags + i]];
}

static chronicle_str kind_of(const event_entry *x, size_t i)
{
    return activity_of(x, i)->kind;
}

static int same_citations(const event_entry *x, const chronicle_event *e)
{
    size_t most = e->n_sources + e->n_statements + e->n_figures, k = 0;
    for (size_t i = 0; i < most; i++) {
        const chronicle_source *c = citation(e, i);
        size_t j = 0;
        while (j < k && chronicle__entry_source(x, j) != c)
            j++;
        if (j < k) continue; /* cited before */
        if (k == x->n_sources || chronicle__entry_source(x, k) != c) return 0;
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
    if (!same_str(chronicle__entry_str(x, x->country), e->country)) return "/location/country";
    if (!same_str(chronicle__entry_str(x, x->country_code), e->country_code))
        return "/location/country_code";
    if (x->anniversary != e->anniversary) return "/occasion/anniversary";
    if (x->n_organizers != e->n_organizers) return "/organizers";
    for (size_t i = 0; i < e->n_organizers; i++)
        if (!same_str(chronicle__entry_str(x, x->items[i]), e->organizers[i])) return "/organizers";
    if (x->n_tags != e->n_tags) return "/tags";
    for (size_t i = 0; i < e->n_tags; i++)
        if (!same_str(chronicle__entry_str(x, x->items[x->n_organizers + i]), e->tags[i]))
            return "/tags";
    if (x->n_participants != e->n_participants) return "/participants";
    if (x->n_statements != e->n_statements) return "/statements";
    if (x->n_figures != e->n_figures) return "/figures";
    if (x->n_activities != e->n_activities) return "/activities";
    for (size_t i = 0; i < e->n_activities; i++)
        if (!same_str(kind_of(x, i), e->activities[i]->kind)) return "/activities";
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
    chronicle_str *strs =
        chronicle__arena_alloc(a, (x->n_organizers + x->n_tags + 1) * sizeof *strs);
    const chronicle_activity **acts =
        chronicle__arena_alloc(a, (x->n_activities + 1) * sizeof *acts);
    const chronicle_source **srcs = chronicle__arena_alloc(a, (x->n_sources + 1) * sizeof *srcs);
    if (!v || !strs || !acts || !srcs) return NULL;
    for (size_t i = 0; i < x->n_organizers + x->n_tags; i++)
        strs[i] = chronicle__entry_str(x, x->items[i]);
    for (size_t i = 0; i < x->n_activities; i++)
        acts[i] = activity_of(x, i);
    for (size_t i = 0; i < x->n_sources; i++)
        srcs[i] = chronicle__entry_source(x, i);
    chronicle_event *e = &v->ev;
    e->struct_size = sizeof *e;
    e->date_ymd = x->date_ymd;
    e->end_date_ymd = x->end_date_ymd;
    e->anniversary = x->anniversary;
    e->id = x->id;
    e->date = chronicle__entry_str(x, x->date);
    e->end_date = chronicle__entry_str(x, x->end_date);
    e->country = chronicle__entry_str(x, x->country);
    e->country_code = chronicle__entry_str(x, x->country_code);
    e->organizers = x->n_organizers ? strs : NULL;
    e->n_organizers = x->n_organizers;
    e->tags = x->n_tags ? strs + x->n_organizers : NULL;
    e->n_tags = x->n_tags;
    e->n_participants = x->n_participants;
    e->n_statements = x->n_statements;
    e->n_figures = x->n_figures;
    e->activities = x->n_activities ? acts : NULL;
    e->n_activities = x->n_activities;
    e->sources = x->n_sources ? srcs : NULL;
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
    free(ds->table.objs);
    free((void *)ds->views);
    chronicle__arena_free(&ds->views_a);
}
