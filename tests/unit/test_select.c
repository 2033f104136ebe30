/*
 * test_select.c — selection (dataset.c): chronicle_filter_match,
 * chronicle_dataset_select and the stable sort by date, then id.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "chronicle/dataset.h"

/* In file order; sorted: qatar, paris, az-a, az-b, berlin. */
static const char dataset_json[] =
    "{\"schema\":\"chronicle/events@1\",\"title\":\"T\","
    "\"sources\":[{\"id\":\"s1\",\"document\":\"d.txt\"}],\"events\":["
    "{\"id\":\"az-b\",\"title\":\"B\",\"date\":\"2023-02-24\",\"location\":{\"country\":"
    "\"Azerbaijan\",\"country_code\":\"AZ\"},\"occasion\":{\"subject\":\"S\"},"
    "\"sources\":[\"s1\"],\"tags\":[\"memorial\"]},"
    "{\"id\":\"berlin\",\"title\":\"Be\",\"date\":\"2024-02-26\",\"location\":{\"country\":"
    "\"Germany\",\"country_code\":\"DE\"},\"occasion\":{\"subject\":\"S\"},"
    "\"sources\":[\"s1\"],\"tags\":[\"exhibition\"]},"
    "{\"id\":\"az-a\",\"title\":\"A\",\"date\":\"2023-02-24\",\"location\":{\"country\":"
    "\"Azerbaijan\",\"country_code\":\"AZ\"},\"occasion\":{\"subject\":\"S\"},"
    "\"sources\":[\"s1\"],\"tags\":[\"memorial\",\"culture\"]},"
    "{\"id\":\"qatar\",\"title\":\"Q\",\"date\":\"2019-02-26\",\"location\":{\"country\":"
    "\"Qatar\",\"country_code\":\"QA\"},\"occasion\":{\"subject\":\"S\"},"
    "\"sources\":[\"s1\"]},"
    "{\"id\":\"paris\",\"title\":\"P\",\"date\":\"2022-12-30\",\"end_date\":\"2023-01-02\","
    "\"location\":{\"country\":\"France\",\"country_code\":\"FR\"},\"occasion\":{\"subject\":"
    "\"S\"},\"sources\":[\"s1\"],\"tags\":[\"culture\"]}]}";

static int setup(void **state)
{
    chronicle_diag *d = chronicle_diag_new(0);
    chronicle_dataset *ds = NULL;
    chronicle_status st = chronicle_dataset_load_buffer("t.json", dataset_json,
                                                        sizeof dataset_json - 1, NULL, &ds, d);
    chronicle_diag_free(d);
    if (st != CHRONICLE_OK) return -1;
    *state = ds;
    return 0;
}

static int teardown(void **state)
{
    chronicle_dataset_free(*state);
    return 0;
}

/* Selects with f and asserts the ids, in order, as one comma-separated text. */
static void expect_selection(const chronicle_dataset *ds, const chronicle_filter *f,
                             const char *ids)
{
    const chronicle_event **ev = NULL;
    size_t n = 99;
    assert_int_equal(chronicle_dataset_select(ds, f, &ev, &n), CHRONICLE_OK);
    char got[256] = "";
    for (size_t i = 0; i < n; i++) {
        strcat(got, i ? "," : "");
        strcat(got, ev[i]->id.ptr);
        assert_int_equal(chronicle_filter_match(f, ev[i]), 1);
    }
    if (!n) assert_null(ev);
    assert_string_equal(got, ids);
    free((void *)ev);
}

static uint32_t day(const char *s)
{
    return chronicle_date_parse(s, strlen(s));
}

static void test_select_all_sorts_by_date_then_id(void **state)
{
    expect_selection(*state, NULL, "qatar,paris,az-a,az-b,berlin");
    chronicle_filter none = {0};
    expect_selection(*state, &none, "qatar,paris,az-a,az-b,berlin");
}

static void test_select_returns_the_dataset_events(void **state)
{
    const chronicle_dataset *ds = *state;
    const chronicle_event **ev = NULL;
    size_t n = 0;
    assert_int_equal(chronicle_dataset_select(ds, NULL, &ev, &n), CHRONICLE_OK);
    assert_int_equal(n, chronicle_dataset_event_count(ds));
    assert_ptr_equal(ev[0], chronicle_dataset_event(ds, 3)); /* qatar */
    free((void *)ev);
    /* the dataset keeps file order */
    assert_string_equal(chronicle_dataset_event(ds, 0)->id.ptr, "az-b");
}

static void test_select_since_is_inclusive(void **state)
{
    chronicle_filter f = {.since = day("2023-02-24")};
    expect_selection(*state, &f, "az-a,az-b,berlin");
}

