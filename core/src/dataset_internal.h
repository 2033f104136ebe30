/*
 * dataset_internal.h — what a chronicle_dataset holds, shared by the loader
 * (load.c), the converter (convert.c) and the accessors (dataset.c).
 */
#ifndef CHRONICLE_DATASET_INTERNAL_H
#define CHRONICLE_DATASET_INTERNAL_H

#include <cjson/cJSON.h>
#include <sys/types.h>
#include <time.h>

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

/* An event of an indexed dataset: what selecting, sorting, splitting and
 * summarising read (id, dates, place, organisers, tags, sources, activity
 * kinds, the counts, and as sources every source it cites, by statements
 * and figures too), and where the whole event is in the file.  The
 * participants, statements and figures are counted but not kept, so a stub
 * must never reach a plugin: an event cursor (event_cursor.h) gives the
 * whole event. */
typedef struct event_stub {
    chronicle_event ev; /* first: an event_stub * is a chronicle_event * */
    uint64_t offset;    /* of the event's JSON value in the file */
    size_t length;
    size_t index; /* its place among the input's events: /events/INDEX */
} event_stub;

/* Activity stubs shared by every event stub with the same kind. */
typedef struct kind_map {
    chronicle_activity **slots;
    size_t cap, n;
} kind_map;

struct chronicle_dataset {
    arena a;
    int indexed;  /* events are stubs; the file is read again for the rest */
    int ndjson;   /* indexed: the file is NDJSON (an event is one line) */
    int fd;       /* indexed: the file, open until the dataset is freed */
    off_t size;   /* indexed: the file as loaded, to notice a change */
    struct timespec mtime;
    kind_map kinds;
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

/* Conversion state for one file, or for one event read again. */
typedef struct loader {
    chronicle_dataset *ds;
    arena *a;          /* where converted values go: ds->a, or a scratch arena */
    interner *strings; /* where short strings are interned; NULL: copied */
    arena scratch;     /* an indexed load converts each event here */
    int again;         /* converting an event read again (event cursor) */
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
void chronicle__path_reset(loader *L);

/* Reports an error at the current pointer, or at pointer/member. */
void chronicle__load_error(loader *L, chronicle_diag_code code, const char *member, const char *fmt, ...)
    CHRONICLE_PRINTF(4, 5);

/* Converts a top-level member ("schema", "title", "description",
 * "sources"); unknown names are ignored. */
void chronicle__convert_top(loader *L, const char *name, const cJSON *item);
/* Reports duplicate keys anywhere inside item (cJSON keeps both): the value
 * of the top-level member name, or with name NULL the NDJSON header line. */
void chronicle__check_members(loader *L, const char *name, const cJSON *item);
/* Checks and converts one event (index is its position in the input,
 * offset and length where its JSON is in the file), every rule of the
 * format and duplicate keys included.  A load appends it to the dataset
 * (an indexed load, its stub) and returns that; an event read again
 * (L->again: the dataset is complete and is not changed) goes into L->a.
 * NULL when it has errors (in L->diag). */
chronicle_event *chronicle__convert_event(loader *L, size_t index, const cJSON *item, uint64_t offset,
                               size_t length);
/* The member of e, an event read again, that is not what its stub (the
 * index entry) holds, as a pointer below the event ("/id", "/tags"); NULL
 * when e matches everything the stub holds. */
const char *chronicle__event_stub_differs(const chronicle_event *stub, const chronicle_event *e);
/* After the whole input: required members present, all sources defined. */
void chronicle__finish_checks(loader *L, int ndjson);
/* Notes that the "events" member was present (JSON form). */
void chronicle__loader_mark_events(loader *L);

source_rec *chronicle__source_lookup(const source_map *m, const char *id, size_t len);
void chronicle__dataset_destroy(chronicle_dataset *ds);

#endif
