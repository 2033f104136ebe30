/*
 * test_diag.c — caller-owned diagnostics (diag.c): the entry limit and the
 * dropped count, copies of every string, the line format the CLI prints, and
 * the stable code on every entry (the library's own sites: one load per code).
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
#include "chronicle/diag.h"

static char *formatted(const chronicle_diag *d, size_t i)
{
    chronicle_buf b = CHRONICLE_BUF_INIT;
    assert_int_equal(chronicle_diag_format(chronicle_diag_at(d, i), &b), CHRONICLE_OK);
    return chronicle_buf_steal(&b);
}

static void expect_line(const chronicle_diag *d, size_t i, const char *want)
{
    char *got = formatted(d, i);
    assert_string_equal(got, want);
    free(got);
}

static void test_diag_formats_syntax_content_and_plain_errors(void **state)
{
    (void)state;
    chronicle_diag *d = chronicle_diag_new(0);
    chronicle_diag_add(d, CHRONICLE_SEV_ERROR, "data/x.json", 3, 14, NULL, "number with a %s",
                       "leading zero");
    chronicle_diag_add(d, CHRONICLE_SEV_ERROR, "data/x.json", 0, 0, "/events/3/date",
                       "\"%s\" is not a calendar date", "2023-02-30");
    chronicle_diag_add(d, CHRONICLE_SEV_ERROR, "data/x.json", 0, 0, NULL, "cannot open");
    chronicle_diag_add(d, CHRONICLE_SEV_ERROR, "x.json", 0, 0, "", "expected an object");
    chronicle_diag_add(d, CHRONICLE_SEV_WARNING, "x.json", 0, 0, "/events/0/statements/0/source",
                       "not listed");
    chronicle_diag_add(d, CHRONICLE_SEV_ERROR, NULL, 0, 0, NULL, "no file at all");
    chronicle_diag_add(d, CHRONICLE_SEV_ERROR, "x.json", 7, 0, NULL, "line only");
    expect_line(d, 0, "data/x.json:3:14: number with a leading zero");
    expect_line(d, 1, "data/x.json: /events/3/date: \"2023-02-30\" is not a calendar date");
    expect_line(d, 2, "data/x.json: cannot open");
    expect_line(d, 3, "x.json: /: expected an object"); /* "" is the whole document */
    expect_line(d, 4, "x.json: /events/0/statements/0/source: warning: not listed");
    expect_line(d, 5, "no file at all");
    expect_line(d, 6, "x.json:7: line only");
    assert_int_equal(chronicle_diag_count(d), 7);
    assert_int_equal(chronicle_diag_errors(d), 6);
    chronicle_diag_free(d);
}

static void test_diag_copies_every_string(void **state)
{
    (void)state;
    chronicle_diag *d = chronicle_diag_new(0);
    char file[] = "a.json", ptr[] = "/title", msg[] = "bad";
    chronicle_diag_add(d, CHRONICLE_SEV_ERROR, file, 0, 0, ptr, "%s", msg);
    file[0] = ptr[1] = msg[0] = 'X';
    const chronicle_diag_entry *e = chronicle_diag_at(d, 0);
    assert_string_equal(e->file, "a.json");
    assert_string_equal(e->pointer, "/title");
    assert_string_equal(e->message, "bad");
    assert_int_equal(e->severity, CHRONICLE_SEV_ERROR);
    assert_null(chronicle_diag_at(d, 1));
    chronicle_diag_free(d);
}

static void test_diag_keeps_at_most_its_limit_and_counts_the_rest(void **state)
{
    (void)state;
    chronicle_diag *d = chronicle_diag_new(3);
    for (int i = 0; i < 10; i++)
        chronicle_diag_add(d, i == 9 ? CHRONICLE_SEV_WARNING : CHRONICLE_SEV_ERROR, "f", 0, 0, NULL,
                           "error %d", i);
    assert_int_equal(chronicle_diag_count(d), 3);
    assert_int_equal(chronicle_diag_dropped(d), 7);
    assert_int_equal(chronicle_diag_errors(d), 9); /* kept or dropped, warnings aside */
    assert_string_equal(chronicle_diag_at(d, 2)->message, "error 2"); /* the first ones stay */
    chronicle_diag_free(d);
}

static void test_diag_default_limit_is_100(void **state)
{
    (void)state;
    chronicle_diag *d = chronicle_diag_new(0);
    for (int i = 0; i < 1000; i++)
        chronicle_diag_add(d, CHRONICLE_SEV_ERROR, "f", 0, 0, NULL, "e");
    assert_int_equal(chronicle_diag_count(d), 100);
    assert_int_equal(chronicle_diag_dropped(d), 900);
    chronicle_diag_free(d);
}

