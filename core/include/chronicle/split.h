/*
 * chronicle/split.h — splitting a selection into groups, one report each
 * (--split-by): by country, year, organiser or tag.
 */
#ifndef CHRONICLE_SPLIT_H
#define CHRONICLE_SPLIT_H

#include <stddef.h>

#include "plugin.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum chronicle_split_key {
    CHRONICLE_SPLIT_NONE = 0,
    CHRONICLE_SPLIT_COUNTRY, /* by country code */
    CHRONICLE_SPLIT_YEAR,
    CHRONICLE_SPLIT_ORGANIZER, /* an event with two organisers is in both groups */
    CHRONICLE_SPLIT_TAG
} chronicle_split_key;

/* One group.  Filled by the library in an array it allocates, so its
 * layout is fixed: it never grows (a new property gets a function). */
typedef struct chronicle_group {
    char *name;                     /* the key as in the data: "AZ", "2023" */
    const chronicle_event **events; /* in the input order */
    size_t n_events;
} chronicle_group;

/* Groups of events[0..n) by key, in ascending name order; an event without
 * an organiser or tag is in the group "(none)", and CHRONICLE_SPLIT_NONE
 * gives one group, "all".  Caller owns *out; free with
 * chronicle_groups_free().  The events borrow from their dataset.  Errors:
 * CHRONICLE_ERR_NOMEM. */
chronicle_status chronicle_split(const chronicle_event *const *events, size_t n,
                                 chronicle_split_key key, chronicle_group **out, size_t *n_out);

/* Frees the n groups of chronicle_split().  NULL is a no-op. */
void chronicle_groups_free(chronicle_group *groups, size_t n);

/* "country", "year", "organizer", "tag" -> the key; CHRONICLE_SPLIT_NONE
 * if unknown. */
chronicle_split_key chronicle_split_key_parse(const char *s);

/* A file-name-safe form of a group name: no path separators, no leading
 * dot, no control characters, at most 64 bytes of UTF-8.  Caller frees
 * (free()); NULL when out of memory. */
char *chronicle_safe_filename(const char *name);

#ifdef __cplusplus
}
#endif

#endif
