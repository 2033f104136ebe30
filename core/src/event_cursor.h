/*
 * event_cursor.h — the loader's service to the host: a dataset's events
 * whole.  An in-memory dataset's events are whole already; an indexed
 * one's are stubs (what selecting, sorting and summarising read), and a
 * cursor reads each again from the file, checked and converted as the
 * load did it (load.c).  A cursor is used by one thread at a time; cursors
 * on different threads share nothing that changes (the file is only read,
 * with pread).
 */
#ifndef CHRONICLE_EVENT_CURSOR_H
#define CHRONICLE_EVENT_CURSOR_H

#include "chronicle/dataset.h"
#include "chronicle/strbuf.h"

typedef struct chronicle__event_cursor chronicle__event_cursor;

/* A cursor over the events of ds, which must outlive it.  NULL when out of
 * memory.  Close with chronicle__event_cursor_close(). */
chronicle__event_cursor *chronicle__event_cursor_open(const chronicle_dataset *ds);

/* The whole event behind ev, an event of the cursor's dataset (indexed:
 * an entry or chronicle_dataset_event()'s view of one): ev itself
 * in memory; over an indexed dataset, read from the file.  keep 0: the
 * memory of the events read before is reused; keep 1: they stay valid until
 * the cursor is closed.  NULL when the event cannot be read, fails a check
 * or no longer matches what was loaded: why says so (the file, the pointer,
 * the reason). */
const chronicle_event *chronicle__event_cursor_read(chronicle__event_cursor *c,
                                                    const chronicle_event *ev, int keep,
                                                    chronicle_buf *why);

/* chronicle_dataset_select() as the core needs it: an indexed dataset's
 * selection holds its index entries (event_index.h), which the core's
 * readers (filter, sort, summary, split) and cursors take, not views. */
chronicle_status chronicle__dataset_select(const chronicle_dataset *ds, const chronicle_filter *f,
                                           const chronicle_event ***out, size_t *n);

/* Event i of ds as the core holds it: an indexed dataset's entry, not a
 * view (chronicle_dataset_event()). */
const chronicle_event *chronicle__dataset_entry(const chronicle_dataset *ds, size_t i);

/* Frees the cursor and every event it read.  NULL is a no-op. */
void chronicle__event_cursor_close(chronicle__event_cursor *c);

/* 1 when the file of an indexed dataset still has the size and time it had
 * when it was loaded; else 0 and why says so.  An in-memory dataset: 1. */
int chronicle__dataset_file_unchanged(const chronicle_dataset *ds, chronicle_buf *why);

#endif
