/*
 * test_wording.c — the report's words in each language (wording.c and the
 * catalogs po/catalog.py compiles): dates, periods, numbers, counts and
 * their plural forms, attributions, the selection line, the English
 * fallback, the snprintf contract and day arithmetic.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "wording.h"

static char buf[512];

static const wording_lang *lang(const char *tag)
{
    const wording_lang *l = chronicle__wording_find(tag);
    assert_non_null(l);
    return l;
}

static void expect_date(const char *tag, uint32_t ymd, chronicle_date_style style, const char *want)
{
    size_t n = chronicle__wording_date(lang(tag), buf, sizeof buf, ymd, style);
    assert_string_equal(buf, want);
    assert_int_equal(n, strlen(want));
}

static void expect_number(const char *tag, double v, const char *want)
{
    chronicle__wording_number(lang(tag), buf, sizeof buf, v);
    assert_string_equal(buf, want);
}

static void expect_count(const char *tag, uint64_t n, const char *id, const char *want)
{
    chronicle__wording_count(lang(tag), buf, sizeof buf, n, id);
    assert_string_equal(buf, want);
}

static chronicle_source source(const char *outlet, const char *document, uint32_t published)
{
    chronicle_source s = {.struct_size = sizeof s};
    s.id = (chronicle_str){"src-1", 5};
    if (outlet) s.outlet = (chronicle_str){outlet, strlen(outlet)};
    s.document = (chronicle_str){document, strlen(document)};
    s.published_ymd = published;
    return s;
}

static void expect_attribution(const char *tag, const chronicle_source *s, const char *want)
{
    chronicle__wording_attribution(lang(tag), buf, sizeof buf, s);
    assert_string_equal(buf, want);
}

/* ---- languages ---- */

static void test_languages_by_tag(void **state)
{
    (void)state;
    const char *tags[] = {"en", "fr", "ru", "az", "zh"};
    for (size_t i = 0; i < 5; i++) {
        assert_string_equal(chronicle__wording_tag(lang(tags[i])), tags[i]);
        assert_int_equal(chronicle__wording_direction(lang(tags[i])), CHRONICLE_LTR);
    }
    assert_null(chronicle__wording_find("de"));
    assert_null(chronicle__wording_find("EN"));
    assert_null(chronicle__wording_find(""));
    assert_null(chronicle__wording_find(NULL));
    assert_int_equal(chronicle__wording_direction(lang("ar")), CHRONICLE_RTL);
    assert_string_equal(chronicle__wording_tags(), "en, fr, ru, az, zh, ar");
    assert_ptr_equal(chronicle__wording_english(), lang("en"));
    assert_string_equal(chronicle__wording_tag(NULL), "en");
}

/* ---- labels and messages ---- */

static void test_label_in_each_language(void **state)
{
    (void)state;
    assert_string_equal(chronicle__wording_label(lang("en"), "label.organizers"), "Organisers");
    assert_string_equal(chronicle__wording_label(lang("fr"), "label.organizers"), "Organisateurs");
    assert_string_equal(chronicle__wording_label(lang("ru"), "label.organizers"), "Организаторы");
    assert_string_equal(chronicle__wording_label(lang("az"), "label.organizers"), "Təşkilatçılar");
    assert_string_equal(chronicle__wording_label(lang("zh"), "label.organizers"), "主办方");
    assert_string_equal(chronicle__wording_label(NULL, "label.date"), "Date");
}

static void test_unknown_id_comes_back_as_itself(void **state)
{
    (void)state;
    assert_string_equal(chronicle__wording_label(lang("fr"), "no.such.id"), "no.such.id");
    chronicle__wording_message(lang("ru"), buf, sizeof buf, "no.such.id", NULL, 0);
    assert_string_equal(buf, "no.such.id");
    expect_count("ru", 5, "no.such.count", "no.such.count");
}

static void test_message_replaces_numbered_placeholders(void **state)
{
    (void)state;
    const char *args[] = {"3", "12"};
    chronicle__wording_message(lang("en"), buf, sizeof buf, "label.page-of", args, 2);
    assert_string_equal(buf, "page 3 of 12");
    chronicle__wording_message(lang("fr"), buf, sizeof buf, "label.page-of", args, 2);
    assert_string_equal(buf, "page 3 sur 12");
    chronicle__wording_message(lang("zh"), buf, sizeof buf, "label.page-of", args, 2);
    assert_string_equal(buf, "第3页，共12页");
    /* a missing argument leaves its placeholder, so the slip shows */
    chronicle__wording_message(lang("en"), buf, sizeof buf, "label.page-of", args, 1);
    assert_string_equal(buf, "page 3 of {2}");
}

