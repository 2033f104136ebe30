/*
 * event_index.h — the index of an indexed dataset (event_index.c): one stub
 * an event, holding what the core reads of it without the file, and where
 * the whole event is in the file.
 */
#ifndef CHRONICLE_EVENT_INDEX_H
#define CHRONICLE_EVENT_INDEX_H

#include <stddef.h>
#include <stdint.h>

#include "chronicle/dataset.h"

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

/* The stub of e, event /events/INDEX of the file at offset, length bytes
 * long, as converted by the load (possibly in scratch memory): made in
 * ds's arena, with every string it keeps interned in ds.  NULL when out of
 * memory. */
chronicle_event *chronicle__event_stub_new(chronicle_dataset *ds, const chronicle_event *e,
                                           size_t index, uint64_t offset, size_t length);

/* The member of e, an event read again, that is not what its stub (the
 * index entry) holds, as a pointer below the event ("/id", "/tags"); NULL
 * when e matches everything the stub holds. */
const char *chronicle__event_stub_differs(const chronicle_event *stub, const chronicle_event *e);

#endif
