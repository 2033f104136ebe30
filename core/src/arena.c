/*
 * arena.c — chunked bump allocator and a string interner on top of it.
 * Chunks grow geometrically up to 4 MiB so small datasets stay small and big
 * ones cost few mallocs.
 */
#include "arena.h"

#include <stdlib.h>
#include <string.h>

struct arena_chunk {
    arena_chunk *next;
    max_align_t data[];
};

#define ALIGN 8u

void *arena_alloc(arena *a, size_t size)
{
    size = (size + ALIGN - 1) & ~(size_t)(ALIGN - 1);
    /* arena_strdup packs strings without padding: realign before a struct */
    size_t pad = a->at ? -(uintptr_t)a->at & (ALIGN - 1) : 0;
    if (!a->at || (size_t)(a->end - a->at) < pad + size) {
        size_t want = a->total < (1u << 16) ? (1u << 14) : a->total / 2;
        if (want > (4u << 20)) want = 4u << 20;
        if (want < size) want = size;
        arena_chunk *c = malloc(sizeof *c + want);
        if (!c) return NULL;
        c->next = a->head;
        a->head = c;
        a->at = (char *)c->data;
        a->end = a->at + want;
        a->total += sizeof *c + want;
        pad = 0;
    }
    void *p = a->at + pad;
    a->at += pad + size;
    memset(p, 0, size);
    return p;
}

void arena_free(arena *a)
{
    arena_chunk *c = a->head;
    while (c) {
        arena_chunk *next = c->next;
        free(c);
        c = next;
    }
    memset(a, 0, sizeof *a);
}

chronicle_str arena_strdup(arena *a, const char *s, size_t len)
{
    chronicle_str out = {NULL, 0};
    /* strings need no alignment: take bytes without rounding when they fit */
    char *p;
    if (a->at && (size_t)(a->end - a->at) > len) {
        p = a->at;
        a->at += len + 1;
    } else {
        p = arena_alloc(a, len + 1);
        if (!p) return out;
    }
    memcpy(p, s, len);
    p[len] = '\0';
    out.ptr = p;
    out.len = len;
    return out;
}

static uint32_t hash_bytes(const char *s, size_t len)
{
    uint32_t h = 2166136261u; /* FNV-1a */
    for (size_t i = 0; i < len; i++) h = (h ^ (unsigned char)s[i]) * 16777619u;
    return h ? h : 1;
}

static int grow(interner *in)
{
    size_t cap = in->cap ? in->cap * 2 : 1024;
    chronicle_str *slots = calloc(cap, sizeof *slots);
    uint32_t *hashes = calloc(cap, sizeof *hashes);
    if (!slots || !hashes) {
        free(slots);
        free(hashes);
        return 0;
    }
    for (size_t i = 0; i < in->cap; i++) {
        if (!in->slots[i].ptr) continue;
        size_t j = in->hashes[i] & (cap - 1);
        while (slots[j].ptr) j = (j + 1) & (cap - 1);
        slots[j] = in->slots[i];
        hashes[j] = in->hashes[i];
    }
    free(in->slots);
    free(in->hashes);
    in->slots = slots;
    in->hashes = hashes;
    in->cap = cap;
    return 1;
}

chronicle_str intern(interner *in, const char *s, size_t len)
{
    int found;
    if (len > INTERN_MAX) return arena_strdup(in->a, s, len);
    return intern_ex(in, s, len, &found);
}

chronicle_str intern_ex(interner *in, const char *s, size_t len, int *found)
{
    *found = 0;
    if (in->n * 4 >= in->cap * 3 && !grow(in)) return (chronicle_str){NULL, 0};
    uint32_t h = hash_bytes(s, len);
    size_t j = h & (in->cap - 1);
    while (in->slots[j].ptr) {
        if (in->hashes[j] == h && in->slots[j].len == len && !memcmp(in->slots[j].ptr, s, len)) {
            *found = 1;
            return in->slots[j];
        }
        j = (j + 1) & (in->cap - 1);
    }
    chronicle_str str = arena_strdup(in->a, s, len);
    if (str.ptr) {
        in->slots[j] = str;
        in->hashes[j] = h;
        in->n++;
    }
    return str;
}

void interner_free(interner *in)
{
    free(in->slots);
    free(in->hashes);
    in->slots = NULL;
    in->hashes = NULL;
    in->cap = in->n = 0;
}

size_t interner_memory(const interner *in)
{
    return in->cap * (sizeof *in->slots + sizeof *in->hashes);
}
