/*
 * test_text_wrap.c — the text exporter's line breaker and sanitiser
 * (plugins/text/wrap.c): widths by display columns, long words, control
 * characters, and a deterministic fuzz that no line is too wide and no text
 * is lost.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "chronicle/strbuf.h"
#include "chronicle/utf8.h"
#include "wrap.h"

static const char *wrap(chronicle_buf *b, const char *lead, const char *s, size_t width,
                        size_t indent, int ascii)
{
    text_wrap_opts o = {width, indent, ascii, 0};
    chronicle_buf_reset(b);
    assert_int_equal(text_wrap(b, lead, s, strlen(s), &o), CHRONICLE_OK);
    return chronicle_buf_cstr(b);
}

static const char *sanitize(chronicle_buf *b, const char *s, size_t len, int ascii)
{
    chronicle_buf_reset(b);
    assert_int_equal(text_sanitize(b, s, len, ascii), CHRONICLE_OK);
    return chronicle_buf_cstr(b);
}

static void test_wrap_counts_wide_chars_as_two(void **state)
{
    (void)state;
    chronicle_buf b = CHRONICLE_BUF_INIT;
    /* 8 columns of CJK + space + "ab" = 11 columns: too wide for 10, though
     * only 7 characters */
    assert_string_equal(wrap(&b, "", "你好你好 ab", 10, 0, 0), "你好你好\nab\n");
    assert_string_equal(wrap(&b, "", "你好 世界 你好", 10, 0, 0), "你好 世界\n你好\n");
    /* combining marks take no column: five base letters fit in 5 */
    assert_string_equal(wrap(&b, "", "e\314\201e\314\201e\314\201e\314\201e\314\201 x", 6, 0, 0),
                        "e\314\201e\314\201e\314\201e\314\201e\314\201\nx\n");
    /* a wide character that would straddle the margin moves down */
    assert_string_equal(wrap(&b, "", "中中中", 5, 0, 0), "中中\n中\n");
    assert_int_equal(chronicle_utf8_width("Ə中a", strlen("Ə中a")), 4);
    /* ideographs break anywhere, so a run of them fills the line, but a
     * closing comma never starts one */
    assert_string_equal(wrap(&b, "", "王小明: 王小明表示这次", 16, 0, 0),
                        "王小明: 王小明表\n示这次\n");
    assert_string_equal(wrap(&b, "", "王小明: 王小明表，这", 16, 0, 0), "王小明: 王小明\n表，这\n");
    chronicle_buf_free(&b);
}

static void test_wrap_hangs_continuation_under_lead(void **state)
{
    (void)state;
    chronicle_buf b = CHRONICLE_BUF_INIT;
    assert_string_equal(wrap(&b, "Place    ", "one two three four five", 20, 9, 0),
                        "Place    one two\n         three four\n         five\n");
    /* a newline in the data starts a new line; blank runs collapse; no
     * trailing spaces */
    assert_string_equal(wrap(&b, "  - ", "a  b\n\nc   ", 20, 4, 0), "  - a b\n    c\n");
    /* empty text: the lead alone, without its trailing spaces */
    assert_string_equal(wrap(&b, "Label   ", "", 20, 8, 0), "Label\n");
    chronicle_buf_free(&b);
}

static void test_wrap_breaks_overlong_word(void **state)
{
    (void)state;
    chronicle_buf b = CHRONICLE_BUF_INIT;
    assert_string_equal(wrap(&b, "", "aaaaaaaaaaaaaaaaaaaaaaaaa", 10, 2, 0),
                        "aaaaaaaaaa\n  aaaaaaaa\n  aaaaaaa\n");
    /* it starts on a line of its own, not after a short word */
    assert_string_equal(wrap(&b, "", "ab cdefghijklmn", 6, 0, 0), "ab\ncdefgh\nijklmn\n");
    /* never between a letter and its combining mark */
    assert_string_equal(wrap(&b, "", "abcde\314\201fgh", 5, 0, 0), "abcde\314\201\nfgh\n");
    assert_string_equal(wrap(&b, "", "abcd\314\201\314\202efgh", 3, 0, 0),
                        "abc\nd\314\201\314\202ef\ngh\n");
    /* never inside a UTF-8 sequence: Cyrillic letters are two bytes each */
    const char *s = wrap(&b, "", "абвгдеёжзийклмн", 4, 0, 0);
    assert_string_equal(s, "абвг\nдеёж\nзийк\nлмн\n");
    assert_int_equal(chronicle_utf8_check(s, strlen(s)), strlen(s));
    chronicle_buf_free(&b);
}

