/*
 * test_options.c — option values parsed from text (user -O values and
 * declared defaults alike), and the plugin description's JSON wire format
 * that carries a probe's result from the child to the parent.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "chronicle/registry.h"
#include "registry_internal.h"

static chronicle_option_info opt(chronicle_opt_type t, double min, double max)
{
    chronicle_option_info o = {.name = "x", .type = t, .min = min, .max = max, .help = "h"};
    return o;
}

static int parses(const chronicle_option_info *o, const char *text, chronicle_opt_value *v,
                  const char *want_reason)
{
    chronicle_buf why = CHRONICLE_BUF_INIT;
    chronicle_status st = chronicle_opt_parse(o, text, v, &why);
    if (want_reason) assert_string_equal(chronicle_buf_cstr(&why), want_reason);
    chronicle_buf_free(&why);
    return st == CHRONICLE_OK;
}

static void test_bool_accepts_common_spellings(void **state)
{
    (void)state;
    chronicle_option_info o = opt(CHRONICLE_OPT_BOOL, 1, 0);
    chronicle_opt_value v;
    const char *yes[] = {"true", "TRUE", "1", "yes", "on"}, *no[] = {"false", "0", "No", "off"};
    for (size_t i = 0; i < 5; i++)
        assert_true(parses(&o, yes[i], &v, NULL) && v.b == 1);
    for (size_t i = 0; i < 4; i++)
        assert_true(parses(&o, no[i], &v, NULL) && v.b == 0);
    assert_false(parses(&o, "maybe", &v, "must be true or false"));
    assert_false(parses(&o, "", &v, "must be true or false"));
}

static void test_int_checks_range_and_syntax(void **state)
{
    (void)state;
    chronicle_option_info o = opt(CHRONICLE_OPT_INT, 20, 400);
    chronicle_opt_value v;
    assert_true(parses(&o, "78", &v, NULL));
    assert_int_equal(v.i, 78);
    assert_true(parses(&o, "20", &v, NULL) && parses(&o, "400", &v, NULL));
    assert_false(parses(&o, "19", &v, "must be a whole number from 20 to 400"));
    assert_false(parses(&o, "401", &v, NULL));
    assert_false(parses(&o, "7x", &v, NULL));
    assert_false(parses(&o, "", &v, NULL));
    assert_false(parses(&o, "1.5", &v, NULL));
    assert_false(parses(&o, "99999999999999999999", &v, NULL)); /* overflow */
}

static void test_int_without_range_takes_any_value(void **state)
{
    (void)state;
    chronicle_option_info o = opt(CHRONICLE_OPT_INT, 1, 0); /* min > max: no range */
    chronicle_opt_value v;
    assert_true(parses(&o, "-5000000000", &v, NULL));
    assert_true(v.i == -5000000000LL);
    assert_false(parses(&o, "abc", &v, "must be a whole number"));
}

static void test_double_refuses_nan_and_infinity(void **state)
{
    (void)state;
    chronicle_option_info o = opt(CHRONICLE_OPT_DOUBLE, 0, 1);
    chronicle_opt_value v;
    assert_true(parses(&o, "0.25", &v, NULL) && v.d == 0.25);
    assert_false(parses(&o, "nan", &v, "must be a number from 0 to 1"));
    assert_false(parses(&o, "inf", &v, NULL));
    assert_false(parses(&o, "1e400", &v, NULL));
    assert_false(parses(&o, "1.5", &v, NULL));
}

static void test_enum_lists_the_choices(void **state)
{
    (void)state;
    char *choices[] = {"a4", "letter", NULL};
    chronicle_option_info o = opt(CHRONICLE_OPT_ENUM, 1, 0);
    o.choices = choices;
    chronicle_opt_value v;
    assert_true(parses(&o, "letter", &v, NULL));
    assert_string_equal(v.s, "letter");
    assert_false(parses(&o, "A4", &v, "must be one of: a4 letter"));
}

static void test_path_and_string(void **state)
{
    (void)state;
    chronicle_option_info p = opt(CHRONICLE_OPT_PATH, 1, 0), s = opt(CHRONICLE_OPT_STRING, 1, 0);
    chronicle_opt_value v;
    assert_false(parses(&p, "", &v, "must be a file path"));
    assert_true(parses(&p, "/x/y.ttf", &v, NULL));
    assert_true(parses(&s, "", &v, NULL) && v.set);
}

