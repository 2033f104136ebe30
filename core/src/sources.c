/*
 * sources.c — a dataset's sources by id: an open-addressing hash map of
 * source records.  A source cited before the dataset's "sources" is read
 * is a stub until its definition arrives; the stubs left at the end are
 * the unknown ids, listed in the order they were first cited.
 */
#include <stdlib.h>
#include <string.h>

#include "sources.h"

static uint32_t hash_id(const char *s, size_t len)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < len; i++)
        h = (h ^ (unsigned char)s[i]) * 16777619u;
    return h;
}

source_rec *chronicle__source_lookup(const source_map *m, const char *id, size_t len)
{
    if (!m->cap) return NULL;
    size_t j = hash_id(id, len) & (m->cap - 1);
    while (m->slots[j]) {
        const chronicle_str *k = &m->slots[j]->view.id;
        if (k->len == len && !memcmp(k->ptr, id, len)) return m->slots[j];
        j = (j + 1) & (m->cap - 1);
    }
    return NULL;
}

static int source_insert(source_map *m, source_rec *r)
{
    if ((m->n + 1) * 4 >= m->cap * 3) {
        size_t cap = m->cap ? m->cap * 2 : 64;
        source_rec **slots = calloc(cap, sizeof *slots);
        if (!slots) return 0;
        for (size_t i = 0; i < m->cap; i++) {
            if (!m->slots[i]) continue;
            size_t j = hash_id(m->slots[i]->view.id.ptr, m->slots[i]->view.id.len) & (cap - 1);
            while (slots[j])
                j = (j + 1) & (cap - 1);
            slots[j] = m->slots[i];
        }
        free(m->slots);
        m->slots = slots;
        m->cap = cap;
    }
    size_t j = hash_id(r->view.id.ptr, r->view.id.len) & (m->cap - 1);
    while (m->slots[j])
        j = (j + 1) & (m->cap - 1);
    m->slots[j] = r;
    m->n++;
    return 1;
}

source_rec *chronicle__source_stub(source_map *m, arena *a, interner *strings, const char *id)
{
    source_rec *r = chronicle__arena_alloc(a, sizeof *r);
    if (!r) return NULL;
    r->view.struct_size = sizeof r->view;
    r->view.id = chronicle__intern(strings, id, strlen(id));
    r->order = m->n;
    if (!r->view.id.ptr || !source_insert(m, r)) return NULL;
    return r;
}

static int by_order(const void *a, const void *b)
{
    size_t x = (*(const source_rec *const *)a)->order, y = (*(const source_rec *const *)b)->order;
    return x < y ? -1 : x > y;
}

int chronicle__source_stubs_left(const source_map *m, const source_rec ***out, size_t *n_out)
{
    const source_rec **stubs = m->n ? malloc(m->n * sizeof *stubs) : NULL;
    *out = NULL;
    *n_out = 0;
    if (m->n && !stubs) return 0;
    size_t n = 0;
    for (size_t i = 0; i < m->cap; i++)
        if (m->slots[i] && !m->slots[i]->defined) stubs[n++] = m->slots[i];
    if (n) qsort(stubs, n, sizeof *stubs, by_order);
    *out = stubs;
    *n_out = n;
    return 1;
}

void chronicle__source_map_free(source_map *m)
{
    for (size_t i = 0; i < m->cap; i++)
        if (m->slots[i]) free(m->slots[i]->first_ref);
    free(m->slots);
    m->slots = NULL;
    m->cap = m->n = 0;
}
