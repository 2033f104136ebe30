/*
 * test_utf8.c — strict decoding, validation, encoding and display width
 * (utf8.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "chronicle/utf8.h"

static size_t decode(const char *s, uint32_t *cp)
{
    *cp = 0xDEAD;
    return chronicle_utf8_decode(s, strlen(s), cp);
}

static void expect_decoded(const char *s, size_t n, uint32_t want)
{
    uint32_t cp;
    assert_int_equal(decode(s, &cp), n);
    assert_int_equal(cp, want);
}

static void expect_invalid(const char *s, size_t len)
{
    uint32_t cp;
    assert_int_equal(chronicle_utf8_decode(s, len, &cp), 0);
}

static void test_utf8_decodes_one_to_four_bytes(void **state)
{
    (void)state;
    expect_decoded("A", 1, 'A');
    expect_decoded("\x7F", 1, 0x7F);
    expect_decoded("ə", 2, 0x259);
    expect_decoded("\xC2\x80", 2, 0x80);
    expect_decoded("\xDF\xBF", 2, 0x7FF);
    expect_decoded("中", 3, 0x4E2D);
    expect_decoded("\xE0\xA0\x80", 3, 0x800);
    expect_decoded("\xEF\xBF\xBF", 3, 0xFFFF);
    expect_decoded("😀", 4, 0x1F600);
    expect_decoded("\xF0\x90\x80\x80", 4, 0x10000);
    expect_decoded("\xF4\x8F\xBF\xBF", 4, 0x10FFFF);
    expect_decoded("ab", 1, 'a'); /* one code point at a time */
}

static void test_utf8_decodes_nul_byte(void **state)
{
    (void)state;
    uint32_t cp = 1;
    assert_int_equal(chronicle_utf8_decode("\0", 1, &cp), 1);
    assert_int_equal(cp, 0);
}

static void test_utf8_rejects_overlong_forms(void **state)
{
    (void)state;
    expect_invalid("\xC0\x80", 2); /* U+0000 in two bytes */
    expect_invalid("\xC0\xAF", 2); /* '/' in two bytes */
    expect_invalid("\xC1\xBF", 2);
    expect_invalid("\xE0\x80\xAF", 3);     /* '/' in three bytes */
    expect_invalid("\xE0\x9F\xBF", 3);     /* U+07FF in three bytes */
    expect_invalid("\xF0\x80\x80\xAF", 4); /* '/' in four bytes */
    expect_invalid("\xF0\x8F\xBF\xBF", 4); /* U+FFFF in four bytes */
}

static void test_utf8_rejects_surrogates(void **state)
{
    (void)state;
    expect_invalid("\xED\xA0\x80", 3); /* U+D800 */
    expect_invalid("\xED\xAF\xBF", 3); /* U+DBFF */
    expect_invalid("\xED\xB0\x80", 3); /* U+DC00 */
    expect_invalid("\xED\xBF\xBF", 3); /* U+DFFF */
    expect_decoded("\xED\x9F\xBF", 3, 0xD7FF);
    expect_decoded("\xEE\x80\x80", 3, 0xE000);
}

static void test_utf8_rejects_code_points_past_10ffff(void **state)
{
    (void)state;
    expect_invalid("\xF4\x90\x80\x80", 4); /* U+110000 */
    expect_invalid("\xF5\x80\x80\x80", 4);
    expect_invalid("\xF7\xBF\xBF\xBF", 4);
    expect_invalid("\xF8\x88\x80\x80\x80", 5); /* old five-byte form */
    expect_invalid("\xFF", 1);
    expect_invalid("\xFE", 1);
}

static void test_utf8_rejects_truncated_sequences(void **state)
{
    (void)state;
    expect_invalid("\xC3", 1);
    expect_invalid("\xE4\xB8", 2);
    expect_invalid("\xF0\x9F\x98", 3);
    /* the length counts, not a NUL: a full sequence cut by len */
    expect_invalid("中", 2);
    expect_invalid("", 0);
}

static void test_utf8_rejects_bad_continuation_bytes(void **state)
{
    (void)state;
    expect_invalid("\x80", 1); /* a lone continuation byte */
    expect_invalid("\xBF", 1);
    expect_invalid("\xC3\x28", 2);
    expect_invalid("\xE4\x28\xAD", 3);
    expect_invalid("\xE4\xB8\xC0", 3);
    expect_invalid("\xF0\x9F\x28\x80", 4);
}

static void test_utf8_check_finds_the_first_bad_byte(void **state)
{
    (void)state;
    const char ok[] = "Xocalı 中 😀 plain ascii text that is long enough for the fast path";
    assert_int_equal(chronicle_utf8_check(ok, sizeof ok - 1), sizeof ok - 1);
    assert_int_equal(chronicle_utf8_check("", 0), 0);
    assert_int_equal(chronicle_utf8_check("abcdefghij\xFFz", 12), 10);
    assert_int_equal(chronicle_utf8_check("abcdefgh\xC3", 9), 8); /* cut at the end */
    assert_int_equal(chronicle_utf8_check("ə\xED\xA0\x80", 5), 2);
    assert_int_equal(chronicle_utf8_check("a\0b", 3), 3); /* NUL is valid UTF-8 */
}

