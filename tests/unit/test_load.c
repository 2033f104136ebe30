/*
 * test_load.c — the parallel load (load_pipeline.c) against one thread.
 * Every input is loaded on one thread and then with the events parsed and
 * converted on 2 and 3 threads in batches of one event, of a few and of
 * many, from a file (into memory and indexed) and from memory: the status,
 * every message (order, code, place, words, the counts past the limit) and
 * the whole model written back as JSON must be the same.  The inputs: the
 * bad-input corpus (tests/data/bad), the fuzz regressions, data/events.json,
 * a few documents below, and the datasets meson generates with
 * tests/tools/gen_events.py (given as arguments).
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "chronicle/dataset.h"
#include "chronicle/dataset_json.h"
#include "load_pipeline.h"

static const char *source_root;
static char **generated;
static int n_generated;

/* ---- what a load gives, as text ---- */

static void describe_diag(const chronicle_diag *d, chronicle_buf *out)
{
    chronicle_buf_appendf(out, "messages %zu, errors %zu, dropped %zu\n", chronicle_diag_count(d),
                          chronicle_diag_errors(d), chronicle_diag_dropped(d));
    for (size_t i = 0; i < chronicle_diag_count(d); i++) {
        const chronicle_diag_entry *e = chronicle_diag_at(d, i);
        chronicle_buf_appendf(out, "[%s] ", e->code);
        chronicle_diag_format(e, out);
        chronicle_buf_putc(out, '\n');
    }
}

static void put_str(chronicle_buf *b, const char *name, chronicle_str s)
{
    chronicle_buf_appendf(b, " %s=", name);
    if (s.ptr)
        chronicle_buf_put_json_string(b, s.ptr);
    else
        chronicle_buf_puts(b, "-");
}

/* What an index entry holds (chronicle_event_json() would read members a
 * stub only counts). */
static void describe_stub(const chronicle_event *e, chronicle_buf *b)
{
    chronicle_buf_appendf(b, "stub %u %u %d", (unsigned)e->date_ymd, (unsigned)e->end_date_ymd,
                          (int)e->anniversary);
    put_str(b, "id", e->id);
    put_str(b, "date", e->date);
    put_str(b, "end", e->end_date);
    put_str(b, "country", e->country);
    put_str(b, "cc", e->country_code);
    for (size_t i = 0; i < e->n_organizers; i++)
        put_str(b, "organizer", e->organizers[i]);
    for (size_t i = 0; i < e->n_tags; i++)
        put_str(b, "tag", e->tags[i]);
    for (size_t i = 0; i < e->n_sources; i++)
        put_str(b, "source", e->sources[i]->id);
    for (size_t i = 0; i < e->n_activities; i++)
        put_str(b, "kind", e->activities[i]->kind);
    chronicle_buf_appendf(b, " counts %zu %zu %zu", e->n_participants, e->n_statements,
                          e->n_figures);
}

/* The status, the messages and, when it loaded, the model: the dataset's
 * members, each event as the dataset holds it (an indexed dataset's stub)
 * and every whole event (read again from the file when indexed). */
static char *describe(chronicle_status st, const chronicle_dataset *ds, const chronicle_diag *d)
{
    chronicle_buf b = CHRONICLE_BUF_INIT;
    chronicle_buf_appendf(&b, "status %d\n", (int)st);
    describe_diag(d, &b);
    if (ds) {
        chronicle_buf_appendf(&b, "indexed %d\n", chronicle_dataset_indexed(ds));
        assert_int_equal(chronicle_dataset_info_json(ds, &b), CHRONICLE_OK);
        size_t n = chronicle_dataset_event_count(ds);
        for (size_t i = 0; i < n; i++) {
            chronicle_buf_putc(&b, '\n');
            if (chronicle_dataset_indexed(ds))
                describe_stub(chronicle_dataset_event(ds, i), &b);
            else
                assert_int_equal(chronicle_event_json(chronicle_dataset_event(ds, i), &b),
                                 CHRONICLE_OK);
        }
        chronicle_buf_putc(&b, '\n');
        chronicle_diag *again = chronicle_diag_new(0);
        if (n) assert_int_equal(chronicle_dataset_events_json(ds, 0, n, &b, again), CHRONICLE_OK);
        chronicle_diag_free(again);
    }
    return chronicle_buf_steal(&b);
}

