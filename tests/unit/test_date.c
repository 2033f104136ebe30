/*
 * test_date.c — strict calendar dates (chronicle_date_parse) and day
 * numbers (chronicle_date_days), the two date functions of dataset.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "chronicle/dataset.h"

static uint32_t parse(const char *s)
{
    return chronicle_date_parse(s, strlen(s));
}

static void test_date_parses_iso_date(void **state)
{
    (void)state;
    assert_int_equal(parse("2023-02-24"), 20230224);
    assert_int_equal(parse("1992-02-25"), 19920225);
    assert_int_equal(parse("2023-12-31"), 20231231);
}

static void test_date_accepts_the_whole_range(void **state)
{
    (void)state;
    assert_int_equal(parse("0001-01-01"), 10101);
    assert_int_equal(parse("9999-12-31"), 99991231);
    assert_int_equal(parse("0000-01-01"), 0);
}

static void test_date_rejects_feb_30(void **state)
{
    (void)state;
    assert_int_equal(parse("2023-02-30"), 0);
    assert_int_equal(parse("2023-02-29"), 0);
    assert_int_equal(parse("2023-02-28"), 20230228);
}

static void test_date_rejects_days_past_month_end(void **state)
{
    (void)state;
    static const char *const bad[] = {"2023-04-31", "2023-06-31", "2023-09-31", "2023-11-31",
                                      "2023-01-32", "2023-01-00", "2023-00-10", "2023-13-01"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        assert_int_equal(parse(bad[i]), 0);
    assert_int_equal(parse("2023-01-31"), 20230131);
    assert_int_equal(parse("2023-08-31"), 20230831);
}

static void test_date_follows_gregorian_leap_rules(void **state)
{
    (void)state;
    assert_int_equal(parse("2024-02-29"), 20240229); /* divisible by 4 */
    assert_int_equal(parse("1900-02-29"), 0);        /* by 100, not 400 */
    assert_int_equal(parse("1700-02-29"), 0);
    assert_int_equal(parse("2000-02-29"), 20000229); /* by 400 */
    assert_int_equal(parse("1600-02-29"), 16000229);
    assert_int_equal(parse("2100-02-29"), 0);
}

static void test_date_rejects_loose_forms(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "2023-2-1",    "2023-02-1", " 2023-02-01",          "2023-02-01 ",   "2023-02-011",
        "2023/02/01",  "20230201",  "2023-02-0a",           "+023-02-01",    "-023-02-01",
        "2023-0２-01", "",          "2023-02-01T00:00:00Z", "２０２３-02-01"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        if (parse(bad[i])) print_message("accepted: \"%s\"\n", bad[i]);
        assert_int_equal(parse(bad[i]), 0);
    }
}

static void test_date_reads_only_len_bytes(void **state)
{
    (void)state;
    /* a date inside a longer text: the length decides, not the NUL */
    assert_int_equal(chronicle_date_parse("2023-02-24T10:00", 10), 20230224);
    assert_int_equal(chronicle_date_parse("2023-02-24", 9), 0);
}

static void test_date_days_counts_from_1970(void **state)
{
    (void)state;
    assert_int_equal(chronicle_date_days(19700101), 0);
    assert_int_equal(chronicle_date_days(19700102), 1);
    assert_int_equal(chronicle_date_days(19691231), -1);
    assert_int_equal(chronicle_date_days(20000301), 11017);
    assert_int_equal(chronicle_date_days(20000229), 11016);
    assert_int_equal(chronicle_date_days(20230224), 19412);
}

static void test_date_days_at_the_ends_of_the_range(void **state)
{
    (void)state;
    assert_int_equal(chronicle_date_days(10101), -719162);
    assert_int_equal(chronicle_date_days(99991231), 2932896);
}

static void test_date_days_honour_leap_centuries(void **state)
{
    (void)state;
    /* March 1st follows Feb 29th in 1600 and 2000, Feb 28th in 1700 and 1900 */
    assert_int_equal(chronicle_date_days(16000301) - chronicle_date_days(16000228), 2);
    assert_int_equal(chronicle_date_days(17000301) - chronicle_date_days(17000228), 1);
    assert_int_equal(chronicle_date_days(19000301) - chronicle_date_days(19000228), 1);
    assert_int_equal(chronicle_date_days(20000301) - chronicle_date_days(20000228), 2);
    assert_int_equal(chronicle_date_days(16000229), -135081);
}

/* Every valid date is one day after the previous one, from 0001 to 9999. */
static void test_date_days_are_consecutive_over_the_whole_range(void **state)
{
    (void)state;
    int64_t prev = chronicle_date_days(10101) - 1;
    size_t n = 0;
    char s[11];
    for (unsigned y = 1; y <= 9999; y++) {
        for (unsigned m = 1; m <= 12; m++) {
            for (unsigned d = 1; d <= 31; d++) {
                s[0] = (char)('0' + y / 1000), s[1] = (char)('0' + y / 100 % 10);
                s[2] = (char)('0' + y / 10 % 10), s[3] = (char)('0' + y % 10);
                s[4] = '-', s[5] = (char)('0' + m / 10), s[6] = (char)('0' + m % 10);
                s[7] = '-', s[8] = (char)('0' + d / 10), s[9] = (char)('0' + d % 10);
                uint32_t ymd = chronicle_date_parse(s, 10);
                if (!ymd) continue;
                assert_int_equal(ymd, y * 10000 + m * 100 + d);
                int64_t days = chronicle_date_days(ymd);
                if (days != prev + 1) print_message("gap at %.10s\n", s);
                assert_true(days == prev + 1);
                prev = days;
                n++;
            }
        }
    }
    assert_int_equal(n, 3652059); /* days in 0001-01-01 .. 9999-12-31 */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_date_parses_iso_date),
        cmocka_unit_test(test_date_accepts_the_whole_range),
        cmocka_unit_test(test_date_rejects_feb_30),
        cmocka_unit_test(test_date_rejects_days_past_month_end),
        cmocka_unit_test(test_date_follows_gregorian_leap_rules),
        cmocka_unit_test(test_date_rejects_loose_forms),
        cmocka_unit_test(test_date_reads_only_len_bytes),
        cmocka_unit_test(test_date_days_counts_from_1970),
        cmocka_unit_test(test_date_days_at_the_ends_of_the_range),
        cmocka_unit_test(test_date_days_honour_leap_centuries),
        cmocka_unit_test(test_date_days_are_consecutive_over_the_whole_range),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