static void test_utf8_encode_round_trips(void **state)
{
    (void)state;
    static const uint32_t cps[] = {0,      'A',    0x7F,    0x80,    0x259,
                                   0x7FF,  0x800,  0x4E2D,  0xD7FF,  0xE000,
                                   0xFFFD, 0xFFFF, 0x10000, 0x1F600, 0x10FFFF};
    for (size_t i = 0; i < sizeof cps / sizeof *cps; i++) {
        char out[4];
        size_t n = chronicle_utf8_encode(cps[i], out);
        size_t want = cps[i] < 0x80 ? 1 : cps[i] < 0x800 ? 2 : cps[i] < 0x10000 ? 3 : 4;
        assert_int_equal(n, want);
        uint32_t cp;
        assert_int_equal(chronicle_utf8_decode(out, n, &cp), n);
        assert_int_equal(cp, cps[i]);
    }
}

static void test_width_of_ascii_is_1(void **state)
{
    (void)state;
    for (uint32_t cp = 0x20; cp < 0x7F; cp++)
        assert_int_equal(chronicle_cp_width(cp), 1);
    assert_int_equal(chronicle_cp_width(0x259), 1); /* ə */
    assert_int_equal(chronicle_cp_width(0xE9), 1);  /* é */
    assert_int_equal(chronicle_cp_width(0x436), 1); /* ж */
}

static void test_width_of_cjk_is_2(void **state)
{
    (void)state;
    assert_int_equal(chronicle_cp_width(0x4E2D), 2);  /* 中 */
    assert_int_equal(chronicle_cp_width(0x3042), 2);  /* あ */
    assert_int_equal(chronicle_cp_width(0xAC00), 2);  /* 가 */
    assert_int_equal(chronicle_cp_width(0xFF21), 2);  /* fullwidth A */
    assert_int_equal(chronicle_cp_width(0x1F600), 2); /* 😀 */
    assert_int_equal(chronicle_cp_width(0x20000), 2); /* CJK extension B */
}

static void test_width_of_combining_marks_is_0(void **state)
{
    (void)state;
    assert_int_equal(chronicle_cp_width(0x301), 0);  /* combining acute */
    assert_int_equal(chronicle_cp_width(0x200B), 0); /* zero width space */
    assert_int_equal(chronicle_cp_width(0xFE0F), 0); /* variation selector */
    assert_int_equal(chronicle_cp_width(0x202E), 0); /* right-to-left override */
}

static void test_width_of_controls_is_minus_1(void **state)
{
    (void)state;
    for (uint32_t cp = 0; cp < 0x20; cp++)
        assert_int_equal(chronicle_cp_width(cp), -1);
    for (uint32_t cp = 0x7F; cp < 0xA0; cp++)
        assert_int_equal(chronicle_cp_width(cp), -1);
    assert_int_equal(chronicle_cp_width(0xA0), 1);
    assert_true(chronicle_cp_is_control(0x1B));
    assert_true(chronicle_cp_is_control(0x85));
    assert_false(chronicle_cp_is_control(0xA0));
    assert_false(chronicle_cp_is_control(' '));
}

static void test_bidi_controls_are_named(void **state)
{
    (void)state;
    static const uint32_t bidi[] = {0x061C, 0x200E, 0x200F, 0x202A, 0x202E, 0x2066, 0x2069};
    for (size_t i = 0; i < sizeof bidi / sizeof *bidi; i++)
        assert_true(chronicle_cp_is_bidi_control(bidi[i]));
    assert_false(chronicle_cp_is_bidi_control(0x200D)); /* ZWJ joins emoji */
    assert_false(chronicle_cp_is_bidi_control(0x2065));
    assert_false(chronicle_cp_is_bidi_control('a'));
}

static void test_width_of_strings(void **state)
{
    (void)state;
    assert_int_equal(chronicle_utf8_width("", 0), 0);
    assert_int_equal(chronicle_utf8_width("Baku", 4), 4);
    assert_int_equal(chronicle_utf8_width("Xocalı", strlen("Xocalı")), 6);
    assert_int_equal(chronicle_utf8_width("中文", strlen("中文")), 4);
    assert_int_equal(chronicle_utf8_width("e\xCC\x81", 3), 1); /* e + combining acute */
    assert_int_equal(chronicle_utf8_width("a\x1b"
                                          "b",
                                          3),
                     3); /* a control shows as one */
    assert_int_equal(chronicle_utf8_width("a\xFF"
                                          "b",
                                          3),
                     3); /* so does a bad byte */
}

