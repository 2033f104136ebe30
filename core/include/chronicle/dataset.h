/*
 * chronicle/dataset.h — the typed, read-only dataset model and its loader.
 *
 * A dataset is loaded once, validated completely, and then never changes:
 * every view it hands out (chronicle_event, chronicle_source, their strings)
 * stays valid until chronicle_dataset_free().  Strings live in an arena and
 * short ones are interned, so a name repeated a million times is stored once.
 */
#ifndef CHRONICLE_DATASET_H
#define CHRONICLE_DATASET_H

#include <stddef.h>
#include <stdint.h>

#include "diag.h"
#include "plugin.h"

typedef struct chronicle_dataset chronicle_dataset;

typedef enum chronicle_format {
    CHRONICLE_FORMAT_AUTO = 0, /* .ndjson/.jsonl: NDJSON, else JSON */
    CHRONICLE_FORMAT_JSON,
    CHRONICLE_FORMAT_NDJSON
} chronicle_format;

/* Zero-initialise, then set what you need. */
typedef struct chronicle_load_opts {
    chronicle_format format;
    /* Keep an index instead of the whole model: every event is still
     * converted and checked, but only what selecting, sorting, splitting and
     * summarising need stays in memory, and an export reads each event again
     * from the file when a plugin asks for it (a fifth of the memory, for a
     * second parse).  Applies to regular files only; see
     * chronicle_dataset_indexed(). */
    int indexed;
} chronicle_load_opts;

/*
 * Loads and validates path.  On CHRONICLE_OK, *out owns a dataset (free with
 * chronicle_dataset_free()); diag may still hold warnings.  On
 * CHRONICLE_ERR_DATA every defect found is in diag (syntax errors as
 * file:line:col, semantic ones as file + JSON pointer) and *out is NULL.
 * CHRONICLE_ERR_IO: the file cannot be read (diag says why).  opts may be NULL.
 */
chronicle_status chronicle_dataset_load(const char *path, const chronicle_load_opts *opts,
                                        chronicle_dataset **out, chronicle_diag *diag);

/* The same from memory; name is used in messages.  buf need not be
 * NUL-terminated. */
chronicle_status chronicle_dataset_load_buffer(const char *name, const char *buf, size_t len,
                                               const chronicle_load_opts *opts,
                                               chronicle_dataset **out, chronicle_diag *diag);

void chronicle_dataset_free(chronicle_dataset *ds);

/* 1 when ds was loaded with opts.indexed: then chronicle_dataset_event()
 * gives index entries, which hold id, date, end_date, country,
 * country_code, organizers, tags, sources, the activities' kinds and the
 * counts of participants, statements and figures, and nothing else.
 * Exports read the whole events again from the file, which must not change
 * until they finish (a change is an error, never a wrong report). */
int chronicle_dataset_indexed(const chronicle_dataset *ds);

/* Views owned by the dataset; valid until chronicle_dataset_free(). */
const chronicle_dataset_info *chronicle_dataset_get_info(const chronicle_dataset *ds);
size_t chronicle_dataset_event_count(const chronicle_dataset *ds);
const chronicle_event *chronicle_dataset_event(const chronicle_dataset *ds, size_t i); /* file order */
const chronicle_source *chronicle_dataset_source(const chronicle_dataset *ds, const char *id);
/* Bytes held by the model (arena, tables): for benchmarks. */
size_t chronicle_dataset_memory(const chronicle_dataset *ds);

/* ---- dates ---- */

/* Parses a strict YYYY-MM-DD calendar date (0001-01-01 .. 9999-12-31) into
 * YYYYMMDD.  Returns 0 when s is not a calendar date. */
uint32_t chronicle_date_parse(const char *s, size_t len);
/* Days since 1970-01-01 of a YYYYMMDD date (for spreadsheets and charts). */
int64_t chronicle_date_days(uint32_t ymd);

/* ---- selection: filter, then sort ---- */

/* Zero-initialise; every set criterion must hold (AND); repeated countries
 * or tags match any of them (OR). */
typedef struct chronicle_filter {
    uint32_t since, until;            /* YYYYMMDD, inclusive; 0: open */
    const char *const *countries;     /* ISO codes, case-insensitive */
    size_t n_countries;
    const char *const *tags;          /* exact */
    size_t n_tags;
} chronicle_filter;

int chronicle_filter_match(const chronicle_filter *f, const chronicle_event *ev);

/*
 * The events of ds matching f (NULL: all), sorted by date then id (stable).
 * Caller owns *out (free()); the pointers inside borrow from ds.  *out may
 * be NULL when *n is 0.
 */
chronicle_status chronicle_dataset_select(const chronicle_dataset *ds, const chronicle_filter *f,
                                          const chronicle_event ***out, size_t *n);

/* Stable sort by date, then id. */
chronicle_status chronicle_events_sort(const chronicle_event **events, size_t n);

/* ---- summary ---- */

/* Counts over events.  Caller owns *out; free with chronicle_summary_free().
 * Keys borrow strings from the events' dataset. */
chronicle_status chronicle_summary_build(const chronicle_event *const *events, size_t n,
                                         chronicle_summary **out);
void chronicle_summary_free(chronicle_summary *s);

/* ---- split into groups (--split-by) ---- */

typedef enum chronicle_split_key {
    CHRONICLE_SPLIT_NONE = 0,
    CHRONICLE_SPLIT_COUNTRY,  /* by country code */
    CHRONICLE_SPLIT_YEAR,
    CHRONICLE_SPLIT_ORGANIZER, /* an event with two organisers is in both groups */
    CHRONICLE_SPLIT_TAG
} chronicle_split_key;

typedef struct chronicle_group {
    char *name;                     /* the key as in the data: "AZ", "2023" */
    const chronicle_event **events; /* in the input order */
    size_t n_events;
} chronicle_group;

/* Groups in ascending name order.  Caller owns *out; free with
 * chronicle_groups_free(). */
chronicle_status chronicle_split(const chronicle_event *const *events, size_t n,
                                 chronicle_split_key key, chronicle_group **out, size_t *n_out);
void chronicle_groups_free(chronicle_group *groups, size_t n);
/* "country" -> CHRONICLE_SPLIT_COUNTRY ...; CHRONICLE_SPLIT_NONE if unknown. */
chronicle_split_key chronicle_split_key_parse(const char *s);

/* A file-name-safe form of a group name: no path separators, no leading
 * dot, no control characters, at most 64 bytes of UTF-8.  Caller frees. */
char *chronicle_safe_filename(const char *name);

#endif
