/*
 * fuzz_load.c — libFuzzer harness for the loader.  The input is loaded from
 * memory as a JSON document, and also as NDJSON when its first byte is odd;
 * a dataset that loads is then walked the way exporters walk it (selection,
 * summary, every split, attributions, periods, ordinals and numbers in
 * every language), and everything is freed,
 * so leaks show up too.  The same bytes are loaded again with the events
 * parsed and converted on other threads (load_pipeline.c, in batches of one
 * event or a few), which must give the same status, messages and model.
 * Built by tests/fuzz/build.sh.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <string.h>

#include "chronicle/dataset.h"
#include "chronicle/dataset_json.h"
#include "chronicle/strbuf.h"
#include "load_pipeline.h"
#include "wording.h"
#include "wording_catalog.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void walk(const chronicle_dataset *ds)
{
    const chronicle_event **sel = NULL;
    size_t n = 0;
    chronicle_filter f = {.since = 20000101, .until = 20241231};
    if (chronicle_dataset_select(ds, NULL, &sel, &n) != CHRONICLE_OK) return;
    chronicle_summary *s = NULL;
    if (chronicle_summary_build(sel, n, &s) == CHRONICLE_OK) chronicle_summary_free(s);
    for (int key = CHRONICLE_SPLIT_NONE; key <= CHRONICLE_SPLIT_TAG; key++) {
        chronicle_group *g = NULL;
        size_t ng = 0;
        if (chronicle_split(sel, n, (chronicle_split_key)key, &g, &ng) != CHRONICLE_OK) continue;
        for (size_t i = 0; i < ng; i++)
            free(chronicle_safe_filename(g[i].name));
        chronicle_groups_free(g, ng);
    }
    /* the report wording over hostile values, in every language */
    char text[256];
    const chronicle_dataset_info *info = chronicle_dataset_get_info(ds);
    for (size_t l = 0; l < chronicle__wording_n_langs; l++) {
        const wording_lang *lang = &chronicle__wording_langs[l];
        for (size_t i = 0; i < info->n_sources; i++) {
            chronicle__wording_attribution(lang, text, sizeof text, info->sources[i]);
            chronicle_dataset_source(ds, info->sources[i]->id.ptr);
        }
        for (size_t i = 0; i < n; i++) {
            const chronicle_event *e = sel[i];
            chronicle_filter_match(&f, e);
            chronicle__wording_period(lang, text, sizeof text, e->date_ymd, e->end_date_ymd,
                                      CHRONICLE_DATE_LONG);
            chronicle__wording_ordinal(lang, text, sizeof text, (uint64_t)e->anniversary,
                                       "ordinal.anniversary");
            for (size_t k = 0; k < e->n_figures; k++)
                chronicle__wording_number(lang, text, sizeof text, e->figures[k]->value);
        }
    }
    free((void *)sel);
    (void)chronicle_dataset_memory(ds);
}

/* The status, every message and the model, as text; NULL when out of memory. */
static char *describe(chronicle_status st, const chronicle_dataset *ds, const chronicle_diag *d)
{
    chronicle_buf b = CHRONICLE_BUF_INIT;
    chronicle_buf_appendf(&b, "%d %zu %zu %zu\n", (int)st, chronicle_diag_count(d),
                          chronicle_diag_errors(d), chronicle_diag_dropped(d));
    for (size_t i = 0; i < chronicle_diag_count(d); i++) {
        chronicle_diag_format(chronicle_diag_at(d, i), &b);
        chronicle_buf_putc(&b, '\n');
    }
    if (ds) {
        chronicle_dataset_info_json(ds, &b);
        for (size_t i = 0; i < chronicle_dataset_event_count(ds); i++)
            chronicle_event_json(chronicle_dataset_event(ds, i), &b);
    }
    return chronicle_buf_steal(&b);
}

/* The load on other threads gives what one thread gave (ref). */
static void load_parallel(const uint8_t *data, size_t size, chronicle_load_opts opts,
                          const char *ref)
{
    chronicle__load_tuning t = {
        .threads = 2, .min_bytes = 1, .batch_bytes = size && (data[size - 1] & 1) ? 1 : 300};
    chronicle_diag *diag = chronicle_diag_new(0);
    if (!diag || !ref) {
        chronicle_diag_free(diag);
        return;
    }
    chronicle_dataset *ds = NULL;
    chronicle_status st = chronicle__dataset_load_buffer_tuned("fuzz.json", (const char *)data,
                                                               size, &opts, &t, &ds, diag);
    char *got = describe(st, ds, diag);
    if (got && strcmp(got, ref)) abort(); /* the parallel load differs */
    free(got);
    chronicle_dataset_free(ds);
    chronicle_diag_free(diag);
}

static void load(const uint8_t *data, size_t size, chronicle_format format)
{
    chronicle_diag *diag = chronicle_diag_new(0);
    if (!diag) return;
    chronicle_load_opts opts = {.format = format};
    chronicle_dataset *ds = NULL;
    chronicle_status st =
        chronicle_dataset_load_buffer("fuzz.json", (const char *)data, size, &opts, &ds, diag);
    if (st == CHRONICLE_OK) {
        if (!ds) abort(); /* the contract: a dataset on success */
        walk(ds);
    } else if (ds) {
        abort(); /* ... and none on failure */
    }
    /* every message must format */
    chronicle_buf b = CHRONICLE_BUF_INIT;
    for (size_t i = 0; i < chronicle_diag_count(diag); i++)
        chronicle_diag_format(chronicle_diag_at(diag, i), &b);
    chronicle_buf_free(&b);
    char *ref = describe(st, ds, diag);
    chronicle_dataset_free(ds);
    chronicle_diag_free(diag);
    load_parallel(data, size, opts, ref);
    free(ref);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    load(data, size, CHRONICLE_FORMAT_JSON);
    if (size && (data[0] & 1)) load(data, size, CHRONICLE_FORMAT_NDJSON);
    return 0;
}
