/*
 * test_xlsx_lines.c — the workbook exporter's line counting (plugins/xlsx/
 * heights.c): xlsx_text_lines, which answers 1 without breaking a text
 * whose widths add up to no more than the line, counts what breaking the
 * text counts (xlsx_text_lines_walk), on random texts of every kind of
 * character the breaking treats apart, in lines of many widths.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "xlsx_internal.h"

/* Pieces of text: ASCII of every width, spaces, hyphens, dashes, tabs,
 * control characters, line breaks, two- to four-byte characters (narrow,
 * wide, zero-width, unknown) and bytes that are not UTF-8. */
static const char *const piece[] = {
    "a",
    "W",
    "@",
    "i",
    " ",
    "  ",
    "-",
    "\t",
    "\n",
    "\r",
    "\r\n",
    "\x01",
    "\x7f",
    "\xc3\xa9",
    "\xc9\x99",
    "\xc8\xb7",
    "\xd0\x96",
    "\xc2\xa0",
    "\xe2\x80\x94",
    "\xe2\x80\xa6",
    "\xe4\xb8\xad",
    "\xcc\x81",
    "\xf0\x9f\x98\x80",
    "\xff",
    "\xc3",
    "\xe4\xb8",
    "\xd8\xb9",
    "word",
    "Wide",
    "https://example.org/a/b?c=d",
};

static unsigned next(unsigned *seed)
{
    *seed = *seed * 1103515245u + 12345u;
    return *seed >> 16;
}

static void test_fast_path_counts_as_the_walk(void **state)
{
    (void)state;
    static const double widths[] = {0, 1, 2, 5, 8.43, 10, 13, 20, 31.5, 50, 62, 100, 255};
    static const double sizes[] = {8, 11, 14, 20};
    unsigned seed = 18, ones = 0, more = 0;
    char text[1024];
    for (int round = 0; round < 40000; round++) {
        size_t len = 0, pieces = next(&seed) % 40;
        /* mostly plain ASCII, as most cells are: then the bound is tight */
        unsigned plain = next(&seed) % 3 == 0;
        for (size_t k = 0; k < pieces; k++) {
            const char *p = plain ? piece[next(&seed) % 2 ? 0 : 4]
                                  : piece[next(&seed) % (sizeof piece / sizeof *piece)];
            size_t n = strlen(p);
            if (len + n > sizeof text) break;
            memcpy(text + len, p, n);
            len += n;
        }
        double w = widths[next(&seed) % (sizeof widths / sizeof *widths)];
        double pt = sizes[next(&seed) % (sizeof sizes / sizeof *sizes)];
        int bold = (int)(next(&seed) & 1);
        unsigned fast = xlsx_text_lines(text, len, w, pt, bold);
        unsigned walk = xlsx_text_lines_walk(text, len, w, pt, bold);
        if (fast != walk) fail_msg("round %d: %u lines, the walk counts %u", round, fast, walk);
        if (walk == 1)
            ones++;
        else
            more++;
    }
    /* both kinds of answer were tried */
    assert_true(ones > 1000 && more > 1000);
}

/* Texts that just fit, and one unit more: the bound is exact for ASCII. */
static void test_edges(void **state)
{
    (void)state;
    char text[200];
    for (size_t len = 1; len < sizeof text; len++) {
        memset(text, 'n', len);
        for (double w = 1; w <= 40; w += 0.25)
            for (int bold = 0; bold < 2; bold++)
                assert_int_equal(xlsx_text_lines(text, len, w, 11, bold),
                                 xlsx_text_lines_walk(text, len, w, 11, bold));
    }
    assert_int_equal(xlsx_text_lines("", 0, 10, 11, 0), 1);
    assert_int_equal(xlsx_text_lines("a\nb", 3, 10, 11, 0), 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fast_path_counts_as_the_walk),
        cmocka_unit_test(test_edges),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
