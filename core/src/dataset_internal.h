/*
 * dataset_internal.h — what a chronicle_dataset holds, shared by the loader
 * (load.c), the converter (convert.c) and the accessors (dataset.c).
 */
#ifndef CHRONICLE_DATASET_INTERNAL_H
#define CHRONICLE_DATASET_INTERNAL_H

#include <cjson/cJSON.h>

#include "arena.h"
#include "chronicle/dataset.h"
#include "chronicle/strbuf.h"

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

struct chronicle_dataset {
    arena a;
    interner strings;
    interner event_ids;
    source_map sources_by_id;
    source_rec **sources; /* defined sources, in file order */
    size_t n_sources, cap_sources;
    chronicle_event **events;
    size_t n_events, cap_events;
    chronicle_dataset_info info;
};

/* One step of a JSON pointer: a member name, or an array index. */
typedef struct path_seg {
    const char *key; /* NULL: index */
    size_t index;
} path_seg;

#define PATH_MAX_DEPTH 64

/* Conversion state for one file. */
typedef struct loader {
    chronicle_dataset *ds;
    chronicle_diag *diag;
    const char *file;
    /* the JSON pointer of the value being converted, as segments: it is
     * only turned into text when a message needs it */
    path_seg path[PATH_MAX_DEPTH];
    size_t depth;
    int oom;
    unsigned seen; /* top-level members seen (bit per member) */
} loader;

/* Forgets the current pointer (back to the document root). */
void path_reset(loader *L);

/* Reports an error at the current pointer, or at pointer/member. */
void load_error(loader *L, const char *member, const char *fmt, ...) CHRONICLE_PRINTF(3, 4);

/* Converts a top-level member ("schema", "title", "description",
 * "sources"); unknown names are ignored. */
void convert_top(loader *L, const char *name, const cJSON *item);
/* Reports duplicate keys anywhere inside item (cJSON keeps both): the value
 * of the top-level member name, or with name NULL the NDJSON header line. */
void check_members(loader *L, const char *name, const cJSON *item);
/* Converts and appends one event (index is its position in the input). */
void convert_event(loader *L, size_t index, const cJSON *item);
/* After the whole input: required members present, all sources defined. */
void finish_checks(loader *L, int ndjson);
/* Notes that the "events" member was present (JSON form). */
void loader_mark_events(loader *L);

source_rec *source_lookup(const source_map *m, const char *id, size_t len);
void dataset_destroy(chronicle_dataset *ds);

#endif
