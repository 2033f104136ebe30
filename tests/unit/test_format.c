/*
 * test_format.c — the wording every report shares (format.c): dates,
 * periods, numbers and how a claim is attributed to its source.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "chronicle/format.h"

static chronicle_source source(const char *outlet, const char *document, uint32_t published)
{
    chronicle_source s = {.struct_size = sizeof s};
    s.id = (chronicle_str){"src-1", 5};
    if (outlet) s.outlet = (chronicle_str){outlet, strlen(outlet)};
    s.document = (chronicle_str){document, strlen(document)};
    s.published_ymd = published;
    return s;
}

static void expect_attribution(const chronicle_source *s, const char *want)
{
    chronicle_buf b = CHRONICLE_BUF_INIT;
    assert_int_equal(chronicle_format_attribution(&b, s), CHRONICLE_OK);
    assert_string_equal(chronicle_buf_cstr(&b), want);
    chronicle_buf_free(&b);
}

static void expect_number(double v, const char *want)
{
    chronicle_buf b = CHRONICLE_BUF_INIT;
    assert_int_equal(chronicle_format_number(&b, v), CHRONICLE_OK);
    assert_string_equal(chronicle_buf_cstr(&b), want);
    chronicle_buf_free(&b);
}

static void expect_date(uint32_t ymd, chronicle_date_style style, const char *want)
{
    chronicle_buf b = CHRONICLE_BUF_INIT;
    assert_int_equal(chronicle_format_date(&b, ymd, style), CHRONICLE_OK);
    assert_string_equal(chronicle_buf_cstr(&b), want);
    chronicle_buf_free(&b);
}

static void expect_period(uint32_t first, uint32_t last, const char *want)
{
    chronicle_buf b = CHRONICLE_BUF_INIT;
    assert_int_equal(chronicle_format_period(&b, first, last, CHRONICLE_DATE_SHORT), CHRONICLE_OK);
    assert_string_equal(chronicle_buf_cstr(&b), want);
    chronicle_buf_free(&b);
}

/* ---- attribution ---- */

static void test_attribution_names_outlet_and_date(void **state)
{
    (void)state;
    chronicle_source s = source("Trend", "000_ab7d4c11edc94891.txt", 20230224);
    expect_attribution(&s, "as reported by Trend, 24 Feb 2023");
}

static void test_attribution_without_date_names_outlet_only(void **state)
{
    (void)state;
    chronicle_source s = source("Trend", "000_ab7d4c11edc94891.txt", 0);
    expect_attribution(&s, "as reported by Trend");
}

static void test_attribution_without_outlet_names_the_document(void **state)
{
    (void)state;
    chronicle_source s = source(NULL, "001_x.txt", 0);
    expect_attribution(&s, "as reported in 001_x.txt");
    s = source(NULL, "002_957d18f07fed0710.txt", 20240226);
    expect_attribution(&s, "as reported in 002_957d18f07fed0710.txt, 26 Feb 2024");
}

static void test_attribution_appends(void **state)
{
    (void)state;
    chronicle_source s = source("AZERTAC", "d.txt", 20190226);
    chronicle_buf b = CHRONICLE_BUF_INIT;
    chronicle_buf_puts(&b, "613 people (");
    assert_int_equal(chronicle_format_attribution(&b, &s), CHRONICLE_OK);
    chronicle_buf_putc(&b, ')');
    assert_string_equal(chronicle_buf_cstr(&b), "613 people (as reported by AZERTAC, 26 Feb 2019)");
    chronicle_buf_free(&b);
}

/* ---- dates and periods ---- */

static void test_date_styles(void **state)
{
    (void)state;
    expect_date(20230224, CHRONICLE_DATE_ISO, "2023-02-24");
    expect_date(20230224, CHRONICLE_DATE_SHORT, "24 Feb 2023");
    expect_date(20230224, CHRONICLE_DATE_LONG, "24 February 2023");
    expect_date(20230901, CHRONICLE_DATE_SHORT, "1 Sep 2023");
    expect_date(20231231, CHRONICLE_DATE_LONG, "31 December 2023");
    expect_date(10101, CHRONICLE_DATE_ISO, "0001-01-01");
    expect_date(0, CHRONICLE_DATE_LONG, "");
}

static void test_date_refuses_a_month_that_does_not_exist(void **state)
{
    (void)state;
    chronicle_buf b = CHRONICLE_BUF_INIT;
    assert_int_equal(chronicle_format_date(&b, 20231301, CHRONICLE_DATE_SHORT),
                     CHRONICLE_ERR_INTERNAL);
    assert_string_equal(chronicle_buf_cstr(&b), "");
    chronicle_buf_free(&b);
}

static void test_period_of_two_dates_uses_an_en_dash(void **state)
{
    (void)state;
    expect_period(20230224, 20240225, "24 Feb 2023 \xE2\x80\x93 25 Feb 2024");
}

static void test_period_of_one_day_is_one_date(void **state)
{
    (void)state;
    expect_period(20230224, 20230224, "24 Feb 2023");
    expect_period(20230224, 0, "24 Feb 2023");
}

static void test_period_of_nothing(void **state)
{
    (void)state;
    expect_period(0, 0, "no events");
}

/* ---- numbers ---- */

static void test_number_whole(void **state)
{
    (void)state;
    expect_number(0, "0");
    expect_number(7, "7");
    expect_number(613, "613");
    expect_number(999, "999");
}

static void test_number_groups_thousands_from_five_digits(void **state)
{
    (void)state;
    expect_number(1275, "1275"); /* four digits stay whole */
    expect_number(2008, "2008");
    expect_number(12500, "12,500");
    expect_number(1000, "1000");
    expect_number(100000, "100,000");
    expect_number(1000000, "1,000,000");
    expect_number(-1275, "-1275");
    expect_number(123456789012345, "123,456,789,012,345");
}

static void test_number_decimals(void **state)
{
    (void)state;
    expect_number(2.5, "2.5");
    expect_number(0.1, "0.1");
    expect_number(-0.5, "-0.5");
    expect_number(1.0 / 3, "0.333333");
    expect_number(2.0000001, "2"); /* past six decimals */
    expect_number(-1234567.25, "-1,234,567.25");
}

static void test_number_negative_zero_has_no_sign(void **state)
{
    (void)state;
    expect_number(-0.0, "0");
}

static void test_number_extremes(void **state)
{
    (void)state;
    expect_number(1e15, "1e+15");
    expect_number(1e-7, "1e-07");
    expect_number(0.000001, "0.000001");
    expect_number(INFINITY, "inf");
    expect_number(-INFINITY, "-inf");
    expect_number(NAN, "NaN");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_attribution_names_outlet_and_date),
        cmocka_unit_test(test_attribution_without_date_names_outlet_only),
        cmocka_unit_test(test_attribution_without_outlet_names_the_document),
        cmocka_unit_test(test_attribution_appends),
        cmocka_unit_test(test_date_styles),
        cmocka_unit_test(test_date_refuses_a_month_that_does_not_exist),
        cmocka_unit_test(test_period_of_two_dates_uses_an_en_dash),
        cmocka_unit_test(test_period_of_one_day_is_one_date),
        cmocka_unit_test(test_period_of_nothing),
        cmocka_unit_test(test_number_whole),
        cmocka_unit_test(test_number_groups_thousands_from_five_digits),
        cmocka_unit_test(test_number_decimals),
        cmocka_unit_test(test_number_negative_zero_has_no_sign),
        cmocka_unit_test(test_number_extremes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
