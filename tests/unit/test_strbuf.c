/*
 * test_strbuf.c — chronicle_buf, the one growable string buffer (strbuf.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "chronicle/strbuf.h"

static void test_buf_zeroed_is_empty(void **state)
{
    (void)state;
    chronicle_buf b = CHRONICLE_BUF_INIT;
    assert_string_equal(chronicle_buf_cstr(&b), "");
    assert_int_equal(b.len, 0);
    assert_null(b.ptr);
    chronicle_buf_free(&b); /* nothing to free: still fine */
    chronicle_buf_reset(&b);
    chronicle_buf_truncate(&b, 0);
    assert_null(b.ptr);
}

static void test_buf_append_keeps_a_nul(void **state)
{
    (void)state;
    chronicle_buf b = CHRONICLE_BUF_INIT;
    assert_int_equal(chronicle_buf_puts(&b, "Khojaly"), CHRONICLE_OK);
    assert_int_equal(chronicle_buf_putc(&b, ' '), CHRONICLE_OK);
    assert_int_equal(chronicle_buf_append(&b, "1992xyz", 4), CHRONICLE_OK);
    assert_string_equal(chronicle_buf_cstr(&b), "Khojaly 1992");
    assert_int_equal(b.len, 12);
    assert_int_equal(b.ptr[b.len], '\0');
    assert_true(b.len < b.cap);
    chronicle_buf_free(&b);
    assert_null(b.ptr);
    assert_int_equal(b.len + b.cap, 0);
}

static void test_buf_append_of_nothing_makes_an_empty_string(void **state)
{
    (void)state;
    chronicle_buf b = CHRONICLE_BUF_INIT;
    assert_int_equal(chronicle_buf_append(&b, NULL, 0), CHRONICLE_OK);
    assert_non_null(b.ptr);
    assert_string_equal(b.ptr, "");
    chronicle_buf_free(&b);
}

static void test_buf_holds_embedded_nul_bytes(void **state)
{
    (void)state;
    chronicle_buf b = CHRONICLE_BUF_INIT;
    assert_int_equal(chronicle_buf_append(&b, "a\0b", 3), CHRONICLE_OK);
    assert_int_equal(b.len, 3);
    assert_memory_equal(b.ptr, "a\0b", 4);
    chronicle_buf_free(&b);
}

static void test_buf_grows_across_many_appends(void **state)
{
    (void)state;
    chronicle_buf b = CHRONICLE_BUF_INIT;
    for (int i = 0; i < 100000; i++)
        assert_int_equal(chronicle_buf_putc(&b, (char)('a' + i % 26)), CHRONICLE_OK);
    assert_int_equal(b.len, 100000);
    assert_int_equal(strlen(b.ptr), 100000);
    for (int i = 0; i < 100000; i++)
        assert_int_equal(b.ptr[i], 'a' + i % 26);
    chronicle_buf_free(&b);
}

static void test_buf_appendf_formats(void **state)
{
    (void)state;
    chronicle_buf b = CHRONICLE_BUF_INIT;
    assert_int_equal(chronicle_buf_appendf(&b, "%s: %d events", "AZ", 3), CHRONICLE_OK);
    assert_int_equal(chronicle_buf_appendf(&b, ", %zu%%", (size_t)50), CHRONICLE_OK);
    assert_string_equal(chronicle_buf_cstr(&b), "AZ: 3 events, 50%");
    chronicle_buf_free(&b);
}

static void test_buf_appendf_longer_than_its_scratch_space(void **state)
{
    (void)state;
    char big[1000];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    chronicle_buf b = CHRONICLE_BUF_INIT;
    chronicle_buf_puts(&b, "<");
    assert_int_equal(chronicle_buf_appendf(&b, "%s|%s", big, big), CHRONICLE_OK);
    assert_int_equal(b.len, 1 + 999 * 2 + 1);
    assert_int_equal(b.ptr[0], '<');
    assert_int_equal(b.ptr[1000], '|');
    assert_int_equal(b.ptr[b.len], '\0');
    assert_int_equal(strlen(b.ptr), b.len);
    chronicle_buf_free(&b);
}

