/*
 * diag_internal.h — moving diagnostics from one chronicle_diag to another
 * (diag.c), so that messages collected on a worker thread are told in input
 * order by the thread that merges (load_pipeline.c).  Internal to
 * libchronicle.
 */
#ifndef CHRONICLE_DIAG_INTERNAL_H
#define CHRONICLE_DIAG_INTERNAL_H

#include <stddef.h>

#include "chronicle/diag.h"

/* How many entries d keeps (chronicle_diag_new()'s max_entries). */
size_t chronicle__diag_max(const chronicle_diag *d);

/* Moves src's kept entries from .. to - 1 (positions past the kept ones are
 * ignored) to the end of dst, as if they had been added to dst: past dst's
 * limit they are counted as dropped.  src keeps its counts; clear it after. */
void chronicle__diag_move(chronicle_diag *dst, chronicle_diag *src, size_t from, size_t to);

/* Counts src's dropped entries (and errors among them) in dst.  Exact when
 * src's limit is dst's: then dst is full by the time src dropped any. */
void chronicle__diag_move_dropped(chronicle_diag *dst, const chronicle_diag *src);

#endif
