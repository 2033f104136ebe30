/*
 * test_wording_fallback.c — wording.c over a small catalog
 * (tests/data/po-fallback) in which Russian lacks some messages: absent,
 * empty and fuzzy translations come out in English, with English's plural
 * rule for an English plural; translated ones in Russian.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "wording.h"

static void test_translated_messages_are_russian(void **state)
{
    (void)state;
    const wording_lang *ru = chronicle__wording_find("ru");
    char buf[64];
    assert_string_equal(chronicle__wording_label(ru, "label.date"), "Дата");
    chronicle__wording_count(ru, buf, sizeof buf, 21, "count.source");
    assert_string_equal(buf, "21 источник");
    chronicle__wording_count(ru, buf, sizeof buf, 12500, "count.source");
    assert_string_equal(buf, "12 500 источников");
}

static void test_missing_empty_and_fuzzy_fall_back_to_english(void **state)
{
    (void)state;
    const wording_lang *ru = chronicle__wording_find("ru");
    char buf[64];
    assert_string_equal(chronicle__wording_label(ru, "label.title"), "Title"); /* absent */
    assert_string_equal(chronicle__wording_label(ru, "label.city"), "City");   /* empty */
    assert_string_equal(chronicle__wording_label(ru, "label.venue"), "Venue"); /* fuzzy */
    /* an English plural follows English's rule, with Russian's digits */
    chronicle__wording_count(ru, buf, sizeof buf, 21, "count.event");
    assert_string_equal(buf, "21 events");
    chronicle__wording_count(ru, buf, sizeof buf, 1, "count.event");
    assert_string_equal(buf, "1 event");
    /* Russian has no number.decimal here: English's */
    chronicle__wording_number(ru, buf, sizeof buf, 2.5);
    assert_string_equal(buf, "2.5");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_translated_messages_are_russian),
        cmocka_unit_test(test_missing_empty_and_fuzzy_fall_back_to_english),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
