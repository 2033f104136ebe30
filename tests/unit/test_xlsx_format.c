/*
 * test_xlsx_format.c — the workbook exporter's numbers without printf
 * (plugins/xlsx/widths.c, xlsx_format_g): whatever it formats is exactly
 * what printf's "%.16G" and "%.10g" print, on decimals of every size and
 * on arbitrary doubles, and it reads back as the same double.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "xlsx_internal.h"

static uint64_t rng = 88172645463325252u;

static uint64_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

/* 1 when xlsx_format_g formatted v (and agreed with printf), else 0. */
static int agrees(double v, int sig)
{
    char mine[40] = {0}, want[40];
    size_t n = xlsx_format_g(mine, v, sig);
    if (!n) return 0;
    if (sig == 16)
        snprintf(want, sizeof want, "%.16G", v);
    else
        snprintf(want, sizeof want, "%.*g", sig, v);
    if (strlen(want) != n || memcmp(mine, want, n))
        fail_msg("%.17g at %d: %.*s, printf %s", v, sig, (int)n, mine, want);
    assert_true(strtod(want, NULL) == v);
    return 1;
}

static void test_format_g_matches_printf_on_decimals(void **state)
{
    (void)state;
    static const double p10[] = {1, 10, 100, 1e3, 1e4, 1e5, 1e6};
    size_t done = 0, tried = 0;
    for (int i = 0; i < 400000; i++) {
        int k = (int)(next() % 7);
        uint64_t digits = next() % 1000000000000000u >> (next() % 50);
        double v = (double)digits / p10[k] * ((next() & 1) ? -1 : 1);
        tried++;
        done += (size_t)agrees(v, 16);
        agrees(v, 10);
    }
    /* the known decimals: most of them are formatted here */
    static const double known[] = {57.3,  0.1,    0.25, 12.5,  1234.56,
                                   -0.05, 0.0001, 99.9, 100.1, 1e14 + 0.5};
    for (size_t i = 0; i < sizeof known / sizeof *known; i++)
        agrees(known[i], 16);
    assert_true(done > tried / 2);
}

static void test_format_g_matches_printf_on_any_double(void **state)
{
    (void)state;
    for (int i = 0; i < 400000; i++) {
        uint64_t bits = next();
        double v;
        memcpy(&v, &bits, sizeof v);
        agrees(v, 16);
        agrees(v, 10);
        agrees(v / 1e300 * 1e290, 16);
    }
}

static void test_format_g_declines_what_it_cannot_show(void **state)
{
    (void)state;
    char out[40];
    assert_int_equal(xlsx_format_g(out, 9.3, 16), 0);  /* printf: 9.300000000000001 */
    assert_int_equal(xlsx_format_g(out, 1e-5, 16), 0); /* an exponent */
    assert_int_equal(xlsx_format_g(out, 1e15, 16), 0);
    assert_int_equal(xlsx_format_g(out, 0.1 + 0.2, 16), 0);
    assert_int_equal(xlsx_format_g(out, 0.1234567, 16), 0); /* 7 places */
    size_t n = xlsx_format_g(out, 12345678901.5, 10);       /* 12 digits past %.10g */
    assert_int_equal(n, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_format_g_matches_printf_on_decimals),
        cmocka_unit_test(test_format_g_matches_printf_on_any_double),
        cmocka_unit_test(test_format_g_declines_what_it_cannot_show),
    };
    return cmocka_run_group_tests_name("xlsx_format", tests, NULL, NULL);
}
