/*
 * event_cache.h — one read of an indexed dataset's events per job
 * (event_cache.c).  The first time a job reads event i (through event_at()
 * or any cursor, on any thread) the whole event, read again from the file
 * and checked, is packed into the job's cache file; every later read of i
 * unpacks it instead of parsing the JSON again (once the reader that
 * packed it has written it: see chronicle__cache_batch).  A plugin that
 * makes a pass per sheet (xlsx) parses each event once.  The cache file has
 * no name (O_TMPFILE in the job's scratch directory): it goes when the job
 * does, and its pages are the page cache's, not the job's memory.  Only a
 * slot an event (16 bytes) is held in memory.
 */
#ifndef CHRONICLE_EVENT_CACHE_H
#define CHRONICLE_EVENT_CACHE_H

#include <stddef.h>

#include "arena.h"
#include "chronicle/dataset.h"
#include "chronicle/strbuf.h"

typedef struct chronicle__event_cache chronicle__event_cache;

/* Records one reader (a job's event_at(), or a cursor) has packed and not
 * yet written: they go to the cache file together, a write of about
 * CACHE_BATCH bytes, not one a record (a write of a kilobyte cost ext4
 * five times the system time a byte: it zeroes and maps the rest of each
 * page it starts).  Zero-initialised; its owner alone uses it. */
typedef struct chronicle__cache_batch {
    chronicle_buf buf;
    struct chronicle__cache_pending *pending; /* where each record is in buf */
    size_t n, cap;
} chronicle__cache_batch;

/* A cache for n events, its file made in the directory dir_fd; NULL when
 * it cannot be made (no memory, no such file): then every read parses. */
chronicle__event_cache *chronicle__event_cache_new(size_t n, int dir_fd);

/* Keeps e as event i, packed into b and written with b's other records
 * when b is full, unless i is kept or being kept already.  Any thread,
 * each with its own b; a failure (a full disk) only stops the caching. */
void chronicle__event_cache_put(chronicle__event_cache *c, size_t i, const chronicle_event *e,
                                chronicle__cache_batch *b);

/* Writes b's records and empties b (a no-op when it holds none). */
void chronicle__event_cache_flush(chronicle__event_cache *c, chronicle__cache_batch *b);

/* 1 when event i is packed by some reader and not written yet: b's owner
 * that reads i again flushes b first. */
int chronicle__event_cache_pending(const chronicle__event_cache *c, size_t i);

/* Frees what b holds; its records are not written. */
void chronicle__cache_batch_free(chronicle__cache_batch *b);

/* Event i as it was kept, unpacked into a (valid as long as what a holds);
 * NULL when it is not kept (yet), or cannot be read back.  Any thread. */
const chronicle_event *chronicle__event_cache_get(chronicle__event_cache *c, size_t i, arena *a);

/* Frees the cache and closes its file.  NULL is a no-op. */
void chronicle__event_cache_free(chronicle__event_cache *c);

#endif
