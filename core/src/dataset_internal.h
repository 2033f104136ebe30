/*
 * dataset_internal.h — what a chronicle_dataset holds: its arena and
 * interned strings, its sources by id (sources.h), its events or, indexed,
 * their index entries (event_index.h).  Shared by the loader (load.c), the
 * converter (convert.c), the index (event_index.c) and the accessors
 * (dataset.c); the conversion state itself is in loader.h.
 */
#ifndef CHRONICLE_DATASET_INTERNAL_H
#define CHRONICLE_DATASET_INTERNAL_H

#include <sys/types.h>
#include <time.h>

#include "arena.h"
#include "chronicle/dataset.h"
#include "chronicle/strbuf.h"
#include "event_index.h"
#include "sources.h"

struct chronicle_dataset {
    arena a;
    int indexed; /* events are index entries; the file is read again for the rest */
    int ndjson;  /* indexed: the file is NDJSON (an event is one line) */
    int fd;      /* indexed: the file, open until the dataset is freed */
    off_t size;  /* indexed: the file as loaded, to notice a change */
    struct timespec mtime;
    entry_table table; /* indexed: what entries share (event_index.h) */
    kind_map kinds;    /* indexed: each kind's activity in table, by its interned kind */
    kind_map kept;     /* indexed: each string's and source's number in table */
    const chronicle_event **views; /* indexed: chronicle_dataset_event()'s, made on use */
    arena views_a;
    interner strings;
    interner event_ids;
    source_map sources_by_id;
    source_rec **sources; /* defined sources, in file order */
    size_t n_sources, cap_sources;
    chronicle_event **events; /* indexed: entries (event_index.h), not events */
    size_t n_events, cap_events;
    chronicle_dataset_info info;
};

/* Frees ds and all it holds; NULL is a no-op. */
void chronicle__dataset_destroy(chronicle_dataset *ds);

#endif