static void test_select_since_keeps_events_running_into_the_range(void **state)
{
    /* paris runs from 2022-12-30 to 2023-01-02 */
    chronicle_filter f = {.since = day("2023-01-01")};
    expect_selection(*state, &f, "paris,az-a,az-b,berlin");
    f.since = day("2023-01-02");
    expect_selection(*state, &f, "paris,az-a,az-b,berlin");
    f.since = day("2023-01-03");
    expect_selection(*state, &f, "az-a,az-b,berlin");
}

static void test_select_until_is_inclusive_and_uses_the_start(void **state)
{
    chronicle_filter f = {.until = day("2023-02-24")};
    expect_selection(*state, &f, "qatar,paris,az-a,az-b");
    f.until = day("2022-12-31"); /* paris started before, so it is in */
    expect_selection(*state, &f, "qatar,paris");
    f.until = day("2019-02-25");
    expect_selection(*state, &f, "");
}

static void test_select_one_day(void **state)
{
    chronicle_filter f = {.since = day("2023-02-24"), .until = day("2023-02-24")};
    expect_selection(*state, &f, "az-a,az-b");
}

static void test_select_countries_ignore_case(void **state)
{
    const char *const az[] = {"az"};
    chronicle_filter f = {.countries = az, .n_countries = 1};
    expect_selection(*state, &f, "az-a,az-b");
}

static void test_select_countries_are_or_ed(void **state)
{
    const char *const some[] = {"QA", "de", "XX"};
    chronicle_filter f = {.countries = some, .n_countries = 3};
    expect_selection(*state, &f, "qatar,berlin");
}

static void test_select_tags_are_or_ed_and_exact(void **state)
{
    const char *const tags[] = {"culture", "exhibition"};
    chronicle_filter f = {.tags = tags, .n_tags = 1};
    expect_selection(*state, &f, "paris,az-a");
    f.n_tags = 2;
    expect_selection(*state, &f, "paris,az-a,berlin");
    const char *const upper[] = {"Culture"};
    f.tags = upper;
    f.n_tags = 1;
    expect_selection(*state, &f, "");
}

static void test_select_criteria_are_and_ed(void **state)
{
    const char *const az_fr[] = {"AZ", "FR"};
    const char *const culture[] = {"culture"};
    chronicle_filter f = {.countries = az_fr, .n_countries = 2, .tags = culture, .n_tags = 1};
    expect_selection(*state, &f, "paris,az-a");
    f.since = day("2023-02-01");
    expect_selection(*state, &f, "az-a");
    f.until = day("2023-02-23");
    expect_selection(*state, &f, "");
}

static void test_select_from_empty_dataset(void **state)
{
    (void)state;
    static const char empty[] =
        "{\"schema\":\"chronicle/events@1\",\"title\":\"T\",\"sources\":[],\"events\":[]}";
    chronicle_dataset *ds = NULL;
    assert_int_equal(
        chronicle_dataset_load_buffer("e.json", empty, sizeof empty - 1, NULL, &ds, NULL),
        CHRONICLE_OK);
    expect_selection(ds, NULL, "");
    chronicle_dataset_free(ds);
}

/* ---- the sort itself, on events made here ---- */

typedef struct made {
    chronicle_event ev;
    char id[24];
    size_t order; /* position before sorting */
} made;

static void make(made *m, uint32_t ymd, const char *id, size_t order)
{
    memset(m, 0, sizeof *m);
    snprintf(m->id, sizeof m->id, "%s", id);
    m->ev.struct_size = sizeof m->ev;
    m->ev.date_ymd = ymd;
    m->ev.id = (chronicle_str){m->id, strlen(m->id)};
    m->order = order;
}

static void test_sort_orders_by_date_then_id(void **state)
{
    (void)state;
    made m[4];
    make(&m[0], 20230224, "b", 0);
    make(&m[1], 20190226, "z", 1);
    make(&m[2], 20230224, "a", 2);
    make(&m[3], 20230224, "B", 3); /* byte order: "B" < "a" < "b" */
    const chronicle_event *ev[4] = {&m[0].ev, &m[1].ev, &m[2].ev, &m[3].ev};
    assert_int_equal(chronicle_events_sort(ev, 4), CHRONICLE_OK);
    assert_ptr_equal(ev[0], &m[1].ev);
    assert_ptr_equal(ev[1], &m[3].ev);
    assert_ptr_equal(ev[2], &m[2].ev);
    assert_ptr_equal(ev[3], &m[0].ev);
}