typedef enum { FROM_FILE, FROM_FILE_INDEXED, FROM_MEMORY } source_kind;

static char *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    chronicle_buf b = CHRONICLE_BUF_INIT;
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        chronicle_buf_append(&b, chunk, n);
    fclose(f);
    *len = b.len;
    return chronicle_buf_steal(&b);
}

static char *load_described(const char *path, const char *text, size_t len, source_kind kind,
                            const chronicle__load_tuning *t, size_t max_messages)
{
    chronicle_diag *d = chronicle_diag_new(max_messages);
    chronicle_dataset *ds = NULL;
    chronicle_load_opts opts = {.struct_size = sizeof opts, .indexed = kind == FROM_FILE_INDEXED};
    chronicle_status st =
        kind == FROM_MEMORY
            ? chronicle__dataset_load_buffer_tuned(path, text, len, &opts, t, &ds, d)
            : chronicle__dataset_load_tuned(path, &opts, t, &ds, d);
    char *s = describe(st, ds, d);
    chronicle_dataset_free(ds);
    chronicle_diag_free(d);
    return s;
}

/* Fails with the first line that differs, not two whole models. */
static void assert_same(const char *one, const char *many, const char *what)
{
    if (!strcmp(one, many)) return;
    size_t i = 0;
    while (one[i] == many[i])
        i++;
    size_t from = i;
    while (from > 0 && one[from - 1] != '\n')
        from--;
    print_error("%s: differs from one thread at byte %zu:\n  one thread: %.300s\n  parallel:   "
                "%.300s\n",
                what, i, one + from, many + from);
    fail();
}

/* The parallel variants: threads, the smallest input that uses them (here
 * all), and the batch size (1: an event a batch). */
static const chronicle__load_tuning variants[] = {
    {.threads = 2, .min_bytes = 1, .batch_bytes = 1},
    {.threads = 3, .min_bytes = 1, .batch_bytes = 5000},
    {.threads = 2, .min_bytes = 1, .batch_bytes = 200000},
};

/* Loads path (or text, named path) every way and compares. */
static void check_input(const char *path, const char *text, size_t len, size_t max_messages)
{
    static const chronicle__load_tuning one = {.threads = 1};
    static const char *const kinds[] = {"file", "file, indexed", "memory"};
    size_t own_len = 0;
    char *own = text ? NULL : read_all(path, &own_len);
    if (!text) text = own, len = own_len;
    for (int k = text == own ? FROM_FILE : FROM_MEMORY; k <= FROM_MEMORY; k++) {
        char *ref = load_described(path, text, len, k, &one, max_messages);
        for (size_t v = 0; v < sizeof variants / sizeof *variants; v++) {
            char *got = load_described(path, text, len, k, &variants[v], max_messages);
            char what[600];
            snprintf(what, sizeof what, "%s (%s, %u threads, batches of %zu bytes, %zu messages)",
                     path, kinds[k], variants[v].threads, variants[v].batch_bytes, max_messages);
            assert_same(ref, got, what);
            free(got);
        }
        free(ref);
    }
    free(own);
}

static int has_suffix(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && !strcmp(s + n - k, suffix);
}

/* Every .json and .ndjson file in dir (below the source root); how many. */
static int check_dir(const char *dir)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", source_root, dir);
    DIR *d = opendir(path);
    assert_non_null(d);
    int n = 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        if (!has_suffix(de->d_name, ".json") && !has_suffix(de->d_name, ".ndjson")) continue;
        snprintf(path, sizeof path, "%s/%s/%s", source_root, dir, de->d_name);
        check_input(path, NULL, 0, 0);
        n++;
    }
    closedir(d);
    return n;
}

/* ---- tests ---- */

static void test_parallel_load_matches_one_thread_on_bad_inputs(void **state)
{
    (void)state;
    assert_true(check_dir("tests/data/bad") > 50);
    assert_true(check_dir("tests/data/fuzz-regressions") >= 2);
}

