/*
 * summary_internal.h — the summary of a dataset's own events (summary.c),
 * for the host and chronicle_dataset_summarize().
 */
#ifndef CHRONICLE_SUMMARY_INTERNAL_H
#define CHRONICLE_SUMMARY_INTERNAL_H

#include "chronicle/summary.h"

/* chronicle_summary_build() of events (or index entries) of one dataset,
 * whose sources are one object per id (sources.h): a source cited is
 * counted by its address, never by reading its id, which was most of a
 * large selection's summary (each id a cache miss, hashed twice). */
chronicle_status chronicle__summary_build_own(const chronicle_event *const *events, size_t n,
                                              chronicle_summary **out);

#endif