static void test_description_survives_the_wire(void **state)
{
    (void)state;
    char *choices[] = {"red", "green", NULL};
    chronicle_option_info opts[2] = {
        {.name = "width",
         .type = CHRONICLE_OPT_INT,
         .default_value = "78",
         .help = "wrap column",
         .min = 20,
         .max = 400},
        {.name = "colour",
         .type = CHRONICLE_OPT_ENUM,
         .default_value = "red",
         .help = "a colour",
         .choices = choices,
         .min = 1,
         .max = 0},
    };
    chronicle_plugin_info in = {.name = "text",
                                .path = "/p/text.so",
                                .version = "1.2.3",
                                .summary = "Plain \"text\"",
                                .extension = "txt",
                                .media_type = "text/plain",
                                .abi_version = CHRONICLE_ABI(1, 0),
                                .struct_size = 96,
                                .flags = CHRONICLE_PLUGIN_STDOUT_OK,
                                .options = opts,
                                .n_options = 2};
    chronicle_buf json = CHRONICLE_BUF_INIT;
    assert_int_equal(chronicle_plugin_info_json(&in, &json), CHRONICLE_OK);
    chronicle_plugin_info out = {0};
    assert_true(chronicle__plugin_info_from_json(&out, json.ptr, json.len));
    assert_string_equal(out.version, "1.2.3");
    assert_string_equal(out.summary, "Plain \"text\"");
    assert_int_equal(out.abi_version, CHRONICLE_ABI(1, 0));
    assert_int_equal(out.flags, CHRONICLE_PLUGIN_STDOUT_OK);
    assert_int_equal(out.n_options, 2);
    assert_string_equal(out.options[0].name, "width");
    assert_true(out.options[0].min == 20 && out.options[0].max == 400);
    assert_string_equal(out.options[1].choices[1], "green");
    assert_null(out.options[1].choices[2]);
    assert_true(out.options[1].min > out.options[1].max); /* no range survives as no range */
    chronicle__plugin_info_clear_probe(&out);
    chronicle_buf_free(&json);
}

static void test_broken_description_keeps_the_reason(void **state)
{
    (void)state;
    chronicle_plugin_info in = {.name = "x", .path = "/p/x.so", .broken = 1, .reason = "no symbol"};
    chronicle_buf json = CHRONICLE_BUF_INIT;
    assert_int_equal(chronicle_plugin_info_json(&in, &json), CHRONICLE_OK);
    chronicle_plugin_info out = {0};
    assert_true(chronicle__plugin_info_from_json(&out, json.ptr, json.len));
    assert_true(out.broken);
    assert_string_equal(out.reason, "no symbol");
    chronicle__plugin_info_clear_probe(&out);
    chronicle_buf_free(&json);
}

static void test_strings_from_the_wire_are_cleaned_and_capped(void **state)
{
    (void)state;
    /* what a hostile probe child may send: escapes, bidi overrides, a lone
     * continuation byte, a summary of 1,000 bytes */
    char summary[1001];
    memset(summary, 'x', 1000);
    summary[1000] = '\0';
    chronicle_option_info opt = {.name = "style",
                                 .type = CHRONICLE_OPT_STRING,
                                 .help = "a \x1b]8;;link\x07 \xe2\x81\xa6here",
                                 .min = 1};
    chronicle_plugin_info in = {.name = "x",
                                .path = "/p/x.so",
                                .version = "1.0\x1b[31m\x80",
                                .summary = summary,
                                .extension = "txt",
                                .options = &opt,
                                .n_options = 1};
    chronicle_buf json = CHRONICLE_BUF_INIT;
    assert_int_equal(chronicle_plugin_info_json(&in, &json), CHRONICLE_OK);
    chronicle_plugin_info out = {0};
    assert_true(chronicle__plugin_info_from_json(&out, json.ptr, json.len));
    assert_string_equal(out.version, "1.0\xEF\xBF\xBD[31m\xEF\xBF\xBD");
    assert_string_equal(out.options[0].help, "a \xEF\xBF\xBD]8;;link\xEF\xBF\xBD \xEF\xBF\xBDhere");
    assert_true(strlen(out.summary) <= 200 + 3);
    assert_string_equal(out.summary + strlen(out.summary) - 3, "\xE2\x80\xA6"); /* cut: U+2026 */
    chronicle__plugin_info_clear_probe(&out);
    chronicle_buf_free(&json);
}

static void test_garbage_on_the_wire_is_refused(void **state)
{
    (void)state;
    chronicle_plugin_info out = {0};
    assert_false(chronicle__plugin_info_from_json(&out, "", 0));
    assert_false(chronicle__plugin_info_from_json(&out, "[1]", 3));
    assert_false(chronicle__plugin_info_from_json(&out, "{\"name\":\"x\"}", 12)); /* no version */
    chronicle__plugin_info_clear_probe(&out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bool_accepts_common_spellings),
        cmocka_unit_test(test_int_checks_range_and_syntax),
        cmocka_unit_test(test_int_without_range_takes_any_value),
        cmocka_unit_test(test_double_refuses_nan_and_infinity),
        cmocka_unit_test(test_enum_lists_the_choices),
        cmocka_unit_test(test_path_and_string),
        cmocka_unit_test(test_description_survives_the_wire),
        cmocka_unit_test(test_broken_description_keeps_the_reason),
        cmocka_unit_test(test_strings_from_the_wire_are_cleaned_and_capped),
        cmocka_unit_test(test_garbage_on_the_wire_is_refused),
    };
    return cmocka_run_group_tests_name("options", tests, NULL, NULL);
}