static void test_buf_reset_keeps_memory(void **state)
{
    (void)state;
    chronicle_buf b = CHRONICLE_BUF_INIT;
    chronicle_buf_puts(&b, "some text");
    char *p = b.ptr;
    size_t cap = b.cap;
    chronicle_buf_reset(&b);
    assert_int_equal(b.len, 0);
    assert_string_equal(chronicle_buf_cstr(&b), "");
    assert_ptr_equal(b.ptr, p);
    assert_int_equal(b.cap, cap);
    chronicle_buf_puts(&b, "new");
    assert_string_equal(b.ptr, "new");
    chronicle_buf_free(&b);
}

static void test_buf_truncate_shortens_only(void **state)
{
    (void)state;
    chronicle_buf b = CHRONICLE_BUF_INIT;
    chronicle_buf_puts(&b, "abcdef");
    chronicle_buf_truncate(&b, 3);
    assert_string_equal(b.ptr, "abc");
    chronicle_buf_truncate(&b, 10); /* longer than the text: ignored */
    assert_string_equal(b.ptr, "abc");
    assert_int_equal(b.len, 3);
    chronicle_buf_free(&b);
}

static void test_buf_steal_hands_over_the_text(void **state)
{
    (void)state;
    chronicle_buf b = CHRONICLE_BUF_INIT;
    chronicle_buf_puts(&b, "mine");
    char *s = chronicle_buf_steal(&b);
    assert_string_equal(s, "mine");
    assert_null(b.ptr);
    assert_int_equal(b.len + b.cap, 0);
    free(s);
    /* an empty buffer still gives a string the caller can free */
    s = chronicle_buf_steal(&b);
    assert_non_null(s);
    assert_string_equal(s, "");
    free(s);
}

static void test_buf_reserve_makes_room(void **state)
{
    (void)state;
    chronicle_buf b = CHRONICLE_BUF_INIT;
    assert_int_equal(chronicle_buf_reserve(&b, 1000), CHRONICLE_OK);
    assert_true(b.cap >= 1001);
    assert_string_equal(chronicle_buf_cstr(&b), "");
    char *p = b.ptr;
    for (int i = 0; i < 1000; i++)
        chronicle_buf_putc(&b, 'z');
    assert_ptr_equal(b.ptr, p); /* no move: the room was there */
    chronicle_buf_free(&b);
}

static void test_buf_refuses_impossible_sizes(void **state)
{
    (void)state;
    chronicle_buf b = CHRONICLE_BUF_INIT;
    chronicle_buf_puts(&b, "x");
    assert_int_equal(chronicle_buf_reserve(&b, SIZE_MAX), CHRONICLE_ERR_NOMEM);
    assert_int_equal(chronicle_buf_reserve(&b, SIZE_MAX / 2), CHRONICLE_ERR_NOMEM);
    assert_string_equal(b.ptr, "x"); /* left as it was */
    chronicle_buf_free(&b);
}

static void test_json_string_escapes_what_json_needs(void **state)
{
    (void)state;
    chronicle_buf b = CHRONICLE_BUF_INIT;
    assert_int_equal(chronicle_buf_put_json_string(&b, "a\"b\\c\n\x7f\xc3\xa9"), CHRONICLE_OK);
    assert_string_equal(chronicle_buf_cstr(&b), "\"a\\\"b\\\\c\\u000a\\u007f\xc3\xa9\"");
    chronicle_buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_buf_zeroed_is_empty),
        cmocka_unit_test(test_buf_append_keeps_a_nul),
        cmocka_unit_test(test_buf_append_of_nothing_makes_an_empty_string),
        cmocka_unit_test(test_buf_holds_embedded_nul_bytes),
        cmocka_unit_test(test_buf_grows_across_many_appends),
        cmocka_unit_test(test_buf_appendf_formats),
        cmocka_unit_test(test_buf_appendf_longer_than_its_scratch_space),
        cmocka_unit_test(test_buf_reset_keeps_memory),
        cmocka_unit_test(test_buf_truncate_shortens_only),
        cmocka_unit_test(test_buf_steal_hands_over_the_text),
        cmocka_unit_test(test_buf_reserve_makes_room),
        cmocka_unit_test(test_buf_refuses_impossible_sizes),
        cmocka_unit_test(test_json_string_escapes_what_json_needs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
