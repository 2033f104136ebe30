/*
 * chronicle/select.h — choosing events: a filter (dates, countries, tags),
 * the selection of a dataset's matching events, and the report order (date,
 * then id).  What is selected borrows from the dataset.
 */
#ifndef CHRONICLE_SELECT_H
#define CHRONICLE_SELECT_H

#include <stddef.h>
#include <stdint.h>

#include "plugin.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct chronicle_dataset chronicle_dataset;

/*
 * Which events to keep.  Caller-filled: zero-initialise, then set what you
 * need; every set criterion must hold (AND); repeated countries or tags
 * match any of them (OR).  struct_size 0 means the 1.0 layout (what `= {0}`
 * gives); to use a member added after 1.0, set struct_size =
 * sizeof(chronicle_filter).  Members are only appended.  Borrowed by the
 * functions that take it, never kept.
 */
typedef struct chronicle_filter {
    uint32_t since, until;        /* YYYYMMDD (chronicle_date_parse), inclusive; 0: open */
    const char *const *countries; /* ISO codes, case-insensitive */
    size_t n_countries;
    const char *const *tags; /* exact */
    size_t n_tags;
    size_t struct_size; /* 0: the 1.0 layout; else sizeof as the caller compiled it */
} chronicle_filter;

/* 1 when ev matches f, else 0.  An event with an end date matches a date
 * range it overlaps. */
int chronicle_filter_match(const chronicle_filter *f, const chronicle_event *ev);

/*
 * The events of ds matching f (NULL: all), sorted by date then id (stable).
 * Caller owns *out (free()); the pointers inside borrow from ds.  *out may
 * be NULL when *n is 0.  Errors: CHRONICLE_ERR_NOMEM.
 */
chronicle_status chronicle_dataset_select(const chronicle_dataset *ds, const chronicle_filter *f,
                                          const chronicle_event ***out, size_t *n);

/*
 * The summary of the events of ds matching f (NULL: all), as
 * chronicle_summary_build() makes it of chronicle_dataset_select()'s
 * events, without a view of each event of an indexed dataset.  Caller
 * owns *out (chronicle_summary_free()).  Errors: CHRONICLE_ERR_NOMEM.
 */
chronicle_status chronicle_dataset_summarize(const chronicle_dataset *ds, const chronicle_filter *f,
                                             chronicle_summary **out);
/* Sorts events in place by date, then id; stable.  Errors:
 * CHRONICLE_ERR_NOMEM. */
chronicle_status chronicle_events_sort(const chronicle_event **events, size_t n);

#ifdef __cplusplus
}
#endif

#endif