/* ---- the snprintf contract ---- */

static void test_text_is_cut_like_snprintf(void **state)
{
    (void)state;
    char small[8];
    memset(small, 'x', sizeof small);
    size_t n =
        chronicle__wording_date(lang("en"), small, sizeof small, 20230224, CHRONICLE_DATE_LONG);
    assert_int_equal(n, strlen("24 February 2023"));
    assert_string_equal(small, "24 Febr");
    small[0] = 'x';
    assert_int_equal(chronicle__wording_date(lang("en"), small, 1, 20230224, CHRONICLE_DATE_LONG),
                     n);
    assert_int_equal(small[0], '\0');
    small[0] = 'x';
    assert_int_equal(chronicle__wording_date(lang("en"), small, 0, 20230224, CHRONICLE_DATE_LONG),
                     n);
    assert_int_equal(chronicle__wording_date(lang("en"), NULL, 0, 20230224, CHRONICLE_DATE_LONG),
                     n);
    assert_int_equal(small[0], 'x'); /* size 0: nothing written */
    const char *args[] = {"Trend", "24 Feb 2023"};
    n = chronicle__wording_message(lang("en"), small, sizeof small, "attribution.outlet-date", args,
                                   2);
    assert_int_equal(n, strlen("as reported by Trend, 24 Feb 2023"));
    assert_string_equal(small, "as repo");
    n = chronicle__wording_count(lang("ru"), small, sizeof small, 21, "count.event");
    assert_int_equal(n, strlen("21 событие"));
}

/* ---- dates ---- */

static void test_long_dates_as_cldr_gives_them(void **state)
{
    (void)state;
    expect_date("en", 20230224, CHRONICLE_DATE_LONG, "24 February 2023");
    expect_date("fr", 20230224, CHRONICLE_DATE_LONG, "24 février 2023");
    expect_date("ru", 20230224, CHRONICLE_DATE_LONG, "24 февраля 2023 г.");
    expect_date("az", 20230224, CHRONICLE_DATE_LONG, "24 fevral 2023");
    expect_date("zh", 20230224, CHRONICLE_DATE_LONG, "2023年2月24日");
    expect_date("en", 20231231, CHRONICLE_DATE_LONG, "31 December 2023");
    expect_date("ru", 20230501, CHRONICLE_DATE_LONG, "1 мая 2023 г.");
    expect_date("fr", 20230801, CHRONICLE_DATE_LONG, "1 août 2023");
}

static void test_short_dates(void **state)
{
    (void)state;
    expect_date("en", 20230224, CHRONICLE_DATE_SHORT, "24 Feb 2023");
    expect_date("en", 20230901, CHRONICLE_DATE_SHORT, "1 Sep 2023");
    expect_date("fr", 20230224, CHRONICLE_DATE_SHORT, "24 févr. 2023");
    expect_date("ru", 20230224, CHRONICLE_DATE_SHORT, "24 февр. 2023 г.");
    expect_date("az", 20230224, CHRONICLE_DATE_SHORT, "24 fev 2023");
    expect_date("zh", 20230224, CHRONICLE_DATE_SHORT, "2023年2月24日");
}

static void test_iso_dates_are_the_same_everywhere(void **state)
{
    (void)state;
    const char *tags[] = {"en", "fr", "ru", "az", "zh"};
    for (size_t i = 0; i < 5; i++) {
        expect_date(tags[i], 20230224, CHRONICLE_DATE_ISO, "2023-02-24");
        expect_date(tags[i], 10101, CHRONICLE_DATE_ISO, "0001-01-01");
    }
}

static void test_impossible_dates_are_empty(void **state)
{
    (void)state;
    expect_date("en", 0, CHRONICLE_DATE_LONG, "");
    expect_date("en", 20231301, CHRONICLE_DATE_SHORT, "");
    expect_date("fr", 20230230, CHRONICLE_DATE_LONG, "");
    expect_date("ru", 20230229, CHRONICLE_DATE_ISO, "");
    expect_date("zh", 20240229, CHRONICLE_DATE_ISO, "2024-02-29");
}