static void test_sanitize_replaces_escape_sequences(void **state)
{
    (void)state;
    chronicle_buf b = CHRONICLE_BUF_INIT;
    static const char red[] = "\x1b[31mred\x1b[0m";
    assert_string_equal(sanitize(&b, red, strlen(red), 0), "\xEF\xBF\xBD[31mred\xEF\xBF\xBD[0m");
    assert_string_equal(sanitize(&b, red, strlen(red), 1), "?[31mred?[0m");
    /* C1 CSI (U+009B), DEL, BEL, CR, NUL, an invalid byte, a truncated sequence */
    static const char mix[] = "a\302\2332Jb\177c\007\r\000d\377e\344\270";
    assert_string_equal(sanitize(&b, mix, sizeof mix - 1, 1), "a?2Jb?c???d?e??");
    /* tabs become spaces, newlines stay, valid text is untouched */
    assert_string_equal(sanitize(&b, "x\ty\nə中", strlen("x\ty\nə中"), 0), "x y\nə中");
    /* the wrapper sanitises too: no ESC byte reaches the output */
    const char *w = wrap(&b, "", "\033]0;title\007 \033[2J\033c done", 20, 0, 0);
    assert_null(strchr(w, 0x1b));
    assert_null(strchr(w, 0x07));
    assert_string_equal(wrap(&b, "", "\x1b[1mbold\x1b[0m", 20, 0, 1), "?[1mbold?[0m\n");
    chronicle_buf_free(&b);
}

static void test_bidi_controls_are_shown_and_rtl_text_kept(void **state)
{
    (void)state;
    chronicle_buf b = CHRONICLE_BUF_INIT;
    static const char rlo[] = "evil \xE2\x80\xAEtxt.exe\xE2\x80\xAC ok";
    assert_string_equal(sanitize(&b, rlo, strlen(rlo), 0), "evil <U+202E>txt.exe<U+202C> ok");
    assert_string_equal(sanitize(&b, rlo, strlen(rlo), 1), "evil <U+202E>txt.exe<U+202C> ok");
    /* Arabic and Hebrew letters are data, kept as they are */
    static const char rtl[] = "\xD8\xA7\xD9\x84\xD8\xAF\xD9\x88\xD8\xAD\xD8\xA9 "
                              "\xD7\xA9\xD7\x9C\xD7\x95\xD7\x9D";
    assert_string_equal(sanitize(&b, rtl, strlen(rtl), 0), rtl);
    assert_string_equal(wrap(&b, "", rtl, 40, 0, 0), "\xD8\xA7\xD9\x84\xD8\xAF\xD9\x88\xD8\xAD"
                                                     "\xD8\xA9 \xD7\xA9\xD7\x9C\xD7\x95\xD7\x9D\n");
    /* the wrapper shows them too, and counts the eight columns they take */
    assert_string_equal(wrap(&b, "", "ab \xE2\x81\xA6x\xE2\x81\xA9 cd", 40, 0, 0),
                        "ab <U+2066>x<U+2069> cd\n");
    assert_string_equal(wrap(&b, "",
                             "abc \xE2\x80\x8F"
                             "def",
                             8, 0, 0),
                        "abc\n<U+200F>\ndef\n");
    chronicle_buf_free(&b);
}

/* wrap.c measures these ranges without the width tables (one column each);
 * if utf8.c ever disagrees, narrow_char() there must change too. */
static void test_wrap_shortcut_ranges_match_width_tables(void **state)
{
    (void)state;
    static const uint32_t ranges[][2] = {{0x00A0, 0x02FF}, {0x0400, 0x0482}, {0x0600, 0x060F},
                                         {0x061D, 0x064A}, {0x0660, 0x066F}, {0x0671, 0x067F},
                                         {0x2010, 0x2027}, {0x2030, 0x205F}};
    for (size_t r = 0; r < sizeof ranges / sizeof *ranges; r++) {
        for (uint32_t cp = ranges[r][0]; cp <= ranges[r][1]; cp++) {
            if (chronicle_cp_width(cp) != 1 || chronicle_cp_is_control(cp))
                fail_msg("U+%04X is not one plain column", (unsigned)cp);
        }
    }
}