static void test_clean_replaces_what_drives_a_terminal(void **state)
{
    (void)state;
    /* ESC, BEL, CR, a C1 control, U+202E, an invalid byte */
    const char in[] = "a\x1b[2Jb\x07\r\xc2\x9b"
                      "c\xe2\x80\xae\xff\nd";
    char *out = chronicle_utf8_clean(in, sizeof in - 1, SIZE_MAX, 1);
    assert_string_equal(out, "a\xEF\xBF\xBD[2Jb\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"
                             "c\xEF\xBF\xBD\xEF\xBF\xBD\nd");
    free(out);
    out = chronicle_utf8_clean("x\ny", 3, SIZE_MAX, 0);
    assert_string_equal(out, "x\xEF\xBF\xBDy");
    free(out);
}

static void test_clean_cuts_within_the_cap(void **state)
{
    (void)state;
    for (size_t cap = 3; cap < 14; cap++) {
        char *out = chronicle_utf8_clean("abcd\xC3\xA9"
                                         "fghij",
                                         11, cap, 0);
        assert_true(strlen(out) <= cap);
        assert_int_equal(chronicle_utf8_check(out, strlen(out)),
                         strlen(out)); /* never a cut character */
        if (cap < 11)
            assert_memory_equal(out + strlen(out) - 3, "\xE2\x80\xA6", 3);
        else
            assert_string_equal(out, "abcd\xC3\xA9"
                                     "fghij");
        free(out);
    }
}

static void test_bidi_controls_shown_visibly(void **state)
{
    (void)state;
    /* U+202E, U+2067 ... U+2069, U+200F, U+061C among Arabic and Hebrew letters */
    const char in[] = "a\xE2\x80\xAE"
                      "b \xE2\x81\xA7"
                      "\xD8\xA7\xE2\x81\xA9 "
                      "\xD7\xA9\xE2\x80\x8F\xD8\x9C"
                      "z";
    chronicle_buf b = CHRONICLE_BUF_INIT;
    assert_int_equal(chronicle_utf8_append_bidi_visible(&b, in, sizeof in - 1), CHRONICLE_OK);
    assert_string_equal(chronicle_buf_cstr(&b), "a<U+202E>b <U+2067>\xD8\xA7<U+2069> "
                                                "\xD7\xA9<U+200F><U+061C>z");
    /* right-to-left letters alone, and other U+2xxx punctuation, unchanged */
    chronicle_buf_reset(&b);
    const char rtl[] = "\xD8\xA7\xD9\x84\xD8\xAF\xD9\x88\xD8\xAD\xD8\xA9 \xE2\x80\x94 "
                       "\xD7\xA9\xD7\x9C\xD7\x95\xD7\x9D\xE2\x80\x8D";
    assert_int_equal(chronicle_utf8_append_bidi_visible(&b, rtl, sizeof rtl - 1), CHRONICLE_OK);
    assert_string_equal(chronicle_buf_cstr(&b), rtl);
    chronicle_buf_free(&b);
    uint32_t cp = 0;
    size_t n = 9;
    assert_int_equal(chronicle_utf8_find_bidi("abc", 3, &cp, &n), 3);
    assert_int_equal(n, 0);
    assert_int_equal(chronicle_utf8_find_bidi("ab\xE2\x80\x8E", 5, &cp, &n), 2);
    assert_int_equal(n, 3);
    assert_int_equal(cp, 0x200E);
    assert_int_equal(chronicle_utf8_find_bidi("ab\xE2\x80", 4, &cp, &n), 4); /* cut: not one */
    char shown[CHRONICLE_BIDI_VISIBLE_LEN + 1];
    assert_int_equal(chronicle_bidi_visible(0x202A, shown), CHRONICLE_BIDI_VISIBLE_LEN);
    assert_string_equal(shown, "<U+202A>");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_utf8_decodes_one_to_four_bytes),
        cmocka_unit_test(test_bidi_controls_are_named),
        cmocka_unit_test(test_bidi_controls_shown_visibly),
        cmocka_unit_test(test_utf8_decodes_nul_byte),
        cmocka_unit_test(test_utf8_rejects_overlong_forms),
        cmocka_unit_test(test_utf8_rejects_surrogates),
        cmocka_unit_test(test_utf8_rejects_code_points_past_10ffff),
        cmocka_unit_test(test_utf8_rejects_truncated_sequences),
        cmocka_unit_test(test_utf8_rejects_bad_continuation_bytes),
        cmocka_unit_test(test_utf8_check_finds_the_first_bad_byte),
        cmocka_unit_test(test_utf8_encode_round_trips),
        cmocka_unit_test(test_width_of_ascii_is_1),
        cmocka_unit_test(test_width_of_cjk_is_2),
        cmocka_unit_test(test_width_of_combining_marks_is_0),
        cmocka_unit_test(test_width_of_controls_is_minus_1),
        cmocka_unit_test(test_width_of_strings),
        cmocka_unit_test(test_clean_replaces_what_drives_a_terminal),
        cmocka_unit_test(test_clean_cuts_within_the_cap),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
