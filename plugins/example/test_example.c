/*
 * test_example.c — the markdown plugin under the test kit's mock host
 * (<chronicle/plugintest.h>, pkg-config chronicle-plugintest): what it
 * writes for mock.json's two events, how its options change that, how it
 * behaves when a write fails or the job is cancelled, its fallback for a
 * 1.1 host, and the kit's own checks: ONE_EVENT poisoning (on in every
 * run here) and the thread rule, over the shipped fixtures too.
 * markdown.c is compiled into this program, so chronicle_plugin_v1() is
 * called directly.  EXAMPLE_DATA is mock.json's path (meson.build).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <chronicle/plugintest.h>

const chronicle_plugin *chronicle_plugin_v1(const chronicle_host *h);

static const chronicle_plugin *plugin(void)
{
    return chronicle_plugin_v1(chronicle_mock_host());
}

static chronicle_job *job_over(const char *path)
{
    chronicle_job *job = NULL;
    char *why = NULL;
    if (chronicle_mock_job_new(plugin(), path, &job, &why) != CHRONICLE_OK)
        fail_msg("%s", why ? why : "cannot make a job");
    return job;
}

/* Runs one export of mock.json with the given -O pairs (key, value, ..., NULL). */
static chronicle_job *run(chronicle_status want, ...)
{
    chronicle_job *job = job_over(EXAMPLE_DATA);
    va_list ap;
    va_start(ap, want);
    for (const char *key; (key = va_arg(ap, const char *));)
        assert_int_equal(chronicle_mock_set(job, key, va_arg(ap, const char *)), CHRONICLE_OK);
    va_end(ap);
    assert_int_equal(chronicle_mock_run(job, NULL), want);
    assert_int_equal(chronicle_mock_thread_violations(job, NULL), 0);
    return job;
}

static void assert_contains(const char *haystack, const char *needle)
{
    assert_non_null(haystack);
    if (haystack && !strstr(haystack, needle)) fail_msg("missing \"%s\" in:\n%s", needle, haystack);
}

static void assert_starts_with(const char *text, const char *prefix)
{
    if (strncmp(text, prefix, strlen(prefix))) fail_msg("\"%s\" does not start:\n%s", prefix, text);
}

static void test_descriptor_matches_the_abi(void **state)
{
    (void)state;
    const chronicle_plugin *p = plugin();
    assert_int_equal(p->struct_size, sizeof(chronicle_plugin));
    assert_int_equal(p->abi_version, CHRONICLE_ABI(1, 0)); /* the lowest host it needs */
    assert_string_equal(p->name, "markdown");
    assert_string_equal(p->extension, "md");
    assert_true(p->flags & CHRONICLE_PLUGIN_STDOUT_OK);
    assert_true(p->flags & CHRONICLE_PLUGIN_ONE_EVENT); /* so every run here is poisoned */
    assert_string_equal(p->options[0].name, "heading-level");
    assert_null(p->options[2].name);
}

static void test_markdown_writes_title_period_and_years(void **state)
{
    (void)state;
    chronicle_job *job = run(CHRONICLE_OK, NULL);
    const char *out = chronicle_mock_output(job, NULL);
    assert_starts_with(out, "# Mock dataset\n\n24 Feb 2023 \xE2\x80\x93 27 Feb 2024 \xC2\xB7 ");
    assert_contains(out, "| 2023 | 1 |\n| 2024 | 1 |\n");
    assert_contains(out, "## Opening of an exhibition, Bakı\n");
    assert_contains(out, "*24 Feb 2023* \xC2\xB7 City Museum, Bakı, Azerbaijan\n");
    assert_contains(out, "*26 Feb 2024 \xE2\x80\x93 27 Feb 2024* \xC2\xB7 Paris, France\n");
    assert_contains(out, "**Organisers:** Example Ministry; City Museum\n");
    assert_null(chronicle_mock_error(job, NULL));
    chronicle_mock_job_free(job);
}