/* Every character of the Basic Multilingual Plane that is at most one
 * column and printable, in words "a" X "a" and "aaa" X, at every offset
 * against the breaker's sixteen-byte blocks where the blocks may take it
 * (U+0080-U+067F, U+2000-U+206F; two offsets elsewhere): the lines are
 * those of a plain greedy breaker that counts columns with utf8.c.  (The blocks take
 * some two- and three-byte characters whole, counting a column a
 * character: a mark or a letter mark among them would be counted wrong.) */
static void test_every_narrow_character_breaks_as_the_width_tables_say(void **state)
{
    (void)state;
    chronicle_buf text = CHRONICLE_BUF_INIT, want = CHRONICLE_BUF_INIT, out = CHRONICLE_BUF_INIT;
    const size_t width = 17;
    for (uint32_t cp = 0xA0; cp < 0x10000; cp++) {
        if ((cp >= 0xD800 && cp < 0xE000) || chronicle_cp_is_control(cp) ||
            chronicle_cp_is_bidi_control(cp) || chronicle_cp_width(cp) > 1)
            continue;
        char x[4];
        size_t xn = cp < 0x800 ? 2 : 3;
        if (xn == 2) {
            x[0] = (char)(0xC0 | cp >> 6), x[1] = (char)(0x80 | (cp & 0x3F));
        } else {
            x[0] = (char)(0xE0 | cp >> 12), x[1] = (char)(0x80 | (cp >> 6 & 0x3F));
            x[2] = (char)(0x80 | (cp & 0x3F));
        }
        size_t xw = (size_t)chronicle_cp_width(cp);
        /* the offsets matter where the blocks take the character */
        size_t offsets = cp < 0x680 || (cp >= 0x2000 && cp < 0x2070) ? 16 : 2;
        for (size_t off = 0; off < offsets; off++) {
            chronicle_buf_reset(&text);
            chronicle_buf_reset(&want);
            for (size_t i = 0; i < off; i++)
                chronicle_buf_putc(&text, 'b');
            size_t col = off;
            if (off) chronicle_buf_append(&want, text.ptr, off);
            for (size_t w = 0; w < 12; w++) {
                int shape = (int)(w % 2);
                size_t cols = 3 + xw - !shape; /* "a" X "a" or "aaa" X */
                if (text.len) chronicle_buf_putc(&text, ' ');
                size_t at = text.len;
                chronicle_buf_puts(&text, shape ? "aaa" : "a");
                chronicle_buf_append(&text, x, xn);
                if (!shape) chronicle_buf_putc(&text, 'a');
                if (col && col + 1 + cols > width) {
                    chronicle_buf_putc(&want, '\n');
                    col = 0;
                } else if (col) {
                    chronicle_buf_putc(&want, ' ');
                    col++;
                }
                chronicle_buf_append(&want, text.ptr + at, text.len - at);
                col += cols;
            }
            chronicle_buf_putc(&want, '\n');
            text_wrap_opts o = {width, 0, 0, 0};
            chronicle_buf_reset(&out);
            assert_int_equal(text_wrap(&out, "", text.ptr, text.len, &o), CHRONICLE_OK);
            if (strcmp(chronicle_buf_cstr(&out), chronicle_buf_cstr(&want)) != 0)
                fail_msg("U+%04X at offset %zu:\n%s\nwanted\n%s", (unsigned)cp, off,
                         chronicle_buf_cstr(&out), chronicle_buf_cstr(&want));
        }
    }
    chronicle_buf_free(&text);
    chronicle_buf_free(&want);
    chronicle_buf_free(&out);
}

/* ---- fuzz ---- */

static uint32_t rng_next(uint32_t *s)
{
    *s = *s * 1664525u + 1013904223u;
    return *s >> 8;
}

static const char *const pieces[] = {
    "a",
    "bc",
    "Khojaly",
    "ə",
    "ş",
    "ğ",
    "ı",
    "İ",
    "Ü",
    "ж",
    "Москва",
    "щ",
    "中",
    "国",
    "北京",
    "\xE3\x80\x81",
    "한",
    "\xEF\xBC\xA1",
    "e\xCC\x81",
    "o\xCC\x88\xCC\xA3",
    "\xD9\x85\xD8\xB1",
    "\xD8\xA8\xD9\x8E", /* beh and fatha, a mark */
    "\xD9\x84\xD9\xB0", /* lam and superscript alef, a mark */
    "\xE2\x80\x94",     /* em dash */
    "\xE2\x80\x9C",     /* left double quotation mark */
    "-",
    "\"",
    ",",
    "7",
    "\xF0\x9F\x98\x80",
    "\xF0\xA0\x80\x80",
    "«",
    "Ağasəf",
    "Алексей",
};

