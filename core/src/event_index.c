/*
 * event_index.c — the index of an indexed dataset: for each event a stub
 * (event_index.h) made from the event as the load converted it, and the
 * check that an event read again from the file is still what its stub
 * says.  Invariant: a stub's strings, activity kinds and sources all
 * belong to the dataset, never to the scratch memory the event came from.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dataset_internal.h"

/* ---- the stubs of an indexed dataset ---- */

/* s, interned in the dataset (an event converted in scratch memory lends
 * its strings only until the next one); *oom set when out of memory. */
static chronicle_str keep_str(chronicle_dataset *ds, chronicle_str s, int *oom)
{
    if (!s.ptr) return s;
    chronicle_str out = chronicle__intern(&ds->strings, s.ptr, s.len);
    if (!out.ptr) *oom = 1;
    return out;
}

static const chronicle_str *keep_strs(chronicle_dataset *ds, const chronicle_str *v, size_t n,
                                      int *oom)
{
    chronicle_str *out = n ? chronicle__arena_alloc(&ds->a, n * sizeof *out) : NULL;
    if (n && !out) *oom = 1;
    for (size_t i = 0; out && i < n; i++)
        out[i] = keep_str(ds, v[i], oom);
    return out;
}

/* The one activity stub of a kind: keys are interned, so pointers compare. */
static const chronicle_activity *kind_stub(chronicle_dataset *ds, chronicle_str kind)
{
    kind_map *m = &ds->kinds;
    int found;
    kind = chronicle__intern_ex(&ds->strings, kind.ptr, kind.len, &found);
    if (!kind.ptr) return NULL;
    if ((m->n + 1) * 2 > m->cap) {
        size_t cap = m->cap ? m->cap * 2 : 64;
        chronicle_activity **slots = calloc(cap, sizeof *slots);
        if (!slots) return NULL;
        for (size_t i = 0; i < m->cap; i++) {
            if (!m->slots[i]) continue;
            size_t j = ((uintptr_t)m->slots[i]->kind.ptr >> 3) * 0x9E3779B1u & (cap - 1);
            while (slots[j])
                j = (j + 1) & (cap - 1);
            slots[j] = m->slots[i];
        }
        free(m->slots);
        m->slots = slots;
        m->cap = cap;
    }
    size_t j = ((uintptr_t)kind.ptr >> 3) * 0x9E3779B1u & (m->cap - 1);
    for (; m->slots[j]; j = (j + 1) & (m->cap - 1))
        if (m->slots[j]->kind.ptr == kind.ptr) return m->slots[j];
    chronicle_activity *a = chronicle__arena_alloc(&ds->a, sizeof *a);
    if (!a) return NULL;
    a->struct_size = sizeof *a;
    a->kind = kind;
    m->slots[j] = a;
    m->n++;
    return a;
}

/* The i-th of the sources event e cites: those of its list, then those its
 * statements cite, then its figures'. */
static const chronicle_source *citation(const chronicle_event *e, size_t i)
{
    if (i < e->n_sources) return e->sources[i];
    i -= e->n_sources;
    return i < e->n_statements ? e->statements[i]->source : e->figures[i - e->n_statements]->source;
}

