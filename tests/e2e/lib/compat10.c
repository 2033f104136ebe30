/*
 * compat10.c — a program written against libchronicle's 1.0 names and
 * headers, kept as it was: the one header dataset.h (before it was split
 * by concern), positional and `= {0}` initialisers of the caller-filled
 * structs (before they carried struct_size).  It must keep compiling
 * unchanged and give the same answers.
 *
 * usage: compat10 DATASET BAD_DATASET OUTPUT
 * Loads DATASET, selects and summarises through dataset.h alone, exports
 * text to OUTPUT (plugins found with no environment), loads BAD_DATASET and
 * prints its diagnostics.  Exit 0 when every step went as expected.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <chronicle/dataset.h>
#include <chronicle/diag.h>
#include <chronicle/export.h>
#include <chronicle/registry.h>

static int failed;

static void expect(int ok, const char *what)
{
    printf("%s %s\n", ok ? "ok" : "FAIL", what);
    if (!ok) failed = 1;
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: compat10 DATASET BAD_DATASET OUTPUT\n");
        return 2;
    }
    chronicle_diag *diag = chronicle_diag_new(0);
    chronicle_dataset *ds = NULL;
    chronicle_load_opts opts = {CHRONICLE_FORMAT_JSON, 0}; /* positional, 1.0 order */
    chronicle_status st = chronicle_dataset_load(argv[1], &opts, &ds, diag);
    expect(st == CHRONICLE_OK, "the dataset loads");
    if (st != CHRONICLE_OK) return 1;
    size_t n = chronicle_dataset_event_count(ds);
    printf("events %zu\n", n);
    expect(n == 4, "four events");

    /* date.h, select.h, summary.h and split.h through dataset.h */
    chronicle_filter f = {chronicle_date_parse("2023-01-01", 10), 0, NULL, 0, NULL, 0};
    const chronicle_event **sel = NULL;
    size_t k = 0;
    expect(chronicle_dataset_select(ds, &f, &sel, &k) == CHRONICLE_OK && k == 3,
           "three events since 2023");
    chronicle_summary *sum = NULL;
    expect(chronicle_summary_build(sel, k, &sum) == CHRONICLE_OK && sum->n_events == 3,
           "a summary of three");
    chronicle_group *groups = NULL;
    size_t n_groups = 0;
    expect(chronicle_split(sel, k, CHRONICLE_SPLIT_YEAR, &groups, &n_groups) == CHRONICLE_OK &&
               n_groups == 2 && !strcmp(groups[0].name, "2023"),
           "split by year: 2023, 2024");
    chronicle_groups_free(groups, n_groups);
    chronicle_summary_free(sum);
    free(sel);

    chronicle_registry *reg = NULL;
    chronicle_registry_opts ropts = {0};
    expect(chronicle_registry_new(&ropts, &reg) == CHRONICLE_OK, "a registry");
    chronicle_plugin_info *text = chronicle_registry_find(reg, "text");
    expect(text != NULL, "the text plugin is found with no environment");
    if (text) printf("text plugin %s\n", text->path);

    const char *formats[] = {"text"};
    chronicle_export_request req = {0};
    req.ds = ds;
    req.registry = reg;
    req.formats = formats;
    req.n_formats = 1;
    req.output = argv[3];
    req.jobs = 1;
    req.timestamp = 1700000000;
    st = chronicle_export(&req, diag);
    printf("export: %s\n", chronicle_strerror(st));
    expect(st == CHRONICLE_OK, "the text export succeeds");

    chronicle_dataset *bad = NULL;
    chronicle_diag *bd = chronicle_diag_new(0);
    st = chronicle_dataset_load(argv[2], NULL, &bad, bd);
    printf("bad: %s\n", chronicle_strerror(st));
    expect(st == CHRONICLE_ERR_DATA && !bad, "the bad dataset is refused");
    expect(chronicle_diag_count(bd) > 0, "with diagnostics");
    for (size_t i = 0; i < chronicle_diag_count(bd); i++) {
        const chronicle_diag_entry *e = chronicle_diag_at(bd, i);
        printf("diag %s:%lu:%lu %s %s\n", e->file ? e->file : "-", e->line, e->col,
               e->pointer ? e->pointer : "-", e->message);
    }
    chronicle_diag_free(bd);
    chronicle_registry_free(reg);
    chronicle_dataset_free(ds);
    chronicle_diag_free(diag);
    return failed;
}