/* A random text of words, spaces, tabs and newlines; some words are long. */
static void make_text(chronicle_buf *b, uint32_t *seed)
{
    size_t words = rng_next(seed) % 40;
    for (size_t w = 0; w < words; w++) {
        size_t n = rng_next(seed) % 10 == 0 ? 20 + rng_next(seed) % 80 : 1 + rng_next(seed) % 6;
        for (size_t i = 0; i < n; i++)
            chronicle_buf_puts(b, pieces[rng_next(seed) % (sizeof pieces / sizeof *pieces)]);
        uint32_t sep = rng_next(seed) % 20;
        chronicle_buf_puts(b, sep == 0 ? "\n" : sep == 1 ? "\t" : sep == 2 ? "   " : " ");
    }
}

static void strip_spaces(const char *s, chronicle_buf *out)
{
    for (; *s; s++)
        if (*s != ' ' && *s != '\n' && *s != '\t') chronicle_buf_putc(out, *s);
}

static void check_lines(const char *out, const char *lead, size_t width, size_t indent)
{
    size_t lead_w = chronicle_utf8_width(lead, strlen(lead));
    int first = 1;
    for (const char *line = out; *line; first = 0) {
        const char *nl = strchr(line, '\n');
        assert_non_null(nl);
        size_t len = (size_t)(nl - line);
        size_t w = chronicle_utf8_width(line, len);
        if (w > width) fail_msg("line of %zu columns > %zu: '%.*s'", w, width, (int)len, line);
        if (len) assert_true(line[len - 1] != ' ');
        size_t skip = first ? strlen(lead) : indent;
        if (!first && len) {
            assert_true(len > indent);
            assert_memory_equal(line, "                                                  ",
                                indent < 50 ? indent : 50);
        }
        if (len > skip && (first ? lead_w < width : 1)) {
            uint32_t cp;
            size_t k = chronicle_utf8_decode(line + skip, len - skip, &cp);
            assert_true(k > 0);
            if (chronicle_cp_width(cp) == 0)
                fail_msg("line starts with a combining mark: '%.*s'", (int)len, line);
        }
        line = nl + 1;
    }
}

static void test_wrap_never_exceeds_width_random(void **state)
{
    (void)state;
    chronicle_buf text = CHRONICLE_BUF_INIT, out = CHRONICLE_BUF_INIT;
    chronicle_buf a = CHRONICLE_BUF_INIT, b = CHRONICLE_BUF_INIT;
    uint32_t seed = 20230224;
    static const char *const leads[] = {"", "  - ", "  \xE2\x80\xA2 ", "Participants   ", "中文 "};
    for (int round = 0; round < 3000; round++) {
        chronicle_buf_reset(&text);
        make_text(&text, &seed);
        size_t width = 2 + rng_next(&seed) % 120;
        size_t indent = rng_next(&seed) % (width / 2 + 1);
        const char *lead = leads[rng_next(&seed) % (sizeof leads / sizeof *leads)];
        if (chronicle_utf8_width(lead, strlen(lead)) >= width) lead = "";
        text_wrap_opts o = {width, indent, 0, 0};
        chronicle_buf_reset(&out);
        assert_int_equal(text_wrap(&out, lead, text.ptr, text.len, &o), CHRONICLE_OK);
        const char *s = chronicle_buf_cstr(&out);
        assert_int_equal(chronicle_utf8_check(s, out.len), out.len);
        size_t eff_indent = indent + 2 > width ? width - 2 : indent;
        check_lines(s, lead, width, eff_indent);
        /* nothing lost, nothing added, order kept */
        chronicle_buf_reset(&a);
        chronicle_buf_reset(&b);
        strip_spaces(lead, &a);
        strip_spaces(chronicle_buf_cstr(&text), &a);
        strip_spaces(s, &b);
        assert_string_equal(chronicle_buf_cstr(&a), chronicle_buf_cstr(&b));
    }
    chronicle_buf_free(&text);
    chronicle_buf_free(&out);
    chronicle_buf_free(&a);
    chronicle_buf_free(&b);
}

/* Plain words of one-column letters, one, two and three bytes long (the
 * sixteen-byte path takes the first two kinds, with C1 controls and
 * combining marks among them to stop it), single spaces: every line but the
 * last is as full as greedy breaking makes it, so a character counted one
 * column too many or too few shows. */