static void test_diag_clear_starts_over(void **state)
{
    (void)state;
    chronicle_diag *d = chronicle_diag_new(2);
    for (int i = 0; i < 5; i++)
        chronicle_diag_add(d, CHRONICLE_SEV_ERROR, "f", 0, 0, NULL, "e");
    chronicle_diag_clear(d);
    assert_int_equal(chronicle_diag_count(d), 0);
    assert_int_equal(chronicle_diag_errors(d), 0);
    assert_int_equal(chronicle_diag_dropped(d), 0);
    chronicle_diag_add(d, CHRONICLE_SEV_ERROR, "g", 1, 1, NULL, "again");
    expect_line(d, 0, "g:1:1: again");
    chronicle_diag_free(d);
}

static void test_diag_null_is_harmless(void **state)
{
    (void)state;
    chronicle_diag_add(NULL, CHRONICLE_SEV_ERROR, "f", 0, 0, NULL, "lost");
    assert_int_equal(chronicle_diag_count(NULL), 0);
    assert_int_equal(chronicle_diag_errors(NULL), 0);
    assert_null(chronicle_diag_at(NULL, 0));
    chronicle_diag_clear(NULL);
    chronicle_diag_free(NULL);
}

static void test_diag_long_message(void **state)
{
    (void)state;
    chronicle_diag *d = chronicle_diag_new(0);
    char big[2000];
    memset(big, 'm', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    chronicle_diag_add(d, CHRONICLE_SEV_ERROR, "f", 0, 0, "/p", "%s!", big);
    assert_int_equal(strlen(chronicle_diag_at(d, 0)->message), sizeof big);
    assert_string_equal(chronicle_diag_at(d, 0)->pointer, "/p");
    chronicle_diag_free(d);
}

static void test_strerror_has_words_for_every_status(void **state)
{
    (void)state;
    assert_string_equal(chronicle_strerror(CHRONICLE_OK), "success");
    assert_string_equal(chronicle_strerror(CHRONICLE_ERR_IO), "input/output error");
    assert_string_equal(chronicle_strerror(CHRONICLE_ERR_NOMEM), "out of memory");
    assert_string_equal(chronicle_strerror(CHRONICLE_ERR_DATA), "invalid data");
    for (int st = CHRONICLE_OK; st <= CHRONICLE_ERR_PLUGIN; st++)
        assert_string_not_equal(chronicle_strerror((chronicle_status)st), "unknown error");
    assert_string_equal(chronicle_strerror((chronicle_status)999), "unknown error");
}

static void test_diag_code_names_are_kebab_case_and_distinct(void **state)
{
    (void)state;
    size_t n = chronicle_diag_code_count();
    assert_true(n >= 30);
    assert_string_equal(chronicle_diag_code_name(CHRONICLE_DIAG_OTHER), "other");
    assert_string_equal(chronicle_diag_code_name(CHRONICLE_DIAG_UNKNOWN_SOURCE), "unknown-source");
    assert_string_equal(chronicle_diag_code_name(CHRONICLE_DIAG_DATE_ORDER), "date-order");
    assert_string_equal(chronicle_diag_code_name(CHRONICLE_DIAG_JOB), "job");
    assert_int_equal(CHRONICLE_DIAG_JOB, n - 1); /* the last code, until one is appended */
    for (size_t i = 0; i < n; i++) {
        const char *name = chronicle_diag_code_name((chronicle_diag_code)i);
        assert_non_null(name);
        assert_true(*name >= 'a' && *name <= 'z');
        assert_int_equal(strspn(name, "abcdefghijklmnopqrstuvwxyz-"), strlen(name));
        for (size_t j = 0; j < i; j++)
            assert_string_not_equal(name, chronicle_diag_code_name((chronicle_diag_code)j));
    }
    assert_null(chronicle_diag_code_name((chronicle_diag_code)n));
    assert_null(chronicle_diag_code_name((chronicle_diag_code)-1));
}

static void test_diag_entries_carry_their_code(void **state)
{
    (void)state;
    chronicle_diag *d = chronicle_diag_new(0);
    chronicle_diag_add_coded(d, CHRONICLE_DIAG_DATE, CHRONICLE_SEV_ERROR, "x.json", 0, 0,
                             "/events/0/date", "\"%s\" is not a calendar date", "2024-02-30");
    chronicle_diag_add(d, CHRONICLE_SEV_ERROR, "x.json", 0, 0, NULL, "no code given");
    chronicle_diag_add_coded(d, (chronicle_diag_code)9999, CHRONICLE_SEV_WARNING, NULL, 0, 0, NULL,
                             "not a code");
    assert_int_equal(chronicle_diag_count(d), 3);
    assert_string_equal(chronicle_diag_at(d, 0)->code, "date");
    assert_string_equal(chronicle_diag_at(d, 0)->message, "\"2024-02-30\" is not a calendar date");
    assert_string_equal(chronicle_diag_at(d, 1)->code, "other");
    assert_string_equal(chronicle_diag_at(d, 2)->code, "other");
    /* the code does not change the line the CLI prints */
    expect_line(d, 0, "x.json: /events/0/date: \"2024-02-30\" is not a calendar date");
    chronicle_diag_free(d);
}

/* The code of the first entry a load of text gives. */
static const char *first_code(const char *name, const char *text)
{
    static char code[64];
    chronicle_diag *d = chronicle_diag_new(0);
    chronicle_dataset *ds = NULL;
    chronicle_status st = chronicle_dataset_load_buffer(name, text, strlen(text), NULL, &ds, d);
    assert_int_not_equal(st, CHRONICLE_OK);
    assert_null(ds);
    assert_true(chronicle_diag_count(d) >= 1);
    const chronicle_diag_entry *e = chronicle_diag_at(d, 0);
    assert_non_null(e->code);
    snprintf(code, sizeof code, "%s", e->code);
    chronicle_diag_free(d);
    return code;
}

#define HEAD "{\"schema\": \"chronicle/events@1\", \"title\": \"T\", "
#define SRC "\"sources\": [{\"id\": \"s\", \"document\": \"D\"}], "
#define EVENT(extra)                                                                               \
    "\"events\": [{\"id\": \"e\", \"title\": \"E\", \"date\": \"2024-01-01\", "                    \
    "\"location\": {\"country\": \"Azerbaijan\", \"country_code\": \"AZ\"}, "                      \
    "\"occasion\": {\"subject\": \"S\"}, \"sources\": [\"s\"]" extra "}]}"

static void test_load_sites_give_precise_codes(void **state)
{
    (void)state;
    static const struct {
        const char *code, *text;
    } cases[] = {
        {"syntax", HEAD SRC "\"events\": [}"},
        {"encoding", HEAD "\"description\": \"a\\u0000b\", " SRC EVENT("")},
        {"empty-file", "  \n"},
        {"type", "[]"},
        {"schema", "{\"schema\": \"other/x@1\", \"title\": \"T\", " SRC EVENT("")},
        {"version", "{\"schema\": \"chronicle/events@2\", \"title\": \"T\", " SRC EVENT("")},
        {"required", "{\"schema\": \"chronicle/events@1\", " SRC EVENT("")},
        {"empty", "{\"schema\": \"chronicle/events@1\", \"title\": \" \", " SRC EVENT("")},
        {"date", HEAD SRC EVENT(", \"end_date\": \"2024-02-30\"")},
        {"date-order", HEAD SRC EVENT(", \"end_date\": \"2023-12-31\"")},
        {"url", HEAD
         "\"sources\": [{\"id\": \"s\", \"document\": \"D\", \"url\": \"ftp://x\"}], " EVENT("")},
        {"duplicate-member", HEAD SRC EVENT(", \"summary\": \"a\", \"summary\": \"b\"")},
        {"unknown-source", HEAD SRC EVENT(", \"statements\": [{\"speaker\": \"A\", \"summary\": "
                                          "\"B\", \"source\": \"nope\"}]")},
        {"range", HEAD SRC EVENT(", \"figures\": [{\"label\": \"L\", \"value\": 1e400, "
                                 "\"source\": \"s\"}]")},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        const char *got = first_code("t.json", cases[i].text);
        if (strcmp(got, cases[i].code)) print_message("case %zu: got %s\n", i, got);
        assert_string_equal(got, cases[i].code);
    }
    assert_string_equal(first_code("t.ndjson", "{\"schema\": \"chronicle/events@1\", \"title\": "
                                               "\"T\", \"sources\": [], \"events\": []}\n"),
                        "structure");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_diag_formats_syntax_content_and_plain_errors),
        cmocka_unit_test(test_diag_copies_every_string),
        cmocka_unit_test(test_diag_keeps_at_most_its_limit_and_counts_the_rest),
        cmocka_unit_test(test_diag_default_limit_is_100),
        cmocka_unit_test(test_diag_clear_starts_over),
        cmocka_unit_test(test_diag_null_is_harmless),
        cmocka_unit_test(test_diag_long_message),
        cmocka_unit_test(test_strerror_has_words_for_every_status),
        cmocka_unit_test(test_diag_code_names_are_kebab_case_and_distinct),
        cmocka_unit_test(test_diag_entries_carry_their_code),
        cmocka_unit_test(test_load_sites_give_precise_codes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