static void test_periods(void **state)
{
    (void)state;
    chronicle__wording_period(lang("en"), buf, sizeof buf, 20230224, 20240225,
                              CHRONICLE_DATE_SHORT);
    assert_string_equal(buf, "24 Feb 2023 \xE2\x80\x93 25 Feb 2024");
    chronicle__wording_period(lang("en"), buf, sizeof buf, 20230224, 20230224,
                              CHRONICLE_DATE_SHORT);
    assert_string_equal(buf, "24 Feb 2023");
    chronicle__wording_period(lang("en"), buf, sizeof buf, 20230224, 0, CHRONICLE_DATE_SHORT);
    assert_string_equal(buf, "24 Feb 2023");
    chronicle__wording_period(lang("en"), buf, sizeof buf, 0, 0, CHRONICLE_DATE_SHORT);
    assert_string_equal(buf, "no events");
    chronicle__wording_period(lang("ru"), buf, sizeof buf, 20230224, 20240101, CHRONICLE_DATE_LONG);
    assert_string_equal(buf, "24 февраля 2023 г. \xE2\x80\x93 1 января 2024 г.");
    chronicle__wording_period(lang("fr"), buf, sizeof buf, 0, 0, CHRONICLE_DATE_LONG);
    assert_string_equal(buf, "aucun événement");
}

/* ---- numbers ---- */

static void test_english_numbers_as_before(void **state)
{
    (void)state;
    expect_number("en", 0, "0");
    expect_number("en", 613, "613");
    expect_number("en", 1275, "1275"); /* four digits stay whole */
    expect_number("en", 12500, "12,500");
    expect_number("en", 1000000, "1,000,000");
    expect_number("en", -1275, "-1275");
    expect_number("en", 123456789012345, "123,456,789,012,345");
    expect_number("en", 2.5, "2.5");
    expect_number("en", 1.0 / 3, "0.333333");
    expect_number("en", 2.0000001, "2");
    expect_number("en", -1234567.25, "-1,234,567.25");
    expect_number("en", -0.0, "0");
    expect_number("en", 1e15, "1e+15");
    expect_number("en", 1e-7, "1e-07");
    expect_number("en", INFINITY, "inf");
    expect_number("en", NAN, "NaN");
}

/* Whole numbers are written without printf: over a sweep of them, up to
 * the last below 1e15 and negative too, the digits are printf's "%.0f",
 * grouped by threes as zh groups them. */
static void test_whole_numbers_as_printf_writes_them(void **state)
{
    (void)state;
    uint64_t x = 88172645463325252u;
    for (int i = 0; i < 20000; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        double v = i < 1000   ? i
                   : i < 2000 ? 1e15 - (i - 999)
                              : (double)(x % (1ull << (i % 49 + 1)));
        if (i % 3 == 0) v = -v;
        char digits[64], want[96];
        snprintf(digits, sizeof digits, "%.0f", fabs(v));
        size_t n = strlen(digits), k = 0;
        if (v < 0) want[k++] = '-';
        for (size_t j = 0; j < n; j++) {
            if (n >= 4 && j && (n - j) % 3 == 0) want[k++] = ',';
            want[k++] = digits[j];
        }
        want[k] = '\0';
        expect_number("zh", v, want);
    }
}

static void test_numbers_per_language(void **state)
{
    (void)state;
    expect_number("fr", 12500.5, "12\u202f500,5");
    expect_number("fr", 1275, "1\u202f275");
    expect_number("ru", 12500.5, "12\u00a0500,5");
    expect_number("ru", 613, "613");
    expect_number("az", 12500.5, "12.500,5");
    expect_number("az", 2.5, "2,5");
    expect_number("zh", 12500.5, "12,500.5");
    expect_number("zh", 1275, "1,275");
    expect_number("fr", 1.5e15, "1,5e+15");
}

/* ---- counts ---- */

static void test_russian_counts_take_three_forms(void **state)
{
    (void)state;
    expect_count("ru", 1, "count.event", "1 событие");
    expect_count("ru", 2, "count.event", "2 события");
    expect_count("ru", 5, "count.event", "5 событий");
    expect_count("ru", 21, "count.event", "21 событие");
    expect_count("ru", 11, "count.event", "11 событий");
    expect_count("ru", 12, "count.event", "12 событий");
    expect_count("ru", 22, "count.event", "22 события");
    expect_count("ru", 111, "count.event", "111 событий");
    expect_count("ru", 0, "count.event", "0 событий");
    expect_count("ru", 1001, "count.source", "1\u00a0001 источник");
}