static void test_sort_is_stable(void **state)
{
    (void)state;
    /* many events sharing few (date, id) keys, e.g. merged from two files */
    enum { N = 1000 };
    made *m = calloc(N, sizeof *m);
    const chronicle_event **ev = calloc(N, sizeof *ev);
    assert_non_null(m);
    assert_non_null(ev);
    static const char *const ids[] = {"a", "b", "c"};
    static const uint32_t dates[] = {20230224, 20190226, 20240101, 20230224};
    unsigned seed = 12345;
    for (size_t i = 0; i < N; i++) {
        seed = seed * 1103515245u + 12345u;
        make(&m[i], dates[(seed >> 16) % 4], ids[(seed >> 8) % 3], i);
        ev[i] = &m[i].ev;
    }
    assert_int_equal(chronicle_events_sort(ev, N), CHRONICLE_OK);
    for (size_t i = 1; i < N; i++) {
        const made *a = (const made *)ev[i - 1], *b = (const made *)ev[i];
        int cmp = a->ev.date_ymd != b->ev.date_ymd ? (a->ev.date_ymd < b->ev.date_ymd ? -1 : 1)
                                                   : strcmp(a->id, b->id);
        assert_true(cmp <= 0);
        if (cmp == 0) assert_true(a->order < b->order); /* equal keys keep their order */
    }
    free(ev);
    free(m);
}

/* Input already in order is left as it is (the sort looks once and stops);
 * one pair out of order anywhere, first or last, is still sorted. */
static void test_sort_sorted_and_nearly_sorted(void **state)
{
    (void)state;
    enum { N = 1000 };
    made *m = calloc(N, sizeof *m);
    const chronicle_event **ev = calloc(N, sizeof *ev);
    assert_non_null(m);
    assert_non_null(ev);
    for (size_t at = 0; at < 3; at++) { /* in order; swapped first pair; swapped last pair */
        for (size_t i = 0; i < N; i++) {
            char id[16];
            snprintf(id, sizeof id, "e%04zu", i % 7);
            make(&m[i], 20200101 + (uint32_t)(i / 7), id, i);
            ev[i] = &m[i].ev;
        }
        size_t swap = at == 1 ? 0 : N - 2;
        if (at) {
            const chronicle_event *t = ev[swap];
            ev[swap] = ev[swap + 1];
            ev[swap + 1] = t;
        }
        assert_int_equal(chronicle_events_sort(ev, N), CHRONICLE_OK);
        for (size_t i = 0; i < N; i++)
            if (((const made *)ev[i])->order != i)
                fail_msg("case %zu: position %zu holds event %zu", at, i,
                         ((const made *)ev[i])->order);
    }
    free(ev);
    free(m);
}

/* The sort compares the first 8 bytes of ids as a number before it falls
 * back to strcmp: ids that share those bytes, ids that are prefixes of
 * others, and bytes above 0x7F must still come out in strcmp's order. */
static void test_sort_orders_ids_like_strcmp(void **state)
{
    (void)state;
    static const char *const ids[] = {
        "event-00000010",
        "event-00000009",
        "event-0000001",
        "event-000",
        "event-",
        "\xC3\xA9vent-1",
        "event-0000000\xFF",
        "event-0000000\x7F",
        "event-00000000",
        "e",
        "",
        "eventual",
        "event-0000001a",
    };
    enum { N = sizeof ids / sizeof *ids };
    made m[N];
    const chronicle_event *ev[N];
    for (size_t i = 0; i < N; i++) {
        make(&m[i], 20230224, ids[i], i);
        ev[i] = &m[i].ev;
    }
    assert_int_equal(chronicle_events_sort(ev, N), CHRONICLE_OK);
    for (size_t i = 1; i < N; i++) {
        const made *a = (const made *)ev[i - 1], *b = (const made *)ev[i];
        if (strcmp(a->id, b->id) >= 0) fail_msg("\"%s\" sorted before \"%s\"", a->id, b->id);
    }
}

static void test_sort_of_zero_or_one_event(void **state)
{
    (void)state;
    made m;
    make(&m, 20230224, "a", 0);
    const chronicle_event *one[1] = {&m.ev};
    assert_int_equal(chronicle_events_sort(NULL, 0), CHRONICLE_OK);
    assert_int_equal(chronicle_events_sort(one, 1), CHRONICLE_OK);
    assert_ptr_equal(one[0], &m.ev);
}

int main(void)
{
#define T(name) cmocka_unit_test(name)
    const struct CMUnitTest with_dataset[] = {
        T(test_select_all_sorts_by_date_then_id),
        T(test_select_returns_the_dataset_events),
        T(test_select_since_is_inclusive),
        T(test_select_since_keeps_events_running_into_the_range),
        T(test_select_until_is_inclusive_and_uses_the_start),
        T(test_select_one_day),
        T(test_select_countries_ignore_case),
        T(test_select_countries_are_or_ed),
        T(test_select_tags_are_or_ed_and_exact),
        T(test_select_criteria_are_and_ed),
        T(test_select_from_empty_dataset),
        T(test_sort_orders_by_date_then_id),
        T(test_sort_is_stable),
        T(test_sort_sorted_and_nearly_sorted),
        T(test_sort_orders_ids_like_strcmp),
        T(test_sort_of_zero_or_one_event),
    };
    return cmocka_run_group_tests(with_dataset, setup, teardown);
}