static void test_parallel_load_matches_one_thread_on_the_sample(void **state)
{
    (void)state;
    char path[4096];
    snprintf(path, sizeof path, "%s/data/events.json", source_root);
    check_input(path, NULL, 0, 0);
}

static void test_parallel_load_matches_one_thread_on_generated_data(void **state)
{
    (void)state;
    assert_true(n_generated >= 6);
    for (int i = 0; i < n_generated; i++) {
        check_input(generated[i], NULL, 0, 0);
        check_input(generated[i], NULL, 0, 7); /* the limit reached inside a batch */
    }
}

#define HEAD                                                                                       \
    "\"schema\":\"chronicle/events@1\",\"title\":\"T\",\"sources\":[{\"id\":\"s1\","               \
    "\"document\":\"d.txt\"},{\"id\":\"s2\",\"document\":\"e.txt\"}]"
#define EV(id, more)                                                                               \
    "{\"id\":\"" id "\",\"title\":\"E\",\"date\":\"2023-02-24\",\"location\":{\"country\":\"C\","  \
    "\"country_code\":\"AZ\"},\"occasion\":{\"subject\":\"S\"},\"sources\":[\"s1\"]" more "}"

/* The events of the documents below. */
#define A_BAD EV("a", ",\"tags\":[1]")
#define A EV("a", "")
#define A_LATE EV("a", ",\"x\":1,\"x\":2,\"end_date\":\"2020-01-01\"")
#define B EV("b", "")
#define B_EMPTY EV("b", ",\"title\":\"\"")
#define B_DATE EV("b", ",\"date\":\"2023-02-30\"")
#define C EV("c", "")
#define C_WARNS EV("c", ",\"statements\":[{\"speaker\":\"X\",\"summary\":\"Y\",\"source\":\"s2\"}]")
#define D_UNKNOWN EV("d", ",\"sources\":[\"s1\",\"s9\"]")
#define S3 EV("a", ",\"sources\":[\"s3\"]")

/* An id is taken by an event with errors too; a duplicate's message goes
 * between its event's earlier and later ones; warnings keep their place. */
static void test_parallel_load_keeps_the_order_of_ids_and_messages(void **state)
{
    (void)state;
    static const char doc[] = "{" HEAD ",\"events\":[" A_BAD "," B ",\n" A_LATE "," C_WARNS
                              "," B_EMPTY "," D_UNKNOWN "]}";
    check_input("order.json", doc, sizeof doc - 1, 0);
    check_input("order.json", doc, sizeof doc - 1, 2);
    static const char lines[] =
        "{" HEAD "}\n" A "\n" A "\n{\"id\":\n" B_DATE "\n\n" C " x\n" C "\n";
    check_input("order.ndjson", lines, sizeof lines - 1, 0);
    check_input("order.ndjson", lines, sizeof lines - 1, 3);
}

/* A syntax error after events handed to other threads comes after their
 * messages, and ends the load as on one thread. */
static void test_parallel_load_reports_a_syntax_error_after_earlier_events(void **state)
{
    (void)state;
    static const char doc[] = "{" HEAD ",\"events\":[" A_BAD "," A "," B " " C "]}";
    check_input("syntax.json", doc, sizeof doc - 1, 0);
    static const char sources_last[] =
        "{\"schema\":\"chronicle/events@1\",\"title\":\"T\",\"events\":[" S3 "," B
        "],\"sources\":[{\"id\":\"s1\",\"document\":\"d.txt\"}]}";
    check_input("sources-last.json", sources_last, sizeof sources_last - 1, 0);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: test_load SOURCE_ROOT [GENERATED...]\n");
        return 2;
    }
    source_root = argv[1];
    generated = argv + 2;
    n_generated = argc - 2;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parallel_load_matches_one_thread_on_bad_inputs),
        cmocka_unit_test(test_parallel_load_matches_one_thread_on_the_sample),
        cmocka_unit_test(test_parallel_load_matches_one_thread_on_generated_data),
        cmocka_unit_test(test_parallel_load_keeps_the_order_of_ids_and_messages),
        cmocka_unit_test(test_parallel_load_reports_a_syntax_error_after_earlier_events),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
