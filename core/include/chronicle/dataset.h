/*
 * chronicle/dataset.h — the typed, read-only dataset model and its loader.
 *
 * A dataset is loaded once, validated completely, and then never changes:
 * every view it hands out (chronicle_event, chronicle_source, their strings;
 * the view types are those of plugin.h) stays valid until
 * chronicle_dataset_free().  Strings live in an arena and short ones are
 * interned, so a name repeated a million times is stored once.
 *
 * Thread rule: a loaded dataset may be read from any number of threads at
 * once; loading and freeing are the caller's to order.
 *
 * This header also includes the headers that work on a dataset's events —
 * date.h, select.h (filter, select, sort), summary.h and split.h — so a
 * program written against the 1.0 single header keeps compiling.
 */
#ifndef CHRONICLE_DATASET_H
#define CHRONICLE_DATASET_H

#include <stddef.h>
#include <stdint.h>

#include "diag.h"
#include "plugin.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Opaque; made by chronicle_dataset_load(), freed by chronicle_dataset_free(). */
typedef struct chronicle_dataset chronicle_dataset;

typedef enum chronicle_format {
    CHRONICLE_FORMAT_AUTO = 0, /* .ndjson/.jsonl: NDJSON, else JSON */
    CHRONICLE_FORMAT_JSON,
    CHRONICLE_FORMAT_NDJSON
} chronicle_format;

/*
 * Options of a load.  Caller-filled: zero-initialise, then set what you
 * need.  struct_size 0 means the 1.0 layout (the members up to and including
 * struct_size), which is what `= {0}` gives; to use a member added after 1.0,
 * set struct_size = sizeof(chronicle_load_opts).  Members are only appended.
 */
typedef struct chronicle_load_opts {
    chronicle_format format;
    /* Keep an index instead of the whole model: every event is still
     * converted and checked, but only what selecting, sorting, splitting and
     * summarising need stays in memory, and an export reads each event again
     * from the file when a plugin asks for it, once in each export job (a
     * fifth of the memory, for one more parse a job).  Applies to regular
     * files only; see chronicle_dataset_indexed(). */
    int indexed;
    size_t struct_size; /* 0: the 1.0 layout; else sizeof as the caller compiled it */
} chronicle_load_opts;

/*
 * Loads and validates path.  On CHRONICLE_OK, *out owns a dataset (free with
 * chronicle_dataset_free()); diag may still hold warnings.  On
 * CHRONICLE_ERR_DATA every defect found is in diag (syntax errors as
 * file:line:col, semantic ones as file + JSON pointer) and *out is NULL.
 * CHRONICLE_ERR_IO: the file cannot be read (diag says why).  opts may be
 * NULL (the defaults); diag may be NULL (the reasons are lost).
 */
chronicle_status chronicle_dataset_load(const char *path, const chronicle_load_opts *opts,
                                        chronicle_dataset **out, chronicle_diag *diag);

/* The same from memory; name is used in messages.  buf need not be
 * NUL-terminated and is not kept: the dataset copies what it needs
 * (opts->indexed is ignored: there is no file to read again). */
chronicle_status chronicle_dataset_load_buffer(const char *name, const char *buf, size_t len,
                                               const chronicle_load_opts *opts,
                                               chronicle_dataset **out, chronicle_diag *diag);

/* Frees ds and every view it handed out.  NULL is a no-op. */
void chronicle_dataset_free(chronicle_dataset *ds);

/* 1 when ds was loaded with opts.indexed: then chronicle_dataset_event()
 * and chronicle_dataset_select() give views of index entries, which hold
 * id, date, end_date, country, country_code, organizers, tags, sources,
 * the activities' kinds and the counts of participants, statements and
 * figures, and nothing else; each view is made when first asked for (the
 * index itself is smaller than these views: chronicle_dataset_summarize()
 * reads it without them).
 * Exports read the whole events again from the file, which must not change
 * until they finish (a change is an error, never a wrong report). */
int chronicle_dataset_indexed(const chronicle_dataset *ds);

/* The dataset's title, description and sources.  A view owned by the
 * dataset; valid until chronicle_dataset_free(). */
const chronicle_dataset_info *chronicle_dataset_get_info(const chronicle_dataset *ds);

/* The number of events, in the file. */
size_t chronicle_dataset_event_count(const chronicle_dataset *ds);

/* Event i (0 <= i < chronicle_dataset_event_count()) in file order; NULL
 * when i is out of range.  A view owned by the dataset; valid until
 * chronicle_dataset_free(). */
const chronicle_event *chronicle_dataset_event(const chronicle_dataset *ds, size_t i);

/* The source whose id is id, or NULL.  A view owned by the dataset; valid
 * until chronicle_dataset_free(). */
const chronicle_source *chronicle_dataset_source(const chronicle_dataset *ds, const char *id);

/* Bytes held by the model (arena, tables): for benchmarks. */
size_t chronicle_dataset_memory(const chronicle_dataset *ds);

#ifdef __cplusplus
}
#endif

#include "date.h"
#include "select.h"
#include "split.h"
#include "summary.h"

#endif
