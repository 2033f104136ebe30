/*
 * test_diag.c — caller-owned diagnostics (diag.c): the entry limit and the
 * dropped count, copies of every string, and the line format the CLI prints.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

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
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