chronicle_event *chronicle__event_stub_new(chronicle_dataset *ds, const chronicle_event *e,
                                           size_t index, uint64_t offset, size_t length)
{
    int oom = 0;
    event_stub *s = chronicle__arena_alloc(&ds->a, sizeof *s);
    if (!s) return NULL;
    s->offset = offset;
    s->length = length;
    s->index = index;
    chronicle_event *v = &s->ev;
    v->struct_size = sizeof *v;
    v->date_ymd = e->date_ymd;
    v->end_date_ymd = e->end_date_ymd;
    v->anniversary = e->anniversary;
    v->id = e->id; /* in event_ids, which belongs to the dataset */
    v->date = keep_str(ds, e->date, &oom);
    v->end_date = keep_str(ds, e->end_date, &oom);
    v->country = keep_str(ds, e->country, &oom);
    v->country_code = keep_str(ds, e->country_code, &oom);
    v->organizers = keep_strs(ds, e->organizers, v->n_organizers = e->n_organizers, &oom);
    v->tags = keep_strs(ds, e->tags, v->n_tags = e->n_tags, &oom);
    v->n_participants = e->n_participants; /* counted, not kept */
    v->n_statements = e->n_statements;
    v->n_figures = e->n_figures;
    /* every source the event cites, in its list or by a statement or figure
     * (the summary counts them all), each once */
    size_t most = e->n_sources + e->n_statements + e->n_figures;
    const chronicle_source **srcs =
        most ? chronicle__arena_alloc(&ds->a, most * sizeof *srcs) : NULL;
    if (most && !srcs) return NULL;
    for (size_t i = 0; i < most; i++) {
        const chronicle_source *c = citation(e, i);
        size_t j = 0;
        while (j < v->n_sources && srcs[j] != c)
            j++;
        if (j == v->n_sources) srcs[v->n_sources++] = c;
    }
    v->sources = srcs;
    if ((v->n_activities = e->n_activities)) {
        const chronicle_activity **acts =
            chronicle__arena_alloc(&ds->a, e->n_activities * sizeof *acts);
        if (!acts) return NULL;
        for (size_t i = 0; i < e->n_activities; i++)
            if (!(acts[i] = kind_stub(ds, e->activities[i]->kind))) return NULL;
        v->activities = acts;
    }
    return oom ? NULL : v;
}

static int same_str(chronicle_str a, chronicle_str b)
{
    return a.len == b.len && !a.ptr == !b.ptr && (!a.len || !memcmp(a.ptr, b.ptr, a.len));
}

static int same_strs(const chronicle_str *a, size_t na, const chronicle_str *b, size_t nb)
{
    if (na != nb) return 0;
    for (size_t i = 0; i < na; i++)
        if (!same_str(a[i], b[i])) return 0;
    return 1;
}

/* Walks e's citations as chronicle__event_stub_new() does: each new one must be the stub's
 * next source, and none may be left over. */
static int same_citations(const chronicle_event *stub, const chronicle_event *e)
{
    size_t most = e->n_sources + e->n_statements + e->n_figures, k = 0;
    for (size_t i = 0; i < most; i++) {
        const chronicle_source *c = citation(e, i);
        size_t j = 0;
        while (j < k && stub->sources[j] != c)
            j++;
        if (j < k) continue; /* cited before */
        if (k == stub->n_sources || stub->sources[k] != c) return 0;
        k++;
    }
    return k == stub->n_sources;
}

const char *chronicle__event_stub_differs(const chronicle_event *stub, const chronicle_event *e)
{
    if (!same_str(stub->id, e->id)) return "/id";
    if (stub->date_ymd != e->date_ymd) return "/date";
    if (stub->end_date_ymd != e->end_date_ymd) return "/end_date";
    if (!same_str(stub->country, e->country)) return "/location/country";
    if (!same_str(stub->country_code, e->country_code)) return "/location/country_code";
    if (stub->anniversary != e->anniversary) return "/occasion/anniversary";
    if (!same_strs(stub->organizers, stub->n_organizers, e->organizers, e->n_organizers))
        return "/organizers";
    if (!same_strs(stub->tags, stub->n_tags, e->tags, e->n_tags)) return "/tags";
    if (stub->n_participants != e->n_participants) return "/participants";
    if (stub->n_statements != e->n_statements) return "/statements";
    if (stub->n_figures != e->n_figures) return "/figures";
    if (stub->n_activities != e->n_activities) return "/activities";
    for (size_t i = 0; i < e->n_activities; i++)
        if (!same_str(stub->activities[i]->kind, e->activities[i]->kind)) return "/activities";
    if (!same_citations(stub, e)) return "/sources";
    return NULL;
}
