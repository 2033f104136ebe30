/*
 * event_cache.h — one read of an indexed dataset's events per job
 * (event_cache.c).  The first time a job reads event i (through event_at()
 * or any cursor, on any thread) the whole event, read again from the file
 * and checked, is packed into the job's cache file; every later read of i
 * unpacks it instead of parsing the JSON again.  A plugin that makes a pass
 * per sheet (xlsx) parses each event once.  The cache file has no name
 * (O_TMPFILE in the job's scratch directory): it goes when the job does,
 * and its pages are the page cache's, not the job's memory.  Only a slot an
 * event (16 bytes) is held in memory.
 */
#ifndef CHRONICLE_EVENT_CACHE_H
#define CHRONICLE_EVENT_CACHE_H

#include <stddef.h>

#include "arena.h"
#include "chronicle/dataset.h"
#include "chronicle/strbuf.h"

typedef struct chronicle__event_cache chronicle__event_cache;

/* A cache for n events, its file made in the directory dir_fd; NULL when
 * it cannot be made (no memory, no such file): then every read parses. */
chronicle__event_cache *chronicle__event_cache_new(size_t n, int dir_fd);

/* Keeps e as event i, packed with scratch (the caller's, any content),
 * unless i is kept or being kept already.  Any thread; a failure (a full
 * disk) only stops the caching. */
void chronicle__event_cache_put(chronicle__event_cache *c, size_t i, const chronicle_event *e,
                                chronicle_buf *scratch);

/* Event i as it was kept, unpacked into a (valid as long as what a holds);
 * NULL when it is not kept (yet), or cannot be read back.  Any thread. */
const chronicle_event *chronicle__event_cache_get(chronicle__event_cache *c, size_t i, arena *a);

/* Frees the cache and closes its file.  NULL is a no-op. */
void chronicle__event_cache_free(chronicle__event_cache *c);

#endif