static void test_wrap_fills_lines_greedily(void **state)
{
    (void)state;
    static const char *const letters[] = {"a", "Q", "7", ".",        "ə",
                                          "ş", "İ", "«", "»",        "\xC2\xA0",
                                          "Ж", "щ", "ё", "\xCB\xBF", "\xE2\x80\x94",
                                          "é"};
    chronicle_buf text = CHRONICLE_BUF_INIT, out = CHRONICLE_BUF_INIT;
    uint32_t seed = 20261202;
    for (int round = 0; round < 3000; round++) {
        size_t width = 8 + rng_next(&seed) % 80, words = 1 + rng_next(&seed) % 40;
        chronicle_buf_reset(&text);
        for (size_t w = 0; w < words; w++) {
            if (w) chronicle_buf_putc(&text, ' ');
            size_t n = 1 + rng_next(&seed) % (width - 1);
            for (size_t i = 0; i < n; i++)
                chronicle_buf_puts(&text,
                                   letters[rng_next(&seed) % (sizeof letters / sizeof *letters)]);
        }
        text_wrap_opts o = {width, 0, 0, 0};
        chronicle_buf_reset(&out);
        assert_int_equal(text_wrap(&out, "", text.ptr, text.len, &o), CHRONICLE_OK);
        const char *line = chronicle_buf_cstr(&out), *nl;
        size_t prev = (size_t)-1; /* columns of the line before */
        while ((nl = strchr(line, '\n'))) {
            size_t len = (size_t)(nl - line), cols = chronicle_utf8_width(line, len);
            const char *sp = memchr(line, ' ', len);
            size_t first = chronicle_utf8_width(line, sp ? (size_t)(sp - line) : len);
            if (cols > width) fail_msg("%zu columns > %zu: '%.*s'", cols, width, (int)len, line);
            if (prev != (size_t)-1 && prev + 1 + first <= width)
                fail_msg("'%.*s' (%zu columns) would have fitted after %zu of %zu", (int)len, line,
                         first, prev, width);
            prev = cols;
            line = nl + 1;
        }
    }
    chronicle_buf_free(&text);
    chronicle_buf_free(&out);
}

/* Runs of spaces collapse wherever they fall against the breaker's
 * sixteen-byte blocks, after ASCII or two-byte letters, on a line that
 * fits (copied whole when it can be) and on one that wraps. */
static void test_spaces_collapse_at_every_offset(void **state)
{
    (void)state;
    chronicle_buf in = CHRONICLE_BUF_INIT, want = CHRONICLE_BUF_INIT, b = CHRONICLE_BUF_INIT;
    static const char *const letters[] = {"a", "ş"};
    for (size_t l = 0; l < 2; l++)
        for (size_t k = 1; k < 40; k++)
            for (size_t spaces = 2; spaces <= 3; spaces++) {
                chronicle_buf_reset(&in);
                chronicle_buf_reset(&want);
                for (size_t i = 0; i < k; i++) {
                    chronicle_buf_puts(&in, letters[l]);
                    chronicle_buf_puts(&want, letters[l]);
                }
                for (size_t i = 0; i < spaces; i++)
                    chronicle_buf_putc(&in, ' ');
                chronicle_buf_puts(&in, "end of it");
                chronicle_buf_puts(&want, " end of it\n");
                assert_string_equal(wrap(&b, "", chronicle_buf_cstr(&in), 78, 0, 0),
                                    chronicle_buf_cstr(&want));
            }
    chronicle_buf_free(&in);
    chronicle_buf_free(&want);
    chronicle_buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_wrap_counts_wide_chars_as_two),
        cmocka_unit_test(test_wrap_hangs_continuation_under_lead),
        cmocka_unit_test(test_wrap_breaks_overlong_word),
        cmocka_unit_test(test_sanitize_replaces_escape_sequences),
        cmocka_unit_test(test_bidi_controls_are_shown_and_rtl_text_kept),
        cmocka_unit_test(test_wrap_shortcut_ranges_match_width_tables),
        cmocka_unit_test(test_every_narrow_character_breaks_as_the_width_tables_say),
        cmocka_unit_test(test_wrap_never_exceeds_width_random),
        cmocka_unit_test(test_wrap_fills_lines_greedily),
        cmocka_unit_test(test_spaces_collapse_at_every_offset),
    };
    return cmocka_run_group_tests_name("text_wrap", tests, NULL, NULL);
}