static void test_counts_in_the_other_languages(void **state)
{
    (void)state;
    expect_count("en", 1, "count.event", "1 event");
    expect_count("en", 0, "count.event", "0 events");
    expect_count("en", 12500, "count.event", "12,500 events");
    expect_count("en", 1275, "count.participant", "1275 participants");
    expect_count("fr", 1, "count.event", "1 événement");
    expect_count("fr", 0, "count.event", "0 événement");
    expect_count("fr", 2, "count.event", "2 événements");
    expect_count("az", 5, "count.event", "5 tədbir");
    expect_count("zh", 5, "count.event", "5个活动");
    expect_count("en", UINT64_MAX, "count.page", "18,446,744,073,709,551,615 pages");
}

/* ---- attribution and selection ---- */

static void expect_ordinal(const char *tag, uint64_t n, const char *want)
{
    char text[128];
    size_t len = chronicle__wording_ordinal(chronicle__wording_find(tag), text, sizeof text, n,
                                            "ordinal.anniversary");
    assert_string_equal(text, want);
    assert_int_equal(len, strlen(want));
}

/* CLDR ordinal categories, not the plural ones: English 1st 2nd 3rd but
 * 11th 12th 13th; French 1er; Azerbaijani's four suffixes by last digits. */
static void test_ordinals_follow_cldr(void **state)
{
    (void)state;
    expect_ordinal("en", 1, "1st anniversary");
    expect_ordinal("en", 2, "2nd anniversary");
    expect_ordinal("en", 3, "3rd anniversary");
    expect_ordinal("en", 4, "4th anniversary");
    expect_ordinal("en", 11, "11th anniversary");
    expect_ordinal("en", 12, "12th anniversary");
    expect_ordinal("en", 13, "13th anniversary");
    expect_ordinal("en", 21, "21st anniversary");
    expect_ordinal("en", 31, "31st anniversary");
    expect_ordinal("en", 112, "112th anniversary");
    expect_ordinal("fr", 1, "1er anniversaire");
    expect_ordinal("fr", 31, "31e anniversaire");
    expect_ordinal("ru", 31, "31-я годовщина");
    expect_ordinal("az", 31, "31-ci ildönümü");
    expect_ordinal("az", 3, "3-cü ildönümü");
    expect_ordinal("az", 6, "6-cı ildönümü");
    expect_ordinal("az", 9, "9-cu ildönümü");
    expect_ordinal("az", 100, "100-cü ildönümü");
    expect_ordinal("zh", 31, "31周年");
    /* an id that is not an ordinal: its text; an unknown one: itself */
    char text[64];
    chronicle__wording_ordinal(chronicle__wording_find("en"), text, sizeof text, 3, "label.date");
    assert_string_equal(text, "Date");
    chronicle__wording_ordinal(chronicle__wording_find("en"), text, sizeof text, 3, "no.such-id");
    assert_string_equal(text, "no.such-id");
}

static void test_english_attribution_as_before(void **state)
{
    (void)state;
    chronicle_source s = source("Trend", "000_ab7d4c11edc94891.txt", 20230224);
    expect_attribution("en", &s, "as reported by Trend, 24 Feb 2023");
    s = source("Trend", "000_ab7d4c11edc94891.txt", 0);
    expect_attribution("en", &s, "as reported by Trend");
    s = source(NULL, "001_x.txt", 0);
    expect_attribution("en", &s, "as reported in 001_x.txt");
    s = source(NULL, "002_957d18f07fed0710.txt", 20240226);
    expect_attribution("en", &s, "as reported in 002_957d18f07fed0710.txt, 26 Feb 2024");
}

static void test_attribution_in_other_languages(void **state)
{
    (void)state;
    chronicle_source s = source("Trend", "a.txt", 20230224);
    expect_attribution("fr", &s, "selon Trend, 24 févr. 2023");
    expect_attribution("ru", &s, "сообщает Trend, 24 февр. 2023 г.");
    s = source(NULL, "a.txt", 0);
    expect_attribution("az", &s, "a.txt sənədinə əsasən");
}

