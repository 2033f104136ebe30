/*
 * sources.h — a dataset's sources by id (sources.c): records in the
 * dataset's arena, found through an open-addressing hash map.
 */
#ifndef CHRONICLE_SOURCES_H
#define CHRONICLE_SOURCES_H

#include <stddef.h>

#include "arena.h"
#include "chronicle/dataset.h"

/* A source, possibly referenced before it is defined (events may precede
 * "sources" in a file): then it is a stub until the definition arrives. */
typedef struct source_rec {
    chronicle_source view; /* first: a source_rec * is a chronicle_source * */
    int defined;
    char *first_ref; /* JSON pointer of the first reference while a stub (malloc) */
    size_t n_refs;
    size_t order; /* creation order: unknown ids are reported in citation order */
} source_rec;

typedef struct source_map {
    source_rec **slots;
    size_t cap, n;
} source_map;

/* The record of id (len bytes), defined or a stub; NULL when unknown. */
source_rec *chronicle__source_lookup(const source_map *m, const char *id, size_t len);

/* A new stub for id, cited before it is defined: made in a, its id interned
 * in strings, numbered in citation order and added to m.  NULL when out of
 * memory. */
source_rec *chronicle__source_stub(source_map *m, arena *a, interner *strings, const char *id);

/* The stubs never defined, in the order they were first cited: *out (the
 * caller frees it; NULL when none) and *n.  0 when out of memory. */
int chronicle__source_stubs_left(const source_map *m, const source_rec ***out, size_t *n);

/* Frees the map and what its records hold outside the arena. */
void chronicle__source_map_free(source_map *m);

#endif
