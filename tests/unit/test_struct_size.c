/*
 * test_struct_size.c — caller-filled public structs with struct_size
 * (struct_size.h): the library reads no further than the caller said, and
 * 0 means the 1.0 layout; then the public functions that take them, with
 * a struct exactly as large as the 1.0 layout, one from a newer caller
 * with members this library does not know, and `= {0}`.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "chronicle/dataset.h"
#include "chronicle/registry.h"
#include "struct_size.h"

/* A struct at 1.0, as 1.1 will grow it, and as a later caller may have it. */
typedef struct v10 {
    int a;
    size_t struct_size;
} v10;
typedef struct v11 {
    int a;
    size_t struct_size;
    int b; /* 1.1 */
} v11;
typedef struct v12 {
    int a;
    size_t struct_size;
    int b;
    long c[8]; /* 1.2: unknown to a 1.1 library */
} v12;

static void test_zero_struct_size_reads_the_1_0_layout(void **state)
{
    (void)state;
    v11 caller = {.a = 5, .b = 7}; /* compiled against 1.1, struct_size left 0 */
    v11 lib;
    CHRONICLE__STRUCT_READ(v11, &lib, &caller);
    assert_int_equal(lib.a, 5);
    assert_int_equal(lib.b, 0); /* not announced: the default */
}

static void test_old_caller_is_read_within_its_size(void **state)
{
    (void)state;
    v10 *caller = malloc(sizeof *caller); /* exactly 1.0's size: ASan/valgrind see any overread */
    caller->a = 3;
    caller->struct_size = sizeof(v10);
    v11 lib;
    memset(&lib, 0xff, sizeof lib);
    CHRONICLE__STRUCT_READ(v11, &lib, caller);
    assert_int_equal(lib.a, 3);
    assert_int_equal(lib.b, 0);
    free(caller);
}

static void test_newer_caller_is_read_up_to_what_the_library_knows(void **state)
{
    (void)state;
    struct {
        v11 lib;
        unsigned char canary[64];
    } out;
    memset(out.canary, 0xab, sizeof out.canary);
    v12 caller = {.a = 1, .struct_size = sizeof(v12), .b = 2, .c = {3, 3, 3, 3, 3, 3, 3, 3}};
    CHRONICLE__STRUCT_READ(v11, &out.lib, &caller);
    assert_int_equal(out.lib.a, 1);
    assert_int_equal(out.lib.b, 2);
    for (size_t i = 0; i < sizeof out.canary; i++)
        assert_int_equal(out.canary[i], 0xab);
}

static void test_null_reads_as_the_defaults(void **state)
{
    (void)state;
    v11 lib;
    memset(&lib, 0xff, sizeof lib);
    CHRONICLE__STRUCT_READ(v11, &lib, NULL);
    assert_int_equal(lib.a, 0);
    assert_int_equal(lib.b, 0);
}

static const char dataset_json[] =
    "{\"schema\":\"chronicle/events@1\",\"title\":\"T\","
    "\"sources\":[{\"id\":\"s1\",\"document\":\"d.txt\"}],\"events\":["
    "{\"id\":\"old\",\"title\":\"O\",\"date\":\"2019-02-26\",\"location\":{\"country\":"
    "\"Qatar\",\"country_code\":\"QA\"},\"occasion\":{\"subject\":\"S\"},\"sources\":[\"s1\"]},"
    "{\"id\":\"new\",\"title\":\"N\",\"date\":\"2024-02-26\",\"location\":{\"country\":"
    "\"Germany\",\"country_code\":\"DE\"},\"occasion\":{\"subject\":\"S\"},\"sources\":[\"s1\"]}"
    "]}";

static size_t count_since(const chronicle_dataset *ds, const chronicle_filter *f)
{
    const chronicle_event **ev = NULL;
    size_t n = 99;
    assert_int_equal(chronicle_dataset_select(ds, f, &ev, &n), CHRONICLE_OK);
    free(ev);
    return n;
}

static void test_public_structs_honour_struct_size(void **state)
{
    (void)state;
    /* a 1.0 caller's load options, exactly that large */
    size_t size_1_0 = offsetof(chronicle_load_opts, struct_size) + sizeof(size_t);
    chronicle_load_opts *opts = calloc(1, size_1_0);
    opts->format = CHRONICLE_FORMAT_JSON;
    chronicle_dataset *ds = NULL;
    chronicle_diag *d = chronicle_diag_new(0);
    assert_int_equal(chronicle_dataset_load_buffer("t.ndjson", dataset_json,
                                                   sizeof dataset_json - 1, opts, &ds, d),
                     CHRONICLE_OK);
    free(opts);
    chronicle_diag_free(d);

    /* `= {0}`, then a member set: struct_size 0 */
    chronicle_filter zero = {0};
    zero.since = chronicle_date_parse("2020-01-01", 10);
    assert_int_equal(count_since(ds, &zero), 1);
    assert_int_equal(chronicle_filter_match(&zero, chronicle_dataset_event(ds, 0)), 0);

    /* a newer caller: struct_size past this library's sizeof, unknown members set */
    struct {
        chronicle_filter f;
        unsigned char future[32];
    } newer;
    memset(&newer, 0x5a, sizeof newer);
    memset(&newer.f, 0, sizeof newer.f);
    newer.f.since = chronicle_date_parse("2020-01-01", 10);
    newer.f.struct_size = sizeof newer;
    assert_int_equal(count_since(ds, &newer.f), 1);
    assert_int_equal(chronicle_filter_match(&newer.f, chronicle_dataset_event(ds, 1)), 1);

    /* the registry's options, a 1.0 caller's size, no_env honoured */
    size_t reg_1_0 = offsetof(chronicle_registry_opts, struct_size) + sizeof(size_t);
    chronicle_registry_opts *ro = calloc(1, reg_1_0);
    ro->no_env = 1;
    chronicle_registry *reg = NULL;
    assert_int_equal(chronicle_registry_new(ro, &reg), CHRONICLE_OK);
    free(ro);
    chronicle_registry_free(reg);
    chronicle_dataset_free(ds);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_zero_struct_size_reads_the_1_0_layout),
        cmocka_unit_test(test_old_caller_is_read_within_its_size),
        cmocka_unit_test(test_newer_caller_is_read_up_to_what_the_library_knows),
        cmocka_unit_test(test_null_reads_as_the_defaults),
        cmocka_unit_test(test_public_structs_honour_struct_size),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