static void test_selection_line(void **state)
{
    (void)state;
    chronicle_str countries[] = {{"AZ", 2}};
    chronicle_str tags[] = {{"x", 1}, {"y", 1}};
    chronicle_report r = {.struct_size = sizeof r,
                          .countries = countries,
                          .n_countries = 1,
                          .tags = tags,
                          .n_tags = 1,
                          .since_ymd = 20230101,
                          .until_ymd = 20231231};
    chronicle__wording_selection(lang("en"), buf, sizeof buf, &r, 12, 40);
    assert_string_equal(buf, "12 of 40 events \xC2\xB7 country AZ \xC2\xB7 tag x \xC2\xB7 from 1 "
                             "January 2023 \xC2\xB7 until 31 December 2023");
    chronicle_report all = {.struct_size = sizeof all};
    chronicle__wording_selection(lang("en"), buf, sizeof buf, &all, 40, 40);
    assert_string_equal(buf, "all 40 events");
    chronicle__wording_selection(lang("en"), buf, sizeof buf, NULL, 12500, 12500);
    assert_string_equal(buf, "all 12,500 events");
    r.n_tags = 2;
    r.since_ymd = r.until_ymd = 0;
    chronicle__wording_selection(lang("ru"), buf, sizeof buf, &r, 1, 21);
    assert_string_equal(buf, "1 из 21 события \xC2\xB7 страна AZ \xC2\xB7 теги x, y");
    chronicle__wording_selection(lang("ru"), buf, sizeof buf, &all, 5, 5);
    assert_string_equal(buf, "все 5 событий");
}

/* ---- falling back to English (test_wording_fallback.c: a language that lacks some) ---- */

static void test_no_language_is_english(void **state)
{
    (void)state;
    assert_string_equal(chronicle__wording_label(NULL, "period.none"), "no events");
    chronicle__wording_count(NULL, buf, sizeof buf, 2, "count.event");
    assert_string_equal(buf, "2 events");
}

/* ---- Arabic: CLDR's arab digits, six plural forms, right to left ---- */

static void test_arabic_dates_in_arabic_digits(void **state)
{
    (void)state;
    /* ICU 72 (CLDR 42) formats 2023-02-24 in ar, long, as ٢٤ فبراير ٢٠٢٣ */
    expect_date("ar", 20230224, CHRONICLE_DATE_LONG, "٢٤ فبراير ٢٠٢٣");
    expect_date("ar", 20231201, CHRONICLE_DATE_LONG, "١ ديسمبر ٢٠٢٣");
    expect_date("ar", 20230101, CHRONICLE_DATE_SHORT, "١ يناير ٢٠٢٣");
    expect_date("ar", 20230224, CHRONICLE_DATE_ISO, "2023-02-24"); /* ISO stays ASCII */
    chronicle__wording_period(lang("ar"), buf, sizeof buf, 20230224, 20240225, CHRONICLE_DATE_LONG);
    assert_string_equal(buf, "٢٤ فبراير ٢٠٢٣ \xE2\x80\x93 ٢٥ فبراير ٢٠٢٤");
}

static void test_arabic_numbers_in_arabic_digits(void **state)
{
    (void)state;
    /* as ICU gives them: U+066C groups from four digits, U+066B is the decimal sign */
    expect_number("ar", 1234, "١٬٢٣٤");
    expect_number("ar", 1234567.5, "١٬٢٣٤٬٥٦٧٫٥");
    expect_number("ar", 0, "٠");
    expect_number("ar", 12.25, "١٢٫٢٥");
    expect_number("ar", -3, "-٣");
    chronicle__wording_ordinal(lang("ar"), buf, sizeof buf, 31, "ordinal.anniversary");
    assert_string_equal(buf, "الذكرى السنوية الـ٣١");
}

static void test_arabic_counts_take_six_forms(void **state)
{
    (void)state;
    expect_count("ar", 0, "count.event", "٠ فعالية");     /* zero */
    expect_count("ar", 1, "count.event", "١ فعالية");     /* one */
    expect_count("ar", 2, "count.event", "٢ فعاليتان");   /* two */
    expect_count("ar", 3, "count.event", "٣ فعاليات");    /* few: 3-10 */
    expect_count("ar", 11, "count.event", "١١ فعالية");   /* many: 11-99 */
    expect_count("ar", 100, "count.event", "١٠٠ فعالية"); /* other */
    expect_count("ar", 3, "count.source", "٣ مصادر");
    expect_count("ar", 11, "count.source", "١١ مصدرًا");
    expect_count("ar", 103, "count.source", "١٠٣ مصادر"); /* few again: n % 100 in 3..10 */
    expect_count("ar", 111, "count.source", "١١١ مصدرًا");
    expect_count("ar", 1000, "count.source", "١٬٠٠٠ مصدر");
}