static void test_markdown_attributes_every_claim(void **state)
{
    (void)state;
    chronicle_job *job = run(CHRONICLE_OK, NULL);
    const char *out = chronicle_mock_output(job, NULL);
    assert_contains(out, "\xE2\x80\x9CWelcome, everyone\xE2\x80\x9D (as reported by Example Post, "
                         "24 Feb 2023)\n");
    assert_contains(out,
                    "- Photographs shown: 120 photographs (as reported by Example Post, 24 Feb "
                    "2023)\n");
    /* no outlet and no date: the document, and no date part */
    assert_contains(out, "concert was held. (as reported in undated-note.txt)\n");
    assert_contains(out, "- Attendees: 2.5 people (as reported in undated-note.txt)\n");
    chronicle_mock_job_free(job);
}

static void test_a_1_1_host_gets_english_and_iso_dates(void **state)
{
    (void)state;
    chronicle_job *job = job_over(EXAMPLE_DATA);
    assert_int_equal(chronicle_mock_run(job, chronicle_mock_host_abi(1)), CHRONICLE_OK);
    const char *out = chronicle_mock_output(job, NULL);
    assert_starts_with(out,
                       "# Mock dataset\n\n2023-02-24 \xE2\x80\x93 2024-02-27 \xC2\xB7 2 events\n");
    assert_contains(out, "*2023-02-24* \xC2\xB7 City Museum, Bakı, Azerbaijan\n");
    assert_contains(out, "(as reported by Example Post, 2023-02-24)\n");
    chronicle_mock_job_free(job);
}

static void test_markdown_escapes_markup_in_data(void **state)
{
    (void)state;
    chronicle_job *job = run(CHRONICLE_OK, NULL);
    assert_contains(chronicle_mock_output(job, NULL), "the \\*exhibition\\* \\[opens\\] today.");
    chronicle_mock_job_free(job);
}

static void test_heading_level_shifts_every_heading(void **state)
{
    (void)state;
    chronicle_job *job = run(CHRONICLE_OK, "heading-level", "3", NULL);
    const char *out = chronicle_mock_output(job, NULL);
    assert_starts_with(out, "### Mock dataset\n");
    assert_contains(out, "\n#### Concert, Paris\n");
    chronicle_mock_job_free(job);
}

static void test_values_are_checked_as_the_host_checks_them(void **state)
{
    (void)state;
    chronicle_job *job = job_over(EXAMPLE_DATA);
    assert_int_equal(chronicle_mock_set(job, "heading-level", "9"), CHRONICLE_ERR_OPTION);
    assert_int_equal(chronicle_mock_set(job, "toc", "maybe"), CHRONICLE_ERR_OPTION);
    assert_int_equal(chronicle_mock_set(job, "no-such-option", "1"), CHRONICLE_ERR_OPTION);
    chronicle_mock_job_free(job);
}

static void test_toc_links_each_event(void **state)
{
    (void)state;
    chronicle_job *job = run(CHRONICLE_OK, "toc", "true", NULL);
    const char *out = chronicle_mock_output(job, NULL);
    assert_contains(out, "- [Concert, Paris](#event-2)\n");
    assert_contains(out, "<a id=\"event-2\"></a>\n\n## Concert, Paris");
    chronicle_mock_job_free(job);
    job = run(CHRONICLE_OK, NULL);
    assert_null(strstr(chronicle_mock_output(job, NULL), "](#event-"));
    assert_null(strstr(chronicle_mock_output(job, NULL), "<a id="));
    chronicle_mock_job_free(job);
}

static void test_group_appears_in_the_title(void **state)
{
    (void)state;
    chronicle_job *job = job_over(EXAMPLE_DATA);
    assert_int_equal(chronicle_mock_set_group(job, "country", "AZ"), CHRONICLE_OK);
    assert_int_equal(chronicle_mock_event_count(job), 1);
    assert_int_equal(chronicle_mock_run(job, NULL), CHRONICLE_OK);
    assert_starts_with(chronicle_mock_output(job, NULL), "# Mock dataset \xE2\x80\x94 AZ\n");
    assert_null(strstr(chronicle_mock_output(job, NULL), "Concert, Paris"));
    chronicle_mock_job_free(job);
}

