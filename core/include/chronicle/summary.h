/*
 * chronicle/summary.h — counts over a selection of events: by year,
 * country, organiser and activity kind (chronicle_summary, defined in
 * plugin.h, is what plugins see through host->summary()).
 */
#ifndef CHRONICLE_SUMMARY_H
#define CHRONICLE_SUMMARY_H

#include <stddef.h>

#include "plugin.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Counts over events[0..n).  Caller owns *out; free with
 * chronicle_summary_free().  Keys borrow strings from the events' dataset,
 * so the summary must be freed before the dataset.  Errors:
 * CHRONICLE_ERR_NOMEM. */
chronicle_status chronicle_summary_build(const chronicle_event *const *events, size_t n,
                                         chronicle_summary **out);

/* Frees a summary of chronicle_summary_build().  NULL is a no-op. */
void chronicle_summary_free(chronicle_summary *s);

#ifdef __cplusplus
}
#endif

#endif