static void test_arabic_labels_and_attribution(void **state)
{
    (void)state;
    assert_string_equal(chronicle__wording_label(lang("ar"), "label.organizers"), "الجهات المنظمة");
    chronicle_source s = source("Al Jazeera", "aj.html", 20230224);
    expect_attribution("ar", &s, "نقلًا عن Al Jazeera، ٢٤ فبراير ٢٠٢٣");
}

/* ---- days ---- */

static void test_days_known_values(void **state)
{
    (void)state;
    assert_int_equal(chronicle__wording_ymd_to_days(19700101), 0);
    assert_int_equal(chronicle__wording_ymd_to_days(19700102), 1);
    assert_int_equal(chronicle__wording_ymd_to_days(19691231), -1);
    assert_int_equal(chronicle__wording_ymd_to_days(20000301), 11017);
    assert_int_equal(chronicle__wording_ymd_to_days(10101), -719162);
    assert_int_equal(chronicle__wording_ymd_to_days(99991231), 2932896);
    assert_int_equal(chronicle__wording_days_to_ymd(1700000000 / 86400), 20231114);
    assert_true(chronicle__wording_ymd_to_days(0) == INT64_MIN);
    assert_true(chronicle__wording_ymd_to_days(20230229) == INT64_MIN);
    assert_true(chronicle__wording_ymd_to_days(21000229) == INT64_MIN);
    assert_true(chronicle__wording_ymd_to_days(20231300) == INT64_MIN);
    assert_true(chronicle__wording_ymd_to_days(100000101) == INT64_MIN);
    assert_int_equal(chronicle__wording_days_to_ymd(-719163), 0);
    assert_int_equal(chronicle__wording_days_to_ymd(2932897), 0);
}

static void test_days_round_trip_over_the_whole_range(void **state)
{
    (void)state;
    uint32_t prev = 0;
    for (int64_t d = -719162; d <= 2932896; d++) {
        uint32_t ymd = chronicle__wording_days_to_ymd(d);
        assert_true(ymd > prev);
        if (chronicle__wording_ymd_to_days(ymd) != d) fail_msg("day %lld: %u", (long long)d, ymd);
        prev = ymd;
    }
    assert_int_equal(prev, 99991231);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_languages_by_tag),
        cmocka_unit_test(test_label_in_each_language),
        cmocka_unit_test(test_unknown_id_comes_back_as_itself),
        cmocka_unit_test(test_message_replaces_numbered_placeholders),
        cmocka_unit_test(test_text_is_cut_like_snprintf),
        cmocka_unit_test(test_long_dates_as_cldr_gives_them),
        cmocka_unit_test(test_short_dates),
        cmocka_unit_test(test_iso_dates_are_the_same_everywhere),
        cmocka_unit_test(test_impossible_dates_are_empty),
        cmocka_unit_test(test_periods),
        cmocka_unit_test(test_english_numbers_as_before),
        cmocka_unit_test(test_numbers_per_language),
        cmocka_unit_test(test_whole_numbers_as_printf_writes_them),
        cmocka_unit_test(test_russian_counts_take_three_forms),
        cmocka_unit_test(test_counts_in_the_other_languages),
        cmocka_unit_test(test_ordinals_follow_cldr),
        cmocka_unit_test(test_english_attribution_as_before),
        cmocka_unit_test(test_attribution_in_other_languages),
        cmocka_unit_test(test_selection_line),
        cmocka_unit_test(test_no_language_is_english),
        cmocka_unit_test(test_arabic_dates_in_arabic_digits),
        cmocka_unit_test(test_arabic_numbers_in_arabic_digits),
        cmocka_unit_test(test_arabic_counts_take_six_forms),
        cmocka_unit_test(test_arabic_labels_and_attribution),
        cmocka_unit_test(test_days_known_values),
        cmocka_unit_test(test_days_round_trip_over_the_whole_range),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