static void test_report_metadata_and_language(void **state)
{
    (void)state;
    chronicle_job *job = job_over(EXAMPLE_DATA);
    assert_int_equal(chronicle_mock_set_report(job, "title", "Quarterly digest"), CHRONICLE_OK);
    assert_int_equal(chronicle_mock_set_report(job, "marking", "OFFICIAL"), CHRONICLE_OK);
    assert_int_equal(chronicle_mock_set_report(job, "lang", "fr"), CHRONICLE_OK);
    assert_int_equal(chronicle_mock_set_report(job, "lang", "xx"), CHRONICLE_ERR_OPTION);
    assert_int_equal(chronicle_mock_run(job, NULL), CHRONICLE_OK);
    const char *out = chronicle_mock_output(job, NULL);
    assert_contains(out, "# Quarterly digest\n");
    assert_contains(out, "OFFICIAL");
    assert_contains(out, "24 f\xC3\xA9vr. 2023"); /* French dates */
    chronicle_mock_job_free(job);
}

static void test_failed_write_fails_the_export(void **state)
{
    (void)state;
    chronicle_job *job = job_over(EXAMPLE_DATA);
    chronicle_mock_fail_writes_after(job, 200);
    assert_int_equal(chronicle_mock_run(job, NULL), CHRONICLE_ERR_IO);
    size_t len;
    chronicle_mock_output(job, &len);
    assert_true(len <= 200);
    chronicle_mock_job_free(job);
}

static void test_cancel_stops_the_export(void **state)
{
    (void)state;
    chronicle_job *job = job_over(EXAMPLE_DATA);
    chronicle_mock_cancel_after(job, 1);
    assert_int_equal(chronicle_mock_run(job, NULL), CHRONICLE_ERR_CANCELLED);
    assert_null(strstr(chronicle_mock_output(job, NULL), "Concert, Paris\n"));
    chronicle_mock_job_free(job);
}

/* The shipped fixtures, every event poisoned once the next is read. */
static void test_fixtures_export_with_progress(void **state)
{
    (void)state;
    static const char *const names[] = {"events.json", "generated-1k.json", "unicode-torture.json"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        char *path = chronicle_mock_fixture(names[i]);
        if (!path) fail_msg("fixture %s not found (CHRONICLE_PLUGINTEST_DATA?)", names[i]);
        chronicle_job *job = job_over(path);
        assert_int_equal(chronicle_mock_run(job, NULL), CHRONICLE_OK);
        uint64_t done = 0, total = 0;
        assert_true(chronicle_mock_progress(job, &done, &total) > 0);
        assert_int_equal(done, chronicle_mock_event_count(job));
        assert_int_equal(total, chronicle_mock_event_count(job));
        assert_int_equal(chronicle_mock_thread_violations(job, NULL), 0);
        assert_null(chronicle_mock_error(job, NULL));
        chronicle_mock_job_free(job);
        free(path);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_descriptor_matches_the_abi),
        cmocka_unit_test(test_markdown_writes_title_period_and_years),
        cmocka_unit_test(test_markdown_attributes_every_claim),
        cmocka_unit_test(test_a_1_1_host_gets_english_and_iso_dates),
        cmocka_unit_test(test_markdown_escapes_markup_in_data),
        cmocka_unit_test(test_heading_level_shifts_every_heading),
        cmocka_unit_test(test_values_are_checked_as_the_host_checks_them),
        cmocka_unit_test(test_toc_links_each_event),
        cmocka_unit_test(test_group_appears_in_the_title),
        cmocka_unit_test(test_report_metadata_and_language),
        cmocka_unit_test(test_failed_write_fails_the_export),
        cmocka_unit_test(test_cancel_stops_the_export),
        cmocka_unit_test(test_fixtures_export_with_progress),
    };
    return cmocka_run_group_tests_name("markdown plugin (test kit)", tests, NULL, NULL);
}
