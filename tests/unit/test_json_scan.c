/*
 * test_json_scan.c — the validating skipper (json_scan.c, internal:
 * json_scan.h), above all its word-at-a-time string loop: every byte that
 * ends a run of plain text must be seen at every position of a word.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "json_scan.h"

/* Skips text as a whole document; returns the result, *end the position. */
static scan_result scan_doc(const char *text, size_t *end, scan_error *err)
{
    size_t pos = 0;
    scan_result r = chronicle__json_skip_value(text, strlen(text), &pos, 1, JSON_MAX_DEPTH, err);
    *end = pos;
    return r;
}

/* "aaaa...X...aaaa" with X at every offset from 0 to 23: what X does must
 * not depend on where it falls in an 8-byte word. */
static void each_offset(const char *x, scan_result want, const char *reason)
{
    for (size_t at = 0; at < 24; at++) {
        char text[128];
        int n = snprintf(text, sizeof text, "\"%.*s%s%.*s\"", (int)at, "aaaaaaaaaaaaaaaaaaaaaaaa",
                         x, (int)(23 - at), "bbbbbbbbbbbbbbbbbbbbbbbb");
        assert_true(n > 0 && (size_t)n < sizeof text);
        size_t end;
        scan_error err = {0};
        scan_result r = scan_doc(text, &end, &err);
        if (r != want)
            fail_msg("%s at offset %zu: result %d, want %d (%s)", x, at, r, want, err.reason);
        if (want == SCAN_OK) {
            assert_int_equal(end, strlen(text));
        } else {
            assert_int_equal(err.offset, 1 + at); /* the offending byte itself */
            assert_non_null(strstr(err.reason, reason));
        }
    }
}

static void test_plain_strings_of_every_length(void **state)
{
    (void)state;
    char text[80];
    for (size_t len = 0; len < 70; len++) {
        text[0] = '"';
        memset(text + 1, 'z', len);
        text[len + 1] = '"';
        text[len + 2] = '\0';
        size_t end;
        scan_error err;
        assert_int_equal(scan_doc(text, &end, &err), SCAN_OK);
        assert_int_equal(end, len + 2);
    }
}

static void test_quote_ends_the_string_wherever_it_falls(void **state)
{
    (void)state;
    for (size_t at = 0; at < 24; at++) {
        char text[64];
        snprintf(text, sizeof text, "\"%.*s\" ", (int)at, "cccccccccccccccccccccccc");
        size_t end;
        scan_error err;
        assert_int_equal(scan_doc(text, &end, &err), SCAN_OK);
        assert_int_equal(end, at + 2);
    }
}

static void test_escapes_and_utf8_wherever_they_fall(void **state)
{
    (void)state;
    each_offset("\\\"", SCAN_OK, NULL);
    each_offset("\\\\", SCAN_OK, NULL);
    each_offset("\\n", SCAN_OK, NULL);
    each_offset("\\u0259", SCAN_OK, NULL);
    each_offset("\\uD83D\\uDE00", SCAN_OK, NULL);
    each_offset("\xC9\x99", SCAN_OK, NULL);         /* ə */
    each_offset("\xE4\xB8\xAD", SCAN_OK, NULL);     /* 中 */
    each_offset("\xF0\x9F\x98\x80", SCAN_OK, NULL); /* U+1F600 */
    each_offset("~", SCAN_OK, NULL);                /* 0x7E: the last plain byte */
    each_offset(" ", SCAN_OK, NULL);                /* 0x20: the first */
    each_offset("\t", SCAN_ERROR, "control character");
}

static void test_forbidden_bytes_wherever_they_fall(void **state)
{
    (void)state;
    each_offset("\x01", SCAN_ERROR, "control character U+0001");
    each_offset("\x1F", SCAN_ERROR, "control character U+001F");
    each_offset("\x7F", SCAN_ERROR, "control character U+007F");
    each_offset("\xC2\x85", SCAN_ERROR, "control character U+0085"); /* C1 NEL */
    each_offset("\xFF", SCAN_ERROR, "invalid UTF-8");
    each_offset("\xC3", SCAN_ERROR, "invalid UTF-8");
    each_offset("\xE2\x82", SCAN_ERROR, "invalid UTF-8");
    each_offset("\\x", SCAN_ERROR, "invalid escape");
    each_offset("\\u0000", SCAN_ERROR, "\\u0000");
    each_offset("\\uDC00", SCAN_ERROR, "unpaired surrogate");
}

static void test_a_cut_string_asks_for_more(void **state)
{
    (void)state;
    const char *text = "\"abcdefghijklmnopqrstuvwxyz";
    for (size_t len = 1; len <= strlen(text); len++) {
        size_t pos = 0;
        scan_error err;
        assert_int_equal(chronicle__json_skip_value(text, len, &pos, 0, JSON_MAX_DEPTH, &err),
                         SCAN_MORE);
        assert_int_equal(chronicle__json_skip_value(text, len, &pos, 1, JSON_MAX_DEPTH, &err),
                         SCAN_ERROR);
        assert_non_null(strstr(err.reason, "unterminated"));
    }
}

static void test_structure(void **state)
{
    (void)state;
    size_t end;
    scan_error err;
    assert_int_equal(scan_doc("{\"a\":[1,-0.5e+3,true,false,null,{\"b\":\"c\"}]}", &end, &err),
                     SCAN_OK);
    assert_int_equal(scan_doc("[01]", &end, &err), SCAN_ERROR);
    assert_non_null(strstr(err.reason, "leading zero"));
    assert_int_equal(scan_doc("{\"a\" 1}", &end, &err), SCAN_ERROR);
    assert_non_null(strstr(err.reason, "':'"));
    assert_int_equal(scan_doc("[1,]", &end, &err), SCAN_ERROR);
    char deep[200];
    memset(deep, '[', 65);
    deep[65] = '\0';
    assert_int_equal(scan_doc(deep, &end, &err), SCAN_ERROR);
    assert_non_null(strstr(err.reason, "nesting deeper than 64"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain_strings_of_every_length),
        cmocka_unit_test(test_quote_ends_the_string_wherever_it_falls),
        cmocka_unit_test(test_escapes_and_utf8_wherever_they_fall),
        cmocka_unit_test(test_forbidden_bytes_wherever_they_fall),
        cmocka_unit_test(test_a_cut_string_asks_for_more),
        cmocka_unit_test(test_structure),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
