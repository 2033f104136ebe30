/*
 * chronicle/plugincheck.h — the plugin conformance suite behind
 * `chronicle plugin-check`.
 *
 * Each check runs in a child process of its own, and exports through the
 * real path (registry, probe, plugin_load, dispatcher), so a plugin that
 * crashes, hangs or leaves processes behind fails one check and the suite
 * goes on.  Results arrive through a callback, one per check, in order;
 * the library prints nothing.
 */
#ifndef CHRONICLE_PLUGINCHECK_H
#define CHRONICLE_PLUGINCHECK_H

#include <stddef.h>
#include <stdint.h>

#include "diag.h"
#include "plugin.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum chronicle_check_outcome {
    CHRONICLE_CHECK_PASS,
    CHRONICLE_CHECK_FAIL,
    CHRONICLE_CHECK_SKIP /* not applicable, or an earlier check failed */
} chronicle_check_outcome;

/* One check's result; views valid during the callback only.  Filled by
 * the library; members are only ever appended. */
typedef struct chronicle_check_result {
    const char *id; /* "load", "descriptor", "options", "export-default", ... */
    chronicle_check_outcome outcome;
    const char *reason; /* what was seen, one line */
    const char *fix;    /* what to do about it; NULL unless outcome is FAIL */
    double seconds;     /* the export's run time; < 0: not measured */
    long peak_kib;      /* peak resident memory of the export's processes; < 0: not measured */
    long n_events;      /* events exported; < 0: not an export */
} chronicle_check_result;

/*
 * What to check.  Caller-filled: zero-initialise, then set what you need.
 * struct_size 0 means the 1.0 layout (the members up to and including
 * struct_size), which is what `= {0}` gives; to use a member added after
 * 1.0, set struct_size = sizeof(chronicle_check_request).  Members are only
 * appended.
 */
typedef struct chronicle_check_request {
    const char *plugin;          /* PATH/NAME.so */
    const char *dataset;         /* the default dataset (data/events.json) */
    const char *unicode_dataset; /* the Unicode torture set; NULL: that check is skipped */
    size_t n_generated;          /* events of the generated dataset; 0: 10000 */
    double timeout;              /* seconds per export; 0: 60 */
    int64_t timestamp;           /* SOURCE_DATE_EPOCH of every run */
    void *ctx;
    void (*result)(void *ctx, const chronicle_check_result *r);
    size_t struct_size; /* 0: the 1.0 layout; else sizeof as the caller compiled it */
} chronicle_check_request;

/*
 * Runs every check and reports each through req->result.  Returns
 * CHRONICLE_OK when the suite ran (then *n_failed says how many checks
 * failed), CHRONICLE_ERR_IO when its scratch directory could not be made
 * or the default dataset not read (diag says why), CHRONICLE_ERR_NOMEM.
 */
chronicle_status chronicle_plugin_check(const chronicle_check_request *req, size_t *n_failed,
                                        chronicle_diag *diag);

/* The checks, in the order they run: ids and one line each (for --help).
 * Static storage; NULL when i >= chronicle_plugin_check_count(). */
size_t chronicle_plugin_check_count(void);
const char *chronicle_plugin_check_id(size_t i);
const char *chronicle_plugin_check_summary(size_t i);

#ifdef __cplusplus
}
#endif

#endif
